#pragma once

#include <QByteArray>
#include <QHash>
#include <QList>
#include <QHostAddress>
#include <QObject>
#include <QPointer>
#include <QTcpServer>
#include <QTcpSocket>

#include <functional>

namespace bw::test {

// What a FixtureServer does with one request.
struct FixtureReply
{
    enum class Behaviour { Answer, Silent, Truncated, Stream };
    Behaviour behaviour = Behaviour::Answer;
    int status = 200;
    QByteArray contentType = "text/plain; version=0.0.4";
    QByteArray body;
};

// A tiny HTTP/1.1 server on 127.0.0.1 for the fleet tests: each request's path (with its query)
// goes to `handler`, which says what to answer. It can also misbehave: never answer (Silent),
// promise a longer body than it sends and close (Truncated), or keep the connection open as an
// event stream that the test writes to (Stream: write() sends to every open stream).
class FixtureServer : public QObject
{
public:
    using Handler = std::function<FixtureReply(const QByteArray &path)>;

    explicit FixtureServer(Handler handler) : m_handler(std::move(handler))
    {
        m_server.listen(QHostAddress::LocalHost, 0);
        QObject::connect(&m_server, &QTcpServer::newConnection, this, [this] {
            while (QTcpSocket *socket = m_server.nextPendingConnection()) {
                socket->setParent(this);
                QObject::connect(socket, &QTcpSocket::readyRead, this, [this, socket] { read(socket); });
                QObject::connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
            }
        });
    }

    quint16 port() const { return m_server.serverPort(); }
    QString url() const { return QStringLiteral("http://127.0.0.1:") + QString::number(port()); }
    int requests() const { return m_requests; }
    // The request line and headers of the latest request.
    QByteArray lastHead() const { return m_lastHead; }

    // Sends `bytes` to every open stream.
    void write(const QByteArray &bytes)
    {
        for (const QPointer<QTcpSocket> &s : std::as_const(m_streams))
            if (s)
                s->write(bytes);
    }
    // Closes every open stream (the service went away).
    void dropStreams()
    {
        for (const QPointer<QTcpSocket> &s : std::as_const(m_streams))
            if (s)
                s->disconnectFromHost();
        m_streams.clear();
    }
    int openStreams() const
    {
        int n = 0;
        for (const QPointer<QTcpSocket> &s : m_streams)
            n += s && s->state() == QAbstractSocket::ConnectedState;
        return n;
    }
    void setHandler(Handler handler) { m_handler = std::move(handler); }

private:
    void read(QTcpSocket *socket)
    {
        QByteArray &buffer = m_buffers[socket];
        buffer += socket->readAll();
        const qsizetype end = buffer.indexOf("\r\n\r\n");
        if (end < 0)
            return;
        const QByteArray requestLine = buffer.left(buffer.indexOf("\r\n"));
        m_lastHead = buffer.left(end);
        m_buffers.remove(socket);
        ++m_requests;
        const QList<QByteArray> parts = requestLine.split(' ');
        const FixtureReply reply = m_handler(parts.value(1));
        if (reply.behaviour == FixtureReply::Behaviour::Silent)
            return;
        QByteArray head = "HTTP/1.1 " + QByteArray::number(reply.status) + " Fixture\r\nContent-Type: "
            + reply.contentType + "\r\n";
        if (reply.behaviour == FixtureReply::Behaviour::Stream) {
            socket->write(head + "Cache-Control: no-cache\r\n\r\n" + reply.body);
            m_streams.append(socket);
            return;
        }
        const qsizetype promised = reply.body.size() * (reply.behaviour == FixtureReply::Behaviour::Truncated ? 2 : 1);
        socket->write(head + "Content-Length: " + QByteArray::number(promised) + "\r\nConnection: close\r\n\r\n" + reply.body);
        socket->disconnectFromHost();
    }

    Handler m_handler;
    QTcpServer m_server;
    QHash<QTcpSocket *, QByteArray> m_buffers;
    QList<QPointer<QTcpSocket>> m_streams;
    int m_requests = 0;
    QByteArray m_lastHead;
};

} // namespace bw::test
