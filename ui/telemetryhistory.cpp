#include "telemetryhistory.h"

namespace bw {

namespace {
const std::shared_ptr<const TimeSeriesLayout> &emptyLayout()
{
    static const auto layout = std::make_shared<const TimeSeriesLayout>();
    return layout;
}
} // namespace

TelemetryHistory::TelemetryHistory(qsizetype capacity)
    : m_buckets(capacity)
    , m_layout(emptyLayout())
{ }

void TelemetryHistory::clear()
{
    m_buckets.clear();
    m_current.reset();
    m_rejected.clear();
    m_layout = emptyLayout();
    m_now = m_end = TimePoint {};
    m_state = RunProgress::State::Idle;
}

bool TelemetryHistory::ingest(const RunProgress &progress)
{
    const bool moved = progress.now != m_now || progress.state != m_state;
    if (progress.series.reset || progress.series.generation != m_generation) {
        m_buckets.clear();
        m_rejected.clear();
        m_current.reset();
    }
    m_generation = progress.series.generation;
    m_state = progress.state;
    m_now = progress.now;
    m_end = progress.end;
    if (progress.series.layout)
        m_layout = progress.series.layout;
    for (const TimeBucketPtr &b : progress.series.buckets) {
        if (m_rejected.size() < b->breakers.size())
            m_rejected.resize(b->breakers.size(), 0);
        for (std::size_t i = 0; i < b->breakers.size(); ++i)
            m_rejected[i] += b->breakers[i].rejected;
        m_buckets.push(b);
    }
    // None once the run has finished: its last bucket is then the latest, not the bucket that
    // was in progress at the previous report.
    m_current = progress.series.current;
    return moved || !progress.series.buckets.isEmpty() || progress.series.reset;
}

std::vector<BreakerRow> TelemetryHistory::breakerRows() const
{
    const TimeSeriesLayout &layout = *m_layout;
    std::vector<BreakerRow> rows(std::size_t(layout.breakers.size()));
    const TimeBucketPtr latest = m_current ? m_current : (m_buckets.isEmpty() ? nullptr : m_buckets.last());
    for (std::size_t i = 0; i < rows.size(); ++i) {
        BreakerRow &row = rows[i];
        row.name = layout.breakers.at(qsizetype(i));
        if (latest && i < latest->breakers.size())
            row.state = latest->breakers[i].state;
        row.rejected = i < m_rejected.size() ? m_rejected[i] : 0;
        if (m_current && i < m_current->breakers.size())
            row.rejected += m_current->breakers[i].rejected;
        if (latest && i < latest->breakers.size() && latest->breakers[i].windowCalls >= 0) {
            const BreakerPoint &p = latest->breakers[i];
            row.callsInWindow = p.windowCalls;
            row.failureRate = 100.0 * p.failureRate;
            row.slowCallRate = 100.0 * p.slowCallRate;
        }
    }
    return rows;
}

HealthStatus TelemetryHistory::health() const
{
    HealthStatus status;
    for (const BreakerRow &row : breakerRows()) {
        BreakerHealth h;
        h.name = row.name;
        h.state = row.state;
        h.healthy = row.state == CircuitState::Closed || row.state == CircuitState::Disabled
            || row.state == CircuitState::MetricsOnly;
        status.circuitBreakers.breakers.append(h);
    }
    const TimeBucketPtr latest = m_current ? m_current : (m_buckets.isEmpty() ? nullptr : m_buckets.last());
    if (latest) {
        for (std::size_t i = 0; i < latest->bulkheads.size(); ++i) {
            const BulkheadPoint &p = latest->bulkheads[i];
            if (p.maxConcurrent < 0)
                continue;
            BulkheadHealth h;
            h.name = m_layout->bulkheads.value(qsizetype(i));
            h.maxConcurrent = p.maxConcurrent;
            h.maxQueueSize = p.maxQueueSize;
            h.utilizationPercent = std::max(0.0, p.utilizationPercent());
            // Queued ≥ 80 % of maxQueueSize, as docs/semantics.md defines congestion.
            h.congested = p.maxQueueSize > 0 && p.queued * 5 >= p.maxQueueSize * 4;
            status.bulkheads.append(h);
        }
    }
    summarize(status);
    return status;
}

} // namespace bw
