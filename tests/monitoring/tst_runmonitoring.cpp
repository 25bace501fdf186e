// The command lines: `breakwater run --speed N --metrics-port P` and the desktop app's
// --metrics-port, as real processes serving real HTTP on 127.0.0.1.

#include "commandrunner.h"
#include "monitoringtest.h"

#include <QRegularExpression>
#include <QTemporaryDir>

using namespace bw::test;

namespace {

QString binary()
{
    return qEnvironmentVariable("BREAKWATER_BINARY");
}

// Starts `arguments` and waits for the "monitoring on URL" line on stderr; empty URL on failure.
QUrl startMonitored(QProcess &p, const QStringList &arguments, const QProcessEnvironment &env = QProcessEnvironment::systemEnvironment())
{
    p.setProcessEnvironment(env);
    p.start(binary(), arguments);
    if (!p.waitForStarted(10000))
        return {};
    static const QRegularExpression url(QStringLiteral("monitoring on (http://127\\.0\\.0\\.1:\\d+)"));
    QByteArray err;
    for (int i = 0; i < 100; ++i) {
        p.waitForReadyRead(100);
        err += p.readAllStandardError();
        const QRegularExpressionMatch m = url.match(QString::fromUtf8(err));
        if (m.hasMatch())
            return QUrl(m.captured(1));
        if (p.state() != QProcess::Running)
            break;
    }
    qWarning("no monitoring line; stderr: %s", err.constData());
    return {};
}

} // namespace

