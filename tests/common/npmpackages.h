#pragma once

#include "commandrunner.h"

#include <QDir>
#include <QFile>
#include <QLockFile>
#include <QStandardPaths>

namespace bw::test {

// What installNpmPackages() says: ready, a reason to skip (not run by ctest, or the registry is
// unreachable), or a failure.
struct NpmInstall
{
    enum class Result { Ready, Skip, Failed };
    Result result = Result::Failed;
    QString message;
    QString node;    // the node executable
    QString modules; // PREFIX/node_modules, for NODE_PATH
};

// Every npm package the tests run, pinned so that a release cannot change what a test proves.
// One list: `npm install` into a prefix removes what the install does not name.
inline const QStringList NpmPackages { QStringLiteral("opossum@9.0.0"), QStringLiteral("opossum-prometheus@0.3.0"),
    QStringLiteral("opossum-hystrix@0.1.1") };

// Installs NpmPackages under BREAKWATER_NPM_PREFIX (set by ctest: the build tree) unless they
// are all there; tests that run at once take turns (a lock file in the prefix).
inline NpmInstall installNpmPackages()
{
    NpmInstall r;
    const QString prefix = qEnvironmentVariable("BREAKWATER_NPM_PREFIX");
    r.node = QStandardPaths::findExecutable(QStringLiteral("node"));
    const QString npm = QStandardPaths::findExecutable(QStringLiteral("npm"));
    if (prefix.isEmpty()) {
        r.result = NpmInstall::Result::Skip;
        r.message = QStringLiteral("BREAKWATER_NPM_PREFIX is set by ctest");
        return r;
    }
    if (r.node.isEmpty() || npm.isEmpty()) {
        r.message = QStringLiteral("node and npm are needed (make test installs nodejs)");
        return r;
    }
    r.modules = prefix + QStringLiteral("/node_modules");
    QDir().mkpath(prefix);
    QLockFile lock(prefix + QStringLiteral("/install.lock"));
    lock.setStaleLockTime(0);
    if (!lock.tryLock(600000)) {
        r.message = QStringLiteral("another test holds ") + lock.fileName() + QStringLiteral(" for too long");
        return r;
    }
    QStringList missing;
    for (const QString &package : NpmPackages) {
        const QString name = package.left(package.lastIndexOf(u'@') > 0 ? package.lastIndexOf(u'@') : package.size());
        if (!QFile::exists(r.modules + u'/' + name + QStringLiteral("/package.json")))
            missing.append(package);
    }
    if (!missing.isEmpty()) {
        const CommandResult run = runCommand(npm,
            QStringList { QStringLiteral("install"), QStringLiteral("--prefix"), prefix, QStringLiteral("--no-audit"),
                QStringLiteral("--no-fund"), QStringLiteral("--no-save") }
                + NpmPackages,
            prefix, 300000);
        const QByteArray log = run.out + run.err;
        for (const char *offline : { "ENOTFOUND", "EAI_AGAIN", "ECONNREFUSED", "ETIMEDOUT", "ECONNRESET", "ENETUNREACH" }) {
            if (run.exitCode != 0 && log.contains(offline)) {
                r.result = NpmInstall::Result::Skip;
                r.message = QStringLiteral("npm cannot reach the registry (%1)").arg(QLatin1String(offline));
                return r;
            }
        }
        if (run.exitCode != 0) {
            r.message = QString::fromUtf8(log);
            return r;
        }
    }
    r.result = NpmInstall::Result::Ready;
    return r;
}

} // namespace bw::test
