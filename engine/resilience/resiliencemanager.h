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
// name (made from the policy on first use; updatePolicy() changes it), with breakers from its
// registry so that their events and health are in one place. Confined to its scheduler's thread,
// like the pipelines it owns.
class ResilienceManager
{
public:
    explicit ResilienceManager(Scheduler &scheduler, std::uint64_t seed = 0);
    ~ResilienceManager();

    CallId execute(const QString &name, Operation &operation, const PolicyConfig &policy, CallCallback done,
                   std::uint64_t tag = 0);
    // The named pipeline, created from policy if it does not exist yet.
    Pipeline &pipeline(const QString &name, const PolicyConfig &policy);
    Pipeline *find(const QString &name) const;
    void updatePolicy(const QString &name, const PolicyConfig &policy);
    QStringList names() const;

    HealthStatus getHealthStatus() const;
    // Resets every breaker and clears every bulkhead queue.
    void resetAll();

    CircuitBreakerRegistry &circuitBreakers() { return m_registry; }
    TimeoutManager &timeouts() { return m_timeouts; }
    Scheduler &scheduler() const { return m_scheduler; }

private:
    Scheduler &m_scheduler;
    std::uint64_t m_seed;
    CircuitBreakerRegistry m_registry;
    TimeoutManager m_timeouts;
    QHash<QString, std::shared_ptr<Pipeline>> m_pipelines;
};

} // namespace bw
