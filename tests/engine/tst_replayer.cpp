#include "run/scenariorun.h"
#include "resilience/policyloader.h"
#include "telemetry/eventlog.h"
#include "telemetry/summary.h"

#include <QBuffer>
#include <QTest>

#include <map>

using namespace bw;

namespace {

Duration ms(qint64 v)
{
    return fromMs(static_cast<std::int64_t>(v));
}

Trace trace(const QByteArray &csv)
{
    LoadError error;
    auto t = TraceReader::parse(csv, QStringLiteral("incident.csv"), &error);
    if (!t)
        qFatal("bad test trace: %s", qPrintable(error.toString()));
    return std::move(*t);
}

PolicyConfig policy(const char *json)
{
    LoadError error;
    auto p = parsePolicy(QByteArray(json), QStringLiteral("svc.json"), &error);
    if (!p)
        qFatal("bad test policy: %s", qPrintable(error.toString()));
    return std::move(*p);
}

struct CallRecord
{
    Outcome outcome;
    int attempts;
    Duration latency;
    TimePoint at;
    ErrorCode code;
};

struct Transition
{
    TimePoint at;
    CircuitState from, to;
    TransitionReason reason;
};

struct RetryRecord
{
    std::uint64_t tag;
    int retry;
    Duration delay;
    TimePoint at;
};

// Records what tests compare against hand-computed expectations.
class Recorder final : public TelemetrySink
{
public:
    std::map<std::uint64_t, CallRecord> calls;
    std::vector<Transition> transitions;
    std::vector<RetryRecord> retries;
    std::size_t maxPendingTimers = 0;
    VirtualScheduler *scheduler = nullptr;

    void onCallFinished(const CallReport &r) override
    {
        if (calls.count(r.tag))
            qFatal("call %llu ended twice", static_cast<unsigned long long>(r.tag));
        calls[r.tag]
            = CallRecord { r.outcome, r.attempts, r.latency, r.at, r.error ? r.error->code : ErrorCode() };
        if (scheduler)
            maxPendingTimers = std::max(maxPendingTimers, scheduler->pendingTimers());
    }
    void onRetry(const RetryReport &r) override { retries.push_back({ r.tag, r.retry, r.delay, r.at }); }
    void onStateChange(const CircuitStateChange &c) override
    {
        transitions.push_back({ c.at, c.previousState, c.currentState, c.reason });
    }
};

// A trace replayed as `breakwater replay` replays it: the scenario of one trace operation
// (traceScenario) run to the trace's end.
class Replayer
{
public:
    Replayer(const Trace &trace, const PolicyConfig &policy, std::uint64_t seed = 0)
        : m_run(traceScenario(std::make_shared<const Trace>(trace), policy), seed)
    { }
    void addSink(TelemetrySink *sink) { m_run.addSink(sink); }
    void setSummary(Summary *summary) { m_run.setSummary(summary); }
    void setEventLog(EventLog *events) { m_run.setEventLog(events); }
    void run() { m_run.runToEnd(); }
    TimePoint end() const { return m_run.now(); }
    const BackendService::Stats &backend() { return m_run.service(0).stats(); }
    const QString &operationName() const { return m_run.operationConfig(0).name; }
    const QString &serviceName() { return m_run.service(0).name(); }
    Pipeline &pipeline() { return m_run.pipeline(0); }
    VirtualScheduler &scheduler() { return static_cast<VirtualScheduler &>(m_run.scheduler()); }

private:
    ScenarioRun m_run;
};

struct Run
{
    QByteArray events;
    QByteArray summary;
    Summary summaryObject;
};

// The whole replay as the command runs it, with the events captured in memory.
std::unique_ptr<Run> replay(const Trace &t, const PolicyConfig &p, std::uint64_t seed = 0)
{
    auto run = std::make_unique<Run>();
    QBuffer buffer(&run->events);
    buffer.open(QIODevice::WriteOnly);
    EventLog log;
    log.open(&buffer);
    Replayer replayer(t, p, seed);
    replayer.setEventLog(&log);
    replayer.setSummary(&run->summaryObject);
    replayer.run();
    if (!log.finish())
        qFatal("event log failed");
    run->summaryObject.setEvents(log.count(), log.sha256Hex());
    run->summary = run->summaryObject.toJsonBytes();
    return run;
}

const char *BreakerOnly
    = R"({"name": "svc", "circuitBreaker": {"failureThreshold": 5, "failureRateThreshold": 0,
    "successThreshold": 2, "resetTimeout": 1000, "timeout": 0}})";

} // namespace

