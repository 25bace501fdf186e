#include "outcome.h"

namespace bw {

QLatin1StringView outcomeName(Outcome outcome)
{
    switch (outcome) {
    case Outcome::Success: return QLatin1StringView("success");
    case Outcome::Fallback: return QLatin1StringView("fallback");
    case Outcome::Failure: return QLatin1StringView("failure");
    case Outcome::Timeout: return QLatin1StringView("timeout");
    case Outcome::CircuitOpen: return QLatin1StringView("circuit_open");
    case Outcome::BulkheadFull: return QLatin1StringView("bulkhead_full");
    case Outcome::BulkheadTimeout: return QLatin1StringView("bulkhead_timeout");
    case Outcome::RateLimited: return QLatin1StringView("rate_limited");
    case Outcome::Throttled: return QLatin1StringView("throttled");
    case Outcome::LimitExceeded: return QLatin1StringView("limit_exceeded");
    case Outcome::Cancelled: return QLatin1StringView("cancelled");
    }
    return QLatin1StringView("failure");
}

std::optional<Outcome> outcomeFromName(QStringView name)
{
    for (Outcome o : AllOutcomes)
        if (name == outcomeName(o))
            return o;
    return std::nullopt;
}

QLatin1StringView stageName(Stage stage)
{
    switch (stage) {
    case Stage::Operation: return QLatin1StringView("operation");
    case Stage::Fallback: return QLatin1StringView("fallback");
    case Stage::Retry: return QLatin1StringView("retry");
    case Stage::CircuitBreaker: return QLatin1StringView("circuitBreaker");
    case Stage::Bulkhead: return QLatin1StringView("bulkhead");
    case Stage::Timeout: return QLatin1StringView("timeout");
    case Stage::Caller: return QLatin1StringView("caller");
    case Stage::RateLimiter: return QLatin1StringView("rateLimiter");
    case Stage::AdaptiveThrottle: return QLatin1StringView("adaptiveThrottle");
    case Stage::ConcurrencyLimit: return QLatin1StringView("concurrencyLimit");
    }
    return QLatin1StringView("operation");
}

Outcome outcomeOf(const Error &error)
{
    const ErrorCode c = error.code;
    if (c == ErrorCode::Timeout || c == ErrorCode::CircuitTimeout)
        return Outcome::Timeout;
    if (c == ErrorCode::CircuitOpen)
        return Outcome::CircuitOpen;
    if (c == ErrorCode::BulkheadQueueFull)
        return Outcome::BulkheadFull;
    if (c == ErrorCode::BulkheadQueueTimeout)
        return Outcome::BulkheadTimeout;
    if (c == ErrorCode::RequestNotPermitted)
        return Outcome::RateLimited;
    if (c == ErrorCode::Throttled)
        return Outcome::Throttled;
    if (c == ErrorCode::LimitExceeded)
        return Outcome::LimitExceeded;
    if (c == ErrorCode::Cancelled || c == ErrorCode::BulkheadQueueCleared)
        return Outcome::Cancelled;
    return Outcome::Failure;
}

} // namespace bw
