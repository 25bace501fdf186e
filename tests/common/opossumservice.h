#pragma once

#include "httpfetch.h"
#include "npmpackages.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkProxy>
#include <QProcess>
#include <QTest>

namespace bw::test {

// tests/monitoring/opossum/service.js, a Node service whose dependency is guarded by a real
// opossum breaker ("inventory", group "orders") exported through opossum-prometheus and
// opossum-hystrix: started with the pinned npm packages, stopped with the object.
class OpossumService
{
public:
    OpossumService() { m_nam.setProxy(QNetworkProxy::NoProxy); }
    ~OpossumService()
    {
        if (m_process.state() == QProcess::NotRunning)
            return;
        m_process.kill();
        m_process.waitForFinished();
    }

    // Installs the npm packages if missing and starts the service: Ready once it listens, Skip
    // (npm cannot reach its registry, or not run by ctest) or Failed with the reason.
    NpmInstall start()
    {
        NpmInstall npm = installNpmPackages();
        if (npm.result != NpmInstall::Result::Ready)
            return npm;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("NODE_PATH"), npm.modules);
        m_process.setProcessEnvironment(env);
        m_process.start(npm.node, { QStringLiteral("--no-deprecation"),
                                      qEnvironmentVariable("BREAKWATER_SOURCE_DIR") + QStringLiteral("/tests/monitoring/opossum/service.js") });
        // It prints {"port": N} once it listens.
        const bool said = m_process.waitForStarted(10000)
            && QTest::qWaitFor([this] { return m_process.canReadLine() || m_process.state() != QProcess::Running; }, 20000)
            && m_process.canReadLine();
        if (said)
            m_port = quint16(QJsonDocument::fromJson(m_process.readLine()).object().value(QStringLiteral("port")).toInt());
        if (m_port == 0) {
            npm.result = NpmInstall::Result::Failed;
            npm.message = QStringLiteral("the opossum service did not start: ") + QString::fromUtf8(m_process.readAllStandardError());
        }
        return npm;
    }

    quint16 port() const { return m_port; }
    // host:port, as Prometheus scrapes it.
    QString target() const { return QStringLiteral("127.0.0.1:") + QString::number(m_port); }
    QString hystrixUrl() const { return QStringLiteral("http://127.0.0.1:%1/hystrix.stream").arg(m_port); }

    // CLOSED, OPEN or HALF_OPEN from the breaker's own flags (`opened`, `halfOpen`, `closed`);
    // empty when the service does not answer.
    QString state()
    {
        const QJsonObject flags = QJsonDocument::fromJson(get(QStringLiteral("/state")).body).object();
        if (flags.value(QStringLiteral("opened")).toBool())
            return QStringLiteral("OPEN");
        if (flags.value(QStringLiteral("halfOpen")).toBool())
            return QStringLiteral("HALF_OPEN");
        return flags.value(QStringLiteral("closed")).toBool() ? QStringLiteral("CLOSED") : QString();
    }

    // /control?QUERY ("dependency=fail", "dependency=ok&traffic=off", "traffic=on"): whether the
    // service took it.
    bool control(const QString &query) { return get(QStringLiteral("/control?") + query).status == 200; }

private:
    Fetched get(const QString &pathAndQuery)
    {
        return fetch(m_nam, "GET", QUrl(QStringLiteral("http://127.0.0.1:%1").arg(m_port) + pathAndQuery), {}, 2000);
    }

    QNetworkAccessManager m_nam;
    QProcess m_process;
    quint16 m_port = 0;
};

} // namespace bw::test
