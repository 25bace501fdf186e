#include "comparison.h"

#include "../resilience/policywriter.h"
#include "../runtime/statistics.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <array>
#include <cmath>
#include <functional>
#include <limits>

namespace bw {

namespace {

// How a figure reads, and which way is better (docs/semantics.md, "Policy lab").
enum class Better
{
    Higher,
    Lower,
    Neither // time in OPEN: more protects the backend, less serves more calls
};
enum class Unit
{
    Count,
    Share, // 0..1, shown as a percentage
    Ratio,
    Milliseconds,
    Load // × capacity
};

// One figure as a table, its JSON key and its rows: an operation or a service each, and the
// total. A value is nullopt where it does not exist (a recovery that never came).
struct Figure
{
    QString key, label;
    Better better = Better::Lower;
    Unit unit = Unit::Count;
    // Failed calls of one outcome: under "failed" in JSON, left out of the table when all 0.
    bool failedCalls = false;
    using Value = std::function<std::optional<double>(const CandidateMetrics &)>;
    QList<std::pair<QString, Value>> rows;
    Value total;
};

std::optional<double> milliseconds(std::optional<Duration> d)
{
    return d ? std::optional<double>(toMs(*d)) : std::nullopt;
}

// The outcomes of failed calls: all but success and fallback.
constexpr auto FailedOutcomes = [] {
    std::array<Outcome, OutcomeCount - 2> failed {};
    std::size_t n = 0;
    for (Outcome o : AllOutcomes)
        if (isFailed(o))
            failed[n++] = o;
    return failed;
}();

using OperationValue = std::function<std::optional<double>(const OperationMetrics &)>;

// The figures of one operation (or the total), in table order.
QList<std::pair<Figure, OperationValue>> operationFigures()
{
    QList<std::pair<Figure, OperationValue>> figures;
    const auto add = [&figures](const QString &key, const QString &label, Better better, Unit unit, OperationValue value) {
        figures.append({ Figure { key, label, better, unit }, std::move(value) });
    };
    add(QStringLiteral("offered"), QStringLiteral("offered calls"), Better::Neither, Unit::Count,
        [](const OperationMetrics &o) { return double(o.offered); });
    add(QStringLiteral("successRate"), QStringLiteral("success rate"), Better::Higher, Unit::Share,
        [](const OperationMetrics &o) { return o.successRate; });
    for (Outcome outcome : FailedOutcomes) {
        add(QString(outcomeName(outcome)), QStringLiteral("failed: ") + outcomeName(outcome), Better::Lower,
            Unit::Count, [outcome](const OperationMetrics &o) { return double(o.count(outcome)); });
        figures.last().first.failedCalls = true;
    }
    add(QStringLiteral("p50Ms"), QStringLiteral("latency p50"), Better::Lower, Unit::Milliseconds,
        [](const OperationMetrics &o) { return toMs(o.p50); });
    add(QStringLiteral("p99Ms"), QStringLiteral("latency p99"), Better::Lower, Unit::Milliseconds,
        [](const OperationMetrics &o) { return toMs(o.p99); });
    add(QStringLiteral("amplification"), QStringLiteral("amplification"), Better::Lower, Unit::Ratio,
        [](const OperationMetrics &o) { return o.amplification; });
    add(QStringLiteral("timeInOpenMs"), QStringLiteral("time in OPEN"), Better::Neither, Unit::Milliseconds,
        [](const OperationMetrics &o) { return toMs(o.timeOpen); });
    add(QStringLiteral("flaps"), QStringLiteral("breaker flaps"), Better::Lower, Unit::Count,
        [](const OperationMetrics &o) { return double(o.flaps); });
    add(QStringLiteral("recoveryMs"), QStringLiteral("recovery (worst fault)"), Better::Lower, Unit::Milliseconds,
        [](const OperationMetrics &o) { return milliseconds(o.worstRecovery()); });
    return figures;
}

bool isServiceFigure(const Figure &f)
{
    return f.key == u"peakLoad" || f.key == u"wastedRequests";
}

// Every figure as a table for the operations and services that `sample` (any run) measured.
QList<Figure> figures(const CandidateMetrics &sample)
{
    QList<Figure> tables;
    const qsizetype operations = qsizetype(sample.operations.size());
    for (const auto &entry : operationFigures()) {
        Figure figure = entry.first;
        const OperationValue value = entry.second;
        for (qsizetype i = 0; i < operations; ++i)
            figure.rows.append({ sample.operations[std::size_t(i)].name,
                [value, i](const CandidateMetrics &m) { return value(m.operations[std::size_t(i)]); } });
        figure.total = [value](const CandidateMetrics &m) { return value(m.total); };
        if (operations > 1)
            figure.rows.append({ QStringLiteral("total"), figure.total });
        tables.append(figure);
    }
    const auto serviceFigure = [&](Figure figure, std::function<double(const ServiceMetrics &)> value,
                                   Figure::Value total) {
        // A trace's recorded backend has no capacity and shows no waste: nothing to measure.
        for (qsizetype i = 0; i < qsizetype(sample.services.size()); ++i)
            if (sample.services[std::size_t(i)].capacity > 0)
                figure.rows.append({ sample.services[std::size_t(i)].name,
                    [value, i](const CandidateMetrics &m) { return value(m.services[std::size_t(i)]); } });
        figure.total = total;
        if (figure.rows.size() > 1)
            figure.rows.append({ QStringLiteral("total"), total });
        if (!figure.rows.isEmpty())
            tables.append(figure);
    };
    serviceFigure({ QStringLiteral("peakLoad"), QStringLiteral("peak load (× capacity)"), Better::Lower, Unit::Load },
        [](const ServiceMetrics &s) { return s.peakLoadRatio(); },
        [](const CandidateMetrics &m) { return m.peakLoadRatio; });
    serviceFigure({ QStringLiteral("wastedRequests"), QStringLiteral("wasted requests"), Better::Lower, Unit::Count },
        [](const ServiceMetrics &s) { return double(s.wasted); },
        [](const CandidateMetrics &m) { return double(m.wastedRequests); });
    return tables;
}

// One candidate's value of one row over the seeds: an estimate, or how many seeds had none.
struct Cell
{
    std::vector<double> values; // one per seed, when every seed has one
    int missing = 0; // seeds without a value (never recovered)
    Estimate estimate;

