// Primitives shared by several threads: counts must add up exactly and nothing may deadlock.
// Run under ThreadSanitizer (the tsan preset) this is the proof that they are thread-safe.
#include "resilience/bulkhead.h"
#include "resilience/circuitbreaker.h"
#include "resilience/circuitbreakerregistry.h"
#include "resilience/pipeline.h"
#include "resilience/retry.h"
#include "runtime/random.h"
#include "runtime/virtualscheduler.h"
#include "runtime/wallscheduler.h"

#include <QCoreApplication>
#include <QTest>
#include <QThread>

#include <atomic>
#include <thread>
#include <vector>

using namespace bw;

namespace {

constexpr int Threads = 4;
constexpr int CallsPerThread = 50000;

struct CountingListener final : CircuitBreakerListener
{
    std::atomic<std::int64_t> calls { 0 }, rejected { 0 }, changes { 0 };
    void onCall(const CircuitCall &) override { ++calls; }
    void onRejected(const QString &, CircuitState, TimePoint) override { ++rejected; }
    void onStateChange(const CircuitStateChange &) override { ++changes; }
};

std::atomic<int> g_admittedTotal { 0 };

struct ThreadWaiter final : BulkheadWaiter
{
    std::atomic<int> admittedCount { 0 }, rejectedCount { 0 };
    void admitted() override
    {
        ++admittedCount;
        ++g_admittedTotal;
    }
    void rejected(ErrorCode) override { ++rejectedCount; }
};

class InlineOperation final : public Operation
{
public:
    explicit InlineOperation(std::uint64_t seed) : m_random(seed) { }
    void start(const Attempt &, Completion done) override
    {
        done(m_random.uniform() < 0.3 ? Result::failure(ErrorCode::ConnectionReset, QStringLiteral("reset")) : Result::success());
    }

private:
    Random m_random;
};

// Runs the wall scheduler's event loop on the test thread while workers run, so that breaker
// timers (OPEN → HALF_OPEN) fire during the test.
template<typename F>
void runWhileProcessingEvents(F &&work)
{
    std::atomic<bool> done { false };
    std::thread runner([&] {
        work();
        done = true;
    });
    while (!done)
        QCoreApplication::processEvents(QEventLoop::AllEvents, 5);
    runner.join();
    QCoreApplication::processEvents();
}

} // namespace

