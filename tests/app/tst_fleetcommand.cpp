// `breakwater fleet` as a real process: against a real Prometheus scraping a paced `breakwater
// run --metrics-port`, against that run's own /hystrix.stream, and against servers on 127.0.0.1
// that are down or speak something else.
#include "fleet/fleetmodel.h"
#include "resilience/policyloader.h"
#include "resilience/policywriter.h"
#include "runtime/atomicfile.h"
#include "scenario/tracereader.h"

#include "commandrunner.h"
#include "fixtureserver.h"
#include "prometheusserver.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>

using namespace bw;
using namespace bw::test;

namespace {

QString binary()
{
    return qEnvironmentVariable("BREAKWATER_BINARY");
}

CommandResult fleet(const QStringList &arguments)
{
    return runCommand(binary(), QStringList { QStringLiteral("fleet") } + arguments, QDir::tempPath(), 60000);
}

// The breakers of a --json answer, by service/name.
QMap<QString, QJsonObject> breakers(const QByteArray &json)
{
    QMap<QString, QJsonObject> out;
    for (const QJsonValue &b : QJsonDocument::fromJson(json)[QStringLiteral("breakers")].toArray())
        out.insert(b[QStringLiteral("service")].toString() + u'/' + b[QStringLiteral("name")].toString(), b.toObject());
    return out;
}

QStringList list(std::initializer_list<const char *> items)
{
    QStringList out;
    for (const char *item : items)
        out.append(QString::fromUtf8(item));
    return out;
}

// An empty but valid answer to any instant query: a matrix for a range selector ("…[600s]").
FixtureReply emptyAnswer(const QByteArray &path)
{
    const QByteArray type = path.endsWith("%5D") ? "matrix" : "vector";
    return { FixtureReply::Behaviour::Answer, 200, "application/json",
        R"({"status":"success","data":{"resultType":")" + type + R"(","result":[]}})" };
}

} // namespace

class tst_FleetCommand : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void badUsage_data();
    void badUsage();
    void sourcesThatCannotBeRead_data();
    void sourcesThatCannotBeRead();
    void bearerTokenFromTheEnvironment();
    void tableAndJsonFromPrometheus();
    void watchRefreshes();
    void hystrixStreamOfTheRun();
    void twinReplays();

private:
    QProcess m_run;
    quint16 m_runPort = 0;
    qint64 m_runStartedMs = 0;
    std::unique_ptr<PrometheusServer> m_prometheus;
};

void tst_FleetCommand::initTestCase()
{
    QTcpServer probe;
    QVERIFY(probe.listen(QHostAddress::LocalHost, 0));
    m_runPort = probe.serverPort();
    probe.close();
    // outage-and-recovery at 5 × real time: 24 s, the breaker open from about 6 s to 10 s.
    m_run.start(binary(), { QStringLiteral("run"), QStringLiteral("outage-and-recovery"), QStringLiteral("--speed"),
                              QStringLiteral("5"), QStringLiteral("--metrics-port"), QString::number(m_runPort) });
    QVERIFY(m_run.waitForStarted(10000));
    m_runStartedMs = QDateTime::currentMSecsSinceEpoch();
    m_prometheus = std::make_unique<PrometheusServer>(
        QList<PrometheusServer::Job> { { QStringLiteral("lab"), { QStringLiteral("127.0.0.1:") + QString::number(m_runPort) } } });
    QVERIFY2(m_prometheus->waitReady(), qPrintable(m_prometheus->error()));
}

void tst_FleetCommand::cleanupTestCase()
{
    if (m_run.state() != QProcess::NotRunning) {
        m_run.kill();
        m_run.waitForFinished();
    }
    m_prometheus.reset();
}

void tst_FleetCommand::badUsage_data()
{
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<QString>("message");
    QTest::addRow("no source") << QStringList {} << "give at least one --prometheus URL or --hystrix URL";
    QTest::addRow("not a URL") << list({ "--prometheus", "127.0.0.1:9090" })
                               << "--prometheus: expected an http:// or https:// URL, got '127.0.0.1:9090'";
    QTest::addRow("bad interval") << list({ "--prometheus", "http://127.0.0.1:1", "--watch", "--interval", "soon" })
                                  << "--interval: expected a duration such as 60s or 60000ms, got 'soon'";
    QTest::addRow("interval without watch") << list({ "--prometheus", "http://127.0.0.1:1", "--interval", "1s" })
                                            << "--interval needs --watch";
    QTest::addRow("twin without out") << list({ "--prometheus", "http://127.0.0.1:1", "--twin", "lab/checkout" })
                                      << "--twin needs --out DIR";
    QTest::addRow("twin target") << list({ "--prometheus", "http://127.0.0.1:1", "--twin", "checkout", "--out", "x" })
                                 << "--twin: expected SERVICE/NAME or SERVICE/NAME@INSTANCE, got 'checkout'";
    QTest::addRow("twin from hystrix") << list({ "--hystrix", "http://127.0.0.1:1", "--twin", "a/b", "--out", "x" })
                                       << "--twin reads one --prometheus";
    QTest::addRow("token unset") << list({ "--prometheus", "http://127.0.0.1:1", "--token-env", "BREAKWATER_NO_SUCH_TOKEN" })
                                 << "the environment variable BREAKWATER_NO_SUCH_TOKEN holds no token";
    QTest::addRow("token file missing") << list({ "--prometheus", "http://127.0.0.1:1", "--token-file", "/nonexistent/token" })
                                        << "/nonexistent/token: ";
}

