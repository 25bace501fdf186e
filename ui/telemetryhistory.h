#pragma once

#include "ringbuffer.h"

#include "resilience/health.h"
#include "run/scenariorunner.h"

#include <QList>
#include <QString>

#include <memory>
#include <vector>

namespace bw {

// Figures for one breaker row, derived from the snapshots only (never from live engine objects).
struct BreakerRow
{
    QString name;
    CircuitState state = CircuitState::Closed;
    // The breaker's own sliding window at the latest bucket, as its thresholds see it, in
    // percent; -1 when unknown (no breaker sampler).
    double failureRate = -1, slowCallRate = -1;
    std::int64_t callsInWindow = 0;
    std::int64_t rejected = 0; // since the run started (or the history's oldest bucket, after a gap)
};

// The GUI's copy of the run's telemetry: the newest `capacity` completed buckets (10 minutes at
// 1 s by default) in a ring, the layout, and the run's position. Fed from RunProgress on the GUI
// thread; every chart and model reads from here.
class TelemetryHistory
{
public:
    explicit TelemetryHistory(qsizetype capacity = 600);

    // Appends the progress's buckets (dropping everything on a reset). True when something changed.
    bool ingest(const RunProgress &progress);
    void clear();

    const RingBuffer<TimeBucketPtr> &buckets() const { return m_buckets; }
    const TimeSeriesLayout &layout() const { return *m_layout; }
    // The bucket in progress as of the last progress (partial figures), or null.
    const TimeBucketPtr &current() const { return m_current; }
    RunProgress::State state() const { return m_state; }
    TimePoint now() const { return m_now; }
    TimePoint end() const { return m_end; }
    std::uint64_t generation() const { return m_generation; }

    std::vector<BreakerRow> breakerRows() const;
    // The guide's health summary from the latest figures: open breakers, congested bulkheads.
    HealthStatus health() const;

private:
    RingBuffer<TimeBucketPtr> m_buckets;
    std::shared_ptr<const TimeSeriesLayout> m_layout;
    TimeBucketPtr m_current;
    std::vector<std::int64_t> m_rejected; // per breaker, cumulative
    RunProgress::State m_state = RunProgress::State::Idle;
    TimePoint m_now {}, m_end {};
    std::uint64_t m_generation = 0;
};

} // namespace bw
