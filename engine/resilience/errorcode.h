#pragma once

#include <QString>

#include <cstdint>

namespace bw {

// A backend or engine error code ("503", "RATE_LIMIT", "CIRCUIT_OPEN", ...), interned so that
// copying and comparing one is an integer operation and a rejected call allocates nothing.
class ErrorCode
{
public:
    constexpr ErrorCode() = default;
    // Interns the code; thread-safe. Allocates only the first time a code is seen.
    static ErrorCode fromString(QStringView code);
    static ErrorCode httpStatus(int status);

    QString toString() const;
    constexpr bool isNull() const { return m_id == 0; }
    constexpr std::uint16_t id() const { return m_id; }
    friend constexpr bool operator==(ErrorCode a, ErrorCode b) { return a.m_id == b.m_id; }

    // The well-known codes of docs/semantics.md, pre-interned in this order.
    static const ErrorCode Timeout, CircuitTimeout, CircuitOpen, BulkheadQueueFull, BulkheadQueueTimeout,
            BulkheadQueueCleared, Cancelled, RateLimit, TooManyRequests, NetworkError, ConnectionRefused,
            ConnectionReset, NotFound, TimedOut, RetryBudgetExhausted, RequestNotPermitted, Throttled,
            LimitExceeded;

private:
    constexpr explicit ErrorCode(std::uint16_t id) : m_id(id) { }
    std::uint16_t m_id = 0;
};

} // namespace bw
