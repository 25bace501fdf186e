// The dashboard's windowing and merging (chartpoints.h) on small synthetic histories, point by
// point: which span the time axis shows, which buckets fall in it, how they merge to the point
// budget, and what each series' point holds for one operation or all of them.
#include "chartpoints.h"

#include <QTest>

using namespace bw;

namespace {

const QString A = QStringLiteral("a"), B = QStringLiteral("b");

// Operations a and b calling services svcA and svcB; a alone has a bulkhead.
std::shared_ptr<TimeSeriesLayout> twoOperations(Duration bucketWidth = std::chrono::seconds(1))
{
    auto layout = std::make_shared<TimeSeriesLayout>();
    layout->bucketWidth = bucketWidth;
    layout->operations = { A, B };
    layout->operationServices = { QStringLiteral("svcA"), QStringLiteral("svcB") };
    layout->services = { QStringLiteral("svcA"), QStringLiteral("svcB") };
    layout->bulkheads = { A };
    return layout;
}

// An empty one-second bucket at `second`, its wasted work known (0).
TimeBucket bucket(int second)
{
    TimeBucket b;
    b.seq = second;
    b.start = std::chrono::seconds(second);
    b.end = std::chrono::seconds(second + 1);
    b.operations.resize(2);
    b.services.resize(2);
    for (ServicePoint &s : b.services)
        s.wasted = 0;
    b.bulkheads.resize(1);
    b.bulkheads[0].maxConcurrent = 10;
    b.bulkheads[0].maxQueueSize = 20;
    return b;
}

TelemetryHistory history(const QList<TimeBucket> &buckets, qsizetype capacity = 600, double nowS = 0,
    double endS = 60, Duration bucketWidth = std::chrono::seconds(1))
{
    RunProgress p;
    p.state = RunProgress::State::Running;
    p.now = TimePoint(fromMs(nowS * 1000));
    p.end = TimePoint(fromMs(endS * 1000));
    p.series.generation = 1;
    p.series.layout = twoOperations(bucketWidth);
    for (const TimeBucket &b : buckets)
        p.series.buckets.append(std::make_shared<const TimeBucket>(b));
    TelemetryHistory h(capacity);
    h.ingest(p);
    return h;
}

QList<double> xs(const QList<QPointF> &points)
{
    QList<double> out;
    for (const QPointF &p : points)
        out.append(p.x());
    return out;
}

void setCalls(TimeBucket &b, int op, std::int64_t success, std::int64_t failure)
{
    b.operations[std::size_t(op)].outcomes[std::size_t(Outcome::Success)] = success;
    b.operations[std::size_t(op)].outcomes[std::size_t(Outcome::Failure)] = failure;
}

} // namespace

