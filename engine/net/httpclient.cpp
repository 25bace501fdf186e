#include "httpclient.h"

#include <QTcpSocket>
#include <QTimer>

#if QT_CONFIG(ssl)
#include <QSslSocket>
#endif

namespace bw {

namespace {

// A status line and headers longer than this are not an HTTP answer we can use.
constexpr qsizetype MaxHeadBytes = 64 * 1024;

QString originOf(const QUrl &url)
{
    return url.scheme() + QStringLiteral("://") + url.host() + u':'
        + QString::number(url.port(url.scheme() == u"https" ? 443 : 80));
}

HttpResponse failed(HttpResponse::Failure failure, QString message)
{
    HttpResponse r;
    r.failure = failure;
    r.errorString = std::move(message);
    return r;
}

} // namespace

QByteArray HttpResponse::header(const QByteArray &lowerName) const
{
    for (const auto &[name, value] : headers)
        if (name == lowerName)
            return value;
    return {};
}

bool HttpResponse::hasHeader(const QByteArray &lowerName) const
{
    for (const auto &[name, value] : headers)
        if (name == lowerName)
            return true;
    return false;
}

// One request and its answer, on one connection.
class HttpClient::Exchange final : public QObject
{
public:
    Exchange(HttpClient &client, std::uint64_t id, const HttpRequest &request, Done done)
        : QObject(&client)
        , m_client(client)
        , m_id(id)
        , m_origin(originOf(request.url))
        , m_head(request.method == "HEAD")
        , m_bytes(serialize(request))
        , m_done(std::move(done))
    { }

    void start(const QUrl &url)
    {
        const QString scheme = url.scheme();
        bool tls = scheme == u"https";
        if (scheme != u"http" && !tls) {
            finishLater(failed(HttpResponse::Failure::Other,
                QStringLiteral("Protocol \"%1\" is unknown (http and https only)").arg(scheme)));
            return;
        }
#if !QT_CONFIG(ssl)
        if (tls) {
            finishLater(failed(HttpResponse::Failure::Other, QStringLiteral("https needs Qt with TLS")));
            return;
        }
#endif
        m_socket = m_client.takeIdle(m_origin);
        if (m_socket) {
            m_socket->setParent(this);
            watch();
            write();
            return;
        }
#if QT_CONFIG(ssl)
        if (tls) {
            auto *socket = new QSslSocket(this);
            m_socket = socket;
            watch();
            connect(socket, &QSslSocket::encrypted, this, [this] { write(); });
            socket->connectToHostEncrypted(url.host(), quint16(url.port(443)));
            return;
        }
#endif
        m_socket = new QTcpSocket(this);
        watch();
        connect(m_socket, &QTcpSocket::connected, this, [this] { write(); });
        m_socket->connectToHost(url.host(), quint16(url.port(80)));
    }

    // The caller left: the connection closes (a half-read answer cannot be reused).
    void abort()
    {
        m_ended = true;
        if (m_socket) {
            m_socket->disconnect(this);
            m_socket->abort();
        }
        deleteLater(); // the socket, a child, with it
    }

private:
    enum class Phase : std::uint8_t
    {
        Head,
        Length, // m_remaining bytes of body
        ChunkSize,
        ChunkData, // m_remaining bytes of chunk and its CRLF
        Trailers,
        UntilClose,
    };

    void write()
    {
        m_socket->write(m_bytes);
        if (m_client.m_requestsWritten)
            ++*m_client.m_requestsWritten;
    }

    void watch()
    {
        connect(m_socket, &QTcpSocket::readyRead, this, [this] { read(); });
        connect(m_socket, &QTcpSocket::errorOccurred, this, [this](QAbstractSocket::SocketError e) { error(e); });
        connect(m_socket, &QTcpSocket::disconnected, this, [this] { closedByPeer(); });
    }