class tst_Replayer : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void breakerOpensAndCloses();
    void rowsWhileOpenNeverReachTheBackend();
    void longRowBecomesTimeout();
    void breakerCallTimeout();
    void retriesTakeTheLatestRowsOutcome();
    void firstAttemptUsesItsOwnRow();
    void bulkheadRejects();
    void fallbackReplacesFailures();
    void overlappingRowsRunConcurrently();
    void emptyTrace();
    void namesComeFromPolicyAndTrace();
    void exampleIncidentOpensAndClosesTheBreaker();
    void conservation();
    void deterministic();
    void memoryDoesNotGrowWithTheTrace();
};

void tst_Replayer::breakerOpensAndCloses()
{
    // Five consecutive failures open the breaker when the fifth ends (410); rows at 500 and 600
    // are rejected; HALF_OPEN after resetTimeout (1410); two successful trials close it (1610).
    const Trace t = trace("start_ms,duration_ms,outcome,code\n"
                          "0,10,failure,503\n"
                          "100,10,failure,503\n"
                          "200,10,failure,503\n"
                          "300,10,failure,503\n"
                          "400,10,failure,503\n"
                          "500,10,success\n"
                          "600,10,success\n"
                          "1500,10,success\n"
                          "1600,10,success\n"
                          "1700,10,success\n");
    Replayer r(t, policy(BreakerOnly));
    Recorder rec;
    Summary summary;
    r.addSink(&rec);
    r.setSummary(&summary);
    r.run();

    QCOMPARE(rec.transitions.size(), size_t(3));
    QCOMPARE(rec.transitions[0].at, ms(410));
    QCOMPARE(rec.transitions[0].from, CircuitState::Closed);
    QCOMPARE(rec.transitions[0].to, CircuitState::Open);
    QCOMPARE(rec.transitions[0].reason, TransitionReason::FailureThreshold);
    QCOMPARE(rec.transitions[1].at, ms(1410));
    QCOMPARE(rec.transitions[1].to, CircuitState::HalfOpen);
    QCOMPARE(rec.transitions[1].reason, TransitionReason::ResetTimeout);
    QCOMPARE(rec.transitions[2].at, ms(1610));
    QCOMPARE(rec.transitions[2].to, CircuitState::Closed);
    QCOMPARE(rec.transitions[2].reason, TransitionReason::SuccessThreshold);

    for (std::uint64_t i = 0; i < 5; ++i) {
        QCOMPARE(rec.calls[i].outcome, Outcome::Failure);
        QCOMPARE(rec.calls[i].code, ErrorCode::httpStatus(503));
        QCOMPARE(rec.calls[i].latency, ms(10));
    }
    QCOMPARE(rec.calls[5].outcome, Outcome::CircuitOpen);
    QCOMPARE(rec.calls[5].at, ms(500));
    QCOMPARE(rec.calls[5].attempts, 0);
    QCOMPARE(rec.calls[5].latency, ms(0));
    QCOMPARE(rec.calls[6].outcome, Outcome::CircuitOpen);
    for (std::uint64_t i = 7; i < 10; ++i)
        QCOMPARE(rec.calls[i].outcome, Outcome::Success);

    QCOMPARE(r.end(), ms(1710));
    const BreakerSummary &b = summary.breakers().at(QStringLiteral("svc"));
    QCOMPARE(b.transitions.size(), size_t(3));
    QCOMPARE(b.rejected, 2);
    QCOMPARE(b.timeInState[size_t(CircuitState::Closed)], ms(410 + 100));
    QCOMPARE(b.timeInState[size_t(CircuitState::Open)], ms(1000));
    QCOMPARE(b.timeInState[size_t(CircuitState::HalfOpen)], ms(200));
}

