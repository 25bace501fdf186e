#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>

#include "commandrunner.h"
#include "reportpage.h"

// Runs the real `breakwater run` and `breakwater scenarios` (BREAKWATER_BINARY, set by ctest).
class tst_RunCommand : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void builtinByNameWritesFiles();
    void summaryToStdout();
    void seedOption();
    void scenarioFile();
    void sameSeedSameBytes();
    void badScenarioFile();
    void hugeSizesRefused_data();
    void hugeSizesRefused();
    void cutOffCallsStayOutOfLatency();
    void csvRowsDescribeTheirOwnSecond();
    void unknownScenarioName();
    void usageErrors_data();
    void usageErrors();
    void unwritableOutputLeavesNothing();
    void progress();
    void controlsReplayLiveEdits();
    void htmlReport();
    void htmlReportEscapesText();
    void scenariosLists();
    void scenariosDescribesOne();
    void helpAndVersion_data();
    void helpAndVersion();

private:
    using Result = bw::test::CommandResult;
    Result run(const QStringList &arguments);
    QString write(const QString &name, const QByteArray &content);
    static QJsonObject parse(const QByteArray &json);

    QString m_binary;
    QTemporaryDir m_dir;
};

void tst_RunCommand::initTestCase()
{
    m_binary = qEnvironmentVariable("BREAKWATER_BINARY");
    if (m_binary.isEmpty())
        QSKIP("BREAKWATER_BINARY is set by ctest");
    QVERIFY2(QFile::exists(m_binary), qPrintable(m_binary));
    QVERIFY(m_dir.isValid());
}

tst_RunCommand::Result tst_RunCommand::run(const QStringList &arguments)
{
    return bw::test::runCommand(m_binary, arguments, m_dir.path());
}

QString tst_RunCommand::write(const QString &name, const QByteArray &content)
{
    return bw::test::writeFile(m_dir.filePath(name), content);
}

QJsonObject tst_RunCommand::parse(const QByteArray &json)
{
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(json, &error);
    if (error.error != QJsonParseError::NoError)
        qWarning() << "not JSON:" << error.errorString();
    return doc.object();
}

void tst_RunCommand::builtinByNameWritesFiles()
{
    QTemporaryDir out;
    const QString events = out.filePath(QStringLiteral("events.jsonl"));
    const QString summary = out.filePath(QStringLiteral("summary.json"));
    const Result r = run({ QStringLiteral("run"), QStringLiteral("outage-and-recovery"),
        QStringLiteral("--events"), events, QStringLiteral("--summary"), summary });
    QVERIFY2(r.exitCode == 0, r.err.constData());
    QVERIFY(r.out.isEmpty());
    QVERIFY(r.err.isEmpty());

    QFile e(events), s(summary);
    QVERIFY(e.open(QIODevice::ReadOnly));
    QVERIFY(s.open(QIODevice::ReadOnly));
    const QByteArray eventBytes = e.readAll();
    const QJsonObject json = parse(s.readAll());
    QCOMPARE(json.value(QStringLiteral("scenario")).toString(), QStringLiteral("outage-and-recovery"));
    QCOMPARE(json.value(QStringLiteral("seed")).toInteger(), 42); // the scenario's own
    QCOMPARE(json.value(QStringLiteral("durationMs")).toDouble(), 120000.0);
    QCOMPARE(json.value(QStringLiteral("events")).toInteger(), qint64(eventBytes.count('\n')));
    QCOMPARE(json.value(QStringLiteral("eventsSha256")).toString().toLatin1(),
        QCryptographicHash::hash(eventBytes, QCryptographicHash::Sha256).toHex());
    const QJsonObject totals = json.value(QStringLiteral("totals")).toObject();
    QVERIFY(totals.value(QStringLiteral("conserved")).toBool());
    QVERIFY(totals.value(QStringLiteral("offered")).toInteger() > 5000);

    // The file is complete: every line is JSON, the last one ends the run, and every offered
    // call has its call event.
    const QList<QByteArray> lines = eventBytes.trimmed().split('\n');
    qint64 calls = 0;
    bool faultStart = false;
    for (const QByteArray &line : lines) {
        const QJsonObject event = parse(line);
        QVERIFY2(event.contains(QStringLiteral("t_ms")), line.constData());
        calls += event.value(QStringLiteral("type")).toString() == u"call";
        faultStart |= event.value(QStringLiteral("type")).toString() == u"fault";
    }
    QCOMPARE(calls, totals.value(QStringLiteral("offered")).toInteger());
    QVERIFY(faultStart);
    QVERIFY(eventBytes.contains("\"type\":\"stateChange\""));
    // Only the two outputs: no temporary file left beside them.
    QCOMPARE(QDir(out.path()).entryList(QDir::Files),
        QStringList({ QStringLiteral("events.jsonl"), QStringLiteral("summary.json") }));
}

