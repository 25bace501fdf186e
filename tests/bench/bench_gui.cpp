// The GUI's refresh tick (docs/performance.md: 20 breakers, all charts, 10 minutes of history,
// offscreen, ≤ 5 ms median): one new bucket ingested, every chart series replaced, the breaker
// model updated, and the dashboard painted into an image, as a visible window would be.
#include "breakermodel.h"
#include "dashboard.h"
#include "fleet/prometheussource.h"
#include "fleetview.h"
#include "generatedfleet.h"
#include "telemetryhistory.h"

#include <QDateTime>
#include <QElapsedTimer>
#include <QTimer>

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

// The fleet every repetition of BM_FleetRefreshTick watches: made at its first run (Prometheus
// needs seconds to have the data), dropped by main() before the application goes.
std::unique_ptr<bench::GeneratedFleet> generatedFleet;

// Runs the event loop until `done` or `timeoutMs` have passed; false on the timeout. It sleeps
// between events: the GUI thread's CPU time is the benchmark's measure.
bool waitFor(const std::function<bool()> &done, int timeoutMs)
{
    QTimer timeout;
    timeout.setSingleShot(true);
    timeout.start(timeoutMs);
    while (!done()) {
        if (!timeout.isActive())
            return false;
        QCoreApplication::processEvents(QEventLoop::WaitForMoreEvents);
    }
    return true;
}

// Counts the paint events of the widget it filters.
struct PaintCounter : QObject
{
    int paints = 0;
    bool eventFilter(QObject *, QEvent *event) override
    {
        paints += event->type() == QEvent::Paint;
        return false;
    }
};

// Every generated breaker read, each with a state and a rate (two scrapes at least).
bool complete(const FleetSnapshot &s)
{
    return s.breakers.size() == std::size_t(bench::GeneratedFleet::Breakers)
        && std::all_of(s.breakers.begin(), s.breakers.end(),
            [](const BreakerReading &r) { return r.state && !std::isnan(r.callsPerSecond); });
}

} // namespace

