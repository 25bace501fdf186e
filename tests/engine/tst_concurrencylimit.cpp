// Netflix concurrency-limits' algorithms (vegas, gradient2, aimd) alone, the limit each gives
// on a known sequence of samples, exactly; and the adaptive concurrency limit as a pipeline
// stage, in virtual time.
#include "resilience/concurrencylimit.h"
#include "resilience/pipeline.h"
#include "runtime/virtualscheduler.h"
#include "policyfixtures.h"
#include "scriptedoperation.h"

#include <QTest>

using namespace bw;
using namespace bw::test;

namespace {

struct Sample
{
    double rttMs;
    int inflight;
    bool drop;
};

QList<double> limitsAfter(ConcurrencyLimit &limit, const QList<Sample> &samples)
{
    Random random(1);
    QList<double> limits;
    for (const Sample &s : samples) {
        limit.update(fromMs(s.rttMs), s.inflight, s.drop, random);
        limits.append(limit.estimatedLimit());
    }
    return limits;
}

// AIMD from `limit` (between 1 and 10), so each sample's effect is a known step.
PolicyConfig aimdFrom(int limit)
{
    PolicyConfig p = bare();
    ConcurrencyLimitConfig c = ConcurrencyLimitConfig::defaultsFor(LimitAlgorithm::Aimd);
    c.initialLimit = limit;
    c.minLimit = 1;
    c.maxLimit = 10;
    p.concurrencyLimit = c;
    return p;
}

} // namespace