void tst_RunCommand::controlsReplayLiveEdits()
{
    // The live edits of an earlier run, as its events file has them: hold the breaker open at
    // 10 s, let it go at 20 s.
    const QString controls = write(QStringLiteral("controls.jsonl"),
        R"({"t_ms":10000,"type":"control","action":"holdOpen","target":"checkout"})" "\n"
        R"({"t_ms":10000,"type":"call","operation":"checkout","index":1,"outcome":"success"})" "\n"
        R"({"t_ms":20000,"type":"control","action":"forceClose","target":"checkout"})" "\n");
    QTemporaryDir out;
    const QString events = out.filePath(QStringLiteral("events.jsonl"));
    const Result r = run({ QStringLiteral("run"), QStringLiteral("outage-and-recovery"), QStringLiteral("--controls"), controls,
        QStringLiteral("--events"), events });
    QVERIFY2(r.exitCode == 0, r.err.constData());
    const QJsonObject summary = parse(r.out);
    const QJsonArray transitions = summary.value(u"breakers").toObject().value(u"checkout").toObject().value(u"transitions").toArray();
    QVERIFY(transitions.size() >= 2);
    QCOMPARE(transitions[0].toObject().value(u"to").toString(), QStringLiteral("FORCED_OPEN"));
    QCOMPARE(transitions[0].toObject().value(u"t_ms").toDouble(), 10000.0);
    QCOMPARE(transitions[1].toObject().value(u"to").toString(), QStringLiteral("CLOSED"));
    QCOMPARE(transitions[1].toObject().value(u"t_ms").toDouble(), 20000.0);
    // The replayed run writes the same control events again, so it can be replayed in turn.
    QFile e(events);
    QVERIFY(e.open(QIODevice::ReadOnly));
    const QByteArray bytes = e.readAll();
    QVERIFY(bytes.contains(R"({"t_ms":10000,"type":"control","action":"holdOpen","target":"checkout"})"));
    QVERIFY(bytes.contains(R"({"t_ms":20000,"type":"control","action":"forceClose","target":"checkout"})"));

    const QString bad = write(QStringLiteral("bad-controls.jsonl"), R"({"t_ms":1,"type":"control","action":"explode","target":"x"})" "\n");
    const Result b = run({ QStringLiteral("run"), QStringLiteral("outage-and-recovery"), QStringLiteral("--controls"), bad });
    QCOMPARE(b.exitCode, 2);
    QVERIFY2(b.err.contains("bad-controls.jsonl:1: action: unknown control action 'explode'"), b.err.constData());
}

