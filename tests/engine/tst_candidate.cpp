// The policy lab's figures (lab/candidate.h, docs/semantics.md "Policy lab") on small scenarios
// worked out by hand: constant arrivals, so every call's time is known, and fixed latencies.
#include "lab/candidate.h"
#include "resilience/policyloader.h"
#include "scenario/scenarioloader.h"

#include <QTest>

using namespace bw;

namespace {

// 10 calls a second, the n-th at n/10 s (399 calls in 40 s), each served in exactly 10 ms, and an
// outage from 10.05 s to 20.05 s (off the arrival instants, so no two events share an instant).
const QByteArray OutageScenario = R"({"name": "outage", "durationMs": 40000, "seed": 3,
  "services": [{"name": "backend", "capacity": 100, "latency": 10}],
  "operations": [{"name": "calls", "service": "backend", "rate": 10, "arrival": "constant", "policy": "api"}],
  "faults": [{"service": "backend", "type": "outage", "atMs": 10050, "untilMs": 20050}]})";

ScenarioConfig scenario(const QByteArray &json)
{
    LoadError error;
    std::optional<ScenarioConfig> s = parseScenario(json, QStringLiteral("test.json"), &error);
    if (!s)
        qFatal("%s", qPrintable(error.toString()));
    return *s;
}

Candidate candidate(const QByteArray &policyJson)
{
    LoadError error;
    std::optional<PolicyConfig> policy = parsePolicy(policyJson, QStringLiteral("candidate"), &error);
    if (!policy)
        qFatal("%s", qPrintable(error.toString()));
    return { QStringLiteral("candidate"), *policy, {} };
}

} // namespace

