#include "policyloader.h"

#include "timeoutmanager.h"

#include <QFile>
#include <QFileInfo>
#include <QJsonArray>

#include <algorithm>
#include <climits>
#include <cmath>

namespace bw {

namespace {

// Longer than any sensible limit, and far from the int64 nanosecond overflow (292 years).
constexpr double MaxDurationMs = 1e12;

QString join(const QString &path, const QString &key)
{
    return path.isEmpty() ? key : path + u'.' + key;
}

QString quotedList(const QStringList &names)
{
    QStringList quoted;
    for (const QString &n : names)
        quoted << u'\'' + n + u'\'';
    return quoted.join(QStringLiteral(", "));
}

QString suggestion(const QString &word, const QStringList &valid)
{
    const QString nearest = nearestName(word, valid);
    if (!nearest.isEmpty())
        return QStringLiteral("did you mean '") + nearest + QStringLiteral("'?");
    return QStringLiteral("expected one of ") + quotedList(valid);
}

class Reader
{
public:
    Reader(const JsonSource &source, LoadError *error)
        : m_src(source)
        , m_error(error)
    { }

    bool fail(const LoadError &e)
    {
        if (m_error)
            *m_error = e;
        return false;
    }
    bool valueFail(const QString &path, const QString &message)
    {
        return fail(m_src.valueError(path, message));
    }
    bool keyFail(const QString &path, const QString &message) { return fail(m_src.keyError(path, message)); }
    bool expected(const QString &path, const QString &what, const QJsonValue &got)
    {
        return valueFail(
            path, QStringLiteral("expected ") + what + QStringLiteral(", got ") + describeJsonValue(got));
    }

    // Unknown keys, in file order so the first one reported is the first one a reader meets.
    bool checkKeys(const QJsonObject &object, const QString &path, const QStringList &allowed)
    {
        QStringList keys = object.keys();
        std::stable_sort(keys.begin(), keys.end(), [&](const QString &a, const QString &b) {
            const TextPosition pa = m_src.keyPosition(join(path, a)), pb = m_src.keyPosition(join(path, b));
            return std::pair(pa.line, pa.column) < std::pair(pb.line, pb.column);
        });
        for (const QString &key : std::as_const(keys)) {
            if (!allowed.contains(key))
                return keyFail(join(path, key), QStringLiteral("unknown key; ") + suggestion(key, allowed));
        }
        return true;
    }

    bool readInt(const QJsonObject &o, const QString &path, const QString &key, int min, int *out)
    {
        const QJsonValue v = o.value(key);
        if (v.isUndefined())
            return true;
        const double d = v.toDouble();
        const QString what = min == 0 ? QStringLiteral("a non-negative integer")
            : min == 1                ? QStringLiteral("a positive integer")
                                      : QStringLiteral("an integer >= ") + QString::number(min);
        if (!v.isDouble() || std::floor(d) != d || d < min || d > INT_MAX)
            return expected(join(path, key), what, v);
        *out = int(d);
        return true;
    }

    bool readInt64(
        const QJsonObject &o, const QString &path, const QString &key, std::int64_t min, std::int64_t *out)
    {
        const QJsonValue v = o.value(key);
        if (v.isUndefined())
            return true;
        const double d = v.toDouble();
        if (!v.isDouble() || std::floor(d) != d || d < double(min) || d > 9e15)
            return expected(join(path, key),
                min == 1 ? QStringLiteral("a positive integer") : QStringLiteral("a non-negative integer"),
                v);
        *out = std::int64_t(d);
        return true;
    }

    bool readNumber(const QJsonObject &o, const QString &path, const QString &key, double min, double max,
        const QString &what, double *out)
    {
        const QJsonValue v = o.value(key);
        if (v.isUndefined())
            return true;
        const double d = v.toDouble();
        if (!v.isDouble() || !std::isfinite(d) || d < min || d > max)
            return expected(join(path, key), what, v);
        *out = d;
        return true;
    }

