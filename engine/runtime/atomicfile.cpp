#include "atomicfile.h"

namespace bw {

AtomicFile::AtomicFile(const QString &path)
    : m_path(path)
    , m_file(path)
{ }

QString AtomicFile::cannotWrite(const QString &path, const QString &reason)
{
    return path + QStringLiteral(": cannot write: ") + reason;
}

bool AtomicFile::open(QString *error)
{
    if (m_file.open(QIODevice::WriteOnly))
        return true;
    if (error)
        *error = cannotWrite(m_path, m_file.errorString());
    return false;
}

bool AtomicFile::commit(QString *error)
{
    // A failed write leaves its reason on the file; commit() would discard the file with a
    // vaguer one.
    const bool writeFailed = m_file.error() != QFileDevice::NoError;
    const QString reason = m_file.errorString();
    if (writeFailed)
        m_file.cancelWriting();
    if (m_file.commit() && !writeFailed)
        return true;
    if (error)
        *error = cannotWrite(m_path, writeFailed ? reason : m_file.errorString());
    return false;
}

bool writeFileAtomically(const QString &path, const QByteArray &bytes, QString *error)
{
    AtomicFile file(path);
    if (!file.open(error))
        return false;
    file.device()->write(bytes); // a short write fails the commit
    return file.commit(error);
}

} // namespace bw
