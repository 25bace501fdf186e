#include "allocationcounter.h"
#include "run/runmetrics.h"
#include "run/scenariorun.h"
#include "telemetry/metricsrecorder.h"

#include <benchmark/benchmark.h>

using namespace bw;

namespace {

// One healthy service behind the api() policy at 1,000 calls/s: lognormal latency (median
// 20 ms, p99 120 ms, so about 24 calls in flight, within api()'s bulkhead of 50) and a 1 %
// error rate, which api() retries. The simulator alone: no telemetry sink attached.
ScenarioConfig benchScenario(Duration length)
{
    ScenarioConfig s;
    s.name = QStringLiteral("bench");
    s.duration = length;
    ServiceConfig service;
    service.name = QStringLiteral("payments");
    service.capacity = 200;
    service.latency.kind = LatencyKind::Lognormal;
    service.latency.median = fromMs(20);
    service.latency.p99 = fromMs(120);
    service.errorRate = 0.01;
    s.services.append(service);
    OperationConfig op;
    op.name = QStringLiteral("checkout");
    op.service = service.name;
    op.rate.rate = 1000;
    op.arrival = ArrivalKind::Poisson;
    op.policy = ResiliencePolicies::api();
    s.operations.append(op);
    return s;
}

} // namespace

static void BM_SimulatedCalls(benchmark::State &state)
{
    std::int64_t calls = 0;
    for (auto _ : state) {
        ScenarioRun sim(benchScenario(fromMs(600000))); // ten minutes: 600,000 calls
        sim.runToEnd();
        calls += sim.offered(0);
    }
    state.SetItemsProcessed(calls);
    state.counters["calls_per_run"] = benchmark::Counter(double(calls) / double(state.iterations()));
}
BENCHMARK(BM_SimulatedCalls)->Unit(benchmark::kMillisecond);

// The same run with the monitoring endpoints' recorder attached, publishing a snapshot every
// 100 ms of virtual time (a live run publishes every 10-40 ms of wall time): what --metrics-port
// costs the simulator.
static void BM_SimulatedCallsWithMetrics(benchmark::State &state)
{
    std::int64_t calls = 0;
    for (auto _ : state) {
        MetricsRecorder metrics;
        ScenarioRun sim(benchScenario(fromMs(600000)));
        attachMetrics(metrics, sim);
        while (!sim.atEnd()) {
            sim.advanceTo(sim.now() + fromMs(state.range(0)));
            metrics.publish();
        }
        sim.finish();
        calls += sim.offered(0);
    }
    state.SetItemsProcessed(calls);
}
BENCHMARK(BM_SimulatedCallsWithMetrics)->Arg(100)->Arg(10000)->Unit(benchmark::kMillisecond);
