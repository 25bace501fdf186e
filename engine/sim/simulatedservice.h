#pragma once

#include "idmap.h"
#include "latency.h"
#include "backendservice.h"

#include <vector>

namespace bw {

// A backend on virtual time. It serves at most `capacity` requests at once; the rest wait in a
// FIFO queue, so load beyond capacity shows up as latency, and retries amplify it (a retry storm
// can take it down by itself). A request the caller gave up on is still served, because a real
// server does not know the client left; only its answer is dropped. A hung request holds its
// slot until the caller gives up.
//
// Every draw for a request comes from a random stream keyed by (service seed, operation name,
// call, attempt), not from a shared sequence: two policies run on the same seed meet the same
// failures for the same call, however many retries each sends, and adding or reordering other
// operations changes nothing (common random numbers). Failure causes draw independently: a
// hang, an errors fault and the baseline errorRate each have their own number.
//
// Per request: no allocation once the pools have grown to the peak in flight.
class SimulatedService final : public BackendService
{
public:
    SimulatedService(const ServiceConfig &config, Scheduler &scheduler, std::uint64_t seed);
    ~SimulatedService() override;

    Operation &port(const OperationConfig &operation) override;
    void setBaseline(double errorRate, const LatencyConfig &latency);

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

    void start(std::uint64_t operationKey, const Attempt &attempt, Completion done);
    void cancel(const Attempt &attempt);
    void onEffectsChanged() override;
    std::uint32_t allocate();
    void release(std::uint32_t index);
    void beginService(std::uint32_t index, TimePoint now);
    void finishService(std::uint32_t index);
    void startQueued(TimePoint now);

    LatencySampler m_latency;
    ErrorCode m_baselineCode;

    std::vector<std::unique_ptr<Port>> m_ports;
    std::vector<Request> m_requests;
    std::vector<std::uint32_t> m_free;
    IdMap m_byAttempt;
    std::uint32_t m_queueHead = NoRequest, m_queueTail = NoRequest;
};

} // namespace bw
