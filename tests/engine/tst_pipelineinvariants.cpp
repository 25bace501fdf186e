// Random policies under random load: every offered call ends exactly once, the bulkhead never
// exceeds its limits, every operation attempt is answered or cancelled exactly once, and when
// the dust settles nothing is left held: no slot, no permit, no timer.
#include "resilience/pipeline.h"
#include "runtime/random.h"
#include "runtime/virtualscheduler.h"
#include "scriptedoperation.h"

#include <QTest>

#include <algorithm>

using namespace bw;
using namespace bw::test;

namespace {

struct LimitChecker final : BulkheadListener
{
    const Bulkhead *bulkhead = nullptr;
    int violations = 0;
    int maxQueueSize = 0, maxConcurrent = 0;
    void onBulkheadEvent(const BulkheadEvent &e) override
    {
        const BulkheadConfig c = bulkhead->config();
        if (e.active > c.maxConcurrent || e.queued > c.maxQueueSize)
            ++violations;
        maxConcurrent = std::max(maxConcurrent, e.active);
        maxQueueSize = std::max(maxQueueSize, e.queued);
    }
};

struct Counter final : PipelineObserver
{
    int finished = 0;
    void onCallFinished(const CallReport &) override { ++finished; }
};

PolicyConfig randomPolicy(Random &r)
{
    PolicyConfig p;
    p.name = QStringLiteral("random");
    QList<StageKind> order = PolicyConfig::defaultOrder();
    for (int i = order.size() - 1; i > 0; --i)
        order.swapItemsAt(i, qsizetype(r.below(std::uint64_t(i + 1))));
    p.order = order;
    if (r.uniform() < 0.7) {
        CircuitBreakerConfig b;
        b.failureThreshold = int(r.below(6));
        b.failureRateThreshold = r.uniform() < 0.5 ? 0.0 : 0.2 + 0.6 * r.uniform();
        b.volumeThreshold = 1 + int(r.below(10));
        b.slowCallRateThreshold = r.uniform() < 0.5 ? 0.0 : 0.5;
        b.slowCallDurationThreshold = fromMs(int(20 + r.below(100)));
        b.successThreshold = 1 + int(r.below(3));
        b.halfOpenMaxCalls = int(r.below(3));
        b.timeout = r.uniform() < 0.5 ? Duration::zero() : fromMs(int(50 + r.below(200)));
        b.resetTimeout = fromMs(int(100 + r.below(500)));
        b.windowType = r.uniform() < 0.5 ? WindowType::Time : WindowType::Count;
        b.windowSize = b.windowType == WindowType::Time ? 1000 : 20;
        p.circuitBreaker = b;
    }
    if (r.uniform() < 0.7) {
        RetryConfig rc;
        rc.maxAttempts = 1 + int(r.below(4));
        rc.initialDelay = fromMs(int(r.below(50)));
        rc.jitter = r.uniform() < 0.5;
        if (r.uniform() < 0.3)
            rc.retryableErrors = QStringList { QStringLiteral("503"), QStringLiteral("TIMEOUT") };
        if (r.uniform() < 0.3)
            rc.budget = RetryBudgetConfig { 0.2, 1 };
        if (r.uniform() < 0.2)
            rc.timeout = fromMs(int(30 + r.below(100)));
        p.retry = rc;
    }
    if (r.uniform() < 0.7)
        p.timeout = TimeoutConfig { fromMs(int(20 + r.below(300))), r.uniform() < 0.2 ? std::optional<QVariant>(1) : std::nullopt, {} };
    if (r.uniform() < 0.7) {
        BulkheadConfig bh;
        bh.maxConcurrent = 1 + int(r.below(5));
        bh.maxQueueSize = int(r.below(6));
        bh.timeout = r.uniform() < 0.5 ? Duration::zero() : fromMs(int(10 + r.below(100)));
        p.bulkhead = bh;
    }
    if (r.uniform() < 0.4)
        p.fallback = FallbackConfig { QVariant(QStringLiteral("fallback")), {} };
    // Drawn last, so that the other stages are drawn as before.
    if (r.uniform() < 0.4)
        p.rateLimiter = RateLimiterConfig { 1 + int(r.below(10)), fromMs(int(10 + r.below(200))),
                                            r.uniform() < 0.5 ? Duration::zero() : fromMs(int(r.below(300))) };
    if (p.retry && r.uniform() < 0.4)
        p.retry->quota = RetryQuotaConfig { int(r.below(40)), 1 + int(r.below(10)), 1 + int(r.below(20)), int(r.below(3)) };
    // Anywhere in the shuffled order: the pipeline hedges at the operation wherever it is listed.
    if (r.uniform() < 0.4)
        p.hedging = HedgingConfig { 1 + int(r.below(3)), fromMs(int(r.below(100))) };
    if (r.uniform() < 0.4)
        p.adaptiveThrottle = AdaptiveThrottleConfig { 1 + r.uniform() * 2, fromMs(int(100 + r.below(2000))) };
    if (r.uniform() < 0.4) {
        const LimitAlgorithm algorithms[] = { LimitAlgorithm::Vegas, LimitAlgorithm::Gradient2, LimitAlgorithm::Aimd };
        ConcurrencyLimitConfig c = ConcurrencyLimitConfig::defaultsFor(algorithms[r.below(3)]);
        c.minLimit = 1;
        c.initialLimit = 1 + int(r.below(4));
        c.maxLimit = c.initialLimit + int(r.below(8));
        p.concurrencyLimit = c;
    }
    return p;
}

} // namespace