void tst_FleetCommand::badUsage()
{
    QFETCH(QStringList, arguments);
    QFETCH(QString, message);
    const CommandResult r = fleet(arguments);
    QCOMPARE(r.exitCode, 2);
    QVERIFY2(r.err.contains(message.toUtf8()), r.err.constData());
    QVERIFY(r.out.isEmpty());
}

// Down, silent, not Prometheus: status 2 with the reason, within the timeout, whatever else
// answered.
void tst_FleetCommand::sourcesThatCannotBeRead_data()
{
    QTest::addColumn<int>("behaviour");
    QTest::addColumn<QString>("message");
    QTest::addRow("down") << 0 << "cannot reach it: Connection refused";
    QTest::addRow("silent") << 1 << "no complete answer within 1 s";
    QTest::addRow("a web page") << 2 << "not a Prometheus API answer";
    QTest::addRow("not found") << 3 << "HTTP 404: no Prometheus HTTP API here";
}

void tst_FleetCommand::sourcesThatCannotBeRead()
{
    QFETCH(int, behaviour);
    QFETCH(QString, message);
    FixtureServer bad([behaviour](const QByteArray &) {
        switch (behaviour) {
        case 1:
            return FixtureReply { FixtureReply::Behaviour::Silent };
        case 2:
            return FixtureReply { FixtureReply::Behaviour::Answer, 200, "text/html", "<html><body>Grafana</body></html>" };
        default:
            return FixtureReply { FixtureReply::Behaviour::Answer, 404, "text/plain", "not found" };
        }
    });
    FixtureServer good(emptyAnswer);
    QString url = bad.url();
    if (behaviour == 0) {
        QTcpServer probe; // a port nobody listens on
        QVERIFY(probe.listen(QHostAddress::LocalHost, 0));
        url = QStringLiteral("http://127.0.0.1:") + QString::number(probe.serverPort());
    }
    // The fixtures answer from this thread's event loop, so the command runs while it spins.
    QProcess p;
    p.start(binary(), { QStringLiteral("fleet"), QStringLiteral("--timeout"), QStringLiteral("1s"), QStringLiteral("--prometheus"),
                          good.url(), QStringLiteral("--prometheus"), url, QStringLiteral("--json") });
    QTRY_VERIFY_WITH_TIMEOUT(p.state() == QProcess::NotRunning, 20000);
    const QByteArray err = p.readAllStandardError();
    QCOMPARE(p.exitCode(), 2);
    QVERIFY2(err.contains(message.toUtf8()), err.constData());
    QVERIFY2(err.startsWith("breakwater fleet: " + url.toUtf8()), err.constData());
    // The source that answered is in the JSON's sources, reachable.
    const QJsonArray sources = QJsonDocument::fromJson(p.readAllStandardOutput())[QStringLiteral("sources")].toArray();
    if (!sources.isEmpty()) {
        QCOMPARE(sources.size(), 2);
        QVERIFY(sources[0][QStringLiteral("reachable")].toBool());
        QVERIFY(!sources[1][QStringLiteral("reachable")].toBool());
    }
}

void tst_FleetCommand::bearerTokenFromTheEnvironment()
{
    FixtureServer prometheus(emptyAnswer);
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("FLEET_TEST_TOKEN"), QStringLiteral("s3cret-token"));
    QProcess p;
    p.setProcessEnvironment(env);
    p.start(binary(), { QStringLiteral("fleet"), QStringLiteral("--prometheus"), prometheus.url(), QStringLiteral("--token-env"),
                          QStringLiteral("FLEET_TEST_TOKEN") });
    QTRY_VERIFY_WITH_TIMEOUT(p.state() == QProcess::NotRunning, 20000);
    QCOMPARE(p.exitCode(), 0);
    QVERIFY2(prometheus.lastHead().contains("Authorization: Bearer s3cret-token"), prometheus.lastHead().constData());
    QVERIFY(prometheus.requests() > 0);
}

