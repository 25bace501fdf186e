#include "resilience/slidingwindow.h"

#include <QRandomGenerator>
#include <QTest>

#include <vector>

using namespace bw;

namespace {

// qint64 is long long, which no fromMs overload takes exactly.
TimePoint ms(qint64 ms)
{
    return fromMs(static_cast<std::int64_t>(ms));
}
SlidingWindow::Totals totalsOf(SlidingWindow &w, qint64 at)
{
    return w.totals(ms(at));
}

} // namespace

class tst_SlidingWindow : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void emptyWindow_data();
    void emptyWindow();
    void countWindowKeepsLastCalls();
    void countWindowEvictsFailuresAndSlowCalls();
    void countWindowIgnoresTime();
    void countWindowClear();
    void sizeBelowOneIsOne();
    void timeWindowExpiry_data();
    void timeWindowExpiry();
    void timeWindowSlidesBucketByBucket();
    void timeWindowCoversItsSize();
    void timeWindowJumpFarAhead();
    void timeWindowClear();
    void timeWindowOlderReadingCountsInNewestBucket();
    void timeWindowRepeatedReadsAreStable();
    void timeWindowMatchesBruteForce_data();
    void timeWindowMatchesBruteForce();
    void countWindowMatchesBruteForce();
};

void tst_SlidingWindow::emptyWindow_data()
{
    QTest::addColumn<WindowType>("type");
    QTest::addColumn<qint64>("size");
    QTest::addRow("time 60000") << WindowType::Time << qint64(60000);
    QTest::addRow("time 1") << WindowType::Time << qint64(1);
    QTest::addRow("count 10") << WindowType::Count << qint64(10);
    QTest::addRow("count 1") << WindowType::Count << qint64(1);
}

void tst_SlidingWindow::emptyWindow()
{
    QFETCH(WindowType, type);
    QFETCH(qint64, size);
    SlidingWindow w(type, size);
    QCOMPARE(w.type(), type);
    QCOMPARE(w.size(), size);
    const auto t = totalsOf(w, 123456);
    QCOMPARE(t.calls, 0);
    QCOMPARE(t.failures, 0);
    QCOMPARE(t.slow, 0);
}

void tst_SlidingWindow::countWindowKeepsLastCalls()
{
    SlidingWindow w(WindowType::Count, 3);
    w.record(fromMs(0), true, false);
    QCOMPARE(totalsOf(w, 0).calls, 1);
    QCOMPARE(totalsOf(w, 0).failures, 1);
    w.record(fromMs(1), false, false);
    w.record(fromMs(2), false, false);
    QCOMPARE(totalsOf(w, 2).calls, 3);
    QCOMPARE(totalsOf(w, 2).failures, 1);
    // The fourth call pushes the first (the failure) out.
    w.record(fromMs(3), false, false);
    QCOMPARE(totalsOf(w, 3).calls, 3);
    QCOMPARE(totalsOf(w, 3).failures, 0);
}

void tst_SlidingWindow::countWindowEvictsFailuresAndSlowCalls()
{
    SlidingWindow w(WindowType::Count, 2);
    w.record(fromMs(0), true, true);
    w.record(fromMs(0), false, true);
    QCOMPARE(totalsOf(w, 0).failures, 1);
    QCOMPARE(totalsOf(w, 0).slow, 2);
    w.record(fromMs(0), true, false);
    auto t = totalsOf(w, 0);
    QCOMPARE(t.calls, 2);
    QCOMPARE(t.failures, 1);
    QCOMPARE(t.slow, 1);
    w.record(fromMs(0), false, false);
    t = totalsOf(w, 0);
    QCOMPARE(t.calls, 2);
    QCOMPARE(t.failures, 1);
    QCOMPARE(t.slow, 0);
}

void tst_SlidingWindow::countWindowIgnoresTime()
{
    SlidingWindow w(WindowType::Count, 5);
    w.record(fromMs(0), true, true);
    const auto t = totalsOf(w, 1000LL * 60 * 60 * 24 * 365);
    QCOMPARE(t.calls, 1);
    QCOMPARE(t.failures, 1);
    QCOMPARE(t.slow, 1);
}

void tst_SlidingWindow::countWindowClear()
{
    SlidingWindow w(WindowType::Count, 3);
    for (int i = 0; i < 5; ++i)
        w.record(fromMs(i), true, true);
    w.clear();
    QCOMPARE(totalsOf(w, 5).calls, 0);
    // After a clear the ring fills from empty again: three calls fit, none evicted early.
    w.record(fromMs(6), false, false);
    w.record(fromMs(7), true, false);
    w.record(fromMs(8), false, true);
    const auto t = totalsOf(w, 8);
    QCOMPARE(t.calls, 3);
    QCOMPARE(t.failures, 1);
    QCOMPARE(t.slow, 1);
}

