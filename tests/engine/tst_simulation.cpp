#include "sim/simulation.h"
#include "telemetry/eventlog.h"
#include "telemetry/summary.h"

#include <QBuffer>
#include <QTest>

#include <algorithm>
#include <cmath>
#include <functional>

using namespace bw;

namespace {

ScenarioConfig outageScenario()
{
    ScenarioConfig s;
    s.name = QStringLiteral("outage");
    s.duration = fromMs(120000);
    s.seed = 42;
    ServiceConfig payments;
    payments.name = QStringLiteral("payments");
    payments.capacity = 100;
    payments.latency.kind = LatencyKind::Fixed;
    payments.latency.fixed = fromMs(40);
    s.services.append(payments);
    OperationConfig checkout;
    checkout.name = QStringLiteral("checkout");
    checkout.service = QStringLiteral("payments");
    checkout.rate.rate = 50;
    checkout.arrival = ArrivalKind::Constant;
    checkout.policyName = QStringLiteral("strict");
    PolicyConfig strict;
    CircuitBreakerConfig b;
    b.failureThreshold = 3;
    b.failureRateThreshold = 0;
    b.slowCallRateThreshold = 0;
    b.resetTimeout = fromMs(5000);
    b.successThreshold = 2;
    b.timeout = Duration::zero();
    strict.circuitBreaker = b;
    checkout.policy = strict;
    s.operations.append(checkout);
    FaultConfig outage;
    outage.service = QStringLiteral("payments");
    outage.kind = FaultKind::Outage;
    outage.at = fromMs(30000);
    outage.until = fromMs(50000);
    s.faults.append(outage);
    return s;
}

struct Transitions final : TelemetrySink
{
    QList<std::tuple<double, CircuitState, TransitionReason>> seen;
    void onStateChange(const CircuitStateChange &c) override { seen.append({ toMs(c.at), c.currentState, c.reason }); }
};

struct CallRecord
{
    double startMs;
    Outcome outcome;
    double latencyMs;
    QString code;
    std::optional<Duration> retryAfter;
};

// Keeps every call with the time it was offered (end time − latency).
struct CallRecorder final : TelemetrySink
{
    QList<CallRecord> calls;
    void onCallFinished(const CallReport &r) override
    {
        calls.append({ toMs(r.at - r.latency), r.outcome, toMs(r.latency), r.error ? r.error->code.toString() : QString(),
                       r.error ? r.error->retryAfter : std::nullopt });
    }
    QList<CallRecord> between(double fromMs, double toMs) const
    {
        QList<CallRecord> out;
        for (const CallRecord &c : calls)
            if (c.startMs >= fromMs && c.startMs < toMs)
                out.append(c);
        return out;
    }
    static double share(const QList<CallRecord> &calls, const std::function<bool(const CallRecord &)> &pred)
    {
        return calls.isEmpty() ? 0 : double(std::count_if(calls.begin(), calls.end(), pred)) / double(calls.size());
    }
};

// One service (capacity 100, 10 ms), 100 calls/s at constant spacing, no policy unless given,
// 20 s long, with one fault from 5 s to 15 s.
ScenarioConfig faultScenario(FaultConfig fault, double rate = 100)
{
    ScenarioConfig s;
    s.name = QStringLiteral("fault");
    s.duration = fromMs(20000);
    ServiceConfig service;
    service.name = QStringLiteral("svc");
    service.capacity = 100;
    service.latency.kind = LatencyKind::Fixed;
    service.latency.fixed = fromMs(10);
    s.services.append(service);
    OperationConfig op;
    op.name = QStringLiteral("op");
    op.service = service.name;
    op.rate.rate = rate;
    op.arrival = ArrivalKind::Constant;
    s.operations.append(op);
    fault.service = service.name;
    fault.at = fromMs(5000);
    fault.until = fromMs(15000);
    s.faults.append(fault);
    return s;
}

} // namespace

