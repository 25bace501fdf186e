#pragma once

#include "buckethistogram.h"
#include "telemetrysink.h"
#include "timebucket.h"
#include "timebucketring.h"

#include <QList>
#include <QMetaType>
#include <QStringList>

#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <vector>

namespace bw {

class Scheduler;

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
// offered, ended by outcome (one count each), attempts, retries, timeouts by stage and latency p50/p95/p99;
// per breaker its state, time in state and changes with reasons; per bulkhead active and queued
// (end and peak) against its limits; per service requests received, in service, queued and
// capacity. Attach it to a ScenarioRun (addSink) or any pipeline, breaker and bulkhead.
//
// Gauges (a bulkhead's occupancy and limits, a backend's counters) come from samplers the wiring
// code registers: std::functions called on the recording thread, so telemetry knows nothing of
// the run layer. With attach(), a timer on the scheduler closes each bucket at its exact boundary,
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
    // An operation's adaptive concurrency limit; nullopt while it has none. Sampled once per bucket.
    using LimitSampler = std::function<std::optional<int>()>;

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
    int addOperation(const QString &name, const QString &service = {}, LimitSampler limit = {});
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

    // The whole recorded series as CSV (timeSeriesCsv): coarse rows for the span the fine ring
    // no longer holds, then fine rows. Any thread.
    QByteArray toCsv() const;
    // Through an AtomicFile: the file appears complete or not at all.
    bool writeCsv(const QString &path, QString *error) const;

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
        LimitSampler limit;
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
    // A bulkhead sampler's cumulative counters when a bucket closed (0 without one).
    struct BulkheadCounters
    {
        std::int64_t rejected = 0, timeouts = 0;
    };
    // Completes the bucket in progress at `end`, publishes it, adds it to the coarse tier and
    // starts the next one.
    void closeBucket(TimePoint end);
    // The next bucket starts from the state `closed` ended in: gauges carried over, counts zeroed.
    void carryOver(const TimeBucket &closed, const std::vector<BulkheadCounters> &counters);
    void publish(TimeBucketPtr bucket);
    void closeCoarse();
    // The bucket in progress as it stands at `end`: samples the gauges, does not change state.
    // `counters`, when given, receives each bulkhead's.
    TimeBucket liveBucket(TimePoint end, std::vector<BulkheadCounters> *counters = nullptr) const;
    OperationPoint operationPoint(const OperationLive &o) const;
    BreakerPoint breakerPoint(const BreakerLive &l, TimePoint end) const;
    BulkheadPoint bulkheadPoint(const BulkheadLive &l, BulkheadCounters &counters) const;
    ServicePoint servicePoint(const ServiceLive &l) const;
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
    TimeBucketRing m_recent; // recentCapacity fine buckets
    TimeBucketRing m_coarseRing; // coarseCapacity coarse buckets
};

} // namespace bw

Q_DECLARE_METATYPE(bw::TimeSeriesSnapshot)
