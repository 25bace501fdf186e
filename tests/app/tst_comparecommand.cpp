#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>

#include "commandrunner.h"

namespace {

// 10 calls a second at exact instants, 10 ms each, an outage from 10.05 s to 20.05 s: the
// figures are worked out by hand in tests/engine/tst_candidate.cpp.
const QByteArray Scenario = R"({"name": "outage", "durationMs": 40000, "seed": 3,
  "services": [{"name": "backend", "capacity": 100, "latency": 10}],
  "operations": [{"name": "calls", "service": "backend", "rate": 10, "arrival": "constant", "policy": "api"}],
  "faults": [{"service": "backend", "type": "outage", "atMs": 10050, "untilMs": 20050}]})";

const QString Bare = QStringLiteral("bare={}");
const QString Breaker = QStringLiteral(
    R"(breaker={"circuitBreaker": {"failureThreshold": 5, "resetTimeout": 5050, "successThreshold": 1}})");
const QString Retry = QStringLiteral(
    R"(retry={"retry": {"maxAttempts": 3, "initialDelay": 100, "backoffMultiplier": 1, "jitter": false}})");

} // namespace

// Runs the real `breakwater compare` (BREAKWATER_BINARY, set by ctest).
class tst_CompareCommand : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void tableAndJson();
    void sameInputSameBytes();
    void seedsGiveIntervalsAndPairs();
    void csvRows();
    void badInput_data();
    void badInput();
    void unwritableOutputLeavesNothing();

private:
    using Result = bw::test::CommandResult;
    Result run(const QStringList &arguments);
    static QJsonObject parse(const QByteArray &json);

    QString m_binary;
    QString m_scenario;
    QTemporaryDir m_dir;
};

void tst_CompareCommand::initTestCase()
{
    m_binary = qEnvironmentVariable("BREAKWATER_BINARY");
    if (m_binary.isEmpty())
        QSKIP("BREAKWATER_BINARY is set by ctest");
    QVERIFY2(QFile::exists(m_binary), qPrintable(m_binary));
    QVERIFY(m_dir.isValid());
    m_scenario = bw::test::writeFile(m_dir.filePath(QStringLiteral("outage.json")), Scenario);
}

tst_CompareCommand::Result tst_CompareCommand::run(const QStringList &arguments)
{
    return bw::test::runCommand(m_binary, QStringList { QStringLiteral("compare") } + arguments, m_dir.path());
}

QJsonObject tst_CompareCommand::parse(const QByteArray &json)
{
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(json, &error);
    if (error.error != QJsonParseError::NoError)
        qWarning() << "not JSON:" << error.errorString();
    return doc.object();
}

void tst_CompareCommand::tableAndJson()
{
    const QString out = m_dir.filePath(QStringLiteral("compare.json"));
    const Result r = run({ m_scenario, QStringLiteral("--candidate"), Bare, QStringLiteral("--candidate"), Breaker,
        QStringLiteral("-c"), Retry, QStringLiteral("--json"), out });
    QVERIFY2(r.exitCode == 0, r.err.constData());
    const QString table = QString::fromUtf8(r.out);
    QVERIFY2(table.startsWith(QStringLiteral("outage: 3 candidates for every operation, seed 3\n")), r.out.constData());
    // The retry policy wins on success rate: 301 of 399 calls, against 299 and 293.
    QVERIFY2(table.contains(QStringLiteral("success rate")), r.out.constData());
    QVERIFY2(table.contains(QStringLiteral("75.44 % *")), r.out.constData());
    QVERIFY2(table.contains(QStringLiteral("Verdict: retry: the highest success rate, 75.44 % (next: bare, 74.94 %).")),
        r.out.constData());
    QVERIFY(table.contains(QStringLiteral("failed: circuit_open")));
    QVERIFY(!table.contains(QStringLiteral("failed: bulkhead_full"))); // 0 for every candidate: no row

    QFile file(out);
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QJsonObject json = parse(file.readAll());
    QCOMPARE(json.value(QStringLiteral("scenario")).toString(), QStringLiteral("outage"));
    QCOMPARE(json.value(QStringLiteral("seeds")).toArray(), QJsonArray { 3 });
    const QJsonArray candidates = json.value(QStringLiteral("candidates")).toArray();
    QCOMPARE(candidates.size(), 3);
    const QJsonObject bare = candidates[0].toObject(), breaker = candidates[1].toObject(), retry = candidates[2].toObject();
    QCOMPARE(bare.value(QStringLiteral("name")).toString(), QStringLiteral("bare"));
    QCOMPARE(bare.value(QStringLiteral("successRate")).toDouble(), std::round(299.0 / 399.0 * 1e6) / 1e6);
    QCOMPARE(retry.value(QStringLiteral("amplification")).toDouble(), std::round(598.0 / 399.0 * 1e6) / 1e6);
    // 98 calls of the retry policy fail three times, 100 ms apart: 200 ms, a quarter of the calls.
    QCOMPARE(retry.value(QStringLiteral("p99Ms")).toDouble(), 200.0);
    QCOMPARE(bare.value(QStringLiteral("p99Ms")).toDouble(), 10.0);
    QCOMPARE(breaker.value(QStringLiteral("timeInOpenMs")).toDouble(), 10100.0);
    QCOMPARE(breaker.value(QStringLiteral("flaps")).toDouble(), 2.0);
    QCOMPARE(breaker.value(QStringLiteral("failed")).toObject().value(QStringLiteral("circuit_open")).toDouble(), 100.0);
    for (const QJsonValue &c : candidates) {
        const QJsonObject o = c.toObject();
        QCOMPARE(o.value(QStringLiteral("recoveryMs")).toDouble(), 950.0);
        QCOMPARE(o.value(QStringLiteral("wastedRequests")).toDouble(), 0.0);
        QVERIFY(o.value(QStringLiteral("policy")).isObject());
        const QJsonObject calls = o.value(QStringLiteral("operations")).toObject().value(QStringLiteral("calls")).toObject();
        QCOMPARE(calls.value(QStringLiteral("successRate")), o.value(QStringLiteral("successRate")));
        QVERIFY(o.value(QStringLiteral("services")).toObject().contains(QStringLiteral("backend")));
    }
    QCOMPARE(json.value(QStringLiteral("best")).toObject().value(QStringLiteral("successRate")).toArray(),
        QJsonArray { QStringLiteral("retry") });
    QVERIFY(json.value(QStringLiteral("verdict")).toString().startsWith(QStringLiteral("retry: ")));
    QVERIFY(!json.contains(QStringLiteral("pairs"))); // one seed: no interval to give
}

