#include "toxicproxyapi.h"

#include <QHttpServerRequest>
#include <QHttpServerResponder>
#include <QJsonArray>
#include <QJsonDocument>

namespace bw {

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