void tst_Replayer::rowsWhileOpenNeverReachTheBackend()
{
    const Trace t = trace("start_ms,duration_ms,outcome\n"
                          "0,10,failure\n10,10,failure\n20,10,failure\n30,10,failure\n40,10,failure\n"
                          "100,10,failure\n200,10,failure\n300,10,failure\n");
    Replayer r(t, policy(BreakerOnly));
    Summary summary;
    r.setSummary(&summary);
    r.run();
    // 5 reached the backend and failed (the breaker opened at 50); the last three were rejected.
    QCOMPARE(r.backend().received, 5);
    QCOMPARE(r.backend().errorsServed, 5);
    const ServiceSummary &s = summary.services().at(QStringLiteral("incident"));
    QCOMPARE(s.requestsReceived, 5);
    QCOMPARE(s.errorsServed, 5);
    const OperationSummary &op = summary.operations().at(QStringLiteral("svc"));
    QCOMPARE(op.count(Outcome::Failure), 5);
    QCOMPARE(op.count(Outcome::CircuitOpen), 3);
    QCOMPARE(op.attempts, 5);
    QCOMPARE(op.offered, 8);
}

void tst_Replayer::longRowBecomesTimeout()
{
    const Trace t = trace("start_ms,duration_ms,outcome\n0,250,success\n1000,99,success\n2000,100,failure\n");
    Replayer r(t, policy(R"({"timeout": 100})"));
    Recorder rec;
    r.addSink(&rec);
    r.run();
    QCOMPARE(rec.calls[0].outcome, Outcome::Timeout);
    QCOMPARE(rec.calls[0].code, ErrorCode::Timeout);
    QCOMPARE(rec.calls[0].latency, ms(100));
    QCOMPARE(rec.calls[0].at, ms(100));
    QCOMPARE(rec.calls[1].outcome, Outcome::Success);
    QCOMPARE(rec.calls[1].latency, ms(99));
    // A row exactly as long as the limit times out: the timeout stage sets its timer before the
    // operation starts, and timers due at the same instant run in the order they were set.
    QCOMPARE(rec.calls[2].outcome, Outcome::Timeout);
    // The timed-out answers were dropped: nothing was served, nothing is pending.
    QCOMPARE(r.backend().received, 3);
    QCOMPARE(r.backend().errorsServed, 0);
    QCOMPARE(r.backend().inService, 0);
    QCOMPARE(r.end(), ms(2100));
}

void tst_Replayer::breakerCallTimeout()
{
    // The breaker's own call limit: CIRCUIT_TIMEOUT, a timeout outcome, counted as a failure.
    const Trace t = trace("start_ms,duration_ms,outcome\n0,500,success\n1000,500,success\n2000,10,success\n");
    Replayer r(t,
        policy(
            R"({"name": "b", "circuitBreaker": {"failureThreshold": 2, "timeout": 300, "resetTimeout": 5000}})"));
    Recorder rec;
    r.addSink(&rec);
    r.run();
    QCOMPARE(rec.calls[0].outcome, Outcome::Timeout);
    QCOMPARE(rec.calls[0].code, ErrorCode::CircuitTimeout);
    QCOMPARE(rec.calls[0].latency, ms(300));
    QCOMPARE(rec.calls[1].outcome, Outcome::Timeout);
    QCOMPARE(rec.transitions.size(), size_t(1));
    QCOMPARE(rec.transitions[0].at, ms(1300));
    QCOMPARE(rec.calls[2].outcome, Outcome::CircuitOpen);
}

