#pragma once

#include "bulkhead.h"
#include "adaptivethrottle.h"
#include "circuitbreakerconfig.h"
#include "concurrencylimit.h"
#include "hedging.h"
#include "ratelimiter.h"
#include "retry.h"

#include <QList>
#include <QString>
#include <QVariant>

#include <functional>
#include <optional>

namespace bw {

// A pipeline's stages. Adding one is a value here, its name in stageKindName(), its place in
// PolicyConfig::defaultOrder() and a section in PolicyConfig (has()); then the pipeline's
// enter(), onInnerDone() and abortBelow() switches, which the compiler names.
enum class StageKind : std::uint8_t { Fallback, Retry, CircuitBreaker, Bulkhead, Timeout, RateLimiter, Hedging, AdaptiveThrottle, ConcurrencyLimit };
inline constexpr int StageKindCount = int(StageKind::ConcurrencyLimit) + 1;
// "fallback", "retry", "circuitBreaker", "bulkhead", "timeout", "rateLimiter", "hedging",
// "adaptiveThrottle", "concurrencyLimit": the policy file's
// section keys and the names `order` takes.
QLatin1StringView stageKindName(StageKind kind);
std::optional<StageKind> stageKindFromName(QStringView name);

struct TimeoutConfig
{
    Duration timeout = fromMs(30000);
    // When set, a timeout ends the call with this value (outcome fallback) instead of TIMEOUT.
    std::optional<QVariant> fallback;
    std::function<void(Duration elapsed)> onTimeout;
};

struct FallbackConfig
{
    QVariant value;
    // When set, computes the value from the failed result instead of `value`.
    std::function<QVariant(const Result &failed)> function;
};

// The guide's ResilienceConfig plus a name and the pipeline order (docs/semantics.md, docs/formats.md).
// An absent section is off.
struct PolicyConfig
{
    QString name;
    std::optional<CircuitBreakerConfig> circuitBreaker;
    std::optional<RetryConfig> retry;
    std::optional<TimeoutConfig> timeout;
    std::optional<BulkheadConfig> bulkhead;
    std::optional<FallbackConfig> fallback;
    std::optional<RateLimiterConfig> rateLimiter;
    std::optional<HedgingConfig> hedging;
    std::optional<AdaptiveThrottleConfig> adaptiveThrottle;
    std::optional<ConcurrencyLimitConfig> concurrencyLimit;
    // Outermost first; stages whose section is off are skipped.
    QList<StageKind> order = defaultOrder();

    // Resilience4j's order for the rate limiter: inside the breaker and the retry (each attempt
    // needs a permit), outside the bulkhead and the timeout (a wait for a permit is neither a
    // slot held nor the backend's time). The adaptive concurrency limit sits beside the bulkhead,
    // as Netflix's limiter does: it measures the time from its permit to the answer. The adaptive
    // throttle sits just outside the timeout: it counts only requests about to be sent
    // (docs/semantics.md). Hedging is innermost: its parallel
    // attempts are the operation's, inside one pass through the other stages (docs/semantics.md,
    // "Hedging").
    static QList<StageKind> defaultOrder()
    {
        return { StageKind::Fallback, StageKind::Retry, StageKind::CircuitBreaker, StageKind::RateLimiter,
                 StageKind::Bulkhead, StageKind::ConcurrencyLimit, StageKind::AdaptiveThrottle, StageKind::Timeout,
                 StageKind::Hedging };
    }
    bool has(StageKind kind) const;
};

// Whether two policies ask for the same behaviour: every setting and the order, names aside.
// Callbacks (onRetry, predicates, a fallback function, ...) compare by presence only, since
// std::function cannot be compared. Allocates nothing.
bool sameSettings(const PolicyConfig &a, const PolicyConfig &b);

// The guide's ResiliencePolicies presets with its exact values (docs/semantics.md, "Policies").
namespace ResiliencePolicies {
PolicyConfig api();
PolicyConfig ai();
PolicyConfig database();
PolicyConfig external();
PolicyConfig critical();
std::optional<PolicyConfig> byName(QStringView name);
QStringList names();
} // namespace ResiliencePolicies

} // namespace bw
