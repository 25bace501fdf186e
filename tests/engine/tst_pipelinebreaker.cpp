// The breaker where it meets the other stages: time limits around it, fallbacks on either side,
// a bulkhead queue inside it, in every order of the stages and in CLOSED and HALF_OPEN. The
// breaker must record what the backend did (a timeout is a failure, whoever's timer saw it)
// and nothing the backend did not do (time spent in a local queue).
#include "resilience/pipeline.h"
#include "runtime/virtualscheduler.h"
#include "policyfixtures.h"
#include "scriptedoperation.h"

#include <QTest>

#include <algorithm>

using namespace bw;
using namespace bw::test;

namespace {

RetryConfig retryOf(int attempts, int delayMs, int timeoutMs = 0)
{
    RetryConfig r;
    r.maxAttempts = attempts;
    r.initialDelay = fromMs(delayMs);
    r.backoffMultiplier = 1.0;
    r.jitter = false;
    r.timeout = fromMs(timeoutMs);
    return r;
}

struct Transitions final : CircuitBreakerListener
{
    QList<TransitionReason> reasons;
    void onStateChange(const CircuitStateChange &c) override { reasons.append(c.reason); }
};

struct Reports final : PipelineObserver
{
    QList<std::optional<CircuitState>> admittedIn;
    QList<Outcome> outcomes;
    int fallbacks = 0;
    QList<ErrorCode> fallbackCauses;
    void onCallFinished(const CallReport &r) override
    {
        admittedIn.append(r.circuitState);
        outcomes.append(r.outcome);
    }
    void onFallback(const QString &, std::uint64_t, const Error &error, TimePoint) override
    {
        ++fallbacks;
        fallbackCauses.append(error.code);
    }
};

// Offers one call and runs the clock until it ends (not further: an open breaker's reset
// timer stays pending).
Result runOne(VirtualScheduler &s, Pipeline &pipeline, Operation &op)
{
    std::optional<Result> result;
    pipeline.execute(op, [&result](const Result &r) { result = r; });
    while (!result && s.runNext()) { }
    return result.value_or(Result::failure(ErrorCode::Cancelled, QStringLiteral("never ended")));
}

// Moves an open breaker to HALF_OPEN through its own reset timer.
void reachHalfOpen(VirtualScheduler &s, CircuitBreaker &breaker)
{
    breaker.forceOpen();
    s.advanceBy(breaker.config().resetTimeout);
    QCOMPARE(breaker.state(), CircuitState::HalfOpen);
}

QString orderName(const QList<StageKind> &order)
{
    QStringList names;
    for (StageKind k : order)
        names.append(stageKindName(k));
    return names.join(QLatin1Char('>'));
}

// How the backend fails, and which stage sees it.
enum class Failure { TimeoutStageWithFallback, Error, RetryTimeout, BreakerTimeout };

PolicyConfig policyFor(Failure failure, const QList<StageKind> &order)
{
    PolicyConfig p = bare(order);
    p.circuitBreaker = breakerOf(3, failure == Failure::BreakerTimeout ? 100 : 0);
    p.retry = retryOf(2, 10, failure == Failure::RetryTimeout ? 100 : 0);
    p.bulkhead = bulkheadOf(4, 4);
    p.fallback = FallbackConfig { QVariant(QStringLiteral("fallback")), {} };
    if (failure == Failure::TimeoutStageWithFallback)
        p.timeout = TimeoutConfig { fromMs(100), QVariant(QStringLiteral("timeout fallback")), {} };
    return p;
}

} // namespace

