// The GUI's refresh tick (docs/performance.md: 20 breakers, all charts, 10 minutes of history,
// offscreen, ≤ 5 ms median): one new bucket ingested, every chart series replaced, the breaker
// model updated, and the dashboard painted into an image, as a visible window would be.
#include "breakermodel.h"
#include "dashboard.h"
#include "fleetview.h"
#include "telemetryhistory.h"

#include <QDateTime>

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

namespace {

constexpr int FleetServices = 100;
constexpr int FleetBreakers = 1000; // 10 per service: 2 breakers on 5 replicas each

// One refresh of a fleet: every breaker's reading, a few of them OPEN for a while.
FleetSnapshot fleetSnapshot(int refresh)
{
    FleetSnapshot s;
    SourceStatus status;
    status.url = QStringLiteral("http://prometheus:9090");
    status.reachable = true;
    status.lastGoodRefresh = std::chrono::seconds(5 * refresh);
    status.breakers = FleetBreakers;
    s.sources.push_back(status);
    s.breakers.reserve(FleetBreakers);
    for (int i = 0; i < FleetBreakers; ++i) {
        BreakerReading r;
        r.id.source = status.url;
        r.id.library = FleetLibrary::Resilience4j;
        r.id.service = QStringLiteral("service-%1").arg(i / 10, 3, 10, QLatin1Char('0'));
        r.id.name = (i % 10) < 5 ? QStringLiteral("payments") : QStringLiteral("inventory");
        r.id.instance = QStringLiteral("10.0.%1.%2:8080").arg(i / 10).arg(i % 5);
        r.state = (refresh / 12 + i) % 40 == 0 ? CircuitState::Open : CircuitState::Closed;
        r.callsPerSecond = 20 + i % 7;
        r.callsPerSecondByOutcome[std::size_t(Outcome::Failure)] = r.state == CircuitState::Open ? 10 : 1;
        r.rejectedPerSecond = r.state == CircuitState::Open ? 15 : 0;
        r.failureRatePercent = r.state == CircuitState::Open ? 60 : 5;
        r.slowCallRatePercent = 2;
        r.bulkheadUsed = 3 + i % 5;
        r.bulkheadMax = 10;
        s.breakers.push_back(std::move(r));
    }
    std::sort(s.breakers.begin(), s.breakers.end(), [](const auto &a, const auto &b) { return a.id < b.id; });
    return s;
}

} // namespace

// Issue 15's target (docs/performance.md: ≤ 5 ms median): the Fleet mode's refresh tick with
// 1,000 breakers across 100 services and 15 minutes of history at the default 5 s: one snapshot
// ingested, the lanes and the three charts computed, and the shown view repainted synchronously.
static void BM_FleetRefreshTick(benchmark::State &state)
{
    FleetView view;
    view.resize(1400, 900);
    const qint64 start = QDateTime::currentMSecsSinceEpoch();
    int refresh = 0;
    for (; refresh < 180; ++refresh) // 15 minutes of history
        view.ingest(fleetSnapshot(refresh), start + refresh * 5000);
    view.refresh();
    view.show();
    for (int i = 0; i < 10; ++i)
        QCoreApplication::processEvents();
    // The snapshots are made before the clock runs: the sources make them on their own thread.
    std::vector<FleetSnapshot> next;
    for (int i = 0; i < 64; ++i)
        next.push_back(fleetSnapshot(refresh + i));
    std::size_t k = 0;
    for (auto _ : state) {
        view.ingest(next[k % next.size()], start + refresh++ * 5000);
        ++k;
        view.refresh();
        view.repaint();
    }
    state.counters["lanes"] = double(view.lanes()->lanes().size());
}
BENCHMARK(BM_FleetRefreshTick)->Unit(benchmark::kMillisecond);

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
