#include "toxicproxy.h"

#include "toxicproxyconnection.h"

namespace bw {

namespace {

QString hostPort(const QHostAddress &host, quint16 port)
{
    const QString h
        = host.protocol() == QAbstractSocket::IPv6Protocol ? u'[' + host.toString() + u']' : host.toString();
    return h + u':' + QString::number(port);
}

} // namespace

bool parseHostPort(const QString &text, QHostAddress *host, quint16 *port)
{
    const qsizetype colon = text.lastIndexOf(u':');
    if (colon <= 0)
        return false;
    QString h = text.left(colon);
    if (h.startsWith(u'[') && h.endsWith(u']'))
        h = h.mid(1, h.size() - 2);
    bool ok = false;
    const uint p = text.mid(colon + 1).toUInt(&ok);
    const QHostAddress address(h);
    if (!ok || p > 65535 || address.isNull())
        return false;
    *host = address;
    *port = quint16(p);
    return true;
}

ToxicProxy::ToxicProxy(Scheduler &scheduler, QHostAddress upstreamHost, quint16 upstreamPort,
    std::uint64_t seed, QObject *parent)
    : QObject(parent)
    , m_scheduler(scheduler)
    , m_upstreamHost(std::move(upstreamHost))
    , m_upstreamPort(upstreamPort)
    , m_random(seed)
{
    connect(&m_server, &QTcpServer::newConnection, this, [this] { accept(); });
}

ToxicProxy::~ToxicProxy()
{
    for (Connection *c : m_connections)
        delete c;
}

quint16 ToxicProxy::listen(const QHostAddress &address, quint16 port)
{
    return m_server.listen(address, port) ? m_server.serverPort() : 0;
}

QString ToxicProxy::listenAddress() const
{
    return hostPort(m_server.serverAddress(), m_server.serverPort());
}

QString ToxicProxy::upstreamAddress() const
{
    return hostPort(m_upstreamHost, m_upstreamPort);
}

const Toxic *ToxicProxy::toxic(const QString &name) const
{
    for (const Toxic &t : m_toxics)
        if (t.name == name)
            return &t;
    return nullptr;
}

bool ToxicProxy::addToxic(const Toxic &toxic)
{
    if (this->toxic(toxic.name))
        return false;
    m_toxics.append(toxic);
    toxicsChanged();
    return true;
}

void ToxicProxy::toxicsChanged()
{
    const std::vector<Connection *> connections = m_connections; // a connection may close
    for (Connection *c : connections)
        c->toxicsChanged();
}

void ToxicProxy::clearToxics()
{
    m_toxics.clear();
    toxicsChanged();
}

qint64 ToxicProxy::bufferedBytes() const
{
    qint64 bytes = 0;
    for (const Connection *c : m_connections)
        bytes += c->bufferedBytes();
    return bytes;
}

bool ToxicProxy::updateToxic(const Toxic &toxic)
{
    for (Toxic &t : m_toxics) {
        if (t.name == toxic.name) {
            t = toxic;
            toxicsChanged();
            return true;
        }
    }
    return false;
}

bool ToxicProxy::removeToxic(const QString &name)
{
    for (qsizetype i = 0; i < m_toxics.size(); ++i) {
        if (m_toxics[i].name == name) {
            m_toxics.removeAt(i);
            toxicsChanged();
            return true;
        }
    }
    return false;
}

void ToxicProxy::accept()
{
    while (QTcpSocket *client = m_server.nextPendingConnection()) {
        ++m_stats.connections;
        ++m_stats.open;
        m_connections.push_back(new Connection(*this, client));
    }
}

void ToxicProxy::finished(Connection *connection)
{
    std::erase(m_connections, connection);
    --m_stats.open;
    connection->deleteLater(); // it may be inside one of its sockets' signals
}

} // namespace bw