// `--html`: one self-contained page with the scenario, the policies, the charts as SVG, the seed
// and a command line that gives the same run again. A headless build has no charts: status 2.
void tst_RunCommand::htmlReport()
{
    const QString controls = write(QStringLiteral("report controls.jsonl"),
        R"({"t_ms":10000,"type":"control","action":"holdOpen","target":"checkout"})" "\n");
    QTemporaryDir out;
    const QString page = out.filePath(QStringLiteral("report.html"));
    const Result r = run({ QStringLiteral("run"), QStringLiteral("outage-and-recovery"), QStringLiteral("--seed"),
        QStringLiteral("7"), QStringLiteral("--controls"), controls, QStringLiteral("--html"), page });
    const Result badPath = run({ QStringLiteral("run"), QStringLiteral("outage-and-recovery"), QStringLiteral("--html"),
        out.filePath(QStringLiteral("missing/report.html")) });
    QCOMPARE(badPath.exitCode, 2);
    QVERIFY(badPath.out.isEmpty()); // refused before the run
#if !BREAKWATER_GUI
    QCOMPARE(r.exitCode, 2);
    QVERIFY2(r.err.contains("--html: this build has no charts"), r.err.constData());
    QVERIFY(r.out.isEmpty());
    QVERIFY(!QFile::exists(page));
    return;
#endif
    QVERIFY2(r.exitCode == 0, r.err.constData());
    QVERIFY2(r.err.isEmpty(), r.err.constData()); // no display, and nothing said about it
    QFile f(page);
    QVERIFY(f.open(QIODevice::ReadOnly));
    const QByteArray html = f.readAll();
    QVERIFY(html.startsWith("<!DOCTYPE html>"));
    QCOMPARE(html.count("<html"), 1);
    QCOMPARE(html.count("</html>"), 1);
    QVERIFY2(bw::test::externalReferences(html).isEmpty(),
        qPrintable(bw::test::externalReferences(html).join(QStringLiteral(", "))));
    QVERIFY(!html.contains("<script"));
    QVERIFY(html.contains("<title>Run of outage-and-recovery</title>"));
    QVERIFY(html.contains("&quot;circuitBreaker&quot;: {")); // the policy, as pretty JSON
    QVERIFY(html.contains("<dt>Seed</dt><dd>7</dd>"));
    QVERIFY(html.contains("holdOpen")); // the live edit
    QCOMPARE(html.count("<svg"), 7);
    QVERIFY(html.contains("<figcaption>Breaker state timeline</figcaption>"));
    for (const char *title : { "Calls per second by outcome", "Retries and attempts per call", "Timeouts per second",
             "Latency percentiles", "Backend load and capacity" }) {
        QVERIFY2(html.contains("<figcaption>" + QByteArray(title) + "</figcaption>"), title);
        QVERIFY2(html.contains(">" + QByteArray(title) + "</text>"), title); // drawn by the chart itself
    }
    // The run's figures: the offered calls of the summary printed.
    const QJsonObject summary = parse(r.out);
    const QString offered = QString::number(summary.value(u"totals").toObject().value(u"offered").toInteger());
    QVERIFY(html.contains("<td>" + offered.toUtf8() + "</td>"));

    // The page's command line, run again, prints the same summary.
    QStringList command = bw::test::reproducingCommand(html);
    QCOMPARE(command, QStringList({ QStringLiteral("breakwater"), QStringLiteral("run"),
        QStringLiteral("outage-and-recovery"), QStringLiteral("--seed"), QStringLiteral("7"), QStringLiteral("--controls"),
        controls }));
    const Result again = run(command.mid(1));
    QVERIFY2(again.exitCode == 0, again.err.constData());
    QCOMPARE(again.out, r.out);
}

// Every text of the page is escaped: a scenario's name and description cannot add markup.
void tst_RunCommand::htmlReportEscapesText()
{
#if !BREAKWATER_GUI
    QSKIP("a headless build draws no report");
#endif
    const QString scenario = write(QStringLiteral("markup.json"), R"({
        "name": "<b>bold</b> & \"quoted\"",
        "description": "<script>alert(1)</script><img src=\"http://example.com/x.png\">",
        "durationMs": 5000,
        "services": [{"name": "api", "capacity": 10, "latency": 5}],
        "operations": [{"name": "get<it>", "service": "api", "rate": 20, "policy": "api"}]
    })");
    QTemporaryDir out;
    const QString page = out.filePath(QStringLiteral("markup.html"));
    const Result r = run({ QStringLiteral("run"), scenario, QStringLiteral("--html"), page });
    QVERIFY2(r.exitCode == 0, r.err.constData());
    QFile f(page);
    QVERIFY(f.open(QIODevice::ReadOnly));
    const QByteArray html = f.readAll();
    QVERIFY(!html.contains("<script"));
    QVERIFY(!html.contains("<b>bold"));
    QVERIFY(!html.contains("<it>"));
    QVERIFY(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    QVERIFY(html.contains("&lt;b&gt;bold&lt;/b&gt; &amp; &quot;quoted&quot;"));
    QVERIFY2(bw::test::externalReferences(html).isEmpty(),
        qPrintable(bw::test::externalReferences(html).join(QStringLiteral(", "))));
}