    void read()
    {
        if (m_ended)
            return;
        m_buffer += m_socket->readAll();
        while (!m_ended) {
            switch (m_phase) {
            case Phase::Head:
                if (!readHead())
                    return;
                break;
            case Phase::Length:
            case Phase::ChunkData: {
                const qsizetype take = std::min<qsizetype>(m_remaining, m_buffer.size());
                m_buffer.remove(0, take);
                m_remaining -= take;
                if (m_remaining > 0)
                    return;
                if (m_phase == Phase::Length)
                    return complete();
                m_phase = Phase::ChunkSize;
                break;
            }
            case Phase::ChunkSize: {
                const qsizetype end = m_buffer.indexOf("\r\n");
                if (end < 0)
                    return lineTooLong();
                QByteArray line = m_buffer.left(end);
                m_buffer.remove(0, end + 2);
                if (const qsizetype semicolon = line.indexOf(';'); semicolon >= 0)
                    line.truncate(semicolon); // chunk extensions
                bool ok = false;
                const qint64 size = line.trimmed().toLongLong(&ok, 16);
                if (!ok || size < 0)
                    return finish(failed(HttpResponse::Failure::Other, QStringLiteral("bad chunk size")));
                m_remaining = size + 2;
                m_phase = size == 0 ? Phase::Trailers : Phase::ChunkData;
                break;
            }
            case Phase::Trailers: {
                const qsizetype end = m_buffer.indexOf("\r\n");
                if (end < 0)
                    return lineTooLong();
                m_buffer.remove(0, end + 2);
                if (end == 0)
                    return complete();
                break;
            }
            case Phase::UntilClose:
                m_buffer.clear();
                return;
            }
        }
    }

    void lineTooLong()
    {
        if (m_buffer.size() > MaxHeadBytes)
            finish(failed(HttpResponse::Failure::Other, QStringLiteral("answer line too long")));
    }

    // Reads the status line and headers once they are all here; false when more must come.
    bool readHead()
    {
        const qsizetype end = m_buffer.indexOf("\r\n\r\n");
        if (end < 0) {
            lineTooLong();
            return false;
        }
        const QList<QByteArray> lines = m_buffer.left(end).split('\n');
        m_buffer.remove(0, end + 4);
        const QByteArray statusLine = lines.first().trimmed();
        // "HTTP/1.1 200 OK"
        const QList<QByteArray> parts = statusLine.split(' ');
        bool ok = false;
        const int status = parts.size() >= 2 ? parts[1].toInt(&ok) : 0;
        if (!statusLine.startsWith("HTTP/1.") || !ok || status < 100 || status > 999) {
            finish(failed(HttpResponse::Failure::Other, QStringLiteral("not an HTTP answer")));
            return false;
        }
        if (status >= 100 && status < 200)
            return true; // an interim answer (100 Continue): the real one follows
        m_response = HttpResponse {};
        m_response.status = status;
        m_response.reason = statusLine.mid(parts[0].size() + parts[1].size() + 2);
        for (qsizetype i = 1; i < lines.size(); ++i) {
            const qsizetype colon = lines[i].indexOf(':');
            if (colon > 0)
                m_response.headers.emplace_back(
                    lines[i].left(colon).trimmed().toLower(), lines[i].mid(colon + 1).trimmed());
        }
        const QByteArray connection = m_response.header("connection").toLower();
        m_keepAlive = statusLine.startsWith("HTTP/1.1") ? !connection.contains("close")
                                                        : connection.contains("keep-alive");
        bool lengthOk = false;
        const qint64 length = m_response.header("content-length").toLongLong(&lengthOk);
        if (m_head || status == 204 || status == 304) {
            complete();
        } else if (m_response.header("transfer-encoding").toLower().contains("chunked")) {
            m_phase = Phase::ChunkSize;
        } else if (lengthOk && length >= 0) {
            m_phase = Phase::Length;
            m_remaining = length;
            if (length == 0)
                complete();
        } else {
            m_phase = Phase::UntilClose;
            m_keepAlive = false;
        }
        return true;
    }

    void closedByPeer()
    {
        if (m_ended)
            return;
        if (m_phase == Phase::UntilClose)
            return complete();
        finish(failed(HttpResponse::Failure::Reset, QStringLiteral("the connection closed before the whole answer")));
    }

    void error(QAbstractSocket::SocketError e)
    {
        if (m_ended)
            return;
        switch (e) {
        case QAbstractSocket::RemoteHostClosedError:
            // A reset (RST) or a close (FIN): both end the answer early, but a body that runs
            // until the close is complete.
            return closedByPeer();
        case QAbstractSocket::ConnectionRefusedError:
            return finish(failed(HttpResponse::Failure::Refused, m_socket->errorString()));
        case QAbstractSocket::HostNotFoundError:
            return finish(failed(HttpResponse::Failure::HostNotFound, m_socket->errorString()));
        default:
            return finish(failed(HttpResponse::Failure::Other, m_socket->errorString()));
        }
    }

    // The whole answer came: the connection goes back to the pool if both sides keep it.
    void complete()
    {
        m_ended = true;
        m_socket->disconnect(this);
        if (m_keepAlive && m_buffer.isEmpty() && m_socket->state() == QAbstractSocket::ConnectedState)
            m_client.keepIdle(m_origin, m_socket);
        else
            m_socket->abort();
        m_socket = nullptr;
        end(std::move(m_response));
    }