void tst_Replayer::retriesTakeTheLatestRowsOutcome()
{
    // Row 0 fails at 10; its retry at 110 gets row 1 (started 100: 30 ms, 503) and fails at 140;
    // its second retry at 340 gets row 2 (started 300: success in 15 ms) and succeeds at 355.
    // Row 1 fails at 130; its retry at 230 still gets row 1 (the latest started by then) and fails
    // at 260; its second retry at 460 gets row 2 and succeeds at 475.
    const Trace t = trace("start_ms,duration_ms,outcome,code\n"
                          "0,10,failure,503\n"
                          "100,30,failure,503\n"
                          "300,15,success\n");
    Replayer r(t, policy(R"({"retry": {"maxAttempts": 3, "initialDelay": 100, "backoffMultiplier": 2,
                                       "jitter": false, "retryableErrors": ["503"]}})"));
    Recorder rec;
    Summary summary;
    r.addSink(&rec);
    r.setSummary(&summary);
    r.run();

    QCOMPARE(rec.calls[0].outcome, Outcome::Success);
    QCOMPARE(rec.calls[0].attempts, 3);
    QCOMPARE(rec.calls[0].latency, ms(355));
    QCOMPARE(rec.calls[1].outcome, Outcome::Success);
    QCOMPARE(rec.calls[1].attempts, 3);
    QCOMPARE(rec.calls[1].latency, ms(375));
    QCOMPARE(rec.calls[2].outcome, Outcome::Success);
    QCOMPARE(rec.calls[2].attempts, 1);
    QCOMPARE(rec.calls[2].latency, ms(15));

    QCOMPARE(rec.retries.size(), size_t(4));
    const std::vector<std::tuple<std::uint64_t, int, qint64, qint64>> expected { { 0, 1, 100, 10 },
        { 1, 1, 100, 130 }, { 0, 2, 200, 140 }, { 1, 2, 200, 260 } };
    for (size_t i = 0; i < expected.size(); ++i) {
        const auto &[tag, retry, delay, at] = expected[i];
        QCOMPARE(rec.retries[i].tag, tag);
        QCOMPARE(rec.retries[i].retry, retry);
        QCOMPARE(rec.retries[i].delay, ms(delay));
        QCOMPARE(rec.retries[i].at, ms(at));
    }
    QCOMPARE(r.backend().received, 7); // retry amplification: 3 rows, 7 requests
    QCOMPARE(r.backend().errorsServed, 4);
    QCOMPARE(summary.operations().at(QStringLiteral("svc")).retries, 4);
    QCOMPARE(r.end(), ms(475));
}

void tst_Replayer::firstAttemptUsesItsOwnRow()
{
    // Two rows start together: each first attempt answers as its own row, not as "the latest".
    const Trace t = trace("start_ms,duration_ms,outcome,code\n0,10,failure,503\n0,20,success\n");
    Replayer r(t, policy("{}"));
    Recorder rec;
    r.addSink(&rec);
    r.run();
    QCOMPARE(rec.calls[0].outcome, Outcome::Failure);
    QCOMPARE(rec.calls[0].latency, ms(10));
    QCOMPARE(rec.calls[1].outcome, Outcome::Success);
    QCOMPARE(rec.calls[1].latency, ms(20));
}

void tst_Replayer::bulkheadRejects()
{
    // One slot, one queue place, 50 ms queue wait. Row 0 runs 0–100. Row 1 queues at 10 and times
    // out at 60. Row 2 queues at 70 and gets the slot when row 0 ends (100), ending at 110. Row 3
    // arrives at 75 while row 2 holds the only queue place: rejected.
    const Trace t
        = trace("start_ms,duration_ms,outcome\n0,100,success\n10,10,success\n70,10,success\n75,10,success\n");
    Replayer r(
        t, policy(R"({"name": "bh", "bulkhead": {"maxConcurrent": 1, "maxQueueSize": 1, "timeout": 50}})"));
    Recorder rec;
    Summary summary;
    r.addSink(&rec);
    r.setSummary(&summary);
    r.run();
    QCOMPARE(rec.calls[0].outcome, Outcome::Success);
    QCOMPARE(rec.calls[1].outcome, Outcome::BulkheadTimeout);
    QCOMPARE(rec.calls[1].at, ms(60));
    QCOMPARE(rec.calls[2].outcome, Outcome::Success);
    QCOMPARE(rec.calls[2].at, ms(110));
    QCOMPARE(rec.calls[2].latency, ms(40));
    QCOMPARE(rec.calls[3].outcome, Outcome::BulkheadFull);
    QCOMPARE(r.backend().received, 2);
    const BulkheadSummary &b = summary.bulkheads().at(QStringLiteral("bh"));
    QCOMPARE(b.peakActive, 1);
    QCOMPARE(b.peakQueued, 1);
    QCOMPARE(b.rejected, 1);
    QCOMPARE(b.timeouts, 1);
}

void tst_Replayer::fallbackReplacesFailures()
{
    const Trace t = trace("start_ms,duration_ms,outcome\n0,10,failure\n20,10,success\n");
    auto run = replay(t, policy(R"({"fallback": {"value": "cached"}})"));
    const OperationSummary &op = run->summaryObject.operations().at(QStringLiteral("svc"));
    QCOMPARE(op.count(Outcome::Fallback), 1);
    QCOMPARE(op.count(Outcome::Success), 1);
    QCOMPARE(op.count(Outcome::Failure), 0);
    const QList<QByteArray> lines = run->events.trimmed().split('\n');
    QCOMPARE(lines.size(), 3);
    QCOMPARE(
        lines[0], QByteArray(R"({"t_ms":10,"type":"fallback","operation":"svc","index":0,"code":"500"})"));
    QCOMPARE(lines[1],
        QByteArray(
            R"({"t_ms":10,"type":"call","operation":"svc","index":0,"outcome":"fallback","attempts":1,)"
            R"("latency_ms":10,"code":"500","attributes":{"resilience.operation":"svc","retry.attempt":1,)"
            R"("timeout.exceeded":false}})"));
}

