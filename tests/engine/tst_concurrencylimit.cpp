// Netflix concurrency-limits' algorithms (vegas, gradient2, aimd) alone: the limit each gives
// on a known sequence of samples, exactly.
#include "resilience/concurrencylimit.h"

#include <QTest>

using namespace bw;

namespace {

struct Sample
{
    double rttMs;
    int inflight;
    bool drop;
};

QList<double> limitsAfter(ConcurrencyLimit &limit, const QList<Sample> &samples)
{
    QList<double> limits;
    for (const Sample &s : samples) {
        limit.update(fromMs(s.rttMs), s.inflight, s.drop, 0.5);
        limits.append(limit.estimatedLimit());
    }
    return limits;
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
};

QTEST_GUILESS_MAIN(TestConcurrencyLimit)
#include "tst_concurrencylimit.moc"
