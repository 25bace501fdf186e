// The adaptive throttle (Google SRE book, "Handling Overload") alone and as a pipeline stage, in
// virtual time with exact expected values.
#include "resilience/adaptivethrottle.h"
#include "resilience/pipeline.h"
#include "runtime/virtualscheduler.h"
#include "policyfixtures.h"
#include "scriptedoperation.h"

#include <QTest>

using namespace bw;
using namespace bw::test;

namespace {

AdaptiveThrottleConfig throttleOf(double k, int windowMs)
{
    return AdaptiveThrottleConfig { k, fromMs(windowMs) };
}

void record(AdaptiveThrottle &t, double atMs, int requests, int accepts)
{
    for (int i = 0; i < requests; ++i)
        t.recordRequest(fromMs(atMs));
    for (int i = 0; i < accepts; ++i)
        t.recordAccept(fromMs(atMs));
}

// Results of `calls` calls offered at once to a pipeline with the throttle, against a backend
// that answers 503 to everything after 10 ms.
QList<Outcome> floodAFailingBackend(std::uint64_t seed, int calls, int *started)
{
    VirtualScheduler s;
    ScriptedOperation op(s, [](const Attempt &) { return Answer::fail("503", 10); });
    PolicyConfig p = bare();
    p.adaptiveThrottle = throttleOf(2, 1000);
    Pipeline pipeline(p, s, seed);
    ResultLog log;
    for (int i = 0; i < calls; ++i)
        pipeline.execute(op, log.callback());
    s.runUntilIdle();
    *started = op.started;
    QList<Outcome> outcomes;
    for (const Result &r : log.results)
        outcomes.append(r.outcome);
    return outcomes;
}

} // namespace

