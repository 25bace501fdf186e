#include "prometheussource.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QUrlQuery>

namespace bw {

namespace {

QString megabytes(qint64 bytes)
{
    return QString::number(double(bytes) / (1024.0 * 1024.0), 'g', 3) + QStringLiteral(" MiB");
}

QString seconds(Duration d)
{
    return QString::number(toSeconds(d), 'g', 3) + QStringLiteral(" s");
}

// Prometheus's times: Unix seconds with a fraction.
QString apiTime(std::int64_t epochMs)
{
    return QString::number(double(epochMs) / 1000.0, 'f', 3);
}

} // namespace

PrometheusSource::PrometheusSource(const Clock &clock, PrometheusSourceOptions options)
    : FleetSource(options.url.toString())
    , m_clock(clock)
    , m_options(std::move(options))
    , m_network(std::make_unique<QNetworkAccessManager>())
{ }

PrometheusSource::~PrometheusSource() = default;

// A GET of one API path, bounded in time and size; `done` gets the body or why there is none.
// The reply is the network manager's child, and its callback has the manager as context, so
// nothing runs once the source is gone.
static void boundedGet(QNetworkAccessManager &network, const PrometheusSourceOptions &options,
    const QString &path, const QUrlQuery &query, std::function<void(const QByteArray &, const QString &)> done)
{
    QUrl url = options.url;
    QString base = url.path();
    while (base.endsWith(u'/'))
        base.chop(1);
    url.setPath(base + path);
    url.setQuery(query);
    QNetworkRequest request(url);
    request.setTransferTimeout(int(std::chrono::duration_cast<std::chrono::milliseconds>(options.timeout).count()));
    request.setRawHeader("Accept", "application/json");
    if (!options.bearerToken.isEmpty())
        request.setRawHeader("Authorization", "Bearer " + options.bearerToken);
    QNetworkReply *reply = network.get(request);
    const qint64 limit = options.maxResponseBytes;
    const auto tooLarge = std::make_shared<bool>(false);
    QObject::connect(reply, &QNetworkReply::downloadProgress, &network, [reply, limit, tooLarge](qint64 received, qint64 total) {
        if (received > limit || total > limit) {
            *tooLarge = true;
            reply->abort();
        }
    });
    const Duration timeout = options.timeout;
    const QString shownUrl = url.toString(QUrl::RemoveQuery);
    QObject::connect(reply, &QNetworkReply::finished, &network, [reply, limit, tooLarge, timeout, shownUrl, done = std::move(done)] {
        reply->deleteLater();
        const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        if (*tooLarge) {
            done({}, shownUrl + QStringLiteral(": the answer is larger than ") + megabytes(limit));
            return;
        }
        if (reply->error() == QNetworkReply::OperationCanceledError) {
            done({}, shownUrl + QStringLiteral(": no complete answer within ") + seconds(timeout));
            return;
        }
        const QByteArray body = reply->readAll();
        // Prometheus answers a bad query with 400 or 422 and its JSON error, which says more.
        const bool jsonError = (status == 400 || status == 422 || status == 503) && body.startsWith('{');
        if (reply->error() != QNetworkReply::NoError && !jsonError) {
            QString why = status == 0 ? QStringLiteral("cannot reach it: ") + reply->errorString()
                : status == 200       ? QStringLiteral("the answer was cut short: ") + reply->errorString()
                                      : reply->errorString();
            if (status == 404)
                why = QStringLiteral("HTTP 404: no Prometheus HTTP API here");
            done({}, shownUrl + QStringLiteral(": ") + why);
            return;
        }
        done(body, {});
    });
}

// Sends every query to `path` at once. `read` takes each answer; `finished` runs once: with the
// first failure, or with no error after the last answer.
static void sendQueries(QNetworkAccessManager &network, const PrometheusSourceOptions &options, const QString &path,
    const std::vector<PrometheusQuery> &queries, const QList<std::pair<QString, QString>> &extra,
    std::function<bool(PrometheusFigure, const QByteArray &, QString *)> read, std::function<void(const QString &)> finished)
{
    struct Pending
    {
        int answers = 0;
        bool over = false;
    };
    auto pending = std::make_shared<Pending>();
    pending->answers = int(queries.size());
    const QString source = options.url.toString();
    for (const PrometheusQuery &q : queries) {
        QUrlQuery params;
        params.addQueryItem(QStringLiteral("query"), QString::fromLatin1(QUrl::toPercentEncoding(q.promql)));
        for (const auto &[key, value] : extra)
            params.addQueryItem(key, value);
        const PrometheusFigure figure = q.figure;
        boundedGet(network, options, path, params,
            [pending, figure, read, finished, source](const QByteArray &body, const QString &error) {
                if (pending->over)
                    return;
                QString why = error;
                if (why.isEmpty() && !read(figure, body, &why))
                    why = source + QStringLiteral(": ") + why;
                if (!why.isEmpty()) {
                    // The other requests run to their end or their timeout, unread: aborting
                    // replies that are failing too confuses QNetworkReply.
                    pending->over = true;
                    finished(why);
                } else if (--pending->answers == 0) {
                    pending->over = true;
                    finished({});
                }
            });
    }
}

void PrometheusSource::refresh()
{
    if (m_refreshing)
        return;
    m_refreshing = true;
    auto builder = std::make_shared<PrometheusSnapshotBuilder>(url());
    sendQueries(*m_network, m_options, QStringLiteral("/api/v1/query"),
        prometheusRefreshQueries(m_options.rateWindow, m_options.stateWindow), {},
        [builder](PrometheusFigure figure, const QByteArray &body, QString *error) { return builder->add(figure, body, error); },
        [this, builder](const QString &error) {
            m_refreshing = false;
            if (error.isEmpty())
                succeed(builder->readings(), m_clock.now());
            else
                fail(error);
        });
}

void PrometheusSource::fetchHistory(std::int64_t fromMs, std::int64_t toMs, Duration step, HistoryCallback done)
{
    auto builder = std::make_shared<PrometheusHistoryBuilder>(url(), fromMs, toMs, step);
    sendQueries(*m_network, m_options, QStringLiteral("/api/v1/query_range"),
        prometheusHistoryQueries(step, m_options.rateWindow),
        { { QStringLiteral("start"), apiTime(fromMs) }, { QStringLiteral("end"), apiTime(toMs) },
            { QStringLiteral("step"), QString::number(toSeconds(step), 'f', 3) } },
        [builder](PrometheusFigure figure, const QByteArray &body, QString *error) { return builder->add(figure, body, error); },
        [builder, done = std::move(done)](const QString &error) { done(error.isEmpty() ? builder->history() : FleetHistory {}, error); });
}

void PrometheusSource::fetchSeries(const QString &match, std::int64_t fromMs, std::int64_t toMs, SeriesCallback done)
{
    QUrlQuery params;
    params.addQueryItem(QStringLiteral("match[]"), QString::fromLatin1(QUrl::toPercentEncoding(match)));
    params.addQueryItem(QStringLiteral("start"), apiTime(fromMs));
    params.addQueryItem(QStringLiteral("end"), apiTime(toMs));
    boundedGet(*m_network, m_options, QStringLiteral("/api/v1/series"), params,
        [this, done = std::move(done)](const QByteArray &body, const QString &error) {
            if (!error.isEmpty()) {
                done({}, error);
                return;
            }
            const QJsonObject o = QJsonDocument::fromJson(body).object();
            if (o.value(QLatin1StringView("status")).toString() != QLatin1StringView("success")
                || !o.value(QLatin1StringView("data")).isArray()) {
                const QString said = o.value(QLatin1StringView("error")).toString();
                done({}, url() + QStringLiteral(": ")
                        + (said.isEmpty() ? QStringLiteral("not a Prometheus /api/v1/series answer") : said));
                return;
            }
            std::vector<QVariantMap> series;
            for (const QJsonValue &labels : o.value(QLatin1StringView("data")).toArray())
                series.push_back(labels.toObject().toVariantMap());
            done(series, {});
        });
}

} // namespace bw