void tst_RunCommand::summaryToStdout()
{
    const Result r = run({ QStringLiteral("run"), QStringLiteral("brownout") });
    QVERIFY2(r.exitCode == 0, r.err.constData());
    QVERIFY(r.err.isEmpty());
    const QJsonObject json = parse(r.out);
    QCOMPARE(json.value(QStringLiteral("scenario")).toString(), QStringLiteral("brownout"));
    QVERIFY(json.value(QStringLiteral("totals")).toObject().value(QStringLiteral("conserved")).toBool());
    // Without --events nothing is logged, so there is no count or hash to show.
    QVERIFY(!json.contains(QStringLiteral("events")));
    QVERIFY(!json.contains(QStringLiteral("eventsSha256")));
    QVERIFY(json.value(QStringLiteral("breakers")).toObject().contains(QStringLiteral("browse")));
}

void tst_RunCommand::seedOption()
{
    const Result a = run({ QStringLiteral("run"), QStringLiteral("latency-spike"), QStringLiteral("--seed"),
        QStringLiteral("123") });
    const Result b = run({ QStringLiteral("run"), QStringLiteral("latency-spike") });
    QVERIFY2(a.exitCode == 0, a.err.constData());
    QVERIFY2(b.exitCode == 0, b.err.constData());
    QCOMPARE(parse(a.out).value(QStringLiteral("seed")).toInteger(), 123);
    QCOMPARE(parse(b.out).value(QStringLiteral("seed")).toInteger(), 7);
    QVERIFY(a.out != b.out);
}

void tst_RunCommand::scenarioFile()
{
    const QString path = write(QStringLiteral("tiny.json"), R"({
  "durationMs": 10000,
  "services": [{"name": "db", "latency": {"dist": "fixed", "ms": 5}}],
  "operations": [{"name": "read", "service": "db", "rate": 10, "arrival": "constant", "policy": "database"}]
})");
    const Result r = run({ QStringLiteral("run"), path });
    QVERIFY2(r.exitCode == 0, r.err.constData());
    const QJsonObject json = parse(r.out);
    QCOMPARE(json.value(QStringLiteral("scenario")).toString(), QStringLiteral("tiny")); // the file's name
    QCOMPARE(json.value(QStringLiteral("seed")).toInteger(), 1);
    const QJsonObject read
        = json.value(QStringLiteral("operations")).toObject().value(QStringLiteral("read")).toObject();
    // Constant arrivals every 100 ms from 100 ms: 99 before the end at 10 s.
    QCOMPARE(read.value(QStringLiteral("offered")).toInteger(), 99);
    QCOMPARE(
        read.value(QStringLiteral("outcomes")).toObject().value(QStringLiteral("success")).toInteger(), 99);
}

void tst_RunCommand::sameSeedSameBytes()
{
    QTemporaryDir out;
    Result first;
    for (int i = 0; i < 2; ++i) {
        const Result r = run({ QStringLiteral("run"), QStringLiteral("flapping-service"),
            QStringLiteral("--events"), out.filePath(QStringLiteral("e%1.jsonl").arg(i)) });
        QVERIFY2(r.exitCode == 0, r.err.constData());
        if (i == 0)
            first = r;
        else
            QCOMPARE(r.out, first.out); // the summary, eventsSha256 included
    }
    QFile a(out.filePath(QStringLiteral("e0.jsonl"))), b(out.filePath(QStringLiteral("e1.jsonl")));
    QVERIFY(a.open(QIODevice::ReadOnly) && b.open(QIODevice::ReadOnly));
    QVERIFY(a.readAll() == b.readAll());
}