class TestAdaptiveThrottle : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void defaultsAreTheBooks()
    {
        const AdaptiveThrottleConfig c;
        QCOMPARE(c.k, 2.0);
        QCOMPARE(c.window, fromMs(120000));
    }

    // max(0, (requests − k·accepts) / (requests + 1)) on a known window.
    void probability_data()
    {
        QTest::addColumn<double>("k");
        QTest::addColumn<int>("requests");
        QTest::addColumn<int>("accepts");
        QTest::addColumn<double>("expected");
        QTest::addRow("empty window") << 2.0 << 0 << 0 << 0.0;
        QTest::addRow("10 requests, 3 accepts, k 2") << 2.0 << 10 << 3 << 4.0 / 11.0;
        QTest::addRow("10 requests, 5 accepts, k 2: none") << 2.0 << 10 << 5 << 0.0;
        QTest::addRow("100 requests, 10 accepts, k 2") << 2.0 << 100 << 10 << 80.0 / 101.0;
        QTest::addRow("100 requests, 10 accepts, k 1.5") << 1.5 << 100 << 10 << 85.0 / 101.0;
        QTest::addRow("nothing accepted") << 2.0 << 9 << 0 << 9.0 / 10.0;
    }

    void probability()
    {
        QFETCH(double, k);
        QFETCH(int, requests);
        QFETCH(int, accepts);
        QFETCH(double, expected);
        AdaptiveThrottle t(throttleOf(k, 120000), TimePoint {});
        record(t, 500, requests, accepts);
        QCOMPARE(t.requests(), requests);
        QCOMPARE(t.accepts(), accepts);
        QCOMPARE(t.rejectionProbability(fromMs(1000)), expected);
    }

    // 64 buckets of 1 ms: counts of [0, 1) ms are in the window until 64 ms, then gone; later
    // buckets stay.
    void countsLeaveABucketAtATime()
    {
        AdaptiveThrottle t(throttleOf(2, 64), TimePoint {});
        record(t, 0.5, 10, 0);
        record(t, 10, 5, 0);
        QCOMPARE(t.rejectionProbability(fromMs(63.9)), 15.0 / 16.0);
        QCOMPARE(t.rejectionProbability(fromMs(64)), 5.0 / 6.0);
        QCOMPARE(t.requests(), 5);
        QCOMPARE(t.rejectionProbability(fromMs(74)), 0.0);
        QCOMPARE(t.requests(), 0);
        // A gap of many windows clears everything once.
        record(t, 80, 3, 1);
        QCOMPARE(t.rejectionProbability(fromMs(1e6)), 0.0);
        QCOMPARE(t.requests(), 0);
        QCOMPARE(t.accepts(), 0);
    }

    void liveChanges()
    {
        AdaptiveThrottle t(throttleOf(2, 1000), TimePoint {});
        record(t, 0, 10, 3);
        t.setConfig(throttleOf(3, 1000), fromMs(10)); // a new k applies at once, the counts stay
        QCOMPARE(t.rejectionProbability(fromMs(10)), 1.0 / 11.0);
        t.setConfig(throttleOf(3, 2000), fromMs(20)); // a new window starts empty
        QCOMPARE(t.requests(), 0);
        QCOMPARE(t.rejectionProbability(fromMs(20)), 0.0);
    }

    // A backend that accepts everything is never throttled: every call reaches it.
    void healthyBackendIsNeverThrottled()
    {
        VirtualScheduler s;
        ScriptedOperation op(s, [](const Attempt &) { return Answer::ok(10); });
        PolicyConfig p = bare();
        p.adaptiveThrottle = throttleOf(1, 1000);
        Pipeline pipeline(p, s);
        ResultLog log;
        for (int i = 0; i < 50; ++i) {
            pipeline.execute(op, log.callback());
            s.advanceBy(fromMs(20));
        }
        s.runUntilIdle();
        QCOMPARE(op.started, 50);
        QCOMPARE(pipeline.adaptiveThrottle()->requests(), 50);
        QCOMPARE(pipeline.adaptiveThrottle()->accepts(), 50);
    }

    // Against a backend that accepts nothing, the n-th of calls offered at once goes with
    // probability 1 / n: a few go, the rest end throttled without calling it, the breaker
    // ignores them, and the same seed gives the same run.
    void failingBackendIsThrottledLocally()
    {
        VirtualScheduler s;
        ScriptedOperation op(s, [](const Attempt &) { return Answer::fail("503", 10); });
        PolicyConfig p = bare();
        p.circuitBreaker = breakerOf(1000);
        p.adaptiveThrottle = throttleOf(2, 1000);
        Pipeline pipeline(p, s, 7);
        ResultLog log;
        pipeline.execute(op, log.callback()); // an empty window: it goes
        pipeline.execute(op, log.callback()); // 1 request, 0 accepts: rejected with p = 1/2
        for (int i = 0; i < 198; ++i)
            pipeline.execute(op, log.callback());
        s.runUntilIdle();
        QCOMPARE(log.results.size(), 200);
        QVERIFY(op.started >= 1 && op.started < 20); // 1 + 1/2 + … + 1/200 ≈ 5.9 expected
        int throttled = 0;
        for (const Result &r : log.results) {
            if (r.outcome != Outcome::Throttled)
                continue;
            ++throttled;
            QCOMPARE(r.error.code, ErrorCode::Throttled);
            QCOMPARE(r.error.stage, Stage::AdaptiveThrottle);
            QCOMPARE(r.attempts, 0);
        }
        QCOMPARE(throttled, 200 - op.started);
        QCOMPARE(pipeline.adaptiveThrottle()->requests(), 200);
        QCOMPARE(pipeline.adaptiveThrottle()->accepts(), 0);
        QCOMPARE(pipeline.circuitBreaker()->metrics().failures, op.started);

        int startedAgain = 0, startedOther = 0;
        QCOMPARE(floodAFailingBackend(7, 200, &startedAgain), floodAFailingBackend(7, 200, &startedAgain));
        floodAFailingBackend(8, 200, &startedOther);
        QVERIFY(startedAgain >= 1 && startedOther >= 1);
    }

    // Inside the retry, each attempt is a request; a throttled attempt is not retried by default.
    void throttledAttemptIsNotRetried()
    {
        VirtualScheduler s;
        ScriptedOperation op(s, [](const Attempt &) { return Answer::fail("ECONNRESET"); });
        PolicyConfig p = bare();
        p.retry = RetryPolicies::fixed(100, 10);
        p.adaptiveThrottle = throttleOf(2, 60000);
        Pipeline pipeline(p, s, 3);
        ResultLog log;
        pipeline.execute(op, log.callback());
        s.runUntilIdle();
        QCOMPARE(log.results.size(), 1);
        QCOMPARE(log.results[0].outcome, Outcome::Throttled);
        QCOMPARE(log.results[0].attempts, op.started);
        QCOMPARE(pipeline.adaptiveThrottle()->requests(), op.started + 1);
    }

    // A call in flight when the throttle is turned off: its answer is not counted and its
    // retry passes.
    void turnedOffWhileACallRetries()
    {
        VirtualScheduler s;
        ScriptedOperation op(s, [](const Attempt &a) { return a.number == 1 ? Answer::fail("ECONNRESET") : Answer::ok(); });
        PolicyConfig p = bare();
        p.retry = RetryPolicies::fixed(2, 100);
        p.adaptiveThrottle = throttleOf(2, 1000);
        Pipeline pipeline(p, s);
        ResultLog log;
        pipeline.execute(op, log.callback());
        p.adaptiveThrottle.reset();
        pipeline.setPolicy(p);
        QVERIFY(!pipeline.adaptiveThrottle());
        s.runUntilIdle();
        QCOMPARE(log.results.size(), 1);
        QCOMPARE(log.results[0].outcome, Outcome::Success);
        QCOMPARE(log.results[0].attempts, 2);
    }
};

QTEST_GUILESS_MAIN(TestAdaptiveThrottle)
#include "tst_adaptivethrottle.moc"
