#pragma once

#include "circuitbreakerregistry.h"
#include "health.h"
#include "pipeline.h"
#include "timeoutmanager.h"

#include <QHash>
#include <QString>

#include <memory>

namespace bw {

// The engine's façade for a service (README, "Use the engine in your own code"), the guide's
// resilienceManager: one named policy per operation, and every call to it goes through it.
//
//     bw::WallScheduler scheduler;                  // wall time, on this thread's event loop
//     bw::ResilienceManager resilience(scheduler);
//     resilience.execute(QStringLiteral("payments"), operation, policy, [](const bw::Result &result) { ... });
//
// The first call with a name makes its Pipeline from the policy, with a breaker from the registry
// (circuitBreakers(), whose listeners hear every breaker's events), so that breakers and health
// are in one place; later calls with that name share them. A call with a policy whose settings
// differ is a live change of that pipeline (Pipeline::setPolicy: the breaker keeps its state and
// counters). Per call it adds a name lookup and a settings comparison to the pipeline's cost, and
// no allocation. Confined to its scheduler's thread, like the pipelines it owns; the breakers are
// thread-safe. For one protected call rather than an operation, see wrappers.h.
class ResilienceManager
{
public:
    explicit ResilienceManager(Scheduler &scheduler, std::uint64_t seed = 0);
    ~ResilienceManager();

    // Runs operation under the named pipeline. `done` runs exactly once: at once when the call
    // ends at once (an open breaker, a full bulkhead), else later on this thread. The operation
    // must outlive the call. `tag` is handed to the operation's attempts and to observers.
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
