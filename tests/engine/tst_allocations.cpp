// Steady state allocates nothing per call (docs/performance.md): global operator new is
// replaced in this executable and counted around a million calls through the api() pipeline.
#include "resilience/circuitbreaker.h"
#include "resilience/pipeline.h"
#include "resilience/resiliencemanager.h"
#include "runtime/virtualscheduler.h"
#include "runtime/wallscheduler.h"

#include <QTest>

#include "countingnew.h" // replaces global operator new in this executable

using namespace bw;

namespace {

// Answers after a latency on the scheduler, so calls overlap, timers are set and cancelled,
// and the bulkhead queues: the realistic steady state, not just the inline fast path.
class DelayedOperation final : public Operation
{
public:
    explicit DelayedOperation(Scheduler &s) : m_scheduler(s) { }
    void start(const Attempt &attempt, Completion done) override
    {
        const bool fail = attempt.callTag % 10 == 0;
        m_scheduler.schedule(fromMs(int(attempt.callTag % 7)), [done, fail] {
            done(fail ? Result::failure(ErrorCode::ConnectionReset, QStringLiteral("reset")) : Result::success());
        });
    }

private:
    Scheduler &m_scheduler;
};

class InlineSuccess final : public Operation
{
public:
    void start(const Attempt &, Completion done) override { done(Result::success()); }
};

} // namespace

class TestAllocations : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void pipelineSteadyStateAllocatesNothing()
    {
        VirtualScheduler s;
        PolicyConfig policy = ResiliencePolicies::api();
        policy.bulkhead->maxConcurrent = 8;
        policy.circuitBreaker->failureThreshold = 0; // stays closed: the steady state being measured
        policy.fallback = FallbackConfig { QVariant(1), {} };
        Pipeline pipeline(policy, s, 1);
        DelayedOperation op(s);
        int done = 0;
        const auto offer = [&](std::uint64_t from, std::uint64_t to) {
            for (std::uint64_t i = from; i < to; ++i) {
                pipeline.execute(op, [&done](const Result &) { ++done; }, i);
                if (i % 16 == 0)
                    s.advanceBy(fromMs(1));
            }
            s.runUntilIdle();
        };
        offer(0, 100000); // warm up: pools and heaps grow to their peak
        const std::uint64_t before = test::allocationsOnThisThread();
        offer(100000, 1100000);
        const std::uint64_t allocations = test::allocationsOnThisThread() - before;
        QCOMPARE(done, 1100000);
        QCOMPARE(allocations, std::uint64_t(0));
    }

    void breakerAndWallPipelineAllocateNothing()
    {
        WallScheduler wall;
        CircuitBreaker breaker(QStringLiteral("b"), CircuitBreakerConfig {}, wall);
        Pipeline pipeline(ResiliencePolicies::api(), wall);
        InlineSuccess op;
        for (int i = 0; i < 1000; ++i)
            pipeline.execute(op, {});
        const std::uint64_t before = test::allocationsOnThisThread();
        for (int i = 0; i < 200000; ++i) {
            const CircuitPermit p = breaker.tryAcquire();
            breaker.onSuccess(p);
            pipeline.execute(op, {});
        }
        breaker.holdOpen();
        const std::uint64_t beforeRejects = test::allocationsOnThisThread();
        for (int i = 0; i < 200000; ++i)
            QVERIFY(!breaker.tryAcquire());
        QCOMPARE(test::allocationsOnThisThread() - beforeRejects, std::uint64_t(0));
        QCOMPARE(beforeRejects - before, std::uint64_t(0));
    }

    void managerAddsNoAllocation()
    {
        // The façade's promise (resiliencemanager.h): a call by name, with its policy compared to
        // the pipeline's, allocates no more than the pipeline itself, which is nothing.
        VirtualScheduler s;
        ResilienceManager manager(s);
        const QString name = QStringLiteral("payments");
        const PolicyConfig policy = ResiliencePolicies::api();
        InlineSuccess op;
        int done = 0;
        for (int i = 0; i < 1000; ++i)
            manager.execute(name, op, policy, [&done](const Result &) { ++done; });
        const std::uint64_t before = test::allocationsOnThisThread();
        for (int i = 0; i < 200000; ++i)
            manager.execute(name, op, policy, [&done](const Result &) { ++done; });
        QCOMPARE(test::allocationsOnThisThread() - before, std::uint64_t(0));
        QCOMPARE(done, 201000);
    }
};

QTEST_GUILESS_MAIN(TestAllocations)
#include "tst_allocations.moc"