void tst_RunCommand::badScenarioFile()
{
    const QString path = write(QStringLiteral("typo.json"),
        "{\n  \"services\": [{\"name\": \"payments\"}],\n  \"operations\": [\n"
        "    {\"name\": \"checkout\", \"service\": \"paymnts\", \"rate\": 5}\n  ]\n}\n");
    const QString summary = m_dir.filePath(QStringLiteral("typo-summary.json"));
    const QString events = m_dir.filePath(QStringLiteral("typo-events.jsonl"));
    const Result r = run({ QStringLiteral("run"), path, QStringLiteral("--summary"), summary,
        QStringLiteral("--events"), events });
    QCOMPARE(r.exitCode, 2);
    QCOMPARE(QString::fromUtf8(r.err),
        path
            + QStringLiteral(
                ":4:37: operations[0].service: unknown service 'paymnts'; did you mean 'payments'? "
                "(services: payments)\n"));
    QVERIFY(r.out.isEmpty());
    QVERIFY(!QFile::exists(summary));
    QVERIFY(!QFile::exists(events));
}

// docs/formats.md, "Limits": what memory would not survive is refused before the run, with exit 2.
void tst_RunCommand::hugeSizesRefused_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<QString>("message");
    QTest::addRow("count window")
        << QByteArray("{\"services\": [{\"name\": \"a\"}],\n \"operations\": [{\"name\": \"o\", \"service\": \"a\", "
                      "\"rate\": 1, \"policy\": {\"circuitBreaker\": {\"windowType\": \"count\", \"windowSize\": 1e12}}}]}\n")
        << QStringLiteral(":2:125: operations[0].policy.circuitBreaker.windowSize: expected a positive integer of at "
                          "most 1000000 (calls, a count window), got 1000000000000");
    QTest::addRow("run length")
        << QByteArray("{\"durationMs\": 86400001, \"services\": [{\"name\": \"a\"}],\n \"operations\": [{\"name\": \"o\", "
                      "\"service\": \"a\", \"rate\": 0}]}\n")
        << QStringLiteral(":1:16: durationMs: expected a duration of at most 86400000 ms, got 86400001");
}

void tst_RunCommand::hugeSizesRefused()
{
    QFETCH(QByteArray, json);
    QFETCH(QString, message);
    const QString path = write(QStringLiteral("huge.json"), json);
    const QString csv = m_dir.filePath(QStringLiteral("huge.csv"));
    const Result r = run({ QStringLiteral("run"), path, QStringLiteral("--csv"), csv });
    QCOMPARE(r.exitCode, 2);
    QCOMPARE(QString::fromUtf8(r.err), path + message + u'\n');
    QVERIFY(!QFile::exists(csv));
}

