#pragma once

#include "../resilience/health.h"
#include "telemetrysink.h"
#include "timeseries.h"

#include <QHash>

#include <array>
#include <memory>
#include <mutex>
#include <vector>

namespace bw {

// What a monitoring endpoint shows of a run at one instant: cumulative counters for Prometheus
// (docs/semantics.md, "Exported metrics"), Hystrix's rolling window, gauges and the health status.
// Immutable once published; readers on any thread share it.
struct MetricsSnapshot
{
    // resilience_call_duration_seconds bucket bounds (le), in seconds; the last bucket is +Inf.
    static constexpr std::array<double, 14> LatencyBounds { 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1,
        2.5, 5, 10, 30, 60, 120 };
    static constexpr int LatencyBuckets = int(LatencyBounds.size()) + 1;
    // Hystrix's percentiles, in its order.
    static constexpr std::array<double, 9> HystrixPercentiles { 0, 25, 50, 75, 90, 95, 99, 99.5, 100 };
    static constexpr Duration RollingWindow = std::chrono::seconds(10);

    // Hystrix's rolling counts over the last RollingWindow of virtual time. A call ended by a
    // fallback counts as its cause (failure, timeout, short-circuited, rejected) and as a
    // fallback success, as in Hystrix; cancelled calls count nowhere.
    struct HystrixWindow
    {
        std::int64_t success = 0, failure = 0, timeout = 0, shortCircuited = 0, threadPoolRejected = 0;
        std::int64_t semaphoreRejected = 0; // a rate limiter's refusals: Hystrix has no closer field
        std::int64_t fallbackSuccess = 0, exceptionsThrown = 0;
        int maxConcurrent = 0;
        // Milliseconds: every call that ended (total), and the calls whose operation ran (execute).
        std::array<std::int64_t, HystrixPercentiles.size()> latencyTotal {}, latencyExecute {};
        std::int64_t latencyTotalMean = 0, latencyExecuteMean = 0;

        // Hystrix's errorCount: every failed execution, rejections included.
        std::int64_t errorCount() const
        {
            return failure + timeout + shortCircuited + threadPoolRejected + semaphoreRejected;
        }
        std::int64_t requestCount() const { return errorCount() + success; }
        int errorPercentage() const; // 0..100, rounded down as Hystrix does
    };

    struct Operation
    {
        QString name;
        std::array<std::int64_t, OutcomeCount> outcomes {};
        // Per outcome: calls per latency bucket (not cumulative) and the sum of their latencies.
        std::array<std::array<std::int64_t, LatencyBuckets>, OutcomeCount> latencyBuckets {};
        std::array<Duration, OutcomeCount> latencySum {};
        std::int64_t retries = 0; // retries scheduled
        std::int64_t hedgedAttempts = 0; // attempts the hedging stage started
        std::int64_t timeouts = 0; // time limits that expired, every stage and attempt
        std::int64_t cutOff = 0; // cancelled by the run's end: counted here, not in latencyBuckets
        int inFlight = 0;
        HystrixWindow window;
        // The policy as Hystrix's propertyValue_* fields report it.
        std::optional<CircuitBreakerConfig> breakerConfig;
        CircuitState breakerState = CircuitState::Closed;
        std::optional<Duration> timeout; // the timeout stage's limit
        int bulkheadMaxConcurrent = 0; // 0: no bulkhead
    };

    struct Breaker
    {
        QString name;
        CircuitState state = CircuitState::Closed;
        double failureRate = 0; // over the window, 0..1
        std::int64_t successes = 0, failures = 0, rejected = 0; // calls the breaker recorded or refused
        std::array<std::array<std::int64_t, CircuitStateCount>, CircuitStateCount> changes {}; // [from][to]
    };

    struct Bulkhead
    {
        QString name;
        int active = 0, queued = 0, maxConcurrent = 0, maxQueueSize = 0;
        std::int64_t started = 0, queuedTotal = 0, rejected = 0, completed = 0; // cumulative
        // The rolling window, as HystrixThreadPool reports it.
        std::int64_t rollingExecuted = 0, rollingRejected = 0;
        int rollingMaxActive = 0;
    };

    // A simulated backend service's throughput and wasted work.
    struct Service
    {
        QString name;
        std::int64_t served = 0; // requests served to their end, cumulative
        std::int64_t wasted = 0; // of those, served after their caller had given up
    };

