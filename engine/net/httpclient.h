#pragma once

#include <QByteArray>
#include <QList>
#include <QObject>
#include <QString>
#include <QUrl>

#include <cstdint>
#include <functional>
#include <memory>
#include <unordered_map>
#include <vector>

class QTcpSocket;

namespace bw {

// What an HTTP operation sends, every attempt the same.
struct HttpRequest
{
    QByteArray method = QByteArrayLiteral("GET");
    QUrl url;
    QList<std::pair<QByteArray, QByteArray>> headers;
    QByteArray body;
};

// How an exchange ended: a status line and headers came (failure None), or the exchange failed.
struct HttpResponse
{
    enum class Failure : std::uint8_t
    {
        None,
        Refused, // nothing listens on that port
        Reset, // the connection was reset or closed before the whole answer came
        HostNotFound,
        Other
    };
    Failure failure = Failure::None;
    QString errorString;
    int status = 0;
    QByteArray reason;
    QList<std::pair<QByteArray, QByteArray>> headers; // names in lower case

    // The first value of a header (name in lower case); empty when absent.
    QByteArray header(const QByteArray &lowerName) const;
    bool hasHeader(const QByteArray &lowerName) const;
};

// A small HTTP/1.1 client for real network mode, in place of QNetworkAccessManager, whose HTTP/1
// backend keeps at most six connections per host (requests beyond them wait inside Qt, unseen by
// the pipeline's timeouts and bulkheads) and silently sends a request again when its connection
// is reset before an answer (so resets never reach the pipeline). Here:
//   - every request is sent at once, on an idle kept-alive connection to its host or on a new
//     one: the concurrency is what the caller asks for, with no limit per host;
//   - every request is written exactly once: a reset or an early close is the caller's answer
//     (ECONNRESET), never resent, so what a service counts is what went on the wire;
//   - the body of an answer is read (Content-Length, chunked or until close) and dropped: only
//     the status and headers are kept, so memory does not grow with the answer.
// http and https (when Qt has TLS). Confined to its thread; callbacks come from its event loop.
// Cost: one exchange object and its buffers per request, and a socket per new connection.
class HttpClient final : public QObject
{
public:
    using Done = std::function<void(HttpResponse &&)>;

    // Each request written on a connection adds one to *requestsWritten, when given: what went on
    // the wire (a request aborted before its connection was made is not counted).
    explicit HttpClient(std::int64_t *requestsWritten = nullptr, QObject *parent = nullptr);
    // Ends every exchange in flight without calling it back.
    ~HttpClient() override;

    // Sends `request`; `done` is called once, from the event loop, unless cancel() comes first.
    // Returns the exchange's id, for cancel().
    std::uint64_t send(const HttpRequest &request, Done done);
    // Aborts an exchange (its connection is closed, so the server sees the client leave); `done`
    // is not called. Nothing happens for an id that has ended.
    void cancel(std::uint64_t id);

    // The bytes of a request as written on the wire.
    static QByteArray serialize(const HttpRequest &request);

private:
    class Exchange;
    friend class Exchange;
    QTcpSocket *takeIdle(const QString &origin);
    void keepIdle(const QString &origin, QTcpSocket *socket);
    void dropIdle(const QString &origin, QTcpSocket *socket);
    void ended(std::uint64_t id);

    std::int64_t *m_requestsWritten;
    std::uint64_t m_nextId = 1;
    std::unordered_map<std::uint64_t, Exchange *> m_exchanges; // children of this object
    std::unordered_map<QString, std::vector<QTcpSocket *>> m_idle; // per origin, newest last
};

} // namespace bw
