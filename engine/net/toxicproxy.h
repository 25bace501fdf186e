#pragma once

#include "../runtime/random.h"
#include "../runtime/scheduler.h"
#include "toxic.h"

#include <QHostAddress>
#include <QList>
#include <QObject>
#include <QTcpServer>

#include <cstdint>
#include <vector>

namespace bw {

// A TCP proxy that degrades the connections through it with Toxiproxy's toxics (see Toxic),
// changed live: a toxic added, changed or removed applies at once to the data of connections
// already open, as in Toxiproxy. Each connection decides once per toxic whether it is affected
// (toxicity). Delays go through the Scheduler. Confined to its thread.
class ToxicProxy final : public QObject
{
public:
    struct Stats
    {
        std::int64_t connections = 0; // accepted so far
        int open = 0;
        std::int64_t bytesUpstream = 0, bytesDownstream = 0; // delivered
        std::int64_t resets = 0; // connections reset by reset_peer
    };

    ToxicProxy(Scheduler &scheduler, QHostAddress upstreamHost, quint16 upstreamPort, std::uint64_t seed = 1,
        QObject *parent = nullptr);
    ~ToxicProxy() override;

    // Listens on address:port (0: an ephemeral port); returns the port, 0 on failure.
    quint16 listen(const QHostAddress &address = QHostAddress::LocalHost, quint16 port = 0);
    quint16 port() const { return m_server.serverPort(); }
    QString errorString() const { return m_server.errorString(); }
    QString listenAddress() const;
    QString upstreamAddress() const;

    const QList<Toxic> &toxics() const { return m_toxics; }
    const Toxic *toxic(const QString &name) const;
    // False when a toxic of that name exists already.
    bool addToxic(const Toxic &toxic);
    // False when there is no toxic of that name.
    bool updateToxic(const Toxic &toxic);
    bool removeToxic(const QString &name);
    void clearToxics();

    const Stats &stats() const { return m_stats; }
    // Bytes the proxy holds now, in its queues and its sockets' buffers: bounded per connection
    // (the proxy stops reading from a sender that is ahead, as Toxiproxy's pipes block).
    qint64 bufferedBytes() const;

private:
    class Connection;
    friend class Connection;
    void accept();
    void toxicsChanged();
    void finished(Connection *connection);

    Scheduler &m_scheduler;
    QHostAddress m_upstreamHost;
    quint16 m_upstreamPort;
    Random m_random;
    QTcpServer m_server;
    QList<Toxic> m_toxics;
    std::vector<Connection *> m_connections; // children of this object
    Stats m_stats;
};

// "HOST:PORT" or "[IPv6]:PORT" with a numeric address; false when `text` is not one.
bool parseHostPort(const QString &text, QHostAddress *host, quint16 *port);

} // namespace bw