// Issue 15's scale target (docs/performance.md: ≤ 5 ms median): the Fleet mode's refresh tick
// with 1,000 breakers across 100 services, against a real Prometheus that scrapes generated
// targets every second. The window's own path: FleetView opened on the server (its FleetClient
// sends the 23 queries and reads the answers on its worker thread), 15 minutes of history at the
// default 5 s, then per iteration one refresh round: the snapshot arrives on the GUI thread, is
// ingested, the lanes and charts computed, and what changed painted by the event loop. The time is
// the GUI thread's CPU time over the round (manual time): its busy time, not the network wait.
// Counters: round_trip_ms (wall time from asking to painted), queries (per refresh, counted by
// Prometheus itself), fleet_thread_cpu_ms (the reading of the answers, off the GUI thread).
static void BM_FleetRefreshTick(benchmark::State &state)
{
    if (!generatedFleet) {
        generatedFleet = std::make_unique<bench::GeneratedFleet>();
        generatedFleet->waitReady(30000);
    }
    if (!generatedFleet->error().isEmpty()) {
        state.SkipWithError(generatedFleet->error().toUtf8().constData());
        return;
    }
    FleetView view;
    view.resize(1400, 900);
    FleetConnection connection;
    connection.prometheus = generatedFleet->prometheusUrl();
    QString error;
    if (!view.open(connection, &error)) {
        state.SkipWithError(error.toUtf8().constData());
        return;
    }
    // The benchmark paces the rounds: the periodic refresh (5 s) is pushed out of the way, and
    // the store keeps the 5 s step it was opened with. It also ingests the snapshots itself, on
    // a clock that moves 5 s per round as the window's would (the rounds come faster than that).
    view.client()->setRefreshSeconds(FleetConnection::MaxRefreshSeconds);
    QObject::disconnect(view.client(), &FleetClient::snapshotReady, &view, nullptr);
    FleetSnapshot latest;
    bool arrived = false, historyLoaded = false;
    const QMetaObject::Connection keepLatest = QObject::connect(view.client(), &FleetClient::snapshotReady, &view, [&](const FleetSnapshot &s) {
        latest = s;
        arrived = true;
    });
    QObject::connect(&view, &FleetView::historyLoaded, &view, [&] { historyLoaded = true; });
    // Polls until Prometheus has scraped every target twice (the first refresh ran at open()),
    // and the view has its history (what Prometheus has of the last 15 minutes, a few seconds).
    if (!waitFor([&] {
            if (arrived && complete(latest) && historyLoaded)
                return true;
            if (arrived && !complete(latest)) {
                arrived = false;
                view.client()->refreshNow();
            }
            return false;
        }, 60000)) {
        const QString why = QStringLiteral("Prometheus at %1 did not give the %2 generated breakers within 60 s: %3 so far%4")
                                .arg(connection.prometheus)
                                .arg(bench::GeneratedFleet::Breakers)
                                .arg(latest.breakers.size())
                                .arg(latest.sources.empty() || latest.sources.front().error.isEmpty()
                                        ? QString()
                                        : QStringLiteral(" (") + latest.sources.front().error + u')');
        state.SkipWithError(why.toUtf8().constData());
        return;
    }
    QObject::disconnect(keepLatest);
    // 15 minutes at 5 s from the real snapshot, each a refresh of its own, after that history;
    // the flapping breakers go round their minute as the targets' do (bench::cycleState).
    const qint64 start = QDateTime::currentMSecsSinceEpoch() + 5000;
    int round = 0;
    for (; round < 180; ++round) {
        FleetSnapshot next = latest;
        next.sources.front().lastGoodRefresh = *next.sources.front().lastGoodRefresh + std::chrono::seconds(5 * (round + 1));
        for (BreakerReading &r : next.breakers) {
            const int number = generatedFleet->breakerNumber(r.id.service, r.id.instance, r.id.name);
            if (number < 0) {
                state.SkipWithError((QStringLiteral("not a generated breaker: ") + r.id.service + u'/' + r.id.instance + u'/' + r.id.name).toUtf8().constData());
                return;
            }
            r.state = bench::cycleState(number, 5.0 * round);
        }
        view.ingest(next, start + 5000 * round);
    }
    view.refresh();
    view.show();
    for (int i = 0; i < 10; ++i)
        QCoreApplication::processEvents();
    // The tick: the snapshot ingested, then what the window's timer would run within 100 ms, run
    // at once; what it made dirty (lanes, charts, labels) is then painted by the event loop, as on
    // screen, not the whole view.
    bool refreshed = false;
    QObject::connect(view.client(), &FleetClient::snapshotReady, &view, [&](const FleetSnapshot &s) {
        view.ingest(s, start + 5000 * round++);
        view.refresh();
        refreshed = true;
    });
    PaintCounter lanePaints;
    view.lanes()->installEventFilter(&lanePaints);
    const double queriesBefore = generatedFleet->queriesAnswered();
    if (queriesBefore < 0) {
        state.SkipWithError(generatedFleet->error().toUtf8().constData());
        return;
    }
    double roundTripMs = 0, fleetThreadMs = 0;
    for (auto _ : state) {
        refreshed = false;
        const int paintsBefore = lanePaints.paints;
        QElapsedTimer wall;
        wall.start();
        const double cpu = bench::cpuMs(CLOCK_THREAD_CPUTIME_ID);
        const double process = bench::cpuMs(CLOCK_PROCESS_CPUTIME_ID);
        const double targets = generatedFleet->targetsCpuMs();
        view.client()->refreshNow();
        if (!waitFor([&] { return refreshed; }, 30000)) {
            state.SkipWithError("a refresh did not complete within 30 s");
            break;
        }
        // The charts' scenes post their updates, which post the paint: a few passes run them all.
        for (int pass = 0; pass < 3; ++pass)
            QCoreApplication::processEvents();
        if (lanePaints.paints == paintsBefore) {
            state.SkipWithError("the lanes were not painted after a refresh");
            break;
        }
        const double gui = bench::cpuMs(CLOCK_THREAD_CPUTIME_ID) - cpu;
        state.SetIterationTime(gui / 1e3);
        roundTripMs += double(wall.nsecsElapsed()) / 1e6;
        fleetThreadMs += bench::cpuMs(CLOCK_PROCESS_CPUTIME_ID) - process - gui - (generatedFleet->targetsCpuMs() - targets);
        if (!view.store().sources().front().reachable) {
            state.SkipWithError(view.store().sources().front().error.toUtf8().constData());
            break;
        }
    }
    const double rounds = double(state.iterations());
    const double queries = generatedFleet->queriesAnswered() - queriesBefore;
    state.counters["breakers"] = double(view.store().breakers().size());
    state.counters["lanes"] = double(view.lanes()->lanes().size());
    state.counters["queries"] = queries / rounds;
    state.counters["round_trip_ms"] = roundTripMs / rounds;
    state.counters["fleet_thread_cpu_ms"] = fleetThreadMs / rounds;
    // Bounded: the fixed set of queries, whatever the fleet's size, never one per breaker.
    const PrometheusSourceOptions defaults;
    const auto fixedSet = double(prometheusRefreshQueries(defaults.rateWindow, defaults.stateWindow).size());
    if (queries != fixedSet * rounds)
        state.SkipWithError(QStringLiteral("%1 queries per refresh, expected the fixed set of %2").arg(queries / rounds).arg(fixedSet).toUtf8().constData());
}
// A round takes a few hundred milliseconds of wall time: a fixed count keeps `make bench` short.
BENCHMARK(BM_FleetRefreshTick)->UseManualTime()->Iterations(20)->Unit(benchmark::kMillisecond);

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
    generatedFleet.reset();
    benchmark::Shutdown();
    return 0;
}
