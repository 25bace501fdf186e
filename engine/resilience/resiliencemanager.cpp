#include "resiliencemanager.h"

#include <algorithm>

namespace bw {

ResilienceManager::ResilienceManager(Scheduler &scheduler, std::uint64_t seed)
    : m_scheduler(scheduler)
    , m_seed(seed)
    , m_registry(scheduler)
    , m_timeouts(scheduler)
{
}

ResilienceManager::~ResilienceManager() = default;

Pipeline &ResilienceManager::pipeline(const QString &name, const PolicyConfig &policy)
{
    if (Pipeline *existing = find(name)) {
        if (!sameSettings(existing->policy(), policy))
            apply(*existing, policy);
        return *existing;
    }
    PolicyConfig p = policy;
    p.name = name;
    std::shared_ptr<CircuitBreaker> breaker;
    if (p.circuitBreaker)
        breaker = m_registry.getOrCreate(name, [&] { return *p.circuitBreaker; });
    // Each pipeline draws its jitter from its own stream, so adding one changes no other's.
    const std::uint64_t seed = Random::streamSeed(m_seed, qHash(name));
    auto created = std::make_shared<Pipeline>(std::move(p), m_scheduler, seed, std::move(breaker));
    m_pipelines.insert(name, created);
    return *created;
}

Pipeline *ResilienceManager::find(const QString &name) const
{
    return m_pipelines.value(name).get();
}

CallId ResilienceManager::execute(const QString &name, Operation &operation, const PolicyConfig &policy,
                                  CallCallback done, std::uint64_t tag)
{
    return pipeline(name, policy).execute(operation, std::move(done), tag);
}

void ResilienceManager::updatePolicy(const QString &name, const PolicyConfig &policy)
{
    if (Pipeline *existing = find(name))
        apply(*existing, policy);
    else
        pipeline(name, policy);
}

void ResilienceManager::apply(Pipeline &p, const PolicyConfig &policy)
{
    PolicyConfig named = policy;
    named.name = p.name();
    p.setPolicy(named);
    // Keep the registry in step when the change turned the breaker on or off.
    const auto breaker = p.sharedCircuitBreaker();
    if (breaker && m_registry.get(p.name()) != breaker)
        m_registry.adopt(breaker);
    else if (!breaker)
        m_registry.remove(p.name());
}

QStringList ResilienceManager::names() const
{
    QStringList all = m_pipelines.keys();
    std::sort(all.begin(), all.end());
    return all;
}

HealthStatus ResilienceManager::getHealthStatus() const
{
    HealthStatus status;
    status.circuitBreakers = m_registry.getHealthStatus();
    for (const QString &name : names()) {
        if (Bulkhead *b = m_pipelines.value(name)->bulkhead())
            status.bulkheads.append(bulkheadHealth(*b));
    }
    summarize(status);
    return status;
}

void ResilienceManager::resetAll()
{
    m_registry.resetAll();
    for (const auto &p : std::as_const(m_pipelines)) {
        if (Bulkhead *b = p->bulkhead())
            b->clearQueue();
    }
}

} // namespace bw
