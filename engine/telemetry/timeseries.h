#pragma once

#include "telemetrysink.h"

#include <QList>
#include <QMetaType>
#include <QStringList>

#include <array>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <vector>

namespace bw {

class Scheduler;

// A latency histogram for one time bucket: counts only, 32 linear sub-bins per power of two
// (values under 64 ns exact), so a percentile reported at its bin's midpoint is within 1.6 % of
// the exact value, and clamped to the bucket's min and max. A fixed array of 1,216 counters
// (4.75 KiB) covers up to 2^42 ns (73 minutes; larger values land in the last bin): record() is
// an index computation and an add, clear() and percentiles() touch only the bins used since the
// last clear. Unlike LatencyHistogram it never allocates, which is what a per-bucket reset needs.
class BucketHistogram
{
public:
    static constexpr int SubBits = 5;
    static constexpr int Sub = 1 << SubBits; // 32
    static constexpr int MaxBits = 42;
    static constexpr int Bins = (MaxBits - SubBits + 1) * Sub; // 1216

    // O(1), no allocation. Negative values count as 0.
    void record(Duration value)
    {
        const std::int64_t v = value.count() > 0 ? value.count() : 0;
        const int bin = binOf(v);
        ++m_counts[std::size_t(bin)];
        if (bin < m_low)
            m_low = bin;
        if (bin > m_high)
            m_high = bin;
        if (v < m_min)
            m_min = v;
        if (v > m_max)
            m_max = v;
        ++m_count;
    }
    void merge(const BucketHistogram &other);
    void clear(); // O(bins used)

    std::int64_t count() const { return m_count; }
    Duration min() const { return Duration(m_count ? m_min : 0); }
    Duration max() const { return Duration(m_count ? m_max : 0); }
    // Nearest rank (the smallest v with at least p % of values <= v), p in [0, 100], for
    // several ascending p in one pass over the bins used; 0 when empty.
    void percentiles(const double *p, Duration *out, int n) const;
    Duration percentile(double p) const;

    static int binOf(std::int64_t value);
    static std::int64_t binLow(int bin);
    static std::int64_t binHigh(int bin);

private:
    std::array<std::uint32_t, Bins> m_counts {};
    int m_low = Bins, m_high = -1;
    std::int64_t m_count = 0;
    std::int64_t m_min = INT64_MAX, m_max = 0;
};

// One operation (pipeline) in one bucket.
struct OperationPoint
{
    std::int64_t offered = 0;
    std::array<std::int64_t, OutcomeCount> outcomes {}; // calls that ended in the bucket
    std::int64_t attempts = 0; // operation starts of the calls that ended, first attempts included
    std::int64_t retries = 0; // retries scheduled in the bucket
    std::array<std::int64_t, StageKindCount> timeouts {}; // time limits that expired, by stage
    // Latency of the calls that ended in the bucket, whatever their outcome (what callers saw),
    // but those the run's end cut off; latencyCount says how many that is.
    Duration p50 {}, p95 {}, p99 {}, max {};
    std::int64_t latencyCount = 0;
    // A coarse point's smallest and largest per-fine-bucket figures, for min/max envelopes on
    // long spans; a fine point's are its own.
    std::int64_t minOffered = 0, maxOffered = 0, minEnded = 0, maxEnded = 0;
    Duration maxP99 {};

