#pragma once

#include "../resilience/circuitbreaker.h"
#include "../resilience/outcome.h"
#include "../resilience/policy.h"

#include <QStringList>

#include <array>
#include <cstdint>
#include <memory>
#include <vector>

namespace bw {

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
    // The adaptive concurrency limit at the bucket's end (a coarse point: at its last fine
    // bucket's end); -1 when the operation has none.
    int concurrencyLimit = -1;

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

} // namespace bw
