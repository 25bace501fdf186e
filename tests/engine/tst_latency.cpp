// The latency distributions against their closed forms: sample means and quantiles on several
// seeds, one random draw per sample (common random numbers), and percentiles that meet every
// given point.
#include "sim/latency.h"

#include <QTest>

#include <algorithm>
#include <cmath>
#include <vector>

using namespace bw;

Q_DECLARE_METATYPE(bw::LatencyConfig)

namespace {

constexpr int Samples = 200000;
constexpr std::uint64_t Seeds[] = { 1, 2, 3, 4, 5 };

std::vector<double> samplesMs(const LatencyConfig &config, std::uint64_t seed, int count = Samples)
{
    const LatencySampler sampler(config);
    Random random(seed);
    std::vector<double> out(static_cast<size_t>(count));
    for (double &x : out)
        x = toMs(sampler.sample(random));
    std::sort(out.begin(), out.end());
    return out;
}

double quantile(const std::vector<double> &sorted, double q)
{
    return sorted[size_t(q * double(sorted.size() - 1))];
}

double mean(const std::vector<double> &xs)
{
    double sum = 0;
    for (double x : xs)
        sum += x;
    return sum / double(xs.size());
}

bool near(double measured, double expected, double relative)
{
    return std::abs(measured - expected) <= relative * std::abs(expected);
}

#define QVERIFY_NEAR(measured, expected, relative)                                                        \
    QVERIFY2(near(measured, expected, relative),                                                          \
        qPrintable(QStringLiteral("%1 = %2, expected %3 ± %4 %").arg(QStringLiteral(#measured)).arg(measured) \
                .arg(expected).arg(100 * (relative))))

LatencyConfig exponential(double meanMs)
{
    LatencyConfig c;
    c.kind = LatencyKind::Exponential;
    c.mean = fromMs(meanMs);
    return c;
}

LatencyConfig pareto(double minMs, double alpha)
{
    LatencyConfig c;
    c.kind = LatencyKind::Pareto;
    c.min = fromMs(minMs);
    c.alpha = alpha;
    return c;
}

LatencyConfig percentiles(double p50, double p90, double p99, double p999)
{
    LatencyConfig c;
    c.kind = LatencyKind::Percentiles;
    c.median = fromMs(p50);
    c.p90 = fromMs(p90);
    c.p99 = fromMs(p99);
    c.p999 = fromMs(p999);
    return c;
}

} // namespace

class TestLatency : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void exponentialMeanAndQuantiles()
    {
        for (std::uint64_t seed : Seeds) {
            const std::vector<double> xs = samplesMs(exponential(20), seed);
            QVERIFY_NEAR(mean(xs), 20.0, 0.015);
            for (double q : { 0.5, 0.9, 0.99 })
                QVERIFY_NEAR(quantile(xs, q), -20 * std::log(1 - q), 0.04);
        }
    }

    void paretoMeanAndQuantiles()
    {
        // alpha 3: finite variance, mean alpha × min / (alpha − 1) = 15 ms.
        for (std::uint64_t seed : Seeds) {
            const std::vector<double> xs = samplesMs(pareto(10, 3), seed);
            QCOMPARE(xs.front() >= 10, true); // never below the scale
            QVERIFY_NEAR(mean(xs), 15.0, 0.02);
            for (double q : { 0.5, 0.9, 0.99, 0.999 })
                QVERIFY_NEAR(quantile(xs, q), 10 * std::pow(1 - q, -1.0 / 3), 0.05);
        }
    }

    void paretoHeavyTailStaysFinite()
    {
        // alpha 0.1: the far tail overflows any int64 nanosecond count; samples are capped.
        for (double x : samplesMs(pareto(1, 0.1), 7, 100000))
            QVERIFY(x >= 1 && x <= 1e12);
    }

    void percentilesMeetEveryPoint()
    {
        const LatencyConfig c = percentiles(20, 50, 200, 1000);
        for (std::uint64_t seed : Seeds) {
            const std::vector<double> xs = samplesMs(c, seed, 1000000);
            QVERIFY_NEAR(quantile(xs, 0.5), 20.0, 0.01);
            QVERIFY_NEAR(quantile(xs, 0.9), 50.0, 0.01);
            QVERIFY_NEAR(quantile(xs, 0.99), 200.0, 0.02);
            QVERIFY_NEAR(quantile(xs, 0.999), 1000.0, 0.05);
        }
    }

    void percentilesTails()
    {
        // Between points, and beyond them, ln(latency) is linear in the normal quantile z.
        const double z90 = LatencySampler::normalQuantile(0.9), z99 = LatencySampler::normalQuantile(0.99),
                     z999 = LatencySampler::normalQuantile(0.999);
        const auto expected = [&](double q) {
            const double z = LatencySampler::normalQuantile(q);
            if (z < z90) // below p50 too: the first segment continues
                return 20 * std::exp(z * std::log(50.0 / 20) / z90);
            if (z < z99)
                return 50 * std::exp((z - z90) * std::log(200.0 / 50) / (z99 - z90));
            return 200 * std::exp((z - z99) * std::log(1000.0 / 200) / (z999 - z99)); // beyond p999 too
        };
        const std::vector<double> xs = samplesMs(percentiles(20, 50, 200, 1000), 11, 2000000);
        for (double q : { 0.01, 0.1, 0.3, 0.7, 0.95, 0.995, 0.9995 })
            QVERIFY_NEAR(quantile(xs, q), expected(q), q > 0.999 ? 0.08 : 0.02);
        QVERIFY(xs.front() > 0);
    }

    void percentilesFromALognormalGiveItBack()
    {
        // p50 and p99 alone: the same lognormal as {"dist": "lognormal", "medianMs", "p99Ms"},
        // draw for draw.
        LatencyConfig two = percentiles(40, 0, 250, 0);
        LatencyConfig lognormal;
        lognormal.kind = LatencyKind::Lognormal;
        lognormal.median = fromMs(40);
        lognormal.p99 = fromMs(250);
        const LatencySampler a(two), b(lognormal);
        Random ra(3), rb(3);
        for (int i = 0; i < 10000; ++i) {
            const double x = double(a.sample(ra).count()), y = double(b.sample(rb).count());
            QVERIFY2(std::abs(x - y) <= 1e-6 * y + 1, qPrintable(QStringLiteral("%1 vs %2").arg(x).arg(y)));
        }
    }

    // Every dist takes exactly one draw from the request's stream (fixed none), so what a request
    // draws after its latency does not depend on the latency's shape.
    void oneDrawPerSample_data()
    {
        QTest::addColumn<LatencyConfig>("config");
        QTest::addColumn<int>("draws");
        LatencyConfig fixed;
        LatencyConfig uniform;
        uniform.kind = LatencyKind::Uniform;
        uniform.max = fromMs(5);
        LatencyConfig normal;
        normal.kind = LatencyKind::Normal;
        normal.mean = fromMs(5);
        normal.stddev = fromMs(1);
        LatencyConfig lognormal;
        lognormal.kind = LatencyKind::Lognormal;
        lognormal.median = fromMs(5);
        lognormal.p99 = fromMs(50);
        QTest::addRow("fixed") << fixed << 0;
        QTest::addRow("uniform") << uniform << 1;
        QTest::addRow("normal") << normal << 1;
        QTest::addRow("lognormal") << lognormal << 1;
        QTest::addRow("exponential") << exponential(5) << 1;
        QTest::addRow("pareto") << pareto(5, 2) << 1;
        QTest::addRow("percentiles") << percentiles(5, 9, 30, 80) << 1;
    }

    void oneDrawPerSample()
    {
        QFETCH(LatencyConfig, config);
        QFETCH(int, draws);
        const LatencySampler sampler(config);
        Random sampled(42), counted(42);
        for (int i = 0; i < 1000; ++i) {
            sampler.sample(sampled);
            for (int d = 0; d < draws; ++d)
                counted.uniform();
        }
        QCOMPARE(sampled.next(), counted.next());
    }
};

QTEST_GUILESS_MAIN(TestLatency)
#include "tst_latency.moc"
