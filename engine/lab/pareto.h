#pragma once

#include <QList>
#include <QStringList>

#include <cstdint>
#include <optional>

namespace bw {

// What a sweep ranks its points by (docs/formats.md, "Sweep"): one run's figures, or their means
// over a point's seeds.
struct SweepFigures
{
    double successRate = 0; // higher is better: (successes + fallbacks) / offered
    double amplification = 0; // lower is better: backend requests per offered call
    double p99Ms = 0; // lower is better
    double recoveryMs = 0; // lower is better; infinity: not recovered before the run's end
    double wastedRequests = 0; // not ranked: requests served after their caller gave up

    friend bool operator==(const SweepFigures &, const SweepFigures &) = default;
};

// The figure a sweep's best point is chosen by.
enum class SweepObjective : std::uint8_t { Success, Amplification, P99, Recovery };
QStringList sweepObjectiveNames(); // "success", "amplification", "p99", "recovery"
QString sweepObjectiveName(SweepObjective objective);
std::optional<SweepObjective> sweepObjectiveFromName(QStringView name);

// True when `a` is at least as good as `b` on all four ranked figures and better on one.
bool dominates(const SweepFigures &a, const SweepFigures &b);

// For each point, whether it is on the Pareto front: no other point dominates it. Points with
// equal figures do not dominate each other, so duplicates are on the front together. O(n²).
QList<bool> paretoFront(const QList<SweepFigures> &points);

// The index of the best point by `objective`; a tie goes to the better on the other ranked
// figures in the order of SweepObjective, then to the earlier point, so the best is on the front.
// -1 when there are no points.
qsizetype bestPoint(const QList<SweepFigures> &points, SweepObjective objective);

} // namespace bw
