#include "pareto.h"

#include <algorithm>
#include <array>

namespace bw {

namespace {

// The ranked figures, each turned so that lower is better, in the order of SweepObjective.
std::array<double, 4> costs(const SweepFigures &f)
{
    return { -f.successRate, f.amplification, f.p99Ms, f.recoveryMs };
}

} // namespace

QStringList sweepObjectiveNames()
{
    return { QStringLiteral("success"), QStringLiteral("amplification"), QStringLiteral("p99"),
        QStringLiteral("recovery") };
}

QString sweepObjectiveName(SweepObjective objective)
{
    return sweepObjectiveNames().at(int(objective));
}

std::optional<SweepObjective> sweepObjectiveFromName(QStringView name)
{
    const qsizetype index = sweepObjectiveNames().indexOf(name);
    if (index < 0)
        return std::nullopt;
    return SweepObjective(index);
}

bool dominates(const SweepFigures &a, const SweepFigures &b)
{
    const std::array<double, 4> x = costs(a), y = costs(b);
    bool better = false;
    for (std::size_t i = 0; i < x.size(); ++i) {
        if (x[i] > y[i])
            return false;
        better = better || x[i] < y[i];
    }
    return better;
}

QList<bool> paretoFront(const QList<SweepFigures> &points)
{
    QList<bool> front(points.size(), true);
    for (qsizetype i = 0; i < points.size(); ++i) {
        for (qsizetype j = 0; j < points.size() && front[i]; ++j)
            front[i] = !dominates(points[j], points[i]);
    }
    return front;
}

qsizetype bestPoint(const QList<SweepFigures> &points, SweepObjective objective)
{
    // The objective first, then the others in their order.
    const auto key = [objective](const SweepFigures &f) {
        std::array<double, 4> c = costs(f);
        std::rotate(c.begin(), c.begin() + int(objective), c.begin() + int(objective) + 1);
        return c;
    };
    qsizetype best = -1;
    for (qsizetype i = 0; i < points.size(); ++i) {
        if (best < 0 || key(points[i]) < key(points[best]))
            best = i;
    }
    return best;
}

} // namespace bw
