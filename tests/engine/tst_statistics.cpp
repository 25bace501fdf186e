// Means and 95 % intervals over seeds (runtime/statistics.h): what `breakwater validate` and
// `breakwater compare` report, on numbers worked out by hand.
#include "runtime/statistics.h"

#include <QTest>

#include <cmath>

using namespace bw;

namespace {

bool close(double a, double b, double tolerance = 1e-12)
{
    return std::abs(a - b) <= tolerance;
}

} // namespace

class TestStatistics : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void studentQuantiles_data()
    {
        QTest::addColumn<int>("degreesOfFreedom");
        QTest::addColumn<double>("quantile");
        // Published table values (to nine digits), and beyond the table the expansion.
        QTest::addRow("1") << 1 << 12.706204736;
        QTest::addRow("4") << 4 << 2.776445105;
        QTest::addRow("9") << 9 << 2.262157163;
        QTest::addRow("30") << 30 << 2.042272456;
        QTest::addRow("60") << 60 << 2.000297822;
        QTest::addRow("120") << 120 << 1.979930405;
        QTest::addRow("1000") << 1000 << 1.962339081;
    }
    void studentQuantiles()
    {
        QFETCH(int, degreesOfFreedom);
        QFETCH(double, quantile);
        QVERIFY2(close(studentT975(degreesOfFreedom), quantile, 1e-6),
            qPrintable(QString::number(studentT975(degreesOfFreedom), 'f', 9)));
        QVERIFY(std::isinf(studentT975(0)));
    }

    void confidenceInterval()
    {
        const Estimate e = estimate({ 1, 2, 3, 4, 5 });
        QCOMPARE(e.samples, 5);
        QVERIFY(close(e.mean, 3));
        // t(4) = 2.776445105, standard error sqrt(2.5 / 5).
        QVERIFY(close(e.halfWidth, 2.776445105 * std::sqrt(0.5)));
        QVERIFY(close(e.low(), 3 - e.halfWidth));
        QVERIFY(!e.includesZero());
        QVERIFY(std::isinf(estimate({ 7 }).halfWidth)); // one sample has no spread to show
        QVERIFY(estimate({ 7 }).includesZero());
        QCOMPARE(estimate({}).samples, 0);
    }

    // Two candidates on the same four seeds: each varies a lot from seed to seed, their difference
    // hardly at all. Differences 1, 2, 1, 2: mean 1.5, standard deviation sqrt(1/3), so the
    // half-width is t(3) · sqrt(1/3) / sqrt(4).
    void pairedDifference()
    {
        const std::vector<double> a { 10, 14, 11, 16 }, b { 9, 12, 10, 14 };
        const Estimate d = bw::pairedDifference(a, b);
        QCOMPARE(d.samples, 4);
        QVERIFY(close(d.mean, 1.5));
        QVERIFY(close(d.halfWidth, 3.182446305 * std::sqrt(1.0 / 3) / 2));
        QVERIFY(!d.includesZero()); // a is larger, and the seeds show it
        // Unpaired, the seeds' own spread hides it: each mean's interval is wider than the gap.
        QVERIFY(estimate(a).halfWidth > 1.5 && estimate(b).halfWidth > 1.5);
        // Equal on every seed: exactly 0, no spread.
        const Estimate same = bw::pairedDifference(a, a);
        QCOMPARE(same.mean, 0.0);
        QCOMPARE(same.halfWidth, 0.0);
        QVERIFY(same.includesZero());
    }
};

QTEST_GUILESS_MAIN(TestStatistics)
#include "tst_statistics.moc"
