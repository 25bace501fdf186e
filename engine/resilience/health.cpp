#include "health.h"

#include <QJsonArray>

namespace bw {

BreakerHealth breakerHealth(const CircuitBreaker &breaker)
{
    BreakerHealth h;
    h.name = breaker.name();
    h.state = breaker.state();
    h.healthy = breaker.isHealthy();
    h.metrics = breaker.metrics();
    return h;
}

BulkheadHealth bulkheadHealth(const Bulkhead &bulkhead)
{
    BulkheadHealth h;
    h.name = bulkhead.name();
    h.state = bulkhead.state();
    h.metrics = bulkhead.metrics();
    const BulkheadConfig config = bulkhead.config();
    h.maxConcurrent = config.maxConcurrent;
    h.maxQueueSize = config.maxQueueSize;
    h.congested = config.maxQueueSize > 0 && h.state.queued * 5 >= config.maxQueueSize * 4;
    const int capacity = h.state.active + h.state.available;
    h.utilizationPercent = capacity > 0 ? 100.0 * h.state.active / capacity : 0.0;
    return h;
}

void summarize(HealthStatus &status)
{
    CircuitBreakersHealth &cb = status.circuitBreakers;
    cb.total = int(cb.breakers.size());
    cb.healthy = cb.unhealthy = 0;
    cb.byState.fill(0);
    for (const BreakerHealth &b : cb.breakers) {
        ++cb.byState[size_t(b.state)];
        (b.healthy ? cb.healthy : cb.unhealthy) += 1;
    }
    // Every unhealthy breaker is open, half-open or failing, so each one is named by an issue.
    int failing = 0;
    for (const BreakerHealth &b : cb.breakers) {
        const bool refusing = b.state == CircuitState::Open || b.state == CircuitState::ForcedOpen
            || b.state == CircuitState::HalfOpen;
        failing += !b.healthy && !refusing ? 1 : 0;
    }
    int congested = 0;
    for (const BulkheadHealth &b : status.bulkheads)
        congested += b.congested ? 1 : 0;
    status.issues.clear();
    const auto issue = [&](int count, const char *what) {
        if (count > 0)
            status.issues.append(QStringLiteral("%1 %2").arg(count).arg(QLatin1StringView(what)));
    };
    issue(cb.open(), "circuit breakers are open");
    issue(cb.byState[size_t(CircuitState::HalfOpen)], "circuit breakers are half-open");
    issue(failing, "circuit breakers are failing");
    issue(congested, "bulkheads are congested");
    status.healthy = status.issues.isEmpty();
}

QJsonObject HealthStatus::toJson() const
{
    QJsonObject byState;
    for (int s = 0; s < CircuitStateCount; ++s)
        byState.insert(circuitStateName(CircuitState(s)), circuitBreakers.byState[size_t(s)]);
    QJsonArray breakers;
    for (const BreakerHealth &b : circuitBreakers.breakers) {
        breakers.append(QJsonObject {
                { QStringLiteral("name"), b.name },
                { QStringLiteral("state"), circuitStateName(b.state) },
                { QStringLiteral("healthy"), b.healthy },
                { QStringLiteral("failureRate"), b.metrics.failureRate },
                { QStringLiteral("slowCallRate"), b.metrics.slowCallRate },
                { QStringLiteral("windowCalls"), double(b.metrics.windowCalls) },
                { QStringLiteral("rejected"), double(b.metrics.rejected) },
        });
    }
    QJsonArray bulkheadList;
    for (const BulkheadHealth &b : bulkheads) {
        bulkheadList.append(QJsonObject {
                { QStringLiteral("name"), b.name },
                { QStringLiteral("utilization"), b.utilizationPercent },
                { QStringLiteral("active"), b.state.active },
                { QStringLiteral("queued"), b.state.queued },
                { QStringLiteral("available"), b.state.available },
                { QStringLiteral("queueAvailable"), b.state.queueAvailable },
                { QStringLiteral("congested"), b.congested },
        });
    }
    return QJsonObject {
            { QStringLiteral("status"), healthy ? QStringLiteral("healthy") : QStringLiteral("degraded") },
            { QStringLiteral("circuitBreakers"),
              QJsonObject {
                      { QStringLiteral("total"), circuitBreakers.total },
                      { QStringLiteral("healthy"), circuitBreakers.healthy },
                      { QStringLiteral("unhealthy"), circuitBreakers.unhealthy },
                      { QStringLiteral("open"), circuitBreakers.open() },
                      { QStringLiteral("halfOpen"), circuitBreakers.byState[size_t(CircuitState::HalfOpen)] },
                      { QStringLiteral("byState"), byState },
                      { QStringLiteral("breakers"), breakers },
              } },
            { QStringLiteral("bulkheads"), bulkheadList },
            { QStringLiteral("issues"), QJsonArray::fromStringList(issues) },
    };
}

} // namespace bw
