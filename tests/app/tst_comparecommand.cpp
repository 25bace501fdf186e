#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>

#include "commandrunner.h"
#include "reportpage.h"

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
    void sameBytesWhateverJobs();
    void seedsGiveIntervalsAndPairs();
    void traceScenarioIsTheSameOnEverySeed();
    void csvRows();
    void badInput_data();
    void badInput();
    void unwritableOutputLeavesNothing();
    void htmlReport();

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

// The runs go in parallel (--jobs) and finish in any order; each has its own slot, so the table,
// the JSON and the CSV are the same bytes on one thread as on several. Three candidates of unlike
// cost on three seeds: nine runs, which three threads do not take in step.
void tst_CompareCommand::sameBytesWhateverJobs()
{
    const QStringList jobs { QStringLiteral("1"), QStringLiteral("3") };
    QByteArray outputs[2], jsons[2], csvs[2];
    for (int i = 0; i < 2; ++i) {
        const QString json = m_dir.filePath(QStringLiteral("jobs%1.json").arg(i));
        const QString csv = m_dir.filePath(QStringLiteral("jobs%1.csv").arg(i));
        const Result r = run({ m_scenario, QStringLiteral("-c"), QStringLiteral("api=api"), QStringLiteral("-c"),
            QStringLiteral(R"(jittery={"retry": {"maxAttempts": 3, "initialDelay": 100, "jitter": true}})"),
            QStringLiteral("-c"), Bare, QStringLiteral("--seeds"), QStringLiteral("3"), QStringLiteral("--jobs"), jobs[i],
            QStringLiteral("--json"), json, QStringLiteral("--csv"), csv });
        QVERIFY2(r.exitCode == 0, r.err.constData());
        outputs[i] = r.out;
        for (auto [path, contents] : { std::pair { json, &jsons[i] }, std::pair { csv, &csvs[i] } }) {
            QFile file(path);
            QVERIFY(file.open(QIODevice::ReadOnly));
            *contents = file.readAll();
        }
    }
    QVERIFY(!outputs[0].isEmpty());
    QCOMPARE(outputs[1], outputs[0]);
    QCOMPARE(jsons[1], jsons[0]);
    QCOMPARE(csvs[1], csvs[0]);
}

void tst_CompareCommand::seedsGiveIntervalsAndPairs()
{
    // Poisson arrivals: each seed brings other traffic, so the figures have intervals.
    const QString poisson = bw::test::writeFile(m_dir.filePath(QStringLiteral("outage-poisson.json")),
        QByteArray(Scenario).replace("\"constant\"", "\"poisson\""));
    const QString out = m_dir.filePath(QStringLiteral("seeds.json"));
    const Result r = run({ poisson, QStringLiteral("-c"), Bare, QStringLiteral("-c"), Retry, QStringLiteral("--seeds"),
        QStringLiteral("3"), QStringLiteral("--seed"), QStringLiteral("100"), QStringLiteral("--json"), out });
    QVERIFY2(r.exitCode == 0, r.err.constData());
    QVERIFY2(r.out.contains("seeds 100 to 102 (mean ± 95 % interval)"), r.out.constData());
    QVERIFY2(r.out.contains("Paired differences"), r.out.constData());
    QVERIFY2(QString::fromUtf8(r.out).contains(QRegularExpression(QStringLiteral("bare − retry: -\\d+\\.\\d\\d pp \\[-\\d"))), r.out.constData());
    QFile file(out);
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QJsonObject json = parse(file.readAll());
    QCOMPARE(json.value(QStringLiteral("seeds")).toArray(), (QJsonArray { 100, 101, 102 }));
    QVERIFY(!json.contains(QStringLiteral("sameOnEverySeed")));
    const QJsonArray pairs = json.value(QStringLiteral("pairs")).toArray();
    QCOMPARE(pairs.size(), 1);
    const QJsonObject success = pairs[0].toObject().value(QStringLiteral("successRate")).toObject();
    QVERIFY(success.value(QStringLiteral("low")).toDouble() < success.value(QStringLiteral("high")).toDouble());
    const QJsonObject bare = json.value(QStringLiteral("candidates")).toArray()[0].toObject();
    QCOMPARE(bare.value(QStringLiteral("intervals")).toObject().value(QStringLiteral("successRate")).toArray().size(), 2);

    // Constant arrivals and fixed latencies: every seed gives the same figures, which are then
    // exact: an interval or a paired difference would have no width and say nothing.
    const Result exact = run({ m_scenario, QStringLiteral("-c"), Bare, QStringLiteral("-c"), Retry, QStringLiteral("--seeds"),
        QStringLiteral("3"), QStringLiteral("--seed"), QStringLiteral("100") });
    QVERIFY2(exact.exitCode == 0, exact.err.constData());
    QVERIFY2(exact.out.contains("seeds 100 to 102, the same figures on each"), exact.out.constData());
    QVERIFY(!exact.out.contains("Paired differences"));
}

