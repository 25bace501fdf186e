#include "allocationcounter.h"
#include "resilience/circuitbreaker.h"
#include "resilience/pipeline.h"
#include "resilience/policy.h"
#include "runtime/virtualscheduler.h"
#include "runtime/wallscheduler.h"

#include <benchmark/benchmark.h>

#include <chrono>

using namespace bw;

namespace {

// An operation that succeeds inside start(): what is measured is the engine around it.
class InlineSuccess final : public Operation
{
public:
    void start(const Attempt &, Completion done) override { done(Result::success()); }
};

// Reports allocations per iteration over the timed loop; the targets ask for zero.
class AllocationProbe
{
public:
    explicit AllocationProbe(benchmark::State &state) : m_state(state), m_before(bench::allocationsOnThisThread()) { }
    ~AllocationProbe()
    {
        const double allocations = double(bench::allocationsOnThisThread() - m_before);
        m_state.counters["allocs_per_call"] = benchmark::Counter(allocations / double(std::max<std::int64_t>(1, m_state.iterations())));
        m_state.SetItemsProcessed(m_state.iterations());
    }

private:
    benchmark::State &m_state;
    std::uint64_t m_before;
};

void warmUp(Pipeline &pipeline, Operation &op)
{
    for (int i = 0; i < 1000; ++i)
        pipeline.execute(op, {});
}

} // namespace

// The yardstick every target is a multiple of.
static void BM_Reference_ClockNow(benchmark::State &state)
{
    AllocationProbe probe(state);
    for (auto _ : state)
        benchmark::DoNotOptimize(std::chrono::steady_clock::now());
}
BENCHMARK(BM_Reference_ClockNow);

// The engine's wall clock, what every timed call reads twice (runtime/fastclock.h).
static void BM_WallClockNow(benchmark::State &state)
{
    WallScheduler scheduler;
    const Scheduler &clock = scheduler;
    AllocationProbe probe(state);
    for (auto _ : state)
        benchmark::DoNotOptimize(clock.now());
}
BENCHMARK(BM_WallClockNow);

// A closed breaker on the wall clock: permit, then a recorded success (two clock reads).
static void BM_BreakerClosedSuccess(benchmark::State &state)
{
    WallScheduler scheduler;
    CircuitBreaker breaker(QStringLiteral("bench"), CircuitBreakerConfig {}, scheduler);
    AllocationProbe probe(state);
    for (auto _ : state) {
        const CircuitPermit permit = breaker.tryAcquire();
        benchmark::DoNotOptimize(permit.granted);
        breaker.onSuccess(permit);
    }
}
BENCHMARK(BM_BreakerClosedSuccess);

// A breaker held open: every call is rejected without calling the operation.
static void BM_BreakerOpenReject(benchmark::State &state)
{
    WallScheduler scheduler;
    CircuitBreaker breaker(QStringLiteral("bench"), CircuitBreakerConfig {}, scheduler);
    breaker.holdOpen();
    AllocationProbe probe(state);
    for (auto _ : state) {
        const CircuitPermit permit = breaker.tryAcquire();
        benchmark::DoNotOptimize(permit.granted);
    }
}
BENCHMARK(BM_BreakerOpenReject);

// Calls through a pipeline whose operation succeeds inline, after a warm-up that grows the pools.
static void measurePipeline(benchmark::State &state, Pipeline &pipeline)
{
    InlineSuccess op;
    warmUp(pipeline, op);
    AllocationProbe probe(state);
    for (auto _ : state)
        pipeline.execute(op, {});
}

// The api() policy (retry, breaker with its call timeout, bulkhead, timeout) on the wall clock.
static void BM_PipelineSuccess(benchmark::State &state)
{
    WallScheduler scheduler;
    Pipeline pipeline(ResiliencePolicies::api(), scheduler);
    measurePipeline(state, pipeline);
}
BENCHMARK(BM_PipelineSuccess);

// The same on virtual time, as the simulator and replay run it.
static void BM_PipelineSuccessVirtual(benchmark::State &state)
{
    VirtualScheduler scheduler;
    Pipeline pipeline(ResiliencePolicies::api(), scheduler);
    measurePipeline(state, pipeline);
}
BENCHMARK(BM_PipelineSuccessVirtual);

// An open breaker with a fallback, the case opossum measures at 2.8 µs.
static void BM_PipelineOpenFallback(benchmark::State &state)
{
    VirtualScheduler scheduler;
    PolicyConfig policy = ResiliencePolicies::api();
    policy.fallback = FallbackConfig { QVariant(QStringLiteral("cached")), {} };
    Pipeline pipeline(policy, scheduler);
    pipeline.circuitBreaker()->holdOpen();
    measurePipeline(state, pipeline);
}
BENCHMARK(BM_PipelineOpenFallback);
