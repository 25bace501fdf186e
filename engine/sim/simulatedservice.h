#pragma once

#include "../scenario/backendservice.h"
#include "idmap.h"
#include "latency.h"

#include <vector>

namespace bw {

// A backend on virtual time. It serves at most `capacity` requests at once; the rest wait in a
// FIFO queue (up to `queueLimit`, else 503), so load beyond capacity shows up as latency, and
// retries amplify it (a retry storm can take it down by itself). A request whose caller gave up
// is, per `abandoned`, either served all the same with its answer dropped (`served`: the server
// does not know the client left; counted as wasted work) or dropped from the queue or its worker
// at once (`dropped`). Faults act on a request when it is served: a latency fault slows the
// requests served while it lasts, a hung request holds its worker while its hang fault lasts.
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
        Duration serviceTime {}; // without faults
        double jitterDraw = 0; // where in a latency fault's jitter it falls
        ErrorCode error;
        double hangDraw = 1; // stuck while below the hang rate in force
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
    // Schedules the end of its service, unless it is hung (then called again when the fault ends).
    void serve(std::uint32_t index, TimePoint now);
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
