// The GUI's refresh tick (docs/performance.md: 20 breakers, all charts, 10 minutes of history,
// offscreen, ≤ 5 ms median): one new bucket ingested, every chart series replaced, the breaker
// model updated, and the dashboard painted into an image, as a visible window would be.
#include "breakermodel.h"
#include "dashboard.h"
#include "telemetryhistory.h"

#include <QApplication>
#include <QChart>
#include <QGraphicsScene>
#include <QImage>
#include <QPainter>

#include <benchmark/benchmark.h>

using namespace bw;

namespace {

constexpr int Breakers = 20;

std::shared_ptr<const TimeSeriesLayout> layout()
{
    auto l = std::make_shared<TimeSeriesLayout>();
    l->bucketWidth = std::chrono::seconds(1);
    for (int i = 0; i < Breakers; ++i) {
        const QString name = QStringLiteral("operation-%1").arg(i);
        l->operations.append(name);
        l->operationServices.append(QStringLiteral("service-%1").arg(i % 5));
        l->breakers.append(name);
        l->bulkheads.append(name);
    }
    for (int i = 0; i < 5; ++i)
        l->services.append(QStringLiteral("service-%1").arg(i));
    return l;
}

TimeBucketPtr bucket(std::int64_t seq)
{
    auto b = std::make_shared<TimeBucket>();
    b->seq = seq;
    b->start = std::chrono::seconds(seq);
    b->end = std::chrono::seconds(seq + 1);
    for (int i = 0; i < Breakers; ++i) {
        OperationPoint p;
        p.offered = 100;
        p.outcomes[0] = 80 + (seq + i) % 7;
        p.outcomes[2] = 10;
        p.outcomes[4] = (seq / 30 + i) % 3 == 0 ? 10 : 0;
        p.attempts = 110;
        p.retries = 10;
        p.timeouts[0] = 3;
        p.p50 = fromMs(20);
        p.p95 = fromMs(80 + seq % 20);
        p.p99 = fromMs(150 + seq % 50);
        b->operations.push_back(p);
        BreakerPoint bp;
        bp.state = (seq / 30 + i) % 3 == 0 ? CircuitState::Open : CircuitState::Closed;
        bp.rejected = 10;
        b->breakers.push_back(bp);
        BulkheadPoint bh;
        bh.active = 5;
        bh.queued = 2;
        bh.maxConcurrent = 10;
        bh.maxQueueSize = 10;
        b->bulkheads.push_back(bh);
    }
    for (int i = 0; i < 5; ++i) {
        ServicePoint s;
        s.received = 400;
        s.inService = 20;
        s.capacity = 50;
        b->services.push_back(s);
    }
    return b;
}

RunProgress progressWith(
    std::int64_t from, std::int64_t count, const std::shared_ptr<const TimeSeriesLayout> &l)
{
    RunProgress p;
    p.state = RunProgress::State::Running;
    p.end = std::chrono::hours(1);
    p.now = std::chrono::seconds(from + count);
    p.series.generation = 1;
    p.series.layout = l;
    for (std::int64_t s = from; s < from + count; ++s)
        p.series.buckets.append(bucket(s));
    return p;
}

} // namespace

static void BM_GuiRefreshTick(benchmark::State &state)
{
    const bool paint = state.range(0) != 0;
    const auto l = layout();
    TelemetryHistory history;
    QList<TimeMarker> markers { { 30, QStringLiteral("outage starts"), Qt::red } };
    Dashboard dashboard;
    dashboard.setHistory(&history);
    dashboard.setMarkers(&markers);
    dashboard.resize(1100, 900);
    BreakerModel model;
    std::int64_t seq = 600;
    history.ingest(progressWith(0, seq, l)); // 10 minutes of history
    dashboard.refresh();
    model.update(history);
    // Shown, as in the app: a repaint then goes through the window's backing store, and layouts
    // are settled (a hidden widget's render() would lay out every chart again at every call).
    dashboard.show();
    for (int i = 0; i < 10; ++i)
        QCoreApplication::processEvents();
    QImage image(dashboard.size(), QImage::Format_ARGB32_Premultiplied);
    for (auto _ : state) {
        history.ingest(progressWith(seq++, 1, l));
        dashboard.refresh();
        model.update(history);
        if (state.range(0) == 1) {
            dashboard.repaint();
        } else if (paint) {
            QPainter painter(&image);
            if (state.range(0) == 2)
                dashboard.timeline()->render(&painter);
            else
                dashboard.charts().first()->scene()->render(&painter);
        }
        benchmark::DoNotOptimize(image.constBits());
    }
}
// Arg 1: painted, as on screen (the target): a synchronous repaint of the shown dashboard;
// 0: data and series only; 2: the state timeline's paint alone; 3: the calls-by-outcome chart's
// scene alone (where the paint time goes).
BENCHMARK(BM_GuiRefreshTick)->Arg(1)->Arg(0)->Arg(2)->Arg(3)->Unit(benchmark::kMillisecond);

int main(int argc, char **argv)
{
    // Offscreen unless told otherwise: the benchmark needs no display.
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv);
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv))
        return 1;
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}