class TestSimulation : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    // Constant arrivals every 20 ms (the first at 20 ms), 40 ms service, an outage from 30 s to
    // 50 s, a breaker that opens after 3 consecutive failures, reopens on a failed trial, waits
    // 5 s in OPEN and closes after 2 successful trials. Every transition time follows by hand.
    void breakerTransitionsComputedByHand()
    {
        Simulation sim(outageScenario());
        Transitions t;
        sim.addSink(&t);
        sim.runToEnd();
        // From 30000 arrivals fail at once (ECONNREFUSED), but calls sent at 29960 and 29980
        // still succeed at 30000 and 30020 (before the arrival due at the same instant, as they
        // were scheduled first), resetting the count: failures at 30020, 30040, 30060 open it.
        // The reset timer (set at 30060) fires before the arrival due at 35060, which is then
        // a trial, fails at once and reopens: likewise at 40060 and 45060. At 50060 the outage is
        // over: trials at 50060 and 50080 succeed 40 ms later, CLOSED at 50120.
        using S = CircuitState;
        using R = TransitionReason;
        const QList<std::tuple<double, CircuitState, TransitionReason>> expected {
            { 30060, S::Open, R::FailureThreshold }, { 35060, S::HalfOpen, R::ResetTimeout },
            { 35060, S::Open, R::HalfOpenFailure },  { 40060, S::HalfOpen, R::ResetTimeout },
            { 40060, S::Open, R::HalfOpenFailure },  { 45060, S::HalfOpen, R::ResetTimeout },
            { 45060, S::Open, R::HalfOpenFailure },  { 50060, S::HalfOpen, R::ResetTimeout },
            { 50120, S::Closed, R::SuccessThreshold },
        };
        QCOMPARE(t.seen, expected);
        QCOMPARE(sim.offered(0), 5999); // every 20 ms from 20 ms to 119980 ms
    }


    // Each fault type, alone, does what formats.md says while it lasts, and nothing after.
    void outageFailsAtOnce()
    {
        FaultConfig f;
        f.kind = FaultKind::Outage;
        Simulation sim(faultScenario(f));
        CallRecorder rec;
        sim.addSink(&rec);
        sim.runToEnd();
        const auto during = rec.between(5000, 15000);
        QCOMPARE(during.size(), 1000);
        QCOMPARE(CallRecorder::share(during, [](const CallRecord &c) { return c.code == u"ECONNREFUSED" && c.latencyMs == 0; }), 1.0);
        QCOMPARE(CallRecorder::share(rec.between(15000, 19990), [](const CallRecord &c) { return c.outcome == Outcome::Success; }), 1.0);
    }

    void errorsAtTheirRate()
    {
        FaultConfig f;
        f.kind = FaultKind::Errors;
        f.rate = 0.3;
        f.code = QStringLiteral("503");
        Simulation sim(faultScenario(f));
        CallRecorder rec;
        sim.addSink(&rec);
        sim.runToEnd();
        const double failed = CallRecorder::share(rec.between(5000, 15000), [](const CallRecord &c) { return c.code == u"503"; });
        QVERIFY2(failed > 0.26 && failed < 0.34, qPrintable(QString::number(failed)));
        QCOMPARE(CallRecorder::share(rec.between(0, 5000), [](const CallRecord &c) { return c.outcome == Outcome::Success; }), 1.0);
    }

    void latencyAdds()
    {
        FaultConfig f;
        f.kind = FaultKind::Latency;
        f.add = fromMs(100);
        f.jitter = fromMs(20);
        Simulation sim(faultScenario(f));
        CallRecorder rec;
        sim.addSink(&rec);
        sim.runToEnd();
        for (const CallRecord &c : rec.between(5000, 15000))
            QVERIFY2(c.latencyMs >= 110 && c.latencyMs <= 130, qPrintable(QString::number(c.latencyMs)));
        for (const CallRecord &c : rec.between(15000, 19990))
            QCOMPARE(c.latencyMs, 10.0);
    }

    void hangsUntilTheCallerGivesUp()
    {
        FaultConfig f;
        f.kind = FaultKind::Hang;
        f.rate = 0.5;
        ScenarioConfig s = faultScenario(f);
        s.operations[0].policy.timeout = TimeoutConfig { fromMs(250), std::nullopt, {} };
        // A server that notices the caller left frees the hung worker then (with the default,
        // served, it stays stuck until the fault ends: tst_simulatedservice).
        s.services[0].abandoned = AbandonedRequests::Dropped;
        Simulation sim(s);
        CallRecorder rec;
        sim.addSink(&rec);
        sim.runToEnd();
        const auto during = rec.between(5000, 15000);
        const double timedOut = CallRecorder::share(during, [](const CallRecord &c) { return c.outcome == Outcome::Timeout && c.latencyMs == 250; });
        QVERIFY2(timedOut > 0.45 && timedOut < 0.55, qPrintable(QString::number(timedOut)));
        QCOMPARE(timedOut + CallRecorder::share(during, [](const CallRecord &c) { return c.outcome == Outcome::Success; }), 1.0);
        QCOMPARE(sim.service(0).stats().inService, 0); // every hung request was released when its caller left
    }

    void rateLimitAnswers429WithRetryAfter()
    {
        FaultConfig f;
        f.kind = FaultKind::RateLimit;
        f.rps = 20;
        f.retryAfter = fromMs(1500);
        Simulation sim(faultScenario(f));
        CallRecorder rec;
        sim.addSink(&rec);
        sim.runToEnd();
        const auto steady = rec.between(6000, 15000); // after the first second's full bucket
        const double admitted = CallRecorder::share(steady, [](const CallRecord &c) { return c.outcome == Outcome::Success; });
        QVERIFY2(admitted > 0.18 && admitted < 0.22, qPrintable(QString::number(admitted)));
        for (const CallRecord &c : steady)
            if (c.outcome != Outcome::Success)
                QVERIFY(c.code == u"429" && c.retryAfter == fromMs(1500));
    }

    void flappingFollowsItsPhases()
    {
        FaultConfig f;
        f.kind = FaultKind::Flapping;
        f.up = fromMs(2000);
        f.down = fromMs(1000);
        Simulation sim(faultScenario(f));
        CallRecorder rec;
        sim.addSink(&rec);
        sim.runToEnd();
        // From 5 s: up 2 s, down 1 s, repeated until 15 s.
        for (const CallRecord &c : rec.between(5000, 15000)) {
            const bool down = std::fmod(c.startMs - 5000, 3000) >= 2000;
            QCOMPARE(c.code == u"ECONNREFUSED", down);
        }
    }

    void brownoutReducesCapacity()
    {
        FaultConfig f;
        f.kind = FaultKind::Brownout;
        f.capacity = 1; // 1 request at a time of 10 ms: 100 per second at most, against 150 offered
        Simulation sim(faultScenario(f, 150));
        CallRecorder rec;
        sim.addSink(&rec);
        sim.advanceTo(fromMs(10000));
        QCOMPARE(sim.service(0).effectiveCapacity(), 1);
        QVERIFY(sim.service(0).stats().queued > 100); // the queue grows: latency turns into seconds
        sim.runToEnd();
        QCOMPARE(sim.service(0).effectiveCapacity(), 100);
        const auto before = rec.between(0, 5000);
        QCOMPARE(CallRecorder::share(before, [](const CallRecord &c) { return c.latencyMs == 10; }), 1.0);
        double worst = 0;
        for (const CallRecord &c : rec.between(10000, 15000))
            worst = std::max(worst, c.latencyMs);
        QVERIFY2(worst > 2000, qPrintable(QString::number(worst)));
    }

    void liveFaultAndControlEvents()
    {
        ScenarioConfig s = outageScenario();
        s.faults.clear();
        Simulation sim(s);
        QByteArray bytes;
        QBuffer buffer(&bytes);
        buffer.open(QIODevice::WriteOnly);
        EventLog log;
        log.open(&buffer);
        sim.setEventLog(&log);
        sim.advanceTo(fromMs(10000));
        FaultConfig outage;
        outage.service = QStringLiteral("payments");
        outage.kind = FaultKind::Outage;
        QVERIFY(sim.injectFault(outage, fromMs(5000)));
        QVERIFY(sim.breakerAction(QStringLiteral("checkout"), Simulation::BreakerAction::HoldOpen));
        QVERIFY(!sim.breakerAction(QStringLiteral("nope"), Simulation::BreakerAction::HoldOpen));
        sim.advanceTo(fromMs(20000));
        QCOMPARE(sim.pipeline(0).circuitBreaker()->state(), CircuitState::ForcedOpen); // held past its reset timeout
        sim.runToEnd();
        QVERIFY(log.finish());
        QVERIFY(bytes.contains(R"({"t_ms":10000,"type":"control","action":"injectFault","target":"payments")"));
        QVERIFY(bytes.contains(R"({"t_ms":10000,"type":"fault","service":"payments","fault":"outage","phase":"start"})"));
        QVERIFY(bytes.contains(R"({"t_ms":15000,"type":"fault","service":"payments","fault":"outage","phase":"end"})"));
        QVERIFY(bytes.contains(R"({"t_ms":10000,"type":"control","action":"holdOpen","target":"checkout"})"));
    }

    void sameSeedSameBytes()
    {
        QByteArray runs[2];
        for (QByteArray &bytes : runs) {
            ScenarioConfig s = outageScenario();
            s.operations[0].arrival = ArrivalKind::Poisson;
            s.services[0].latency.kind = LatencyKind::Lognormal;
            s.services[0].latency.median = fromMs(40);
            s.services[0].latency.p99 = fromMs(250);
            s.services[0].errorRate = 0.05;
            s.operations[0].policy = ResiliencePolicies::api();
            Simulation sim(s);
            QBuffer buffer(&bytes);
            buffer.open(QIODevice::WriteOnly);
            EventLog log;
            log.open(&buffer);
            sim.setEventLog(&log);
            sim.runToEnd();
            QVERIFY(log.finish());
        }
        QVERIFY(runs[0].size() > 100000);
        QCOMPARE(runs[0], runs[1]);
    }

    void conservationWithEveryFault()
    {
        ScenarioConfig s = outageScenario();
        s.operations[0].policy = ResiliencePolicies::api();
        s.operations[0].policy.timeout->timeout = fromMs(500);
        s.operations[0].policy.bulkhead->maxConcurrent = 5;
        s.operations[0].policy.bulkhead->maxQueueSize = 5;
        s.operations[0].policy.bulkhead->timeout = fromMs(100);
        s.operations[0].policy.fallback = FallbackConfig { QVariant(1), {} };
        const auto fault = [](FaultKind kind, int at, int until) {
            FaultConfig f;
            f.service = QStringLiteral("payments");
            f.kind = kind;
            f.at = fromMs(at);
            f.until = fromMs(until);
            f.rate = 0.5;
            f.add = fromMs(300);
            f.rps = 10;
            f.capacity = 2;
            return f;
        };
        s.faults = { fault(FaultKind::Errors, 5000, 15000), fault(FaultKind::Latency, 10000, 20000), fault(FaultKind::Hang, 20000, 30000),
                     fault(FaultKind::RateLimit, 60000, 70000), fault(FaultKind::Flapping, 70000, 90000), fault(FaultKind::Brownout, 90000, 100000) };
        Simulation sim(s);
        Summary summary;
        sim.setSummary(&summary);
        sim.runToEnd();
        QVERIFY(summary.isConserved());
        const OperationSummary &op = summary.operations().at(QStringLiteral("checkout"));
        QCOMPARE(op.offered, sim.offered(0));
        QCOMPARE(op.ended(), op.offered);
        QVERIFY(op.count(Outcome::Fallback) > 0);
        QCOMPARE(sim.pipeline(0).callsInFlight(), 0);
    }
};

QTEST_GUILESS_MAIN(TestSimulation)
#include "tst_simulation.moc"