    bool complete() const { return missing == 0; }
};

Cell cell(const std::vector<CandidateMetrics> &runs, const Figure::Value &value)
{
    Cell c;
    for (const CandidateMetrics &m : runs) {
        if (const std::optional<double> v = value(m))
            c.values.push_back(*v);
        else
            ++c.missing;
    }
    if (c.complete())
        c.estimate = estimate(c.values);
    return c;
}

QString number(Unit unit, double value, bool mean)
{
    switch (unit) {
    case Unit::Count:
        return QString::number(value, 'f', mean ? 1 : 0);
    case Unit::Share:
        return QString::number(value * 100, 'f', 2);
    case Unit::Ratio:
        return QString::number(value, 'f', 3);
    case Unit::Milliseconds:
        return QString::number(value, 'f', 1);
    case Unit::Load:
        return QString::number(value, 'f', 2);
    }
    return {};
}

QString suffix(Unit unit)
{
    switch (unit) {
    case Unit::Share:
        return QStringLiteral(" %");
    case Unit::Milliseconds:
        return QStringLiteral(" ms");
    case Unit::Load:
        return QStringLiteral("×");
    default:
        return {};
    }
}

// The value as a table shows it; with several seeds, the mean ± the interval's half-width.
QString text(Unit unit, const Cell &c, int seeds)
{
    if (!c.complete())
        return seeds > 1 ? QStringLiteral("not recovered (%1/%2)").arg(c.missing).arg(seeds)
                         : QStringLiteral("not recovered");
    QString t = number(unit, c.estimate.mean, seeds > 1) + suffix(unit);
    if (seeds > 1)
        t += QStringLiteral(" ± ") + number(unit, c.estimate.halfWidth, true);
    return t;
}

// The value (the mean) to the digits shown: two values shown alike are level.
QString shownMean(Unit unit, const Cell &c, int seeds)
{
    return c.complete() ? number(unit, c.estimate.mean, seeds > 1) : QString();
}

// For ranking: a missing value (never recovered) is the worst there is.
double rankValue(const Figure &f, const Cell &c)
{
    if (!c.complete())
        return f.better == Better::Higher ? -std::numeric_limits<double>::infinity()
                                          : std::numeric_limits<double>::infinity();
    return c.estimate.mean;
}

// The candidates that share the best value of a row, as shown; none when all do or the figure
// has no better side.
QList<int> best(const Figure &f, const QList<Cell> &cells, int seeds)
{
    if (f.better == Better::Neither)
        return {};
    int top = 0;
    for (int c = 1; c < cells.size(); ++c) {
        const double v = rankValue(f, cells[c]), t = rankValue(f, cells[top]);
        if (f.better == Better::Higher ? v > t : v < t)
            top = c;
    }
    QList<int> tied;
    for (int c = 0; c < cells.size(); ++c)
        if (shownMean(f.unit, cells[c], seeds) == shownMean(f.unit, cells[top], seeds))
            tied.append(c);
    if (tied.size() == cells.size())
        return {};
    return tied;
}

// A comparison with its figures, as the functions below read it.
struct Comparing : Comparison
{
    QList<Figure> figures;

