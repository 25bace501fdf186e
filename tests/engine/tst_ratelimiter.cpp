// The rate limiter (Resilience4j's names and AtomicRateLimiter's arithmetic) alone and as a
// pipeline stage, in virtual time with exact expected values.
#include "resilience/pipeline.h"
#include "resilience/ratelimiter.h"
#include "runtime/virtualscheduler.h"
#include "policyfixtures.h"
#include "scriptedoperation.h"

#include <QTest>

using namespace bw;
using namespace bw::test;

namespace {

RateLimiterConfig limiterOf(int limit, int periodMs, int timeoutMs)
{
    return RateLimiterConfig { limit, fromMs(periodMs), fromMs(timeoutMs) };
}

// The wait a reservation at `atMs` gets, in ms; -1 when refused.
double reserveAt(RateLimiter &limiter, double atMs)
{
    const std::optional<Duration> wait = limiter.reserve(fromMs(atMs));
    return wait ? toMs(*wait) : -1;
}

} // namespace

class TestRateLimiter : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void defaultsAreTheIssues()
    {
        const RateLimiterConfig c;
        QCOMPARE(c.limitForPeriod, 50);
        QCOMPARE(c.refreshPeriod, fromMs(1000));
        QCOMPARE(c.timeout, Duration::zero());
    }

    // Reservations at the given times (ms) and the wait each gets (-1: refused).
    void reservations_data()
    {
        QTest::addColumn<int>("limit");
        QTest::addColumn<int>("periodMs");
        QTest::addColumn<int>("timeoutMs");
        QTest::addColumn<QList<double>>("atMs");
        QTest::addColumn<QList<double>>("waitMs");
        QTest::addRow("limit reached, no wait") << 2 << 1000 << 0 << QList<double> { 0, 10, 20, 999, 1000 }
                                                << QList<double> { 0, 0, -1, -1, 0 };
        QTest::addRow("unused permits are not carried over") << 2 << 1000 << 0 << QList<double> { 0, 3500, 3600, 3700 }
                                                             << QList<double> { 0, 0, 0, -1 };
        QTest::addRow("a wait up to the next period") << 2 << 1000 << 1000 << QList<double> { 0, 0, 250, 250, 250 }
                                                      << QList<double> { 0, 0, 750, 750, -1 };
        // Reserved permits are a debt the next periods pay first.
        QTest::addRow("waits queue over periods") << 1 << 100 << 1000 << QList<double> { 0, 0, 0, 0, 150, 400 }
                                                  << QList<double> { 0, 100, 200, 300, 250, 100 };
        QTest::addRow("timeout bounds the queue") << 1 << 100 << 150 << QList<double> { 0, 10, 10, 10 }
                                                  << QList<double> { 0, 90, -1, -1 };
        QTest::addRow("exactly the timeout is allowed") << 1 << 100 << 100 << QList<double> { 0, 0 }
                                                        << QList<double> { 0, 100 };
    }

    void reservations()
    {
        QFETCH(int, limit);
        QFETCH(int, periodMs);
        QFETCH(int, timeoutMs);
        QFETCH(QList<double>, atMs);
        QFETCH(QList<double>, waitMs);
        RateLimiter limiter(limiterOf(limit, periodMs, timeoutMs), TimePoint {});
        QList<double> waits;
        for (double at : atMs)
            waits.append(reserveAt(limiter, at));
        QCOMPARE(waits, waitMs);
    }

    void periodsCountFromTheStart()
    {
        RateLimiter limiter(limiterOf(1, 1000, 0), fromMs(300));
        QCOMPARE(reserveAt(limiter, 300), 0.0);
        QCOMPARE(reserveAt(limiter, 1299), -1.0);
        QCOMPARE(reserveAt(limiter, 1300), 0.0);
        QCOMPARE(limiter.availablePermits(fromMs(2300)), 1);
    }

    void liveChanges()
    {
        RateLimiter limiter(limiterOf(2, 1000, 0), TimePoint {});
        QCOMPARE(reserveAt(limiter, 0), 0.0);
        // A new limit waits for the next period, as Resilience4j's changeLimitForPeriod.
        limiter.setConfig(limiterOf(5, 1000, 0), fromMs(100));
        QCOMPARE(limiter.availablePermits(fromMs(100)), 1);
        QCOMPARE(limiter.availablePermits(fromMs(1000)), 5);
        // A new period starts a period now, with the permits left.
        limiter.setConfig(limiterOf(5, 200, 0), fromMs(1050));
        QCOMPARE(limiter.availablePermits(fromMs(1249)), 5);
        QCOMPARE(reserveAt(limiter, 1249), 0.0);
        QCOMPARE(limiter.availablePermits(fromMs(1250)), 5);
        // A new timeout applies at once.
        limiter.setConfig(limiterOf(1, 200, 0), fromMs(1250));
        QCOMPARE(reserveAt(limiter, 1450), 0.0);
        QCOMPARE(reserveAt(limiter, 1450), -1.0);
        limiter.setConfig(limiterOf(1, 200, 500), fromMs(1450));
        QCOMPARE(reserveAt(limiter, 1450), 200.0);
    }

    // 10 calls at once against 3 per 100 ms: the first 3 start at 0, 3 wait for 100 ms, 3 for
    // 200 ms; the last would wait 300 ms, over the 250 ms timeout: rate_limited at once.
    void pipelineWaitsInVirtualTime()
    {
        VirtualScheduler s;
        QList<double> starts;
        ScriptedOperation op(s, [&](const Attempt &a) {
            starts.append(toMs(a.startedAt));
            return Answer::ok(5);
        });
        PolicyConfig p = bare();
        p.rateLimiter = limiterOf(3, 100, 250);
        Pipeline pipeline(p, s);
        ResultLog log;
        for (int i = 0; i < 10; ++i)
            pipeline.execute(op, log.callback());
        QCOMPARE(log.results.size(), 1);
        QCOMPARE(log.results[0].outcome, Outcome::RateLimited);
        QCOMPARE(log.results[0].error.code, ErrorCode::RequestNotPermitted);
        QCOMPARE(log.results[0].error.stage, Stage::RateLimiter);
        QCOMPARE(log.results[0].attempts, 0);
        s.runUntilIdle();
        QCOMPARE(starts, (QList<double> { 0, 0, 0, 100, 100, 100, 200, 200, 200 }));
        QCOMPARE(log.results.size(), 10);
        QCOMPARE(pipeline.callsInFlight(), 0);
        QCOMPARE(s.pendingTimers(), std::size_t(0));
    }

    // The breaker ignores the limiter's refusals (local overload, like a full bulkhead), and its
    // call timer stands still while a call waits for a permit.
    void breakerIgnoresRefusalsAndWaits()
    {
        VirtualScheduler s;
        ScriptedOperation op(s, [](const Attempt &) { return Answer::ok(50); });
        PolicyConfig p = bare();
        p.circuitBreaker = breakerOf(1, 80); // its own call limit: 80 ms
        p.rateLimiter = limiterOf(1, 1000, 2000);
        Pipeline pipeline(p, s);
        ResultLog log;
        pipeline.execute(op, log.callback());
        pipeline.execute(op, log.callback()); // waits 1000 ms for its permit, then runs 50 ms
        p.rateLimiter->timeout = Duration::zero();
        pipeline.setPolicy(p);
        pipeline.execute(op, log.callback()); // refused: the next permit is taken
        s.runUntilIdle();
        QCOMPARE(log.results.size(), 3);
        QCOMPARE(log.results[0].outcome, Outcome::RateLimited);
        QCOMPARE(log.results[1].outcome, Outcome::Success);
        QCOMPARE(log.results[2].outcome, Outcome::Success);
        QCOMPARE(pipeline.circuitBreaker()->state(), CircuitState::Closed);
        QCOMPARE(pipeline.circuitBreaker()->metrics().failures, 0);
    }

    // A time limit outside the limiter ends the wait; the call is a timeout, the operation is
    // never started, and the breaker records nothing for it.
    void timeLimitEndsTheWait()
    {
        VirtualScheduler s;
        ScriptedOperation op(s, [](const Attempt &) { return Answer::ok(10); });
        PolicyConfig p = bare({ StageKind::Timeout, StageKind::CircuitBreaker, StageKind::RateLimiter });
        p.timeout = TimeoutConfig { fromMs(300), std::nullopt, {} };
        p.circuitBreaker = breakerOf(1);
        p.rateLimiter = limiterOf(1, 1000, 5000);
        Pipeline pipeline(p, s);
        ResultLog log;
        pipeline.execute(op, log.callback());
        pipeline.execute(op, log.callback());
        s.runUntilIdle();
        QCOMPARE(log.results.size(), 2);
        QCOMPARE(log.results[0].outcome, Outcome::Success);
        QCOMPARE(log.results[1].outcome, Outcome::Timeout);
        QCOMPARE(op.started, 1);
        QCOMPARE(pipeline.circuitBreaker()->metrics().failures, 0);
        QCOMPARE(s.pendingTimers(), std::size_t(0));
    }

    // Inside the retry, each attempt needs a permit; its refusal is not retried by default.
    void refusalIsNotRetried()
    {
        VirtualScheduler s;
        ScriptedOperation op(s, [](const Attempt &) { return Answer::fail("ECONNRESET"); });
        PolicyConfig p = bare();
        p.retry = RetryPolicies::fixed(3, 10);
        p.rateLimiter = limiterOf(2, 1000, 0);
        Pipeline pipeline(p, s);
        ResultLog log;
        pipeline.execute(op, log.callback());
        s.runUntilIdle();
        QCOMPARE(op.started, 2);
        QCOMPARE(log.results[0].outcome, Outcome::RateLimited);
        QCOMPARE(log.results[0].attempts, 2);
    }

    // A call in flight keeps its stages: when the limiter is turned off meanwhile, its retry
    // passes without a permit.
    void turnedOffWhileACallRetries()
    {
        VirtualScheduler s;
        ScriptedOperation op(s, [](const Attempt &a) { return a.number == 1 ? Answer::fail("ECONNRESET") : Answer::ok(); });
        PolicyConfig p = bare();
        p.retry = RetryPolicies::fixed(2, 100);
        p.rateLimiter = limiterOf(1, 1000, 0);
        Pipeline pipeline(p, s);
        ResultLog log;
        pipeline.execute(op, log.callback());
        p.rateLimiter.reset();
        pipeline.setPolicy(p);
        QVERIFY(!pipeline.rateLimiter());
        s.runUntilIdle();
        QCOMPARE(log.results.size(), 1);
        QCOMPARE(log.results[0].outcome, Outcome::Success);
        QCOMPARE(log.results[0].attempts, 2);
    }

    void cancelWhileWaiting()
    {
        VirtualScheduler s;
        ScriptedOperation op(s, [](const Attempt &) { return Answer::ok(10); });
        PolicyConfig p = bare();
        p.rateLimiter = limiterOf(1, 1000, 5000);
        Pipeline pipeline(p, s);
        ResultLog log;
        pipeline.execute(op, log.callback());
        const CallId waiting = pipeline.execute(op, log.callback());
        QVERIFY(pipeline.cancel(waiting));
        QCOMPARE(log.results.size(), 1);
        QCOMPARE(log.results[0].outcome, Outcome::Cancelled);
        s.runUntilIdle();
        QCOMPARE(op.started, 1);
        QCOMPARE(s.pendingTimers(), std::size_t(0));
    }
};

QTEST_GUILESS_MAIN(TestRateLimiter)
#include "tst_ratelimiter.moc"
