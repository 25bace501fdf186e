#include "allocationcounter.h"
#include "resilience/adaptivethrottle.h"
#include "resilience/circuitbreaker.h"
#include "resilience/concurrencylimit.h"
#include "resilience/pipeline.h"
#include "resilience/policy.h"
#include "resilience/ratelimiter.h"
#include "resilience/retry.h"
#include "runtime/virtualscheduler.h"
#include "runtime/wallscheduler.h"
#include "telemetry/timeseries.h"

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

// The rate limiter admitting a call (issue 14): a permit of the current period, and every
// thousandth call a new period. The time is handed in, as the pipeline does with the one it read.
static void BM_RateLimiterAdmit(benchmark::State &state)
{
    RateLimiter limiter(RateLimiterConfig { 1000, std::chrono::microseconds(1), Duration::zero() }, TimePoint {});
    TimePoint now {};
    AllocationProbe probe(state);
    for (auto _ : state) {
        now += Duration(1); // 1,000 calls per 1 µs period: never refused
        benchmark::DoNotOptimize(limiter.reserve(now));
    }
}
BENCHMARK(BM_RateLimiterAdmit);

// The retry quota admitting a retry (issue 14): its cost taken, and given back when it succeeds.
static void BM_RetryQuotaAdmit(benchmark::State &state)
{
    RetryQuota quota { RetryQuotaConfig {} };
    const Error error { ErrorCode::httpStatus(503), QString(), std::nullopt, Stage::Operation, {} };
    AllocationProbe probe(state);
    for (auto _ : state) {
        const std::optional<int> taken = quota.tryTake(error);
        benchmark::DoNotOptimize(taken);
        quota.give(*taken);
    }
}
BENCHMARK(BM_RetryQuotaAdmit);

// Hedging admitting a call (issue 14): what it adds to a call that answers before the delay,
// its delay's timer armed on the virtual scheduler and cancelled, the time advancing as calls
// arrive, among 1,000 timers of other calls pending.
static void BM_HedgingAdmit(benchmark::State &state)
{
    VirtualScheduler scheduler;
    for (int i = 0; i < 1000; ++i)
        scheduler.schedule(fromMs(100 + i), [] { });
    const Duration delay = fromMs(50);
    TimePoint now {};
    for (int i = 0; i < 1000; ++i) // the queue's storage grows to its steady size first
        scheduler.cancel(scheduler.scheduleAt(now + delay, [] { }));
    AllocationProbe probe(state);
    for (auto _ : state) {
        now += Duration(1);
        const TimerId timer = scheduler.scheduleAt(now + delay, [] { });
        benchmark::DoNotOptimize(timer);
        scheduler.cancel(timer);
    }
}
BENCHMARK(BM_HedgingAdmit);
// The adaptive throttle admitting a request the backend then accepts (issue 14): its probability,
// 0, read from the window, the request and the accept counted, and every 1,875th call (120 s / 64
// buckets at 1 µs a call) a bucket leaves the window.
static void BM_AdaptiveThrottleAdmit(benchmark::State &state)
{
    AdaptiveThrottle throttle(AdaptiveThrottleConfig {}, TimePoint {});
    TimePoint now {};
    AllocationProbe probe(state);
    for (auto _ : state) {
        now += std::chrono::microseconds(1);
        benchmark::DoNotOptimize(throttle.rejectionProbability(now));
        throttle.recordRequest(now);
        throttle.recordAccept(now);
    }
}
BENCHMARK(BM_AdaptiveThrottleAdmit);

// The adaptive concurrency limit admitting a call and taking its sample (issue 14): the count in
// flight against the limit, up and down, and gradient2's update (the long-term RTT's average, the
// gradient, the smoothing) from a latency that varies, with the limit always in use.
static void BM_ConcurrencyLimitAdmit(benchmark::State &state)
{
    ConcurrencyLimit limit(ConcurrencyLimitConfig {});
    Random random(1);
    int inFlight = 0;
    std::int64_t call = 0;
    AllocationProbe probe(state);
    for (auto _ : state) {
        benchmark::DoNotOptimize(inFlight < limit.limit());
        const int held = ++inFlight;
        --inFlight;
        limit.update(Duration(40'000'000 + (++call & 1023) * 10'000), held + limit.limit(), false, random);
    }
}
BENCHMARK(BM_ConcurrencyLimitAdmit);

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

// What the time series recorder adds to each call: an offered and a finished event, one
// operation, virtual time 100 µs apart, so a 1 s bucket closes every 10,000 calls (included).
static void BM_TimeSeriesRecorderCall(benchmark::State &state)
{
    TimeSeriesRecorder recorder;
    const QString operation = QStringLiteral("checkout");
    recorder.addOperation(operation);
    TimePoint at {};
    std::int64_t latency = 0;
    AllocationProbe probe(state);
    for (auto _ : state) {
        at += std::chrono::microseconds(100);
        latency = (latency + 7919) % 100000000; // up to 100 ms, spread over the bins
        recorder.onCallOffered(operation, 0, at);
        recorder.onCallFinished(
            CallReport { operation, 0, Outcome::Success, 1, Duration(latency), nullptr, at, {} });
    }
}
BENCHMARK(BM_TimeSeriesRecorderCall);

// Closing one bucket (what the recorder does once per bucket width, with or without traffic):
// ten operations with a hundred calls each, ten breakers, bulkheads and services with samplers,
// the fine and coarse rings full (small ones, to fill quickly), so old buckets are dropped as in
// a long run.
static void BM_TimeSeriesRecorderCloseBucket(benchmark::State &state)
{
    TimeSeriesRecorder::Config config;
    config.recentCapacity = 120;
    config.coarseCapacity = 4;
    TimeSeriesRecorder recorder(config);
    QStringList names;
    for (int i = 0; i < 10; ++i) {
        const QString name = QStringLiteral("op%1").arg(i);
        names.append(name);
        recorder.addOperation(name, name);
        recorder.addBreaker(name, CircuitState::Closed, [] {
            return std::optional(TimeSeriesRecorder::BreakerSample { 0.1, 0.0, 100 });
        });
        recorder.addBulkhead(name, [] {
            return std::optional(TimeSeriesRecorder::BulkheadSample { 3, 1, 10, 5, 0, 0 });
        });
        recorder.addService(name, [] { return TimeSeriesRecorder::ServiceSample { 0, 0, 3, 1, 50, 0, 0 }; });
    }
    const Duration width = recorder.config().bucketWidth;
    TimePoint at {};
    const auto fillBucket = [&] {
        for (const QString &name : std::as_const(names))
            for (int k = 0; k < 100; ++k)
                recorder.onCallFinished(
                    CallReport { name, 0, Outcome::Success, 1, fromMs(k), nullptr, at + Duration(k), {} });
        at += width;
    };
    const int full = recorder.config().recentCapacity
        + recorder.config().coarseFactor * recorder.config().coarseCapacity;
    for (int i = 0; i < full; ++i) {
        fillBucket();
        recorder.advanceTo(at);
    }
    for (auto _ : state) {
        state.PauseTiming();
        fillBucket();
        state.ResumeTiming();
        recorder.advanceTo(at);
    }
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_TimeSeriesRecorderCloseBucket);
