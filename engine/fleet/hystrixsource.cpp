#include "hystrixsource.h"

#include <QJsonDocument>
#include <QNetworkAccessManager>
#include <QNetworkReply>

namespace bw {

bool HystrixStreamParser::feed(QByteArrayView bytes, QString *error)
{
    if (m_failed) {
        *error = QStringLiteral("the stream parser stopped at an earlier error");
        return false;
    }
    while (!bytes.isEmpty()) {
        const qsizetype end = bytes.indexOf('\n');
        const QByteArrayView piece = end < 0 ? bytes : bytes.first(end);
        if (m_line.size() + piece.size() > MaxLineBytes) {
            m_failed = true;
            *error = QStringLiteral("a line longer than %1 KiB: not a Hystrix stream").arg(MaxLineBytes / 1024);
            return false;
        }
        m_line.append(piece);
        if (end < 0)
            break;
        bytes = bytes.sliced(end + 1);
        if (m_line.endsWith('\r'))
            m_line.chop(1);
        const bool ok = line(m_line, error);
        m_line.clear();
        if (!ok) {
            m_failed = true;
            return false;
        }
    }
    return true;
}

void HystrixStreamParser::reset()
{
    m_line.clear();
    m_data.clear();
    m_messages = 0;
    m_failed = false;
}

// One line of a server-sent event: "data:" lines add to the event, a blank line ends it; other
// fields ("event:", "id:", "retry:"), comments (":") and Hystrix's "ping:" are not messages.
bool HystrixStreamParser::line(QByteArrayView line, QString *error)
{
    if (line.isEmpty()) {
        if (m_data.isEmpty())
            return true;
        QJsonParseError parseError;
        const QJsonDocument doc = QJsonDocument::fromJson(m_data, &parseError);
        m_data.clear();
        if (!doc.isObject()) {
            *error = QStringLiteral("an event whose data is not a JSON object (")
                + (doc.isNull() ? parseError.errorString() : QStringLiteral("a JSON array or value"))
                + QStringLiteral("): not a Hystrix stream");
            return false;
        }
        ++m_messages;
        m_onMessage(doc.object());
        return true;
    }
    if (!line.startsWith("data:"))
        return true;
    QByteArrayView value = line.sliced(5);
    if (value.startsWith(' '))
        value = value.sliced(1);
    if (m_data.size() + value.size() > MaxLineBytes) {
        *error = QStringLiteral("an event larger than %1 KiB: not a Hystrix stream").arg(MaxLineBytes / 1024);
        return false;
    }
    if (!m_data.isEmpty())
        m_data.append('\n');
    m_data.append(value);
    return true;
}

namespace {

double number(const QJsonObject &o, const char *key)
{
    const QJsonValue v = o.value(QLatin1StringView(key));
    return v.isDouble() ? v.toDouble() : NoFigure;
}

double count(const QJsonObject &o, const char *key)
{
    const double v = number(o, key);
    return std::isnan(v) ? 0.0 : v;
}

} // namespace

std::optional<BreakerReading> readingFromHystrixCommand(const QJsonObject &m, const QString &source)
{
    if (m.value(QLatin1StringView("type")).toString() != QLatin1StringView("HystrixCommand"))
        return std::nullopt;
    BreakerReading r;
    r.id.source = source;
    r.id.library = FleetLibrary::Hystrix;
    r.id.service = m.value(QLatin1StringView("group")).toString();
    r.id.name = m.value(QLatin1StringView("name")).toString();
    if (r.id.name.isEmpty())
        return std::nullopt;
    if (m.value(QLatin1StringView("propertyValue_circuitBreakerEnabled")) == QJsonValue(false))
        r.state = CircuitState::Disabled;
    else if (m.value(QLatin1StringView("propertyValue_circuitBreakerForceOpen")) == QJsonValue(true))
        r.state = CircuitState::ForcedOpen;
    else
        r.state = m.value(QLatin1StringView("isCircuitBreakerOpen")).toBool() ? CircuitState::Open : CircuitState::Closed;

    // Counts over the rolling window (10 s unless the command says otherwise) become rates.
    double windowMs = number(m, "propertyValue_metricsRollingStatisticalWindowInMilliseconds");
    if (std::isnan(windowMs) || windowMs <= 0)
        windowMs = 10000;
    const double perSecond = 1000.0 / windowMs;
    const double shortCircuited = count(m, "rollingCountShortCircuited");
    const double poolRejected = count(m, "rollingCountThreadPoolRejected") + count(m, "rollingCountSemaphoreRejected");
    // Hystrix's requestCount holds every execution (successes, failures, timeouts, rejections)
    // but not the short-circuited calls the breaker refused.
    r.callsPerSecond = (count(m, "requestCount") + shortCircuited) * perSecond;
    r.rejectedPerSecond = shortCircuited * perSecond;
    r.failureRatePercent = number(m, "errorPercentage");
    auto &o = r.callsPerSecondByOutcome;
    o[std::size_t(Outcome::Success)] = count(m, "rollingCountSuccess") * perSecond;
    o[std::size_t(Outcome::Failure)] = count(m, "rollingCountFailure") * perSecond;
    o[std::size_t(Outcome::Timeout)] = count(m, "rollingCountTimeout") * perSecond;
    o[std::size_t(Outcome::CircuitOpen)] = shortCircuited * perSecond;
    o[std::size_t(Outcome::BulkheadFull)] = poolRejected * perSecond;
    o[std::size_t(Outcome::Fallback)] = count(m, "rollingCountFallbackSuccess") * perSecond;
    r.meanLatencyMs = number(m, "latencyTotal_mean");
    r.bulkheadUsed = number(m, "currentConcurrentExecutionCount");
    if (m.value(QLatin1StringView("propertyValue_executionIsolationStrategy")).toString() == QLatin1StringView("SEMAPHORE"))
        r.bulkheadMax = number(m, "propertyValue_executionIsolationSemaphoreMaxConcurrentRequests");
    return r;
}

void applyHystrixThreadPool(const QJsonObject &m, BreakerReading &r)
{
    const double active = number(m, "currentActiveCount");
    const double max = number(m, "currentMaximumPoolSize");
    if (!std::isnan(active))
        r.bulkheadUsed = active;
    if (!std::isnan(max) && max > 0) // a command with no pool of its own says 0
        r.bulkheadMax = max;
}

HystrixSource::HystrixSource(Scheduler &scheduler, HystrixSourceOptions options)
    : FleetSource(options.url.toString())
    , m_scheduler(scheduler)
    , m_options(std::move(options))
    , m_network(std::make_unique<QNetworkAccessManager>())
    , m_parser([this](const QJsonObject &message) { onMessage(message); })
    , m_backoff(m_options.firstBackoff)
{
    connect();
}

HystrixSource::~HystrixSource()
{
    m_scheduler.cancel(m_reconnectTimer);
    m_scheduler.cancel(m_idleTimer);
    if (m_reply) {
        m_reply->disconnect();
        m_reply->abort();
        delete m_reply;
    }
}

void HystrixSource::connect()
{
    m_reconnectTimer = 0;
    m_parser.reset();
    ++m_connections;
    QNetworkRequest request(m_options.url);
    request.setRawHeader("Accept", "text/event-stream");
    if (!m_options.bearerToken.isEmpty())
        request.setRawHeader("Authorization", "Bearer " + m_options.bearerToken);
    m_reply = m_network->get(request);
    m_lastBytes = m_scheduler.now();
    watchIdle(m_options.connectTimeout);
    QNetworkReply *reply = m_reply;
    QObject::connect(reply, &QNetworkReply::readyRead, m_network.get(), [this, reply] {
        if (reply != m_reply)
            return;
        const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        const QString type = reply->header(QNetworkRequest::ContentTypeHeader).toString();
        if (status != 200) {
            dropped(QStringLiteral("HTTP ") + QString::number(status) + QStringLiteral(": no Hystrix stream here"));
            return;
        }
        if (!type.startsWith(QLatin1StringView("text/event-stream"))) {
            dropped(QStringLiteral("not a Hystrix stream (Content-Type: ") + (type.isEmpty() ? QStringLiteral("none") : type) + u')');
            return;
        }
        m_lastBytes = m_scheduler.now();
        QString error;
        if (!m_parser.feed(reply->readAll(), &error))
            dropped(error);
    });
    QObject::connect(reply, &QNetworkReply::finished, m_network.get(), [this, reply] {
        if (reply != m_reply)
            return;
        const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        if (reply->error() != QNetworkReply::NoError && status == 0)
            dropped(reply->errorString());
        else if (status != 200 && status != 0)
            dropped(QStringLiteral("HTTP ") + QString::number(status) + QStringLiteral(": no Hystrix stream here"));
        else
            dropped(QStringLiteral("the stream ended"));
    });
}

// Checks, `after` from now, that bytes came in meanwhile; a stream silent that long has dropped.
void HystrixSource::watchIdle(Duration after)
{
    m_scheduler.cancel(m_idleTimer);
    m_idleTimer = m_scheduler.schedule(after, [this] {
        m_idleTimer = 0;
        if (!m_reply)
            return;
        const Duration silent = m_scheduler.now() - m_lastBytes;
        const Duration limit = m_parser.messages() == 0 ? m_options.connectTimeout : m_options.idleTimeout;
        if (silent >= limit)
            dropped(QStringLiteral("no data for ") + QString::number(toSeconds(silent), 'g', 3) + QStringLiteral(" s"));
        else
            watchIdle(limit - silent);
    });
}

void HystrixSource::dropped(const QString &reason)
{
    if (!m_reply)
        return;
    QNetworkReply *reply = m_reply;
    m_reply = nullptr;
    // Deleting the reply closes the connection; abort() on a reply that is reporting its own
    // error makes QNetworkReply report twice.
    reply->disconnect(m_network.get());
    reply->deleteLater();
    m_scheduler.cancel(m_idleTimer);
    m_idleTimer = 0;
    m_dropReason = url() + QStringLiteral(": ") + reason + QStringLiteral("; reconnecting in ")
        + QString::number(toSeconds(m_backoff), 'g', 3) + QStringLiteral(" s");
    m_reconnectTimer = m_scheduler.schedule(m_backoff, [this] { connect(); });
    m_backoff = std::min(m_backoff * 2, m_options.maxBackoff);
    fail(m_dropReason);
}

void HystrixSource::onMessage(const QJsonObject &message)
{
    const QString type = message.value(QLatin1StringView("type")).toString();
    const TimePoint now = m_scheduler.now();
    const bool first = !status().reachable;
    m_backoff = m_options.firstBackoff;
    if (type == QLatin1StringView("HystrixThreadPool")) {
        m_threadPools.insert(message.value(QLatin1StringView("name")).toString(), message);
    } else if (std::optional<BreakerReading> r = readingFromHystrixCommand(message, url())) {
        const QString key = r->id.service + u'/' + r->id.name;
        QString pool = message.value(QLatin1StringView("threadPool")).toString();
        if (pool.isEmpty())
            pool = r->id.name;
        m_commands.insert(key, Command { std::move(*r), pool, now });
    }
    if (first)
        refresh(); // reachable again (or for the first time): say so at once
}

void HystrixSource::refresh()
{
    if (!m_reply || m_parser.messages() == 0) {
        if (!m_dropReason.isEmpty())
            fail(m_dropReason);
        return; // still connecting: the first message or the failure will call back
    }
    const TimePoint now = m_scheduler.now();
    std::vector<BreakerReading> readings;
    readings.reserve(std::size_t(m_commands.size()));
    for (auto it = m_commands.begin(); it != m_commands.end();) {
        if (now - it->seenAt > 3 * m_options.idleTimeout) { // the command is gone from the stream
            it = m_commands.erase(it);
            continue;
        }
        BreakerReading r = it->reading;
        const auto pool = m_threadPools.constFind(it->threadPool);
        if (pool != m_threadPools.cend())
            applyHystrixThreadPool(*pool, r);
        readings.push_back(std::move(r));
        ++it;
    }
    m_dropReason.clear();
    succeed(std::move(readings), now);
}

void HystrixSource::fetchHistory(std::int64_t, std::int64_t, Duration, HistoryCallback done)
{
    done({}, url() + QStringLiteral(": a Hystrix stream keeps no history; read it through Prometheus"));
}

} // namespace bw