void tst_CompareCommand::sameInputSameBytes()
{
    QByteArray outputs[2], jsons[2];
    for (int i = 0; i < 2; ++i) {
        const QString out = m_dir.filePath(QStringLiteral("same%1.json").arg(i));
        const Result r = run({ m_scenario, QStringLiteral("-c"), QStringLiteral("api=api"), QStringLiteral("-c"),
            QStringLiteral(R"(jittery={"retry": {"maxAttempts": 3, "initialDelay": 100, "jitter": true}})"),
            QStringLiteral("--seeds"), QStringLiteral("2"), QStringLiteral("--json"), out });
        QVERIFY2(r.exitCode == 0, r.err.constData());
        outputs[i] = r.out;
        QFile file(out);
        QVERIFY(file.open(QIODevice::ReadOnly));
        jsons[i] = file.readAll();
    }
    QCOMPARE(outputs[0], outputs[1]);
    QCOMPARE(jsons[0], jsons[1]);
}

void tst_CompareCommand::seedsGiveIntervalsAndPairs()
{
    const QString out = m_dir.filePath(QStringLiteral("seeds.json"));
    const Result r = run({ m_scenario, QStringLiteral("-c"), Bare, QStringLiteral("-c"), Retry, QStringLiteral("--seeds"),
        QStringLiteral("3"), QStringLiteral("--seed"), QStringLiteral("100"), QStringLiteral("--json"), out });
    QVERIFY2(r.exitCode == 0, r.err.constData());
    QVERIFY2(r.out.contains("seeds 100 to 102 (mean ± 95 % interval)"), r.out.constData());
    QVERIFY2(r.out.contains("Paired differences"), r.out.constData());
    // Constant arrivals and fixed latencies: every seed gives the same figures, so each
    // difference is exact and its interval has no width.
    QVERIFY2(r.out.contains("bare − retry: -0.50 pp [-0.50, -0.50]  retry better"), r.out.constData());
    QFile file(out);
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QJsonObject json = parse(file.readAll());
    QCOMPARE(json.value(QStringLiteral("seeds")).toArray(), (QJsonArray { 100, 101, 102 }));
    const QJsonArray pairs = json.value(QStringLiteral("pairs")).toArray();
    QCOMPARE(pairs.size(), 1);
    const QJsonObject success = pairs[0].toObject().value(QStringLiteral("successRate")).toObject();
    QCOMPARE(success.value(QStringLiteral("mean")).toDouble(), std::round((299.0 - 301.0) / 399.0 * 1e6) / 1e6);
    QCOMPARE(success.value(QStringLiteral("low")), success.value(QStringLiteral("mean")));
    const QJsonObject bare = json.value(QStringLiteral("candidates")).toArray()[0].toObject();
    QCOMPARE(bare.value(QStringLiteral("intervals")).toObject().value(QStringLiteral("successRate")).toArray().size(), 2);
}