    explicit Comparing(const Comparison &c)
        : Comparison(c)
        , figures(bw::figures(c.runs.front().front()))
        , sameOnEverySeed(seedCount() > 1 && sameRuns())
    { }
    int seedCount() const { return int(seeds.size()); }
    // The seeds the figures are estimated over: one when every seed gave the same figures, whose
    // values are then exact and whose intervals and paired differences would say nothing.
    int shownSeeds() const { return sameOnEverySeed ? 1 : seedCount(); }
    // Every candidate measured the same on every seed: nothing in the scenario draws on the seed
    // (a replayed trace, no jitter).
    const bool sameOnEverySeed;
    QList<Cell> cells(const Figure::Value &value) const
    {
        QList<Cell> out;
        for (const auto &r : runs)
            out.append(cell(r, value));
        return out;
    }
    bool sameRuns() const
    {
        for (const Figure &f : figures)
            for (const auto &run : runs)
                for (const auto &[scope, value] : f.rows)
                    for (const CandidateMetrics &m : run)
                        if (value(m) != value(run.front()))
                            return false;
        return true;
    }
    const Figure &figure(QStringView key) const
    {
        for (const Figure &f : figures)
            if (f.key == key)
                return f;
        Q_UNREACHABLE();
    }
};

// Level: the same value as shown, or with several seeds a paired difference whose interval
// holds 0; two missing values are level too.
bool level(const Comparing &c, const Figure &f, int a, int b)
{
    const Cell x = cell(c.runs[std::size_t(a)], f.total), y = cell(c.runs[std::size_t(b)], f.total);
    if (!x.complete() || !y.complete())
        return !x.complete() && !y.complete();
    if (shownMean(f.unit, x, c.shownSeeds()) == shownMean(f.unit, y, c.shownSeeds()))
        return true;
    return c.shownSeeds() > 1 && pairedDifference(x.values, y.values).includesZero();
}

// The one-line verdict: the best success rate; among candidates level on it, the best recovery,
// then p99, then amplification.
QString verdict(const Comparing &c)
{
    QList<int> contenders;
    for (int i = 0; i < c.candidates.size(); ++i)
        contenders.append(i);
    QStringList levelOn;
    const auto name = [&](int i) { return c.candidates[i].name; };
    for (const QString &key : { QStringLiteral("successRate"), QStringLiteral("recoveryMs"), QStringLiteral("p99Ms"),
             QStringLiteral("amplification") }) {
        const Figure &f = c.figure(key);
        int top = contenders.first();
        for (int i : contenders) {
            const double v = rankValue(f, cell(c.runs[std::size_t(i)], f.total));
            const double t = rankValue(f, cell(c.runs[std::size_t(top)], f.total));
            if (f.better == Better::Higher ? v > t : v < t)
                top = i;
        }
        QList<int> kept, dropped;
        for (int i : contenders)
            (level(c, f, i, top) ? kept : dropped).append(i);
        const QString shown = text(f.unit, cell(c.runs[std::size_t(top)], f.total), c.shownSeeds());
        if (kept.size() == 1) {
            int next = dropped.first();
            for (int i : dropped) {
                const double v = rankValue(f, cell(c.runs[std::size_t(i)], f.total));
                const double n = rankValue(f, cell(c.runs[std::size_t(next)], f.total));
                if (f.better == Better::Higher ? v > n : v < n)
                    next = i;
            }
            QString line = QStringLiteral("Verdict: ") + name(top) + QStringLiteral(": ");
            if (!levelOn.isEmpty())
                line += QStringLiteral("level on ") + levelOn.join(QStringLiteral(", ")) + QStringLiteral(", then ");
            line += (f.better == Better::Higher ? QStringLiteral("the highest ") : QStringLiteral("the lowest "))
                + f.label + QStringLiteral(", ") + shown + QStringLiteral(" (next: ") + name(next) + QStringLiteral(", ")
                + text(f.unit, cell(c.runs[std::size_t(next)], f.total), c.shownSeeds()) + QStringLiteral(").");
            return line;
        }
        levelOn.append(f.label);
        contenders = kept;
    }
    QStringList names;
    for (int i : contenders)
        names.append(name(i));
    return QStringLiteral("Verdict: no clear winner: ") + names.join(QStringLiteral(", ")) + QStringLiteral(" are level on ")
        + levelOn.join(QStringLiteral(", ")) + u'.';
}

QString signedNumber(Unit unit, double value)
{
    const QString n = number(unit, value, true);
    return value >= 0 && !n.startsWith(u'-') ? u'+' + n : n;
}

QList<ComparisonRow> rows(const Comparing &c)
{
    const int seeds = c.shownSeeds();
    const auto shown = [&](const Figure &f) {
        if (!f.failedCalls)
            return true;
        for (const auto &[scope, value] : f.rows)
            for (const Cell &x : c.cells(value))
                if (!x.complete() || x.estimate.mean != 0)
                    return true;
        return false;
    };
    QList<ComparisonRow> out;
    for (const Figure &f : c.figures) {
        if (!shown(f))
            continue;
        for (const auto &[scope, value] : f.rows) {
            const QList<Cell> cells = c.cells(value);
            ComparisonRow row { f.label, f.key, scope, {}, best(f, cells, seeds) };
            for (const Cell &x : cells)
                row.values.append(text(f.unit, x, seeds));
            out.append(row);
        }
    }
    return out;
}

QString table(const Comparing &c)
{
    const int seeds = c.shownSeeds();
    QString out = QStringLiteral("%1: %2 candidates for %3, ")
                      .arg(c.scenario)
                      .arg(c.candidates.size())
                      .arg(c.operation.isEmpty() ? QStringLiteral("every operation") : c.operation)
        + (c.sameOnEverySeed ? QStringLiteral("seeds %1 to %2, the same figures on each (nothing draws on the seed, as in a "
                                              "replayed trace): exact, no intervals\n\n")
                                   .arg(c.seeds.front())
                                   .arg(c.seeds.back())
                : seeds == 1 ? QStringLiteral("seed %1\n\n").arg(c.seeds.front())
                             : QStringLiteral("seeds %1 to %2 (mean ± 95 % interval)\n\n").arg(c.seeds.front()).arg(c.seeds.back()));
    const QList<ComparisonRow> table = rows(c);
    // Column widths: the widest cell of each column, over every table.
    int labelWidth = 0;
    QList<int> widths;
    for (const Candidate &candidate : c.candidates)
        widths.append(int(candidate.name.size()) + 2);
    for (const ComparisonRow &row : table) {
        labelWidth = std::max({ labelWidth, int(row.figure.size()), int(row.scope.size()) + 2 });
        for (int i = 0; i < row.values.size(); ++i)
            widths[i] = std::max(widths[i], int(row.values[i].size()) + 2);
    }
    for (qsizetype r = 0; r < table.size(); ++r) {
        const ComparisonRow &row = table[r];
        if (r == 0 || table[r - 1].key != row.key) {
            QString header = row.figure.leftJustified(labelWidth);
            for (int i = 0; i < c.candidates.size(); ++i)
                header += QStringLiteral("  ") + (c.candidates[i].name + QStringLiteral("  ")).rightJustified(widths[i]);
            out += header + u'\n';
        }
        QString line = (QStringLiteral("  ") + row.scope).leftJustified(labelWidth);
        for (int i = 0; i < row.values.size(); ++i)
            line += QStringLiteral("  ")
                + (row.values[i] + (row.best.contains(i) ? QStringLiteral(" *") : QStringLiteral("  "))).rightJustified(widths[i]);
        out += line + u'\n';
    }
    out += QStringLiteral("\n* best in its row (no mark: all level, or no better side)\n");
    if (seeds > 1) {
        out += QStringLiteral("\nPaired differences over the same seeds (first − second, mean [95 % interval]):\n");
        for (const Figure &f : c.figures) {
            if (f.key == u"offered" || f.failedCalls)
                continue;
            out += f.label + u'\n';
            for (int a = 0; a < c.candidates.size(); ++a) {
                for (int b = a + 1; b < c.candidates.size(); ++b) {
                    const Cell x = cell(c.runs[std::size_t(a)], f.total), y = cell(c.runs[std::size_t(b)], f.total);
                    QString line = QStringLiteral("  ") + c.candidates[a].name + QStringLiteral(" − ") + c.candidates[b].name;
                    if (!x.complete() || !y.complete()) {
                        out += line + QStringLiteral(": n/a (not recovered on some seed)\n");
                        continue;
                    }
                    const Estimate d = pairedDifference(x.values, y.values);
                    const QString unit = f.unit == Unit::Share ? QStringLiteral(" pp") : suffix(f.unit);
                    line += QStringLiteral(": ") + signedNumber(f.unit, d.mean) + unit + QStringLiteral(" [")
                        + signedNumber(f.unit, d.low()) + QStringLiteral(", ") + signedNumber(f.unit, d.high()) + u']';
                    if (!d.includesZero() && f.better != Better::Neither) {
                        const bool firstBetter = (d.mean > 0) == (f.better == Better::Higher);
                        line += QStringLiteral("  ") + c.candidates[firstBetter ? a : b].name + QStringLiteral(" better");
                    }
                    out += line + u'\n';
                }
            }
        }
    }
    return out + u'\n' + verdict(c) + u'\n';
}

// JSON numbers: six decimals at most, so that the bytes do not depend on the last bit of a sum.
QJsonValue jsonNumber(std::optional<double> v)
{
    if (!v)
        return QJsonValue::Null;
    return std::round(*v * 1e6) / 1e6;
}

QJsonObject figuresJson(const Comparing &c, int candidate, const std::function<Figure::Value(const Figure &)> &row,
    const std::function<bool(const Figure &)> &wanted)
{
    QJsonObject o, failed, intervals;
    for (const Figure &f : c.figures) {
        if (!wanted(f))
            continue;
        const Figure::Value value = row(f);
        if (!value)
            continue;
        const Cell x = cell(c.runs[std::size_t(candidate)], value);
        const QJsonValue v = jsonNumber(x.complete() ? std::optional<double>(x.estimate.mean) : std::nullopt);
        (f.failedCalls ? failed : o).insert(f.key, v);
        if (x.missing > 0)
            o.insert(QStringLiteral("notRecoveredSeeds"), x.missing);
        if (c.shownSeeds() > 1 && x.complete())
            intervals.insert(f.key, QJsonArray { jsonNumber(x.estimate.low()), jsonNumber(x.estimate.high()) });
    }
    if (!failed.isEmpty())
        o.insert(QStringLiteral("failed"), failed);
    if (c.shownSeeds() > 1)
        o.insert(QStringLiteral("intervals"), intervals);
    return o;
}

QByteArray json(const Comparing &c)
{
    const auto rowNamed = [](const QString &name) {
        return [name](const Figure &f) -> Figure::Value {
            for (const auto &[scope, value] : f.rows)
                if (scope == name)
                    return value;
            return {};
        };
    };
    QJsonArray candidates;
    for (int i = 0; i < c.candidates.size(); ++i) {
        QJsonObject o = figuresJson(c, i, [](const Figure &f) { return f.total; }, [](const Figure &) { return true; });
        o.insert(QStringLiteral("name"), c.candidates[i].name);
        o.insert(QStringLiteral("policy"), policyToJson(c.candidates[i].policy));
        // Rows by name: an operation and a service may share one.
        QJsonObject operations, services;
        const CandidateMetrics &first = c.runs[std::size_t(i)].front();
        for (const OperationMetrics &op : first.operations)
            operations.insert(op.name,
                figuresJson(c, i, rowNamed(op.name), [](const Figure &f) { return !isServiceFigure(f); }));
        for (const ServiceMetrics &s : first.services)
            services.insert(s.name, figuresJson(c, i, rowNamed(s.name), isServiceFigure));
        o.insert(QStringLiteral("operations"), operations);
        o.insert(QStringLiteral("services"), services);
        candidates.append(o);
    }
    QJsonObject root;
    root.insert(QStringLiteral("scenario"), c.scenario);
    root.insert(QStringLiteral("operation"), c.operation.isEmpty() ? QJsonValue::Null : QJsonValue(c.operation));
    QJsonArray seeds;
    for (std::uint64_t s : c.seeds)
        seeds.append(qint64(s));
    root.insert(QStringLiteral("seeds"), seeds);
    if (c.sameOnEverySeed)
        root.insert(QStringLiteral("sameOnEverySeed"), true);
    root.insert(QStringLiteral("candidates"), candidates);
    QJsonObject bestJson;
    for (const Figure &f : c.figures) {
        QJsonArray names;
        for (int i : best(f, c.cells(f.total), c.shownSeeds()))
            names.append(c.candidates[i].name);
        bestJson.insert(f.key, names);
    }
    root.insert(QStringLiteral("best"), bestJson);
    if (c.shownSeeds() > 1) {
        QJsonArray pairs;
        for (int a = 0; a < c.candidates.size(); ++a) {
            for (int b = a + 1; b < c.candidates.size(); ++b) {
                QJsonObject pair { { QStringLiteral("first"), c.candidates[a].name },
                    { QStringLiteral("second"), c.candidates[b].name } };
                for (const Figure &f : c.figures) {
                    const Cell x = cell(c.runs[std::size_t(a)], f.total), y = cell(c.runs[std::size_t(b)], f.total);
                    if (!x.complete() || !y.complete()) {
                        pair.insert(f.key, QJsonValue::Null);
                        continue;
                    }
                    const Estimate d = pairedDifference(x.values, y.values);
                    pair.insert(f.key, QJsonObject { { QStringLiteral("mean"), jsonNumber(d.mean) },
                                           { QStringLiteral("low"), jsonNumber(d.low()) },
                                           { QStringLiteral("high"), jsonNumber(d.high()) } });
                }
                pairs.append(pair);
            }
        }
        root.insert(QStringLiteral("pairs"), pairs);
    }
    root.insert(QStringLiteral("verdict"), verdict(c).mid(QStringLiteral("Verdict: ").size()));
    return QJsonDocument(root).toJson(QJsonDocument::Indented);
}

// One row per candidate, seed and operation, and per candidate and seed the total: the raw
// figures, for a spreadsheet or a notebook.
QByteArray csv(const Comparing &c)
{
    const auto columns = operationFigures();
    QStringList header { QStringLiteral("candidate"), QStringLiteral("seed"), QStringLiteral("operation") };
    for (const auto &[figure, value] : columns)
        header.append(figure.key);
    header << QStringLiteral("peakLoad") << QStringLiteral("wastedRequests");
    QByteArray out = header.join(u',').toUtf8() + '\n';
    for (int i = 0; i < c.candidates.size(); ++i) {
        for (int s = 0; s < c.seedCount(); ++s) {
            const CandidateMetrics &m = c.runs[std::size_t(i)][std::size_t(s)];
            const auto line = [&](const OperationMetrics &o, bool total) {
                QStringList cells { c.candidates[i].name, QString::number(c.seeds[std::size_t(s)]), o.name };
                for (const auto &[figure, value] : columns) {
                    const std::optional<double> v = value(o);
                    cells.append(v ? QString::number(*v, 'g', 12) : QString());
                }
                cells << (total ? QString::number(m.peakLoadRatio, 'g', 12) : QString())
                      << (total ? QString::number(m.wastedRequests) : QString());
                out += cells.join(u',').toUtf8() + '\n';
            };
            for (const OperationMetrics &o : m.operations)
                line(o, false);
            line(m.total, true);
        }
    }
    return out;
}

} // namespace

QList<ComparisonRow> comparisonRows(const Comparison &c)
{
    return rows(Comparing(c));
}

QString comparisonVerdict(const Comparison &c)
{
    return verdict(Comparing(c));
}

QString comparisonTable(const Comparison &c)
{
    return table(Comparing(c));
}

QByteArray comparisonJson(const Comparison &c)
{
    return json(Comparing(c));
}

QByteArray comparisonCsv(const Comparison &c)
{
    return csv(Comparing(c));
}

} // namespace bw