void tst_Replayer::overlappingRowsRunConcurrently()
{
    const Trace t = trace("start_ms,duration_ms,outcome\n0,1000,success\n1,1000,success\n2,1000,success\n");
    Replayer r(t, policy("{}"));
    Recorder rec;
    r.addSink(&rec);
    r.run();
    QCOMPARE(rec.calls[0].at, ms(1000));
    QCOMPARE(rec.calls[1].at, ms(1001));
    QCOMPARE(rec.calls[2].at, ms(1002));
    QCOMPARE(r.end(), ms(1002));
}

void tst_Replayer::emptyTrace()
{
    const Trace t = trace("start_ms,duration_ms,outcome\n");
    auto run = replay(t, policy(BreakerOnly));
    QVERIFY(run->events.isEmpty());
    QCOMPARE(run->summaryObject.operations().at(QStringLiteral("svc")).offered, 0);
    QVERIFY(run->summaryObject.isConserved());
}

void tst_Replayer::namesComeFromPolicyAndTrace()
{
    const Trace t = trace("start_ms,duration_ms,outcome\n0,1,success\n");
    PolicyConfig p = policy(R"({"name": "payments", "circuitBreaker": true, "bulkhead": true})");
    Replayer r(t, p);
    QCOMPARE(r.operationName(), QStringLiteral("payments"));
    QCOMPARE(r.serviceName(), QStringLiteral("incident"));
    QCOMPARE(r.pipeline().circuitBreaker()->name(), QStringLiteral("payments"));
    p.name.clear();
    Replayer unnamed(t, p);
    QCOMPARE(unnamed.operationName(), QStringLiteral("replay"));
}

void tst_Replayer::exampleIncidentOpensAndClosesTheBreaker()
{
    const QString source = qEnvironmentVariable("BREAKWATER_SOURCE_DIR");
    if (source.isEmpty())
        QSKIP("BREAKWATER_SOURCE_DIR is not set (run through ctest)");
    LoadError error;
    const auto t
        = TraceReader::loadFile(source + QStringLiteral("/resources/traces/example-incident.csv"), &error);
    QVERIFY2(t, qPrintable(error.toString()));
    const auto p = bw::loadPolicyFile(source + QStringLiteral("/resources/policies/payments.json"), &error);
    QVERIFY2(p, qPrintable(error.toString()));
    Replayer r(*t, *p);
    Recorder rec;
    r.addSink(&rec);
    r.run();
    QVERIFY(rec.transitions.size() >= 3);
    QCOMPARE(rec.transitions.front().to, CircuitState::Open);
    QCOMPARE(rec.transitions.back().to, CircuitState::Closed);
    // The burst is between 60 s and 90 s of the trace.
    QVERIFY(rec.transitions.front().at >= ms(60000));
    QVERIFY(rec.transitions.back().at >= ms(90000));
    QCOMPARE(rec.calls.size(), t->rows.size());
}