    bool readRate(const QJsonObject &o, const QString &path, const QString &key, double *out)
    {
        return readNumber(o, path, key, 0, 1, QStringLiteral("a rate between 0 and 1"), out);
    }

    bool durationValue(const QJsonValue &v, const QString &path, Duration *out)
    {
        const double d = v.toDouble();
        if (!v.isDouble() || !std::isfinite(d) || d < 0)
            return expected(path, QStringLiteral("a duration in milliseconds (a non-negative number)"), v);
        if (d > MaxDurationMs)
            return expected(path, QStringLiteral("a duration of at most 1e12 ms"), v);
        *out = std::floor(d) == d ? fromMs(std::int64_t(d)) : fromMs(d);
        return true;
    }

    bool readDuration(const QJsonObject &o, const QString &path, const QString &key, Duration *out)
    {
        const QJsonValue v = o.value(key);
        return v.isUndefined() || durationValue(v, join(path, key), out);
    }

    bool readBool(const QJsonObject &o, const QString &path, const QString &key, bool *out)
    {
        const QJsonValue v = o.value(key);
        if (v.isUndefined())
            return true;
        if (!v.isBool())
            return expected(join(path, key), QStringLiteral("true or false"), v);
        *out = v.toBool();
        return true;
    }

    bool readStrings(const QJsonObject &o, const QString &path, const QString &key, QStringList *out)
    {
        const QJsonValue v = o.value(key);
        if (v.isUndefined())
            return true;
        const QString p = join(path, key);
        if (!v.isArray())
            return expected(p, QStringLiteral("an array of error codes"), v);
        QStringList list;
        const QJsonArray array = v.toArray();
        for (qsizetype i = 0; i < array.size(); ++i) {
            const QJsonValue item = array.at(i);
            if (!item.isString() || item.toString().isEmpty())
                return expected(
                    p + u'[' + QString::number(i) + u']', QStringLiteral("a non-empty string"), item);
            list << item.toString();
        }
        *out = list;
        return true;
    }

    bool readCodes(const QJsonObject &o, const QString &path, const QString &key, QList<ErrorCode> *out)
    {
        if (!o.contains(key))
            return true;
        QStringList names;
        if (!readStrings(o, path, key, &names))
            return false;
        out->clear();
        for (const QString &n : std::as_const(names))
            out->append(ErrorCode::fromString(n));
        return true;
    }

    // Reads an enum given as one of `names` (mapped to values).
    template<typename T>
    bool readEnum(const QJsonObject &o, const QString &path, const QString &key, const QStringList &names,
        const QList<T> &values, T *out)
    {
        const QJsonValue v = o.value(key);
        if (v.isUndefined())
            return true;
        const QString p = join(path, key);
        QStringList quoted;
        for (const QString &n : names)
            quoted << u'"' + n + u'"';
        const QString what = quoted.mid(0, quoted.size() - 1).join(QStringLiteral(", "))
            + QStringLiteral(" or ") + quoted.last();
        if (!v.isString())
            return expected(p, what, v);
        const qsizetype index = names.indexOf(v.toString());
        if (index < 0) {
            const QString nearest = nearestName(v.toString(), names);
            return valueFail(p,
                QStringLiteral("expected ") + what + QStringLiteral(", got ") + describeJsonValue(v)
                    + (nearest.isEmpty()
                            ? QString()
                            : QStringLiteral("; did you mean '") + nearest + QStringLiteral("'?")));
        }
        *out = values.at(index);
        return true;
    }

    bool unknownPreset(const QString &path, const QString &name, const QStringList &valid)
    {
        const QString nearest = nearestName(name, valid);
        return valueFail(path,
            QStringLiteral("unknown preset '") + name + QStringLiteral("'; ")
                + (nearest.isEmpty() ? QString()
                                     : QStringLiteral("did you mean '") + nearest + QStringLiteral("'? "))
                + QStringLiteral("(presets: ") + valid.join(QStringLiteral(", ")) + u')');
    }

