#pragma once

#include "telemetryhistory.h"

#include <QList>
#include <QPointF>

#include <array>

namespace bw {

// The span of the dashboard's shared time axis, in seconds.
struct TimeWindow
{
    double from = 0, to = 60;
    friend bool operator==(const TimeWindow &, const TimeWindow &) = default;
};

// The points of every dashboard series, x in seconds at each point's first bucket's start.
struct ChartPoints
{
    // Stacked: each outcome's upper edge, the previous outcome's edge plus its own calls/s.
    std::array<QList<QPointF>, OutcomeCount> outcomes;
    QList<QPointF> retries, attemptsPerCall, timeouts;
    QList<QPointF> activePercent, queuedPercent; // 0 where no bulkhead is in sight
    QList<QPointF> p50, p95, p99; // only where calls ended
    QList<QPointF> received, served, inService, capacity;
    QList<QPointF> goodput; // only where every service's wasted work is known
    // The adaptive concurrency limits of the operations shown, summed, at each span's end; only
    // where one is on.
    QList<QPointF> concurrencyLimit;
    bool hasBulkhead = false; // a shown point had a bulkhead behind it
};

// The whole run when the history can hold it (0–60 s before it has an end), else the newest
// span the history holds, moved a tenth of its width at a time so that the axes stand still
// between steps (no re-layout of axis labels and no second geometry pass per series).
TimeWindow visibleWindow(const TelemetryHistory &history);

// The history's buckets that start in `window`, merged k at a time into at most `maxPoints`
// points (painting costs per point, and a plot a few hundred pixels wide shows no more), for
// `operation` ("" for all of them). Rates stay exact: sums over the merged span divided by its
// width. Latency, bulkhead occupancy, in-service and capacity keep the span's worst; for all
// operations latency is the worst operation's (percentiles do not add up), the bulkhead the
// busiest one and the services summed.
ChartPoints chartPoints(
    const TelemetryHistory &history, const TimeWindow &window, const QString &operation, qsizetype maxPoints);

// The share of calls that got a good answer (success or fallback) among those that ended, in
// percent, at each point where calls ended: the Compare mode's headline series.
QList<QPointF> successPercent(const ChartPoints &points);

} // namespace bw
