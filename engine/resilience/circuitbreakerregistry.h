#pragma once

#include "circuitbreaker.h"
#include "health.h"

#include <QHash>
#include <QMutex>

#include <functional>
#include <memory>

namespace bw {

struct RegistryMetrics
{
    int total = 0;
    std::array<int, CircuitStateCount> byState {};
    QList<QPair<QString, double>> topFailureRates; // the ten highest, highest first
    QStringList unhealthy;
};

// The guide's circuitBreakerRegistry: breakers by name, their health and metrics, and every
// breaker's events forwarded to the registry's own listeners. Thread-safe.
class CircuitBreakerRegistry final : private CircuitBreakerListener
{
public:
    explicit CircuitBreakerRegistry(Scheduler &scheduler);
    ~CircuitBreakerRegistry() override;

    // Creates and registers a breaker; replaces one of the same name.
    std::shared_ptr<CircuitBreaker> add(const QString &name, const CircuitBreakerConfig &config);
    // Registers a breaker made elsewhere, under its own name.
    void adopt(const std::shared_ptr<CircuitBreaker> &breaker);
    std::shared_ptr<CircuitBreaker> get(const QString &name) const;
    // The named breaker, created from makeConfig() if it does not exist yet.
    std::shared_ptr<CircuitBreaker> getOrCreate(const QString &name, const std::function<CircuitBreakerConfig()> &makeConfig);
    bool remove(const QString &name);
    // In name order.
    QList<std::shared_ptr<CircuitBreaker>> getAll() const;
    CircuitBreakersHealth getHealthStatus() const;
    RegistryMetrics getMetrics() const;
    void resetAll();
    void clear();

    void addListener(CircuitBreakerListener *listener) { m_listeners.add(listener); }
    void removeListener(CircuitBreakerListener *listener) { m_listeners.remove(listener); }

private:
    void onStateChange(const CircuitStateChange &change) override;
    void onCall(const CircuitCall &call) override;
    void onRejected(const QString &name, CircuitState state, TimePoint at) override;
    void onReset(const QString &name, TimePoint at) override;
    void onConfigChanged(const QString &name, const CircuitBreakerConfig &config) override;
    void detach(const std::shared_ptr<CircuitBreaker> &breaker);

    Scheduler &m_scheduler;
    mutable QMutex m_mutex;
    QHash<QString, std::shared_ptr<CircuitBreaker>> m_breakers;
    ListenerList<CircuitBreakerListener> m_listeners;
};

} // namespace bw
