#include "toxicproxyconnection.h"

#include "chaostarget.h" // resetConnection

namespace bw {

ToxicProxy::Connection::Connection(ToxicProxy &proxy, QTcpSocket *client)
    : QObject(&proxy)
    , m_proxy(proxy)
    , m_random(proxy.m_random.next())
    , m_client(client)
    , m_upstream(new QTcpSocket(this))
{
    client->setParent(this);
    m_client->setReadBufferSize(MaxBufferedBytes);
    m_upstream->setReadBufferSize(MaxBufferedBytes);
    m_up.from = m_client;
    m_up.to = m_upstream;
    m_up.stream = Toxic::Stream::Upstream;
    m_down.from = m_upstream;
    m_down.to = m_client;
    m_down.stream = Toxic::Stream::Downstream;
    for (Direction *d : { &m_up, &m_down }) {
        connect(d->from, &QTcpSocket::readyRead, this, [this, d] { read(*d); });
        connect(d->from, &QTcpSocket::disconnected, this, [this, d] { sourceClosed(*d); });
        connect(d->to, &QTcpSocket::bytesWritten, this, [this, d] { deliver(*d); });
    }
    connect(m_upstream, &QTcpSocket::connected, this, [this] {
        read(m_up); // what the client sent while the upstream connection was being made
        toxicsChanged();
    });
    connect(m_upstream, &QTcpSocket::errorOccurred, this, [this](QAbstractSocket::SocketError e) {
        if (e != QAbstractSocket::RemoteHostClosedError)
            close(); // refused, unreachable: the client sees its connection closed
    });
    m_upstream->connectToHost(proxy.m_upstreamHost, proxy.m_upstreamPort);
}

ToxicProxy::Connection::~Connection()
{
    Scheduler &s = m_proxy.m_scheduler;
    for (Direction *d : { &m_up, &m_down }) {
        s.cancel(d->timer);
        s.cancel(d->closeTimer);
        s.cancel(d->timeoutTimer);
        s.cancel(d->resetTimer);
    }
}

qint64 ToxicProxy::Connection::bufferedBytes() const
{
    qint64 bytes = 0;
    for (const Direction *d : { &m_up, &m_down })
        bytes += d->queuedBytes + d->from->bytesAvailable() + d->to->bytesToWrite();
    return bytes;
}

void ToxicProxy::Connection::toxicsChanged()
{
    if (m_closed || m_upstream->state() != QAbstractSocket::ConnectedState)
        return;
    for (Direction *d : { &m_up, &m_down }) {
        const Toxic *timeout = active(*d, Toxic::Type::Timeout);
        if (!timeout && d->timeoutToxic) {
            close();
            return;
        }
        if (timeout && (!d->timeoutToxic || !(*d->timeoutToxic == *timeout))) {
            d->timeoutToxic = *timeout;
            restartTimeout(*d);
        }
        const Toxic *reset = active(*d, Toxic::Type::ResetPeer);
        if (d->resetToxic && (!reset || !(*d->resetToxic == *reset))) {
            m_proxy.m_scheduler.cancel(std::exchange(d->resetTimer, 0));
            d->resetToxic.reset();
        }
    }
    for (Direction *d : { &m_up, &m_down })
        deliver(*d); // a removed toxic lets held data go
}

void ToxicProxy::Connection::restartTimeout(Direction &d)
{
    Scheduler &s = m_proxy.m_scheduler;
    s.cancel(std::exchange(d.timeoutTimer, 0));
    if (d.timeoutToxic && d.timeoutToxic->timeout > Duration::zero())
        d.timeoutTimer = s.schedule(d.timeoutToxic->timeout, [this, &d] {
            d.timeoutTimer = 0;
            close();
        });
}

const Toxic *ToxicProxy::Connection::active(const Direction &d, Toxic::Type type)
{
    for (const Toxic &t : m_proxy.m_toxics) {
        if (t.type != type || t.stream != d.stream)
            continue;
        auto it = m_affected.find(t.name);
        if (it == m_affected.end())
            it = m_affected.emplace(t.name, m_random.uniform() < t.toxicity).first;
        if (it->second)
            return &t;
    }
    return nullptr;
}

void ToxicProxy::Connection::read(Direction &d)
{
    take(d);
    deliver(d);
}

bool ToxicProxy::Connection::take(Direction &d)
{
    if (m_closed || m_upstream->state() != QAbstractSocket::ConnectedState)
        return false; // the client's bytes wait in its socket until the upstream is there
    const qint64 room = MaxBufferedBytes - d.queuedBytes;
    if (room <= 0)
        return false; // the rest waits in the socket: backpressure
    QByteArray data = d.from->read(room);
    if (data.isEmpty())
        return false;
    const bool stopped = active(d, Toxic::Type::Timeout) || active(d, Toxic::Type::ResetPeer);
    if (d.limitReached || stopped)
        d.from->readAll(); // dropped, all of it
    if (d.limitReached)
        return false;
    if (active(d, Toxic::Type::Timeout)) {
        restartTimeout(d); // data stops here, and the timer starts again
        return false;
    }
    if (const Toxic *t = active(d, Toxic::Type::ResetPeer)) {
        // The first data on the stream starts the timer; that data never passes.
        if (!d.resetToxic) {
            d.resetToxic = *t;
            if (t->timeout <= Duration::zero())
                reset();
            else
                d.resetTimer = m_proxy.m_scheduler.schedule(t->timeout, [this] { reset(); });
        }
        return false;
    }
    const TimePoint now = m_proxy.m_scheduler.now();
    if (const Toxic *t = active(d, Toxic::Type::LimitData)) {
        const qint64 room = t->bytes - d.passed;
        if (data.size() >= room) {
            data.truncate(std::max<qint64>(room, 0));
            d.limitReached = true;
        }
    }
    d.passed += data.size();

    TimePoint due = now;
    if (const Toxic *t = active(d, Toxic::Type::Latency)) {
        const double spread = (2 * m_random.uniform() - 1) * double(t->jitter.count());
        due += std::max(Duration::zero(), t->latency + Duration(std::int64_t(spread)));
    }
    const Toxic *slicer = active(d, Toxic::Type::Slicer);
    const Toxic *bandwidth = active(d, Toxic::Type::Bandwidth);
    qsizetype at = 0;
    while (at < data.size()) {
        qsizetype size = data.size() - at;
        if (slicer) {
            const int variation = slicer->sizeVariation;
            size = std::min<qsizetype>(size,
                slicer->averageSize
                    + (variation ? qsizetype(m_random.below(std::uint64_t(2 * variation + 1))) - variation
                                 : 0));
            size = std::max<qsizetype>(size, 1);
        }
        TimePoint pieceDue = std::max(due, d.lastDue); // order is kept
        if (slicer && at > 0)
            pieceDue += slicer->delay;
        if (bandwidth) // the piece is due when the link has carried it (a KB is 1,000 bytes)
            pieceDue += Duration(std::int64_t(double(size) * 1e9 / (bandwidth->rateKBps * 1000.0)));
        d.queue.push_back(Piece { pieceDue, data.mid(at, size) });
        d.queuedBytes += size;
        d.lastDue = pieceDue;
        at += size;
    }
    return true;
}

void ToxicProxy::Connection::deliver(Direction &d)
{
    m_proxy.m_scheduler.cancel(std::exchange(d.timer, 0));
    if (m_closed)
        return;
    const TimePoint now = m_proxy.m_scheduler.now();
    do {
        while (!d.queue.empty() && d.queue.front().due <= now && d.to->bytesToWrite() < MaxBufferedBytes) {
            const QByteArray &bytes = d.queue.front().bytes;
            d.to->write(bytes);
            (d.stream == Toxic::Stream::Upstream ? m_proxy.m_stats.bytesUpstream
                                                 : m_proxy.m_stats.bytesDownstream)
                += bytes.size();
            d.queuedBytes -= bytes.size();
            d.queue.pop_front();
        }
    } while (d.to->bytesToWrite() < MaxBufferedBytes && d.from->bytesAvailable() > 0 && take(d));
    if (m_closed)
        return;
    if (!d.queue.empty() && d.queue.front().due <= now)
        return; // the receiver is slow: bytesWritten calls again
    if (!d.queue.empty()) {
        Direction *p = &d;
        d.timer = m_proxy.m_scheduler.scheduleAt(d.queue.front().due, [this, p] { deliver(*p); });
        return;
    }
    if (d.limitReached || d.sourceClosed)
        closeAfterSlowClose(d);
}

void ToxicProxy::Connection::sourceClosed(Direction &d)
{
    if (m_closed)
        return;
    d.sourceClosed = true;
    if (d.queue.empty())
        closeAfterSlowClose(d);
}

void ToxicProxy::Connection::closeAfterSlowClose(Direction &d)
{
    if (d.closeTimer)
        return;
    const Toxic *t = active(d, Toxic::Type::SlowClose);
    if (!t || t->delay <= Duration::zero()) {
        close();
        return;
    }
    d.closeTimer = m_proxy.m_scheduler.schedule(t->delay, [this] { close(); });
}

void ToxicProxy::Connection::reset()
{
    if (m_closed)
        return;
    ++m_proxy.m_stats.resets;
    resetConnection(m_client);
    resetConnection(m_upstream);
    close();
}

void ToxicProxy::Connection::close()
{
    if (m_closed)
        return;
    m_closed = true;
    // Flushes what was written, then closes: an orderly FIN unless reset() came first.
    m_client->disconnectFromHost();
    m_upstream->disconnectFromHost();
    // Gone once both sockets have flushed what they hold and closed.
    for (QTcpSocket *s : { m_client, m_upstream })
        connect(s, &QTcpSocket::stateChanged, this, [this] { finishWhenClosed(); });
    finishWhenClosed();
}

void ToxicProxy::Connection::finishWhenClosed()
{
    if (m_finished || m_client->state() != QAbstractSocket::UnconnectedState
        || m_upstream->state() != QAbstractSocket::UnconnectedState)
        return;
    m_finished = true;
    m_proxy.finished(this);
}

} // namespace bw
