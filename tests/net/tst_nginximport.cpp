#include "accesslog/logline.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QProcess>
#include <QRegularExpression>
#include <QStandardPaths>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>

#include "commandrunner.h"
#include "httpfetch.h"

using namespace bw::test;

// A real nginx (Debian's package) proxies to `breakwater chaos-target` and writes its own access
// log in the documented log_format while the target fails for a while; `breakwater import` of
// that log, replayed through a policy, shows the breaker opening during the failure window.
class tst_NginxImport : public QObject
{
    Q_OBJECT

    QString binary() const { return qEnvironmentVariable("BREAKWATER_BINARY"); }

    static quint16 freePort()
    {
        QTcpServer server;
        return server.listen(QHostAddress::LocalHost, 0) ? server.serverPort() : 0;
    }

private Q_SLOTS:
    void breakerOpensDuringTheLoggedFailures()
    {
        const QString nginx = QStandardPaths::findExecutable(QStringLiteral("nginx"), { QStringLiteral("/usr/sbin") });
        if (nginx.isEmpty())
            QSKIP("nginx is not installed (make deps installs it)");
        QVERIFY2(!binary().isEmpty(), "run through ctest, which names the binary");
        QTemporaryDir dir;
        QVERIFY(dir.isValid());

        // Every answer takes 100 ms, so each phase spans seconds of $time_local (whole seconds).
        QProcess target;
        target.start(binary(), { QStringLiteral("chaos-target"), QStringLiteral("--port"), QStringLiteral("0"),
                                   QStringLiteral("--settings"), QStringLiteral(R"({"latencyMs":100})") });
        QVERIFY(target.waitForStarted(5000));
        QVERIFY(QTest::qWaitFor([&] { target.waitForReadyRead(100); return target.canReadLine(); }, 5000));
        const auto port = QRegularExpression(QStringLiteral(":(\\d+)")).match(QString::fromUtf8(target.readLine()));
        QVERIFY(port.hasMatch());
        const QString targetAddress = QStringLiteral("127.0.0.1:") + port.captured(1);

        const quint16 nginxPort = freePort();
        QVERIFY(nginxPort != 0);
        const QString conf = QStringLiteral(R"(daemon off;
master_process off;
worker_processes 1;
pid %1/nginx.pid;
error_log %1/error.log;
events { worker_connections 64; }
http {
    log_format breakwater '%2';
    access_log %1/access.log breakwater;
    client_body_temp_path %1/body;
    proxy_temp_path %1/proxy;
    fastcgi_temp_path %1/fastcgi;
    uwsgi_temp_path %1/uwsgi;
    scgi_temp_path %1/scgi;
    server {
        listen 127.0.0.1:%3;
        location / { proxy_pass http://%4; }
    }
}
)")
                                 .arg(dir.path(), QString::fromLatin1(bw::LogLineParser::nginxDefaultFormat()))
                                 .arg(nginxPort)
                                 .arg(targetAddress);
        writeFile(dir.filePath(QStringLiteral("nginx.conf")), conf.toUtf8());
        QProcess proxy;
        proxy.start(nginx, { QStringLiteral("-p"), dir.path(), QStringLiteral("-e"), dir.filePath(QStringLiteral("error.log")),
                               QStringLiteral("-c"), dir.filePath(QStringLiteral("nginx.conf")) });
        QVERIFY(proxy.waitForStarted(5000));
        QVERIFY2(QTest::qWaitFor([&] {
            QTcpSocket probe;
            probe.connectToHost(QHostAddress::LocalHost, nginxPort);
            return probe.waitForConnected(100) || proxy.state() == QProcess::NotRunning;
        }, 10000) && proxy.state() == QProcess::Running,
            proxy.readAllStandardError().constData());

        QNetworkAccessManager nam;
        const QUrl through(QStringLiteral("http://127.0.0.1:%1/pay").arg(nginxPort));
        const QUrl chaos(QStringLiteral("http://%1/_chaos").arg(targetAddress));
        const auto phase = [&](int expected) {
            for (int i = 0; i < 25; ++i)
                QCOMPARE(fetch(nam, "GET", through).status, expected);
        };
        phase(200);
        QCOMPARE(fetch(nam, "PUT", chaos, R"({"errorRate":1,"status":503})").status, 200);
        phase(503);
        QCOMPARE(fetch(nam, "PUT", chaos, R"({"errorRate":0})").status, 200);
        phase(200);
        // nginx writes a request's log line after its answer has gone out: on a loaded machine the
        // last line can still be on its way when the client has its answer, so wait for all 75.
        const QString accessLog = dir.filePath(QStringLiteral("access.log"));
        QVERIFY2(QTest::qWaitFor([&] {
            QFile log(accessLog);
            return log.open(QIODevice::ReadOnly) && log.readAll().count('\n') >= 75;
        }, 10000),
            "nginx did not log 75 requests within 10 s");
        proxy.kill();
        target.kill();
        proxy.waitForFinished();
        target.waitForFinished();

        const QString trace = dir.filePath(QStringLiteral("trace.csv"));
        CommandResult r = runCommand(binary(), { QStringLiteral("import"), accessLog,
                                                   QStringLiteral("--format"), QStringLiteral("nginx"),
                                                   QStringLiteral("--out"), trace, QStringLiteral("--strict") },
            dir.path());
        QVERIFY2(r.exitCode == 0, r.err.constData());
        QVERIFY2(r.err.contains("75 lines, 75 requests imported (25 failures)"), r.err.constData());

        // The failure window, as the trace holds it.
        QFile csv(trace);
        QVERIFY(csv.open(QIODevice::ReadOnly));
        double firstFailure = -1, lastFailure = -1;
        csv.readLine();
        while (!csv.atEnd()) {
            const QList<QByteArray> fields = csv.readLine().trimmed().split(',');
            QCOMPARE(fields.size(), 4);
            if (fields[2] == "failure") {
                QCOMPARE(fields[3], QByteArray("503"));
                lastFailure = fields[0].toDouble();
                if (firstFailure < 0)
                    firstFailure = lastFailure;
            }
        }
        QVERIFY(firstFailure > 1000); // 25 answers of 100 ms came first

        const QString policy = writeFile(dir.filePath(QStringLiteral("policy.json")),
            R"({"name":"upstream","circuitBreaker":{"failureThreshold":5,"successThreshold":2,"resetTimeout":10000}})");
        const QString events = dir.filePath(QStringLiteral("events.jsonl"));
        r = runCommand(binary(), { QStringLiteral("replay"), trace, QStringLiteral("--policy"), policy,
                                   QStringLiteral("--events"), events }, dir.path());
        QVERIFY2(r.exitCode == 0, r.err.constData());
        QFile log(events);
        QVERIFY(log.open(QIODevice::ReadOnly));
        QList<double> opened;
        while (!log.atEnd()) {
            const QJsonObject e = QJsonDocument::fromJson(log.readLine()).object();
            if (e.value(QLatin1String("type")).toString() == u"stateChange"
                && e.value(QLatin1String("to")).toString() == u"OPEN")
                opened.append(e.value(QLatin1String("t_ms")).toDouble());
        }
        QVERIFY2(!opened.isEmpty(), "the breaker never opened");
        QVERIFY2(opened.constFirst() >= firstFailure && opened.constFirst() <= lastFailure + 1000,
            qPrintable(QStringLiteral("opened at %1 ms; failures from %2 to %3 ms")
                           .arg(opened.constFirst())
                           .arg(firstFailure)
                           .arg(lastFailure)));
    }
};

QTEST_GUILESS_MAIN(tst_NginxImport)
#include "tst_nginximport.moc"