    std::int64_t ended() const;
    std::int64_t count(Outcome o) const { return outcomes[std::size_t(o)]; }
    std::int64_t timeoutsTotal() const;
    // attempts / ended; 0 when nothing ended.
    double attemptsPerCall() const;
};

// One circuit breaker in one bucket.
struct BreakerPoint
{
    CircuitState state = CircuitState::Closed; // at the bucket's end
    int changes = 0; // state changes in the bucket (all of them)
    std::array<Duration, CircuitStateCount> timeInState {};
    std::int64_t rejected = 0; // calls the breaker rejected
    // The breaker's own sliding window at the bucket's end, as it judges it (0..1); -1 when
    // there is no sampler. Exact: what the thresholds are compared with.
    double failureRate = -1, slowCallRate = -1;
    std::int64_t windowCalls = -1;
};

// A breaker state change, with its reason; TimeBucket::changes lists them in time order.
struct BreakerChange
{
    int breaker = 0; // index in TimeSeriesLayout::breakers
    TimePoint at {};
    CircuitState from = CircuitState::Closed, to = CircuitState::Closed;
    TransitionReason reason = TransitionReason::FailureThreshold;
};

// One bulkhead in one bucket. Limits are -1 when unknown (no sampler, or the policy dropped it).
// Peaks are the largest of the gauge samples (and of the bulkhead's events, when the recorder
// listens to them): exact with events, else at the sampling resolution.
struct BulkheadPoint
{
    int active = 0, queued = 0; // at the bucket's end
    int peakActive = 0, peakQueued = 0;
    int maxConcurrent = -1, maxQueueSize = -1;
    // Queue full, queue timeout: from the sampler's counters, else counted from events.
    std::int64_t rejected = 0, timeouts = 0;

    // 0..100, or -1 when the limit is unknown; a queue of size 0 counts as 0 % full.
    double utilizationPercent() const;
    double queuePercent() const;
};

// One backend service in one bucket, from its own counters, sampled at the bucket's end.
struct ServicePoint
{
    std::int64_t received = 0; // requests received in the bucket, retries included
    std::int64_t errorsServed = 0; // of those, answered with an error
    int inService = 0, queued = 0, capacity = 0; // at the bucket's end
    int peakInService = 0, peakQueued = 0; // the largest gauge sample in the bucket
    // Requests served to their end in the bucket (throughput), and those of them whose caller
    // had already given up (wasted work; goodput is the difference); -1 when unknown (a URL service).
    std::int64_t served = 0, wasted = -1;
};

// The names the indices of a bucket's vectors refer to. Names are only ever appended, so an
// older bucket's vectors may be shorter than the latest layout: treat a missing entry as absent.
struct TimeSeriesLayout
{
    Duration bucketWidth {};
    int coarseFactor = 1;
    QStringList operations;
    QStringList operationServices; // the service each operation calls; empty when unknown
    QStringList breakers;
    QStringList bulkheads;
    QStringList services;
};

// A completed bucket: immutable once published, shared between the recorder and snapshots.
struct TimeBucket
{
    std::int64_t seq = 0; // fine: index from the origin; coarse: index of the coarse bucket
    TimePoint start {}, end {}; // [start, end); shorter than the width only for a run's last
    int spans = 1; // fine buckets merged into it: 1 for a fine bucket
    std::vector<OperationPoint> operations;
    std::vector<BreakerPoint> breakers;
    std::vector<BreakerChange> changes; // at most Config::maxChangesPerBucket kept
    std::vector<BulkheadPoint> bulkheads;
    std::vector<ServicePoint> services;