void tst_FleetCommand::tableAndJsonFromPrometheus()
{
    QMap<QString, QJsonObject> found;
    const auto read = [&] {
        const CommandResult r = fleet({ QStringLiteral("--prometheus"), m_prometheus->url(), QStringLiteral("--rate-window"),
            QStringLiteral("5s"), QStringLiteral("--json") });
        found = breakers(r.out);
        return r.exitCode == 0 && found.contains(QStringLiteral("lab/checkout"))
            && found[QStringLiteral("lab/checkout")][QStringLiteral("callsPerSecond")].toDouble() > 0;
    };
    QTRY_VERIFY_WITH_TIMEOUT(read(), 30000);
    const QJsonObject b = found[QStringLiteral("lab/checkout")];
    QCOMPARE(b[QStringLiteral("source")].toString(), m_prometheus->url());
    QCOMPARE(b[QStringLiteral("library")].toString(), QStringLiteral("breakwater"));
    QCOMPARE(b[QStringLiteral("instance")].toString(), QStringLiteral("127.0.0.1:") + QString::number(m_runPort));
    QVERIFY(list({ "CLOSED", "OPEN", "HALF_OPEN" }).contains(b[QStringLiteral("state")].toString()));
    QVERIFY(b[QStringLiteral("failureRatePercent")].isDouble());
    QVERIFY(b[QStringLiteral("slowCallRatePercent")].isNull()); // Breakwater exports none

    const CommandResult table = fleet({ QStringLiteral("--prometheus"), m_prometheus->url(), QStringLiteral("--rate-window"), QStringLiteral("5s") });
    QCOMPARE(table.exitCode, 0);
    const QList<QByteArray> lines = table.out.trimmed().split('\n');
    QVERIFY2(lines.size() == 2, table.out.constData());
    QVERIFY(lines[0].startsWith("SOURCE"));
    QVERIFY(lines[0].contains("STATE") && lines[0].contains("CALLS/S") && lines[0].contains("REJECTED/S"));
    QVERIFY(lines[1].contains(" lab ") && lines[1].contains(" checkout ") && lines[1].contains(" breakwater "));

    const CommandResult merged = fleet({ QStringLiteral("--prometheus"), m_prometheus->url(), QStringLiteral("--merge-replicas") });
    QCOMPARE(merged.exitCode, 0);
    QVERIFY2(merged.out.contains("1 replica "), merged.out.constData());
}

void tst_FleetCommand::watchRefreshes()
{
    const CommandResult r = fleet({ QStringLiteral("--prometheus"), m_prometheus->url(), QStringLiteral("--watch"),
        QStringLiteral("--interval"), QStringLiteral("300ms"), QStringLiteral("--count"), QStringLiteral("3") });
    QCOMPARE(r.exitCode, 0);
    QCOMPARE(r.out.count("breakwater fleet: "), 3);
    QCOMPARE(r.out.count(m_prometheus->url().toUtf8() + ": "), 3); // each frame says how each source is
    QVERIFY(!r.out.contains("\x1b[")); // no terminal codes into a pipe
}

void tst_FleetCommand::hystrixStreamOfTheRun()
{
    const QString stream = QStringLiteral("http://127.0.0.1:%1/hystrix.stream").arg(m_runPort);
    const CommandResult r = fleet({ QStringLiteral("--hystrix"), stream, QStringLiteral("--json") });
    QCOMPARE(r.exitCode, 0);
    const QMap<QString, QJsonObject> found = breakers(r.out);
    QVERIFY2(found.contains(QStringLiteral("breakwater/checkout")), r.out.constData());
    QCOMPARE(found[QStringLiteral("breakwater/checkout")][QStringLiteral("library")].toString(), QStringLiteral("hystrix"));

    // Its /metrics is no Hystrix stream.
    const CommandResult wrong = fleet({ QStringLiteral("--hystrix"), QStringLiteral("http://127.0.0.1:%1/metrics").arg(m_runPort) });
    QCOMPARE(wrong.exitCode, 2);
    QVERIFY2(wrong.err.contains("not a Hystrix stream (Content-Type: text/plain"), wrong.err.constData());
}

