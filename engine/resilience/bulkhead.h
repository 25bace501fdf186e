#pragma once

#include "../runtime/scheduler.h"
#include "../runtime/spinlock.h"
#include "listenerlist.h"
#include "outcome.h"

#include <QString>

#include <functional>

namespace bw {

struct BulkheadConfig
{
    int maxConcurrent = 10;
    int maxQueueSize = 50;
    Duration timeout = fromMs(30000); // the longest a call waits in the queue; 0: no limit
    // Told why a call was rejected: "queue full", "queue timeout", "queue cleared".
    std::function<void(const QString &reason)> onReject;
};

struct BulkheadState
{
    int active = 0, queued = 0, available = 0, queueAvailable = 0;
};

struct BulkheadMetrics
{
    std::int64_t completed = 0, rejected = 0, timeouts = 0, errors = 0, cleared = 0;
    double avgExecutionTimeMs = 0;
    int peakActive = 0, peakQueued = 0;
    int active = 0, queued = 0;
    double utilization = 0; // active / maxConcurrent, 0..1
};

enum class BulkheadEventKind : std::uint8_t { Started, Completed, Queued, Rejected, Timeout, QueueCleared };
QLatin1StringView bulkheadEventName(BulkheadEventKind kind); // "started", "queued", ...

struct BulkheadEvent
{
    const QString &name;
    BulkheadEventKind kind;
    int active, queued;
    int queuePosition; // Queued: 1-based place in the queue; QueueCleared: how many were cleared
    std::uint64_t callTag;
    TimePoint at;
};

class BulkheadListener
{
public:
    virtual ~BulkheadListener() = default;
    virtual void onBulkheadEvent(const BulkheadEvent &event) = 0;
};

// A call waiting for a bulkhead slot. The bulkhead links it into its FIFO queue, so queueing
// allocates nothing; the waiter must stay alive until admitted, rejected or withdrawn.
class BulkheadWaiter
{
public:
    // A slot is now held for this waiter: run, and call Bulkhead::exit() when done.
    virtual void admitted() = 0;
    // The wait ended without a slot: BULKHEAD_QUEUE_TIMEOUT or BULKHEAD_QUEUE_CLEARED.
    virtual void rejected(ErrorCode code) = 0;
    std::uint64_t bulkheadTag = 0; // carried into events

protected:
    ~BulkheadWaiter() = default;

private:
    friend class Bulkhead;
    BulkheadWaiter *m_prev = nullptr, *m_next = nullptr;
    bool m_queued = false;
    std::uint64_t m_ticket = 0;
    TimerId m_timer = 0;
};

// The bulkhead of docs/semantics.md: at most maxConcurrent calls run, at most maxQueueSize wait in
// FIFO order, the rest are rejected with BULKHEAD_QUEUE_FULL. Thread-safe. admitted() and
// rejected() are called outside the lock, on the thread that freed the slot or ran the timer.
class Bulkhead
{
public:
    Bulkhead(QString name, BulkheadConfig config, Scheduler &scheduler);
    ~Bulkhead();
    Bulkhead(const Bulkhead &) = delete;
    Bulkhead &operator=(const Bulkhead &) = delete;

    const QString &name() const { return m_name; }
    Scheduler &scheduler() const { return m_scheduler; }

    enum class Admission { Run, Queued, Rejected };
    // Hot path: takes a slot (Run), or queues the waiter (Queued: it will be admitted or
    // rejected later), or rejects (queue full). No allocation.
    Admission tryEnter(BulkheadWaiter &waiter);
    // A call that held a slot ended: frees the slot and admits the next waiter, if any.
    void exit(Duration executionTime, bool error);
    // Takes a waiter out of the queue without calling it (its caller gave up). False if it
    // was not queued any more.
    bool withdraw(BulkheadWaiter &waiter);
    // Rejects every queued call with BULKHEAD_QUEUE_CLEARED; returns how many.
    int clearQueue();
    // Live resize: takes effect at once. Growing admits waiters; a smaller queue rejects the
    // newest waiters beyond it (queue full). Running calls are never interrupted, so after a
    // shrink `active` may exceed the new limit until enough of them end; no call starts until then.
    void resize(int maxConcurrent, int maxQueueSize);
    void setQueueTimeout(Duration timeout);

    BulkheadConfig config() const;
    BulkheadState state() const;
    BulkheadMetrics metrics() const;

    void addListener(BulkheadListener *listener) { m_listeners.add(listener); }
    void removeListener(BulkheadListener *listener) { m_listeners.remove(listener); }

private:
    void onQueueTimeout(BulkheadWaiter *waiter, std::uint64_t ticket);
    void unlink(BulkheadWaiter &waiter);
    void notify(BulkheadEventKind kind, int active, int queued, int position, std::uint64_t tag);
    void reject(const char *reason);
    // Takes the queue head into a free slot, if there is one; the caller admits it unlocked.
    BulkheadWaiter *popAdmissibleLocked();

    const QString m_name;
    Scheduler &m_scheduler;
    mutable SpinLock m_lock;
    BulkheadConfig m_config;
    int m_active = 0, m_queued = 0;
    BulkheadWaiter *m_head = nullptr, *m_tail = nullptr;
    std::uint64_t m_nextTicket = 1;
    std::int64_t m_completed = 0, m_rejected = 0, m_timeouts = 0, m_errors = 0, m_cleared = 0;
    double m_totalExecutionMs = 0;
    int m_peakActive = 0, m_peakQueued = 0;
    ListenerList<BulkheadListener> m_listeners;
};

} // namespace bw
