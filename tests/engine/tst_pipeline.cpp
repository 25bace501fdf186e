#include "resilience/pipeline.h"
#include "runtime/virtualscheduler.h"
#include "policyfixtures.h"
#include "scriptedoperation.h"

#include <QTest>

using namespace bw;
using namespace bw::test;

namespace {

RetryConfig retryOf(int attempts, int initialMs = 100, double multiplier = 2.0)
{
    RetryConfig r;
    r.maxAttempts = attempts;
    r.initialDelay = fromMs(initialMs);
    r.maxDelay = fromMs(60000);
    r.backoffMultiplier = multiplier;
    r.jitter = false;
    return r;
}

struct RecordingObserver final : PipelineObserver
{
    int finished = 0, retries = 0, fallbacks = 0, timeouts = 0, retrySucceeded = 0, retryExhausted = 0;
    QList<Duration> delays;
    void onCallFinished(const CallReport &) override { ++finished; }
    void onRetry(const RetryReport &r) override
    {
        ++retries;
        delays.append(r.delay);
    }
    void onRetryFinished(const QString &, std::uint64_t, bool ok, int, TimePoint) override { ++(ok ? retrySucceeded : retryExhausted); }
    void onFallback(const QString &, std::uint64_t, const Error &, TimePoint) override { ++fallbacks; }
    void onTimeout(const QString &, std::uint64_t, StageKind, Duration, TimePoint) override { ++timeouts; }
};

} // namespace

