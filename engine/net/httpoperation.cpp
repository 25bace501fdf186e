#include "httpoperation.h"

#include <QDateTime>
#include <QLocale>

#include <cmath>

namespace bw {

namespace {

// At most a day: beyond it the value is a mistake, and the retry's own cap applies anyway.
constexpr double MaxRetryAfterMs = 86400000;

// An HTTP-date in any of the three forms RFC 9110 (5.6.7) says a recipient must read:
// "Sun, 06 Nov 1994 08:49:37 GMT", "Sunday, 06-Nov-94 08:49:37 GMT", "Sun Nov  6 08:49:37 1994".
QDateTime parseHttpDate(const QByteArray &value)
{
    // The day's name goes first: it says nothing the date does not, and Qt would refuse a
    // two-digit year's date whose 19xx weekday differs.
    QString text = QString::fromLatin1(value).simplified();
    text = text.mid(text.indexOf(u' ') + 1);
    const QLocale c = QLocale::c();
    for (const QString &format : { QStringLiteral("dd MMM yyyy HH:mm:ss 'GMT'"),
             QStringLiteral("dd-MMM-yy HH:mm:ss 'GMT'"), QStringLiteral("MMM d HH:mm:ss yyyy") }) {
        QDateTime t = c.toDateTime(text, format);
        if (!t.isValid())
            continue;
        t.setTimeSpec(Qt::UTC);
        if (format.contains(u"-yy ") && t.date().year() < 1970)
            t = t.addYears(100); // two-digit years: 70..99 are 19xx, the rest 20xx
        return t;
    }
    return {};
}

} // namespace

HttpOperation::HttpOperation(HttpClient &client, HttpRequest request)
    : m_client(client)
    , m_request(std::move(request))
{ }

HttpOperation::~HttpOperation()
{
    for (auto &[attempt, exchange] : m_inFlight) {
        m_client.cancel(exchange);
        ++m_stats.aborted;
    }
}

void HttpOperation::start(const Attempt &attempt, Completion done)
{
    ++m_stats.started;
    const std::uint64_t id = attempt.id;
    const std::uint64_t exchange = m_client.send(m_request, [this, id, done](HttpResponse &&response) {
        m_inFlight.erase(id);
        ++m_stats.completed;
        done(resultOf(response));
    });
    m_inFlight.emplace(id, exchange);
}

void HttpOperation::cancel(const Attempt &attempt)
{
    const auto it = m_inFlight.find(attempt.id);
    if (it == m_inFlight.end())
        return; // already answered
    m_client.cancel(it->second);
    m_inFlight.erase(it);
    ++m_stats.aborted;
}

std::optional<Duration> HttpOperation::parseRetryAfter(const QByteArray &value, const QByteArray &date)
{
    bool ok = false;
    const double seconds = value.trimmed().toDouble(&ok);
    if (ok) {
        if (!std::isfinite(seconds) || seconds < 0 || seconds * 1000 > MaxRetryAfterMs)
            return std::nullopt;
        return fromMs(seconds * 1000.0);
    }
    const QDateTime until = parseHttpDate(value);
    const QDateTime now = parseHttpDate(date);
    if (!until.isValid() || !now.isValid())
        return std::nullopt;
    const double ms = std::max<double>(0, double(now.msecsTo(until)));
    if (ms > MaxRetryAfterMs)
        return std::nullopt;
    return fromMs(ms);
}

Result HttpOperation::resultOf(const HttpResponse &response)
{
    ErrorCode code;
    switch (response.failure) {
    case HttpResponse::Failure::None: {
        if (response.status >= 200 && response.status < 300)
            return Result::success(response.status);
        Error e;
        e.code = ErrorCode::httpStatus(response.status);
        e.message = QString::number(response.status) + u' ' + QString::fromLatin1(response.reason);
        if (response.hasHeader("retry-after"))
            e.retryAfter = parseRetryAfter(response.header("retry-after"), response.header("date"));
        return Result::failure(std::move(e));
    }
    case HttpResponse::Failure::Refused:
        code = ErrorCode::ConnectionRefused;
        break;
    case HttpResponse::Failure::Reset:
        code = ErrorCode::ConnectionReset;
        break;
    case HttpResponse::Failure::HostNotFound:
        code = ErrorCode::NotFound;
        break;
    case HttpResponse::Failure::Other:
        code = ErrorCode::NetworkError;
        break;
    }
    return Result::failure(code, response.errorString);
}

} // namespace bw
