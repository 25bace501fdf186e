#pragma once

#include "../resilience/operation.h"
#include "httpclient.h"

#include <cstdint>
#include <optional>
#include <unordered_map>

namespace bw {

// An Operation that is a real HTTP request, sent with an HttpClient on the thread that owns it
// (the pipeline's thread): each attempt is one request on the wire, sent at once and never
// resent. How a reply becomes a Result:
//   2xx                      success (the value is the status)
//   any other status         the status as the code ("503", "429"), with the Retry-After sent
//   connection refused       ECONNREFUSED
//   reset, closed early      ECONNRESET
//   host not found           ENOTFOUND
//   any other network error  NETWORK_ERROR
// cancel() (a timeout, the caller) aborts the request; its completion is then never called.
// Every request started ends exactly once: completed or aborted (see stats()).
//
// Cost: the client allocates per request (the exchange and its buffers), so unlike the
// pipeline this path is not allocation-free; the benchmark measures what the engine adds.
class HttpOperation final : public Operation
{
public:
    struct Stats
    {
        std::int64_t started = 0, completed = 0, aborted = 0;
        std::int64_t inFlight() const { return started - completed - aborted; }
    };

    HttpOperation(HttpClient &client, HttpRequest request);
    // Aborts the requests still in flight (without completing them).
    ~HttpOperation() override;
    HttpOperation(const HttpOperation &) = delete;
    HttpOperation &operator=(const HttpOperation &) = delete;

    void start(const Attempt &attempt, Completion done) override;
    void cancel(const Attempt &attempt) override;

    const HttpRequest &request() const { return m_request; }
    const Stats &stats() const { return m_stats; }

    // The Result of a finished exchange, per the table above.
    static Result resultOf(const HttpResponse &response);
    // A Retry-After value (RFC 9110 10.2.3): delay-seconds ("120"; a fraction such as "1.5" is
    // read too), or an HTTP-date, which is read as that date minus the answer's Date header
    // (`date`), so no clock is read here; a date in the past is 0. A date with no Date header,
    // or anything else, is nullopt: the Retry-After is ignored. At most a day.
    static std::optional<Duration> parseRetryAfter(const QByteArray &value, const QByteArray &date = {});

private:
    HttpClient &m_client;
    HttpRequest m_request;
    std::unordered_map<std::uint64_t, std::uint64_t> m_inFlight; // attempt id: exchange id
    Stats m_stats;
};

} // namespace bw
