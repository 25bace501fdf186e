#include "toxicproxy.h"

#include "chaostarget.h"

#include <QHttpServerRequest>
#include <QHttpServerResponder>
#include <QJsonArray>
#include <QJsonDocument>
#include <QPointer>
#include <QTcpSocket>

#include <deque>
#include <map>
#include <optional>

namespace bw {

namespace {

// What a connection holds per direction, at most: data read but not yet delivered, and data
// waiting in a socket's buffer. Beyond it the proxy stops reading, so a fast sender meets TCP
// backpressure (as in Toxiproxy, whose pipes block) instead of filling the proxy's memory.
constexpr qint64 MaxBufferedBytes = 64 * 1024;

QString hostPort(const QHostAddress &host, quint16 port)
{
    const QString h
        = host.protocol() == QAbstractSocket::IPv6Protocol ? u'[' + host.toString() + u']' : host.toString();
    return h + u':' + QString::number(port);
}

} // namespace

bool parseHostPort(const QString &text, QHostAddress *host, quint16 *port)
{
    const qsizetype colon = text.lastIndexOf(u':');
    if (colon <= 0)
        return false;
    QString h = text.left(colon);
    if (h.startsWith(u'[') && h.endsWith(u']'))
        h = h.mid(1, h.size() - 2);
    bool ok = false;
    const uint p = text.mid(colon + 1).toUInt(&ok);
    const QHostAddress address(h);
    if (!ok || p > 65535 || address.isNull())
        return false;
    *host = address;
    *port = quint16(p);
    return true;
}

// One proxied connection: the client's socket, the upstream socket, and per direction the data
// on its way, each piece with the time it is due.
class ToxicProxy::Connection final : public QObject
{
public:
    Connection(ToxicProxy &proxy, QTcpSocket *client)
        : QObject(&proxy)
        , m_proxy(proxy)
        , m_random(proxy.m_random.next())
        , m_client(client)
        , m_upstream(new QTcpSocket(this))
    {
        client->setParent(this);
        m_client->setReadBufferSize(MaxBufferedBytes);
        m_upstream->setReadBufferSize(MaxBufferedBytes);
        m_up.from = m_client;
        m_up.to = m_upstream;
        m_up.stream = Toxic::Stream::Upstream;
        m_down.from = m_upstream;
        m_down.to = m_client;
        m_down.stream = Toxic::Stream::Downstream;
        for (Direction *d : { &m_up, &m_down }) {
            connect(d->from, &QTcpSocket::readyRead, this, [this, d] { read(*d); });
            connect(d->from, &QTcpSocket::disconnected, this, [this, d] { sourceClosed(*d); });
            connect(d->to, &QTcpSocket::bytesWritten, this, [this, d] { deliver(*d); });
        }
        connect(m_upstream, &QTcpSocket::connected, this, [this] {
            read(m_up); // what the client sent while the upstream connection was being made
            toxicsChanged();
        });
        connect(m_upstream, &QTcpSocket::errorOccurred, this, [this](QAbstractSocket::SocketError e) {
            if (e != QAbstractSocket::RemoteHostClosedError)
                close(); // refused, unreachable: the client sees its connection closed
        });
        m_upstream->connectToHost(proxy.m_upstreamHost, proxy.m_upstreamPort);
    }

    ~Connection() override
    {
        Scheduler &s = m_proxy.m_scheduler;
        for (Direction *d : { &m_up, &m_down }) {
            s.cancel(d->timer);
            s.cancel(d->closeTimer);
            s.cancel(d->timeoutTimer);
            s.cancel(d->resetTimer);
        }
    }

    // Bytes this connection holds: read and not delivered, or waiting in its sockets' buffers.
    qint64 bufferedBytes() const
    {
        qint64 bytes = 0;
        for (const Direction *d : { &m_up, &m_down })
            bytes += d->queuedBytes + d->from->bytesAvailable() + d->to->bytesToWrite();
        return bytes;
    }

