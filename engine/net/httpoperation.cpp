#include "httpoperation.h"

#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>

#include <cmath>

namespace bw {

HttpOperation::HttpOperation(QNetworkAccessManager &network, HttpRequest request)
    : m_network(network)
    , m_request(std::move(request))
{ }

HttpOperation::~HttpOperation()
{
    for (auto &[id, reply] : m_inFlight)
        abort(reply);
}

void HttpOperation::start(const Attempt &attempt, Completion done)
{
    QNetworkRequest request(m_request.url);
    for (const auto &[name, value] : m_request.headers)
        request.setRawHeader(name, value);
    QNetworkReply *reply = m_network.sendCustomRequest(request, m_request.method, m_request.body);
    ++m_stats.started;
    const std::uint64_t id = attempt.id;
    m_inFlight.emplace(id, reply);
    QObject::connect(reply, &QNetworkReply::finished, reply, [this, reply, id, done] {
        m_inFlight.erase(id);
        ++m_stats.completed;
        Result result = resultOf(*reply);
        reply->deleteLater();
        done(std::move(result));
    });
}

void HttpOperation::cancel(const Attempt &attempt)
{
    const auto it = m_inFlight.find(attempt.id);
    if (it == m_inFlight.end())
        return; // already answered
    QNetworkReply *reply = it->second;
    m_inFlight.erase(it);
    abort(reply);
}

void HttpOperation::abort(QNetworkReply *reply)
{
    // Disconnected first: abort() emits finished at once, and the caller has stopped waiting.
    QObject::disconnect(reply, &QNetworkReply::finished, nullptr, nullptr);
    reply->abort();
    reply->deleteLater();
    ++m_stats.aborted;
}

std::optional<Duration> HttpOperation::parseRetryAfter(const QByteArray &value)
{
    bool ok = false;
    const double seconds = value.trimmed().toDouble(&ok);
    // At most a day: beyond it the value is a mistake, and the retry's own cap applies anyway.
    if (!ok || !std::isfinite(seconds) || seconds < 0 || seconds > 86400)
        return std::nullopt;
    return fromMs(seconds * 1000.0);
}

Result HttpOperation::resultOf(QNetworkReply &reply)
{
    const QVariant statusAttribute = reply.attribute(QNetworkRequest::HttpStatusCodeAttribute);
    // Qt's errors 1-199 (network, proxy) and 300-399 (protocol) are failures of the exchange
    // itself, even after a status line came; 200-299 and 400-499 only restate the status.
    const int qtError = int(reply.error());
    const bool exchangeFailed = (qtError > 0 && qtError < 200) || (qtError >= 300 && qtError < 400);
    if (statusAttribute.isValid() && !exchangeFailed) {
        const int status = statusAttribute.toInt();
        if (status >= 200 && status < 300)
            return Result::success(status);
        Error e;
        e.code = status == 429 ? ErrorCode::RateLimit : ErrorCode::httpStatus(status);
        e.message = QString::number(status) + u' '
            + reply.attribute(QNetworkRequest::HttpReasonPhraseAttribute).toString();
        if (reply.hasRawHeader("Retry-After"))
            e.retryAfter = parseRetryAfter(reply.rawHeader("Retry-After"));
        return Result::failure(std::move(e));
    }
    ErrorCode code;
    switch (reply.error()) {
    case QNetworkReply::ConnectionRefusedError:
        code = ErrorCode::ConnectionRefused;
        break;
    // Qt reports a reset (RST) and a close before the reply alike.
    case QNetworkReply::RemoteHostClosedError:
        code = ErrorCode::ConnectionReset;
        break;
    case QNetworkReply::HostNotFoundError:
        code = ErrorCode::NotFound;
        break;
    default:
        code = ErrorCode::NetworkError;
        break;
    }
    return Result::failure(code, reply.errorString());
}

} // namespace bw
