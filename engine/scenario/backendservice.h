#pragma once

#include "../resilience/operation.h"
#include "../runtime/random.h"
#include "../runtime/scheduler.h"
#include "faults.h"

#include <cstdint>

namespace bw {

// A backend a scenario's operations call: a simulated model (SimulatedService) or a real HTTP
// service (HttpService). Both take the scenario's faults the same way: the faults in force are
// combined into FaultEffects at every change, and each request reads those.
class BackendService
{
public:
    struct Stats
    {
        std::int64_t received = 0, errorsServed = 0, completed = 0;
        std::int64_t abandoned = 0; // requests whose caller gave up while they were here
        // Of the completed, those served after their caller had given up (wasted work); nullopt
        // where it cannot be seen (a real server decides alone whether it keeps working).
        std::optional<std::int64_t> wasted;
        int inService = 0, queued = 0;
        int capacity = 0;
    };

    BackendService(const ServiceConfig &config, Scheduler &scheduler, std::uint64_t seed)
        : m_config(config)
        , m_scheduler(scheduler)
        , m_seed(seed)
    {
        m_stats.capacity = config.capacity;
    }
    virtual ~BackendService() = default;
    BackendService(const BackendService &) = delete;
    BackendService &operator=(const BackendService &) = delete;

    const QString &name() const { return m_config.name; }
    const ServiceConfig &config() const { return m_config; }

    // The Operation through which `operation` calls this service.
    virtual Operation &port(const OperationConfig &operation) = 0;

    // Faults in force (scheduled or live); effects are recomputed now and at every change.
    void setFaults(const QList<FaultConfig> &faults);
    const QList<FaultConfig> &faults() const { return m_faults; }
    // Re-reads which faults are active (called at fault boundaries).
    void refreshFaults();
    const FaultEffects &effects() const { return m_effects; }

    const Stats &stats() const { return m_stats; }
    int effectiveCapacity() const { return m_effects.capacity > 0 ? m_effects.capacity : m_config.capacity; }

protected:
    // Called after the effects changed: capacity may have grown.
    virtual void onEffectsChanged() { }
    // Takes a token of a rateLimit fault's bucket; true when there was none (answer 429).
    bool rateLimited(TimePoint now);
    // The random stream of one request, keyed by names and numbers only: this service's (in
    // the seed), the calling operation's (`operationKey`: stableHash of its name), the call's
    // number within that operation and the attempt's. The same call and attempt draw the same
    // numbers whatever happened to other requests, whatever other operations exist and in
    // whatever order they are listed (common random numbers across policies and scenarios).
    Random requestRandom(std::uint64_t operationKey, const Attempt &attempt) const;
    // What a latency fault adds for a uniform draw in [0, 1): addMs ± jitterMs, never below 0.
    Duration addedLatency(double draw) const;
    // Fails `done` with `error` (and its usual message), counting it as an error served.
    void answer(Completion done, ErrorCode error, std::optional<Duration> retryAfter);

    ServiceConfig m_config;
    Scheduler &m_scheduler;
    std::uint64_t m_seed;
    QList<FaultConfig> m_faults;
    FaultEffects m_effects;
    Stats m_stats;

private:
    // Token bucket for a rateLimit fault.
    double m_tokens = 0;
    TimePoint m_tokensAt {};
};

} // namespace bw
