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
enum class Outcome : std::uint8_t {
    Success,
    Fallback,
    Failure,
    Timeout,
    CircuitOpen,
    BulkheadFull,
    BulkheadTimeout,
    Cancelled,
};
inline constexpr int OutcomeCount = 8;
inline constexpr std::array<Outcome, OutcomeCount> AllOutcomes { Outcome::Success, Outcome::Fallback,
    Outcome::Failure, Outcome::Timeout, Outcome::CircuitOpen, Outcome::BulkheadFull,
    Outcome::BulkheadTimeout, Outcome::Cancelled };

// "success", "circuit_open", ... as written in the events and summary files.
QLatin1StringView outcomeName(Outcome outcome);
std::optional<Outcome> outcomeFromName(QStringView name);

// The stage that raised an error.
enum class Stage : std::uint8_t { Operation, Fallback, Retry, CircuitBreaker, Bulkhead, Timeout, Caller };
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

    bool ok() const { return outcome == Outcome::Success || outcome == Outcome::Fallback; }

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