class TestConcurrency : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void breakerCountsAddUp()
    {
        WallScheduler scheduler;
        CircuitBreakerConfig c;
        c.failureThreshold = 20;
        c.failureRateThreshold = 0.6;
        c.volumeThreshold = 50;
        c.resetTimeout = fromMs(1);
        c.successThreshold = 3;
        c.windowType = WindowType::Count;
        c.windowSize = 100;
        CircuitBreaker breaker(QStringLiteral("shared"), c, scheduler);
        CountingListener listener;
        breaker.addListener(&listener);
        std::atomic<std::int64_t> granted { 0 }, refused { 0 }, successes { 0 }, failures { 0 }, released { 0 };

        runWhileProcessingEvents([&] {
            std::vector<std::thread> workers;
            for (int t = 0; t < Threads; ++t) {
                workers.emplace_back([&, t] {
                    Random r(std::uint64_t(t) + 1);
                    for (int i = 0; i < CallsPerThread; ++i) {
                        const CircuitPermit p = breaker.tryAcquire();
                        if (!p) {
                            ++refused;
                            continue;
                        }
                        ++granted;
                        const double x = r.uniform();
                        if (x < 0.45) {
                            breaker.onError(p, Error { ErrorCode::fromString(u"503"), {}, std::nullopt, Stage::Operation, {} });
                            ++failures;
                        } else if (x < 0.5) {
                            breaker.release(p);
                            ++released;
                        } else {
                            breaker.onSuccess(p);
                            ++successes;
                        }
                        if (t == 0 && i % 5000 == 0)
                            breaker.forceOpen(); // control from a worker while others call
                        if (t == 1 && i % 7000 == 0)
                            breaker.reset();
                    }
                });
            }
            for (auto &w : workers)
                w.join();
        });

        QCOMPARE(granted + refused, std::int64_t(Threads) * CallsPerThread);
        QCOMPARE(listener.rejected.load(), refused.load());
        QCOMPARE(listener.calls.load(), successes + failures); // one call event per recorded call
        QVERIFY(listener.changes.load() > 0);
        const CircuitBreakerMetrics m = breaker.metrics();
        QVERIFY(m.totalCalls <= successes + failures); // reset() clears the lifetime counters
        QCOMPARE(m.halfOpenInFlight, 0);
    }

    void bulkheadNeverExceedsItsLimits()
    {
        WallScheduler scheduler;
        BulkheadConfig c;
        c.maxConcurrent = 3;
        c.maxQueueSize = 1000000; // every waiter is queued, never rejected, so it is admitted eventually
        c.timeout = Duration::zero();
        Bulkhead bulkhead(QStringLiteral("shared"), c, scheduler);
        struct Limits final : BulkheadListener
        {
            std::atomic<int> violations { 0 };
            void onBulkheadEvent(const BulkheadEvent &e) override
            {
                if (e.active > 3)
                    ++violations;
            }
        } limits;
        bulkhead.addListener(&limits);
        constexpr int PerThread = 20000;
        g_admittedTotal = 0;
        std::vector<ThreadWaiter> waiters(size_t(Threads) * PerThread);
        std::atomic<int> ranAtOnce { 0 };
        std::vector<std::thread> workers;
        for (int t = 0; t < Threads; ++t) {
            workers.emplace_back([&, t] {
                for (int i = 0; i < PerThread; ++i) {
                    ThreadWaiter &w = waiters[size_t(t) * PerThread + size_t(i)];
                    if (bulkhead.tryEnter(w) == Bulkhead::Admission::Run) {
                        ++ranAtOnce;
                        bulkhead.exit(Duration::zero(), false);
                    }
                }
            });
        }
        for (auto &w : workers)
            w.join();
        // Admitted waiters hold slots until they exit; each exit may admit the next waiter.
        for (int exits = 0; exits < g_admittedTotal.load();) {
            bulkhead.exit(Duration::zero(), false);
            ++exits;
        }
        int admitted = 0;
        for (auto &w : waiters)
            admitted += w.admittedCount.load();
        QCOMPARE(ranAtOnce + admitted, Threads * PerThread);
        QCOMPARE(limits.violations.load(), 0);
        QCOMPARE(bulkhead.state().active, 0);
        QCOMPARE(bulkhead.state().queued, 0);
        QCOMPARE(bulkhead.metrics().completed, std::int64_t(Threads) * PerThread);
    }

    void pipelinesOnSeveralThreadsShareABreakerAndABudget()
    {
        WallScheduler wall;
        CircuitBreakerRegistry registry(wall);
        CircuitBreakerConfig c;
        c.failureThreshold = 0;
        c.failureRateThreshold = 0.9; // stays closed at a 30 % failure rate
        c.timeout = Duration::zero();
        auto breaker = registry.add(QStringLiteral("shared"), c);
        CountingListener listener;
        registry.addListener(&listener);
        std::atomic<int> finished { 0 };
        std::vector<std::thread> workers;
        for (int t = 0; t < Threads; ++t) {
            workers.emplace_back([&, t] {
                VirtualScheduler local; // each thread's pipeline on its own timeline
                PolicyConfig p;
                p.name = QStringLiteral("worker");
                p.circuitBreaker = c;
                p.retry = RetryPolicies::fixed(2, 0);
                p.retry->retryableErrors = QStringList { QStringLiteral("ECONNRESET") };
                p.retry->budget = RetryBudgetConfig { 0.2, 10 };
                Pipeline pipeline(p, local, std::uint64_t(t), breaker);
                InlineOperation op(std::uint64_t(t) + 7);
                for (int i = 0; i < 20000; ++i) {
                    pipeline.execute(op, [&finished](const Result &) { ++finished; });
                    local.runUntilIdle();
                }
            });
        }
        for (auto &w : workers)
            w.join();
        QCOMPARE(finished.load(), Threads * 20000);
        const CircuitBreakerMetrics m = breaker->metrics();
        QCOMPARE(m.totalCalls, listener.calls.load());
        QCOMPARE(m.successes + m.failures, m.totalCalls);
        QVERIFY(m.totalCalls >= Threads * 20000);
    }
};

QTEST_GUILESS_MAIN(TestConcurrency)
#include "tst_concurrency.moc"
