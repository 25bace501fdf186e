#include "sweepgrid.h"

#include "../resilience/jsonreader.h"
#include "../resilience/policyloader.h"
#include "../resilience/policywriter.h"

#include <QJsonDocument>

#include <cmath>

namespace bw {

namespace {

const QString Option = QStringLiteral("--vary");

LoadError varyError(const QString &key, const QString &message)
{
    return LoadError { Option, 0, 0, key, message };
}

// The numeric leaves of `object`, as dotted paths under `path`.
void collectNumbers(const QJsonObject &object, const QString &path, QStringList *out)
{
    for (auto it = object.begin(); it != object.end(); ++it) {
        const QString here = keyPath(path, it.key());
        if (it.value().isObject())
            collectNumbers(it.value().toObject(), here, out);
        else if (it.value().isDouble())
            out->append(here);
    }
}

// The nearest sweepable path to a misspelt one; a bare field name ("failureThreshold") finds
// its section when only one section has it.
QString nearestPath(const QString &key)
{
    const QString nearest = nearestName(key, sweepablePaths());
    if (!nearest.isEmpty() || key.contains(u'.'))
        return nearest;
    QStringList matches;
    for (const QString &path : sweepablePaths())
        if (nearestName(key, { path.section(u'.', -1) }) == path.section(u'.', -1))
            matches.append(path);
    return matches.size() == 1 ? matches.constFirst() : QString();
}

std::optional<double> number(QStringView text)
{
    bool ok = false;
    const double value = text.trimmed().toDouble(&ok);
    if (!ok || !std::isfinite(value))
        return std::nullopt;
    return value;
}

// FROM:TO:STEP as its values; TO is included when a step lands on it, within rounding.
std::optional<QList<double>> rangeValues(const QString &key, const QString &spec, LoadError *error)
{
    const QStringList parts = spec.split(u':');
    if (parts.size() != 3) {
        *error = varyError(key, QStringLiteral("expected FROM:TO:STEP or a list a,b,c, got '") + spec + u'\'');
        return std::nullopt;
    }
    double bounds[3];
    for (int i = 0; i < 3; ++i) {
        const std::optional<double> value = number(parts[i]);
        if (!value) {
            *error = varyError(key, u'\'' + parts[i] + QStringLiteral("' is not a number (in '") + spec + QStringLiteral("')"));
            return std::nullopt;
        }
        bounds[i] = *value;
    }
    const auto [from, to, step] = bounds;
    if (step <= 0) {
        *error = varyError(key, QStringLiteral("STEP must be positive, got '") + spec + u'\'');
        return std::nullopt;
    }
    if (from > to) {
        *error = varyError(key, QStringLiteral("FROM must not be above TO, got '") + spec + u'\'');
        return std::nullopt;
    }
    // Counted before anything is allocated: 0:1e9:1 is refused, not built.
    const double count = std::floor((to - from) / step + 1e-9) + 1;
    if (count > Limits::MaxSweepRuns) {
        *error = varyError(key, u'\'' + spec + QStringLiteral("' has ") + QString::number(count, 'g', 12)
                + QStringLiteral(" values; a sweep has at most ") + QString::number(Limits::MaxSweepRuns)
                + QStringLiteral(" runs"));
        return std::nullopt;
    }
    QList<double> values;
    for (int i = 0; i < int(count); ++i) // 12 significant digits: 0.1 × 3 is 0.3, not 0.30000000000000004
        values.append(QString::number(from + i * step, 'g', 12).toDouble());
    return values;
}

std::optional<QList<double>> listValues(const QString &key, const QString &spec, LoadError *error)
{
    QList<double> values;
    const QStringList items = spec.split(u',');
    for (const QString &item : items) {
        const std::optional<double> value = number(item);
        if (!value) {
            *error = varyError(key, u'\'' + item + QStringLiteral("' is not a number (in '") + spec + QStringLiteral("')"));
            return std::nullopt;
        }
        if (values.contains(*value)) {
            *error = varyError(key, item.trimmed() + QStringLiteral(" is listed twice (in '") + spec + QStringLiteral("')"));
            return std::nullopt;
        }
        values.append(*value);
    }
    return values;
}

// Sets `value` at `keys` (a dotted path, from `depth` on) inside `object`; false when an object on
// the way is not there (a section that is off).
bool setAt(QJsonObject *object, const QStringList &keys, qsizetype depth, double value)
{
    const QString &key = keys[depth];
    if (depth + 1 == keys.size()) {
        object->insert(key, value);
        return true;
    }
    const QJsonValue child = object->value(key);
    if (!child.isObject())
        return false;
    QJsonObject inner = child.toObject();
    if (!setAt(&inner, keys, depth + 1, value))
        return false;
    object->insert(key, inner);
    return true;
}

} // namespace

QStringList sweepablePaths()
{
    static const QStringList paths = [] {
        // Every section on, with the loader's defaults, so that each number is written: a new
        // section is sweepable as soon as the loader reads it. The concurrency limit writes only
        // its algorithm's keys: every algorithm is collected.
        QStringList out;
        for (const QString &algorithm : limitAlgorithmNames()) {
            QJsonObject every { { QStringLiteral("retry"),
                QJsonObject { { QStringLiteral("budget"), true }, { QStringLiteral("quota"), true } } } };
            for (const QString &key : PolicyLoader::topLevelKeys())
                if (!every.contains(key) && key != u"name" && key != u"description" && key != u"policy" && key != u"order")
                    every.insert(key, true);
            every.insert(QStringLiteral("concurrencyLimit"), QJsonObject { { QStringLiteral("algorithm"), algorithm } });
            LoadError error;
            const auto policy = parsePolicy(QJsonDocument(every).toJson(), QStringLiteral("every section"), &error);
            if (!policy)
                continue; // tst_sweepgrid names every section's numbers, so this cannot pass unseen
            QStringList paths;
            collectNumbers(policyToJson(*policy), QString(), &paths);
            for (const QString &path : std::as_const(paths))
                if (!out.contains(path))
                    out.append(path);
        }
        out.sort(); // as one policy's JSON lists them: by section, then key
        return out;
    }();
    return paths;
}

std::optional<SweepParameter> parseSweepParameter(const QString &text, LoadError *error)
{
    const qsizetype equals = text.indexOf(u'=');
    if (equals <= 0 || equals == text.size() - 1) {
        *error = varyError(QString(),
            QStringLiteral("expected KEY=SPEC (SPEC: FROM:TO:STEP or a list a,b,c), got '") + text + u'\'');
        return std::nullopt;
    }
    SweepParameter parameter;
    parameter.key = text.left(equals).trimmed();
    // A policy file may write the timeout section as a number: the key may too.
    parameter.path = parameter.key == u"timeout" ? QStringLiteral("timeout.timeout") : parameter.key;
    if (!sweepablePaths().contains(parameter.path)) {
        const QString nearest = nearestPath(parameter.key);
        *error = varyError(parameter.key,
            QStringLiteral("not a numeric policy field; ")
                + (nearest.isEmpty() ? QStringLiteral("expected one of ") + quotedList(sweepablePaths())
                                     : QStringLiteral("did you mean '") + nearest + QStringLiteral("'?")));
        return std::nullopt;
    }
    const QString spec = text.mid(equals + 1).trimmed();
    const std::optional<QList<double>> values
        = spec.contains(u':') ? rangeValues(parameter.key, spec, error) : listValues(parameter.key, spec, error);
    if (!values)
        return std::nullopt;
    parameter.values = *values;
    return parameter;
}

SweepGrid::SweepGrid(QList<SweepParameter> parameters)
    : m_parameters(std::move(parameters))
{ }

bool SweepGrid::add(SweepParameter parameter, LoadError *error)
{
    for (const SweepParameter &p : std::as_const(m_parameters)) {
        if (p.path == parameter.path) {
            *error = varyError(parameter.key, QStringLiteral("varied twice"));
            return false;
        }
    }
    m_parameters.append(std::move(parameter));
    return true;
}

QStringList SweepGrid::keys() const
{
    QStringList out;
    for (const SweepParameter &p : m_parameters)
        out.append(p.key);
    return out;
}

double SweepGrid::size() const
{
    double points = 1;
    for (const SweepParameter &p : m_parameters)
        points *= double(p.values.size());
    return points;
}

QList<double> SweepGrid::settings(qsizetype point) const
{
    QList<double> values(m_parameters.size());
    for (qsizetype i = m_parameters.size() - 1; i >= 0; --i) {
        const QList<double> &choices = m_parameters[i].values;
        values[i] = choices[point % choices.size()];
        point /= choices.size();
    }
    return values;
}

std::optional<PolicyConfig> SweepGrid::policyAt(const PolicyConfig &base, qsizetype point, LoadError *error) const
{
    QJsonObject json = policyToJson(base);
    const QList<double> values = settings(point);
    for (qsizetype i = 0; i < m_parameters.size(); ++i) {
        const SweepParameter &p = m_parameters[i];
        if (!setAt(&json, p.path.split(u'.'), 0, values[i])) {
            *error = varyError(p.key,
                QStringLiteral("the policy '") + base.name + QStringLiteral("' has no ")
                    + p.path.section(u'.', 0, -2) + QStringLiteral("; turn it on in the scenario to sweep it"));
            return std::nullopt;
        }
    }
    // Read back as a file would be; only a varied value can be wrong, since `base` was valid.
    const JsonSource source(QJsonDocument(json).toJson(QJsonDocument::Compact), Option);
    std::optional<PolicyConfig> policy = PolicyLoader(source).read(json, QString(), base.name, error);
    if (!policy) {
        error->line = error->column = 0; // positions in JSON nobody wrote
        for (const SweepParameter &p : m_parameters)
            if (p.path == error->key)
                error->key = p.key;
    }
    return policy;
}

} // namespace bw
