#include "policywriter.h"

#include "policyloader.h"

#include <QJsonArray>

namespace bw {

namespace {

QJsonArray codes(const QList<ErrorCode> &list)
{
    QJsonArray out;
    for (ErrorCode c : list)
        out.append(c.toString());
    return out;
}

QJsonObject breakerJson(const CircuitBreakerConfig &c)
{
    return QJsonObject {
        { QStringLiteral("failureThreshold"), c.failureThreshold },
        { QStringLiteral("failureRateThreshold"), c.failureRateThreshold },
        { QStringLiteral("volumeThreshold"), c.volumeThreshold },
        { QStringLiteral("slowCallDurationThreshold"), toMs(c.slowCallDurationThreshold) },
        { QStringLiteral("slowCallRateThreshold"), c.slowCallRateThreshold },
        { QStringLiteral("successThreshold"), c.successThreshold },
        { QStringLiteral("halfOpenMaxCalls"), c.halfOpenMaxCalls },
        { QStringLiteral("timeout"), toMs(c.timeout) },
        { QStringLiteral("resetTimeout"), toMs(c.resetTimeout) },
        { QStringLiteral("resetTimeoutMultiplier"), c.resetTimeoutMultiplier },
        { QStringLiteral("maxResetTimeout"), toMs(c.maxResetTimeout) },
        { QStringLiteral("windowType"), c.windowType == WindowType::Time ? QStringLiteral("time") : QStringLiteral("count") },
        { QStringLiteral("windowSize"), double(c.windowSize) },
        { QStringLiteral("recordErrors"), codes(c.recordErrors) },
        { QStringLiteral("ignoreErrors"), codes(c.ignoreErrors) },
    };
}

QJsonObject retryJson(const RetryConfig &c)
{
    QJsonObject o {
        { QStringLiteral("maxAttempts"), c.maxAttempts },
        { QStringLiteral("initialDelay"), toMs(c.initialDelay) },
        { QStringLiteral("maxDelay"), toMs(c.maxDelay) },
        { QStringLiteral("backoffMultiplier"), c.backoffMultiplier },
        { QStringLiteral("backoff"), c.backoff == Backoff::Linear ? QStringLiteral("linear") : QStringLiteral("exponential") },
        { QStringLiteral("linearIncrement"), toMs(c.linearIncrement) },
        { QStringLiteral("jitter"), c.jitter },
        { QStringLiteral("timeout"), toMs(c.timeout) },
        { QStringLiteral("respectRetryAfter"), c.respectRetryAfter },
    };
    if (c.retryableErrors)
        o.insert(QStringLiteral("retryableErrors"), QJsonArray::fromStringList(*c.retryableErrors));
    if (c.budget)
        o.insert(QStringLiteral("budget"),
                 QJsonObject { { QStringLiteral("ratio"), c.budget->ratio }, { QStringLiteral("minPerSecond"), c.budget->minPerSecond } });
    if (c.quota)
        o.insert(QStringLiteral("quota"), QJsonObject { { QStringLiteral("capacity"), c.quota->capacity },
                                                        { QStringLiteral("retryCost"), c.quota->retryCost },
                                                        { QStringLiteral("timeoutCost"), c.quota->timeoutCost },
                                                        { QStringLiteral("successRefill"), c.quota->successRefill } });
    return o;
}

} // namespace

QJsonObject policyToJson(const PolicyConfig &p)
{
    QJsonObject o;
    o.insert(QStringLiteral("name"), p.name);
    o.insert(QStringLiteral("circuitBreaker"), p.circuitBreaker ? QJsonValue(breakerJson(*p.circuitBreaker)) : QJsonValue(false));
    o.insert(QStringLiteral("retry"), p.retry ? QJsonValue(retryJson(*p.retry)) : QJsonValue(false));
    if (p.timeout) {
        QJsonObject t { { QStringLiteral("timeout"), toMs(p.timeout->timeout) } };
        if (p.timeout->fallback)
            t.insert(QStringLiteral("fallback"), QJsonValue::fromVariant(*p.timeout->fallback));
        o.insert(QStringLiteral("timeout"), t);
    } else {
        o.insert(QStringLiteral("timeout"), false);
    }
    if (p.bulkhead)
        o.insert(QStringLiteral("bulkhead"), QJsonObject { { QStringLiteral("maxConcurrent"), p.bulkhead->maxConcurrent },
                                                           { QStringLiteral("maxQueueSize"), p.bulkhead->maxQueueSize },
                                                           { QStringLiteral("timeout"), toMs(p.bulkhead->timeout) } });
    else
        o.insert(QStringLiteral("bulkhead"), false);
    if (p.fallback)
        o.insert(QStringLiteral("fallback"), QJsonObject { { QStringLiteral("value"), QJsonValue::fromVariant(p.fallback->value) } });
    else
        o.insert(QStringLiteral("fallback"), false);
    // Written only when on, so that files of policies without it read as before.
    if (p.rateLimiter)
        o.insert(QStringLiteral("rateLimiter"), QJsonObject { { QStringLiteral("limitForPeriod"), p.rateLimiter->limitForPeriod },
                                                              { QStringLiteral("refreshPeriodMs"), toMs(p.rateLimiter->refreshPeriod) },
                                                              { QStringLiteral("timeoutMs"), toMs(p.rateLimiter->timeout) } });
    if (p.hedging)
        o.insert(QStringLiteral("hedging"), QJsonObject { { QStringLiteral("maxHedgedAttempts"), p.hedging->maxHedgedAttempts },
                                                          { QStringLiteral("delayMs"), toMs(p.hedging->delay) } });
    if (p.adaptiveThrottle)
        o.insert(QStringLiteral("adaptiveThrottle"), QJsonObject { { QStringLiteral("k"), p.adaptiveThrottle->k },
                                                                   { QStringLiteral("windowMs"), toMs(p.adaptiveThrottle->window) } });
    if (p.concurrencyLimit) {
        // Only the algorithm's own keys, as the loader takes them.
        const ConcurrencyLimitConfig &c = *p.concurrencyLimit;
        const QJsonObject every { { QStringLiteral("algorithm"), QString(limitAlgorithmName(c.algorithm)) },
            { QStringLiteral("initialLimit"), c.initialLimit }, { QStringLiteral("minLimit"), c.minLimit },
            { QStringLiteral("maxLimit"), c.maxLimit }, { QStringLiteral("smoothing"), c.smoothing },
            { QStringLiteral("rttTolerance"), c.rttTolerance }, { QStringLiteral("longWindow"), c.longWindow },
            { QStringLiteral("queueSize"), c.queueSize }, { QStringLiteral("backoffRatio"), c.backoffRatio },
            { QStringLiteral("timeoutMs"), toMs(c.timeout) }, { QStringLiteral("probeMultiplier"), c.probeMultiplier } };
        QJsonObject section;
        for (const QString &key : PolicyLoader::concurrencyLimitKeys(c.algorithm))
            section.insert(key, every.value(key));
        o.insert(QStringLiteral("concurrencyLimit"), section);
    }
    QJsonArray order;
    for (StageKind k : p.order)
        if (p.has(k))
            order.append(QString(stageKindName(k)));
    o.insert(QStringLiteral("order"), order);
    return o;
}

namespace {

QString shortValue(const QJsonValue &v)
{
    if (v.isDouble())
        return QString::number(v.toDouble(), 'g', 10);
    if (v.isBool())
        return v.toBool() ? QStringLiteral("true") : QStringLiteral("false");
    if (v.isString())
        return v.toString();
    if (v.isArray()) {
        QStringList items;
        for (const QJsonValue &item : v.toArray())
            items.append(shortValue(item));
        return u'[' + items.join(QStringLiteral(", ")) + u']';
    }
    return QStringLiteral("…");
}

void diff(const QString &path, const QJsonObject &a, const QJsonObject &b, QStringList *out)
{
    QStringList keys = a.keys() + b.keys();
    keys.removeDuplicates();
    for (const QString &key : std::as_const(keys)) {
        const QJsonValue va = a.value(key), vb = b.value(key);
        if (va == vb || key == u"name")
            continue;
        const QString here = path.isEmpty() ? key : path + u'.' + key;
        if (va.isObject() && vb.isObject())
            diff(here, va.toObject(), vb.toObject(), out);
        else if (va.isUndefined() || (va.isBool() && !va.toBool() && vb.isObject()))
            out->append(here + QStringLiteral(" on"));
        else if (vb.isUndefined() || (vb.isBool() && !vb.toBool() && va.isObject()))
            out->append(here + QStringLiteral(" off"));
        else if (key == u"order") {
            // The order lists the stages that are on: a stage switched on or off is reported
            // already; only a move among the stages on both sides is news.
            QStringList x = va.toVariant().toStringList(), y = vb.toVariant().toStringList();
            x.removeIf([&](const QString &k) { return !y.contains(k); });
            y.removeIf([&](const QString &k) { return !x.contains(k); });
            if (x != y)
                out->append(QStringLiteral("%1 %2 → %3").arg(here, x.join(u'>'), y.join(u'>')));
        }
        else
            out->append(QStringLiteral("%1 %2 → %3").arg(here, shortValue(va), shortValue(vb)));
    }
}

} // namespace

QStringList policyChanges(const PolicyConfig &before, const PolicyConfig &after)
{
    QStringList out;
    diff(QString(), policyToJson(before), policyToJson(after), &out);
    return out;
}

} // namespace bw