    Duration width() const { return end - start; }
};
using TimeBucketPtr = std::shared_ptr<const TimeBucket>;

// Where a reader stopped: pass the snapshot's next cursor to the next pull.
struct TimeSeriesCursor
{
    std::uint64_t generation = 0;
    std::int64_t next = 0; // the first fine seq not yet taken
};

// What a reader gets: the fine buckets completed since its cursor, and with snapshot() the bucket
// in progress. Copying one is a few reference counts: buckets are shared, never copied.
struct TimeSeriesSnapshot
{
    std::uint64_t generation = 0;
    // The recorder was reset (a restart) since the cursor's pull: drop what you kept.
    bool reset = false;
    // Buckets after the cursor had already left the ring (the reader fell behind by more than
    // recentCapacity buckets): the series has a hole before buckets.first().
    bool gap = false;
    std::shared_ptr<const TimeSeriesLayout> layout;
    QList<TimeBucketPtr> buckets; // oldest first, consecutive seq
    TimeBucketPtr current; // the bucket in progress (partial figures), or null
    TimeSeriesCursor next;
};

// Aggregates a run per fixed bucket of virtual time for the charts: per operation the calls
// offered, ended by outcome (all 8), attempts, retries, timeouts by stage and latency p50/p95/p99;
// per breaker its state, time in state and changes with reasons; per bulkhead active and queued
// (end and peak) against its limits; per service requests received, in service, queued and
// capacity. Attach it to a ScenarioRun (addSink) or any pipeline, breaker and bulkhead.
//
// Gauges (a bulkhead's occupancy and limits, a backend's counters) come from samplers the wiring
// code registers: std::functions called on the recording thread, so telemetry knows nothing of
// engine/sim. With attach(), a timer on the scheduler closes each bucket at its exact boundary,
// with or without traffic, and samples the gauges gaugeSamplesPerBucket times per bucket for
// their peaks: a fixed cost per unit of virtual time, not per call. Bulkhead events (several
// per call) are optional: listen to them (Bulkhead::addListener) for exact peaks, at ~25 ns a
// call. Without attach(), buckets close on the first event past a boundary, sampled once.
//
// Memory is bounded whatever the run length: the newest recentCapacity fine buckets, plus
// coarseCapacity coarse buckets (coarseFactor fine buckets each, with exact sums, percentiles
// from merged histograms, and per-fine-bucket min/max), the oldest dropped first. With the
// defaults (1 s, 3600 fine, 60 s × 1440 coarse: the last hour in seconds, the last day in
// minutes) a bucket costs ~350 B per operation, so 10 operations hold ~19 MiB at most. Live
// state is two BucketHistograms per operation. Long-span decimation for the screen (min/max per
// pixel column) stays in the GUI's own rings; the coarse tier serves CSV and late viewers.
//
// Per call: a pointer comparison to find the operation (names are resolved once and cached by
// the QString's data pointer), a time check, a few adds; no allocation, no lock, no signal.
//
// Threads: events, registration, attach/finish/reset and snapshot() on the thread that runs the
// scheduler (the recording thread); takeSince(), recent(), coarse(), layout() and writeCsv() on
// any thread (a mutex guards completed buckets, taken once per bucket, never per call).
class TimeSeriesRecorder final : public TelemetrySink
{
public:
    struct Config
    {
        Duration bucketWidth = std::chrono::seconds(1);
        int recentCapacity = 3600; // fine buckets kept; at least coarseFactor
        int coarseFactor = 60; // fine buckets per coarse bucket
        int coarseCapacity = 1440; // coarse buckets kept
        int maxChangesPerBucket = 64; // breaker changes listed per bucket (all are counted)
        int gaugeSamplesPerBucket = 10; // with attach(): gauge samples per bucket, for peaks
        TimePoint origin {}; // buckets are aligned to it
    };

    struct BulkheadSample
    {
        int active = 0, queued = 0, maxConcurrent = 0, maxQueueSize = 0;
        std::int64_t rejected = 0, timeouts = 0; // cumulative; a drop means a new bulkhead
    };
    // nullopt while the bulkhead does not exist (a policy without one).
    using BulkheadSampler = std::function<std::optional<BulkheadSample>()>;
    struct ServiceSample
    {
        std::int64_t received = 0, errorsServed = 0; // cumulative
        int inService = 0, queued = 0, capacity = 0;
        std::int64_t served = 0, wasted = -1; // cumulative; wasted -1: unknown (ServicePoint)
    };
    using ServiceSampler = std::function<ServiceSample()>;
    struct BreakerSample
    {
        double failureRate = 0, slowCallRate = 0; // over the breaker's window, 0..1
        std::int64_t windowCalls = 0;
    };
    // nullopt while the breaker does not exist (a policy without one). Sampled once per bucket.
    using BreakerSampler = std::function<std::optional<BreakerSample>()>;

    explicit TimeSeriesRecorder(Config config);
    TimeSeriesRecorder()
        : TimeSeriesRecorder(Config {})
    { }
    ~TimeSeriesRecorder() override;
    TimeSeriesRecorder(const TimeSeriesRecorder &) = delete;
    TimeSeriesRecorder &operator=(const TimeSeriesRecorder &) = delete;

