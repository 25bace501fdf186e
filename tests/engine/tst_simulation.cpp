#include "sim/simulation.h"
#include "telemetry/eventlog.h"
#include "telemetry/summary.h"

#include <QBuffer>
#include <QTest>

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