    bool missingInPreset(const QString &path, const QString &preset, const QString &section)
    {
        return valueFail(path,
            QStringLiteral("preset '") + preset + QStringLiteral("' has no ") + section
                + QStringLiteral(" section; use false to turn it off"));
    }

    // --- sections -------------------------------------------------------------------------

    static CircuitBreakerConfig defaultBreaker()
    {
        CircuitBreakerConfig c;
        c.slowCallRateThreshold = 0; // policies: off unless set (semantics.md)
        return c;
    }

    bool circuitBreaker(const QJsonValue &v, const QString &p, std::optional<CircuitBreakerConfig> *out)
    {
        if (v.isBool()) {
            if (!v.toBool())
                out->reset();
            else if (!out->has_value())
                *out = defaultBreaker();
            return true;
        }
        if (v.isString()) {
            const auto preset = ResiliencePolicies::byName(v.toString());
            if (!preset)
                return unknownPreset(p, v.toString(), ResiliencePolicies::names());
            if (!preset->circuitBreaker)
                return missingInPreset(p, v.toString(), QStringLiteral("circuitBreaker"));
            *out = preset->circuitBreaker;
            return true;
        }
        if (!v.isObject())
            return expected(p, QStringLiteral("an object, true, false or a preset name"), v);
        const QJsonObject o = v.toObject();
        if (!checkKeys(o, p, PolicyLoader::circuitBreakerKeys()))
            return false;
        CircuitBreakerConfig c = out->value_or(defaultBreaker());
        WindowType windowType = c.windowType;
        const bool ok = readInt(o, p, QStringLiteral("failureThreshold"), 0, &c.failureThreshold)
            && readRate(o, p, QStringLiteral("failureRateThreshold"), &c.failureRateThreshold)
            && readInt(o, p, QStringLiteral("volumeThreshold"), 0, &c.volumeThreshold)
            && readDuration(o, p, QStringLiteral("slowCallDurationThreshold"), &c.slowCallDurationThreshold)
            && readRate(o, p, QStringLiteral("slowCallRateThreshold"), &c.slowCallRateThreshold)
            && readInt(o, p, QStringLiteral("successThreshold"), 1, &c.successThreshold)
            && readInt(o, p, QStringLiteral("halfOpenMaxCalls"), 0, &c.halfOpenMaxCalls)
            && readDuration(o, p, QStringLiteral("timeout"), &c.timeout)
            && readDuration(o, p, QStringLiteral("resetTimeout"), &c.resetTimeout)
            && readNumber(o, p, QStringLiteral("resetTimeoutMultiplier"), 1, 1e6,
                QStringLiteral("a number >= 1"), &c.resetTimeoutMultiplier)
            && readDuration(o, p, QStringLiteral("maxResetTimeout"), &c.maxResetTimeout)
            && readEnum<WindowType>(o, p, QStringLiteral("windowType"),
                { QStringLiteral("time"), QStringLiteral("count") }, { WindowType::Time, WindowType::Count },
                &windowType)
            && readInt64(o, p, QStringLiteral("windowSize"), 1, &c.windowSize)
            && readCodes(o, p, QStringLiteral("recordErrors"), &c.recordErrors)
            && readCodes(o, p, QStringLiteral("ignoreErrors"), &c.ignoreErrors);
        if (!ok)
            return false;
        c.windowType = windowType;
        *out = c;
        return true;
    }

