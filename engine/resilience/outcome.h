#pragma once

#include "../runtime/duration.h"
#include "errorcode.h"

#include <QString>
#include <QVariant>

#include <array>
#include <cstdint>
#include <optional>

namespace bw {

// How a call offered to a pipeline ended; exactly one per call (docs/semantics.md, "Outcomes").
// The one list of outcomes: adding one is a value here, before Cancelled, and its name in
// outcome.cpp. Every export (summary, CSV, events, /metrics, the dashboard, compare) iterates
// AllOutcomes, and the compiler names each switch that must place it (Hystrix's counts, the
// dashboard's colour).
enum class Outcome : std::uint8_t {
    Success,
    Fallback,
    Failure,
    Timeout,
    CircuitOpen,
    BulkheadFull,
    BulkheadTimeout,
    RateLimited,
    Throttled,
    LimitExceeded,
    Cancelled,
};
inline constexpr int OutcomeCount = int(Outcome::Cancelled) + 1;
inline constexpr std::array<Outcome, OutcomeCount> AllOutcomes = [] {
    std::array<Outcome, OutcomeCount> all {};
    for (int i = 0; i < OutcomeCount; ++i)
        all[std::size_t(i)] = Outcome(i);
    return all;
}();

// "success", "circuit_open", ... as written in the events and summary files.
QLatin1StringView outcomeName(Outcome outcome);
std::optional<Outcome> outcomeFromName(QStringView name);
// Whether the call failed: every outcome but success and fallback.
constexpr bool isFailed(Outcome outcome)
{
    return outcome != Outcome::Success && outcome != Outcome::Fallback;
}

// The stage that raised an error.
enum class Stage : std::uint8_t { Operation, Fallback, Retry, CircuitBreaker, Bulkhead, Timeout, Caller, RateLimiter, AdaptiveThrottle, ConcurrencyLimit };
QLatin1StringView stageName(Stage stage);

struct Error
{
    ErrorCode code;
    // Engine messages are string literals (no allocation); backends may carry any text.
    QString message;
    // The backend's Retry-After, when it sent one.
    std::optional<Duration> retryAfter;
    Stage stage = Stage::Operation;
    // For time limits: how long the call had run when the limit expired.
    Duration elapsed {};
};

// Maps an error to the outcome it ends a call with, when nothing catches it.
Outcome outcomeOf(const Error &error);

// The result of an operation or of a whole pipeline call.
struct Result
{
    Outcome outcome = Outcome::Success;
    QVariant value;
    Error error;
    // Attempts the operation was started (0 when the call never reached it).
    int attempts = 0;

    bool ok() const { return !isFailed(outcome); }

    static Result success(QVariant value = {})
    {
        Result r;
        r.value = std::move(value);
        return r;
    }
    static Result failure(Error error)
    {
        Result r;
        r.outcome = outcomeOf(error);
        r.error = std::move(error);
        return r;
    }
    static Result failure(ErrorCode code, QString message, Stage stage = Stage::Operation)
    {
        return failure(Error { code, std::move(message), std::nullopt, stage, {} });
    }
};

} // namespace bw