class TestPipeline : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void successPassesThrough()
    {
        VirtualScheduler s;
        ScriptedOperation op(s, [](const Attempt &) { return Answer::ok(10); });
        PolicyConfig p = bare();
        p.retry = retryOf(3);
        p.circuitBreaker = breakerOf(5);
        p.bulkhead = bulkheadOf(10, 10);
        p.timeout = TimeoutConfig { fromMs(100), std::nullopt, {} };
        Pipeline pipeline(p, s);
        ResultLog log;
        pipeline.execute(op, log.callback());
        QCOMPARE(log.results.size(), 0);
        s.runUntilIdle();
        QCOMPARE(log.results.size(), 1);
        QCOMPARE(log.results[0].outcome, Outcome::Success);
        QCOMPARE(log.results[0].attempts, 1);
        QCOMPARE(log.results[0].value.toString(), QStringLiteral("ok"));
        QCOMPARE(pipeline.callsInFlight(), 0);
        QCOMPARE(s.pendingTimers(), std::size_t(0)); // the timeout and its timers are gone
    }

    void retryBackoffTimes_data()
    {
        QTest::addColumn<int>("failures");
        QTest::addColumn<int>("maxAttempts");
        QTest::addColumn<double>("multiplier");
        QTest::addColumn<QList<int>>("startTimesMs");
        QTest::addColumn<int>("outcome");
        QTest::addRow("no failure") << 0 << 3 << 2.0 << QList<int> { 0 } << int(Outcome::Success);
        QTest::addRow("one retry") << 1 << 3 << 2.0 << QList<int> { 0, 100 } << int(Outcome::Success);
        QTest::addRow("two retries x2") << 2 << 3 << 2.0 << QList<int> { 0, 100, 300 } << int(Outcome::Success);
        QTest::addRow("exhausted x2") << 9 << 4 << 2.0 << QList<int> { 0, 100, 300, 700 } << int(Outcome::Failure);
        QTest::addRow("fixed delay") << 9 << 3 << 1.0 << QList<int> { 0, 100, 200 } << int(Outcome::Failure);
        QTest::addRow("x3") << 9 << 4 << 3.0 << QList<int> { 0, 100, 400, 1300 } << int(Outcome::Failure);
    }
    void retryBackoffTimes()
    {
        QFETCH(int, failures);
        QFETCH(int, maxAttempts);
        QFETCH(double, multiplier);
        QFETCH(QList<int>, startTimesMs);
        QFETCH(int, outcome);
        VirtualScheduler s;
        QList<int> starts;
        ScriptedOperation op(s, [&](const Attempt &a) {
            starts.append(int(toMs(s.now())));
            return a.number <= failures ? Answer::fail("ECONNRESET") : Answer::ok();
        });
        PolicyConfig p = bare();
        p.retry = retryOf(maxAttempts, 100, multiplier);
        Pipeline pipeline(p, s);
        ResultLog log;
        pipeline.execute(op, log.callback());
        s.runUntilIdle();
        QCOMPARE(starts, startTimesMs);
        QCOMPARE(log.results.size(), 1);
        QCOMPARE(int(log.results[0].outcome), outcome);
        QCOMPARE(log.results[0].attempts, startTimesMs.size());
    }

    void nonRetryableErrorIsNotRetried()
    {
        VirtualScheduler s;
        ScriptedOperation op(s, [](const Attempt &) { return Answer::fail("500"); });
        PolicyConfig p = bare();
        p.retry = retryOf(5);
        Pipeline pipeline(p, s);
        ResultLog log;
        pipeline.execute(op, log.callback());
        s.runUntilIdle();
        QCOMPARE(op.started, 1);
        QCOMPARE(log.results[0].outcome, Outcome::Failure);
        QCOMPARE(log.results[0].error.code.toString(), QStringLiteral("500"));
    }

    void retryableErrorsListAndPredicate()
    {
        VirtualScheduler s;
        ScriptedOperation op(s, [](const Attempt &a) { return a.number < 3 ? Answer::fail("503") : Answer::ok(); });
        PolicyConfig p = bare();
        p.retry = retryOf(5);
        p.retry->retryableErrors = QStringList { QStringLiteral("503") };
        Pipeline pipeline(p, s);
        ResultLog log;
        pipeline.execute(op, log.callback());
        s.runUntilIdle();
        QCOMPARE(log.results[0].outcome, Outcome::Success);
        QCOMPARE(op.started, 3);

        RetryConfig byPredicate = retryOf(5);
        byPredicate.retryablePredicate = [](const Error &e) { return e.code.toString() == QStringLiteral("503"); };
        int onRetryCalls = 0;
        byPredicate.onRetry = [&](int attempt, const Error &error, Duration delay) {
            ++onRetryCalls;
            QCOMPARE(error.code.toString(), QStringLiteral("503"));
            QCOMPARE(delay, fromMs(100 * (1 << (attempt - 1))));
        };
        p.retry = byPredicate;
        pipeline.setPolicy(p);
        op.started = 0;
        pipeline.execute(op, log.callback());
        s.runUntilIdle();
        QCOMPARE(log.results[1].outcome, Outcome::Success);
        QCOMPARE(onRetryCalls, 2);
    }

    void timeoutCancelsTheOperation()
    {
        VirtualScheduler s;
        ScriptedOperation op(s, [](const Attempt &) { return Answer::ok(500); });
        PolicyConfig p = bare();
        p.timeout = TimeoutConfig { fromMs(200), std::nullopt, {} };
        Pipeline pipeline(p, s);
        ResultLog log;
        TimePoint deadline {};
        FunctionOperation probe([&](const Attempt &a, Completion done) {
            deadline = a.deadline;
            op.start(a, done);
        }, [&](const Attempt &a) { op.cancel(a); });
        pipeline.execute(probe, log.callback());
        s.runUntilIdle();
        QCOMPARE(deadline, fromMs(200));
        QCOMPARE(log.results[0].outcome, Outcome::Timeout);
        QCOMPARE(log.results[0].error.code, ErrorCode::Timeout);
        QCOMPARE(log.results[0].error.elapsed, fromMs(200));
        QCOMPARE(s.now(), fromMs(200));
        QCOMPARE(op.cancelled, 1);
        QCOMPARE(op.answered, 0);
    }

    void timeoutFallbackAndOnTimeout()
    {
        VirtualScheduler s;
        ScriptedOperation op(s, [](const Attempt &) { return Answer::hang(); });
        PolicyConfig p = bare();
        Duration told {};
        p.timeout = TimeoutConfig { fromMs(50), QVariant(QStringLiteral("Default value")), [&](Duration d) { told = d; } };
        Pipeline pipeline(p, s);
        ResultLog log;
        pipeline.execute(op, log.callback());
        s.runUntilIdle();
        QCOMPARE(log.results[0].outcome, Outcome::Fallback);
        QCOMPARE(log.results[0].value.toString(), QStringLiteral("Default value"));
        QCOMPARE(told, fromMs(50));
        QCOMPARE(op.inFlight(), 0);
    }

    void timeoutsAreRetriedPerAttempt()
    {
        VirtualScheduler s;
        ScriptedOperation op(s, [](const Attempt &a) { return a.number < 3 ? Answer::hang() : Answer::ok(10); });
        PolicyConfig p = bare();
        p.retry = retryOf(3, 100, 1.0);
        p.timeout = TimeoutConfig { fromMs(50), std::nullopt, {} };
        Pipeline pipeline(p, s);
        ResultLog log;
        pipeline.execute(op, log.callback());
        s.runUntilIdle();
        QCOMPARE(log.results[0].outcome, Outcome::Success);
        QCOMPARE(log.results[0].attempts, 3);
        QCOMPARE(s.now(), fromMs(50 + 100 + 50 + 100 + 10));
        QCOMPARE(op.cancelled, 2);
    }

    void openBreakerStopsRetries()
    {
        VirtualScheduler s;
        ScriptedOperation op(s, [](const Attempt &) { return Answer::fail("ECONNREFUSED"); });
        PolicyConfig p = bare();
        p.retry = retryOf(5, 10);
        p.circuitBreaker = breakerOf(2);
        Pipeline pipeline(p, s);
        RecordingObserver observer;
        pipeline.setObserver(&observer);
        ResultLog log;
        pipeline.execute(op, log.callback());
        s.runUntilIdle();
        QCOMPARE(op.started, 2);
        QCOMPARE(log.results[0].outcome, Outcome::CircuitOpen);
        QCOMPARE(log.results[0].attempts, 2);
        QCOMPARE(observer.retries, 2);
        QCOMPARE(observer.retryExhausted, 1);
        QCOMPARE(pipeline.circuitBreaker()->metrics().rejected, 1);
    }

    void breakerOutsideRetrySeesOneResultPerCall()
    {
        VirtualScheduler s;
        ScriptedOperation op(s, [](const Attempt &) { return Answer::fail("ECONNREFUSED"); });
        PolicyConfig p = bare({ StageKind::Fallback, StageKind::CircuitBreaker, StageKind::Retry, StageKind::Bulkhead, StageKind::Timeout });
        p.retry = retryOf(3, 10);
        p.circuitBreaker = breakerOf(2);
        Pipeline pipeline(p, s);
        ResultLog log;
        pipeline.execute(op, log.callback());
        s.runUntilIdle();
        QCOMPARE(op.started, 3);
        QCOMPARE(log.results[0].outcome, Outcome::Failure);
        QCOMPARE(pipeline.circuitBreaker()->metrics().failures, 1);
        QCOMPARE(pipeline.circuitBreaker()->state(), CircuitState::Closed);
        pipeline.execute(op, log.callback());
        s.advanceBy(fromMs(500)); // not as far as the reset timeout
        QCOMPARE(pipeline.circuitBreaker()->state(), CircuitState::Open);
        QCOMPARE(op.started, 6);
    }

    void breakerCallTimeout()
    {
        VirtualScheduler s;
        ScriptedOperation op(s, [](const Attempt &) { return Answer::ok(300); });
        PolicyConfig p = bare();
        p.circuitBreaker = breakerOf(1);
        p.circuitBreaker->timeout = fromMs(100);
        Pipeline pipeline(p, s);
        ResultLog log;
        pipeline.execute(op, log.callback());
        s.advanceBy(fromMs(500)); // not as far as the reset timeout
        QCOMPARE(log.results[0].outcome, Outcome::Timeout);
        QCOMPARE(log.results[0].error.code, ErrorCode::CircuitTimeout);
        const CircuitBreakerMetrics m = pipeline.circuitBreaker()->metrics();
        QCOMPARE(m.timeouts, 1);
        QCOMPARE(m.failures, 1);
        QCOMPARE(pipeline.circuitBreaker()->state(), CircuitState::Open);
    }

    void fallbackReplacesFailures()
    {
        VirtualScheduler s;
        ScriptedOperation failing(s, [](const Attempt &) { return Answer::fail("500"); });
        ScriptedOperation working(s, [](const Attempt &) { return Answer::ok(); });
        PolicyConfig p = bare();
        p.fallback = FallbackConfig { QVariant(QStringLiteral("cached")), {} };
        Pipeline pipeline(p, s);
        RecordingObserver observer;
        pipeline.setObserver(&observer);
        ResultLog log;
        pipeline.execute(failing, log.callback());
        pipeline.execute(working, log.callback());
        s.runUntilIdle();
        QCOMPARE(log.results[0].outcome, Outcome::Fallback);
        QVERIFY(log.results[0].ok());
        QCOMPARE(log.results[0].value.toString(), QStringLiteral("cached"));
        QCOMPARE(log.results[0].error.code.toString(), QStringLiteral("500")); // kept for reporting
        QCOMPARE(log.results[1].outcome, Outcome::Success);
        QCOMPARE(observer.fallbacks, 1);

        p.fallback = FallbackConfig { {}, [](const Result &failed) { return QVariant(failed.error.code.toString() + QStringLiteral("!")); } };
        pipeline.setPolicy(p);
        pipeline.execute(failing, log.callback());
        s.runUntilIdle();
        QCOMPARE(log.results[2].value.toString(), QStringLiteral("500!"));
    }

    void bulkheadQueuesAndRejects()
    {
        VirtualScheduler s;
        QList<int> starts;
        ScriptedOperation op(s, [&](const Attempt &) {
            starts.append(int(toMs(s.now())));
            return Answer::ok(100);
        });
        PolicyConfig p = bare();
        p.bulkhead = bulkheadOf(1, 1);
        Pipeline pipeline(p, s);
        ResultLog log;
        for (int i = 0; i < 3; ++i)
            pipeline.execute(op, log.callback(), std::uint64_t(i));
        QCOMPARE(log.results.size(), 1);
        QCOMPARE(log.results[0].outcome, Outcome::BulkheadFull);
        QCOMPARE(pipeline.bulkhead()->state().active, 1);
        QCOMPARE(pipeline.bulkhead()->state().queued, 1);
        s.runUntilIdle();
        QCOMPARE(starts, (QList<int> { 0, 100 }));
        QCOMPARE(log.results.size(), 3);
        QCOMPARE(log.results[2].outcome, Outcome::Success);
        QCOMPARE(s.now(), fromMs(200));
        const BulkheadMetrics m = pipeline.bulkhead()->metrics();
        QCOMPARE(m.completed, 2);
        QCOMPARE(m.rejected, 1);
        QCOMPARE(m.peakActive, 1);
        QCOMPARE(m.peakQueued, 1);
    }

    void bulkheadQueueTimeout()
    {
        VirtualScheduler s;
        ScriptedOperation op(s, [](const Attempt &) { return Answer::ok(100); });
        PolicyConfig p = bare();
        p.bulkhead = bulkheadOf(1, 5, 30);
        Pipeline pipeline(p, s);
        ResultLog log;
        pipeline.execute(op, log.callback());
        pipeline.execute(op, log.callback());
        s.runUntilIdle();
        QCOMPARE(log.results.size(), 2);
        QCOMPARE(log.results[0].outcome, Outcome::BulkheadTimeout);
        QCOMPARE(log.results[0].error.code, ErrorCode::BulkheadQueueTimeout);
        QCOMPARE(log.results[1].outcome, Outcome::Success);
        QCOMPARE(op.started, 1);
        QCOMPARE(pipeline.bulkhead()->metrics().timeouts, 1);
    }

    void bulkheadRejectionsDoNotTripTheBreaker()
    {
        VirtualScheduler s;
        ScriptedOperation op(s, [](const Attempt &) { return Answer::ok(100); });
        PolicyConfig p = bare();
        p.circuitBreaker = breakerOf(1);
        p.bulkhead = bulkheadOf(1, 0);
        Pipeline pipeline(p, s);
        ResultLog log;
        for (int i = 0; i < 10; ++i)
            pipeline.execute(op, log.callback());
        s.runUntilIdle();
        QCOMPARE(pipeline.circuitBreaker()->state(), CircuitState::Closed);
        QCOMPARE(pipeline.circuitBreaker()->metrics().failures, 0);
        int full = 0;
        for (const Result &r : log.results)
            full += r.outcome == Outcome::BulkheadFull ? 1 : 0;
        QCOMPARE(full, 9);
    }

    void clearQueueCancelsWaiters()
    {
        VirtualScheduler s;
        ScriptedOperation op(s, [](const Attempt &) { return Answer::ok(100); });
        PolicyConfig p = bare();
        p.bulkhead = bulkheadOf(1, 5);
        Pipeline pipeline(p, s);
        ResultLog log;
        for (int i = 0; i < 4; ++i)
            pipeline.execute(op, log.callback());
        QCOMPARE(pipeline.bulkhead()->clearQueue(), 3);
        s.runUntilIdle();
        QCOMPARE(log.results.size(), 4);
        int cancelled = 0;
        for (const Result &r : log.results)
            cancelled += r.outcome == Outcome::Cancelled ? 1 : 0;
        QCOMPARE(cancelled, 3);
        QCOMPARE(op.started, 1);
    }

    void callerCancellationReleasesEverything()
    {
        VirtualScheduler s;
        ScriptedOperation op(s, [](const Attempt &) { return Answer::hang(); });
        PolicyConfig p = bare();
        p.circuitBreaker = breakerOf(1);
        p.circuitBreaker->halfOpenMaxCalls = 1;
        p.bulkhead = bulkheadOf(1, 1);
        p.timeout = TimeoutConfig { fromMs(1000), std::nullopt, {} };
        Pipeline pipeline(p, s);
        ResultLog log;
        const CallId running = pipeline.execute(op, log.callback());
        const CallId queued = pipeline.execute(op, log.callback());
        QVERIFY(pipeline.cancel(queued));
        QCOMPARE(pipeline.bulkhead()->state().queued, 0);
        QVERIFY(pipeline.cancel(running));
        QVERIFY(!pipeline.cancel(running));
        QCOMPARE(log.results.size(), 2);
        QCOMPARE(log.results[0].outcome, Outcome::Cancelled);
        QCOMPARE(log.results[1].outcome, Outcome::Cancelled);
        QCOMPARE(pipeline.bulkhead()->state().active, 0);
        QCOMPARE(op.cancelled, 1);
        QCOMPARE(s.pendingTimers(), std::size_t(0));
        QCOMPARE(pipeline.circuitBreaker()->metrics().totalCalls, 0); // nothing recorded for an abandoned call
    }

    void respectsRetryAfter()
    {
        VirtualScheduler s;
        QList<int> starts;
        ScriptedOperation op(s, [&](const Attempt &a) {
            starts.append(int(toMs(s.now())));
            if (a.number == 1) {
                Answer limited = Answer::fail("429");
                limited.retryAfter = fromMs(2500);
                return limited;
            }
            return Answer::ok();
        });
        PolicyConfig p = bare();
        p.retry = RetryPolicies::apiRateLimit();
        p.retry->jitter = false;
        Pipeline pipeline(p, s);
        ResultLog log;
        pipeline.execute(op, log.callback());
        s.runUntilIdle();
        QCOMPARE(starts, (QList<int> { 0, 2500 }));
        QCOMPARE(log.results[0].outcome, Outcome::Success);
    }

    void retryBudgetCapsRetries()
    {
        VirtualScheduler s;
        ScriptedOperation op(s, [](const Attempt &) { return Answer::fail("ECONNRESET"); });
        PolicyConfig p = bare();
        p.retry = retryOf(3, 10);
        p.retry->budget = RetryBudgetConfig { 0.0, 0.2 }; // 2 retries per 10 s, whatever the traffic
        Pipeline pipeline(p, s);
        ResultLog log;
        for (int i = 0; i < 5; ++i)
            pipeline.execute(op, log.callback());
        s.runUntilIdle();
        QCOMPARE(log.results.size(), 5);
        QCOMPARE(op.started, 5 + 2);
    }

    // The AWS SDKs' quota in a full outage: 500 tokens at 5 per retry are exactly 100 retries,
    // then calls fail after their first attempt.
    void retryQuotaStopsRetriesInAnOutage()
    {
        VirtualScheduler s;
        ScriptedOperation op(s, [](const Attempt &) { return Answer::fail("ECONNREFUSED", 1); });
        PolicyConfig p = bare();
        p.retry = retryOf(3, 10);
        p.retry->quota = RetryQuotaConfig {};
        Pipeline pipeline(p, s);
        RecordingObserver observer;
        pipeline.setObserver(&observer);
        ResultLog log;
        for (int i = 0; i < 200; ++i) {
            pipeline.execute(op, log.callback());
            s.advanceBy(fromMs(100));
        }
        s.runUntilIdle();
        QCOMPARE(log.results.size(), 200);
        QCOMPARE(observer.retries, 100);
        QCOMPARE(op.started, 200 + 100);
        QCOMPARE(pipeline.retryQuota()->tokens(), 0);
        // The first 50 calls retried twice, the others not at all.
        QCOMPARE(log.results[49].attempts, 3);
        QCOMPARE(log.results[50].attempts, 1);
        QCOMPARE(log.results[199].outcome, Outcome::Failure);
    }

    // Successes refill the bucket: a first attempt by successRefill, a retry by what it took.
    void retryQuotaRefills()
    {
        VirtualScheduler s;
        QList<Answer> answers { Answer::fail("ECONNRESET"), Answer::ok(), Answer::fail("ECONNRESET"), Answer::fail("ECONNRESET"), Answer::ok(),
                                Answer::ok(), Answer::fail("ECONNRESET"), Answer::fail("ECONNRESET"), Answer::fail("ECONNRESET") };
        ScriptedOperation op(s, [&](const Attempt &) { return answers.takeFirst(); });
        PolicyConfig p = bare();
        p.retry = retryOf(3, 10);
        p.retry->quota = RetryQuotaConfig { 12, 5, 10, 1 };
        Pipeline pipeline(p, s);
        ResultLog log;
        const auto call = [&] {
            pipeline.execute(op, log.callback());
            s.runUntilIdle();
            return pipeline.retryQuota()->tokens();
        };
        QCOMPARE(call(), 12); // ECONNRESET, a retry (−5) that succeeds: its 5 come back
        QCOMPARE(call(), 7);  // failure, retry (−5), failure, retry (−5), success: the last retry's 5 come back
        QCOMPARE(call(), 8);  // a first attempt's success: +1
        QCOMPARE(call(), 3);  // failure, retry (−5), failure: 3 tokens cannot pay a retry, the call fails
        QCOMPARE(call(), 3);  // failure: no retry at all
        QVERIFY(answers.isEmpty());
        QCOMPARE(log.results[3].outcome, Outcome::Failure);
        QCOMPARE(log.results[3].attempts, 2);
        QCOMPARE(log.results[4].attempts, 1);
        // A live change keeps the tokens; the quota turned off and on again starts full.
        p.retry->quota->capacity = 100;
        pipeline.setPolicy(p);
        QCOMPARE(pipeline.retryQuota()->tokens(), 3);
        p.retry->quota.reset();
        pipeline.setPolicy(p);
        QVERIFY(!pipeline.retryQuota());
        p.retry->quota = RetryQuotaConfig {};
        pipeline.setPolicy(p);
        QCOMPARE(pipeline.retryQuota()->tokens(), 500);
    }

    void liveTimeoutChangeAppliesToNextCalls()
    {
        VirtualScheduler s;
        ScriptedOperation op(s, [](const Attempt &) { return Answer::ok(150); });
        PolicyConfig p = bare();
        p.timeout = TimeoutConfig { fromMs(100), std::nullopt, {} };
        Pipeline pipeline(p, s);
        ResultLog log;
        pipeline.execute(op, log.callback());
        s.runUntilIdle();
        p.timeout->timeout = fromMs(200);
        pipeline.setPolicy(p);
        pipeline.execute(op, log.callback());
        s.runUntilIdle();
        QCOMPARE(log.results[0].outcome, Outcome::Timeout);
        QCOMPARE(log.results[1].outcome, Outcome::Success);
    }

    void policyChangeKeepsBreakerState()
    {
        VirtualScheduler s;
        ScriptedOperation op(s, [](const Attempt &) { return Answer::fail("500"); });
        PolicyConfig p = bare();
        p.circuitBreaker = breakerOf(2);
        Pipeline pipeline(p, s);
        ResultLog log;
        pipeline.execute(op, log.callback());
        pipeline.execute(op, log.callback());
        QCOMPARE(pipeline.circuitBreaker()->state(), CircuitState::Open);
        CircuitBreaker *before = pipeline.circuitBreaker();
        p.circuitBreaker->failureThreshold = 10;
        pipeline.setPolicy(p);
        QCOMPARE(pipeline.circuitBreaker(), before);
        QCOMPARE(pipeline.circuitBreaker()->state(), CircuitState::Open);
        QCOMPARE(pipeline.circuitBreaker()->config().failureThreshold, 10);
        // Turning the breaker off lets calls through at once.
        p.circuitBreaker.reset();
        pipeline.setPolicy(p);
        pipeline.execute(op, log.callback());
        QCOMPARE(log.results.last().outcome, Outcome::Failure);
        QCOMPARE(op.started, 3);
    }

    void synchronousOperationsReuseCallState()
    {
        VirtualScheduler s;
        ScriptedOperation op(s, [](const Attempt &a) { return a.callTag % 3 == 0 ? Answer::fail("ECONNRESET") : Answer::ok(); });
        PolicyConfig p = bare();
        p.retry = retryOf(2, 0);
        p.bulkhead = bulkheadOf(4, 4);
        Pipeline pipeline(p, s);
        int done = 0;
        for (std::uint64_t i = 0; i < 10000; ++i)
            pipeline.execute(op, [&done](const Result &) { ++done; }, i);
        s.runUntilIdle();
        QCOMPARE(done, 10000);
        QCOMPARE(pipeline.callsInFlight(), 0);
    }

    void observerSeesEveryCall()
    {
        VirtualScheduler s;
        ScriptedOperation op(s, [](const Attempt &a) { return a.number == 1 ? Answer::fail("ETIMEDOUT", 5) : Answer::ok(5); });
        PolicyConfig p = bare();
        p.retry = retryOf(3, 10);
        Pipeline pipeline(p, s);
        RecordingObserver observer;
        pipeline.setObserver(&observer);
        for (int i = 0; i < 7; ++i)
            pipeline.execute(op, {});
        s.runUntilIdle();
        QCOMPARE(observer.finished, 7);
        QCOMPARE(observer.retries, 7);
        QCOMPARE(observer.retrySucceeded, 7);
        QCOMPARE(observer.delays, QList<Duration>(7, fromMs(10)));
    }

    void customOrderTimeoutOutsideRetry()
    {
        // A timeout outside the retry bounds the whole call, retries included.
        VirtualScheduler s;
        ScriptedOperation op(s, [](const Attempt &) { return Answer::fail("ECONNRESET", 40); });
        PolicyConfig p = bare({ StageKind::Timeout, StageKind::Retry });
        p.retry = retryOf(10, 50, 1.0);
        p.timeout = TimeoutConfig { fromMs(200), std::nullopt, {} };
        Pipeline pipeline(p, s);
        ResultLog log;
        pipeline.execute(op, log.callback());
        s.runUntilIdle();
        QCOMPARE(log.results[0].outcome, Outcome::Timeout);
        QCOMPARE(s.now(), fromMs(200));
        QCOMPARE(op.started, 3); // at 0, 90 and 180
        QCOMPARE(s.pendingTimers(), std::size_t(0));
    }
};

QTEST_GUILESS_MAIN(TestPipeline)
#include "tst_pipeline.moc"
