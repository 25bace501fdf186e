#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>

#include "commandrunner.h"

// Runs the real `breakwater replay` (BREAKWATER_BINARY, set by ctest) on temporary files.
class tst_ReplayCommand : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void writesEventsAndSummary();
    void summaryToStdoutWithoutSummaryOption();
    void presetPolicy();
    void sameAsATraceScenario();
    void sameInputSameBytes();
    void badPolicyFile();
    void hugePolicySizeRefused();
    void badTrace();
    void missingFiles_data();
    void missingFiles();
    void usageErrors_data();
    void usageErrors();
    void helpAndVersion_data();
    void helpAndVersion();
    void unwritableOutputLeavesNothing();

private:
    using Result = bw::test::CommandResult;
    Result run(const QStringList &arguments);
    QString write(const QString &name, const QByteArray &content);

    QString m_binary;
    QString m_source;
    QTemporaryDir m_dir;
};

void tst_ReplayCommand::initTestCase()
{
    m_binary = qEnvironmentVariable("BREAKWATER_BINARY");
    m_source = qEnvironmentVariable("BREAKWATER_SOURCE_DIR");
    if (m_binary.isEmpty() || m_source.isEmpty())
        QSKIP("BREAKWATER_BINARY and BREAKWATER_SOURCE_DIR are set by ctest");
    QVERIFY2(QFile::exists(m_binary), qPrintable(m_binary));
    QVERIFY(m_dir.isValid());
}

tst_ReplayCommand::Result tst_ReplayCommand::run(const QStringList &arguments)
{
    return bw::test::runCommand(m_binary, arguments, m_dir.path());
}

QString tst_ReplayCommand::write(const QString &name, const QByteArray &content)
{
    return bw::test::writeFile(m_dir.filePath(name), content);
}

void tst_ReplayCommand::writesEventsAndSummary()
{
    QTemporaryDir out;
    const QString events = out.filePath(QStringLiteral("events.jsonl"));
    const QString summary = out.filePath(QStringLiteral("summary.json"));
    const Result r
        = run({ QStringLiteral("replay"), m_source + QStringLiteral("/resources/traces/example-incident.csv"),
            QStringLiteral("--policy"), m_source + QStringLiteral("/resources/policies/payments.json"),
            QStringLiteral("--events"), events, QStringLiteral("--summary"), summary });
    QVERIFY2(r.exitCode == 0, r.err.constData());
    QVERIFY(r.out.isEmpty());
    QVERIFY(r.err.isEmpty());

    QFile e(events), s(summary);
    QVERIFY(e.open(QIODevice::ReadOnly));
    QVERIFY(s.open(QIODevice::ReadOnly));
    const QByteArray eventBytes = e.readAll();
    QJsonParseError error;
    const QJsonObject json = QJsonDocument::fromJson(s.readAll(), &error).object();
    QCOMPARE(error.error, QJsonParseError::NoError);
    QCOMPARE(json.value(QStringLiteral("events")).toInteger(), qint64(eventBytes.count('\n')));
    QCOMPARE(json.value(QStringLiteral("eventsSha256")).toString().toLatin1(),
        QCryptographicHash::hash(eventBytes, QCryptographicHash::Sha256).toHex());
    QCOMPARE(json.value(QStringLiteral("policy")).toString(), QStringLiteral("payments"));
    QCOMPARE(json.value(QStringLiteral("trace")).toString(), QStringLiteral("example-incident.csv"));
    QVERIFY(json.value(QStringLiteral("totals")).toObject().value(QStringLiteral("conserved")).toBool());
    const QJsonObject breaker
        = json.value(QStringLiteral("breakers")).toObject().value(QStringLiteral("payments")).toObject();
    QVERIFY(breaker.value(QStringLiteral("timeInStateMs")).toObject().value(QStringLiteral("OPEN")).toDouble()
        > 0);
    QVERIFY(eventBytes.contains("\"type\":\"stateChange\""));
    QVERIFY(json.value(QStringLiteral("services")).toObject().contains(QStringLiteral("example-incident")));
    // Only the two outputs: no temporary file left beside them.
    QCOMPARE(QDir(out.path()).entryList(QDir::Files),
        QStringList({ QStringLiteral("events.jsonl"), QStringLiteral("summary.json") }));
}