// 100 ms calls at 10/s; from 5,050 ms every request hangs and no policy gives up, so the 49 calls
// offered from 5,100 ms are still in flight at 10 s. They end `cancelled`, counted as cutOff, and no
// latency figure counts them: p50 and max are the 50 answered calls' 100 ms, and the CSV's
// last second, where only cut-off calls ended, has no latency at all.
void tst_RunCommand::cutOffCallsStayOutOfLatency()
{
    const QString path = write(QStringLiteral("cut-off.json"),
        R"({"durationMs": 10000, "services": [{"name": "a", "latency": 100}],
            "operations": [{"name": "o", "service": "a", "rate": 10, "arrival": "constant"}],
            "faults": [{"service": "a", "type": "hang", "atMs": 5050}]})");
    const QString summaryPath = m_dir.filePath(QStringLiteral("cut-off-summary.json"));
    const QString csvPath = m_dir.filePath(QStringLiteral("cut-off.csv"));
    const Result r = run({ QStringLiteral("run"), path, QStringLiteral("--summary"), summaryPath, QStringLiteral("--csv"), csvPath });
    QCOMPARE(r.exitCode, 0);

    QFile summaryFile(summaryPath);
    QVERIFY(summaryFile.open(QIODevice::ReadOnly));
    const QJsonObject summary = parse(summaryFile.readAll());
    const QJsonObject op = summary.value(QStringLiteral("operations")).toObject().value(QStringLiteral("o")).toObject();
    QCOMPARE(op.value(QStringLiteral("offered")).toInt(), 99);
    const QJsonObject outcomes = op.value(QStringLiteral("outcomes")).toObject();
    QCOMPARE(outcomes.value(QStringLiteral("success")).toInt(), 50);
    QCOMPARE(outcomes.value(QStringLiteral("cancelled")).toInt(), 49); // still what the caller saw
    QCOMPARE(op.value(QStringLiteral("cutOff")).toInt(), 49);
    QCOMPARE(summary.value(QStringLiteral("totals")).toObject().value(QStringLiteral("cutOff")).toInt(), 49);
    const QJsonObject latency = op.value(QStringLiteral("latencyMs")).toObject();
    for (const QString &p : { QStringLiteral("p50"), QStringLiteral("p99"), QStringLiteral("max") })
        QVERIFY2(qAbs(latency.value(p).toDouble() - 100) <= 0.5, qPrintable(p + u' ' + QString::number(latency.value(p).toDouble())));

    QFile csvFile(csvPath);
    QVERIFY(csvFile.open(QIODevice::ReadOnly));
    const QList<QByteArray> lines = csvFile.readAll().trimmed().split('\n');
    const QList<QByteArray> header = lines.first().split(',');
    const QList<QByteArray> last = lines.last().split(',');
    QCOMPARE(last.size(), header.size());
    QCOMPARE(last.at(header.indexOf("start_ms")), QByteArray("9000"));
    QCOMPARE(last.at(header.indexOf("cancelled")), QByteArray("49"));
    for (const char *column : { "latency_p50_ms", "latency_p99_ms", "latency_max_ms" })
        QCOMPARE(last.at(header.indexOf(column)), QByteArray());
    double maxOfRows = 0;
    for (qsizetype i = 1; i < lines.size(); ++i)
        maxOfRows = std::max(maxOfRows, lines.at(i).split(',').at(header.indexOf("latency_max_ms")).toDouble());
    QVERIFY2(qAbs(maxOfRows - 100) <= 0.5, QByteArray::number(maxOfRows).constData());
}

// A CSV row is the interval [start_ms, end_ms): the brownout that starts at exactly 5 s is in
// the row 5–6 s, not 4–5 s; and the last row is the state at the end (a full bulkhead in front
// of hung requests), not the empty one the run's teardown leaves.
void tst_RunCommand::csvRowsDescribeTheirOwnSecond()
{
    const QString path = write(QStringLiteral("boundary.json"),
        R"({"durationMs": 10000, "services": [{"name": "a", "capacity": 50, "latency": 100}],
            "operations": [{"name": "o", "service": "a", "rate": 20, "arrival": "constant",
                            "policy": {"bulkhead": {"maxConcurrent": 5, "maxQueueSize": 10}}}],
            "faults": [{"service": "a", "type": "brownout", "capacity": 10, "atMs": 5000},
                       {"service": "a", "type": "hang", "atMs": 8000}]})");
    const QString csvPath = m_dir.filePath(QStringLiteral("boundary.csv"));
    const Result r = run({ QStringLiteral("run"), path, QStringLiteral("--csv"), csvPath });
    QCOMPARE(r.exitCode, 0);
    QFile csvFile(csvPath);
    QVERIFY(csvFile.open(QIODevice::ReadOnly));
    const QList<QByteArray> lines = csvFile.readAll().trimmed().split('\n');
    QCOMPARE(lines.size(), 11);
    const QList<QByteArray> header = lines.first().split(',');
    const auto cell = [&](int row, const char *column) { return lines.at(row + 1).split(',').at(header.indexOf(column)); };
    QCOMPARE(cell(4, "end_ms"), QByteArray("5000"));
    QCOMPARE(cell(4, "service_capacity"), QByteArray("50"));
    QCOMPARE(cell(5, "service_capacity"), QByteArray("10"));
    QCOMPARE(cell(9, "end_ms"), QByteArray("10000"));
    QCOMPARE(cell(9, "bulkhead_active"), QByteArray("5"));
    QCOMPARE(cell(9, "bulkhead_queued"), QByteArray("10"));
    QCOMPARE(cell(9, "service_in_service"), QByteArray("5"));
}