void tst_CompareCommand::csvRows()
{
    const QString out = m_dir.filePath(QStringLiteral("compare.csv"));
    const Result r = run({ m_scenario, QStringLiteral("-c"), Bare, QStringLiteral("-c"), Retry, QStringLiteral("--seeds"),
        QStringLiteral("2"), QStringLiteral("--csv"), out });
    QVERIFY2(r.exitCode == 0, r.err.constData());
    QFile file(out);
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QList<QByteArray> lines = file.readAll().trimmed().split('\n');
    QCOMPARE(lines.size(), 1 + 2 * 2 * 2); // header; candidates × seeds × (the operation, the total)
    QCOMPARE(lines[0],
        QByteArray("candidate,seed,operation,offered,successRate,failure,timeout,circuit_open,bulkhead_full,"
                   "bulkhead_timeout,rate_limited,throttled,cancelled,p50Ms,p99Ms,amplification,timeInOpenMs,flaps,recoveryMs,peakLoad,"
                   "wastedRequests"));
    QVERIFY2(lines[1].startsWith("bare,3,calls,399,"), lines[1].constData());
    QVERIFY2(lines[2].startsWith("bare,3,total,399,"), lines[2].constData());
    QVERIFY2(lines[8].startsWith("retry,4,total,399,"), lines[8].constData());
}

void tst_CompareCommand::badInput_data()
{
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<QString>("message");
    const QString scenario = QStringLiteral("SCENARIO");
    QTest::addRow("one candidate") << QStringList { scenario, QStringLiteral("-c"), Bare }
                                   << QStringLiteral("expected 2 to 8 candidates (--candidate NAME=POLICY), got 1");
    QStringList nine { scenario };
    for (int i = 0; i < 9; ++i)
        nine << QStringLiteral("-c") << QStringLiteral("c%1=api").arg(i);
    QTest::addRow("nine candidates") << nine << QStringLiteral("expected 2 to 8 candidates (--candidate NAME=POLICY), got 9");
    QTest::addRow("same name twice") << QStringList { scenario, QStringLiteral("-c"), Bare, QStringLiteral("-c"),
        QStringLiteral("bare=api") } << QStringLiteral("--candidate: the name 'bare' is given twice");
    QTest::addRow("no policy") << QStringList { scenario, QStringLiteral("-c"), Bare, QStringLiteral("-c"),
        QStringLiteral("api") } << QStringLiteral("--candidate: expected NAME=POLICY, got 'api'");
    QTest::addRow("unknown preset") << QStringList { scenario, QStringLiteral("-c"), Bare, QStringLiteral("-c"),
        QStringLiteral("x=apii") } << QStringLiteral("breakwater compare: --candidate x: apii: no such file, and not a "
                                                     "preset name; did you mean 'api'?");
    QTest::addRow("bad inline JSON") << QStringList { scenario, QStringLiteral("-c"), Bare, QStringLiteral("-c"),
        QStringLiteral(R"(x={"retry": {"maxAttempt": 2}})") }
                                     << QStringLiteral("retry.maxAttempt: unknown key; did you mean 'maxAttempts'?");
    QTest::addRow("unknown operation") << QStringList { scenario, QStringLiteral("-c"), Bare, QStringLiteral("-c"),
        QStringLiteral("x=api"), QStringLiteral("--operation"), QStringLiteral("call") }
                                       << QStringLiteral("breakwater compare: --operation: unknown operation 'call'; "
                                                         "did you mean 'calls'?");
    QTest::addRow("no seeds") << QStringList { scenario, QStringLiteral("-c"), Bare, QStringLiteral("-c"),
        QStringLiteral("x=api"), QStringLiteral("--seeds"), QStringLiteral("0") }
                              << QStringLiteral("--seeds: expected a number of seeds from 1 to 1000, got '0'");
    QTest::addRow("unknown scenario") << QStringList { QStringLiteral("retry-strom"), QStringLiteral("-c"), Bare,
        QStringLiteral("-c"), QStringLiteral("x=api") } << QStringLiteral("did you mean 'retry-storm'?");
}

void tst_CompareCommand::badInput()
{
    QFETCH(QStringList, arguments);
    QFETCH(QString, message);
    arguments.replaceInStrings(QStringLiteral("SCENARIO"), m_scenario);
    const Result r = run(arguments);
    QCOMPARE(r.exitCode, 2);
    QVERIFY2(QString::fromUtf8(r.err).contains(message), r.err.constData());
    QVERIFY(r.out.isEmpty());
}

void tst_CompareCommand::unwritableOutputLeavesNothing()
{
    const QString out = m_dir.filePath(QStringLiteral("missing/compare.json"));
    const Result r = run({ m_scenario, QStringLiteral("-c"), Bare, QStringLiteral("-c"), Retry, QStringLiteral("--json"), out });
    QCOMPARE(r.exitCode, 2);
    QVERIFY2(r.err.contains("cannot write"), r.err.constData());
    QVERIFY(r.out.isEmpty()); // it failed before running anything
    QVERIFY(!QFile::exists(out));
}

QTEST_GUILESS_MAIN(tst_CompareCommand)
#include "tst_comparecommand.moc"
