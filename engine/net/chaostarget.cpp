#include "chaostarget.h"

#include <QHttpServerRequest>
#include <QHttpServerResponder>
#include <QJsonDocument>
#include <QTcpSocket>

#include <cmath>

#ifdef Q_OS_UNIX
#include <sys/socket.h>
#endif

namespace bw {

namespace {

using Status = QHttpServerResponder::StatusCode;

QByteArray json(const QJsonObject &object)
{
    return QJsonDocument(object).toJson(QJsonDocument::Compact);
}

const QByteArray JsonType = QByteArrayLiteral("application/json");

// Retry-After as HTTP has it (RFC 9110 10.2.3): whole seconds, rounded up so that a client
// that waits what it says never comes back early.
QByteArray retryAfterValue(Duration d)
{
    return QByteArray::number(std::int64_t(std::ceil(toMs(d) / 1000.0)));
}

} // namespace

void resetConnection(QTcpSocket *socket)
{
#ifdef Q_OS_UNIX
    // A zero linger time makes close() send RST and drop the connection at once.
    const qintptr fd = socket->socketDescriptor();
    if (fd >= 0) {
        linger l { 1, 0 };
        ::setsockopt(int(fd), SOL_SOCKET, SO_LINGER, &l, sizeof l);
    }
#endif
    socket->abort();
}

QJsonObject ChaosTarget::Stats::toJson() const
{
    return QJsonObject { { QStringLiteral("requests"), double(requests) },
        { QStringLiteral("ok"), double(ok) }, { QStringLiteral("errors"), double(errors) },
        { QStringLiteral("hangs"), double(hangs) }, { QStringLiteral("resets"), double(resets) },
        { QStringLiteral("abandoned"), double(abandoned) }, { QStringLiteral("inFlight"), inFlight } };
}

ChaosTarget::ChaosTarget(Scheduler &scheduler, std::uint64_t seed, QObject *parent)
    : QAbstractHttpServer(parent)
    , m_scheduler(scheduler)
    , m_random(seed)
{ }

ChaosTarget::~ChaosTarget()
{
    for (auto &[id, pending] : m_pending)
        m_scheduler.cancel(pending.timer);
}

quint16 ChaosTarget::start(const QHostAddress &address, quint16 port)
{
    m_port = listen(address, port);
    return m_port;
}

void ChaosTarget::resetStats()
{
    const int inFlight = m_stats.inFlight;
    m_stats = Stats {};
    // Still true: those requests are still waiting; counted as received so the sum holds.
    m_stats.inFlight = inFlight;
    m_stats.requests = inFlight;
}

bool ChaosTarget::handleRequest(const QHttpServerRequest &request, QTcpSocket *socket)
{
    const QString path = request.url().path();
    if (path == u"/_chaos" || path == u"/_chaos/stats")
        handleControl(request, socket);
    else
        serve(request, socket);
    return true;
}

void ChaosTarget::missingHandler(const QHttpServerRequest &request, QTcpSocket *socket)
{
    makeResponder(request, socket).write(Status::NotFound);
}

void ChaosTarget::handleControl(const QHttpServerRequest &request, QTcpSocket *socket)
{
    QHttpServerResponder responder = makeResponder(request, socket);
    using Method = QHttpServerRequest::Method;
    const bool stats = request.url().path() == u"/_chaos/stats";
    if (stats && request.method() == Method::Get) {
        responder.write(json(m_stats.toJson()), JsonType);
    } else if (stats && request.method() == Method::Delete) {
        resetStats();
        responder.write(json(m_stats.toJson()), JsonType);
    } else if (!stats && request.method() == Method::Get) {
        responder.write(json(m_settings.toJson()), JsonType);
    } else if (!stats && request.method() == Method::Put) {
        LoadError error;
        if (std::optional<ChaosSettings> s = ChaosSettings::fromJson(request.body(), &error, m_settings)) {
            m_settings = *s;
            responder.write(json(m_settings.toJson()), JsonType);
        } else {
            responder.write(json(QJsonObject { { QStringLiteral("error"), error.toString() } }), JsonType,
                Status::BadRequest);
        }
    } else {
        const QByteArray allowed = stats ? "GET, DELETE" : "GET, PUT";
        responder.write(json(QJsonObject { { QStringLiteral("error"),
                            QStringLiteral("method not allowed; use ") + QString::fromLatin1(allowed) } }),
            { { "Content-Type", JsonType }, { "Allow", allowed } }, Status::MethodNotAllowed);
    }
}

void ChaosTarget::serve(const QHttpServerRequest &request, QTcpSocket *socket)
{
    ++m_stats.requests;
    // Every draw is taken for every request, so one setting does not shift the others' draws.
    const double resetDraw = m_random.uniform();
    const double hangDraw = m_random.uniform();
    const double errorDraw = m_random.uniform();
    const double jitterDraw = m_random.uniform();

    Pending pending;
    pending.responder = std::make_unique<QHttpServerResponder>(makeResponder(request, socket));
    pending.socket = socket;
    if (resetDraw < m_settings.resetRate)
        pending.status = 0;
    else if (hangDraw < m_settings.hangRate)
        pending.status = -1;
    else if (errorDraw < m_settings.errorRate)
        pending.status = m_settings.status;

    const std::uint64_t id = m_nextId++;
    ++m_stats.inFlight;
    if (pending.status != -1) {
        const Duration delay
            = m_settings.latency + Duration(std::int64_t(jitterDraw * double(m_settings.jitter.count())));
        if (delay > Duration::zero())
            pending.timer = m_scheduler.schedule(delay, [this, id] { answer(id); });
    }
    // A client that leaves frees what it was waiting for.
    static const char *const Watched = "bwChaosWatched";
    if (!socket->property(Watched).toBool()) {
        socket->setProperty(Watched, true);
        connect(socket, &QTcpSocket::disconnected, this, [this, socket] { forget(socket); });
    }
    const bool now = pending.status != -1 && pending.timer == 0;
    m_pending.emplace(id, std::move(pending));
    if (now)
        answer(id);
}

void ChaosTarget::answer(std::uint64_t id)
{
    const auto it = m_pending.find(id);
    if (it == m_pending.end())
        return;
    Pending pending = std::move(it->second);
    m_pending.erase(it);
    --m_stats.inFlight;
    if (!pending.socket || pending.socket->state() != QAbstractSocket::ConnectedState) {
        ++m_stats.abandoned;
        return;
    }
    if (pending.status == 0) {
        ++m_stats.resets;
        resetConnection(pending.socket);
        return;
    }
    if (pending.status == 200) {
        ++m_stats.ok;
        pending.responder->write(QByteArrayLiteral("{\"ok\":true}"), JsonType);
        return;
    }
    ++m_stats.errors;
    const QByteArray body
        = json(QJsonObject { { QStringLiteral("error"), QStringLiteral("injected by the chaos target") },
            { QStringLiteral("status"), pending.status } });
    if (m_settings.retryAfter > Duration::zero())
        pending.responder->write(body,
            { { "Content-Type", JsonType }, { "Retry-After", retryAfterValue(m_settings.retryAfter) } },
            Status(pending.status));
    else
        pending.responder->write(body, JsonType, Status(pending.status));
}

void ChaosTarget::forget(QTcpSocket *socket)
{
    for (auto it = m_pending.begin(); it != m_pending.end();) {
        if (it->second.socket && it->second.socket != socket) {
            ++it;
            continue;
        }
        m_scheduler.cancel(it->second.timer);
        --m_stats.inFlight;
        ++(it->second.status == -1 ? m_stats.hangs : m_stats.abandoned);
        it = m_pending.erase(it);
    }
}

} // namespace bw