    // A toxic was added, changed or removed. As in Toxiproxy, a timeout toxic's timer starts
    // with it (a hung peer is cut), and its removal closes the connections it held; a changed
    // or removed reset_peer stops its pending reset (a changed one waits for the next data).
    void toxicsChanged()
    {
        if (m_closed || m_upstream->state() != QAbstractSocket::ConnectedState)
            return;
        for (Direction *d : { &m_up, &m_down }) {
            const Toxic *timeout = active(*d, Toxic::Type::Timeout);
            if (!timeout && d->timeoutToxic) {
                close();
                return;
            }
            if (timeout && (!d->timeoutToxic || !(*d->timeoutToxic == *timeout))) {
                d->timeoutToxic = *timeout;
                restartTimeout(*d);
            }
            const Toxic *reset = active(*d, Toxic::Type::ResetPeer);
            if (d->resetToxic && (!reset || !(*d->resetToxic == *reset))) {
                m_proxy.m_scheduler.cancel(std::exchange(d->resetTimer, 0));
                d->resetToxic.reset();
            }
        }
        for (Direction *d : { &m_up, &m_down })
            deliver(*d); // a removed toxic lets held data go
    }

private:
    struct Piece
    {
        TimePoint due;
        QByteArray bytes;
    };
    struct Direction
    {
        QTcpSocket *from = nullptr, *to = nullptr;
        Toxic::Stream stream = Toxic::Stream::Upstream;
        std::deque<Piece> queue;
        TimerId timer = 0;
        TimePoint lastDue {};
        qint64 passed = 0;
        bool limitReached = false;
        bool sourceClosed = false;
        TimerId closeTimer = 0;
        qint64 queuedBytes = 0; // in `queue`
        std::optional<Toxic> timeoutToxic; // the timeout toxic in force, and its timer
        TimerId timeoutTimer = 0;
        std::optional<Toxic> resetToxic; // the reset_peer whose timer runs
        TimerId resetTimer = 0;
    };

    // A timeout toxic's timer, from now: the connection closes when no data came for that long
    // (never for 0).
    void restartTimeout(Direction &d)
    {
        Scheduler &s = m_proxy.m_scheduler;
        s.cancel(std::exchange(d.timeoutTimer, 0));
        if (d.timeoutToxic && d.timeoutToxic->timeout > Duration::zero())
            d.timeoutTimer = s.schedule(d.timeoutToxic->timeout, [this, &d] {
                d.timeoutTimer = 0;
                close();
            });
    }

    // The toxic of that type acting on this direction of this connection, if any.
    const Toxic *active(const Direction &d, Toxic::Type type)
    {
        for (const Toxic &t : m_proxy.m_toxics) {
            if (t.type != type || t.stream != d.stream)
                continue;
            auto it = m_affected.find(t.name);
            if (it == m_affected.end())
                it = m_affected.emplace(t.name, m_random.uniform() < t.toxicity).first;
            if (it->second)
                return &t;
        }
        return nullptr;
    }

    void read(Direction &d)
    {
        take(d);
        deliver(d);
    }