    bool budget(const QJsonValue &v, const QString &p, std::optional<RetryBudgetConfig> *out)
    {
        if (v.isBool()) {
            if (!v.toBool())
                out->reset();
            else if (!out->has_value())
                *out = RetryBudgetConfig {};
            return true;
        }
        if (!v.isObject())
            return expected(p, QStringLiteral("an object, true or false"), v);
        const QJsonObject o = v.toObject();
        if (!checkKeys(o, p, { QStringLiteral("ratio"), QStringLiteral("minPerSecond") }))
            return false;
        RetryBudgetConfig b = out->value_or(RetryBudgetConfig {});
        if (!readNumber(
                o, p, QStringLiteral("ratio"), 0, 1e6, QStringLiteral("a non-negative number"), &b.ratio)
            || !readNumber(o, p, QStringLiteral("minPerSecond"), 0, 1e9,
                QStringLiteral("a non-negative number"), &b.minPerSecond))
            return false;
        *out = b;
        return true;
    }

    bool retry(const QJsonValue &v, const QString &p, std::optional<RetryConfig> *out)
    {
        if (v.isBool()) {
            if (!v.toBool())
                out->reset();
            else if (!out->has_value())
                *out = RetryConfig {};
            return true;
        }
        if (v.isString()) {
            const QString name = v.toString();
            if (auto r = RetryPolicies::byName(name)) {
                *out = std::move(*r);
                return true;
            }
            const auto preset = ResiliencePolicies::byName(name);
            if (!preset)
                return unknownPreset(p, name, RetryPolicies::names() + ResiliencePolicies::names());
            if (!preset->retry)
                return missingInPreset(p, name, QStringLiteral("retry"));
            *out = preset->retry;
            return true;
        }
        if (!v.isObject())
            return expected(p, QStringLiteral("an object, true, false or a preset name"), v);
        const QJsonObject o = v.toObject();
        if (!checkKeys(o, p, PolicyLoader::retryKeys()))
            return false;
        RetryConfig c = out->value_or(RetryConfig {});
        Backoff backoff = c.backoff;
        QStringList retryable;
        const bool ok = readInt(o, p, QStringLiteral("maxAttempts"), 1, &c.maxAttempts)
            && readDuration(o, p, QStringLiteral("initialDelay"), &c.initialDelay)
            && readDuration(o, p, QStringLiteral("maxDelay"), &c.maxDelay)
            && readNumber(o, p, QStringLiteral("backoffMultiplier"), 1, 1e6, QStringLiteral("a number >= 1"),
                &c.backoffMultiplier)
            && readEnum<Backoff>(o, p, QStringLiteral("backoff"),
                { QStringLiteral("exponential"), QStringLiteral("linear") },
                { Backoff::Exponential, Backoff::Linear }, &backoff)
            && readDuration(o, p, QStringLiteral("linearIncrement"), &c.linearIncrement)
            && readBool(o, p, QStringLiteral("jitter"), &c.jitter)
            && readStrings(o, p, QStringLiteral("retryableErrors"), &retryable)
            && readDuration(o, p, QStringLiteral("timeout"), &c.timeout)
            && readBool(o, p, QStringLiteral("respectRetryAfter"), &c.respectRetryAfter);
        if (!ok)
            return false;
        if (o.contains(QStringLiteral("budget"))
            && !budget(o.value(QStringLiteral("budget")), join(p, QStringLiteral("budget")), &c.budget))
            return false;
        c.backoff = backoff;
        if (o.contains(QStringLiteral("retryableErrors")))
            c.retryableErrors = retryable;
        *out = std::move(c);
        return true;
    }

