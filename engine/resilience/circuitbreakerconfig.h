#pragma once

#include "../runtime/duration.h"
#include "errorcode.h"

#include <QList>

#include <cstdint>

namespace bw {

enum class WindowType : std::uint8_t { Time, Count };

// Field names and defaults are the guide's createCircuitBreaker (docs/semantics.md, "Circuit breaker").
// A threshold of 0 is off: failureThreshold 0 never trips on consecutive failures, a rate
// threshold of 0 never trips on that rate.
struct CircuitBreakerConfig
{
    int failureThreshold = 5;
    double failureRateThreshold = 0.5;
    int volumeThreshold = 10;
    Duration slowCallDurationThreshold = fromMs(1000);
    double slowCallRateThreshold = 0.5;
    int successThreshold = 5;
    int halfOpenMaxCalls = 0; // 0: the same as successThreshold
    Duration timeout = fromMs(3000); // the breaker's own per-call limit; 0: none
    Duration resetTimeout = fromMs(60000);
    double resetTimeoutMultiplier = 1.0;
    Duration maxResetTimeout {}; // 0: the same as resetTimeout
    WindowType windowType = WindowType::Time;
    std::int64_t windowSize = 60000; // milliseconds for a time window, calls for a count window
    QList<ErrorCode> recordErrors; // empty: every error not ignored is a failure
    QList<ErrorCode> ignoreErrors { ErrorCode::BulkheadQueueFull, ErrorCode::BulkheadQueueTimeout,
                                    ErrorCode::BulkheadQueueCleared, ErrorCode::Cancelled,
                                    ErrorCode::RequestNotPermitted, ErrorCode::Throttled,
                                    ErrorCode::LimitExceeded };

    int effectiveHalfOpenMaxCalls() const { return halfOpenMaxCalls > 0 ? halfOpenMaxCalls : successThreshold; }
    Duration effectiveMaxResetTimeout() const { return maxResetTimeout > Duration::zero() ? maxResetTimeout : resetTimeout; }
    friend bool operator==(const CircuitBreakerConfig &, const CircuitBreakerConfig &) = default;
};

} // namespace bw