class TestChartPoints : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void window_data()
    {
        QTest::addColumn<qsizetype>("capacity");
        QTest::addColumn<double>("nowS");
        QTest::addColumn<double>("endS");
        QTest::addColumn<double>("from");
        QTest::addColumn<double>("to");
        // 600 one-second buckets: a 600 s span that steps by 60 s.
        QTest::addRow("no end yet: the first minute") << qsizetype(600) << 0.0 << 0.0 << 0.0 << 60.0;
        QTest::addRow("the run fits: all of it") << qsizetype(600) << 5.0 << 30.0 << 0.0 << 30.0;
        QTest::addRow("a run as long as the history") << qsizetype(600) << 5.0 << 600.0 << 0.0 << 600.0;
        QTest::addRow("longer, before its first step") << qsizetype(600) << 100.0 << 3600.0 << 0.0 << 600.0;
        QTest::addRow("longer, between steps") << qsizetype(600) << 700.0 << 3600.0 << 120.0 << 720.0;
        QTest::addRow("longer, on a step") << qsizetype(600) << 720.0 << 3600.0 << 120.0 << 720.0;
        QTest::addRow("longer, just past a step") << qsizetype(600) << 720.5 << 3600.0 << 180.0 << 780.0;
        QTest::addRow("10 buckets: steps of 1 s") << qsizetype(10) << 24.5 << 100.0 << 15.0 << 25.0;
    }

    void window()
    {
        QFETCH(qsizetype, capacity);
        QFETCH(double, nowS);
        QFETCH(double, endS);
        QFETCH(double, from);
        QFETCH(double, to);
        const TimeWindow w = visibleWindow(history({}, capacity, nowS, endS));
        QCOMPARE(w.from, from);
        QCOMPARE(w.to, to);
    }

    void emptyHistory()
    {
        const ChartPoints points = chartPoints(history({}), TimeWindow {}, QString(), 100);
        for (const QList<QPointF> &outcome : points.outcomes)
            QVERIFY(outcome.isEmpty());
        QVERIFY(points.retries.isEmpty());
        QVERIFY(points.p99.isEmpty());
        QVERIFY(points.received.isEmpty());
        QVERIFY(points.goodput.isEmpty());
        QVERIFY(!points.hasBulkhead);
    }

    // Fewer buckets than the budget: a point per bucket, at its start, per second.
    void aPointPerBucket()
    {
        QList<TimeBucket> buckets { bucket(0), bucket(1), bucket(2) };
        setCalls(buckets[0], 0, 4, 1);
        setCalls(buckets[1], 0, 2, 0);
        buckets[0].operations[0].attempts = 7; // 5 calls, 2 of them retried once
        buckets[0].operations[0].retries = 2;
        buckets[1].operations[0].attempts = 2;
        buckets[0].operations[0].timeouts[std::size_t(StageKind::Timeout)] = 3;
        buckets[0].operations[0].p99 = fromMs(120);
        buckets[1].operations[0].p99 = fromMs(80);
        buckets[2].operations[0].p99 = fromMs(999); // no call ended: no latency point
        const ChartPoints points = chartPoints(history(buckets), TimeWindow {}, QString(), 100);

        const QList<QPointF> success { { 0, 4 }, { 1, 2 }, { 2, 0 } };
        const QList<QPointF> throughFailure { { 0, 5 }, { 1, 2 }, { 2, 0 } };
        QCOMPARE(points.outcomes[std::size_t(Outcome::Success)], success);
        QCOMPARE(points.outcomes[std::size_t(Outcome::Fallback)], success); // none: the band below's edge
        QCOMPARE(points.outcomes[std::size_t(Outcome::Failure)], throughFailure);
        QCOMPARE(points.outcomes.back(), throughFailure);
        QCOMPARE(points.retries, (QList<QPointF> { { 0, 2 }, { 1, 0 }, { 2, 0 } }));
        QCOMPARE(points.attemptsPerCall, (QList<QPointF> { { 0, 1.4 }, { 1, 1 }, { 2, 0 } }));
        QCOMPARE(points.timeouts, (QList<QPointF> { { 0, 3 }, { 1, 0 }, { 2, 0 } }));
        QCOMPARE(points.p99, (QList<QPointF> { { 0, 120 }, { 1, 80 } }));
    }

    void mergedToTheBudget_data()
    {
        QTest::addColumn<int>("buckets");
        QTest::addColumn<qsizetype>("budget");
        QTest::addColumn<QList<double>>("at");
        QTest::addRow("none") << 0 << qsizetype(100) << QList<double> {};
        QTest::addRow("fewer than the budget") << 3 << qsizetype(100) << QList<double> { 0, 1, 2 };
        QTest::addRow("as many as the budget") << 4 << qsizetype(4) << QList<double> { 0, 1, 2, 3 };
        QTest::addRow("one more: pairs") << 4 << qsizetype(3) << QList<double> { 0, 2 };
        QTest::addRow("threes, the last short") << 5 << qsizetype(2) << QList<double> { 0, 3 };
        QTest::addRow("fours") << 10 << qsizetype(3) << QList<double> { 0, 4, 8 };
    }

    void mergedToTheBudget()
    {
        QFETCH(int, buckets);
        QFETCH(qsizetype, budget);
        QFETCH(QList<double>, at);
        QList<TimeBucket> list;
        for (int s = 0; s < buckets; ++s)
            list.append(bucket(s));
        const ChartPoints points = chartPoints(history(list), TimeWindow {}, QString(), budget);
        QCOMPARE(xs(points.received), at);
        QCOMPARE(xs(points.outcomes.front()), at);
        QCOMPARE(xs(points.capacity), at);
    }

    // Merged buckets: rates over the merged span's width, the worst latency, occupancy and load.
    void mergingKeepsRatesAndWorstValues()
    {
        QList<TimeBucket> buckets;
        for (int s = 0; s < 5; ++s)
            buckets.append(bucket(s));
        const int success[] = { 3, 6, 0, 4, 0 };
        const int p99Ms[] = { 100, 300, 0, 50, 0 };
        const int active[] = { 5, 9, 1, 4, 2 };
        const int inService[] = { 2, 7, 1, 3, 3 };
        for (int s = 0; s < 5; ++s) {
            setCalls(buckets[s], 0, success[s], 0);
            buckets[s].operations[0].p99 = fromMs(p99Ms[s]);
            buckets[s].bulkheads[0].active = active[s];
            buckets[s].services[0].received = success[s];
            buckets[s].services[0].served = success[s];
            buckets[s].services[0].inService = inService[s];
            buckets[s].services[0].capacity = 8;
        }
        buckets[1].services[0].wasted = 3;
        // 5 buckets for 2 points: [0, 3) and [3, 5).
        const ChartPoints points = chartPoints(history(buckets), TimeWindow {}, QString(), 2);
        QCOMPARE(points.outcomes.front(), (QList<QPointF> { { 0, 3 }, { 3, 2 } }));
        QCOMPARE(points.received, (QList<QPointF> { { 0, 3 }, { 3, 2 } }));
        QCOMPARE(points.goodput, (QList<QPointF> { { 0, 2 }, { 3, 2 } }));
        QCOMPARE(points.p99, (QList<QPointF> { { 0, 300 }, { 3, 50 } }));
        QCOMPARE(points.activePercent, (QList<QPointF> { { 0, 90 }, { 3, 40 } }));
        QCOMPARE(points.inService, (QList<QPointF> { { 0, 7 }, { 3, 3 } }));
        QCOMPARE(points.capacity, (QList<QPointF> { { 0, 8 }, { 3, 8 } }));
        QVERIFY(points.hasBulkhead);
    }

    // A bucket that starts before the window is left out, even when it ends inside it.
    void aWindowStartingMidBucket_data()
    {
        QTest::addColumn<double>("from");
        QTest::addColumn<QList<double>>("at");
        QTest::addRow("on a boundary") << 2.0 << QList<double> { 2, 3, 4, 5 };
        QTest::addRow("mid-bucket") << 2.5 << QList<double> { 3, 4, 5 };
        QTest::addRow("past the last start") << 5.5 << QList<double> {};
    }

    void aWindowStartingMidBucket()
    {
        QFETCH(double, from);
        QFETCH(QList<double>, at);
        QList<TimeBucket> buckets;
        for (int s = 0; s < 6; ++s)
            buckets.append(bucket(s));
        const ChartPoints points
            = chartPoints(history(buckets), TimeWindow { from, from + 10 }, QString(), 100);
        QCOMPARE(xs(points.received), at);
        QCOMPARE(xs(points.retries), at);
    }

    // One operation: its calls, its service, its bulkhead (or none); all of them: calls and
    // services summed, the worst latency, the busiest bulkhead.
    void oneOperationOrAll()
    {
        TimeBucket b = bucket(0);
        setCalls(b, 0, 10, 0);
        setCalls(b, 1, 0, 4);
        b.operations[0].p99 = fromMs(20);
        b.operations[1].p99 = fromMs(700);
        b.services[0].received = 10;
        b.services[1].received = 6;
        b.services[0].inService = 1;
        b.services[1].inService = 2;
        b.bulkheads[0].active = 5;
        const TelemetryHistory h = history({ b });

        const ChartPoints all = chartPoints(h, TimeWindow {}, QString(), 100);
        QCOMPARE(all.outcomes.back(), (QList<QPointF> { { 0, 14 } }));
        QCOMPARE(all.p99, (QList<QPointF> { { 0, 700 } }));
        QCOMPARE(all.received, (QList<QPointF> { { 0, 16 } }));
        QCOMPARE(all.inService, (QList<QPointF> { { 0, 3 } }));
        QCOMPARE(all.activePercent, (QList<QPointF> { { 0, 50 } }));
        QVERIFY(all.hasBulkhead);

        const ChartPoints a = chartPoints(h, TimeWindow {}, A, 100);
        QCOMPARE(a.outcomes.back(), (QList<QPointF> { { 0, 10 } }));
        QCOMPARE(a.p99, (QList<QPointF> { { 0, 20 } }));
        QCOMPARE(a.received, (QList<QPointF> { { 0, 10 } }));
        QVERIFY(a.hasBulkhead);

        const ChartPoints onlyB = chartPoints(h, TimeWindow {}, B, 100);
        QCOMPARE(onlyB.outcomes[std::size_t(Outcome::Success)], (QList<QPointF> { { 0, 0 } }));
        QCOMPARE(onlyB.outcomes.back(), (QList<QPointF> { { 0, 4 } }));
        QCOMPARE(onlyB.p99, (QList<QPointF> { { 0, 700 } }));
        QCOMPARE(onlyB.received, (QList<QPointF> { { 0, 6 } }));
        QCOMPARE(onlyB.inService, (QList<QPointF> { { 0, 2 } }));
        QCOMPARE(onlyB.activePercent, (QList<QPointF> { { 0, 0 } })); // b has no bulkhead
        QVERIFY(!onlyB.hasBulkhead);
    }

    // Goodput needs every merged bucket's wasted work: one unknown (a URL service) drops the point.
    void noGoodputWhereWasteIsUnknown()
    {
        QList<TimeBucket> buckets { bucket(0), bucket(1), bucket(2), bucket(3) };
        for (TimeBucket &b : buckets)
            b.services[0].served = 4;
        buckets[1].services[0].wasted = -1;
        QCOMPARE(chartPoints(history(buckets), TimeWindow {}, QString(), 100).goodput,
            (QList<QPointF> { { 0, 4 }, { 2, 4 }, { 3, 4 } }));
        QCOMPARE(chartPoints(history(buckets), TimeWindow {}, QString(), 2).goodput,
            (QList<QPointF> { { 2, 4 } }));
    }
};

QTEST_GUILESS_MAIN(TestChartPoints)
#include "tst_chartpoints.moc"