    bool timeout(const QJsonValue &v, const QString &p, std::optional<TimeoutConfig> *out)
    {
        if (v.isBool()) {
            if (!v.toBool())
                out->reset();
            else if (!out->has_value())
                *out = TimeoutConfig {};
            return true;
        }
        if (v.isDouble()) {
            TimeoutConfig t = out->value_or(TimeoutConfig {});
            if (!durationValue(v, p, &t.timeout))
                return false;
            *out = std::move(t);
            return true;
        }
        if (v.isString()) {
            const QString name = v.toString();
            if (const auto preset = ResiliencePolicies::byName(name)) {
                if (!preset->timeout)
                    return missingInPreset(p, name, QStringLiteral("timeout"));
                *out = preset->timeout;
                return true;
            }
            const QMap<QString, int> named = TimeoutManager::guideDefaults();
            if (named.contains(name)) {
                TimeoutConfig t;
                t.timeout = fromMs(named.value(name));
                *out = std::move(t);
                return true;
            }
            return unknownPreset(p, name, ResiliencePolicies::names() + named.keys());
        }
        if (!v.isObject())
            return expected(
                p, QStringLiteral("a duration in milliseconds, an object, true, false or a preset name"), v);
        const QJsonObject o = v.toObject();
        if (!checkKeys(o, p, { QStringLiteral("timeout"), QStringLiteral("fallback") }))
            return false;
        TimeoutConfig t = out->value_or(TimeoutConfig {});
        if (!readDuration(o, p, QStringLiteral("timeout"), &t.timeout))
            return false;
        if (o.contains(QStringLiteral("fallback")))
            t.fallback = o.value(QStringLiteral("fallback")).toVariant();
        *out = std::move(t);
        return true;
    }

    bool bulkhead(const QJsonValue &v, const QString &p, std::optional<BulkheadConfig> *out)
    {
        if (v.isBool()) {
            if (!v.toBool())
                out->reset();
            else if (!out->has_value())
                *out = BulkheadConfig {};
            return true;
        }
        if (v.isString()) {
            const auto preset = ResiliencePolicies::byName(v.toString());
            if (!preset)
                return unknownPreset(p, v.toString(), ResiliencePolicies::names());
            if (!preset->bulkhead)
                return missingInPreset(p, v.toString(), QStringLiteral("bulkhead"));
            *out = preset->bulkhead;
            return true;
        }
        if (!v.isObject())
            return expected(p, QStringLiteral("an object, true, false or a preset name"), v);
        const QJsonObject o = v.toObject();
        if (!checkKeys(o, p, PolicyLoader::bulkheadKeys()))
            return false;
        BulkheadConfig b = out->value_or(BulkheadConfig {});
        if (!readInt(o, p, QStringLiteral("maxConcurrent"), 1, &b.maxConcurrent)
            || !readInt(o, p, QStringLiteral("maxQueueSize"), 0, &b.maxQueueSize)
            || !readDuration(o, p, QStringLiteral("timeout"), &b.timeout))
            return false;
        *out = std::move(b);
        return true;
    }

    bool fallback(const QJsonValue &v, const QString &p, std::optional<FallbackConfig> *out)
    {
        if (v.isBool()) {
            if (!v.toBool())
                out->reset();
            else if (!out->has_value())
                *out = FallbackConfig {};
            return true;
        }
        if (!v.isObject())
            return expected(p, QStringLiteral("an object ({\"value\": ...}), true or false"), v);
        const QJsonObject o = v.toObject();
        if (!checkKeys(o, p, { QStringLiteral("value") }))
            return false;
        FallbackConfig f = out->value_or(FallbackConfig {});
        if (o.contains(QStringLiteral("value")))
            f.value = o.value(QStringLiteral("value")).toVariant();
        *out = std::move(f);
        return true;
    }

    bool order(const QJsonValue &v, const QString &p, PolicyConfig *policy)
    {
        if (!v.isArray())
            return expected(p, QStringLiteral("an array of stage names"), v);
        QStringList names;
        for (StageKind k : PolicyConfig::defaultOrder())
            names << QString(stageKindName(k));
        const QJsonArray array = v.toArray();
        QList<StageKind> order;
        for (qsizetype i = 0; i < array.size(); ++i) {
            const QString ip = p + u'[' + QString::number(i) + u']';
            const QJsonValue item = array.at(i);
            if (!item.isString())
                return expected(ip, QStringLiteral("a stage name"), item);
            const auto kind = stageKindFromName(item.toString());
            if (!kind) {
                const QString nearest = nearestName(item.toString(), names);
                return valueFail(ip,
                    QStringLiteral("unknown stage ") + describeJsonValue(item) + QStringLiteral("; ")
                        + (nearest.isEmpty()
                                ? QStringLiteral("expected one of ") + quotedList(names)
                                : QStringLiteral("did you mean '") + nearest + QStringLiteral("'?")));
            }
            if (order.contains(*kind))
                return valueFail(ip, QStringLiteral("duplicate stage '") + item.toString() + u'\'');
            order << *kind;
        }
        policy->order = order;
        return true;
    }

