#pragma once

#include "../runtime/random.h"
#include "../runtime/scheduler.h"
#include "chaossettings.h"

#include <QAbstractHttpServer>
#include <QHostAddress>
#include <QPointer>

#include <cstdint>
#include <memory>
#include <unordered_map>

class QHttpServerResponder;
class QTcpSocket;

namespace bw {

// A real HTTP server that misbehaves on demand, for real network mode: every path but /_chaos
// answers per its ChaosSettings (errors, latency, hangs, connection resets), and the settings
// change live through its control API:
//   GET /_chaos          the settings (JSON)
//   PUT /_chaos          changes the settings given (others keep their value); 400 with the
//                        reason for a bad body
//   GET /_chaos/stats    what it served: requests, ok, errors, hangs, resets, abandoned, inFlight;
//                        each request is in exactly one of the others, so
//                        requests = ok + errors + resets + hangs + abandoned + inFlight
//   DELETE /_chaos/stats zeroes the counters (requests still in flight stay counted)
// Delays go through the Scheduler (a WallScheduler in practice). Confined to its thread.
class ChaosTarget final : public QAbstractHttpServer
{
public:
    struct Stats
    {
        std::int64_t requests = 0; // requests to the target paths (not the control API)
        std::int64_t ok = 0; // answered 200
        std::int64_t errors = 0; // answered with the error status
        std::int64_t hangs = 0; // hung, never answered, until the client left
        std::int64_t resets = 0; // connection reset instead of an answer
        std::int64_t abandoned = 0; // not hung, but the client left before its answer was due
        int inFlight = 0; // waiting for their latency, or hanging now

        QJsonObject toJson() const;
    };

    explicit ChaosTarget(Scheduler &scheduler, std::uint64_t seed = 1, QObject *parent = nullptr);
    ~ChaosTarget() override;

    // Listens on address:port (0: an ephemeral port); returns the port, 0 on failure.
    quint16 start(const QHostAddress &address = QHostAddress::LocalHost, quint16 port = 0);
    quint16 port() const { return m_port; }

    const ChaosSettings &settings() const { return m_settings; }
    void setSettings(const ChaosSettings &settings) { m_settings = settings; }
    const Stats &stats() const { return m_stats; }
    void resetStats();

protected:
    bool handleRequest(const QHttpServerRequest &request, QTcpSocket *socket) override;
    void missingHandler(const QHttpServerRequest &request, QTcpSocket *socket) override;

private:
    struct Pending
    {
        std::unique_ptr<QHttpServerResponder> responder;
        QPointer<QTcpSocket> socket;
        TimerId timer = 0;
        int status = 200; // 0: reset the connection instead; -1: hang
    };

    void handleControl(const QHttpServerRequest &request, QTcpSocket *socket);
    void serve(const QHttpServerRequest &request, QTcpSocket *socket);
    void answer(std::uint64_t id);
    void forget(QTcpSocket *socket);

    Scheduler &m_scheduler;
    Random m_random;
    ChaosSettings m_settings;
    Stats m_stats;
    quint16 m_port = 0;
    std::uint64_t m_nextId = 1;
    std::unordered_map<std::uint64_t, Pending> m_pending;
};

// Resets a TCP connection (RST, not FIN): the peer sees "connection reset by peer".
void resetConnection(QTcpSocket *socket);

} // namespace bw
