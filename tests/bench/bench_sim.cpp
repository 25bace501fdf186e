#include "allocationcounter.h"
#include "sim/simulation.h"
#include "telemetry/summary.h"

#include <benchmark/benchmark.h>

using namespace bw;

namespace {

// One service behind the api() policy at 1,000 calls/s, lognormal latency and a 1 % error
// rate, with the summary recording (as `breakwater run` does without an events file).
ScenarioConfig benchScenario(Duration length)
{
    ScenarioConfig s;
    s.name = QStringLiteral("bench");
    s.duration = length;
    ServiceConfig service;
    service.name = QStringLiteral("payments");
    service.capacity = 200;
    service.latency.kind = LatencyKind::Lognormal;
    service.latency.median = fromMs(40);
    service.latency.p99 = fromMs(250);
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
        Simulation sim(benchScenario(fromMs(600000))); // ten minutes: 600,000 calls
        Summary summary;
        sim.setSummary(&summary);
        sim.runToEnd();
        calls += sim.offered(0);
    }
    state.SetItemsProcessed(calls);
    state.counters["calls_per_run"] = benchmark::Counter(double(calls) / double(state.iterations()));
}
BENCHMARK(BM_SimulatedCalls)->Unit(benchmark::kMillisecond);
