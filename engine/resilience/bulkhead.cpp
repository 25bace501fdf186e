#include "bulkhead.h"

#include <mutex>

namespace bw {

QLatin1StringView bulkheadEventName(BulkheadEventKind kind)
{
    switch (kind) {
    case BulkheadEventKind::Started: return QLatin1StringView("started");
    case BulkheadEventKind::Completed: return QLatin1StringView("completed");
    case BulkheadEventKind::Queued: return QLatin1StringView("queued");
    case BulkheadEventKind::Rejected: return QLatin1StringView("rejected");
    case BulkheadEventKind::Timeout: return QLatin1StringView("timeout");
    case BulkheadEventKind::QueueCleared: return QLatin1StringView("queueCleared");
    }
    return QLatin1StringView("started");
}

Bulkhead::Bulkhead(QString name, BulkheadConfig config, Scheduler &scheduler)
    : m_name(std::move(name))
    , m_scheduler(scheduler)
    , m_config(std::move(config))
{
}

Bulkhead::~Bulkhead()
{
    std::lock_guard guard(m_lock);
    for (BulkheadWaiter *w = m_head; w; w = w->m_next) {
        m_scheduler.cancel(w->m_timer);
        w->m_queued = false;
    }
}

void Bulkhead::notify(BulkheadEventKind kind, int active, int queued, int position, std::uint64_t tag)
{
    if (m_listeners.isEmpty())
        return;
    const BulkheadEvent event { m_name, kind, active, queued, position, tag, m_scheduler.now() };
    m_listeners.notify([&](BulkheadListener *l) { l->onBulkheadEvent(event); });
}

void Bulkhead::reject(const char *reason)
{
    if (m_config.onReject)
        m_config.onReject(QString::fromLatin1(reason));
}

Bulkhead::Admission Bulkhead::tryEnter(BulkheadWaiter &waiter)
{
    Admission admission;
    int active, queued;
    {
        std::lock_guard guard(m_lock);
        if (m_active < m_config.maxConcurrent && m_queued == 0) {
            admission = Admission::Run;
            ++m_active;
            m_peakActive = std::max(m_peakActive, m_active);
        } else if (m_queued < m_config.maxQueueSize) {
            admission = Admission::Queued;
            waiter.m_ticket = m_nextTicket++;
            waiter.m_queued = true;
            waiter.m_prev = m_tail;
            waiter.m_next = nullptr;
            (m_tail ? m_tail->m_next : m_head) = &waiter;
            m_tail = &waiter;
            ++m_queued;
            m_peakQueued = std::max(m_peakQueued, m_queued);
            waiter.m_timer = 0;
            if (m_config.timeout > Duration::zero()) {
                const std::uint64_t ticket = waiter.m_ticket;
                BulkheadWaiter *w = &waiter;
                waiter.m_timer = m_scheduler.schedule(m_config.timeout, [this, w, ticket] { onQueueTimeout(w, ticket); });
            }
        } else {
            admission = Admission::Rejected;
            ++m_rejected;
        }
        active = m_active;
        queued = m_queued;
    }
    switch (admission) {
    case Admission::Run:
        notify(BulkheadEventKind::Started, active, queued, 0, waiter.bulkheadTag);
        break;
    case Admission::Queued:
        notify(BulkheadEventKind::Queued, active, queued, queued, waiter.bulkheadTag);
        break;
    case Admission::Rejected:
        notify(BulkheadEventKind::Rejected, active, queued, 0, waiter.bulkheadTag);
        reject("queue full");
        break;
    }
    return admission;
}

void Bulkhead::unlink(BulkheadWaiter &w)
{
    (w.m_prev ? w.m_prev->m_next : m_head) = w.m_next;
    (w.m_next ? w.m_next->m_prev : m_tail) = w.m_prev;
    w.m_prev = w.m_next = nullptr;
    w.m_queued = false;
    --m_queued;
}

BulkheadWaiter *Bulkhead::popAdmissibleLocked()
{
    if (!m_head || m_active >= m_config.maxConcurrent)
        return nullptr;
    BulkheadWaiter *w = m_head;
    unlink(*w);
    m_scheduler.cancel(w->m_timer);
    w->m_timer = 0;
    ++m_active;
    m_peakActive = std::max(m_peakActive, m_active);
    return w;
}

void Bulkhead::exit(Duration executionTime, bool error)
{
    BulkheadWaiter *next;
    int active, queued;
    {
        std::lock_guard guard(m_lock);
        --m_active;
        ++m_completed;
        if (error)
            ++m_errors;
        m_totalExecutionMs += toMs(executionTime);
        next = popAdmissibleLocked();
        active = m_active;
        queued = m_queued;
    }
    notify(BulkheadEventKind::Completed, active, queued, 0, 0);
    if (next) {
        notify(BulkheadEventKind::Started, active, queued, 0, next->bulkheadTag);
        next->admitted();
    }
}

bool Bulkhead::withdraw(BulkheadWaiter &waiter)
{
    std::lock_guard guard(m_lock);
    if (!waiter.m_queued)
        return false;
    unlink(waiter);
    m_scheduler.cancel(waiter.m_timer);
    waiter.m_timer = 0;
    return true;
}

void Bulkhead::onQueueTimeout(BulkheadWaiter *waiter, std::uint64_t ticket)
{
    int active, queued;
    {
        std::lock_guard guard(m_lock);
        if (!waiter->m_queued || waiter->m_ticket != ticket)
            return; // admitted or withdrawn while this timer was on its way
        unlink(*waiter);
        waiter->m_timer = 0;
        ++m_timeouts;
        ++m_rejected;
        active = m_active;
        queued = m_queued;
    }
    notify(BulkheadEventKind::Timeout, active, queued, 0, waiter->bulkheadTag);
    reject("queue timeout");
    waiter->rejected(ErrorCode::BulkheadQueueTimeout);
}

int Bulkhead::clearQueue()
{
    BulkheadWaiter *cleared = nullptr;
    int count = 0, active, queued;
    {
        std::lock_guard guard(m_lock);
        cleared = m_head;
        for (BulkheadWaiter *w = m_head; w; w = w->m_next) {
            m_scheduler.cancel(w->m_timer);
            w->m_timer = 0;
            w->m_queued = false;
            ++count;
        }
        m_head = m_tail = nullptr;
        m_queued = 0;
        m_cleared += count;
        active = m_active;
        queued = m_queued;
    }
    notify(BulkheadEventKind::QueueCleared, active, queued, count, 0);
    // The detached list still links through m_next; read it before each callback reuses the node.
    for (BulkheadWaiter *w = cleared; w;) {
        BulkheadWaiter *next = w->m_next;
        w->m_prev = w->m_next = nullptr;
        reject("queue cleared");
        w->rejected(ErrorCode::BulkheadQueueCleared);
        w = next;
    }
    return count;
}

void Bulkhead::resize(int maxConcurrent, int maxQueueSize)
{
    BulkheadWaiter *overflow = nullptr; // newest waiters beyond the new queue size
    {
        std::lock_guard guard(m_lock);
        m_config.maxConcurrent = std::max(1, maxConcurrent);
        m_config.maxQueueSize = std::max(0, maxQueueSize);
    }
    // Admit what now fits, one at a time so each admission runs outside the lock.
    for (;;) {
        BulkheadWaiter *next;
        int active, queued;
        {
            std::lock_guard guard(m_lock);
            next = popAdmissibleLocked();
            active = m_active;
            queued = m_queued;
        }
        if (!next)
            break;
        notify(BulkheadEventKind::Started, active, queued, 0, next->bulkheadTag);
        next->admitted();
    }
    int active, queued;
    {
        std::lock_guard guard(m_lock);
        while (m_queued > m_config.maxQueueSize && m_tail) {
            BulkheadWaiter *w = m_tail;
            unlink(*w);
            m_scheduler.cancel(w->m_timer);
            w->m_timer = 0;
            ++m_rejected;
            w->m_next = overflow;
            overflow = w;
        }
        active = m_active;
        queued = m_queued;
    }
    for (BulkheadWaiter *w = overflow; w;) {
        BulkheadWaiter *next = w->m_next;
        w->m_next = nullptr;
        notify(BulkheadEventKind::Rejected, active, queued, 0, w->bulkheadTag);
        reject("queue full");
        w->rejected(ErrorCode::BulkheadQueueFull);
        w = next;
    }
}

void Bulkhead::setQueueTimeout(Duration timeout)
{
    std::lock_guard guard(m_lock);
    m_config.timeout = timeout; // applies to calls queued from now on
}

BulkheadConfig Bulkhead::config() const
{
    std::lock_guard guard(m_lock);
    return m_config;
}

BulkheadState Bulkhead::state() const
{
    std::lock_guard guard(m_lock);
    return BulkheadState { m_active, m_queued, std::max(0, m_config.maxConcurrent - m_active),
                           std::max(0, m_config.maxQueueSize - m_queued) };
}

BulkheadMetrics Bulkhead::metrics() const
{
    std::lock_guard guard(m_lock);
    BulkheadMetrics m;
    m.completed = m_completed;
    m.rejected = m_rejected;
    m.timeouts = m_timeouts;
    m.errors = m_errors;
    m.cleared = m_cleared;
    m.avgExecutionTimeMs = m_completed ? m_totalExecutionMs / double(m_completed) : 0.0;
    m.peakActive = m_peakActive;
    m.peakQueued = m_peakQueued;
    m.active = m_active;
    m.queued = m_queued;
    m.utilization = m_config.maxConcurrent > 0 ? double(m_active) / m_config.maxConcurrent : 0.0;
    return m;
}

} // namespace bw