void tst_ReplayCommand::summaryToStdoutWithoutSummaryOption()
{
    const QString trace
        = write(QStringLiteral("small.csv"), "start_ms,duration_ms,outcome\n0,5,success\n10,5,failure\n");
    const Result r
        = run({ QStringLiteral("replay"), trace, QStringLiteral("--policy"), QStringLiteral("api") });
    QVERIFY2(r.exitCode == 0, r.err.constData());
    QJsonParseError error;
    const QJsonObject json = QJsonDocument::fromJson(r.out, &error).object();
    QCOMPARE(error.error, QJsonParseError::NoError);
    const QJsonObject op
        = json.value(QStringLiteral("operations")).toObject().value(QStringLiteral("api")).toObject();
    QCOMPARE(op.value(QStringLiteral("offered")).toInteger(), 2);
    // api has a bulkhead: each call writes a bulkhead "started" and a call event. A 500 is not
    // retryable by default, so there is no retry event.
    QCOMPARE(json.value(QStringLiteral("events")).toInteger(), 4);
    QCOMPARE(op.value(QStringLiteral("retries")).toInteger(), 0);
}

void tst_ReplayCommand::presetPolicy()
{
    const QString trace = write(QStringLiteral("preset.csv"), "start_ms,duration_ms,outcome\n0,5,success\n");
    for (const char *preset : { "api", "ai", "database", "external", "critical" }) {
        const Result r
            = run({ QStringLiteral("replay"), trace, QStringLiteral("-p"), QString::fromLatin1(preset) });
        QVERIFY2(r.exitCode == 0, r.err.constData());
        QVERIFY(QJsonDocument::fromJson(r.out)
                    .object()
                    .value(QStringLiteral("operations"))
                    .toObject()
                    .contains(QLatin1StringView(preset)));
    }
}

// `breakwater replay` and `breakwater run` of a scenario whose operation replays the same trace
// through the same policy (every stage: retry with jitter, breaker, timeout, bulkhead, fallback)
// give the same outcomes, breaker transitions and backend figures: one mechanism.
void tst_ReplayCommand::sameAsATraceScenario()
{
    QFile policyFile(m_source + QStringLiteral("/resources/policies/payments.json"));
    QVERIFY(policyFile.open(QIODevice::ReadOnly));
    QFile traceFile(m_source + QStringLiteral("/resources/traces/example-incident.csv"));
    QVERIFY(traceFile.open(QIODevice::ReadOnly));
    write(QStringLiteral("example-incident.csv"), traceFile.readAll());
    const QString scenario = write(QStringLiteral("incident-scenario.json"),
        R"({"name": "incident", "operations": [{"name": "payments", "arrival": "trace",
           "trace": "example-incident.csv", "policy": )" + policyFile.readAll() + "}]}");
    const QString replayed = m_dir.filePath(QStringLiteral("replayed.json"));
    const QString ran = m_dir.filePath(QStringLiteral("ran.json"));
    Result r = run({ QStringLiteral("replay"), m_dir.filePath(QStringLiteral("example-incident.csv")),
        QStringLiteral("--policy"), m_source + QStringLiteral("/resources/policies/payments.json"),
        QStringLiteral("--seed"), QStringLiteral("3"), QStringLiteral("--summary"), replayed });
    QVERIFY2(r.exitCode == 0, r.err.constData());
    r = run({ QStringLiteral("run"), scenario, QStringLiteral("--seed"), QStringLiteral("3"), QStringLiteral("--summary"), ran });
    QVERIFY2(r.exitCode == 0, r.err.constData());
    const auto read = [](const QString &path) {
        QFile f(path);
        return f.open(QIODevice::ReadOnly) ? QJsonDocument::fromJson(f.readAll()).object() : QJsonObject();
    };
    const QJsonObject a = read(replayed), b = read(ran);
    const QJsonObject breakers = a.value(QStringLiteral("breakers")).toObject();
    QVERIFY(!breakers.value(QStringLiteral("payments")).toObject().value(QStringLiteral("transitions")).toArray().isEmpty());
    for (const char *section : { "operations", "breakers", "services", "totals", "durationMs" })
        QVERIFY2(a.value(QLatin1StringView(section)) == b.value(QLatin1StringView(section)), section);
    QCOMPARE(a.value(QStringLiteral("totals")).toObject().value(QStringLiteral("offered")).toInteger(),
        qint64(QByteArray(traceFile.seek(0) ? traceFile.readAll() : QByteArray()).count('\n') - 1));
}

