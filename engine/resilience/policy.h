#pragma once

#include "bulkhead.h"
#include "circuitbreakerconfig.h"
#include "retry.h"

#include <QList>
#include <QString>
#include <QVariant>

#include <functional>
#include <optional>

namespace bw {

enum class StageKind : std::uint8_t { Fallback, Retry, CircuitBreaker, Bulkhead, Timeout };
inline constexpr int StageKindCount = 5;
QLatin1StringView stageKindName(StageKind kind); // "fallback", "retry", "circuitBreaker", "bulkhead", "timeout"
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
    // Outermost first; stages whose section is off are skipped.
    QList<StageKind> order = defaultOrder();

    static QList<StageKind> defaultOrder()
    {
        return { StageKind::Fallback, StageKind::Retry, StageKind::CircuitBreaker, StageKind::Bulkhead, StageKind::Timeout };
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