class TestCandidate : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    // No policy stage: the 100 calls offered during the outage (10.1 s … 20.0 s) fail at once,
    // the 299 others succeed after 10 ms. One request per call.
    void outageWithoutPolicy()
    {
        const CandidateMetrics m = runCandidate(scenario(OutageScenario), candidate("{}"), 3);
        QCOMPARE(m.total.offered, 399);
        QCOMPARE(m.total.count(Outcome::Success), 299);
        QCOMPARE(m.total.count(Outcome::Failure), 100);
        QCOMPARE(m.total.successRate, 299.0 / 399.0);
        QCOMPARE(m.total.backendRequests, 399);
        QCOMPARE(m.total.amplification, 1.0);
        // 100 calls at 0 ms (refused at once) and 299 at 10 ms: the median and p99 are 10 ms.
        QCOMPARE(m.total.p50, fromMs(10));
        QCOMPARE(m.total.p99, fromMs(10));
        QCOMPARE(m.total.flaps, 0);
        QCOMPARE(m.total.timeOpen, Duration::zero());
        // Second 20 holds the call of 20.0 s (refused: the outage ends at 20.05 s) and 9 successes:
        // 90 % < 95 % of the 100 % before. Seconds 21 to 25 are all successes: 21 s − 20.05 s.
        QCOMPARE(m.total.recoveries.size(), std::size_t(1));
        QCOMPARE(m.total.recoveries[0].end, fromMs(20050));
        QCOMPARE(m.total.recoveries[0].recovery, std::optional<Duration>(fromMs(950)));
        QCOMPARE(m.total.worstRecovery(), std::optional<Duration>(fromMs(950)));
        QCOMPARE(m.operations.size(), std::size_t(1));
        QCOMPARE(m.operations[0].name, QStringLiteral("calls"));
        QCOMPARE(m.operations[0].recoveries[0].recovery, m.total.recoveries[0].recovery);
        QCOMPARE(m.services[0].requests, 399);
        QCOMPARE(m.wastedRequests, 0);
    }

    // A breaker of 5 consecutive failures and a 5.05 s open time, one trial call. The calls of
    // 10.1 … 10.5 s fail: OPEN at 10.5 s; HALF_OPEN at 15.55 s; the trial of 15.6 s fails: OPEN
    // again; HALF_OPEN at 20.65 s; the trial of 20.7 s succeeds (the outage ended at 20.05 s) and
    // closes it. OPEN for 2 × 5.05 s, two flaps; 6 failures, 100 calls rejected (10.6 … 15.5 s and
    // 15.7 … 20.6 s), which reach no backend.
    void outageWithBreaker()
    {
        const CandidateMetrics m = runCandidate(scenario(OutageScenario),
            candidate(R"({"circuitBreaker": {"failureThreshold": 5, "resetTimeout": 5050, "successThreshold": 1}})"), 3);
        QCOMPARE(m.total.count(Outcome::Failure), 6);
        QCOMPARE(m.total.count(Outcome::CircuitOpen), 100);
        QCOMPARE(m.total.count(Outcome::Success), 293);
        QCOMPARE(m.total.successRate, 293.0 / 399.0);
        QCOMPARE(m.total.backendRequests, 299);
        QCOMPARE(m.total.amplification, 299.0 / 399.0);
        QCOMPARE(m.total.timeOpen, fromMs(10100));
        QCOMPARE(m.total.flaps, 2);
        // Second 20: only 20.7, 20.8 and 20.9 s succeed. From second 21 every call does.
        QCOMPARE(m.total.worstRecovery(), std::optional<Duration>(fromMs(950)));
    }

    // Three attempts 100 ms apart. The calls of 10.1 … 19.8 s fail three times (98 calls, 294
    // requests); the call of 19.9 s fails at 19.9 and 20.0 s and succeeds at 20.1 s (3); the
    // call of 20.0 s fails once and succeeds at 20.1 s (2); the 299 others need one each.
    // 598 requests for 399 calls.
    void retryAmplification()
    {
        const CandidateMetrics m = runCandidate(scenario(OutageScenario),
            candidate(R"({"retry": {"maxAttempts": 3, "initialDelay": 100, "backoffMultiplier": 1, "jitter": false}})"), 3);
        QCOMPARE(m.total.count(Outcome::Failure), 98);
        QCOMPARE(m.total.count(Outcome::Success), 301);
        QCOMPARE(m.total.backendRequests, 598);
        QCOMPARE(m.total.amplification, 598.0 / 399.0);
        QCOMPARE(m.services[0].requests, 598); // the backend's own count agrees
        // Second 20 ends 12 calls: 11 successes and the call of 19.8 s, failing at 20.0 s.
        QCOMPARE(m.total.worstRecovery(), std::optional<Duration>(fromMs(950)));
    }

    // An outage to the end: the success rate never comes back, and a fault that ends after the
    // run is not a fault that ended.
    void notRecovered()
    {
        QByteArray json = OutageScenario;
        json.replace("\"untilMs\": 20050", "\"untilMs\": 37000");
        CandidateMetrics m = runCandidate(scenario(json), candidate("{}"), 3);
        QCOMPARE(m.total.recoveries.size(), std::size_t(1));
        QVERIFY(!m.total.recoveries[0].recovery); // 3 s left: fewer than 5 good seconds
        QVERIFY(!m.total.worstRecovery());
        json.replace("\"untilMs\": 37000", "\"untilMs\": 45000");
        m = runCandidate(scenario(json), candidate("{}"), 3);
        QVERIFY(m.total.recoveries.empty());
        QCOMPARE(m.total.worstRecovery(), std::optional<Duration>(Duration::zero()));
    }

    // Calls give up after 50 ms on requests that take 100 ms, and the backend serves them anyway:
    // every request served is wasted. 10 a second from 5 ms on, so the 10 gauge samples a
    // second (at multiples of 100 ms) fall between arrivals: each sees exactly one request in
    // service (the one of 5 ms before), on a capacity of 4.
    void wastedWorkAndPeakLoad()
    {
        const CandidateMetrics m = runCandidate(scenario(R"({"name": "wasted", "durationMs": 10000,
  "services": [{"name": "backend", "capacity": 4, "latency": 100}],
  "operations": [{"name": "calls", "service": "backend", "rate": [[5, 10]], "arrival": "constant", "policy": "api"}]})"),
            candidate(R"({"timeout": 50})"), 1);
        // Arrivals at 0.105 … 9.905 s: 99 calls, all timing out; the last request ends at 10.005 s,
        // after the run: 98 served, all wasted.
        QCOMPARE(m.total.offered, 99);
        QCOMPARE(m.total.count(Outcome::Timeout), 99);
        QCOMPARE(m.total.successRate, 0.0);
        QCOMPARE(m.wastedRequests, 98);
        QCOMPARE(m.services[0].wasted, 98);
        QCOMPARE(m.services[0].peakLoad, 1);
        QCOMPARE(m.services[0].capacity, 4);
        QCOMPARE(m.peakLoadRatio, 0.25);
        QVERIFY(m.total.recoveries.empty());
    }

    // The candidate's policy goes to the operation named, or to all; an unknown name is refused
    // with the nearest valid one.
    void candidateOperation()
    {
        QByteArray json = OutageScenario;
        json.replace(R"("policy": "api"}])",
            R"("policy": "api"}, {"name": "refunds", "service": "backend", "rate": 1, "policy": "api"}])");
        const ScenarioConfig s = scenario(json);
        Candidate c = candidate(R"({"timeout": 77})");
        c.operation = QStringLiteral("refunds");
        QString error;
        std::optional<ScenarioConfig> changed = withCandidate(s, c, &error);
        QVERIFY(changed);
        QCOMPARE(changed->operations[0].policy.timeout.has_value(), s.operations[0].policy.timeout.has_value());
        QCOMPARE(changed->operations[1].policy.timeout->timeout, fromMs(77));
        c.operation.clear();
        changed = withCandidate(s, c, &error);
        QCOMPARE(changed->operations[0].policy.timeout->timeout, fromMs(77));
        QCOMPARE(changed->operations[1].policy.timeout->timeout, fromMs(77));
        c.operation = QStringLiteral("refund");
        QVERIFY(!withCandidate(s, c, &error));
        QCOMPARE(error, QStringLiteral("unknown operation 'refund'; did you mean 'refunds'?"));
    }

    // The same seed, the same figures; and the total adds the operations up.
    void deterministic()
    {
        const ScenarioConfig s = scenario(OutageScenario);
        const Candidate c = candidate(R"({"retry": {"maxAttempts": 3, "initialDelay": 100}})"); // jitter on
        const CandidateMetrics a = runCandidate(s, c, 9), b = runCandidate(s, c, 9);
        QCOMPARE(a.total.backendRequests, b.total.backendRequests);
        QCOMPARE(a.total.p99, b.total.p99);
        QCOMPARE(a.total.worstRecovery(), b.total.worstRecovery());
    }
};

QTEST_GUILESS_MAIN(TestCandidate)
#include "tst_candidate.moc"