// A scenario whose operation replays a trace (rows 100 ms apart, a burst of failures from 2 s to
// 4 s) and candidates without jitter: nothing draws on the seed, so three seeds give the same
// figures, printed exact, without intervals or paired differences, and equal to one seed's.
void tst_CompareCommand::traceScenarioIsTheSameOnEverySeed()
{
    QByteArray csv = "start_ms,duration_ms,outcome,code\n";
    for (int i = 0; i < 100; ++i)
        csv += QByteArray::number(i * 100) + (i >= 20 && i < 40 ? ",20,failure,503\n" : ",20,success,\n");
    bw::test::writeFile(m_dir.filePath(QStringLiteral("burst.csv")), csv);
    const QString scenario = bw::test::writeFile(m_dir.filePath(QStringLiteral("twin.json")),
        R"({"name": "twin", "operations": [{"name": "calls", "arrival": "trace", "trace": "burst.csv"}]})");
    const QString five = QStringLiteral(R"(five={"circuitBreaker": {"failureThreshold": 5, "resetTimeout": 1000}})");
    const QString ten = QStringLiteral(R"(ten={"circuitBreaker": {"failureThreshold": 10, "resetTimeout": 1000}})");
    const QString json = m_dir.filePath(QStringLiteral("twin-compare.json"));
    const Result three = run({ scenario, QStringLiteral("-c"), five, QStringLiteral("-c"), ten, QStringLiteral("--seeds"),
        QStringLiteral("3"), QStringLiteral("--json"), json });
    QVERIFY2(three.exitCode == 0, three.err.constData());
    QVERIFY2(three.out.contains("seeds 1 to 3, the same figures on each"), three.out.constData());
    QVERIFY(!three.out.contains("±"));
    QVERIFY(!three.out.contains("Paired differences"));
    QVERIFY(!three.out.contains("peak load")); // the recorded backend has no capacity to load
    // Five failures open the breaker at 2.42 s for 1 s; its trial at 3.5 s fails and opens it for
    // another second: 6 calls failed, 20 refused. Ten failures open it at 2.92 s; the trial at
    // 4 s finds the burst over: 10 failed, 10 refused, and the higher threshold wins here.
    QVERIFY2(QString::fromUtf8(three.out).contains(QRegularExpression(
                 QStringLiteral("failed: failure\\s+five\\s+ten\\s+calls\\s+6 \\*\\s+10\\s+failed: circuit_open\\s+five\\s+ten\\s+"
                                "calls\\s+20\\s+10 \\*"))),
        three.out.constData());
    QFile file(json);
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QJsonObject root = parse(file.readAll());
    QCOMPARE(root.value(QStringLiteral("sameOnEverySeed")).toBool(), true);
    QVERIFY(!root.contains(QStringLiteral("pairs")));
    const Result one = run({ scenario, QStringLiteral("-c"), five, QStringLiteral("-c"), ten });
    QVERIFY2(one.exitCode == 0, one.err.constData());
    const auto figures = [](const QByteArray &out) { return out.mid(out.indexOf('\n')); };
    QCOMPARE(figures(three.out), figures(one.out));
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
                   "bulkhead_timeout,rate_limited,throttled,limit_exceeded,cancelled,p50Ms,p99Ms,amplification,timeInOpenMs,flaps,"
                   "recoveryMs,peakLoad,"
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
    QTest::addRow("bad jobs") << QStringList { scenario, QStringLiteral("-c"), Bare, QStringLiteral("-c"),
        QStringLiteral("x=api"), QStringLiteral("--jobs"), QStringLiteral("0") }
                              << QStringLiteral("--jobs: expected an integer from 1 to 256, got '0'");
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

// `--html`: one self-contained page with the table and its verdict, the candidates' charts as
// the window's Compare mode draws them, their policies as JSON, the seeds and a command line that
// prints the same table again. A headless build has no charts: status 2, before any run.
void tst_CompareCommand::htmlReport()
{
    const QString page = m_dir.filePath(QStringLiteral("compare report.html"));
    const QStringList arguments { m_scenario, QStringLiteral("--candidate"), Bare, QStringLiteral("--candidate"), Breaker,
        QStringLiteral("--seeds"), QStringLiteral("2") };
    const Result r = run(arguments + QStringList { QStringLiteral("--html"), page });
#if !BREAKWATER_GUI
    QCOMPARE(r.exitCode, 2);
    QVERIFY2(r.err.contains("--html: this build has no charts"), r.err.constData());
    QVERIFY(r.out.isEmpty());
    QVERIFY(!QFile::exists(page));
    return;
#endif
    QVERIFY2(r.exitCode == 0, r.err.constData());
    QVERIFY2(r.err.isEmpty(), r.err.constData());
    const Result plain = run(arguments);
    QCOMPARE(r.out, plain.out); // the report changes nothing printed
    QFile f(page);
    QVERIFY(f.open(QIODevice::ReadOnly));
    const QByteArray html = f.readAll();
    QVERIFY(html.startsWith("<!DOCTYPE html>"));
    QVERIFY2(bw::test::externalReferences(html).isEmpty(),
        qPrintable(bw::test::externalReferences(html).join(QStringLiteral(", "))));
    QVERIFY(!html.contains("<script"));
    QVERIFY(html.contains("<title>Compare on outage</title>"));
    QVERIFY(html.contains("<dt>Seeds</dt><dd>3, 4</dd>"));
    // The verdict printed, and the table's cells with the best marked.
    const QString printed = QString::fromUtf8(r.out);
    const QString verdict = printed.mid(printed.indexOf(QStringLiteral("Verdict: "))).trimmed();
    QVERIFY2(!verdict.isEmpty() && html.contains(verdict.toHtmlEscaped().toUtf8()), qPrintable(verdict));
    QVERIFY(html.contains(">bare</th>") && html.contains(">breaker</th>"));
    QVERIFY(html.contains("best of its row"));
    // Each candidate's policy as JSON: the breaker's settings, and the bare one's name.
    QVERIFY(html.contains("&quot;failureThreshold&quot;: 5"));
    // The Compare mode's charts, drawn by the charts themselves, a line per candidate.
    QCOMPARE(html.count("<svg"), 7);
    QVERIFY(html.contains("<figcaption>Breaker state timeline</figcaption>"));
    for (const char *title : { "Success rate", "Retries per second", "Timeouts per second", "Bulkhead utilization",
             "Latency p99", "Backend requests per second" }) {
        QVERIFY2(html.contains("<figcaption>" + QByteArray(title) + "</figcaption>"), title);
        QVERIFY2(html.contains(">" + QByteArray(title) + "</text>"), title);
    }
    // Every chart's key names both candidates.
    for (const QString &name : { QStringLiteral("bare"), QStringLiteral("breaker") })
        QCOMPARE(QString::fromUtf8(html).count(QRegularExpression(QStringLiteral(">[\\s\\x{00a0}]*%1[\\s\\x{00a0}]*</text>").arg(name))), 6);

    // The page's command line, run again, prints the same table.
    const QStringList command = bw::test::reproducingCommand(html);
    QCOMPARE(command.mid(0, 3), QStringList({ QStringLiteral("breakwater"), QStringLiteral("compare"), m_scenario }));
    QVERIFY(command.contains(Breaker) && command.contains(QStringLiteral("--seeds")));
    const Result again = run(command.mid(2));
    QVERIFY2(again.exitCode == 0, again.err.constData());
    QCOMPARE(again.out, r.out);
}

QTEST_GUILESS_MAIN(tst_CompareCommand)
#include "tst_comparecommand.moc"
