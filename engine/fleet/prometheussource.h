#pragma once

#include "fleetsource.h"
#include "prometheusfleet.h"

#include "../runtime/scheduler.h"

#include <QByteArray>
#include <QUrl>

#include <memory>

class QNetworkAccessManager;

namespace bw {

struct PrometheusSourceOptions
{
    QUrl url;                                         // the server, e.g. http://127.0.0.1:9090
    Duration timeout = std::chrono::seconds(10);      // per request, for the whole transfer
    qint64 maxResponseBytes = 64 * 1024 * 1024;       // a larger answer fails the refresh
    QByteArray bearerToken;                           // sent as "Authorization: Bearer …"; empty: none
    Duration rateWindow = std::chrono::minutes(1);    // rate()'s range
    Duration stateWindow = std::chrono::minutes(10);  // how far back opossum's and Polly's state events are read
};

// Reads the breakers of every service a Prometheus server scrapes, through its HTTP API
// (/api/v1/query, /api/v1/query_range, /api/v1/series), with QNetworkAccessManager on the thread
// it lives on. A refresh sends prometheusRefreshQueries() at once and completes when all have
// answered; any failure (unreachable, timeout, too large, not Prometheus's JSON) fails the whole
// refresh with the first reason, so a snapshot never mixes two moments.
class PrometheusSource final : public FleetSource
{
public:
    PrometheusSource(const Clock &clock, PrometheusSourceOptions options);
    ~PrometheusSource() override;

    void refresh() override;
    bool refreshing() const override { return m_refreshing; }
    void fetchHistory(std::int64_t fromMs, std::int64_t toMs, Duration step, HistoryCallback done) override;

    // The label sets of the series `match` selects over [fromMs, toMs] (/api/v1/series), e.g. to
    // find a breaker's library before reading its history; calls back once.
    using SeriesCallback = std::function<void(const std::vector<QVariantMap> &series, const QString &error)>;
    void fetchSeries(const QString &match, std::int64_t fromMs, std::int64_t toMs, SeriesCallback done);

    const PrometheusSourceOptions &options() const { return m_options; }

private:
    const Clock &m_clock;
    PrometheusSourceOptions m_options;
    std::unique_ptr<QNetworkAccessManager> m_network;
    bool m_refreshing = false;
};

} // namespace bw
