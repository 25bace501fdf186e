#include "sweepfigure.h"

#include "policyfields.h"

#include <cmath>

namespace bw {

double SweepFigureView::value(const SweepFigures &f) const
{
    switch (objective) {
    case SweepObjective::Success: return 100 * f.successRate;
    case SweepObjective::Amplification: return f.amplification;
    case SweepObjective::P99: return f.p99Ms;
    case SweepObjective::Recovery: return f.recoveryMs / 1000;
    }
    return 0;
}

QString SweepFigureView::text(const SweepFigures &f) const
{
    const double v = value(f);
    if (std::isinf(v))
        return QStringLiteral("not recovered");
    return QString::number(v, 'f', decimals) + u' ' + unit;
}

const SweepFigureView &sweepFigureView(SweepObjective objective)
{
    static const SweepFigureView views[] = {
        { SweepObjective::Success, QStringLiteral("Success rate"), QStringLiteral("%"), true, 2 },
        { SweepObjective::Amplification, QStringLiteral("Amplification"), QStringLiteral("requests/call"), false, 3 },
        { SweepObjective::P99, QStringLiteral("p99 latency"), QStringLiteral("ms"), false, 1 },
        { SweepObjective::Recovery, QStringLiteral("Recovery time"), QStringLiteral("s"), false, 1 },
    };
    return views[int(objective)];
}

QString sweepFieldUnit(const PolicyField &field, const PolicyConfig &policy)
{
    if (field.suffix == u" %")
        return QStringLiteral("rate, 0–1"); // the dock shows percent; files hold the fraction
    if (field.key == u"windowSize" && policy.circuitBreaker && policy.circuitBreaker->windowType == WindowType::Count)
        return QStringLiteral("calls");
    return field.suffix.trimmed();
}

QStringList sweepAxisTitles(const QStringList &keys, const PolicyConfig &policy)
{
    QStringList titles;
    for (const QString &key : keys) {
        LoadError error;
        const std::optional<SweepParameter> parameter = parseSweepParameter(key + QStringLiteral("=0"), &error);
        QString title = key;
        for (const PolicyField &f : policyFields()) {
            if (!parameter || f.path != parameter->path)
                continue;
            const QString unit = sweepFieldUnit(f, policy);
            title = f.label + QStringLiteral(" — ") + key + (unit.isEmpty() ? QString() : QStringLiteral(" (") + unit + u')');
        }
        titles.append(title);
    }
    return titles;
}

QString sweepPointText(const SweepResult &result, qsizetype point)
{
    QStringList lines { sweepSettingsText(result, point),
        QStringLiteral("Mean of %1 seed%2:").arg(result.seeds.size()).arg(result.seeds.size() == 1 ? QString() : QStringLiteral("s")) };
    for (SweepObjective o : { SweepObjective::Success, SweepObjective::Amplification, SweepObjective::P99,
             SweepObjective::Recovery }) {
        const SweepFigureView &view = sweepFigureView(o);
        lines.append(view.title + QStringLiteral(": ") + view.text(result.figures[point]));
    }
    lines.append(QStringLiteral("Wasted requests: ") + QString::number(result.figures[point].wastedRequests, 'f', 1));
    if (result.pareto[point])
        lines.append(QStringLiteral("On the Pareto front"));
    if (point == result.best)
        lines.append(QStringLiteral("Best by ") + sweepFigureView(result.objective).title.toLower());
    lines.append(QStringLiteral("Click: load this policy into the Policy dock and run it"));
    return lines.join(u'\n');
}

} // namespace bw
