#pragma once

#include <QByteArray>
#include <QFile>
#include <QProcess>
#include <QString>
#include <QStringList>

namespace bw::test {

// What one run of a command did: its exit code (-1 when it crashed or did not finish) and output.
struct CommandResult
{
    int exitCode = -1;
    QByteArray out, err;
};

// Runs `program` with `arguments` in `workingDirectory` and waits for it, killing it after
// `timeoutMs` (then the result has exit code -1 and no output).
inline CommandResult runCommand(const QString &program, const QStringList &arguments,
    const QString &workingDirectory, int timeoutMs = 120000)
{
    QProcess p;
    p.setWorkingDirectory(workingDirectory);
    p.start(program, arguments);
    CommandResult r;
    if (!p.waitForFinished(timeoutMs)) {
        p.kill();
        p.waitForFinished();
        return r;
    }
    r.exitCode = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
    r.out = p.readAllStandardOutput();
    r.err = p.readAllStandardError();
    return r;
}

// Writes `content` to the file `path` and returns the path; a file that cannot be written ends
// the test executable.
inline QString writeFile(const QString &path, const QByteArray &content)
{
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly))
        qFatal("cannot write %s", qPrintable(path));
    f.write(content);
    return path;
}

} // namespace bw::test