    const Config &config() const { return m_config; }

    // Registration makes a series appear (with zeros) before anything happens to it; events for
    // names never registered register them on first sight. Each returns the index, the existing
    // one when the name is known (a sampler given then replaces the old one).
    int addOperation(const QString &name, const QString &service = {});
    int addBreaker(const QString &name, CircuitState initial = CircuitState::Closed, BreakerSampler sampler = {});
    int addBulkhead(const QString &name, BulkheadSampler sampler = {});
    int addService(const QString &name, ServiceSampler sampler);

    // Closes each bucket at its boundary with a timer on `scheduler`, up to `end` (see setEnd).
    // Call detach() before the scheduler goes away.
    void attach(Scheduler &scheduler, TimePoint end = TimePoint::max());
    void detach();
    // Events at or after `end` count in the bucket that holds `end` (a run's final cancellations).
    // When attached, the gauges are read at `end` before anything else that happens then, and
    // keep those values: the last bucket shows the state the run ended in, not its teardown.
    void setEnd(TimePoint end);
    // Closes every bucket that ends at or before `now` (for drivers that do not attach()).
    void advanceTo(TimePoint now);
    // Closes the run at `end`: the bucket in progress (partial when `end` is not on a boundary)
    // and the coarse bucket in progress. Later events are ignored until reset().
    void finish(TimePoint end);
    bool isFinished() const { return m_finished; }
    // Forgets everything (names included) and starts a new generation, for a restarted run.
    void reset();

    // Any thread: the fine buckets completed after `cursor`, without the bucket in progress.
    // O(new buckets).
    TimeSeriesSnapshot takeSince(const TimeSeriesCursor &cursor) const;
    // Recording thread: the same plus the bucket in progress as it stands (percentiles computed
    // now, O(bins used) per operation), for a live chart's last point.
    TimeSeriesSnapshot snapshot(const TimeSeriesCursor &cursor) const;
    QList<TimeBucketPtr> recent() const;
    QList<TimeBucketPtr> coarse() const;
    std::shared_ptr<const TimeSeriesLayout> layout() const;
    std::uint64_t generation() const;

    // The whole recorded series as CSV, one row per bucket and operation: coarse rows for the
    // span the fine ring no longer holds, then fine rows, in time order. Columns:
    //   start_ms, end_ms                  the bucket, in virtual milliseconds
    //   operation
    //   offered, <8 outcomes>             success, fallback, failure, timeout, circuit_open,
    //                                     bulkhead_full, bulkhead_timeout, cancelled: calls ended
    //   attempts, retries, timeouts       timeouts: time limits expired, all stages
    //   latency_p50_ms .. latency_max_ms  p50, p95, p99, max; empty when no call ended (but cut off)
    //   breaker_state, breaker_changes    the breaker named after the operation; empty if none
    //   bulkhead_active, bulkhead_peak_active, bulkhead_max_concurrent, bulkhead_queued,
    //   bulkhead_peak_queued, bulkhead_max_queue_size   the bulkhead named after the operation
    //   service, service_received, service_in_service, service_queued, service_capacity,
    //   service_served, service_wasted    the service the operation calls (addOperation);
    //                                     service_wasted empty when unknown (a URL service)
    // Milliseconds carry at most three decimals. Any thread.
    QByteArray toCsv() const;
    // Through an AtomicFile: the file appears complete or not at all.
    bool writeCsv(const QString &path, QString *error) const;
    static QByteArray csvHeader();

    // TelemetrySink
    void onCallOffered(const QString &operation, std::uint64_t tag, TimePoint at) override;
    void onCallFinished(const CallReport &report) override;
    void onRetry(const RetryReport &report) override;
    void onTimeout(
        const QString &pipeline, std::uint64_t tag, StageKind stage, Duration elapsed, TimePoint at) override;
    void onStateChange(const CircuitStateChange &change) override;
    void onRejected(const QString &name, CircuitState state, TimePoint at) override;
    void onBulkheadEvent(const BulkheadEvent &event) override;

private:
    // Names to indices, by the QString's data pointer first. Each alias keeps a copy of the
    // string, which pins its data, so an address can never come back as another name's.
    struct NameCache
    {
        const QChar *lastData = nullptr;
        int lastIndex = -1;
        std::vector<std::pair<QString, int>> aliases;
        void clear();
    };
    enum class Kind : std::uint8_t
    {
        Operation,
        Breaker,
        Bulkhead
    };

