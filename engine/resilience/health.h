#pragma once

#include "bulkhead.h"
#include "circuitbreaker.h"

#include <QJsonObject>
#include <QList>
#include <QStringList>

#include <array>

namespace bw {

struct BreakerHealth
{
    QString name;
    CircuitState state = CircuitState::Closed;
    bool healthy = true;
    CircuitBreakerMetrics metrics;
};

struct CircuitBreakersHealth
{
    int healthy = 0, unhealthy = 0, total = 0;
    std::array<int, CircuitStateCount> byState {};
    QList<BreakerHealth> breakers;

    // OPEN and FORCED_OPEN alike: both refuse every call.
    int open() const { return byState[size_t(CircuitState::Open)] + byState[size_t(CircuitState::ForcedOpen)]; }
};

struct BulkheadHealth
{
    QString name;
    BulkheadState state;
    BulkheadMetrics metrics;
    int maxConcurrent = 0, maxQueueSize = 0;
    // Queued ≥ 80 % of maxQueueSize (docs/semantics.md).
    bool congested = false;
    // active / (active + available), in percent, as the guide's health example computes it.
    double utilizationPercent = 0;
};

// The guide's getHealthStatus(): circuit breakers, bulkheads and a summary with issues.
struct HealthStatus
{
    CircuitBreakersHealth circuitBreakers;
    QList<BulkheadHealth> bulkheads;
    bool healthy = true;
    QStringList issues;

    // The guide's health endpoint body: status, circuitBreakers {total, open, halfOpen, byState},
    // bulkheads [{name, utilization, active, queued}], issues.
    QJsonObject toJson() const;
};

BreakerHealth breakerHealth(const CircuitBreaker &breaker);
BulkheadHealth bulkheadHealth(const Bulkhead &bulkhead);
// Fills the summary. Degraded exactly when an issue names why: "N circuit breakers are open"
// (OPEN or FORCED_OPEN), "N circuit breakers are half-open" (probing: most calls refused),
// "N circuit breakers are failing" (passing calls, failure rate at or over the threshold with
// the breaker's minimum volume), "N bulkheads are congested".
void summarize(HealthStatus &status);

} // namespace bw
