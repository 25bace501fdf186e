#include "sweep.h"

#include "../runtime/parallelfor.h"

#include <QJsonArray>
#include <QLocale>

#include <algorithm>
#include <cmath>
#include <iterator>
#include <limits>
#include <mutex>

namespace bw {

namespace {

// Shortest text that reads back as the same double: the CSV loses nothing the JSON keeps.
QString exact(double value)
{
    return QString::number(value, 'g', QLocale::FloatingPointShortest);
}

QJsonObject pointJson(const SweepResult &result, qsizetype point)
{
    QJsonObject settings;
    for (qsizetype k = 0; k < result.keys.size(); ++k)
        settings.insert(result.keys[k], result.settings[point][k]);
    const SweepFigures &f = result.figures[point];
    return QJsonObject {
        { QStringLiteral("settings"), settings },
        { QStringLiteral("successRate"), f.successRate },
        { QStringLiteral("amplification"), f.amplification },
        { QStringLiteral("p99Ms"), f.p99Ms },
        { QStringLiteral("recoveryMs"), std::isinf(f.recoveryMs) ? QJsonValue(QJsonValue::Null) : QJsonValue(f.recoveryMs) },
        { QStringLiteral("wastedRequests"), f.wastedRequests },
        { QStringLiteral("pareto"), bool(result.pareto[point]) },
    };
}

QString recoveryText(double ms)
{
    return std::isinf(ms) ? QStringLiteral("not recovered") : QString::number(ms, 'f', 0);
}

// A table: the first row the header, numbers right-aligned under it.
QString tableText(const QList<QStringList> &rows)
{
    QList<qsizetype> widths(rows.constFirst().size(), 0);
    for (const QStringList &row : rows)
        for (qsizetype c = 0; c < row.size(); ++c)
            widths[c] = std::max(widths[c], row[c].size());
    QString text;
    for (const QStringList &row : rows) {
        QStringList cells;
        for (qsizetype c = 0; c < row.size(); ++c)
            cells.append(row[c].rightJustified(widths[c]));
        text += QStringLiteral("  ") + cells.join(QStringLiteral("  ")) + u'\n';
    }
    return text;
}

} // namespace

QString sweepSettingsText(const SweepResult &result, qsizetype point)
{
    QStringList parts;
    for (qsizetype k = 0; k < result.keys.size(); ++k)
        parts.append(result.keys[k] + u'=' + QString::number(result.settings[point][k], 'g', 12));
    return parts.join(u' ');
}

QList<std::uint64_t> sweepSeeds(std::uint64_t first, int count)
{
    QList<std::uint64_t> seeds;
    for (int i = 0; i < count; ++i)
        seeds.append(first + std::uint64_t(i));
    return seeds;
}

std::optional<QList<PolicyConfig>> sweepPolicies(const SweepPlan &plan, LoadError *error)
{
    const auto op = std::find_if(plan.scenario.operations.cbegin(), plan.scenario.operations.cend(),
        [&](const OperationConfig &o) { return o.name == plan.operation; });
    if (op == plan.scenario.operations.cend()) {
        QString message; // worded as compare words it: "unknown operation 'x'; did you mean 'y'?"
        withCandidate(plan.scenario, Candidate { QString(), PolicyConfig {}, plan.operation }, &message);
        *error = LoadError { QStringLiteral("--operation"), 0, 0, QString(), message };
        return std::nullopt;
    }
    QList<PolicyConfig> policies;
    for (qsizetype point = 0; point < qsizetype(plan.grid.size()); ++point) {
        std::optional<PolicyConfig> policy = plan.grid.policyAt(op->policy, point, error);
        if (!policy)
            return std::nullopt;
        policies.append(std::move(*policy));
    }
    return policies;
}

SweepFigures sweepFigures(const CandidateMetrics &metrics)
{
    const std::optional<Duration> recovery = metrics.total.worstRecovery();
    return SweepFigures { metrics.total.successRate, metrics.total.amplification, toMs(metrics.total.p99),
        recovery ? toMs(*recovery) : std::numeric_limits<double>::infinity(), double(metrics.wastedRequests) };
}

SweepFigures meanFigures(const QList<SweepFigures> &runs)
{
    SweepFigures mean;
    for (const SweepFigures &f : runs) {
        mean.successRate += f.successRate;
        mean.amplification += f.amplification;
        mean.p99Ms += f.p99Ms;
        mean.recoveryMs += f.recoveryMs; // infinity stays
        mean.wastedRequests += f.wastedRequests;
    }
    const double n = double(std::max<qsizetype>(1, runs.size()));
    return SweepFigures { mean.successRate / n, mean.amplification / n, mean.p99Ms / n, mean.recoveryMs / n,
        mean.wastedRequests / n };
}

QList<SweepFigures> runSweep(const SweepPlan &plan, const QList<PolicyConfig> &policies, int threads,
    const std::function<void(qsizetype done, qsizetype total)> &progress, std::stop_token stop)
{
    const qsizetype seeds = plan.seeds.size();
    const qsizetype total = policies.size() * seeds;
    QList<SweepFigures> runs(total);
    std::mutex reporting;
    qsizetype done = 0;
    parallelFor(int(total), threads, [&](int r) {
        if (stop.stop_requested())
            return;
        const PolicyConfig &policy = policies[r / seeds];
        runs[r] = sweepFigures(
            runCandidate(plan.scenario, Candidate { policy.name, policy, plan.operation }, plan.seeds[r % seeds]));
        if (progress) {
            const std::lock_guard lock(reporting);
            progress(++done, total);
        }
    });
    if (stop.stop_requested())
        return {};
    return runs;
}

SweepResult sweepResult(const SweepPlan &plan, const QList<SweepFigures> &runs, SweepObjective objective)
{
    SweepResult result;
    result.scenario = plan.scenario.name;
    result.operation = plan.operation;
    result.seeds = plan.seeds;
    result.keys = plan.grid.keys();
    const qsizetype seeds = plan.seeds.size();
    for (qsizetype point = 0; point * seeds < runs.size(); ++point) {
        result.settings.append(plan.grid.settings(point));
        result.figures.append(meanFigures(runs.mid(point * seeds, seeds)));
    }
    result.pareto = paretoFront(result.figures);
    result.objective = objective;
    result.best = bestPoint(result.figures, objective);
    return result;
}

QByteArray sweepCsv(const SweepResult &result)
{
    QStringList header = result.keys;
    header << QStringLiteral("successRate") << QStringLiteral("amplification") << QStringLiteral("p99Ms")
           << QStringLiteral("recoveryMs") << QStringLiteral("wastedRequests") << QStringLiteral("pareto");
    QString csv = header.join(u',') + u'\n';
    for (qsizetype point = 0; point < result.figures.size(); ++point) {
        QStringList row;
        for (double value : result.settings[point])
            row.append(exact(value));
        const SweepFigures &f = result.figures[point];
        row << exact(f.successRate) << exact(f.amplification) << exact(f.p99Ms)
            << (std::isinf(f.recoveryMs) ? QString() : exact(f.recoveryMs)) << exact(f.wastedRequests)
            << (result.pareto[point] ? QStringLiteral("1") : QStringLiteral("0"));
        csv += row.join(u',') + u'\n';
    }
    return csv.toUtf8();
}

QJsonObject sweepJson(const SweepResult &result)
{
    QJsonArray points, seeds;
    for (qsizetype point = 0; point < result.figures.size(); ++point)
        points.append(pointJson(result, point));
    for (std::uint64_t seed : result.seeds)
        seeds.append(double(seed));
    QJsonObject json {
        { QStringLiteral("scenario"), result.scenario },
        { QStringLiteral("operation"), result.operation },
        { QStringLiteral("seeds"), seeds },
        { QStringLiteral("objective"), sweepObjectiveName(result.objective) },
        { QStringLiteral("points"), points },
    };
    if (result.best >= 0)
        json.insert(QStringLiteral("best"), pointJson(result, result.best));
    return json;
}

std::optional<SweepFigures> figuresFromJson(const QJsonObject &point)
{
    const QJsonValue recovery = point.value(QStringLiteral("recoveryMs"));
    SweepFigures f;
    double *const figures[] = { &f.successRate, &f.amplification, &f.p99Ms, &f.wastedRequests };
    const char *const keys[] = { "successRate", "amplification", "p99Ms", "wastedRequests" };
    for (std::size_t i = 0; i < std::size(keys); ++i) {
        const QJsonValue v = point.value(QLatin1StringView(keys[i]));
        if (!v.isDouble())
            return std::nullopt;
        *figures[i] = v.toDouble();
    }
    if (!recovery.isDouble() && !recovery.isNull())
        return std::nullopt;
    f.recoveryMs = recovery.isNull() ? std::numeric_limits<double>::infinity() : recovery.toDouble();
    return f;
}

QList<QStringList> paretoRows(const SweepResult &result)
{
    QList<QStringList> rows;
    rows.append(result.keys
        + QStringList { QStringLiteral("success"), QStringLiteral("amplification"), QStringLiteral("p99 ms"),
            QStringLiteral("recovery ms"), QStringLiteral("wasted") });
    for (qsizetype point = 0; point < result.figures.size(); ++point) {
        if (!result.pareto[point])
            continue;
        QStringList row;
        for (double value : result.settings[point])
            row.append(QString::number(value, 'g', 12));
        const SweepFigures &f = result.figures[point];
        row << QString::number(100 * f.successRate, 'f', 2) + QStringLiteral(" %")
            << QString::number(f.amplification, 'f', 3) << QString::number(f.p99Ms, 'f', 1)
            << recoveryText(f.recoveryMs) << QString::number(f.wastedRequests, 'f', 1);
        rows.append(row);
    }
    return rows;
}

QString sweepTable(const SweepResult &result)
{
    const qsizetype points = result.figures.size();
    const qsizetype onFront = result.pareto.count(true);
    QString text = QStringLiteral("%1, operation %2: %3 points × %4 seeds (%5 runs)\n\n")
                       .arg(result.scenario, result.operation)
                       .arg(points)
                       .arg(result.seeds.size())
                       .arg(points * result.seeds.size());
    text += QStringLiteral("Pareto front: %1 of %2 points (success ↑, amplification ↓, p99 ↓, recovery ↓)\n")
                .arg(onFront)
                .arg(points);
    text += tableText(paretoRows(result));
    if (result.best >= 0) {
        const SweepFigures &f = result.figures[result.best];
        text += QStringLiteral("\nBest by %1: %2\n  success %3 %, amplification %4, p99 %5 ms, recovery %6\n")
                    .arg(sweepObjectiveName(result.objective), sweepSettingsText(result, result.best),
                        QString::number(100 * f.successRate, 'f', 2), QString::number(f.amplification, 'f', 3),
                        QString::number(f.p99Ms, 'f', 1),
                        recoveryText(f.recoveryMs) + (std::isinf(f.recoveryMs) ? QString() : QStringLiteral(" ms")));
    }
    return text;
}

} // namespace bw
