#pragma once

#include "circuitbreakerregistry.h"
#include "health.h"
#include "pipeline.h"
#include "timeoutmanager.h"

#include <QHash>
#include <QString>

#include <memory>

namespace bw {

// The guide's resilienceManager: execute(name, op, policy) runs op under a pipeline kept per
// name, with breakers from its registry so that their events and health are in one place. The
// pipeline is made from the policy on first use; a call with a policy whose settings differ is
// a live change of that pipeline (Pipeline::setPolicy: the breaker keeps its state and counters).
// Confined to its scheduler's thread, like the pipelines it owns.
class ResilienceManager
{
public:
    explicit ResilienceManager(Scheduler &scheduler, std::uint64_t seed = 0);
    ~ResilienceManager();

    CallId execute(const QString &name, Operation &operation, const PolicyConfig &policy, CallCallback done,
                   std::uint64_t tag = 0);
    // The named pipeline, created from policy if it does not exist yet, else changed to policy
    // if its settings differ (sameSettings()).
    Pipeline &pipeline(const QString &name, const PolicyConfig &policy);
    Pipeline *find(const QString &name) const;
    // Applies policy to the named pipeline (creating it if need be) even when only its
    // callbacks changed, which sameSettings() cannot see.
    void updatePolicy(const QString &name, const PolicyConfig &policy);
    QStringList names() const;

    HealthStatus getHealthStatus() const;
    // Resets every breaker and clears every bulkhead queue.
    void resetAll();

    CircuitBreakerRegistry &circuitBreakers() { return m_registry; }
    TimeoutManager &timeouts() { return m_timeouts; }
    Scheduler &scheduler() const { return m_scheduler; }

private:
    void apply(Pipeline &pipeline, const PolicyConfig &policy);

    Scheduler &m_scheduler;
    std::uint64_t m_seed;
    CircuitBreakerRegistry m_registry;
    TimeoutManager m_timeouts;
    QHash<QString, std::shared_ptr<Pipeline>> m_pipelines;
};

} // namespace bw