class TestRunMonitoring : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void badInput_data()
    {
        QTest::addColumn<QStringList>("options");
        QTest::addColumn<QString>("message");
        QTest::newRow("port too large") << QStringList { QStringLiteral("--metrics-port"), QStringLiteral("70000") }
                                        << QStringLiteral("--metrics-port: expected a port number 0..65535, got '70000'");
        QTest::newRow("port not a number") << QStringList { QStringLiteral("--metrics-port"), QStringLiteral("http") }
                                           << QStringLiteral("--metrics-port: expected a port number");
        QTest::newRow("host not an address") << QStringList { QStringLiteral("--metrics-host"), QStringLiteral("example.org") }
                                             << QStringLiteral("--metrics-host: expected an IP address");
        QTest::newRow("speed below 1") << QStringList { QStringLiteral("--speed"), QStringLiteral("0.5") }
                                       << QStringLiteral("--speed: expected 1..1000 or max, got '0.5'");
        QTest::newRow("speed not a number") << QStringList { QStringLiteral("--speed"), QStringLiteral("fast") }
                                            << QStringLiteral("--speed: expected 1..1000 or max, got 'fast'");
    }
    void badInput()
    {
        QFETCH(QStringList, options);
        QFETCH(QString, message);
        const CommandResult r = runCommand(binary(),
            QStringList { QStringLiteral("run"), QStringLiteral("outage-and-recovery") } + options, QDir::tempPath());
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(r.err.contains(message.toUtf8()), r.err.constData());
        QVERIFY(r.out.isEmpty());
    }

    void portInUseIsAClearError()
    {
        QTcpServer taken;
        QVERIFY(taken.listen(QHostAddress::LocalHost, 0));
        const CommandResult r = runCommand(binary(),
            { QStringLiteral("run"), QStringLiteral("outage-and-recovery"), QStringLiteral("--metrics-port"),
                QString::number(taken.serverPort()) },
            QDir::tempPath());
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(r.err.contains("cannot listen on 127.0.0.1:" + QByteArray::number(taken.serverPort())), r.err.constData());
    }

    // Paced at 40 × real time, the 120 s scenario takes 3 s: scrape it while it runs. Pacing and
    // serving change nothing in the results.
    void pacedRunServesWhileRunningAndGivesTheSameSummary()
    {
        QTemporaryDir dir;
        const QString paced = dir.filePath(QStringLiteral("paced.json"));
        const QString plain = dir.filePath(QStringLiteral("plain.json"));
        QProcess p;
        const QUrl base = startMonitored(p,
            { QStringLiteral("run"), QStringLiteral("outage-and-recovery"), QStringLiteral("--speed"), QStringLiteral("40"),
                QStringLiteral("--metrics-port"), QStringLiteral("0"), QStringLiteral("--summary"), paced });
        QVERIFY(base.isValid());
        const HttpReply metrics = httpGet(base.resolved(QUrl(QStringLiteral("/metrics"))));
        const HttpReply health = httpGet(base.resolved(QUrl(QStringLiteral("/health"))));
        const bool stillRunning = p.state() == QProcess::Running;
        QVERIFY(p.waitForFinished(60000));
        QCOMPARE(p.exitCode(), 0);
        QVERIFY(stillRunning);
        QCOMPARE(metrics.status, 200);
        QVERIFY(metrics.body.contains("circuit_breaker_state{name=\"checkout\",state=\"closed\"}"));
        const auto [code, said] = promtoolCheck(metrics.body);
        QVERIFY2(code == 0, said.constData());
        QVERIFY(health.status == 200 || health.status == 503);
        QVERIFY(QJsonDocument::fromJson(health.body).object().contains(QStringLiteral("circuitBreakers")));

        const CommandResult r = runCommand(binary(),
            { QStringLiteral("run"), QStringLiteral("outage-and-recovery"), QStringLiteral("--summary"), plain },
            dir.path());
        QCOMPARE(r.exitCode, 0);
        QFile a(paced), b(plain);
        QVERIFY(a.open(QIODevice::ReadOnly) && b.open(QIODevice::ReadOnly));
        QCOMPARE(a.readAll(), b.readAll());
    }

    // Live edits replayed in a served run land where applyControls puts them: the same events.
    void servedRunReplaysControlsExactly()
    {
        QTemporaryDir dir;
        const QString controls = writeFile(dir.filePath(QStringLiteral("controls.jsonl")),
            R"({"t_ms":10000,"type":"control","action":"holdOpen","target":"checkout"})"
            "\n"
            R"({"t_ms":15000.5,"type":"control","action":"forceClose","target":"checkout"})"
            "\n");
        QByteArray events[2];
        for (int served = 0; served < 2; ++served) {
            const QString out = dir.filePath(QStringLiteral("events%1.jsonl").arg(served));
            QStringList arguments { QStringLiteral("run"), QStringLiteral("outage-and-recovery"),
                QStringLiteral("--controls"), controls, QStringLiteral("--events"), out, QStringLiteral("--summary"),
                dir.filePath(QStringLiteral("summary.json")) };
            if (served)
                arguments << QStringLiteral("--metrics-port") << QStringLiteral("0");
            const CommandResult r = runCommand(binary(), arguments, dir.path());
            QVERIFY2(r.exitCode == 0, r.err.constData());
            QFile f(out);
            QVERIFY(f.open(QIODevice::ReadOnly));
            events[served] = f.readAll();
        }
        QVERIFY(events[0].contains(R"("action":"holdOpen")"));
        QVERIFY(events[0] == events[1]);
    }

    // At 1 × real time the outage (at 30 s) is far off: the breaker is closed, the run healthy.
    void desktopAppServesItsRun()
    {
        if (!BREAKWATER_GUI)
            QSKIP("a headless build has no window");
        QTemporaryDir home;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("offscreen"));
        env.insert(QStringLiteral("HOME"), home.path()); // no saved settings from another session
        env.insert(QStringLiteral("XDG_CONFIG_HOME"), home.path());
        QProcess p;
        const QUrl base = startMonitored(p,
            { QStringLiteral("--scenario"), QStringLiteral("outage-and-recovery"), QStringLiteral("--speed"),
                QStringLiteral("1"), QStringLiteral("--metrics-port"), QStringLiteral("0") },
            env);
        QVERIFY(base.isValid());
        HttpReply metrics;
        QTRY_VERIFY_WITH_TIMEOUT((metrics = httpGet(base.resolved(QUrl(QStringLiteral("/metrics"))))).body.contains(
                                     "circuit_breaker_state{name=\"checkout\",state=\"closed\"} 1"),
            20000);
        QCOMPARE(httpGet(base.resolved(QUrl(QStringLiteral("/health")))).status, 200);
        const QList<QJsonObject> stream = readHystrixStream(base.port(), 700);
        QVERIFY(!stream.isEmpty());
        QCOMPARE(stream.first()[QStringLiteral("name")].toString(), QStringLiteral("checkout"));
        p.kill();
        p.waitForFinished(10000);
    }
};

QTEST_GUILESS_MAIN(TestRunMonitoring)
#include "tst_runmonitoring.moc"
