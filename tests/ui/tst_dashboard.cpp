// The dashboard's backend chart on synthetic buckets: throughput (served/s) against goodput
// (served/s whose caller still waited), per second.
#include "dashboard.h"

#include <QApplication>
#include <QTest>
#include <QXYSeries>

using namespace bw;

namespace {

const QString Backend = QStringLiteral("Backend load and capacity");

// One bucket at second `seq` in which the service served `served` requests, `wasted` of them for
// callers that had left (-1: unknown, a URL service).
TimeBucketPtr bucket(std::int64_t seq, std::int64_t served, std::int64_t wasted)
{
    auto b = std::make_shared<TimeBucket>();
    b->seq = seq;
    b->start = std::chrono::seconds(seq);
    b->end = std::chrono::seconds(seq + 1);
    b->operations.push_back(OperationPoint {});
    ServicePoint s;
    s.received = served;
    s.capacity = 10;
    s.served = served;
    s.wasted = wasted;
    b->services.push_back(s);
    return b;
}

// A run 3 s into a minute, its operation calling its service, with these buckets.
RunProgress runWith(const QList<TimeBucketPtr> &buckets)
{
    auto layout = std::make_shared<TimeSeriesLayout>();
    layout->bucketWidth = std::chrono::seconds(1);
    layout->operations = { QStringLiteral("op") };
    layout->operationServices = { QStringLiteral("svc") };
    layout->services = { QStringLiteral("svc") };
    RunProgress p;
    p.state = RunProgress::State::Running;
    p.now = std::chrono::seconds(3);
    p.end = std::chrono::seconds(60);
    p.series.generation = 1;
    p.series.layout = layout;
    p.series.buckets = buckets;
    return p;
}

QList<QPointF> points(const Dashboard &d, const QString &name)
{
    const QXYSeries *s = d.series(Backend, name);
    return s ? s->points() : QList<QPointF> { { -1, -1 } };
}

} // namespace

class TestDashboard : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void goodputAgainstThroughput()
    {
        TelemetryHistory history;
        QVERIFY(history.ingest(runWith({ bucket(0, 10, 0), bucket(1, 10, 4), bucket(2, 6, -1) })));

        Dashboard dashboard;
        dashboard.setHistory(&history);
        dashboard.refresh();
        const QList<QPointF> served { { 0, 10 }, { 1, 10 }, { 2, 6 } };
        QCOMPARE(points(dashboard, QStringLiteral("served/s")), served);
        // No goodput where the wasted work is out of sight.
        const QList<QPointF> goodput { { 0, 10 }, { 1, 6 } };
        QCOMPARE(points(dashboard, QStringLiteral("goodput/s")), goodput);
        // No operation had a concurrency limit: no line.
        QCOMPARE(points(dashboard, QStringLiteral("concurrency limit")), QList<QPointF> {});
    }

    // The adaptive concurrency limit at each second's end, on the backend chart's right axis
    // beside the capacity it looks for; only where it was on.
    void concurrencyLimitAgainstCapacity()
    {
        QList<TimeBucketPtr> buckets;
        const int limits[] = { -1, 20, 34 };
        for (int i = 0; i < 3; ++i) {
            auto b = std::const_pointer_cast<TimeBucket>(bucket(i, 10, 0));
            b->operations[0].concurrencyLimit = limits[i];
            buckets.append(b);
        }
        TelemetryHistory history;
        QVERIFY(history.ingest(runWith(buckets)));
        Dashboard dashboard;
        dashboard.setHistory(&history);
        dashboard.refresh();
        const QList<QPointF> limit { { 1, 20 }, { 2, 34 } };
        QCOMPARE(points(dashboard, QStringLiteral("concurrency limit")), limit);
        QCOMPARE(points(dashboard, QStringLiteral("capacity")), (QList<QPointF> { { 0, 10 }, { 1, 10 }, { 2, 10 } }));
    }
};

QTEST_MAIN(TestDashboard)
#include "tst_dashboard.moc"