void tst_RunCommand::unknownScenarioName()
{
    const Result r = run({ QStringLiteral("run"), QStringLiteral("retry-strom") });
    QCOMPARE(r.exitCode, 2);
    const QString err = QString::fromUtf8(r.err);
    QVERIFY2(err.startsWith(QStringLiteral("retry-strom: no such file, and not a built-in scenario; did you "
                                           "mean 'retry-storm'? (built-in: ")),
        qPrintable(err));
    QCOMPARE(r.err.count('\n'), 1); // one message
}

void tst_RunCommand::usageErrors_data()
{
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<QString>("message");
    QTest::addRow("no scenario") << QStringList { QStringLiteral("run") }
                                 << QStringLiteral("breakwater run: missing the scenario (a file, or one of: "
                                                   "outage-and-recovery, ");
    QTest::addRow("two scenarios") << QStringList { QStringLiteral("run"), QStringLiteral("a"),
        QStringLiteral("b") } << QStringLiteral("breakwater run: expected one scenario, got 2");
    QTest::addRow("bad seed") << QStringList {
        QStringLiteral("run"), QStringLiteral("brownout"), QStringLiteral("--seed"), QStringLiteral("-3")
    } << QStringLiteral("breakwater run: --seed: expected a non-negative integer, got '-3'");
    QTest::addRow("unknown option") << QStringList { QStringLiteral("run"), QStringLiteral("brownout"),
        QStringLiteral("--sed"), QStringLiteral("3") }
                                    << QStringLiteral("breakwater run: Unknown option 'sed'.");
    QTest::addRow("scenarios, two names") << QStringList { QStringLiteral("scenarios"), QStringLiteral("a"),
        QStringLiteral("b") } << QStringLiteral("breakwater scenarios: expected at most one name, got 2");
}

void tst_RunCommand::usageErrors()
{
    QFETCH(QStringList, arguments);
    QFETCH(QString, message);
    const Result r = run(arguments);
    QCOMPARE(r.exitCode, 2);
    QVERIFY(r.out.isEmpty());
    const QString err = QString::fromUtf8(r.err);
    QVERIFY2(err.startsWith(message), qPrintable(err));
    QVERIFY2(err.contains(QStringLiteral("Usage: breakwater ")), qPrintable(err));
}

void tst_RunCommand::unwritableOutputLeavesNothing()
{
    const QString summary = m_dir.filePath(QStringLiteral("w-summary.json"));
    const Result r = run({ QStringLiteral("run"), QStringLiteral("brownout"), QStringLiteral("--summary"),
        summary, QStringLiteral("--events"), m_dir.filePath(QStringLiteral("no/such/dir/e.jsonl")) });
    QCOMPARE(r.exitCode, 2);
    QVERIFY2(QString::fromUtf8(r.err).contains(QStringLiteral("cannot write")), r.err.constData());
    QVERIFY(!QFile::exists(summary)); // the run stopped before anything was written
    const QStringList left = QDir(m_dir.path()).entryList({ QStringLiteral("w-summary*") }, QDir::Files);
    QVERIFY2(left.isEmpty(), qPrintable(left.join(u',')));
}

void tst_RunCommand::progress()
{
    // Not a terminal here: plain lines instead of a bar redrawn in place, the last one at 100 %.
    const QString summary = m_dir.filePath(QStringLiteral("p-summary.json"));
    const Result r = run({ QStringLiteral("run"), QStringLiteral("retry-storm"), QStringLiteral("--progress"),
        QStringLiteral("--summary"), summary });
    QVERIFY2(r.exitCode == 0, r.err.constData());
    QVERIFY(r.out.isEmpty());
    const QList<QByteArray> lines = r.err.trimmed().split('\n');
    QVERIFY(!lines.isEmpty());
    QVERIFY2(!r.err.contains('\r'), r.err.constData());
    const QString last = QString::fromUtf8(lines.last());
    QVERIFY2(last.contains(QStringLiteral("100%")), qPrintable(last));
    QVERIFY2(last.contains(QStringLiteral("120.0 s / 120.0 s virtual")), qPrintable(last));
    QVERIFY2(last.contains(QStringLiteral(" calls/s")), qPrintable(last));
    QVERIFY(QFile::exists(summary));

    // Without --progress, nothing on stderr.
    const Result quiet = run({ QStringLiteral("run"), QStringLiteral("retry-storm") });
    QCOMPARE(quiet.exitCode, 0);
    QVERIFY(quiet.err.isEmpty());
}

