#pragma once

#include "toxicproxy.h"

#include <QTcpSocket>

#include <deque>
#include <map>
#include <optional>

namespace bw {

// One proxied connection: the client's socket, the upstream socket, and per direction the data
// on its way, each piece with the time it is due. Only ToxicProxy makes them (a child of it).
class ToxicProxy::Connection final : public QObject
{
public:
    // What a connection holds per direction, at most: data read but not yet delivered, and data
    // waiting in a socket's buffer. Beyond it the proxy stops reading, so a fast sender meets TCP
    // backpressure (as in Toxiproxy, whose pipes block) instead of filling the proxy's memory.
    static constexpr qint64 MaxBufferedBytes = 64 * 1024;

    // Takes `client` over and connects to the proxy's upstream.
    Connection(ToxicProxy &proxy, QTcpSocket *client);
    ~Connection() override;

    // Bytes this connection holds: read and not delivered, or waiting in its sockets' buffers.
    qint64 bufferedBytes() const;

    // A toxic was added, changed or removed. As in Toxiproxy, a timeout toxic's timer starts
    // with it (a hung peer is cut), and its removal closes the connections it held; a changed
    // or removed reset_peer stops its pending reset (a changed one waits for the next data).
    void toxicsChanged();

private:
    struct Piece
    {
        TimePoint due;
        QByteArray bytes;
    };
    struct Direction
    {
        QTcpSocket *from = nullptr, *to = nullptr;
        Toxic::Stream stream = Toxic::Stream::Upstream;
        std::deque<Piece> queue;
        TimerId timer = 0;
        TimePoint lastDue {};
        qint64 passed = 0;
        bool limitReached = false;
        bool sourceClosed = false;
        TimerId closeTimer = 0;
        qint64 queuedBytes = 0; // in `queue`
        std::optional<Toxic> timeoutToxic; // the timeout toxic in force, and its timer
        TimerId timeoutTimer = 0;
        std::optional<Toxic> resetToxic; // the reset_peer whose timer runs
        TimerId resetTimer = 0;
    };

    // A timeout toxic's timer, from now: the connection closes when no data came for that long
    // (never for 0).
    void restartTimeout(Direction &d);
    // The toxic of that type acting on this direction of this connection, if any.
    const Toxic *active(const Direction &d, Toxic::Type type);
    void read(Direction &d);
    // Reads what the source sent, as far as there is room, into the queue with the times the
    // toxics give each piece; false when nothing was queued.
    bool take(Direction &d);
    // Writes what is due, as far as the receiver takes it, then reads more if there is room.
    void deliver(Direction &d);
    void sourceClosed(Direction &d);
    // Passes a close on, later by a slow_close toxic's delay.
    void closeAfterSlowClose(Direction &d);
    void reset();
    void close();
    void finishWhenClosed();

    ToxicProxy &m_proxy;
    Random m_random;
    QTcpSocket *m_client;
    QTcpSocket *m_upstream;
    Direction m_up, m_down;
    std::map<QString, bool> m_affected; // per toxic name: drawn once per connection
    bool m_closed = false;
    bool m_finished = false;
};

} // namespace bw