    // Reads what the source sent, as far as there is room, into the queue with the times the
    // toxics give each piece; false when nothing was queued.
    bool take(Direction &d)
    {
        if (m_closed || m_upstream->state() != QAbstractSocket::ConnectedState)
            return false; // the client's bytes wait in its socket until the upstream is there
        const qint64 room = MaxBufferedBytes - d.queuedBytes;
        if (room <= 0)
            return false; // the rest waits in the socket: backpressure
        QByteArray data = d.from->read(room);
        if (data.isEmpty())
            return false;
        const bool stopped = active(d, Toxic::Type::Timeout) || active(d, Toxic::Type::ResetPeer);
        if (d.limitReached || stopped)
            d.from->readAll(); // dropped, all of it
        if (d.limitReached)
            return false;
        if (active(d, Toxic::Type::Timeout)) {
            restartTimeout(d); // data stops here, and the timer starts again
            return false;
        }
        if (const Toxic *t = active(d, Toxic::Type::ResetPeer)) {
            // The first data on the stream starts the timer; that data never passes.
            if (!d.resetToxic) {
                d.resetToxic = *t;
                if (t->timeout <= Duration::zero())
                    reset();
                else
                    d.resetTimer = m_proxy.m_scheduler.schedule(t->timeout, [this] { reset(); });
            }
            return false;
        }
        const TimePoint now = m_proxy.m_scheduler.now();
        if (const Toxic *t = active(d, Toxic::Type::LimitData)) {
            const qint64 room = t->bytes - d.passed;
            if (data.size() >= room) {
                data.truncate(std::max<qint64>(room, 0));
                d.limitReached = true;
            }
        }
        d.passed += data.size();

        TimePoint due = now;
        if (const Toxic *t = active(d, Toxic::Type::Latency)) {
            const double spread = (2 * m_random.uniform() - 1) * double(t->jitter.count());
            due += std::max(Duration::zero(), t->latency + Duration(std::int64_t(spread)));
        }
        const Toxic *slicer = active(d, Toxic::Type::Slicer);
        const Toxic *bandwidth = active(d, Toxic::Type::Bandwidth);
        qsizetype at = 0;
        while (at < data.size()) {
            qsizetype size = data.size() - at;
            if (slicer) {
                const int variation = slicer->sizeVariation;
                size = std::min<qsizetype>(size,
                    slicer->averageSize
                        + (variation ? qsizetype(m_random.below(std::uint64_t(2 * variation + 1))) - variation
                                     : 0));
                size = std::max<qsizetype>(size, 1);
            }
            TimePoint pieceDue = std::max(due, d.lastDue); // order is kept
            if (slicer && at > 0)
                pieceDue += slicer->delay;
            if (bandwidth) // the piece is due when the link has carried it (a KB is 1,000 bytes)
                pieceDue += Duration(std::int64_t(double(size) * 1e9 / (bandwidth->rateKBps * 1000.0)));
            d.queue.push_back(Piece { pieceDue, data.mid(at, size) });
            d.queuedBytes += size;
            d.lastDue = pieceDue;
            at += size;
        }
        return true;
    }

    // Writes what is due, as far as the receiver takes it, then reads more if there is room.
    void deliver(Direction &d)
    {
        m_proxy.m_scheduler.cancel(std::exchange(d.timer, 0));
        if (m_closed)
            return;
        const TimePoint now = m_proxy.m_scheduler.now();
        do {
            while (!d.queue.empty() && d.queue.front().due <= now && d.to->bytesToWrite() < MaxBufferedBytes) {
                const QByteArray &bytes = d.queue.front().bytes;
                d.to->write(bytes);
                (d.stream == Toxic::Stream::Upstream ? m_proxy.m_stats.bytesUpstream
                                                     : m_proxy.m_stats.bytesDownstream)
                    += bytes.size();
                d.queuedBytes -= bytes.size();
                d.queue.pop_front();
            }
        } while (d.to->bytesToWrite() < MaxBufferedBytes && d.from->bytesAvailable() > 0 && take(d));
        if (m_closed)
            return;
        if (!d.queue.empty() && d.queue.front().due <= now)
            return; // the receiver is slow: bytesWritten calls again
        if (!d.queue.empty()) {
            Direction *p = &d;
            d.timer = m_proxy.m_scheduler.scheduleAt(d.queue.front().due, [this, p] { deliver(*p); });
            return;
        }
        if (d.limitReached || d.sourceClosed)
            closeAfterSlowClose(d);
    }

    void sourceClosed(Direction &d)
    {
        if (m_closed)
            return;
        d.sourceClosed = true;
        if (d.queue.empty())
            closeAfterSlowClose(d);
    }

    // Passes a close on, later by a slow_close toxic's delay.
    void closeAfterSlowClose(Direction &d)
    {
        if (d.closeTimer)
            return;
        const Toxic *t = active(d, Toxic::Type::SlowClose);
        if (!t || t->delay <= Duration::zero()) {
            close();
            return;
        }
        d.closeTimer = m_proxy.m_scheduler.schedule(t->delay, [this] { close(); });
    }