void tst_RunCommand::scenariosLists()
{
    const Result r = run({ QStringLiteral("scenarios") });
    QVERIFY2(r.exitCode == 0, r.err.constData());
    QVERIFY(r.err.isEmpty());
    const QList<QByteArray> lines = r.out.split('\n');
    // One line per scenario, "name  description" with the descriptions in one column.
    int listed = 0;
    qsizetype column = -1;
    for (const QByteArray &line : lines) {
        if (line.isEmpty())
            break;
        ++listed;
        const qsizetype gap = line.indexOf("  ");
        QVERIFY2(gap > 0, line.constData());
        qsizetype start = gap;
        while (start < line.size() && line[start] == ' ')
            ++start;
        if (column < 0)
            column = start;
        QCOMPARE(start, column);
        QVERIFY(line.size() > start + 20); // a real description
    }
    QVERIFY2(listed >= 8, r.out.constData());
    QVERIFY(r.out.startsWith("outage-and-recovery "));
    for (const char *name : { "latency-spike", "flapping-service", "retry-storm ", "retry-storm-budget",
             "rate-limited-api", "bulkhead-isolation", "slow-ai-backend", "brownout", "retry-quota-outage",
             "rate-limiter-smoothing", "hedging-tail" })
        QVERIFY2(r.out.contains(QByteArray("\n") + name), name);
}

void tst_RunCommand::scenariosDescribesOne()
{
    const Result r = run({ QStringLiteral("scenarios"), QStringLiteral("retry-storm-budget") });
    QVERIFY2(r.exitCode == 0, r.err.constData());
    const QString out = QString::fromUtf8(r.out);
    QVERIFY(out.startsWith(QStringLiteral("retry-storm-budget\n")));
    QVERIFY(out.contains(QStringLiteral("What to look for: ")));
    QVERIFY(out.contains(QStringLiteral("breakwater run retry-storm-budget")));

    const Result bad = run({ QStringLiteral("scenarios"), QStringLiteral("brownuot") });
    QCOMPARE(bad.exitCode, 2);
    QCOMPARE(QString::fromUtf8(bad.err),
        QStringLiteral("breakwater scenarios: no built-in scenario 'brownuot'; did you mean 'brownout'?\n"));
}

void tst_RunCommand::helpAndVersion_data()
{
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<QString>("expected");
    QTest::addRow("run --help") << QStringList { QStringLiteral("run"), QStringLiteral("--help") }
                                << QStringLiteral("Usage: breakwater run [options] SCENARIO.json|NAME");
    QTest::addRow("run -h") << QStringList { QStringLiteral("run"), QStringLiteral("-h") }
                            << QStringLiteral("Usage: breakwater run [options]");
    QTest::addRow("run --version") << QStringList { QStringLiteral("run"), QStringLiteral("--version") }
                                   << QStringLiteral("breakwater 0.");
    QTest::addRow("scenarios --help") << QStringList { QStringLiteral("scenarios"), QStringLiteral("--help") }
                                      << QStringLiteral("Usage: breakwater scenarios [options] [NAME]");
    QTest::addRow("scenarios --version") << QStringList { QStringLiteral("scenarios"),
        QStringLiteral("--version") } << QStringLiteral("breakwater 0.");
}

void tst_RunCommand::helpAndVersion()
{
    QFETCH(QStringList, arguments);
    QFETCH(QString, expected);
    const Result r = run(arguments);
    QCOMPARE(r.exitCode, 0);
    QVERIFY2(QString::fromUtf8(r.out).startsWith(expected), r.out.constData());
    QVERIFY(r.err.isEmpty());
}

QTEST_GUILESS_MAIN(tst_RunCommand)
#include "tst_runcommand.moc"
