#include "policyloader.h"

#include "jsonreader.h"
#include "timeoutmanager.h"

#include <QFileInfo>
#include <QJsonArray>

#include <cmath>

namespace bw {

namespace {

// "did you mean 'x'? (presets: a, b)" or "(presets: a, b)".
QString presetList(const QString &name, const QStringList &valid)
{
    const QString nearest = nearestName(name, valid);
    return (nearest.isEmpty() ? QString()
                              : QStringLiteral("did you mean '") + nearest + QStringLiteral("'? "))
        + QStringLiteral("(presets: ") + valid.join(QStringLiteral(", ")) + u')';
}

class Reader : public JsonReader
{
public:
    using JsonReader::JsonReader;

    // Policy durations: non-negative, at most Limits::MaxDurationMs.
    bool durationValue(const QJsonValue &v, const QString &path, Duration *out)
    {
        return duration(v, path, false, MaxDurationMs, out);
    }

    bool readDuration(const QJsonObject &o, const QString &path, const QString &key, Duration *out)
    {
        return JsonReader::readDuration(o, path, key, false, MaxDurationMs, out);
    }

    // Milliseconds for a time window, calls for a count window (a byte of memory each).
    bool readWindowSize(const QJsonObject &o, const QString &path, WindowType type, std::int64_t *out)
    {
        const QString key = QStringLiteral("windowSize");
        const QJsonValue v = o.value(key);
        if (v.isUndefined())
            return true;
        const bool time = type == WindowType::Time;
        const double max = time ? MaxDurationMs : Limits::MaxCount;
        const double d = v.toDouble();
        if (!v.isDouble() || std::floor(d) != d || d < 1 || d > max)
            return expected(keyPath(path, key),
                QStringLiteral("a positive integer of at most ") + QString::number(max, 'g', 12)
                    + (time ? QStringLiteral(" (ms, a time window)") : QStringLiteral(" (calls, a count window)")),
                v);
        *out = std::int64_t(d);
        return true;
    }