void tst_SlidingWindow::sizeBelowOneIsOne()
{
    SlidingWindow count(WindowType::Count, 0);
    count.record(fromMs(0), true, false);
    count.record(fromMs(0), false, false);
    QCOMPARE(totalsOf(count, 0).calls, 1);
    QCOMPARE(totalsOf(count, 0).failures, 0);

    SlidingWindow time(WindowType::Time, 0); // 1 ms: 10 µs buckets
    time.record(fromMs(0), true, false);
    QCOMPARE(time.totals(std::chrono::microseconds(999)).calls, 1);
    QCOMPARE(totalsOf(time, 1).calls, 0);
}

void tst_SlidingWindow::timeWindowExpiry_data()
{
    // A call recorded at `at` is still counted at `stillIn` and gone at `goneAt`: buckets are
    // size / 100 wide (in nanoseconds) and the window holds the 100 newest bucket indices.
    QTest::addColumn<qint64>("size");
    QTest::addColumn<qint64>("at");
    QTest::addColumn<qint64>("stillIn");
    QTest::addColumn<qint64>("goneAt");
    QTest::addRow("1000 ms, start of bucket") << qint64(1000) << qint64(0) << qint64(999) << qint64(1000);
    QTest::addRow("1000 ms, end of bucket") << qint64(1000) << qint64(9) << qint64(999) << qint64(1000);
    QTest::addRow("1000 ms, second bucket") << qint64(1000) << qint64(10) << qint64(1009) << qint64(1010);
    QTest::addRow("150 ms: 1.5 ms buckets") << qint64(150) << qint64(0) << qint64(149) << qint64(150);
    QTest::addRow("50 ms: 0.5 ms buckets") << qint64(50) << qint64(0) << qint64(49) << qint64(50);
    QTest::addRow("10 ms: 0.1 ms buckets") << qint64(10) << qint64(0) << qint64(9) << qint64(10);
    QTest::addRow("60000 ms default") << qint64(60000) << qint64(1234) << qint64(60599) << qint64(61200);
    QTest::addRow("101 ms: 1.01 ms buckets") << qint64(101) << qint64(3) << qint64(103) << qint64(104);
    QTest::addRow("10001 ms: 100.01 ms buckets")
        << qint64(10001) << qint64(0) << qint64(10000) << qint64(10001);
}

void tst_SlidingWindow::timeWindowExpiry()
{
    QFETCH(qint64, size);
    QFETCH(qint64, at);
    QFETCH(qint64, stillIn);
    QFETCH(qint64, goneAt);
    SlidingWindow w(WindowType::Time, size);
    w.record(ms(at), true, true);
    QCOMPARE(totalsOf(w, at).calls, 1);
    auto t = totalsOf(w, stillIn);
    QCOMPARE(t.calls, 1);
    QCOMPARE(t.failures, 1);
    QCOMPARE(t.slow, 1);
    t = totalsOf(w, goneAt);
    QCOMPARE(t.calls, 0);
    QCOMPARE(t.failures, 0);
    QCOMPARE(t.slow, 0);
}

void tst_SlidingWindow::timeWindowSlidesBucketByBucket()
{
    SlidingWindow w(WindowType::Time, 1000); // 10 ms buckets
    for (int i = 0; i < 10; ++i)
        w.record(fromMs(i * 100), i % 2 == 0, i % 3 == 0); // one call every 100 ms
    // At 999 ms all ten are in; then one drops out per 100 ms, on the bucket boundary.
    QCOMPARE(totalsOf(w, 999).calls, 10);
    QCOMPARE(totalsOf(w, 999).failures, 5);
    QCOMPARE(totalsOf(w, 999).slow, 4);
    for (int k = 1; k <= 10; ++k) {
        const auto t = totalsOf(w, 900 + k * 100);
        QCOMPARE(t.calls, 10 - k);
    }
}

void tst_SlidingWindow::timeWindowCoversItsSize()
{
    // A call counts for at least 99 % of the size (one bucket of 1 %) and never past the size.
    QRandomGenerator rng(11);
    for (qint64 size : { 1, 7, 10, 99, 101, 150, 999, 1000, 10001, 60000, 86400000 }) {
        const Duration length = fromMs(std::int64_t(size));
        for (int i = 0; i < 50; ++i) {
            const TimePoint at = Duration(std::int64_t(rng.bounded(1000000000)));
            SlidingWindow w(WindowType::Time, size);
            w.record(at, true, false);
            QVERIFY2(w.totals(at + length * 99 / 100 - Duration(1)).calls == 1,
                qPrintable(QStringLiteral("%1 ms window, call at %2 ns: gone too early").arg(size).arg(at.count())));
            QVERIFY2(w.totals(at + length).calls == 0,
                qPrintable(QStringLiteral("%1 ms window, call at %2 ns: still in at +size").arg(size).arg(at.count())));
        }
    }
}

void tst_SlidingWindow::timeWindowJumpFarAhead()
{
    SlidingWindow w(WindowType::Time, 1000);
    for (int i = 0; i < 1000; ++i)
        w.record(fromMs(i), true, false);
    QCOMPARE(totalsOf(w, 999).calls, 1000);
    w.record(ms(1000LL * 3600), false, true);
    const auto t = totalsOf(w, 1000LL * 3600);
    QCOMPARE(t.calls, 1);
    QCOMPARE(t.failures, 0);
    QCOMPARE(t.slow, 1);
}