void tst_Replayer::conservation()
{
    // Every row ends exactly once (the Recorder fails on a second end) under a policy with
    // every stage, and offered = the sum of outcomes.
    QByteArray csv = "start_ms,duration_ms,outcome,code\n";
    std::uint64_t x = 12345;
    for (int i = 0; i < 5000; ++i) {
        x = x * 6364136223846793005ull + 1442695040888963407ull;
        const int duration = int((x >> 33) % 400);
        const bool fail = ((x >> 20) % 100) < (i > 2000 && i < 3000 ? 70 : 5);
        csv += QByteArray::number(i * 7) + ',' + QByteArray::number(duration)
            + (fail ? ",failure,503\n" : ",success,\n");
    }
    const Trace t = trace(csv);
    const PolicyConfig p
        = policy(R"({"name": "all", "circuitBreaker": {"failureThreshold": 5, "resetTimeout": 2000,
        "successThreshold": 2, "volumeThreshold": 20, "timeout": 350, "windowType": "count", "windowSize": 50},
        "retry": {"maxAttempts": 3, "initialDelay": 20, "retryableErrors": ["503", "TIMEOUT"]},
        "timeout": 300, "bulkhead": {"maxConcurrent": 20, "maxQueueSize": 5, "timeout": 30},
        "fallback": {"value": 0}, "order": ["retry", "circuitBreaker", "bulkhead", "timeout", "fallback"]})");
    Replayer r(t, p, 7);
    Recorder rec;
    Summary summary;
    r.addSink(&rec);
    r.setSummary(&summary);
    r.run();
    QCOMPARE(rec.calls.size(), t.rows.size());
    QVERIFY(summary.isConserved());
    const OperationSummary &op = summary.operations().at(QStringLiteral("all"));
    QCOMPARE(op.offered, std::int64_t(t.rows.size()));
    QCOMPARE(op.ended(), op.offered);
    QCOMPARE(summary.services().at(QStringLiteral("incident")).requestsReceived, op.attempts);
    const QJsonObject totals = summary.toJson().value(QStringLiteral("totals")).toObject();
    QCOMPARE(totals.value(QStringLiteral("conserved")).toBool(), true);
    QCOMPARE(totals.value(QStringLiteral("offered")).toInteger(), qint64(t.rows.size()));
    QVERIFY(!summary.breakers().at(QStringLiteral("all")).transitions.empty());
    QCOMPARE(r.backend().inService, 0);
    QCOMPARE(r.pipeline().callsInFlight(), 0);
}

void tst_Replayer::deterministic()
{
    QByteArray csv = "start_ms,duration_ms,outcome,code\n";
    for (int i = 0; i < 2000; ++i)
        csv += QByteArray::number(i * 13) + ',' + QByteArray::number((i * 37) % 700)
            + (i % 7 == 3 || (i > 800 && i < 1000) ? ",failure,503\n" : ",success,\n");
    const Trace t = trace(csv);
    const PolicyConfig p
        = policy(R"({"policy": "api", "name": "det", "retry": {"maxAttempts": 3, "initialDelay": 50,
        "retryableErrors": ["503"], "jitter": true}, "timeout": 500, "circuitBreaker": {"resetTimeout": 3000},
        "bulkhead": {"maxConcurrent": 30, "maxQueueSize": 10, "timeout": 100}})");
    const auto a = replay(t, p, 42);
    const auto b = replay(t, p, 42);
    QVERIFY(!a->events.isEmpty());
    QCOMPARE(a->events, b->events);
    QCOMPARE(a->summary, b->summary);
    QCOMPARE(QCryptographicHash::hash(a->events, QCryptographicHash::Sha256).toHex(),
        a->summaryObject.toJson().value(QStringLiteral("eventsSha256")).toString().toLatin1());
    // The seed moves the retry jitter, and so the events.
    const auto c = replay(t, p, 43);
    QVERIFY(a->events != c->events);
}

void tst_Replayer::memoryDoesNotGrowWithTheTrace()
{
    // 200 000 rows 10 ms apart, each 5 ms long: at most one call in flight, so the scheduler never
    // holds more than a handful of timers, which shows arrivals are not all scheduled up front.
    Trace t;
    t.fileName = QStringLiteral("long.csv");
    t.rows.reserve(200000);
    for (int i = 0; i < 200000; ++i)
        t.rows.push_back(TraceRow {
            ms(qint64(i) * 10), ms(5), i % 3 ? ErrorCode() : ErrorCode::httpStatus(503), i % 3 != 0 });
    Replayer r(t,
        policy(
            R"({"timeout": 100, "circuitBreaker": {"failureThreshold": 0, "failureRateThreshold": 0.9}})"));
    Recorder rec;
    rec.scheduler = &r.scheduler();
    Summary summary;
    r.addSink(&rec);
    r.setSummary(&summary);
    r.run();
    QCOMPARE(rec.calls.size(), t.rows.size());
    QVERIFY2(rec.maxPendingTimers <= 4, qPrintable(QString::number(rec.maxPendingTimers)));
    QVERIFY(summary.isConserved());
}

QTEST_GUILESS_MAIN(tst_Replayer)
#include "tst_replayer.moc"