void tst_ReplayCommand::sameInputSameBytes()
{
    QTemporaryDir out;
    QByteArray first;
    for (int i = 0; i < 2; ++i) {
        const QString events = out.filePath(QStringLiteral("e%1.jsonl").arg(i));
        const Result r = run(
            { QStringLiteral("replay"), m_source + QStringLiteral("/resources/traces/example-incident.csv"),
                QStringLiteral("--policy"), m_source + QStringLiteral("/resources/policies/payments.json"),
                QStringLiteral("--events"), events, QStringLiteral("--seed"), QStringLiteral("7") });
        QVERIFY2(r.exitCode == 0, r.err.constData());
        if (i == 0)
            first = r.out;
        else
            QCOMPARE(r.out, first); // the summary, eventsSha256 included
    }
    QFile a(out.filePath(QStringLiteral("e0.jsonl"))), b(out.filePath(QStringLiteral("e1.jsonl")));
    QVERIFY(a.open(QIODevice::ReadOnly) && b.open(QIODevice::ReadOnly));
    QCOMPARE(a.readAll(), b.readAll());
    QCOMPARE(QJsonDocument::fromJson(first).object().value(QStringLiteral("seed")).toInteger(), 7);
}

void tst_ReplayCommand::badPolicyFile()
{
    const QString trace = write(QStringLiteral("ok.csv"), "start_ms,duration_ms,outcome\n0,5,success\n");
    const QString policy = write(
        QStringLiteral("typo.json"), "{\n  \"circuitBreaker\": {\n    \"failureTreshold\": 5\n  }\n}\n");
    const QString summary = m_dir.filePath(QStringLiteral("typo-summary.json"));
    const Result r = run({ QStringLiteral("replay"), trace, QStringLiteral("--policy"), policy,
        QStringLiteral("--summary"), summary });
    QCOMPARE(r.exitCode, 2);
    QCOMPARE(QString::fromUtf8(r.err),
        policy
            + QStringLiteral(":3:5: circuitBreaker.failureTreshold: unknown key; "
                             "did you mean 'failureThreshold'?\n"));
    QVERIFY(r.out.isEmpty());
    QVERIFY(!QFile::exists(summary));
}

// The issue's report: a count window of 1e12 calls ended in std::bad_alloc (an abort).
void tst_ReplayCommand::hugePolicySizeRefused()
{
    const QString trace = write(QStringLiteral("ok.csv"), "start_ms,duration_ms,outcome\n0,5,success\n");
    const QString policy = write(QStringLiteral("huge-window.json"),
        "{\n  \"circuitBreaker\": {\"windowType\": \"count\", \"windowSize\": 1e12}\n}\n");
    const Result r = run({ QStringLiteral("replay"), trace, QStringLiteral("--policy"), policy });
    QCOMPARE(r.exitCode, 2);
    QCOMPARE(QString::fromUtf8(r.err),
        policy
            + QStringLiteral(":2:59: circuitBreaker.windowSize: expected a positive integer of at most 1000000 "
                             "(calls, a count window), got 1000000000000\n"));
    QVERIFY(r.out.isEmpty());
}

void tst_ReplayCommand::badTrace()
{
    const QString trace
        = write(QStringLiteral("bad.csv"), "start_ms,duration_ms,outcome\n0,5,success\n10,-5,success\n");
    const Result r
        = run({ QStringLiteral("replay"), trace, QStringLiteral("--policy"), QStringLiteral("api") });
    QCOMPARE(r.exitCode, 2);
    QCOMPARE(QString::fromUtf8(r.err),
        trace
            + QStringLiteral(
                ":3:4: duration_ms: expected a non-negative number of milliseconds, got '-5'\n"));
}

void tst_ReplayCommand::missingFiles_data()
{
    QTest::addColumn<QString>("trace");
    QTest::addColumn<QString>("policy");
    QTest::addColumn<QString>("message");
    QTest::addRow("trace") << QStringLiteral("nope.csv") << QStringLiteral("api")
                           << QStringLiteral("nope.csv: cannot read: ");
    QTest::addRow("policy") << QStringLiteral("nope.csv") << QStringLiteral("nope.json")
                            << QStringLiteral("nope.json: no such file, and not a preset name; ");
}

void tst_ReplayCommand::missingFiles()
{
    QFETCH(QString, trace);
    QFETCH(QString, policy);
    QFETCH(QString, message);
    const Result r = run({ QStringLiteral("replay"), trace, QStringLiteral("--policy"), policy });
    QCOMPARE(r.exitCode, 2);
    QVERIFY2(QString::fromUtf8(r.err).startsWith(message), r.err.constData());
    QCOMPARE(r.err.count('\n'), 1); // one message
}

