// Hedging (Polly's HedgingStrategy) as a pipeline stage, in virtual time with exact expected
// values: when an attempt has not answered after the delay another starts beside it, a failure
// starts the next at once, the first success wins and the others are cancelled.
#include "resilience/pipeline.h"
#include "runtime/virtualscheduler.h"
#include "policyfixtures.h"
#include "scriptedoperation.h"

#include <QTest>

using namespace bw;
using namespace bw::test;

namespace {

PolicyConfig hedged(int maxHedgedAttempts, int delayMs, QList<StageKind> order = PolicyConfig::defaultOrder())
{
    PolicyConfig p = bare(std::move(order));
    p.hedging = HedgingConfig { maxHedgedAttempts, fromMs(delayMs) };
    return p;
}

// Answers by attempt number (1 for the first), in ms; a negative value hangs.
ScriptedOperation::Script answers(QList<Answer> byNumber)
{
    return [byNumber](const Attempt &a) { return byNumber.value(a.number - 1, Answer::hang()); };
}

struct Ended
{
    Result result;
    double atMs = -1;
};

// Runs one call to the end and says how and when it ended.
Ended runOne(VirtualScheduler &s, Pipeline &pipeline, Operation &op)
{
    Ended ended;
    pipeline.execute(op, [&](const Result &r) { ended = Ended { r, toMs(s.now() - TimePoint {}) }; });
    s.runUntilIdle();
    return ended;
}

struct HedgeLog final : PipelineObserver
{
    QList<double> atMs;
    QList<int> hedges;
    void onHedge(const QString &, std::uint64_t, int hedge, TimePoint at) override
    {
        hedges << hedge;
        atMs << toMs(at - TimePoint {});
    }
};

} // namespace