    struct OperationLive
    {
        OperationPoint point;
        BucketHistogram latency;
        BucketHistogram coarseLatency;
    };
    struct BreakerLive
    {
        BreakerSampler sampler;
        BreakerPoint point;
        CircuitState state = CircuitState::Closed;
        TimePoint since {};
    };
    struct BulkheadLive
    {
        BulkheadPoint point;
        BulkheadSampler sampler;
        std::int64_t lastRejected = 0, lastTimeouts = 0; // the sampler's counters at the last close
    };
    struct ServiceLive
    {
        ServicePoint point;
        ServiceSampler sampler;
        std::int64_t lastReceived = 0, lastErrors = 0;
        std::int64_t lastServed = 0, lastWasted = 0;
    };

    // The bucket holding `at`: closes the earlier ones first. Inline: one compare per event.
    void reach(TimePoint at)
    {
        if (at >= m_rollAt) [[unlikely]]
            roll(at);
    }
    void roll(TimePoint at);
    int index(NameCache &cache, Kind kind, const QString &name)
    {
        if (name.constData() == cache.lastData) [[likely]]
            return cache.lastIndex;
        return resolve(cache, kind, name);
    }
    int resolve(NameCache &cache, Kind kind, const QString &name);
    void layoutChanged();
    void updateRollAt();
    // The next gauge sample or boundary after `t`; TimePoint::max() when none is due before the end.
    TimePoint nextTick(TimePoint t) const;
    void scheduleTick(TimePoint after);
    void onTick();
    void sampleGauges();
    void freezeGauges();
    void closeBucket(TimePoint end);
    void closeCoarse();
    // `counters`, when given, receives each bulkhead sampler's cumulative (rejected, timeouts).
    TimeBucket liveBucket(TimePoint end,
        std::vector<std::pair<std::int64_t, std::int64_t>> *counters
        = nullptr) const; // samples gauges, does not change state
    void fillOperation(OperationPoint &p, const BucketHistogram &latency) const;
    void resetLive();

    Config m_config;

    // Recording thread only.
    std::vector<OperationLive> m_operations;
    std::vector<BreakerLive> m_breakers;
    std::vector<BulkheadLive> m_bulkheads;
    std::vector<ServiceLive> m_services;
    std::vector<BreakerChange> m_changes;
    QStringList m_operationNames, m_operationServices, m_breakerNames, m_bulkheadNames, m_serviceNames;
    NameCache m_offeredCache, m_pipelineCache, m_breakerCache, m_bulkheadCache;
    std::int64_t m_seq = 0;
    TimePoint m_start {}, m_end {}; // the bucket in progress
    TimePoint m_runEnd = TimePoint::max();
    TimePoint m_rollAt {};
    bool m_finished = false;
    Scheduler *m_scheduler = nullptr;
    std::uint64_t m_boundaryTimer = 0;
    Duration m_sampleStep {};
    TimeBucket m_coarse; // the coarse bucket in progress (spans == 0 when empty)

    // Shared with readers, under m_mutex.
    mutable std::mutex m_mutex;
    std::uint64_t m_generation = 1;
    std::int64_t m_published = 0; // fine buckets completed, so the next one's seq
    std::shared_ptr<const TimeSeriesLayout> m_layout;
    std::vector<TimeBucketPtr> m_recent; // a ring of recentCapacity
    std::size_t m_recentHead = 0; // index of the oldest when full
    std::vector<TimeBucketPtr> m_coarseRing;
    std::size_t m_coarseHead = 0;
};

} // namespace bw

Q_DECLARE_METATYPE(bw::TimeSeriesSnapshot)
