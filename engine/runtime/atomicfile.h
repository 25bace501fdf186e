#pragma once

#include <QSaveFile>
#include <QString>

namespace bw {

// A file that appears whole or not at all: the bytes go to a temporary file next to the path,
// renamed into place by commit(), so an interrupted run never leaves a half-written file and an
// earlier complete file stays as it was. Every writer of an output file goes through it, so
// every failure reads the same: "PATH: cannot write: REASON". Confined to one thread.
class AtomicFile
{
public:
    explicit AtomicFile(const QString &path);
    // Destroyed without a commit, the temporary file is removed (QSaveFile's own destructor).
    AtomicFile(const AtomicFile &) = delete;
    AtomicFile &operator=(const AtomicFile &) = delete;

    // "PATH: cannot write: REASON", the one message for an output that cannot be written.
    static QString cannotWrite(const QString &path, const QString &reason);

    const QString &path() const { return m_path; }
    // Creates the temporary file now, so that a bad path fails before the work that fills it.
    bool open(QString *error);
    // Where the bytes go, for writers that stream (the event log, an image); open first.
    QIODevice *device() { return &m_file; }
    // Renames the file into place; false, and nothing at the path, when a write or the rename
    // failed.
    bool commit(QString *error);

private:
    QString m_path;
    QSaveFile m_file;
};

// Writes `bytes` to `path` through an AtomicFile.
bool writeFileAtomically(const QString &path, const QByteArray &bytes, QString *error);

} // namespace bw
