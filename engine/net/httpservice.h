#pragma once

#include "../scenario/backendservice.h"
#include "httpoperation.h"

#include <deque>
#include <memory>
#include <vector>

namespace bw {

// A scenario service that is a real HTTP server (a service with a "url"). Its operations send
// real requests; the scenario's faults are injected on the client side around them, as Polly's
// chaos strategies do, so one scenario runs against simulated and real services alike:
//   outage, flapping (down)  ECONNREFUSED without a request
//   rateLimit                "429" with the fault's Retry-After, without a request, as a real 429
//   errors                   the fault's code, after the fault's latency, without a request
//   hang                     no request and no answer until the caller gives up
//   latency                  the request is sent addMs ± jitterMs later (never earlier than now)
//   brownout                 at most `capacity` requests of this service in flight; the rest wait
// Its stats' `received` (a summary's requestsReceived) counts the requests written on a
// connection, what the server could see, and not the attempts the faults above answered.
// Draws come from the same per-request streams as a simulated service's (seed, operation, call,
// attempt). Runs on the thread of its scheduler, which must be a wall-clock one.
class HttpService final : public BackendService
{
public:
    HttpService(const ServiceConfig &config, Scheduler &scheduler, std::uint64_t seed);
    ~HttpService() override;

    Operation &port(const OperationConfig &operation) override;

    // The real requests of every operation so far: started = completed + aborted + in flight.
    HttpOperation::Stats requestStats() const;

    // The request an operation of this service sends: its method, headers and body, to the
    // service's URL with the operation's path appended.
    static HttpRequest requestFor(const ServiceConfig &service, const HttpRequestConfig &request);

private:
    class Port;
    void onEffectsChanged() override;
    void startWaiting();

    HttpClient m_client;
    std::vector<std::unique_ptr<Port>> m_ports;
    // Brownout: requests waiting for a slot, oldest first (port, attempt id).
    std::deque<std::pair<Port *, std::uint64_t>> m_waiting;
    int m_sending = 0; // real requests in flight
};

} // namespace bw
