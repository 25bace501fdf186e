#pragma once

#include "../runtime/wallscheduler.h"
#include "metricsrecorder.h"

#include <QAbstractHttpServer>
#include <QHostAddress>
#include <QPointer>
#include <QTcpSocket>

#include <functional>
#include <vector>

namespace bw {

// Serves a run's monitoring endpoints over HTTP, from the latest MetricsSnapshot (it never
// touches the run itself, so it answers while the run goes at full speed on another thread):
//   GET /metrics         Prometheus text exposition (prometheusExposition)
//   GET /health          the guide's health JSON; 200 when healthy, 503 when degraded
//   GET /hystrix.stream  server-sent events for Hystrix Dashboard: every command and thread pool
//                        at once, then every streamInterval of wall time
// Lives on the thread that runs its event loop (the GUI or the command's main thread). The
// stream's timer is on a WallScheduler, the engine's wall-time scheduler.
class MetricsServer final : public QAbstractHttpServer
{
public:
    using Source = std::function<MetricsSnapshotPtr()>;
    // Wall time for Hystrix's currentTime, epoch milliseconds.
    using EpochClock = std::function<qint64()>;

    explicit MetricsServer(Source source, QObject *parent = nullptr);
    ~MetricsServer() override;

    // Listens on `address`:`port` (0: any free port); false, with the reason, when it cannot.
    bool start(const QHostAddress &address, quint16 port, QString *error);
    quint16 port() const { return m_port; }
    // "http://127.0.0.1:9464"
    QString baseUrl() const;

    void setStreamInterval(Duration interval) { m_streamInterval = interval; }
    void setEpochClock(EpochClock clock) { m_epochMs = std::move(clock); }
    int streamClients() const;

    static constexpr Duration DefaultStreamInterval = std::chrono::milliseconds(500);

protected:
    bool handleRequest(const QHttpServerRequest &request, QTcpSocket *socket) override;
    void missingHandler(const QHttpServerRequest &request, QTcpSocket *socket) override;

private:
    void openStream(const QHttpServerRequest &request, QTcpSocket *socket);
    void pushStreams();

    Source m_source;
    EpochClock m_epochMs;
    QHostAddress m_address;
    quint16 m_port = 0;
    WallScheduler m_scheduler;
    TimerId m_streamTimer = 0;
    Duration m_streamInterval = DefaultStreamInterval;
    std::vector<QPointer<QTcpSocket>> m_streams;
};

} // namespace bw