class TestConcurrencyLimit : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void defaultsAreTheLibrarys()
    {
        const ConcurrencyLimitConfig g;
        QCOMPARE(g.algorithm, LimitAlgorithm::Gradient2);
        QCOMPARE(g.initialLimit, 20);
        QCOMPARE(g.minLimit, 20);
        QCOMPARE(g.maxLimit, 200);
        QCOMPARE(g.smoothing, 0.2);
        QCOMPARE(g.rttTolerance, 1.5);
        QCOMPARE(g.longWindow, 600);
        QCOMPARE(g.queueSize, 4);
        const ConcurrencyLimitConfig a = ConcurrencyLimitConfig::defaultsFor(LimitAlgorithm::Aimd);
        QCOMPARE(a.initialLimit, 20);
        QCOMPARE(a.minLimit, 20);
        QCOMPARE(a.maxLimit, 200);
        QCOMPARE(a.backoffRatio, 0.9);
        QCOMPARE(a.timeout, fromMs(5000));
        const ConcurrencyLimitConfig v = ConcurrencyLimitConfig::defaultsFor(LimitAlgorithm::Vegas);
        QCOMPARE(v.initialLimit, 20);
        QCOMPARE(v.minLimit, 1);
        QCOMPARE(v.maxLimit, 1000);
        QCOMPARE(v.smoothing, 1.0);
        QCOMPARE(v.probeMultiplier, 30);
    }

    // +1 when at least half the limit is in flight, × 0.9 (at least −1) on a drop or a sample
    // over the 5 s timeout, within [minLimit, maxLimit].
    void aimdSequence()
    {
        ConcurrencyLimitConfig c = ConcurrencyLimitConfig::defaultsFor(LimitAlgorithm::Aimd);
        c.initialLimit = 10;
        c.minLimit = 1;
        c.maxLimit = 12;
        ConcurrencyLimit limit(c);
        QCOMPARE(limit.limit(), 10);
        const QList<Sample> samples { { 10, 5, false }, { 10, 5, false }, { 10, 6, false }, { 10, 6, false },
            { 6000, 6, false }, { 10, 1, true }, { 10, 1, true }, { 10, 1, true } };
        QCOMPARE(limitsAfter(limit, samples), (QList<double> { 11, 11, 12, 12, 10, 9, 8, 7 }));
    }

    // A steady 100 ms grows the limit by queueSize × smoothing (0.8) per sample; a 400 ms sample
    // after three of 100 ms gives the gradient 1.5 × 175 / 400 = 0.65625:
    // 22.4 × 0.8 + (22.4 × 0.65625 + 4) × 0.2 = 21.66. Few calls in flight change nothing.
    void gradient2Sequence()
    {
        ConcurrencyLimitConfig c;
        c.minLimit = 1;
        ConcurrencyLimit limit(c);
        const QList<Sample> samples { { 100, 20, false }, { 100, 20, false }, { 100, 20, false },
            { 400, 20, false }, { 100, 5, false } };
        const QList<double> limits = limitsAfter(limit, samples);
        const QList<double> expected { 20.8, 21.6, 22.4, 21.66, 21.66 };
        QCOMPARE(limits.size(), expected.size());
        for (qsizetype i = 0; i < limits.size(); ++i)
            QVERIFY2(std::abs(limits[i] - expected[i]) < 1e-9, qPrintable(QString::number(limits[i])));
        QCOMPARE(limit.limit(), 21);
    }

    // The first sample sets the no-load RTT; no queue (≤ log10 20 = 1) adds beta (6); a queue of
    // 13 over beta takes 1 off; 3 (= alpha) holds; 2 adds 1; a drop takes 1 off.
    void vegasSequence()
    {
        ConcurrencyLimit limit(ConcurrencyLimitConfig::defaultsFor(LimitAlgorithm::Vegas));
        const QList<Sample> samples { { 100, 20, false }, { 100, 20, false }, { 200, 26, false },
            { 110, 25, false }, { 105, 25, false }, { 105, 25, true } };
        QCOMPARE(limitsAfter(limit, samples), (QList<double> { 20, 26, 25, 25, 26, 25 }));
    }

    void liveChangeKeepsTheEstimateWithinBounds()
    {
        ConcurrencyLimitConfig c;
        ConcurrencyLimit limit(c);
        c.minLimit = 30;
        limit.setConfig(c);
        QCOMPARE(limit.limit(), 30);
        c.minLimit = 1;
        c.maxLimit = 25;
        limit.setConfig(c);
        QCOMPARE(limit.limit(), 25);
    }

    // Netflix's SimpleLimiter: as many calls in flight as the limit, the next ends
    // limit_exceeded without calling the backend; each success is a sample with the calls in
    // flight when it started (1, 2, 3: the last two have at least half the limit in flight, +1 each).
    void stageAdmitsUpToTheLimit()
    {
        VirtualScheduler s;
        ScriptedOperation op(s, [](const Attempt &) { return Answer::ok(100); });
        Pipeline pipeline(aimdFrom(3), s);
        ResultLog log;
        for (int i = 0; i < 5; ++i)
            pipeline.execute(op, log.callback());
        QCOMPARE(op.started, 3);
        QCOMPARE(pipeline.limitInFlight(), 3);
        QCOMPARE(log.results.size(), 2);
        for (const Result &r : log.results) {
            QCOMPARE(r.outcome, Outcome::LimitExceeded);
            QCOMPARE(r.error.code, ErrorCode::LimitExceeded);
            QCOMPARE(r.error.stage, Stage::ConcurrencyLimit);
            QCOMPARE(r.attempts, 0);
        }
        s.runUntilIdle();
        QCOMPARE(log.results.size(), 5);
        QCOMPARE(pipeline.limitInFlight(), 0);
        QCOMPARE(pipeline.concurrencyLimit()->limit(), 5);
    }

    // A drop (a time limit, a 503 or 429) backs AIMD off; any other failure is no sample. The
    // breaker ignores the limit's refusals and the retry does not retry them.
    void dropsAndIgnoredFailures()
    {
        VirtualScheduler s;
        int n = 0;
        const QList<Answer> answers { Answer::fail("503", 10), Answer::fail("429", 10), Answer::fail("500", 10),
            Answer::hang(), Answer::ok(10) };
        ScriptedOperation op(s, [&](const Attempt &) { return answers[n++]; });
        PolicyConfig p = aimdFrom(10);
        p.timeout = TimeoutConfig {};
        p.timeout->timeout = fromMs(50);
        Pipeline pipeline(p, s);
        QList<int> limits;
        for (int i = 0; i < answers.size(); ++i) {
            pipeline.execute(op, [](Result) { });
            s.runUntilIdle();
            limits.append(pipeline.concurrencyLimit()->limit());
        }
        // 10 × 0.9 → 9, → 8, a 500 says nothing, the timeout → 7, a success with 1 of 7 in flight
        // is app-limited: no change.
        QCOMPARE(limits, (QList<int> { 9, 8, 8, 7, 7 }));

        PolicyConfig guarded = aimdFrom(1);
        guarded.circuitBreaker = breakerOf(1000);
        guarded.retry = RetryPolicies::fixed(10, 3);
        Pipeline second(guarded, s);
        ScriptedOperation slow(s, [](const Attempt &) { return Answer::ok(100); });
        ResultLog log;
        second.execute(slow, log.callback());
        second.execute(slow, log.callback());
        QCOMPARE(log.results.size(), 1);
        QCOMPARE(log.results[0].outcome, Outcome::LimitExceeded);
        QCOMPARE(slow.started, 1);
        s.runUntilIdle();
        QCOMPARE(second.circuitBreaker()->metrics().failures, 0);
    }

    // A caller who gives up says nothing about the backend: no sample, the permit back. A time
    // limit outside the stage is a drop.
    void cancelIsNoSampleATimeLimitOutsideIsADrop()
    {
        VirtualScheduler s;
        ScriptedOperation op(s, [](const Attempt &) { return Answer::hang(); });
        Pipeline pipeline(aimdFrom(5), s);
        const CallId id = pipeline.execute(op, [](Result) { });
        QCOMPARE(pipeline.limitInFlight(), 1);
        QVERIFY(pipeline.cancel(id));
        QCOMPARE(pipeline.limitInFlight(), 0);
        QCOMPARE(pipeline.concurrencyLimit()->limit(), 5);

        PolicyConfig p = aimdFrom(5);
        p.timeout = TimeoutConfig {};
        p.timeout->timeout = fromMs(50);
        p.order = { StageKind::Timeout, StageKind::ConcurrencyLimit };
        Pipeline outside(p, s);
        ResultLog log;
        outside.execute(op, log.callback());
        s.runUntilIdle();
        QCOMPARE(log.results.size(), 1);
        QCOMPARE(log.results[0].outcome, Outcome::Timeout);
        QCOMPARE(outside.limitInFlight(), 0);
        QCOMPARE(outside.concurrencyLimit()->limit(), 4);
    }

    // Turned off while calls hold permits: new calls pass, the held permits count until their
    // calls end; turned on again, it starts from its initial limit with them still counted.
    void turnedOffAndOnInFlight()
    {
        VirtualScheduler s;
        ScriptedOperation op(s, [](const Attempt &) { return Answer::ok(100); });
        Pipeline pipeline(aimdFrom(2), s);
        ResultLog log;
        pipeline.execute(op, log.callback());
        pipeline.execute(op, log.callback());
        PolicyConfig off = bare();
        pipeline.setPolicy(off);
        QVERIFY(!pipeline.concurrencyLimit());
        pipeline.execute(op, log.callback());
        QCOMPARE(op.started, 3);
        QCOMPARE(pipeline.limitInFlight(), 2);
        pipeline.setPolicy(aimdFrom(2));
        pipeline.execute(op, log.callback());
        QCOMPARE(log.results.size(), 1);
        QCOMPARE(log.results[0].outcome, Outcome::LimitExceeded);
        s.runUntilIdle();
        QCOMPARE(pipeline.limitInFlight(), 0);
        QCOMPARE(log.results.size(), 4);
    }
};

QTEST_GUILESS_MAIN(TestConcurrencyLimit)
#include "tst_concurrencylimit.moc"
