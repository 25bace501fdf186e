#include "circuitbreakerregistry.h"

#include <algorithm>

namespace bw {

CircuitBreakerRegistry::CircuitBreakerRegistry(Scheduler &scheduler)
    : m_scheduler(scheduler)
{
}

CircuitBreakerRegistry::~CircuitBreakerRegistry()
{
    clear();
}

void CircuitBreakerRegistry::detach(const std::shared_ptr<CircuitBreaker> &breaker)
{
    if (breaker)
        breaker->removeListener(this);
}

std::shared_ptr<CircuitBreaker> CircuitBreakerRegistry::add(const QString &name, const CircuitBreakerConfig &config)
{
    auto breaker = std::make_shared<CircuitBreaker>(name, config, m_scheduler);
    adopt(breaker);
    return breaker;
}

void CircuitBreakerRegistry::adopt(const std::shared_ptr<CircuitBreaker> &breaker)
{
    breaker->addListener(this);
    std::shared_ptr<CircuitBreaker> replaced;
    {
        QMutexLocker lock(&m_mutex);
        replaced = m_breakers.value(breaker->name());
        m_breakers.insert(breaker->name(), breaker);
    }
    if (replaced != breaker)
        detach(replaced);
}

std::shared_ptr<CircuitBreaker> CircuitBreakerRegistry::get(const QString &name) const
{
    QMutexLocker lock(&m_mutex);
    return m_breakers.value(name);
}

std::shared_ptr<CircuitBreaker> CircuitBreakerRegistry::getOrCreate(const QString &name,
                                                                    const std::function<CircuitBreakerConfig()> &makeConfig)
{
    QMutexLocker lock(&m_mutex);
    if (auto existing = m_breakers.value(name))
        return existing;
    auto breaker = std::make_shared<CircuitBreaker>(name, makeConfig ? makeConfig() : CircuitBreakerConfig {}, m_scheduler);
    breaker->addListener(this);
    m_breakers.insert(name, breaker);
    return breaker;
}

bool CircuitBreakerRegistry::remove(const QString &name)
{
    std::shared_ptr<CircuitBreaker> removed;
    {
        QMutexLocker lock(&m_mutex);
        removed = m_breakers.take(name);
    }
    detach(removed);
    return removed != nullptr;
}

QList<std::shared_ptr<CircuitBreaker>> CircuitBreakerRegistry::getAll() const
{
    QList<std::shared_ptr<CircuitBreaker>> all;
    {
        QMutexLocker lock(&m_mutex);
        all = m_breakers.values();
    }
    std::sort(all.begin(), all.end(), [](const auto &a, const auto &b) { return a->name() < b->name(); });
    return all;
}

CircuitBreakersHealth CircuitBreakerRegistry::getHealthStatus() const
{
    HealthStatus status;
    for (const auto &breaker : getAll())
        status.circuitBreakers.breakers.append(breakerHealth(*breaker));
    summarize(status);
    return status.circuitBreakers;
}

RegistryMetrics CircuitBreakerRegistry::getMetrics() const
{
    RegistryMetrics m;
    QList<QPair<QString, double>> rates;
    for (const auto &breaker : getAll()) {
        const BreakerHealth h = breakerHealth(*breaker);
        ++m.total;
        ++m.byState[size_t(h.state)];
        rates.append({ h.name, h.metrics.failureRate });
        if (!h.healthy)
            m.unhealthy.append(h.name);
    }
    std::stable_sort(rates.begin(), rates.end(), [](const auto &a, const auto &b) { return a.second > b.second; });
    m.topFailureRates = rates.mid(0, 10);
    return m;
}

void CircuitBreakerRegistry::resetAll()
{
    for (const auto &breaker : getAll())
        breaker->reset();
}

void CircuitBreakerRegistry::clear()
{
    QHash<QString, std::shared_ptr<CircuitBreaker>> all;
    {
        QMutexLocker lock(&m_mutex);
        all.swap(m_breakers);
    }
    for (const auto &breaker : std::as_const(all))
        detach(breaker);
}

void CircuitBreakerRegistry::onStateChange(const CircuitStateChange &change)
{
    m_listeners.notify([&](CircuitBreakerListener *l) { l->onStateChange(change); });
}

void CircuitBreakerRegistry::onCall(const CircuitCall &call)
{
    m_listeners.notify([&](CircuitBreakerListener *l) { l->onCall(call); });
}

void CircuitBreakerRegistry::onRejected(const QString &name, CircuitState state, TimePoint at)
{
    m_listeners.notify([&](CircuitBreakerListener *l) { l->onRejected(name, state, at); });
}

void CircuitBreakerRegistry::onReset(const QString &name, TimePoint at)
{
    m_listeners.notify([&](CircuitBreakerListener *l) { l->onReset(name, at); });
}

void CircuitBreakerRegistry::onConfigChanged(const QString &name, const CircuitBreakerConfig &config)
{
    m_listeners.notify([&](CircuitBreakerListener *l) { l->onConfigChanged(name, config); });
}

} // namespace bw
