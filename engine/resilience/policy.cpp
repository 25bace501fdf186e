#include "policy.h"

namespace bw {

QLatin1StringView stageKindName(StageKind kind)
{
    switch (kind) {
    case StageKind::Fallback: return QLatin1StringView("fallback");
    case StageKind::Retry: return QLatin1StringView("retry");
    case StageKind::CircuitBreaker: return QLatin1StringView("circuitBreaker");
    case StageKind::Bulkhead: return QLatin1StringView("bulkhead");
    case StageKind::Timeout: return QLatin1StringView("timeout");
    case StageKind::RateLimiter: return QLatin1StringView("rateLimiter");
    case StageKind::Hedging: return QLatin1StringView("hedging");
    case StageKind::AdaptiveThrottle: return QLatin1StringView("adaptiveThrottle");
    case StageKind::ConcurrencyLimit: return QLatin1StringView("concurrencyLimit");
    }
    return QLatin1StringView("fallback");
}

std::optional<StageKind> stageKindFromName(QStringView name)
{
    for (StageKind k : PolicyConfig::defaultOrder())
        if (name == stageKindName(k))
            return k;
    return std::nullopt;
}

bool PolicyConfig::has(StageKind kind) const
{
    switch (kind) {
    case StageKind::Fallback: return fallback.has_value();
    case StageKind::Retry: return retry.has_value();
    case StageKind::CircuitBreaker: return circuitBreaker.has_value();
    case StageKind::Bulkhead: return bulkhead.has_value();
    case StageKind::Timeout: return timeout.has_value();
    case StageKind::RateLimiter: return rateLimiter.has_value();
    case StageKind::Hedging: return hedging.has_value();
    case StageKind::AdaptiveThrottle: return adaptiveThrottle.has_value();
    case StageKind::ConcurrencyLimit: return concurrencyLimit.has_value();
    }
    return false;
}

namespace {

bool sameRetry(const RetryConfig &a, const RetryConfig &b)
{
    return a.maxAttempts == b.maxAttempts && a.initialDelay == b.initialDelay && a.maxDelay == b.maxDelay
            && a.backoffMultiplier == b.backoffMultiplier && a.backoff == b.backoff
            && a.linearIncrement == b.linearIncrement && a.jitter == b.jitter && a.retryableErrors == b.retryableErrors
            && bool(a.retryablePredicate) == bool(b.retryablePredicate) && bool(a.onRetry) == bool(b.onRetry)
            && a.timeout == b.timeout && a.respectRetryAfter == b.respectRetryAfter && a.budget == b.budget
            && a.quota == b.quota;
}

bool sameTimeout(const TimeoutConfig &a, const TimeoutConfig &b)
{
    return a.timeout == b.timeout && a.fallback == b.fallback && bool(a.onTimeout) == bool(b.onTimeout);
}

bool sameBulkhead(const BulkheadConfig &a, const BulkheadConfig &b)
{
    return a.maxConcurrent == b.maxConcurrent && a.maxQueueSize == b.maxQueueSize && a.timeout == b.timeout
            && bool(a.onReject) == bool(b.onReject);
}

bool sameFallback(const FallbackConfig &a, const FallbackConfig &b)
{
    return a.value == b.value && bool(a.function) == bool(b.function);
}

// Both absent, or both present and the same.
template<typename T, typename Same>
bool sameSection(const std::optional<T> &a, const std::optional<T> &b, Same same)
{
    return a.has_value() == b.has_value() && (!a || same(*a, *b));
}

} // namespace

bool sameSettings(const PolicyConfig &a, const PolicyConfig &b)
{
    return a.order == b.order && a.circuitBreaker == b.circuitBreaker && sameSection(a.retry, b.retry, sameRetry)
            && sameSection(a.timeout, b.timeout, sameTimeout) && sameSection(a.bulkhead, b.bulkhead, sameBulkhead)
            && sameSection(a.fallback, b.fallback, sameFallback) && a.rateLimiter == b.rateLimiter
            && a.hedging == b.hedging && a.adaptiveThrottle == b.adaptiveThrottle
            && a.concurrencyLimit == b.concurrencyLimit;
}

namespace ResiliencePolicies {

namespace {

PolicyConfig make(const char *name, int failureThreshold, int resetTimeoutMs, RetryConfig retry, int timeoutMs,
                  int maxConcurrent, int maxQueueSize)
{
    PolicyConfig p;
    p.name = QString::fromLatin1(name);
    if (failureThreshold > 0) {
        CircuitBreakerConfig b;
        b.failureThreshold = failureThreshold;
        b.resetTimeout = fromMs(resetTimeoutMs);
        b.slowCallRateThreshold = 0; // policies: off unless set (docs/semantics.md)
        p.circuitBreaker = b;
    }
    p.retry = std::move(retry);
    TimeoutConfig t;
    t.timeout = fromMs(timeoutMs);
    p.timeout = t;
    BulkheadConfig bh;
    bh.maxConcurrent = maxConcurrent;
    bh.maxQueueSize = maxQueueSize;
    p.bulkhead = bh;
    return p;
}

} // namespace

PolicyConfig api()
{
    return make("api", 5, 60000, RetryPolicies::exponential(3, 1000), 30000, 50, 100);
}

PolicyConfig ai()
{
    RetryConfig retry = RetryPolicies::exponential(3, 2000, 30000);
    retry.retryableErrors = QStringList { QStringLiteral("RATE_LIMIT"), QStringLiteral("TIMEOUT"), QStringLiteral("429"),
                                          QStringLiteral("503") };
    PolicyConfig p = make("ai", 3, 120000, retry, 120000, 10, 50);
    p.circuitBreaker->timeout = fromMs(120000);
    return p;
}

PolicyConfig database()
{
    return make("database", 10, 30000, RetryPolicies::exponential(3, 500), 30000, 100, 200);
}

PolicyConfig external()
{
    PolicyConfig p = make("external", 5, 60000, RetryPolicies::network(), 15000, 20, 50);
    p.circuitBreaker->failureRateThreshold = 0.5;
    return p;
}

PolicyConfig critical()
{
    return make("critical", 0, 0, RetryPolicies::exponential(5, 1000), 60000, 5, 10);
}

std::optional<PolicyConfig> byName(QStringView name)
{
    if (name == u"api")
        return api();
    if (name == u"ai")
        return ai();
    if (name == u"database")
        return database();
    if (name == u"external")
        return external();
    if (name == u"critical")
        return critical();
    return std::nullopt;
}

QStringList names()
{
    return { QStringLiteral("api"), QStringLiteral("ai"), QStringLiteral("database"), QStringLiteral("external"),
             QStringLiteral("critical") };
}

} // namespace ResiliencePolicies

} // namespace bw
