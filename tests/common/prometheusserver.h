#pragma once

#include "freeport.h"

#include <QDir>
#include <QFile>
#include <QNetworkAccessManager>
#include <QNetworkProxy>
#include <QNetworkReply>
#include <QProcess>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

namespace bw::test {

// A real Prometheus (the Debian package) for a test: a temporary config and storage directory,
// a free port on 127.0.0.1, a 1 s scrape interval, stopped with the object.
class PrometheusServer
{
public:
    struct Job
    {
        QString name;
        QStringList targets; // host:port
        QString metricsPath = QStringLiteral("/metrics");
    };

    // Starts Prometheus scraping `jobs`; started() says whether it answers /-/ready.
    explicit PrometheusServer(const QList<Job> &jobs)
    {
        const QString binary = QStandardPaths::findExecutable(QStringLiteral("prometheus"));
        if (binary.isEmpty() || !m_dir.isValid()) {
            m_error = QStringLiteral("prometheus is missing: install the Debian package 'prometheus' (make test does)");
            return;
        }
        QByteArray config = "global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\nscrape_configs:\n";
        for (const Job &job : jobs) {
            config += "  - job_name: '" + job.name.toUtf8() + "'\n    metrics_path: '" + job.metricsPath.toUtf8()
                + "'\n    static_configs:\n      - targets: [";
            for (qsizetype i = 0; i < job.targets.size(); ++i)
                config += (i ? ", '" : "'") + job.targets[i].toUtf8() + "'";
            config += "]\n";
        }
        QFile file(m_dir.filePath(QStringLiteral("prometheus.yml")));
        if (!file.open(QIODevice::WriteOnly) || file.write(config) != config.size()) {
            m_error = QStringLiteral("cannot write the Prometheus config");
            return;
        }
        file.close();
        m_port = freePort();
        m_process.setProcessChannelMode(QProcess::MergedChannels);
        m_process.start(binary,
            { QStringLiteral("--config.file=") + file.fileName(),
                QStringLiteral("--storage.tsdb.path=") + m_dir.filePath(QStringLiteral("data")),
                QStringLiteral("--web.listen-address=127.0.0.1:") + QString::number(m_port) });
        if (!m_process.waitForStarted(10000))
            m_error = QStringLiteral("prometheus did not start");
    }
    ~PrometheusServer()
    {
        if (m_process.state() == QProcess::NotRunning)
            return;
        m_process.terminate();
        if (!m_process.waitForFinished(10000)) {
            m_process.kill();
            m_process.waitForFinished();
        }
    }

    // Waits until Prometheus answers /-/ready (up to `timeoutMs`); false, with error(), if not.
    bool waitReady(int timeoutMs = 30000)
    {
        if (!m_error.isEmpty())
            return false;
        QNetworkAccessManager nam;
        nam.setProxy(QNetworkProxy::NoProxy);
        bool ready = false;
        const auto ask = [&] {
            if (m_process.state() != QProcess::Running)
                return true;
            QNetworkRequest request(QUrl(url() + QStringLiteral("/-/ready")));
            request.setTransferTimeout(1000);
            QNetworkReply *reply = nam.get(request);
            ready = QTest::qWaitFor([reply] { return reply->isFinished(); }, 2000)
                && reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt() == 200;
            reply->deleteLater();
            return ready;
        };
        if (!QTest::qWaitFor(ask, timeoutMs) || !ready)
            m_error = QStringLiteral("prometheus is not ready: ") + QString::fromUtf8(m_process.readAll().right(2000));
        return ready;
    }

    QString url() const { return QStringLiteral("http://127.0.0.1:") + QString::number(m_port); }
    QString error() const { return m_error; }

private:
    QTemporaryDir m_dir;
    QProcess m_process;
    quint16 m_port = 0;
    QString m_error;
};

} // namespace bw::test