    // A stage that is on but missing from "order" would silently do nothing: say so instead.
    bool checkOrderCovers(const PolicyConfig &policy, const QString &p)
    {
        for (StageKind k : PolicyConfig::defaultOrder()) {
            if (policy.has(k) && !policy.order.contains(k))
                return valueFail(p,
                    QStringLiteral("stage '") + stageKindName(k)
                        + QStringLiteral("' is on but not listed; list it or set \"") + stageKindName(k)
                        + QStringLiteral("\": false"));
        }
        return true;
    }

private:
    const JsonSource &m_src;
    LoadError *m_error;
};

} // namespace

QStringList PolicyLoader::topLevelKeys()
{
    return { QStringLiteral("name"), QStringLiteral("description"), QStringLiteral("policy"),
        QStringLiteral("circuitBreaker"), QStringLiteral("retry"), QStringLiteral("timeout"),
        QStringLiteral("bulkhead"), QStringLiteral("fallback"), QStringLiteral("order") };
}

QStringList PolicyLoader::circuitBreakerKeys()
{
    return { QStringLiteral("failureThreshold"), QStringLiteral("failureRateThreshold"),
        QStringLiteral("volumeThreshold"), QStringLiteral("slowCallDurationThreshold"),
        QStringLiteral("slowCallRateThreshold"), QStringLiteral("successThreshold"),
        QStringLiteral("halfOpenMaxCalls"), QStringLiteral("timeout"), QStringLiteral("resetTimeout"),
        QStringLiteral("resetTimeoutMultiplier"), QStringLiteral("maxResetTimeout"),
        QStringLiteral("windowType"), QStringLiteral("windowSize"), QStringLiteral("recordErrors"),
        QStringLiteral("ignoreErrors") };
}

QStringList PolicyLoader::retryKeys()
{
    return { QStringLiteral("maxAttempts"), QStringLiteral("initialDelay"), QStringLiteral("maxDelay"),
        QStringLiteral("backoffMultiplier"), QStringLiteral("backoff"), QStringLiteral("linearIncrement"),
        QStringLiteral("jitter"), QStringLiteral("retryableErrors"), QStringLiteral("timeout"),
        QStringLiteral("respectRetryAfter"), QStringLiteral("budget") };
}

QStringList PolicyLoader::bulkheadKeys()
{
    return { QStringLiteral("maxConcurrent"), QStringLiteral("maxQueueSize"), QStringLiteral("timeout") };
}

std::optional<PolicyConfig> PolicyLoader::read(
    const QJsonObject &object, const QString &path, const QString &defaultName, LoadError *error) const
{
    Reader r(m_source, error);
    if (!r.checkKeys(object, path, topLevelKeys()))
        return std::nullopt;

    PolicyConfig policy; // every section off
    policy.name.clear();
    const QString presetPath = join(path, QStringLiteral("policy"));
    if (object.contains(QStringLiteral("policy"))) {
        const QJsonValue v = object.value(QStringLiteral("policy"));
        if (!v.isString()) {
            r.expected(presetPath,
                QStringLiteral("a preset name (") + ResiliencePolicies::names().join(QStringLiteral(", "))
                    + u')',
                v);
            return std::nullopt;
        }
        const auto preset = ResiliencePolicies::byName(v.toString());
        if (!preset) {
            r.unknownPreset(presetPath, v.toString(), ResiliencePolicies::names());
            return std::nullopt;
        }
        policy = *preset;
    }

    if (object.contains(QStringLiteral("name"))) {
        const QJsonValue v = object.value(QStringLiteral("name"));
        if (!v.isString() || v.toString().isEmpty()) {
            r.expected(join(path, QStringLiteral("name")), QStringLiteral("a non-empty string"), v);
            return std::nullopt;
        }
        policy.name = v.toString();
    } else if (policy.name.isEmpty()) {
        policy.name = defaultName;
    }
    if (object.contains(QStringLiteral("description"))
        && !object.value(QStringLiteral("description")).isString()) {
        r.expected(join(path, QStringLiteral("description")), QStringLiteral("a string"),
            object.value(QStringLiteral("description")));
        return std::nullopt;
    }

    auto section = [&](const char *key) { return object.value(QLatin1StringView(key)); };
    auto sectionPath = [&](const char *key) { return join(path, QLatin1StringView(key)); };
    const bool ok = (!object.contains(QStringLiteral("circuitBreaker"))
                        || r.circuitBreaker(
                            section("circuitBreaker"), sectionPath("circuitBreaker"), &policy.circuitBreaker))
        && (!object.contains(QStringLiteral("retry"))
            || r.retry(section("retry"), sectionPath("retry"), &policy.retry))
        && (!object.contains(QStringLiteral("timeout"))
            || r.timeout(section("timeout"), sectionPath("timeout"), &policy.timeout))
        && (!object.contains(QStringLiteral("bulkhead"))
            || r.bulkhead(section("bulkhead"), sectionPath("bulkhead"), &policy.bulkhead))
        && (!object.contains(QStringLiteral("fallback"))
            || r.fallback(section("fallback"), sectionPath("fallback"), &policy.fallback))
        && (!object.contains(QStringLiteral("order"))
            || (r.order(section("order"), sectionPath("order"), &policy)
                && r.checkOrderCovers(policy, sectionPath("order"))));
    if (!ok)
        return std::nullopt;
    return policy;
}

std::optional<PolicyConfig> parsePolicy(const QByteArray &json, const QString &fileName, LoadError *error)
{
    const JsonSource source(json, fileName);
    const auto doc = source.parse(error);
    if (!doc)
        return std::nullopt;
    if (!doc->isObject()) {
        if (error)
            *error = source.valueError(QString(), QStringLiteral("expected a JSON object at the top level"));
        return std::nullopt;
    }
    QString defaultName = QFileInfo(fileName).completeBaseName();
    if (defaultName.isEmpty())
        defaultName = QStringLiteral("policy");
    return PolicyLoader(source).read(doc->object(), QString(), defaultName, error);
}

std::optional<PolicyConfig> loadPolicyFile(const QString &path, LoadError *error)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        if (error)
            *error
                = LoadError { path, 0, 0, QString(), QStringLiteral("cannot read: ") + file.errorString() };
        return std::nullopt;
    }
    return parsePolicy(file.readAll(), path, error);
}

std::optional<PolicyConfig> loadPolicy(const QString &fileOrPreset, LoadError *error)
{
    const QFileInfo info(fileOrPreset);
    if (info.exists() && !info.isDir())
        return loadPolicyFile(fileOrPreset, error);
    if (auto preset = ResiliencePolicies::byName(fileOrPreset))
        return preset;
    if (error) {
        const QString nearest = nearestName(fileOrPreset, ResiliencePolicies::names());
        *error = LoadError { fileOrPreset, 0, 0, QString(),
            QStringLiteral("no such file, and not a preset name; ")
                + (nearest.isEmpty() ? QString()
                                     : QStringLiteral("did you mean '") + nearest + QStringLiteral("'? "))
                + QStringLiteral("(presets: ") + ResiliencePolicies::names().join(QStringLiteral(", "))
                + u')' };
    }
    return std::nullopt;
}

} // namespace bw