    bool readStrings(const QJsonObject &o, const QString &path, const QString &key, QStringList *out)
    {
        const QJsonValue v = o.value(key);
        if (v.isUndefined())
            return true;
        const QString p = keyPath(path, key);
        if (!v.isArray())
            return expected(p, QStringLiteral("an array of error codes"), v);
        QStringList list;
        const QJsonArray array = v.toArray();
        for (qsizetype i = 0; i < array.size(); ++i) {
            const QJsonValue item = array.at(i);
            if (!item.isString() || item.toString().isEmpty())
                return expected(indexPath(p, i), QStringLiteral("a non-empty string"), item);
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

    bool unknownPreset(const QString &path, const QString &name, const QStringList &valid)
    {
        return valueFail(path,
            QStringLiteral("unknown preset '") + name + QStringLiteral("'; ") + presetList(name, valid));
    }

    bool missingInPreset(const QString &path, const QString &preset, const QString &section)
    {
        return valueFail(path,
            QStringLiteral("preset '") + preset + QStringLiteral("' has no ") + section
                + QStringLiteral(" section; use false to turn it off"));
    }

    // --- sections -------------------------------------------------------------------------

    // Reads the section `key` of `object`, if it is there, with `read`.
    template<typename T>
    bool section(const QJsonObject &object, const QString &path, const QString &key,
        bool (Reader::*read)(const QJsonValue &, const QString &, T *), T *out)
    {
        return !object.contains(key) || (this->*read)(object.value(key), keyPath(path, key), out);
    }

    // true turns a section on (the base's if there is one, else `defaults`); false turns it off.
    template<typename T> static bool toggle(bool on, const T &defaults, std::optional<T> *out)
    {
        if (!on)
            out->reset();
        else if (!out->has_value())
            *out = defaults;
        return true;
    }

    // A section given by name: that section of the policy preset `name`; `valid` lists the names
    // the section takes, for the message when `name` is not one.
    template<typename T>
    bool presetSection(const QString &p, const QString &name, std::optional<T> PolicyConfig::*section,
        const QString &sectionName, const QStringList &valid, std::optional<T> *out)
    {
        const auto preset = ResiliencePolicies::byName(name);
        if (!preset)
            return unknownPreset(p, name, valid);
        if (!((*preset).*section))
            return missingInPreset(p, name, sectionName);
        *out = (*preset).*section;
        return true;
    }

    // A section given as an object: one with only `keys`; anything else is not `what` was expected.
    bool sectionObject(
        const QJsonValue &v, const QString &p, const QString &what, const QStringList &keys, QJsonObject *out)
    {
        if (!v.isObject())
            return expected(p, what, v);
        *out = v.toObject();
        return checkKeys(*out, p, keys);
    }

    static CircuitBreakerConfig defaultBreaker()
    {
        CircuitBreakerConfig c;
        c.slowCallRateThreshold = 0; // policies: off unless set (docs/semantics.md)
        return c;
    }

    bool circuitBreaker(const QJsonValue &v, const QString &p, std::optional<CircuitBreakerConfig> *out)
    {
        if (v.isBool())
            return toggle(v.toBool(), defaultBreaker(), out);
        if (v.isString())
            return presetSection(p, v.toString(), &PolicyConfig::circuitBreaker,
                QStringLiteral("circuitBreaker"), ResiliencePolicies::names(), out);
        QJsonObject o;
        if (!sectionObject(v, p, QStringLiteral("an object, true, false or a preset name"),
                PolicyLoader::circuitBreakerKeys(), &o))
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
            && readWindowSize(o, p, windowType, &c.windowSize)
            && readCodes(o, p, QStringLiteral("recordErrors"), &c.recordErrors)
            && readCodes(o, p, QStringLiteral("ignoreErrors"), &c.ignoreErrors);
        if (!ok)
            return false;
        c.windowType = windowType;
        *out = c;
        return true;
    }

    // A section that is true, false or an object of `keys` only, whose fields `readFields` reads
    // over the base section (or the defaults): the shape of every section without presets, so a
    // new strategy's section is its keys and its fields.
    template<typename T, typename ReadFields>
    bool plainSection(const QJsonValue &v, const QString &p, const QStringList &keys, std::optional<T> *out,
        ReadFields readFields)
    {
        if (v.isBool())
            return toggle(v.toBool(), T {}, out);
        QJsonObject o;
        if (!sectionObject(v, p, QStringLiteral("an object, true or false"), keys, &o))
            return false;
        T c = out->value_or(T {});
        if (!readFields(o, c))
            return false;
        *out = std::move(c);
        return true;
    }

    bool budget(const QJsonValue &v, const QString &p, std::optional<RetryBudgetConfig> *out)
    {
        return plainSection(v, p, { QStringLiteral("ratio"), QStringLiteral("minPerSecond") }, out,
            [&](const QJsonObject &o, RetryBudgetConfig &b) {
                return readNumber(o, p, QStringLiteral("ratio"), 0, 1e6, QStringLiteral("a non-negative number"),
                           &b.ratio)
                    && readNumber(o, p, QStringLiteral("minPerSecond"), 0, Limits::MaxRate,
                        QStringLiteral("a non-negative number of at most ") + QString::number(Limits::MaxRate, 'g', 12),
                        &b.minPerSecond);
            });
    }

    // Tokens: whole numbers ≥ 0, at most Limits::MaxCount.
    bool quota(const QJsonValue &v, const QString &p, std::optional<RetryQuotaConfig> *out)
    {
        return plainSection(v, p, PolicyLoader::retryQuotaKeys(), out, [&](const QJsonObject &o, RetryQuotaConfig &q) {
            return readInt(o, p, QStringLiteral("capacity"), 0, &q.capacity)
                && readInt(o, p, QStringLiteral("retryCost"), 0, &q.retryCost)
                && readInt(o, p, QStringLiteral("timeoutCost"), 0, &q.timeoutCost)
                && readInt(o, p, QStringLiteral("successRefill"), 0, &q.successRefill);
        });
    }

    bool retry(const QJsonValue &v, const QString &p, std::optional<RetryConfig> *out)
    {
        if (v.isBool())
            return toggle(v.toBool(), RetryConfig {}, out);
        if (v.isString()) {
            const QString name = v.toString();
            if (auto r = RetryPolicies::byName(name)) {
                *out = std::move(*r);
                return true;
            }
            return presetSection(p, name, &PolicyConfig::retry, QStringLiteral("retry"),
                RetryPolicies::names() + ResiliencePolicies::names(), out);
        }
        QJsonObject o;
        if (!sectionObject(v, p, QStringLiteral("an object, true, false or a preset name"),
                PolicyLoader::retryKeys(), &o))
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
        if (!section(o, p, QStringLiteral("budget"), &Reader::budget, &c.budget)
            || !section(o, p, QStringLiteral("quota"), &Reader::quota, &c.quota))
            return false;
        c.backoff = backoff;
        if (o.contains(QStringLiteral("retryableErrors")))
            c.retryableErrors = retryable;
        *out = std::move(c);
        return true;
    }

    bool timeout(const QJsonValue &v, const QString &p, std::optional<TimeoutConfig> *out)
    {
        if (v.isBool())
            return toggle(v.toBool(), TimeoutConfig {}, out);
        if (v.isDouble()) {
            TimeoutConfig t = out->value_or(TimeoutConfig {});
            if (!durationValue(v, p, &t.timeout))
                return false;
            *out = std::move(t);
            return true;
        }
        if (v.isString()) {
            // A policy preset's timeout section first, then a TimeoutManager name.
            const QString name = v.toString();
            const QMap<QString, int> named = TimeoutManager::guideDefaults();
            if (named.contains(name) && !ResiliencePolicies::byName(name)) {
                TimeoutConfig t;
                t.timeout = fromMs(named.value(name));
                *out = std::move(t);
                return true;
            }
            return presetSection(p, name, &PolicyConfig::timeout, QStringLiteral("timeout"),
                ResiliencePolicies::names() + named.keys(), out);
        }
        QJsonObject o;
        if (!sectionObject(v, p,
                QStringLiteral("a duration in milliseconds, an object, true, false or a preset name"),
                { QStringLiteral("timeout"), QStringLiteral("fallback") }, &o))
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
        if (v.isBool())
            return toggle(v.toBool(), BulkheadConfig {}, out);
        if (v.isString())
            return presetSection(p, v.toString(), &PolicyConfig::bulkhead, QStringLiteral("bulkhead"),
                ResiliencePolicies::names(), out);
        QJsonObject o;
        if (!sectionObject(v, p, QStringLiteral("an object, true, false or a preset name"),
                PolicyLoader::bulkheadKeys(), &o))
            return false;
        BulkheadConfig b = out->value_or(BulkheadConfig {});
        if (!readInt(o, p, QStringLiteral("maxConcurrent"), 1, &b.maxConcurrent)
            || !readInt(o, p, QStringLiteral("maxQueueSize"), 0, &b.maxQueueSize)
            || !readDuration(o, p, QStringLiteral("timeout"), &b.timeout))
            return false;
        *out = std::move(b);
        return true;
    }

    bool rateLimiter(const QJsonValue &v, const QString &p, std::optional<RateLimiterConfig> *out)
    {
        // A period of 0 would admit without limit: it must be positive, as the limit is at least
        // one call.
        return plainSection(v, p, PolicyLoader::rateLimiterKeys(), out, [&](const QJsonObject &o, RateLimiterConfig &r) {
            return readInt(o, p, QStringLiteral("limitForPeriod"), 1, &r.limitForPeriod)
                && JsonReader::readDuration(o, p, QStringLiteral("refreshPeriodMs"), true, MaxDurationMs, &r.refreshPeriod)
                && (r.refreshPeriod > Duration::zero() // what rounds to 0 ns
                    || expected(keyPath(p, QStringLiteral("refreshPeriodMs")), QStringLiteral("at least 0.000001 (1 ns)"),
                        o.value(QStringLiteral("refreshPeriodMs"))))
                && readDuration(o, p, QStringLiteral("timeoutMs"), &r.timeout);
        });
    }

    bool hedging(const QJsonValue &v, const QString &p, std::optional<HedgingConfig> *out)
    {
        return plainSection(v, p, PolicyLoader::hedgingKeys(), out, [&](const QJsonObject &o, HedgingConfig &h) {
            return readInt(o, p, QStringLiteral("maxHedgedAttempts"), 1, &h.maxHedgedAttempts)
                && (h.maxHedgedAttempts <= HedgingConfig::MaxHedgedAttempts
                    || expected(keyPath(p, QStringLiteral("maxHedgedAttempts")),
                        QStringLiteral("an integer from 1 to %1").arg(HedgingConfig::MaxHedgedAttempts),
                        o.value(QStringLiteral("maxHedgedAttempts"))))
                && readDuration(o, p, QStringLiteral("delayMs"), &h.delay);
        });
    }

    // Netflix concurrency-limits' names. `algorithm` picks the library's defaults for that
    // algorithm (over the base section's when it is the same algorithm); the keys of another
    // algorithm are refused rather than ignored.
    bool concurrencyLimit(const QJsonValue &v, const QString &p, std::optional<ConcurrencyLimitConfig> *out)
    {
        if (v.isBool())
            return toggle(v.toBool(), ConcurrencyLimitConfig {}, out);
        if (!v.isObject())
            return expected(p, QStringLiteral("an object, true or false"), v);
        const QJsonObject o = v.toObject();
        ConcurrencyLimitConfig c = out->value_or(ConcurrencyLimitConfig {});
        LimitAlgorithm algorithm = c.algorithm;
        if (!readEnum<LimitAlgorithm>(o, p, QStringLiteral("algorithm"), limitAlgorithmNames(),
                { LimitAlgorithm::Vegas, LimitAlgorithm::Gradient2, LimitAlgorithm::Aimd }, &algorithm))
            return false;
        if (algorithm != c.algorithm)
            c = ConcurrencyLimitConfig::defaultsFor(algorithm);
        const QStringList mine = PolicyLoader::concurrencyLimitKeys(algorithm);
        for (const QString &key : keysInFileOrder(o, p)) {
            for (LimitAlgorithm other : { LimitAlgorithm::Vegas, LimitAlgorithm::Gradient2, LimitAlgorithm::Aimd })
                if (!mine.contains(key) && PolicyLoader::concurrencyLimitKeys(other).contains(key))
                    return keyFail(keyPath(p, key),
                        QStringLiteral("applies to algorithm '%1', not '%2'")
                            .arg(limitAlgorithmName(other), limitAlgorithmName(algorithm)));
        }
        if (!checkKeys(o, p, mine))
            return false;
        const QString initial = QStringLiteral("initialLimit"), min = QStringLiteral("minLimit"),
                      max = QStringLiteral("maxLimit");
        const bool ok = readInt(o, p, initial, 1, &c.initialLimit) && readInt(o, p, min, 1, &c.minLimit)
            && readInt(o, p, max, 1, &c.maxLimit)
            && readNumber(o, p, QStringLiteral("smoothing"), 0.001, 1, QStringLiteral("a number from 0.001 to 1"),
                &c.smoothing)
            && readNumber(o, p, QStringLiteral("rttTolerance"), 1, 1e6, QStringLiteral("a number >= 1"), &c.rttTolerance)
            && readInt(o, p, QStringLiteral("longWindow"), 1, &c.longWindow)
            && readInt(o, p, QStringLiteral("queueSize"), 0, &c.queueSize)
            && readNumber(o, p, QStringLiteral("backoffRatio"), 0.5, 0.999,
                QStringLiteral("a number from 0.5 to 0.999"), &c.backoffRatio)
            && JsonReader::readDuration(o, p, QStringLiteral("timeoutMs"), true, MaxDurationMs, &c.timeout)
            && readInt(o, p, QStringLiteral("probeMultiplier"), 1, &c.probeMultiplier);
        if (!ok)
            return false;
        // The limit starts within its bounds: name the key that breaks them.
        if (c.minLimit > c.maxLimit)
            return valueFail(keyPath(p, o.contains(max) ? max : min),
                QStringLiteral("minLimit %1 is above maxLimit %2").arg(c.minLimit).arg(c.maxLimit));
        if (c.initialLimit < c.minLimit || c.initialLimit > c.maxLimit)
            return valueFail(keyPath(p, o.contains(initial) ? initial : o.contains(min) ? min : max),
                QStringLiteral("initialLimit %1 is outside [minLimit %2, maxLimit %3]")
                    .arg(c.initialLimit).arg(c.minLimit).arg(c.maxLimit));
        *out = c;
        return true;
    }

    // k below 1 would reject requests the backend accepts; a window that rounds to 0 ns holds nothing.
    bool adaptiveThrottle(const QJsonValue &v, const QString &p, std::optional<AdaptiveThrottleConfig> *out)
    {
        return plainSection(v, p, PolicyLoader::adaptiveThrottleKeys(), out, [&](const QJsonObject &o, AdaptiveThrottleConfig &t) {
            return readNumber(o, p, QStringLiteral("k"), 1, 1e6, QStringLiteral("a number >= 1"), &t.k)
                && JsonReader::readDuration(o, p, QStringLiteral("windowMs"), true, MaxDurationMs, &t.window)
                && (t.window > Duration::zero()
                    || expected(keyPath(p, QStringLiteral("windowMs")), QStringLiteral("at least 0.000001 (1 ns)"),
                        o.value(QStringLiteral("windowMs"))));
        });
    }

    bool fallback(const QJsonValue &v, const QString &p, std::optional<FallbackConfig> *out)
    {
        if (v.isBool())
            return toggle(v.toBool(), FallbackConfig {}, out);
        QJsonObject o;
        if (!sectionObject(v, p, QStringLiteral("an object ({\"value\": ...}), true or false"),
                { QStringLiteral("value") }, &o))
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
            const QString ip = indexPath(p, i);
            const QJsonValue item = array.at(i);
            if (!item.isString())
                return expected(ip, QStringLiteral("a stage name"), item);
            const auto kind = stageKindFromName(item.toString());
            if (!kind)
                return valueFail(ip,
                    QStringLiteral("unknown stage ") + describeJsonValue(item) + QStringLiteral("; ")
                        + suggestion(item.toString(), names));
            if (order.contains(*kind))
                return valueFail(ip, QStringLiteral("duplicate stage '") + item.toString() + u'\'');
            order << *kind;
        }
        policy->order = order;
        return checkOrderCovers(*policy, p) && checkHedgingInnermost(*policy, p);
    }

    // Hedging's parallel attempts are the operation's (docs/semantics.md, "Hedging"): a stage
    // listed inside it would still be passed once for them all, not once each as it reads.
    bool checkHedgingInnermost(const PolicyConfig &policy, const QString &p)
    {
        if (!policy.hedging)
            return true;
        const qsizetype at = policy.order.indexOf(StageKind::Hedging);
        for (qsizetype i = at + 1; i < policy.order.size(); ++i) {
            if (policy.has(policy.order[i]))
                return valueFail(indexPath(p, at),
                    QStringLiteral("stage 'hedging' must be the innermost stage that is on (after '")
                        + stageKindName(policy.order[i]) + QStringLiteral("'): its attempts are the operation's"));
        }
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
};

} // namespace

QStringList PolicyLoader::topLevelKeys()
{
    return { QStringLiteral("name"), QStringLiteral("description"), QStringLiteral("policy"),
        QStringLiteral("circuitBreaker"), QStringLiteral("retry"), QStringLiteral("timeout"),
        QStringLiteral("bulkhead"), QStringLiteral("fallback"), QStringLiteral("rateLimiter"), QStringLiteral("hedging"),
        QStringLiteral("adaptiveThrottle"), QStringLiteral("concurrencyLimit"), QStringLiteral("order") };
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
        QStringLiteral("respectRetryAfter"), QStringLiteral("budget"), QStringLiteral("quota") };
}

QStringList PolicyLoader::retryQuotaKeys()
{
    return { QStringLiteral("capacity"), QStringLiteral("retryCost"), QStringLiteral("timeoutCost"),
        QStringLiteral("successRefill") };
}

QStringList PolicyLoader::rateLimiterKeys()
{
    return { QStringLiteral("limitForPeriod"), QStringLiteral("refreshPeriodMs"), QStringLiteral("timeoutMs") };
}

QStringList PolicyLoader::hedgingKeys()
{
    return { QStringLiteral("maxHedgedAttempts"), QStringLiteral("delayMs") };
}

QStringList PolicyLoader::concurrencyLimitKeys(LimitAlgorithm algorithm)
{
    QStringList keys { QStringLiteral("algorithm"), QStringLiteral("initialLimit"), QStringLiteral("minLimit"),
        QStringLiteral("maxLimit") };
    switch (algorithm) {
    case LimitAlgorithm::Gradient2:
        return keys + QStringList { QStringLiteral("smoothing"), QStringLiteral("rttTolerance"),
                   QStringLiteral("longWindow"), QStringLiteral("queueSize") };
    case LimitAlgorithm::Aimd:
        return keys + QStringList { QStringLiteral("backoffRatio"), QStringLiteral("timeoutMs") };
    case LimitAlgorithm::Vegas:
        return keys + QStringList { QStringLiteral("smoothing"), QStringLiteral("probeMultiplier") };
    }
    return keys;
}

QStringList PolicyLoader::adaptiveThrottleKeys()
{
    return { QStringLiteral("k"), QStringLiteral("windowMs") };
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
    const QString presetPath = keyPath(path, QStringLiteral("policy"));
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

    QString description; // checked, not kept
    if (!r.readString(object, path, QStringLiteral("name"), true, &policy.name)
        || !r.readString(object, path, QStringLiteral("description"), false, &description))
        return std::nullopt;
    if (!object.contains(QStringLiteral("name")) && policy.name.isEmpty())
        policy.name = defaultName;

    const bool ok = r.section(object, path, QStringLiteral("circuitBreaker"), &Reader::circuitBreaker,
                        &policy.circuitBreaker)
        && r.section(object, path, QStringLiteral("retry"), &Reader::retry, &policy.retry)
        && r.section(object, path, QStringLiteral("timeout"), &Reader::timeout, &policy.timeout)
        && r.section(object, path, QStringLiteral("bulkhead"), &Reader::bulkhead, &policy.bulkhead)
        && r.section(object, path, QStringLiteral("fallback"), &Reader::fallback, &policy.fallback)
        && r.section(object, path, QStringLiteral("rateLimiter"), &Reader::rateLimiter, &policy.rateLimiter)
        && r.section(object, path, QStringLiteral("hedging"), &Reader::hedging, &policy.hedging)
        && r.section(object, path, QStringLiteral("adaptiveThrottle"), &Reader::adaptiveThrottle, &policy.adaptiveThrottle)
        && r.section(object, path, QStringLiteral("concurrencyLimit"), &Reader::concurrencyLimit, &policy.concurrencyLimit)
        && r.section(object, path, QStringLiteral("order"), &Reader::order, &policy);
    if (!ok)
        return std::nullopt;
    return policy;
}

std::optional<PolicyConfig> parsePolicy(const QByteArray &json, const QString &fileName, LoadError *error)
{
    const JsonSource source(json, fileName);
    const std::optional<QJsonObject> object = parseJsonObject(source, error);
    if (!object)
        return std::nullopt;
    QString defaultName = QFileInfo(fileName).completeBaseName();
    if (defaultName.isEmpty())
        defaultName = QStringLiteral("policy");
    return PolicyLoader(source).read(*object, QString(), defaultName, error);
}

std::optional<PolicyConfig> loadPolicyFile(const QString &path, LoadError *error)
{
    const std::optional<QByteArray> json = readJsonFile(path, error);
    if (!json)
        return std::nullopt;
    return parsePolicy(*json, path, error);
}

std::optional<PolicyConfig> loadPolicy(const QString &fileOrPreset, LoadError *error)
{
    const QFileInfo info(fileOrPreset);
    if (info.exists() && !info.isDir())
        return loadPolicyFile(fileOrPreset, error);
    if (auto preset = ResiliencePolicies::byName(fileOrPreset))
        return preset;
    if (error)
        *error = LoadError { fileOrPreset, 0, 0, QString(),
            QStringLiteral("no such file, and not a preset name; ")
                + presetList(fileOrPreset, ResiliencePolicies::names()) };
    return std::nullopt;
}

} // namespace bw
