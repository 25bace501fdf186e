// A run with live edits can be replayed: its control events carry everything the edit needs,
// and applying them again at their times gives the same run, byte for byte.
#include "resilience/policyloader.h"
#include "resilience/policywriter.h"
#include "run/controlscript.h"
#include "scenario/builtinscenarios.h"
#include "scenario/scenarioloader.h"
#include "telemetry/eventlog.h"

#include <QBuffer>
#include <QJsonDocument>
#include <QTest>

using namespace bw;

namespace {

ScenarioConfig scenario()
{
    LoadError error;
    std::optional<ScenarioConfig> s = loadScenario(QStringLiteral("outage-and-recovery"), &error);
    Q_ASSERT(s);
    return *s;
}

QByteArray record(const std::function<void(ScenarioRun &)> &drive)
{
    ScenarioRun sim(scenario());
    QByteArray bytes;
    QBuffer buffer(&bytes);
    buffer.open(QIODevice::WriteOnly);
    EventLog log;
    log.open(&buffer);
    sim.setEventLog(&log);
    drive(sim);
    sim.runToEnd();
    log.finish();
    return bytes;
}

} // namespace

class TestControlScript : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void policyRoundTrips_data()
    {
        QTest::addColumn<QString>("preset");
        for (const QString &name : ResiliencePolicies::names())
            QTest::addRow("%s", qPrintable(name)) << name;
    }
    void policyRoundTrips()
    {
        QFETCH(QString, preset);
        PolicyConfig p = *ResiliencePolicies::byName(preset);
        p.fallback = FallbackConfig { QVariant(QStringLiteral("cached")), {} };
        if (p.retry)
            p.retry->budget = RetryBudgetConfig { 0.1, 5 };
        p.order = { StageKind::Timeout, StageKind::CircuitBreaker, StageKind::Retry, StageKind::Bulkhead, StageKind::Fallback };
        const QByteArray json = QJsonDocument(policyToJson(p)).toJson();
        LoadError error;
        const std::optional<PolicyConfig> back = parsePolicy(json, QStringLiteral("written.json"), &error);
        QVERIFY2(back, qPrintable(error.toString()));
        QCOMPARE(back->name, p.name);
        QCOMPARE(back->circuitBreaker.has_value(), p.circuitBreaker.has_value());
        if (p.circuitBreaker)
            QVERIFY(*back->circuitBreaker == *p.circuitBreaker);
        QCOMPARE(back->retry->maxAttempts, p.retry->maxAttempts);
        QCOMPARE(back->retry->initialDelay, p.retry->initialDelay);
        QCOMPARE(back->retry->maxDelay, p.retry->maxDelay);
        QCOMPARE(back->retry->backoffMultiplier, p.retry->backoffMultiplier);
        QCOMPARE(back->retry->jitter, p.retry->jitter);
        QCOMPARE(back->retry->retryableErrors, p.retry->retryableErrors);
        QCOMPARE(back->retry->respectRetryAfter, p.retry->respectRetryAfter);
        QVERIFY(back->retry->budget == p.retry->budget);
        QCOMPARE(back->timeout->timeout, p.timeout->timeout);
        QCOMPARE(back->bulkhead->maxConcurrent, p.bulkhead->maxConcurrent);
        QCOMPARE(back->bulkhead->maxQueueSize, p.bulkhead->maxQueueSize);
        QCOMPARE(back->bulkhead->timeout, p.bulkhead->timeout);
        QCOMPARE(back->fallback->value.toString(), QStringLiteral("cached"));
        QList<StageKind> expectedOrder;
        for (StageKind k : p.order)
            if (p.has(k))
                expectedOrder.append(k);
        QCOMPARE(back->order, expectedOrder);
    }

    void runWithEditsReplaysByteForByte()
    {
        const QByteArray original = record([](ScenarioRun &sim) {
            sim.advanceTo(fromMs(10000));
            FaultConfig latency;
            latency.service = QStringLiteral("payments");
            latency.kind = FaultKind::Latency;
            latency.add = fromMs(700);
            latency.jitter = fromMs(100);
            QVERIFY(sim.injectFault(latency, fromMs(8000)));
            sim.advanceTo(fromMs(12500));
            PolicyConfig stricter = sim.pipeline(0).policy();
            stricter.circuitBreaker->failureThreshold = 2;
            stricter.timeout->timeout = fromMs(600);
            QVERIFY(sim.updatePolicy(QStringLiteral("checkout"), stricter));
            sim.advanceTo(fromMs(60000));
            QVERIFY(sim.breakerAction(QStringLiteral("checkout"), BreakerAction::HoldOpen));
            sim.advanceTo(fromMs(65000));
            QVERIFY(sim.breakerAction(QStringLiteral("checkout"), BreakerAction::ForceClose));
            QVERIFY(sim.setArrivalRate(QStringLiteral("checkout"), 80));
            QVERIFY(sim.clearFaults(QStringLiteral("payments"), std::nullopt));
        });
        LoadError error;
        const std::optional<QList<TimedCommand>> controls = parseControls(original, QStringLiteral("original.jsonl"), &error);
        QVERIFY2(controls, qPrintable(error.toString()));
        QCOMPARE(controls->size(), 6);
        const QByteArray replayed = record([&](ScenarioRun &sim) { QCOMPARE(applyControls(sim, *controls), 6); });
        QCOMPARE(replayed.size(), original.size());
        QVERIFY(replayed == original);
        // And the edits mattered: without them the run differs.
        QVERIFY(record([](ScenarioRun &) { }) != original);
    }

    void badControlEvents_data()
    {
        QTest::addColumn<QByteArray>("jsonl");
        QTest::addColumn<int>("line");
        QTest::addColumn<QString>("key");
        QTest::addColumn<QString>("message");
        const QByteArray call = R"({"t_ms":1,"type":"call","operation":"x","index":0,"outcome":"success"})" "\n";
        QTest::addRow("not json") << (call + "{oops\n") << 2 << QString() << QStringLiteral("not a JSON object");
        QTest::addRow("unknown action") << QByteArray(R"({"t_ms":5,"type":"control","action":"explode","target":"x"})") << 1
                                        << QStringLiteral("action") << QStringLiteral("unknown control action 'explode'");
        QTest::addRow("no target") << QByteArray(R"({"t_ms":5,"type":"control","action":"reset"})") << 1 << QStringLiteral("target")
                                   << QStringLiteral("expected a non-empty string");
        QTest::addRow("negative time") << QByteArray(R"({"t_ms":-1,"type":"control","action":"reset","target":"x"})") << 1
                                       << QStringLiteral("t_ms") << QStringLiteral("non-negative number");
        QTest::addRow("bad policy") << QByteArray(R"({"t_ms":5,"type":"control","action":"updatePolicy","target":"x","policy":{"retry":{"maxAtempts":3}}})")
                                    << 1 << QStringLiteral("policy.retry.maxAtempts") << QStringLiteral("did you mean 'maxAttempts'");
        QTest::addRow("bad fault") << QByteArray(R"({"t_ms":5,"type":"control","action":"injectFault","target":"x","fault":"meteor"})")
                                   << 1 << QStringLiteral("fault") << QStringLiteral("expected a fault type");
        // Found by fuzzing (tests/fuzz/regressions/fuzz_controls): numbers beyond what a
        // Duration or an int holds were converted anyway, which is undefined behaviour.
        QTest::addRow("huge fault duration") << QByteArray(R"({"t_ms":5,"type":"control","action":"injectFault","target":"x","fault":"latency","jitterMs":1e70})")
                                             << 1 << QStringLiteral("jitterMs") << QStringLiteral("expected at most");
        QTest::addRow("huge time") << QByteArray(R"({"t_ms":1e300,"type":"control","action":"reset","target":"x"})") << 1
                                   << QStringLiteral("t_ms") << QStringLiteral("expected at most");
        QTest::addRow("huge bulkhead") << QByteArray(R"({"t_ms":5,"type":"control","action":"resizeBulkhead","target":"x","maxConcurrent":1e10,"maxQueueSize":1})")
                                       << 1 << QStringLiteral("maxConcurrent") << QStringLiteral("expected at most");
        // The loaders' limits (docs/formats.md, "Limits") hold for live edits too.
        QTest::addRow("bulkhead past the limit") << QByteArray(R"({"t_ms":5,"type":"control","action":"resizeBulkhead","target":"x","maxConcurrent":1000001,"maxQueueSize":1})")
                                                 << 1 << QStringLiteral("maxConcurrent") << QStringLiteral("expected at most 1000000");
        QTest::addRow("bulkhead without slots") << QByteArray(R"({"t_ms":5,"type":"control","action":"resizeBulkhead","target":"x","maxConcurrent":0,"maxQueueSize":1})")
                                                << 1 << QStringLiteral("maxConcurrent") << QStringLiteral("expected a number >= 1");
        QTest::addRow("arrival rate past the limit") << QByteArray(R"({"t_ms":5,"type":"control","action":"setArrivalRate","target":"o","rate":1e300})")
                                                     << 1 << QStringLiteral("rate") << QStringLiteral("expected at most 1000000");
        QTest::addRow("fault rate above 1") << QByteArray(R"({"t_ms":5,"type":"control","action":"injectFault","target":"x","fault":"errors","rate":5})")
                                            << 1 << QStringLiteral("rate") << QStringLiteral("expected at most 1");
        QTest::addRow("rate limit past the limit") << QByteArray(R"({"t_ms":5,"type":"control","action":"injectFault","target":"x","fault":"rateLimit","rps":1e9})")
                                                   << 1 << QStringLiteral("rps") << QStringLiteral("expected at most 1000000");
        QTest::addRow("brownout past the limit") << QByteArray(R"({"t_ms":5,"type":"control","action":"injectFault","target":"x","fault":"brownout","capacity":1e12})")
                                                 << 1 << QStringLiteral("capacity") << QStringLiteral("expected at most 1000000");
        QTest::addRow("time past a day") << QByteArray(R"({"t_ms":86400001,"type":"control","action":"reset","target":"x"})") << 1
                                         << QStringLiteral("t_ms") << QStringLiteral("expected at most 86400000");
        QTest::addRow("fault duration not a number") << QByteArray(R"({"t_ms":5,"type":"control","action":"injectFault","target":"x","fault":"outage","upMs":"soon"})")
                                                     << 1 << QStringLiteral("upMs") << QStringLiteral("non-negative number");
        QTest::addRow("out of order") << QByteArray(R"({"t_ms":9,"type":"control","action":"reset","target":"x"})" "\n"
                                                    R"({"t_ms":5,"type":"control","action":"reset","target":"x"})")
                                      << 2 << QStringLiteral("t_ms") << QStringLiteral("out of time order");
    }
    void badControlEvents()
    {
        QFETCH(QByteArray, jsonl);
        QFETCH(int, line);
        QFETCH(QString, key);
        QFETCH(QString, message);
        LoadError error;
        QVERIFY(!parseControls(jsonl, QStringLiteral("events.jsonl"), &error));
        QCOMPARE(error.file, QStringLiteral("events.jsonl"));
        QCOMPARE(error.line, line);
        QCOMPARE(error.key, key);
        QVERIFY2(error.message.contains(message), qPrintable(error.toString()));
    }
};

QTEST_GUILESS_MAIN(TestControlScript)
#include "tst_controlscript.moc"