void tst_ReplayCommand::usageErrors_data()
{
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<QString>("message");
    QTest::addRow("unknown command") << QStringList { QStringLiteral("replai") }
                                     << QStringLiteral("breakwater: unknown command 'replai'");
    QTest::addRow("unknown option") << QStringList { QStringLiteral("--bogus") }
                                    << QStringLiteral("breakwater: unknown option '--bogus'");
    QTest::addRow("no trace") << QStringList { QStringLiteral("replay"), QStringLiteral("--policy"),
        QStringLiteral("api") }
                              << QStringLiteral("breakwater replay: missing the trace file");
    QTest::addRow("no policy") << QStringList { QStringLiteral("replay"), QStringLiteral("t.csv") }
                               << QStringLiteral("breakwater replay: missing --policy POLICY.json|PRESET");
    QTest::addRow("two traces") << QStringList { QStringLiteral("replay"), QStringLiteral("a.csv"),
        QStringLiteral("b.csv"), QStringLiteral("-p"), QStringLiteral("api") }
                                << QStringLiteral("breakwater replay: expected one trace file, got 2");
    QTest::addRow("unknown replay option") << QStringList { QStringLiteral("replay"), QStringLiteral("t.csv"),
        QStringLiteral("--polcy"), QStringLiteral("api") }
                                           << QStringLiteral("breakwater replay: Unknown option 'polcy'.");
    QTest::addRow("option without value") << QStringList { QStringLiteral("replay"), QStringLiteral("t.csv"),
        QStringLiteral("--policy") } << QStringLiteral("breakwater replay: Missing value after '--policy'.");
    QTest::addRow("bad seed") << QStringList { QStringLiteral("replay"), QStringLiteral("t.csv"),
        QStringLiteral("-p"), QStringLiteral("api"), QStringLiteral("--seed"), QStringLiteral("x") }
                              << QStringLiteral(
                                     "breakwater replay: --seed: expected a non-negative integer, got 'x'");
}

void tst_ReplayCommand::usageErrors()
{
    QFETCH(QStringList, arguments);
    QFETCH(QString, message);
    const Result r = run(arguments);
    QCOMPARE(r.exitCode, 2);
    QVERIFY(r.out.isEmpty());
    const QString err = QString::fromUtf8(r.err);
    QVERIFY2(err.startsWith(message + u'\n'), qPrintable(err));
    QVERIFY2(err.contains(QStringLiteral("Usage: breakwater")), qPrintable(err));
}

void tst_ReplayCommand::helpAndVersion_data()
{
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<QString>("expected");
    // A bare `breakwater` opens the desktop app now (tests/ui/tst_mainwindow.cpp covers it).
    QTest::addRow("--help") << QStringList { QStringLiteral("--help") }
                            << QStringLiteral("Usage: breakwater [COMMAND]");
    QTest::addRow("--version") << QStringList { QStringLiteral("--version") }
                               << QStringLiteral("breakwater 0.");
    QTest::addRow("replay --help") << QStringList { QStringLiteral("replay"), QStringLiteral("--help") }
                                   << QStringLiteral("Usage: breakwater replay [options] TRACE.csv");
    QTest::addRow("replay --version") << QStringList { QStringLiteral("replay"), QStringLiteral("--version") }
                                      << QStringLiteral("breakwater 0.");
}

void tst_ReplayCommand::helpAndVersion()
{
    QFETCH(QStringList, arguments);
    QFETCH(QString, expected);
    const Result r = run(arguments);
    QCOMPARE(r.exitCode, 0);
    QVERIFY2(QString::fromUtf8(r.out).startsWith(expected), r.out.constData());
    QVERIFY(r.err.isEmpty());
}

void tst_ReplayCommand::unwritableOutputLeavesNothing()
{
    const QString trace = write(QStringLiteral("w.csv"), "start_ms,duration_ms,outcome\n0,5,success\n");
    const QString summary = m_dir.filePath(QStringLiteral("w-summary.json"));
    const Result r = run({ QStringLiteral("replay"), trace, QStringLiteral("-p"), QStringLiteral("api"),
        QStringLiteral("--summary"), summary, QStringLiteral("--events"),
        m_dir.filePath(QStringLiteral("no/such/dir/e.jsonl")) });
    QCOMPARE(r.exitCode, 2);
    QVERIFY2(QString::fromUtf8(r.err).contains(QStringLiteral("cannot write")), r.err.constData());
    QVERIFY(!QFile::exists(summary)); // the run stopped before anything was written
    const QStringList left = QDir(m_dir.path()).entryList({ QStringLiteral("w-summary*") }, QDir::Files);
    QVERIFY2(left.isEmpty(), qPrintable(left.join(u',')));
}

QTEST_GUILESS_MAIN(tst_ReplayCommand)
#include "tst_replaycommand.moc"