// The run's history as a twin: a trace the replay reads, with the calls the run made, and a
// policy it loads.
void tst_FleetCommand::twinReplays()
{
    // Past the outage (6 s to 10 s of the run).
    QTRY_VERIFY_WITH_TIMEOUT(QDateTime::currentMSecsSinceEpoch() - m_runStartedMs > 11000, 20000);
    QTemporaryDir dir;
    const QString from = QString::number(double(m_runStartedMs) / 1000.0, 'f', 3);
    const CommandResult r = fleet({ QStringLiteral("--prometheus"), m_prometheus->url(), QStringLiteral("--twin"),
        QStringLiteral("lab/checkout"), QStringLiteral("--from"), from, QStringLiteral("--step"), QStringLiteral("1s"),
        QStringLiteral("--rate-window"), QStringLiteral("2s"), QStringLiteral("--out"), dir.path() });
    QVERIFY2(r.exitCode == 0, r.err.constData());
    QVERIFY2(r.err.contains("replay it:   breakwater replay "), r.err.constData());
    LoadError error;
    const std::optional<Trace> trace = TraceReader::loadFile(dir.filePath(QStringLiteral("trace.csv")), &error);
    QVERIFY2(trace, qPrintable(error.toString()));
    QVERIFY2(trace->rows.size() > 50, qPrintable(QString::number(trace->rows.size())));
    QVERIFY(std::any_of(trace->rows.begin(), trace->rows.end(), [](const TraceRow &row) { return !row.success; }));
    const std::optional<PolicyConfig> policy = loadPolicyFile(dir.filePath(QStringLiteral("policy.json")), &error);
    QVERIFY2(policy, qPrintable(error.toString()));
    QVERIFY(policy->circuitBreaker);
    QCOMPARE(policy->circuitBreaker->failureThreshold, 5); // Breakwater's own default breaker

    const CommandResult replay = runCommand(binary(),
        { QStringLiteral("replay"), dir.filePath(QStringLiteral("trace.csv")), QStringLiteral("--policy"),
            dir.filePath(QStringLiteral("policy.json")) },
        dir.path());
    QVERIFY2(replay.exitCode == 0, replay.err.constData());

    // The scenario the twin wrote: compare and sweep other thresholds on that very history.
    QVERIFY2(r.err.contains("compare:     breakwater compare " + dir.filePath(QStringLiteral("scenario.json")).toUtf8()
                 + " --candidate known=" + dir.filePath(QStringLiteral("policy.json")).toUtf8()),
        r.err.constData());
    QVERIFY2(r.err.contains("sweep:       breakwater sweep "), r.err.constData());
    PolicyConfig other = *policy;
    other.circuitBreaker->failureThreshold = 10;
    QString written;
    QVERIFY(writeFileAtomically(dir.filePath(QStringLiteral("other.json")), QJsonDocument(policyToJson(other)).toJson(), &written));
    const CommandResult compare = runCommand(binary(),
        { QStringLiteral("compare"), dir.filePath(QStringLiteral("scenario.json")), QStringLiteral("--candidate"),
            QStringLiteral("known=") + dir.filePath(QStringLiteral("policy.json")), QStringLiteral("--candidate"),
            QStringLiteral("other=") + dir.filePath(QStringLiteral("other.json")), QStringLiteral("--seeds"), QStringLiteral("2") },
        dir.path());
    QVERIFY2(compare.exitCode == 0, compare.err.constData());
    QVERIFY2(compare.out.startsWith("twin of lab/checkout"), compare.out.constData());
    QVERIFY2(compare.out.contains("the same figures on each"), compare.out.constData());
    QVERIFY2(compare.out.contains(QByteArray::number(qsizetype(trace->rows.size()))), compare.out.constData()); // offered
    const CommandResult sweep = runCommand(binary(),
        { QStringLiteral("sweep"), dir.filePath(QStringLiteral("scenario.json")), QStringLiteral("--vary"),
            QStringLiteral("circuitBreaker.failureThreshold=2,5,10") },
        dir.path());
    QVERIFY2(sweep.exitCode == 0, sweep.err.constData());
    QVERIFY2(sweep.out.contains("Best by success: circuitBreaker.failureThreshold="), sweep.out.constData());

    const CommandResult missing = fleet({ QStringLiteral("--prometheus"), m_prometheus->url(), QStringLiteral("--twin"),
        QStringLiteral("lab/nothing"), QStringLiteral("--from"), from, QStringLiteral("--step"), QStringLiteral("1s"),
        QStringLiteral("--out"), dir.path() });
    QCOMPARE(missing.exitCode, 2);
    QVERIFY2(missing.err.contains("no breaker lab/nothing in that range; the breakers are: lab/checkout@127.0.0.1:"),
        missing.err.constData());
}

QTEST_GUILESS_MAIN(tst_FleetCommand)
#include "tst_fleetcommand.moc"