void tst_SlidingWindow::timeWindowClear()
{
    SlidingWindow w(WindowType::Time, 1000);
    w.record(fromMs(500), true, true);
    w.clear();
    QCOMPARE(w.totals(TimePoint::zero()).calls, 0);
    // A clear forgets the newest bucket too, so an earlier time lands in its own bucket again.
    w.record(fromMs(100), false, false);
    QCOMPARE(totalsOf(w, 100).calls, 1);
    QCOMPARE(totalsOf(w, 1099).calls, 1);
    QCOMPARE(totalsOf(w, 1100).calls, 0);
}

void tst_SlidingWindow::timeWindowOlderReadingCountsInNewestBucket()
{
    SlidingWindow w(WindowType::Time, 1000);
    QCOMPARE(totalsOf(w, 500).calls, 0); // reading moves the newest bucket to 50
    w.record(fromMs(20), true, false); // an older clock reading
    QCOMPARE(totalsOf(w, 500).calls, 1);
    QCOMPARE(totalsOf(w, 1499).calls, 1);
    QCOMPARE(totalsOf(w, 1500).calls, 0);
}

void tst_SlidingWindow::timeWindowRepeatedReadsAreStable()
{
    SlidingWindow w(WindowType::Time, 1000);
    w.record(fromMs(0), true, false);
    w.record(fromMs(600), false, true);
    for (int i = 0; i < 3; ++i) {
        const auto t = totalsOf(w, 700);
        QCOMPARE(t.calls, 2);
        QCOMPARE(t.failures, 1);
        QCOMPARE(t.slow, 1);
    }
    // An older reading after a newer one sees the newer window (buckets only move forward).
    QCOMPARE(totalsOf(w, 1100).calls, 1);
    QCOMPARE(totalsOf(w, 700).calls, 1);
}

void tst_SlidingWindow::timeWindowMatchesBruteForce_data()
{
    QTest::addColumn<qint64>("size");
    QTest::addColumn<int>("maxStepMs");
    QTest::addRow("1000 ms, dense") << qint64(1000) << 5;
    QTest::addRow("1000 ms, sparse") << qint64(1000) << 200;
    QTest::addRow("250 ms (3 ms buckets)") << qint64(250) << 7;
    QTest::addRow("60000 ms") << qint64(60000) << 1500;
    QTest::addRow("1 ms") << qint64(1) << 2;
}

void tst_SlidingWindow::timeWindowMatchesBruteForce()
{
    QFETCH(qint64, size);
    QFETCH(int, maxStepMs);
    struct Call
    {
        std::int64_t bucket;
        bool failure, slow;
    };
    const std::int64_t width = size * 10000; // ns: size / 100 ms
    QRandomGenerator rng(42);
    SlidingWindow w(WindowType::Time, size);
    std::vector<Call> calls;
    std::int64_t now = 0;
    for (int step = 0; step < 5000; ++step) {
        now += rng.bounded(maxStepMs + 1);
        if (rng.bounded(4) != 0) {
            const bool failure = rng.bounded(2), slow = rng.bounded(3) == 0;
            w.record(fromMs(now), failure, slow);
            calls.push_back({ fromMs(now).count() / width, failure, slow });
        }
        SlidingWindow::Totals expected;
        for (const Call &c : calls) {
            if (c.bucket > fromMs(now).count() / width - 100) {
                ++expected.calls;
                expected.failures += c.failure;
                expected.slow += c.slow;
            }
        }
        const auto t = totalsOf(w, now);
        QVERIFY2(t.calls == expected.calls && t.failures == expected.failures && t.slow == expected.slow,
            qPrintable(QStringLiteral("step %1 at %2 ms").arg(step).arg(now)));
    }
}

void tst_SlidingWindow::countWindowMatchesBruteForce()
{
    QRandomGenerator rng(7);
    for (int size : { 1, 2, 5, 17, 100 }) {
        SlidingWindow w(WindowType::Count, size);
        std::vector<std::pair<bool, bool>> calls;
        for (int step = 0; step < 2000; ++step) {
            const bool failure = rng.bounded(2), slow = rng.bounded(3) == 0;
            w.record(fromMs(step), failure, slow);
            calls.emplace_back(failure, slow);
            SlidingWindow::Totals expected;
            for (std::size_t i = calls.size() > std::size_t(size) ? calls.size() - size : 0; i < calls.size();
                 ++i) {
                ++expected.calls;
                expected.failures += calls[i].first;
                expected.slow += calls[i].second;
            }
            const auto t = totalsOf(w, step);
            QVERIFY2(t.calls == expected.calls && t.failures == expected.failures && t.slow == expected.slow,
                qPrintable(QStringLiteral("size %1 step %2").arg(size).arg(step)));
        }
    }
}

QTEST_GUILESS_MAIN(tst_SlidingWindow)
#include "tst_slidingwindow.moc"