    std::uint64_t sequence = 0; // 0: nothing published yet
    TimePoint at {}; // virtual time of the run
    std::vector<Operation> operations;
    std::vector<Breaker> breakers;
    std::vector<Bulkhead> bulkheads;
    std::vector<Service> services; // simulated ones: a real server's wasted work is out of sight
    HealthStatus health;
};

using MetricsSnapshotPtr = std::shared_ptr<const MetricsSnapshot>;

// What a MetricsRecorder reads of the run it follows when it publishes, on the run's thread:
// the run's time, its pipelines' live primitives (calls in flight, policy, breaker and bulkhead
// health) and its simulated services' throughput. The run layer adapts a ScenarioRun to it
// (run/runmetrics.h), so telemetry knows nothing of the layers above it.
class MetricsSource
{
public:
    virtual ~MetricsSource() = default;
    virtual TimePoint now() const = 0;
    virtual int pipelineCount() const = 0;
    virtual Pipeline &pipeline(int index) const = 0;
    // Appends the simulated services: a real server's wasted work is out of sight.
    virtual void appendServices(std::vector<MetricsSnapshot::Service> &services) const = 0;
};

// Counts what a run does for the monitoring endpoints, on the run's own thread, and publishes a
// MetricsSnapshot when told to (a progress tick, a few tens of times a second at most): the HTTP
// server reads the latest snapshot and never touches the run. Per call: a cached name lookup and
// a few adds into fixed arrays; no allocation, no lock, no signal.
//
// Names: operations, breakers and bulkheads are keyed by name (in a ScenarioRun each is named
// after its operation). Bulkhead events reach it as a listener of each bulkhead (ScenarioRun
// gives them to the event log only).
//
// Threads: attach(), the sink calls and publish() on the thread that runs the simulation;
// latest() on any thread. Outlive every run attached (it listens to their primitives).
class MetricsRecorder final : public TelemetrySink
{
public:
    MetricsRecorder();
    ~MetricsRecorder() override;
    MetricsRecorder(const MetricsRecorder &) = delete;
    MetricsRecorder &operator=(const MetricsRecorder &) = delete;

    // Forgets the previous run and follows `source`: registers its operations, breakers and
    // bulkheads (so they appear with zeros). The caller makes it a sink of the run, before the
    // run starts: attachMetrics() (run/runmetrics.h) does both for a ScenarioRun.
    void attach(std::unique_ptr<MetricsSource> source);
    const MetricsSource *source() const { return m_source.get(); }
    // Builds a snapshot of the counters and of the followed run's gauges and health at its
    // current time, and makes it the latest.
    void publish();
    // The same at `now` (the end of Hystrix's window): for a recorder fed without a run.
    void publishAt(TimePoint now);
    // Any thread: the latest snapshot (an empty one before the first publish).
    MetricsSnapshotPtr latest() const;

    // TelemetrySink
    void onCallOffered(const QString &operation, std::uint64_t tag, TimePoint at) override;
    void onCallFinished(const CallReport &report) override;
    void onRetry(const RetryReport &report) override;
    void onHedge(const QString &pipeline, std::uint64_t tag, int hedge, TimePoint at) override;
    void onTimeout(
        const QString &pipeline, std::uint64_t tag, StageKind stage, Duration elapsed, TimePoint at) override;
    void onStateChange(const CircuitStateChange &change) override;
    void onCall(const CircuitCall &call) override;
    void onRejected(const QString &name, CircuitState state, TimePoint at) override;
    void onBulkheadEvent(const BulkheadEvent &event) override;

private:
    // One second of Hystrix's rolling window.
    struct OperationSlot
    {
        std::int64_t second = -1;
        MetricsSnapshot::HystrixWindow counts; // percentiles unused here
        BucketHistogram total, execute;
        Duration totalSum {}, executeSum {};
    };
    struct BulkheadSlot
    {
        std::int64_t second = -1;
        std::int64_t executed = 0, rejected = 0;
        int maxActive = 0;
    };
    struct OperationLive
    {
        MetricsSnapshot::Operation counters;
        std::array<OperationSlot, 10> slots;
    };
    struct BulkheadLive
    {
        MetricsSnapshot::Bulkhead counters;
        std::array<BulkheadSlot, 10> slots;
    };
    // Name to index, with the last name's data pinned so a pointer compare finds it again.
    struct Index
    {
        QHash<QString, int> byName;
        QString last;
        int lastIndex = -1;
    };

    int indexOf(Index &index, const QString &name, int (MetricsRecorder::*add)(const QString &));
    int addOperation(const QString &name);
    int addBreaker(const QString &name);
    int addBulkhead(const QString &name);
    OperationSlot &operationSlot(OperationLive &op, TimePoint at);
    BulkheadSlot &bulkheadSlot(BulkheadLive &bulkhead, TimePoint at);
    void listenToBulkheads();
    void reset();
    // publishAt's steps: the counters with their rolling windows ending in `second`, then the
    // followed run's live state.
    MetricsSnapshot::Operation operationAt(const OperationLive &live, std::int64_t second);
    std::int64_t windowPercentiles(const OperationLive &live, std::int64_t second,
        BucketHistogram OperationSlot::*histogram,
        std::array<std::int64_t, MetricsSnapshot::HystrixPercentiles.size()> &milliseconds);
    static MetricsSnapshot::Bulkhead bulkheadAt(const BulkheadLive &live, std::int64_t second);
    void addLiveState(MetricsSnapshot &snapshot) const;
    void addPipelineState(const Pipeline &pipeline, MetricsSnapshot &snapshot) const;

    std::unique_ptr<MetricsSource> m_source;
    std::vector<std::unique_ptr<OperationLive>> m_operations;
    std::vector<MetricsSnapshot::Breaker> m_breakers;
    std::vector<std::unique_ptr<BulkheadLive>> m_bulkheads;
    Index m_operationIndex, m_breakerIndex, m_bulkheadIndex;
    std::vector<const Bulkhead *> m_listenedBulkheads;
    std::uint64_t m_sequence = 0;
    BucketHistogram m_merged; // scratch for percentiles over the window

    mutable std::mutex m_mutex;
    MetricsSnapshotPtr m_latest;
};

} // namespace bw