    void reset()
    {
        if (m_closed)
            return;
        ++m_proxy.m_stats.resets;
        resetConnection(m_client);
        resetConnection(m_upstream);
        close();
    }

    void close()
    {
        if (m_closed)
            return;
        m_closed = true;
        // Flushes what was written, then closes: an orderly FIN unless reset() came first.
        m_client->disconnectFromHost();
        m_upstream->disconnectFromHost();
        // Gone once both sockets have flushed what they hold and closed.
        for (QTcpSocket *s : { m_client, m_upstream })
            connect(s, &QTcpSocket::stateChanged, this, [this] { finishWhenClosed(); });
        finishWhenClosed();
    }

    void finishWhenClosed()
    {
        if (m_finished || m_client->state() != QAbstractSocket::UnconnectedState
            || m_upstream->state() != QAbstractSocket::UnconnectedState)
            return;
        m_finished = true;
        m_proxy.finished(this);
    }

    ToxicProxy &m_proxy;
    Random m_random;
    QTcpSocket *m_client;
    QTcpSocket *m_upstream;
    Direction m_up, m_down;
    std::map<QString, bool> m_affected; // per toxic name: drawn once per connection
    bool m_closed = false;
    bool m_finished = false;
};

ToxicProxy::ToxicProxy(Scheduler &scheduler, QHostAddress upstreamHost, quint16 upstreamPort,
    std::uint64_t seed, QObject *parent)
    : QObject(parent)
    , m_scheduler(scheduler)
    , m_upstreamHost(std::move(upstreamHost))
    , m_upstreamPort(upstreamPort)
    , m_random(seed)
{
    connect(&m_server, &QTcpServer::newConnection, this, [this] { accept(); });
}

ToxicProxy::~ToxicProxy()
{
    for (Connection *c : m_connections)
        delete c;
}

quint16 ToxicProxy::listen(const QHostAddress &address, quint16 port)
{
    return m_server.listen(address, port) ? m_server.serverPort() : 0;
}

QString ToxicProxy::listenAddress() const
{
    return hostPort(m_server.serverAddress(), m_server.serverPort());
}

QString ToxicProxy::upstreamAddress() const
{
    return hostPort(m_upstreamHost, m_upstreamPort);
}

const Toxic *ToxicProxy::toxic(const QString &name) const
{
    for (const Toxic &t : m_toxics)
        if (t.name == name)
            return &t;
    return nullptr;
}

bool ToxicProxy::addToxic(const Toxic &toxic)
{
    if (this->toxic(toxic.name))
        return false;
    m_toxics.append(toxic);
    toxicsChanged();
    return true;
}

void ToxicProxy::toxicsChanged()
{
    const std::vector<Connection *> connections = m_connections; // a connection may close
    for (Connection *c : connections)
        c->toxicsChanged();
}

void ToxicProxy::clearToxics()
{
    m_toxics.clear();
    toxicsChanged();
}

qint64 ToxicProxy::bufferedBytes() const
{
    qint64 bytes = 0;
    for (const Connection *c : m_connections)
        bytes += c->bufferedBytes();
    return bytes;
}

bool ToxicProxy::updateToxic(const Toxic &toxic)
{
    for (Toxic &t : m_toxics) {
        if (t.name == toxic.name) {
            t = toxic;
            toxicsChanged();
            return true;
        }
    }
    return false;
}

bool ToxicProxy::removeToxic(const QString &name)
{
    for (qsizetype i = 0; i < m_toxics.size(); ++i) {
        if (m_toxics[i].name == name) {
            m_toxics.removeAt(i);
            toxicsChanged();
            return true;
        }
    }
    return false;
}

void ToxicProxy::accept()
{
    while (QTcpSocket *client = m_server.nextPendingConnection()) {
        ++m_stats.connections;
        ++m_stats.open;
        m_connections.push_back(new Connection(*this, client));
    }
}

void ToxicProxy::finished(Connection *connection)
{
    std::erase(m_connections, connection);
    --m_stats.open;
    connection->deleteLater(); // it may be inside one of its sockets' signals
}

ToxicProxyApi::ToxicProxyApi(ToxicProxy &proxy, QObject *parent)
    : QAbstractHttpServer(parent)
    , m_proxy(proxy)
{ }

bool ToxicProxyApi::handleRequest(const QHttpServerRequest &request, QTcpSocket *socket)
{
    using Method = QHttpServerRequest::Method;
    using Status = QHttpServerResponder::StatusCode;
    QHttpServerResponder responder = makeResponder(request, socket);
    const auto reply = [&responder](const QJsonValue &body, Status status = Status::Ok) {
        const QByteArray bytes = body.isArray()
            ? QJsonDocument(body.toArray()).toJson(QJsonDocument::Compact)
            : QJsonDocument(body.toObject()).toJson(QJsonDocument::Compact);
        responder.write(bytes, QByteArrayLiteral("application/json"), status);
    };
    const auto fail = [&reply](const QString &message, Status status) {
        reply(QJsonObject { { QStringLiteral("error"), message } }, status);
    };
    const QString path = request.url().path();
    const Method method = request.method();
    if (path == u"/proxy" && method == Method::Get) {
        const ToxicProxy::Stats &s = m_proxy.stats();
        reply(QJsonObject { { QStringLiteral("listen"), m_proxy.listenAddress() },
            { QStringLiteral("upstream"), m_proxy.upstreamAddress() },
            { QStringLiteral("stats"),
                QJsonObject { { QStringLiteral("connections"), double(s.connections) },
                    { QStringLiteral("open"), s.open },
                    { QStringLiteral("bytesUpstream"), double(s.bytesUpstream) },
                    { QStringLiteral("bytesDownstream"), double(s.bytesDownstream) },
                    { QStringLiteral("resets"), double(s.resets) } } } });
    } else if (path == u"/reset" && method == Method::Post) {
        m_proxy.clearToxics();
        responder.write(Status::NoContent);
    } else if (path == u"/toxics" && method == Method::Get) {
        QJsonArray all;
        for (const Toxic &t : m_proxy.toxics())
            all.append(t.toJson());
        reply(all);
    } else if (path == u"/toxics" && method == Method::Post) {
        LoadError error;
        const std::optional<Toxic> t = Toxic::fromJson(request.body(), &error);
        if (!t)
            fail(error.toString(), Status::BadRequest);
        else if (!m_proxy.addToxic(*t))
            fail(QStringLiteral("a toxic named '") + t->name + QStringLiteral("' exists already"),
                Status::Conflict);
        else
            reply(t->toJson());
    } else if (path.startsWith(u"/toxics/")) {
        const QString name = path.mid(8);
        const Toxic *existing = m_proxy.toxic(name);
        if (!existing) {
            fail(QStringLiteral("no toxic named '") + name + u'\'', Status::NotFound);
        } else if (method == Method::Get) {
            reply(existing->toJson());
        } else if (method == Method::Delete) {
            m_proxy.removeToxic(name);
            responder.write(Status::NoContent);
        } else if (method == Method::Post) {
            LoadError error;
            const std::optional<Toxic> t = Toxic::fromJson(request.body(), &error, existing);
            if (!t) {
                fail(error.toString(), Status::BadRequest);
            } else {
                m_proxy.updateToxic(*t);
                reply(t->toJson());
            }
        } else {
            fail(QStringLiteral("method not allowed; use GET, POST or DELETE"), Status::MethodNotAllowed);
        }
    } else {
        fail(QStringLiteral("not found; the API has /proxy, /toxics, /toxics/NAME and /reset"),
            Status::NotFound);
    }
    return true;
}

void ToxicProxyApi::missingHandler(const QHttpServerRequest &request, QTcpSocket *socket)
{
    makeResponder(request, socket).write(QHttpServerResponder::StatusCode::NotFound);
}

} // namespace bw