class TestHedging : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void defaultsArePollys()
    {
        const HedgingConfig c;
        QCOMPARE(c.maxHedgedAttempts, 1);
        QCOMPARE(c.delay, fromMs(2000));
        QCOMPARE(PolicyConfig::defaultOrder().last(), StageKind::Hedging);
    }

    // The first attempt takes 300 ms; the hedge started at 50 ms answers after 20 ms and wins:
    // the call ends at 70 ms, and the first attempt is cancelled.
    void slowAttemptIsHedged()
    {
        VirtualScheduler s;
        ScriptedOperation op(s, answers({ Answer::ok(300), Answer::ok(20) }));
        Pipeline pipeline(hedged(1, 50), s);
        HedgeLog log;
        pipeline.setObserver(&log);
        const Ended e = runOne(s, pipeline, op);
        QCOMPARE(e.result.outcome, Outcome::Success);
        QCOMPARE(e.atMs, 70.0);
        QCOMPARE(e.result.attempts, 2);
        QCOMPARE(op.started, 2);
        QCOMPARE(op.answered, 1);
        QCOMPARE(op.cancelled, 1);
        QCOMPARE(log.hedges, QList<int> { 1 });
        QCOMPARE(log.atMs, QList<double> { 50 });
        QCOMPARE(s.pendingTimers(), std::size_t(0));
    }

    // An answer before the delay: no hedge, and the delay's timer is gone.
    void fastAttemptIsNotHedged()
    {
        VirtualScheduler s;
        ScriptedOperation op(s, answers({ Answer::ok(49) }));
        Pipeline pipeline(hedged(3, 50), s);
        const Ended e = runOne(s, pipeline, op);
        QCOMPARE(e.atMs, 49.0);
        QCOMPARE(e.result.attempts, 1);
        QCOMPARE(op.started, 1);
        QCOMPARE(s.pendingTimers(), std::size_t(0));
    }

    // The original may still win: it answers at 60 ms, before the hedge started at 50 ms.
    void originalCanStillWin()
    {
        VirtualScheduler s;
        ScriptedOperation op(s, answers({ Answer::ok(60), Answer::ok(100) }));
        Pipeline pipeline(hedged(1, 50), s);
        const Ended e = runOne(s, pipeline, op);
        QCOMPARE(e.atMs, 60.0);
        QCOMPARE(op.started, 2);
        QCOMPARE(op.cancelled, 1);
        QCOMPARE(op.inFlight(), 0);
    }

    // A failure does not wait for the delay: the next attempt starts at once (10 ms) and wins.
    void failureHedgesAtOnce()
    {
        VirtualScheduler s;
        ScriptedOperation op(s, answers({ Answer::fail("ECONNRESET", 10), Answer::ok(20) }));
        Pipeline pipeline(hedged(1, 50), s);
        HedgeLog log;
        pipeline.setObserver(&log);
        const Ended e = runOne(s, pipeline, op);
        QCOMPARE(e.result.outcome, Outcome::Success);
        QCOMPARE(e.atMs, 30.0);
        QCOMPARE(log.atMs, QList<double> { 10 });
        QCOMPARE(s.pendingTimers(), std::size_t(0));
    }

    // Every attempt fails: the call waits for the last one and ends with its failure. Hedges
    // start at 50 and 100 ms; they fail at 250 and 200 ms, the original at 300 ms.
    void lastFailureWhenAllFail()
    {
        VirtualScheduler s;
        ScriptedOperation op(s, answers({ Answer::fail("ECONNRESET", 300), Answer::fail("HTTP_503", 200),
                                          Answer::fail("HTTP_502", 100) }));
        Pipeline pipeline(hedged(2, 50), s);
        HedgeLog log;
        pipeline.setObserver(&log);
        const Ended e = runOne(s, pipeline, op);
        QCOMPARE(e.result.outcome, Outcome::Failure);
        QCOMPARE(e.result.error.code.toString(), QStringLiteral("ECONNRESET"));
        QCOMPARE(e.atMs, 300.0);
        QCOMPARE(e.result.attempts, 3);
        QCOMPARE(log.hedges, (QList<int> { 1, 2 }));
        QCOMPARE(log.atMs, (QList<double> { 50, 100 }));
        QCOMPARE(op.cancelled, 0);
    }

    // A delay of 0 starts every attempt at once.
    void zeroDelayStartsAllAtOnce()
    {
        VirtualScheduler s;
        ScriptedOperation op(s, answers({ Answer::ok(30), Answer::ok(20), Answer::ok(10) }));
        Pipeline pipeline(hedged(2, 0), s);
        const Ended e = runOne(s, pipeline, op);
        QCOMPARE(e.atMs, 10.0);
        QCOMPARE(op.started, 3);
        QCOMPARE(op.cancelled, 2);
    }

    // A time limit outside hedging bounds the whole group: at 120 ms both attempts are cancelled.
    void timeoutCancelsEveryAttempt()
    {
        VirtualScheduler s;
        ScriptedOperation op(s, [](const Attempt &) { return Answer::hang(); });
        PolicyConfig p = hedged(1, 50);
        p.timeout = TimeoutConfig { fromMs(120), std::nullopt, {} };
        Pipeline pipeline(p, s);
        const Ended e = runOne(s, pipeline, op);
        QCOMPARE(e.result.outcome, Outcome::Timeout);
        QCOMPARE(e.atMs, 120.0);
        QCOMPARE(op.started, 2);
        QCOMPARE(op.cancelled, 2);
        QCOMPARE(op.inFlight(), 0);
        QCOMPARE(s.pendingTimers(), std::size_t(0));
    }

    // The caller cancelling a call cancels its hedges and the delay.
    void cancelStopsEverything()
    {
        VirtualScheduler s;
        ScriptedOperation op(s, [](const Attempt &) { return Answer::hang(); });
        Pipeline pipeline(hedged(2, 50), s);
        ResultLog results;
        const CallId id = pipeline.execute(op, results.callback());
        s.advanceBy(fromMs(60));
        QCOMPARE(op.started, 2);
        QVERIFY(pipeline.cancel(id));
        QCOMPARE(op.cancelled, 2);
        QCOMPARE(results.results[0].outcome, Outcome::Cancelled);
        QCOMPARE(s.pendingTimers(), std::size_t(0));
    }

    // Inside a retry, each retry is a new hedged group; the breaker outside sees one result per
    // group.
    void retryOutsideHedgesEachAttempt()
    {
        VirtualScheduler s;
        // Attempts 1 and 2 (the first group) fail; 3 (the retry) answers.
        ScriptedOperation op(s, answers({ Answer::fail("ECONNRESET", 100), Answer::fail("ECONNRESET", 10),
                                          Answer::ok(10) }));
        PolicyConfig p = hedged(1, 50);
        p.retry = RetryPolicies::fixed(2, 5);
        p.circuitBreaker = breakerOf(5);
        Pipeline pipeline(p, s);
        const Ended e = runOne(s, pipeline, op);
        QCOMPARE(e.result.outcome, Outcome::Success);
        // group 1: hedge at 50 fails at 60, the original at 100; retry after 5 ms at 105, answers at 115
        QCOMPARE(e.atMs, 115.0);
        QCOMPARE(e.result.attempts, 3);
        QCOMPARE(pipeline.circuitBreaker()->metrics().failures, 1);
    }

    // Off, nothing hedges; turned off while a call waits, the call starts no hedge.
    void offAndTurnedOff()
    {
        VirtualScheduler s;
        ScriptedOperation op(s, answers({ Answer::ok(300), Answer::ok(1) }));
        PolicyConfig p = hedged(1, 50);
        Pipeline pipeline(p, s);
        ResultLog results;
        pipeline.execute(op, results.callback());
        p.hedging.reset();
        pipeline.setPolicy(p);
        s.runUntilIdle();
        QCOMPARE(op.started, 1); // the armed delay finds hedging off
        QCOMPARE(results.results.size(), 1);
    }
};

QTEST_GUILESS_MAIN(TestHedging)
#include "tst_hedging.moc"
