#include "metricsserver.h"

#include "hystrixstream.h"
#include "prometheusexposition.h"

#include <QDateTime>
#include <QHttpServerRequest>
#include <QHttpServerResponder>
#include <QJsonArray>
#include <QJsonDocument>

namespace bw {

MetricsServer::MetricsServer(Source source, QObject *parent)
    : QAbstractHttpServer(parent)
    , m_source(std::move(source))
    , m_epochMs([] { return QDateTime::currentMSecsSinceEpoch(); })
{ }

MetricsServer::~MetricsServer()
{
    m_scheduler.cancel(m_streamTimer);
}

bool MetricsServer::start(const QHostAddress &address, quint16 port, QString *error)
{
    m_port = listen(address, port);
    if (m_port == 0) {
        *error = QStringLiteral("cannot listen on %1:%2 (is the port in use?)").arg(address.toString()).arg(port);
        return false;
    }
    m_address = address;
    return true;
}

QString MetricsServer::baseUrl() const
{
    const QString host = m_address.protocol() == QAbstractSocket::IPv6Protocol
        ? u'[' + m_address.toString() + u']'
        : m_address.toString();
    return QStringLiteral("http://%1:%2").arg(host).arg(m_port);
}

int MetricsServer::streamClients() const
{
    return int(std::count_if(m_streams.begin(), m_streams.end(), [](const auto &s) { return !s.isNull(); }));
}

bool MetricsServer::handleRequest(const QHttpServerRequest &request, QTcpSocket *socket)
{
    const QString path = request.url().path();
    const bool known = path == u"/metrics" || path == u"/health" || path == u"/hystrix.stream";
    if (!known)
        return false;
    QHttpServerResponder responder = makeResponder(request, socket);
    if (request.method() != QHttpServerRequest::Method::Get) {
        responder.write(QByteArray("only GET\n"), "text/plain", QHttpServerResponder::StatusCode::MethodNotAllowed);
        return true;
    }
    if (path == u"/hystrix.stream") {
        openStream(request, socket);
        return true;
    }
    const MetricsSnapshotPtr snapshot = m_source();
    if (path == u"/metrics") {
        responder.write(prometheusExposition(*snapshot), PrometheusContentType);
        return true;
    }
    const HealthStatus &health = snapshot->health;
    QJsonObject body = health.toJson();
    body.insert(QStringLiteral("summary"),
        QJsonObject { { QStringLiteral("healthy"), health.healthy },
            { QStringLiteral("issues"), QJsonArray::fromStringList(health.issues) } });
    body.insert(QStringLiteral("runTimeMs"), toMs(snapshot->at));
    responder.write(QJsonDocument(body),
        health.healthy ? QHttpServerResponder::StatusCode::Ok : QHttpServerResponder::StatusCode::ServiceUnavailable);
    return true;
}

void MetricsServer::missingHandler(const QHttpServerRequest &request, QTcpSocket *socket)
{
    makeResponder(request, socket)
        .write(QByteArray("not found: try /metrics, /health or /hystrix.stream\n"), "text/plain",
            QHttpServerResponder::StatusCode::NotFound);
}

// Server-sent events never end: the headers go out without a length, then one batch of messages
// at once and one per interval, until the client goes away.
void MetricsServer::openStream(const QHttpServerRequest &request, QTcpSocket *socket)
{
    QHttpServerResponder responder = makeResponder(request, socket);
    responder.writeStatusLine(QHttpServerResponder::StatusCode::Ok);
    responder.writeHeaders({ { "Content-Type", "text/event-stream;charset=UTF-8" },
        { "Cache-Control", "no-cache, no-store, max-age=0, must-revalidate" }, { "Pragma", "no-cache" },
        { "Connection", "close" }, { "Access-Control-Allow-Origin", "*" } });
    responder.writeBody(hystrixEvents(*m_source(), m_epochMs())); // the first also ends the headers
    m_streams.emplace_back(socket);
    if (m_streamTimer == 0)
        m_streamTimer = m_scheduler.schedule(m_streamInterval, [this] { pushStreams(); });
}

void MetricsServer::pushStreams()
{
    m_streamTimer = 0;
    std::erase_if(m_streams, [](const QPointer<QTcpSocket> &s) {
        return s.isNull() || s->state() != QAbstractSocket::ConnectedState;
    });
    if (m_streams.empty())
        return;
    const QByteArray events = hystrixEvents(*m_source(), m_epochMs());
    for (const QPointer<QTcpSocket> &s : m_streams)
        s->write(events);
    m_streamTimer = m_scheduler.schedule(m_streamInterval, [this] { pushStreams(); });
}

} // namespace bw
