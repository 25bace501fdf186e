#pragma once

#include "../resilience/operation.h"

#include <QByteArray>
#include <QList>
#include <QUrl>

#include <cstdint>
#include <optional>
#include <unordered_map>

class QNetworkAccessManager;
class QNetworkReply;

namespace bw {

// What an HTTP operation sends, every attempt the same.
struct HttpRequest
{
    QByteArray method = QByteArrayLiteral("GET");
    QUrl url;
    QList<std::pair<QByteArray, QByteArray>> headers;
    QByteArray body;
};

// An Operation that is a real HTTP request, sent with Qt Network on the thread that owns the
// QNetworkAccessManager (the pipeline's thread). How a reply becomes a Result:
//   2xx                      success (the value is the status)
//   429                      RATE_LIMIT, with the Retry-After the server sent
//   any other status         the status as the code ("503"), with Retry-After if sent
//   connection refused       ECONNREFUSED
//   reset, closed early      ECONNRESET
//   host not found           ENOTFOUND
//   any other network error  NETWORK_ERROR
// cancel() (a timeout, the caller) aborts the request; its completion is then never called.
// Every request started ends exactly once: completed or aborted (see stats()).
//
// Cost: Qt Network allocates per request (the reply object and its buffers), so unlike the
// pipeline this path is not allocation-free; the benchmark measures what the engine adds.
class HttpOperation final : public Operation
{
public:
    struct Stats
    {
        std::int64_t started = 0, completed = 0, aborted = 0;
        std::int64_t inFlight() const { return started - completed - aborted; }
    };

    HttpOperation(QNetworkAccessManager &network, HttpRequest request);
    // Aborts the requests still in flight (without completing them).
    ~HttpOperation() override;
    HttpOperation(const HttpOperation &) = delete;
    HttpOperation &operator=(const HttpOperation &) = delete;

    void start(const Attempt &attempt, Completion done) override;
    void cancel(const Attempt &attempt) override;

    const HttpRequest &request() const { return m_request; }
    const Stats &stats() const { return m_stats; }

    // The Result of a finished reply, per the table above.
    static Result resultOf(QNetworkReply &reply);
    // A Retry-After value in seconds ("120", or "1.5" as the chaos target may send); an HTTP
    // date is not read (that needs the calendar clock), nor anything else.
    static std::optional<Duration> parseRetryAfter(const QByteArray &value);

private:
    void abort(QNetworkReply *reply);

    QNetworkAccessManager &m_network;
    HttpRequest m_request;
    std::unordered_map<std::uint64_t, QNetworkReply *> m_inFlight;
    Stats m_stats;
};

} // namespace bw