    void finish(HttpResponse &&response)
    {
        m_ended = true;
        if (m_socket) {
            m_socket->disconnect(this);
            m_socket->abort();
        }
        end(std::move(response));
    }

    // Answers from the event loop, never inside send().
    void finishLater(HttpResponse &&response)
    {
        m_response = std::move(response);
        QTimer::singleShot(0, this, [this] {
            if (!m_ended)
                finish(std::move(m_response));
        });
    }

    void end(HttpResponse &&response)
    {
        const Done done = std::move(m_done);
        m_client.ended(m_id);
        deleteLater(); // we may be inside one of the socket's signals
        done(std::move(response)); // last: it may send the next request at once
    }

    HttpClient &m_client;
    std::uint64_t m_id;
    QString m_origin;
    bool m_head;
    QByteArray m_bytes;
    Done m_done;
    QTcpSocket *m_socket = nullptr; // a child while in use
    QByteArray m_buffer;
    HttpResponse m_response;
    Phase m_phase = Phase::Head;
    qint64 m_remaining = 0;
    bool m_keepAlive = false;
    bool m_ended = false;
};

HttpClient::HttpClient(std::int64_t *requestsWritten, QObject *parent)
    : QObject(parent)
    , m_requestsWritten(requestsWritten)
{ }

HttpClient::~HttpClient()
{
    for (auto &[id, exchange] : m_exchanges)
        exchange->abort();
}

std::uint64_t HttpClient::send(const HttpRequest &request, Done done)
{
    const std::uint64_t id = m_nextId++;
    auto *exchange = new Exchange(*this, id, request, std::move(done));
    m_exchanges.emplace(id, exchange);
    exchange->start(request.url);
    return id;
}

void HttpClient::cancel(std::uint64_t id)
{
    const auto it = m_exchanges.find(id);
    if (it == m_exchanges.end())
        return;
    Exchange *exchange = it->second;
    m_exchanges.erase(it);
    exchange->abort();
}

void HttpClient::ended(std::uint64_t id)
{
    m_exchanges.erase(id);
}

QTcpSocket *HttpClient::takeIdle(const QString &origin)
{
    const auto it = m_idle.find(origin);
    while (it != m_idle.end() && !it->second.empty()) {
        QTcpSocket *socket = it->second.back();
        it->second.pop_back();
        socket->disconnect(this);
        if (socket->state() == QAbstractSocket::ConnectedState && socket->bytesAvailable() == 0)
            return socket;
        socket->deleteLater(); // the server closed it meanwhile
    }
    return nullptr;
}

void HttpClient::keepIdle(const QString &origin, QTcpSocket *socket)
{
    socket->setParent(this);
    m_idle[origin].push_back(socket);
    // An idle connection the server closes, or writes to, is of no further use.
    const auto drop = [this, origin, socket] { dropIdle(origin, socket); };
    connect(socket, &QTcpSocket::disconnected, this, drop);
    connect(socket, &QTcpSocket::readyRead, this, drop);
    connect(socket, &QTcpSocket::errorOccurred, this, drop);
}

void HttpClient::dropIdle(const QString &origin, QTcpSocket *socket)
{
    std::erase(m_idle[origin], socket);
    socket->disconnect(this);
    socket->abort();
    socket->deleteLater();
}

QByteArray HttpClient::serialize(const HttpRequest &request)
{
    const QUrl &url = request.url;
    QByteArray target = url.path(QUrl::FullyEncoded).toLatin1();
    if (target.isEmpty())
        target = "/";
    if (url.hasQuery())
        target += '?' + url.query(QUrl::FullyEncoded).toLatin1();
    QByteArray host = url.host(QUrl::FullyEncoded).toLatin1();
    if (host.contains(':'))
        host = '[' + host + ']';
    if (url.port() != -1)
        host += ':' + QByteArray::number(url.port());

    QByteArray out = request.method + ' ' + target + " HTTP/1.1\r\nHost: " + host + "\r\n";
    bool userAgent = false;
    for (const auto &[name, value] : request.headers) {
        userAgent = userAgent || name.compare("user-agent", Qt::CaseInsensitive) == 0;
        out += name + ": " + value + "\r\n";
    }
    if (!userAgent)
        out += "User-Agent: breakwater\r\n";
    const bool bodyExpected = request.method == "POST" || request.method == "PUT" || request.method == "PATCH";
    if (!request.body.isEmpty() || bodyExpected)
        out += "Content-Length: " + QByteArray::number(request.body.size()) + "\r\n";
    out += "\r\n";
    out += request.body;
    return out;
}

} // namespace bw
