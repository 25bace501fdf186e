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
        p.series.buckets = { bucket(0, 10, 0), bucket(1, 10, 4), bucket(2, 6, -1) };
        TelemetryHistory history;
        QVERIFY(history.ingest(p));

        Dashboard dashboard;
        dashboard.setHistory(&history);
        dashboard.refresh();
        const QList<QPointF> served { { 0, 10 }, { 1, 10 }, { 2, 6 } };
        QCOMPARE(points(dashboard, QStringLiteral("served/s")), served);
        // No goodput where the wasted work is out of sight.
        const QList<QPointF> goodput { { 0, 10 }, { 1, 6 } };
        QCOMPARE(points(dashboard, QStringLiteral("goodput/s")), goodput);
    }
};

QTEST_MAIN(TestDashboard)
#include "tst_dashboard.moc"
