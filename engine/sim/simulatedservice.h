#pragma once

#include "../resilience/operation.h"
#include "../runtime/virtualscheduler.h"
#include "faults.h"
#include "idmap.h"
#include "latency.h"

#include <vector>

namespace bw {

// A backend on virtual time. It serves at most `capacity` requests at once; the rest wait in a
// FIFO queue, so load beyond capacity shows up as latency, and retries amplify it (a retry storm
// can take it down by itself). A request the caller gave up on is still served, because a real
// server does not know the client left; only its answer is dropped. A hung request holds its
// slot until the caller gives up.
//
// Every draw for a request comes from a random stream keyed by (service seed, operation, call,
// attempt), not from a shared sequence: two policies run on the same seed meet the same
// failures for the same call, however many retries each sends (common random numbers).
//
// Per request: no allocation once the pools have grown to the peak in flight.
class SimulatedService
{
public:
    SimulatedService(const ServiceConfig &config, VirtualScheduler &scheduler, std::uint64_t seed);
    ~SimulatedService();
    SimulatedService(const SimulatedService &) = delete;
    SimulatedService &operator=(const SimulatedService &) = delete;

    const QString &name() const { return m_config.name; }
    const ServiceConfig &config() const { return m_config; }

    // The Operation through which operation number `operationIndex` calls this service.
    Operation &port(int operationIndex);

    // Faults in force (scheduled or live); effects are recomputed now and at every change.
    void setFaults(const QList<FaultConfig> &faults);
    const QList<FaultConfig> &faults() const { return m_faults; }
    // Re-reads which faults are active (called at fault boundaries).
    void refreshFaults();
    const FaultEffects &effects() const { return m_effects; }
    void setBaseline(double errorRate, const LatencyConfig &latency);

    struct Stats
    {
        std::int64_t received = 0, errorsServed = 0, completed = 0, abandoned = 0;
        int inService = 0, queued = 0;
        int capacity = 0;
    };
    const Stats &stats() const { return m_stats; }
    int effectiveCapacity() const { return m_effects.capacity > 0 ? m_effects.capacity : m_config.capacity; }

private:
    class Port;
    struct Request
    {
        Completion done;
        std::uint64_t attemptId = 0;
        Duration serviceTime {};
        ErrorCode error;
        bool hang = false;
        bool abandoned = false;
        bool queued = false;
        TimerId timer = 0;
        std::uint32_t prev = NoRequest, next = NoRequest; // queue links
    };
    static constexpr std::uint32_t NoRequest = 0xffffffffu;

    void start(int operationIndex, const Attempt &attempt, Completion done);
    void cancel(const Attempt &attempt);
    bool rateLimited(TimePoint now);
    std::uint32_t allocate();
    void release(std::uint32_t index);
    void beginService(std::uint32_t index, TimePoint now);
    void finishService(std::uint32_t index);
    void startQueued(TimePoint now);
    void answer(Completion done, ErrorCode error, std::optional<Duration> retryAfter);

    ServiceConfig m_config;
    VirtualScheduler &m_scheduler;
    std::uint64_t m_seed;
    LatencySampler m_latency;
    ErrorCode m_baselineCode;
    QList<FaultConfig> m_faults;
    FaultEffects m_effects;
    // Token bucket for a rateLimit fault.
    double m_tokens = 0;
    TimePoint m_tokensAt {};

    std::vector<std::unique_ptr<Port>> m_ports;
    std::vector<Request> m_requests;
    std::vector<std::uint32_t> m_free;
    IdMap m_byAttempt;
    std::uint32_t m_queueHead = NoRequest, m_queueTail = NoRequest;
    Stats m_stats;
};

} // namespace bw