class TestPipelineBreaker : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    // Finding 1: the retry's per-attempt timeout encloses the breaker's own 3 s limit.
    void retryTimeoutIsRecordedAsATimeout()
    {
        VirtualScheduler s;
        ScriptedOperation op(s, [](const Attempt &) { return Answer::hang(); });
        PolicyConfig p = bare();
        p.circuitBreaker = breakerOf(3, 3000);
        p.retry = retryOf(2, 100, 100);
        Pipeline pipeline(p, s);
        // Call 1: attempts time out at 100 and 300. Call 2: its first attempt (400) is the
        // third failure, so the retry at 500 is refused.
        const Result first = runOne(s, pipeline, op);
        QCOMPARE(first.outcome, Outcome::Timeout);
        QCOMPARE(first.attempts, 2);
        QCOMPARE(pipeline.circuitBreaker()->metrics().timeouts, 2);
        const Result second = runOne(s, pipeline, op);
        QCOMPARE(second.outcome, Outcome::CircuitOpen);
        QCOMPARE(s.now(), fromMs(500));
        const CircuitBreakerMetrics m = pipeline.circuitBreaker()->metrics();
        QCOMPARE(m.failures, 3);
        QCOMPARE(m.timeouts, 3);
        QCOMPARE(m.successes, 0);
        QCOMPARE(pipeline.circuitBreaker()->state(), CircuitState::Open);
        QCOMPARE(op.cancelled, 3);
    }

    // Finding 1, the same for every limit outside the breaker, in CLOSED and in HALF_OPEN.
    void outerLimitsAreBreakerTimeouts_data()
    {
        QTest::addColumn<QList<StageKind>>("order");
        QTest::addColumn<bool>("halfOpen");
        const QList<StageKind> retryOutside { StageKind::Retry, StageKind::CircuitBreaker };
        const QList<StageKind> timeoutOutside { StageKind::Timeout, StageKind::CircuitBreaker, StageKind::Retry };
        QTest::addRow("retry limit, closed") << retryOutside << false;
        QTest::addRow("retry limit, half-open") << retryOutside << true;
        QTest::addRow("timeout stage, closed") << timeoutOutside << false;
        QTest::addRow("timeout stage, half-open") << timeoutOutside << true;
    }
    void outerLimitsAreBreakerTimeouts()
    {
        QFETCH(QList<StageKind>, order);
        QFETCH(bool, halfOpen);
        VirtualScheduler s;
        ScriptedOperation op(s, [](const Attempt &) { return Answer::hang(); });
        PolicyConfig p = bare(order);
        p.circuitBreaker = breakerOf(1, 3000);
        p.retry = retryOf(1, 0, order.first() == StageKind::Retry ? 100 : 0);
        p.timeout = TimeoutConfig { fromMs(100), std::nullopt, {} };
        Pipeline pipeline(p, s);
        CircuitBreaker &breaker = *pipeline.circuitBreaker();
        Transitions transitions;
        breaker.addListener(&transitions);
        if (halfOpen)
            reachHalfOpen(s, breaker);
        const TimePoint start = s.now();
        const Result r = runOne(s, pipeline, op);
        QCOMPARE(r.outcome, Outcome::Timeout);
        QCOMPARE(s.now() - start, fromMs(100));
        QCOMPARE(breaker.state(), CircuitState::Open);
        QCOMPARE(transitions.reasons.last(), halfOpen ? TransitionReason::HalfOpenFailure : TransitionReason::FailureThreshold);
        QCOMPARE(breaker.metrics().timeouts, 1);
        QCOMPARE(breaker.metrics().halfOpenInFlight, 0);
        breaker.removeListener(&transitions);
    }

    // Only a caller that gives up releases a permit without a result, in HALF_OPEN too.
    void callerCancelRecordsNothing()
    {
        VirtualScheduler s;
        ScriptedOperation op(s, [](const Attempt &) { return Answer::hang(); });
        PolicyConfig p = bare();
        p.circuitBreaker = breakerOf(1, 3000);
        p.circuitBreaker->halfOpenMaxCalls = 1;
        p.retry = retryOf(2, 0, 100);
        Pipeline pipeline(p, s);
        reachHalfOpen(s, *pipeline.circuitBreaker());
        ResultLog log;
        const CallId id = pipeline.execute(op, log.callback());
        s.advanceBy(fromMs(50));
        QVERIFY(pipeline.cancel(id));
        QCOMPARE(log.results.size(), 1);
        QCOMPARE(log.results[0].outcome, Outcome::Cancelled);
        QCOMPARE(pipeline.circuitBreaker()->metrics().totalCalls, 0);
        QCOMPARE(pipeline.circuitBreaker()->state(), CircuitState::HalfOpen);
        QCOMPARE(pipeline.circuitBreaker()->metrics().halfOpenInFlight, 0); // the trial slot is back
    }

    // Finding 1 meets finding 3: an outer limit that expires while the call still waits in a
    // bulkhead queue inside the breaker is not the backend's timeout.
    void outerLimitDuringQueueWaitIsNotCharged()
    {
        VirtualScheduler s;
        ScriptedOperation op(s, [](const Attempt &) { return Answer::ok(400); });
        PolicyConfig p = bare();
        p.circuitBreaker = breakerOf(5, 3000);
        p.retry = retryOf(1, 0, 500);
        p.bulkhead = bulkheadOf(1, 5);
        Pipeline pipeline(p, s);
        ResultLog log;
        for (int i = 0; i < 3; ++i)
            pipeline.execute(op, log.callback(), std::uint64_t(i));
        s.runUntilIdle();
        // 1 runs 0–400 and succeeds; 2 runs from 400 and times out at 500 at the backend; 3 is
        // still queued at 500.
        QCOMPARE(log.results.size(), 3);
        QCOMPARE(log.results[0].outcome, Outcome::Success);
        QCOMPARE(log.results[1].outcome, Outcome::Timeout);
        QCOMPARE(log.results[2].outcome, Outcome::Timeout);
        QCOMPARE(op.started, 2);
        const CircuitBreakerMetrics m = pipeline.circuitBreaker()->metrics();
        QCOMPARE(m.successes, 1);
        QCOMPARE(m.failures, 1);
        QCOMPARE(m.timeouts, 1);
        QCOMPARE(m.totalCalls, 2);
    }

    // Finding 2: every order of the stages, four ways to fail, CLOSED then HALF_OPEN.
    void fallbackNeverHidesTheCause_data()
    {
        QTest::addColumn<int>("failure");
        QTest::addColumn<QList<StageKind>>("order");
        // Every order of the stages policyFor() turns on; the stages it leaves off follow them in
        // the default order, since where an absent stage stands changes nothing. (Permuting all
        // nine stages made 1.4 M rows: 20 s here, over ctest's 300 s under ASan.)
        const QList<StageKind> exercised = { StageKind::Fallback, StageKind::Retry,
            StageKind::CircuitBreaker, StageKind::Bulkhead, StageKind::Timeout };
        QList<StageKind> order = exercised;
        QList<StageKind> absent;
        for (StageKind stage : PolicyConfig::defaultOrder())
            if (!exercised.contains(stage))
                absent.append(stage);
        std::sort(order.begin(), order.end());
        const std::pair<Failure, const char *> failures[] = {
            { Failure::TimeoutStageWithFallback, "timeout fallback" },
            { Failure::Error, "error" },
            { Failure::RetryTimeout, "retry timeout" },
            { Failure::BreakerTimeout, "breaker timeout" },
        };
        do {
            for (const auto &[failure, name] : failures)
                QTest::addRow("%s: %s", name, qPrintable(orderName(order))) << int(failure) << order + absent;
        } while (std::next_permutation(order.begin(), order.end()));
    }
    void fallbackNeverHidesTheCause()
    {
        QFETCH(int, failure);
        QFETCH(QList<StageKind>, order);
        VirtualScheduler s;
        ScriptedOperation op(s, [failure](const Attempt &) {
            return Failure(failure) == Failure::Error ? Answer::fail("ECONNRESET", 20) : Answer::hang();
        });
        Pipeline pipeline(policyFor(Failure(failure), order), s);
        Reports reports;
        pipeline.setObserver(&reports);
        CircuitBreaker &breaker = *pipeline.circuitBreaker();
        Transitions transitions;
        breaker.addListener(&transitions);

        // CLOSED: three calls, each failing at least once at the backend, open the breaker.
        for (int i = 0; i < 3; ++i)
            runOne(s, pipeline, op);
        QCOMPARE(breaker.state(), CircuitState::Open);
        QCOMPARE(breaker.metrics().successes, 0);
        QVERIFY(breaker.metrics().failures >= 3);
        // HALF_OPEN: one failed trial reopens it.
        s.advanceBy(breaker.config().resetTimeout);
        QCOMPARE(breaker.state(), CircuitState::HalfOpen);
        const std::int64_t failuresBefore = breaker.metrics().failures;
        runOne(s, pipeline, op);
        QCOMPARE(breaker.state(), CircuitState::Open);
        QCOMPARE(transitions.reasons.last(), TransitionReason::HalfOpenFailure);
        QVERIFY(breaker.metrics().failures > failuresBefore);
        QCOMPARE(breaker.metrics().successes, 0);
        QCOMPARE(breaker.metrics().halfOpenInFlight, 0);

        // Every fallback is reported once, with its cause. (A fallback inside the limit that
        // expired never sees the call: then the call ends as a timeout.)
        QCOMPARE(reports.fallbacks, int(std::count(reports.outcomes.begin(), reports.outcomes.end(), Outcome::Fallback)));
        for (ErrorCode cause : std::as_const(reports.fallbackCauses))
            QVERIFY2(!cause.isNull(), "a fallback without its cause");
        breaker.removeListener(&transitions);
    }

    // Finding 2 as reported: a timeout with its own fallback value on a hanging service.
    void timeoutFallbackOpensTheBreakerAndIsReported()
    {
        VirtualScheduler s;
        ScriptedOperation op(s, [](const Attempt &) { return Answer::hang(); });
        PolicyConfig p = bare();
        p.circuitBreaker = breakerOf(3);
        p.timeout = TimeoutConfig { fromMs(100), QVariant(QStringLiteral("cached")), {} };
        Pipeline pipeline(p, s);
        Reports reports;
        pipeline.setObserver(&reports);
        QList<Result> results;
        for (int i = 0; i < 4; ++i)
            results.append(runOne(s, pipeline, op));
        for (int i = 0; i < 3; ++i) {
            QCOMPARE(results[i].outcome, Outcome::Fallback);
            QCOMPARE(results[i].value.toString(), QStringLiteral("cached"));
            QCOMPARE(results[i].error.code, ErrorCode::Timeout);
        }
        QCOMPARE(results[3].outcome, Outcome::CircuitOpen);
        QCOMPARE(pipeline.circuitBreaker()->metrics().timeouts, 3);
        QCOMPARE(reports.fallbacks, 3);
        QCOMPARE(reports.fallbackCauses, QList<ErrorCode>(3, ErrorCode::Timeout));
    }

    // Finding 3: the breaker's call timeout does not run while a call waits in the bulkhead queue.
    void breakerTimeoutExcludesQueueWait()
    {
        VirtualScheduler s;
        ScriptedOperation op(s, [](const Attempt &) { return Answer::ok(200); });
        PolicyConfig p = bare();
        p.circuitBreaker = breakerOf(1, 300);
        p.bulkhead = bulkheadOf(1, 10);
        Pipeline pipeline(p, s);
        ResultLog log;
        for (int i = 0; i < 3; ++i)
            pipeline.execute(op, log.callback(), std::uint64_t(i));
        s.runUntilIdle();
        QCOMPARE(log.results.size(), 3);
        for (const Result &r : std::as_const(log.results))
            QCOMPARE(r.outcome, Outcome::Success);
        QCOMPARE(s.now(), fromMs(600));
        QCOMPARE(pipeline.circuitBreaker()->metrics().successes, 3);
        QCOMPARE(pipeline.circuitBreaker()->state(), CircuitState::Closed);
    }

    // Finding 3: nor is the queue wait part of the call's duration for the slow-call rate; a
    // call slow at the backend still is.
    void slowCallDurationExcludesQueueWait()
    {
        VirtualScheduler s;
        ScriptedOperation op(s, [](const Attempt &a) { return Answer::ok(a.callTag == 3 ? 300 : 200); });
        PolicyConfig p = bare();
        p.circuitBreaker = breakerOf(0);
        p.circuitBreaker->slowCallDurationThreshold = fromMs(250);
        p.circuitBreaker->slowCallRateThreshold = 0.5;
        p.circuitBreaker->volumeThreshold = 1;
        p.bulkhead = bulkheadOf(1, 10);
        Pipeline pipeline(p, s);
        ResultLog log;
        for (int i = 0; i < 4; ++i)
            pipeline.execute(op, log.callback(), std::uint64_t(i));
        s.runUntilIdle();
        QCOMPARE(log.results.size(), 4);
        const CircuitBreakerMetrics m = pipeline.circuitBreaker()->metrics();
        QCOMPARE(m.successes, 4);
        QCOMPARE(m.slowCalls, 1); // call 3, 300 ms at the backend after 600 ms in the queue
    }

    // The breaker's clock pauses in the queue, so it must not stand in for a limit that does
    // count the queue (a timeout stage between the breaker and the bulkhead).
    void pausedBreakerTimerDoesNotHideAnOuterLimit()
    {
        VirtualScheduler s;
        ScriptedOperation op(s, [](const Attempt &) { return Answer::ok(200); });
        PolicyConfig p = bare({ StageKind::CircuitBreaker, StageKind::Timeout, StageKind::Bulkhead });
        p.circuitBreaker = breakerOf(5, 300);
        p.timeout = TimeoutConfig { fromMs(900), std::nullopt, {} };
        p.bulkhead = bulkheadOf(1, 10);
        Pipeline pipeline(p, s);
        ResultLog log;
        for (int i = 0; i < 6; ++i)
            pipeline.execute(op, log.callback(), std::uint64_t(i));
        s.runUntilIdle();
        // Calls run back to back from 0; at 900 the fifth is running (timed out at the
        // backend), the sixth is still queued (timed out, not charged).
        QCOMPARE(log.results.size(), 6);
        int timeouts = 0;
        for (const Result &r : std::as_const(log.results))
            timeouts += r.outcome == Outcome::Timeout ? 1 : 0;
        QCOMPARE(timeouts, 2);
        QCOMPARE(s.now(), fromMs(900));
        const CircuitBreakerMetrics m = pipeline.circuitBreaker()->metrics();
        QCOMPARE(m.successes, 4);
        QCOMPARE(m.timeouts, 1);
        QCOMPARE(m.totalCalls, 5);
    }

    // Finding 10: a call reports the state that admitted (or refused) it, not the state after.
    void callsReportTheAdmittingState()
    {
        VirtualScheduler s;
        bool healthy = false;
        ScriptedOperation op(s, [&healthy](const Attempt &) { return healthy ? Answer::ok(10) : Answer::fail("500", 10); });
        PolicyConfig p = bare();
        p.circuitBreaker = breakerOf(1);
        Pipeline pipeline(p, s);
        Reports reports;
        pipeline.setObserver(&reports);
        runOne(s, pipeline, op);  // admitted in CLOSED, opens the breaker
        runOne(s, pipeline, op);  // refused in OPEN
        s.advanceBy(fromMs(1000));
        healthy = true;
        runOne(s, pipeline, op);  // admitted in HALF_OPEN, closes it
        QCOMPARE(pipeline.circuitBreaker()->state(), CircuitState::Closed);
        QCOMPARE(reports.admittedIn,
                 (QList<std::optional<CircuitState>> { CircuitState::Closed, CircuitState::Open, CircuitState::HalfOpen }));

        // A call that never reached the breaker has no admitting state.
        PolicyConfig q = p;
        q.order = { StageKind::Bulkhead, StageKind::CircuitBreaker };
        q.bulkhead = bulkheadOf(1, 0);
        pipeline.setPolicy(q);
        ScriptedOperation slow(s, [](const Attempt &) { return Answer::ok(100); });
        pipeline.execute(slow, {});
        pipeline.execute(slow, {}); // bulkhead full
        s.runUntilIdle();
        QCOMPARE(reports.admittedIn.size(), 5);
        QCOMPARE(reports.admittedIn[3], std::optional<CircuitState>());
        QCOMPARE(reports.admittedIn[4], std::optional<CircuitState>(CircuitState::Closed));

        // A trial call in HALF_OPEN whose retry is then refused was admitted in HALF_OPEN.
        PolicyConfig r = p;
        r.retry = retryOf(2, 10);
        r.retry->retryableErrors = QStringList { QStringLiteral("500") };
        pipeline.setPolicy(r);
        healthy = false;
        runOne(s, pipeline, op); // CLOSED: fails twice, opens
        s.advanceBy(fromMs(1000));
        QCOMPARE(pipeline.circuitBreaker()->state(), CircuitState::HalfOpen);
        const Result trial = runOne(s, pipeline, op);
        QCOMPARE(trial.outcome, Outcome::CircuitOpen);
        QCOMPARE(trial.attempts, 1);
        QCOMPARE(reports.admittedIn.mid(5),
                 (QList<std::optional<CircuitState>> { CircuitState::Closed, CircuitState::HalfOpen }));
    }
};

QTEST_GUILESS_MAIN(TestPipelineBreaker)
#include "tst_pipelinebreaker.moc"