class TestPipelineInvariants : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void randomPoliciesUnderRandomLoad()
    {
        constexpr int Scenarios = 600;
        constexpr int CallsPerScenario = 150;
        std::array<int, OutcomeCount> outcomesSeen {};
        for (int scenario = 0; scenario < Scenarios; ++scenario) {
            const std::uint64_t seed = 1000 + std::uint64_t(scenario);
            Random r(seed);
            VirtualScheduler s;
            const double errorRate = r.uniform() * 0.6, hangRate = r.uniform() * 0.2;
            ScriptedOperation op(s, [&](const Attempt &) {
                const double x = r.uniform();
                const int latency = int(r.below(120));
                if (x < hangRate)
                    return Answer::hang();
                if (x < hangRate + errorRate)
                    return Answer::fail(r.uniform() < 0.5 ? "503" : "ECONNRESET", latency);
                return Answer::ok(latency);
            });
            Pipeline pipeline(randomPolicy(r), s, seed);
            LimitChecker limits;
            if (pipeline.bulkhead()) {
                limits.bulkhead = pipeline.bulkhead();
                pipeline.bulkhead()->addListener(&limits);
            }
            Counter counter;
            pipeline.setObserver(&counter);

            std::vector<int> ended(CallsPerScenario, 0);
            std::vector<CallId> ids(CallsPerScenario, 0);
            for (int i = 0; i < CallsPerScenario; ++i) {
                s.advanceBy(fromMs(int(r.below(30))));
                ids[size_t(i)] = pipeline.execute(op, [&ended, &outcomesSeen, i](const Result &result) {
                    ++ended[size_t(i)];
                    ++outcomesSeen[size_t(result.outcome)];
                }, std::uint64_t(i));
                const double action = r.uniform();
                if (action < 0.03 && i > 0)
                    pipeline.cancel(ids[r.below(std::uint64_t(i))]); // may have ended already: then a no-op
                else if (action < 0.04 && pipeline.bulkhead())
                    pipeline.bulkhead()->clearQueue();
                else if (action < 0.05 && pipeline.circuitBreaker())
                    pipeline.circuitBreaker()->forceOpen();
                else if (action < 0.06) {
                    PolicyConfig changed = pipeline.policy();
                    if (changed.timeout)
                        changed.timeout->timeout = fromMs(int(20 + r.below(300)));
                    if (changed.bulkhead)
                        changed.bulkhead->maxQueueSize = int(r.below(6)); // the queue may shrink; concurrency never does here
                    pipeline.setPolicy(changed);
                }
            }
            // Calls hanging with no time limit are ended by their caller.
            s.advanceBy(fromMs(60000));
            for (int i = 0; i < CallsPerScenario; ++i)
                if (!ended[size_t(i)])
                    pipeline.cancel(ids[size_t(i)]);
            s.runUntilIdle();

            for (int i = 0; i < CallsPerScenario; ++i) {
                if (ended[size_t(i)] != 1)
                    QFAIL(qPrintable(QStringLiteral("seed %1: call %2 ended %3 times").arg(seed).arg(i).arg(ended[size_t(i)])));
            }
            QCOMPARE(counter.finished, CallsPerScenario);
            QCOMPARE(pipeline.callsInFlight(), 0);
            QCOMPARE(limits.violations, 0);
            QCOMPARE(op.started, op.answered + op.cancelled);
            QCOMPARE(op.inFlight(), 0);
            if (Bulkhead *b = pipeline.bulkhead()) {
                QCOMPARE(b->state().active, 0);
                QCOMPARE(b->state().queued, 0);
            }
            if (CircuitBreaker *b = pipeline.circuitBreaker())
                QCOMPARE(b->metrics().halfOpenInFlight, 0);
            QCOMPARE(pipeline.limitInFlight(), 0); // every concurrency-limit permit handed back
            QCOMPARE(s.pendingTimers(), std::size_t(0));
        }
        // The random load must have reached every outcome, or it proves less than it claims.
        for (Outcome o : AllOutcomes)
            QVERIFY2(outcomesSeen[size_t(o)] > 0, outcomeName(o).data());
    }
};

QTEST_GUILESS_MAIN(TestPipelineInvariants)
#include "tst_pipelineinvariants.moc"
