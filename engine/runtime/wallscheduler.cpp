#include "wallscheduler.h"

#include "fastclock.h"

#include <QThread>

#include <mutex>

namespace bw {

WallScheduler::WallScheduler()
    : m_epoch(FastClock::now())
{
    m_timer.setSingleShot(true);
    m_timer.setTimerType(Qt::PreciseTimer);
    QObject::connect(&m_timer, &QTimer::timeout, &m_timer, [this] { runDue(); });
}

WallScheduler::~WallScheduler() = default;

TimePoint WallScheduler::now() const
{
    return FastClock::now() - m_epoch;
}

bool WallScheduler::isOwnerThread() const
{
    return QThread::currentThread() == m_timer.thread();
}

TimerId WallScheduler::scheduleAt(TimePoint due, TimerTask &&task)
{
    return add(due, std::move(task), false);
}

TimerId WallScheduler::scheduleFirstAt(TimePoint due, TimerTask &&task)
{
    return add(due, std::move(task), true);
}

TimerId WallScheduler::add(TimePoint due, TimerTask &&task, bool first)
{
    TimerId id;
    {
        std::lock_guard guard(m_lock);
        id = m_timers.add(due, std::move(task), first);
    }
    requestArm(due);
    return id;
}

bool WallScheduler::cancel(TimerId id)
{
    // A cancelled earliest timer leaves the QTimer armed early; runDue then finds nothing due
    // and re-arms. Cheaper than re-arming on every cancel.
    std::lock_guard guard(m_lock);
    return m_timers.cancel(id);
}

std::size_t WallScheduler::pendingTimers() const
{
    std::lock_guard guard(m_lock);
    return m_timers.size();
}

void WallScheduler::requestArm(TimePoint due)
{
    std::int64_t armed = m_armedFor.load(std::memory_order_relaxed);
    while (due.count() < armed) {
        if (m_armedFor.compare_exchange_weak(armed, due.count(), std::memory_order_relaxed)) {
            if (isOwnerThread())
                arm();
            else
                QMetaObject::invokeMethod(&m_timer, [this] { arm(); }, Qt::QueuedConnection);
            return;
        }
    }
}

void WallScheduler::arm()
{
    TimePoint due;
    bool any;
    {
        std::lock_guard guard(m_lock);
        any = m_timers.nextDue(&due);
    }
    if (!any) {
        m_armedFor.store(TimePoint::max().count(), std::memory_order_relaxed);
        m_timer.stop();
        return;
    }
    m_armedFor.store(due.count(), std::memory_order_relaxed);
    const auto waitMs = std::chrono::ceil<std::chrono::milliseconds>(due - now()).count();
    m_timer.start(static_cast<int>(std::clamp<std::int64_t>(waitMs, 0, INT32_MAX)));
}

void WallScheduler::runDue()
{
    for (;;) {
        TimePoint due;
        TimerTask task;
        {
            std::lock_guard guard(m_lock);
            if (!m_timers.popDue(now(), &due, &task))
                break;
        }
        task();
    }
    arm();
}

} // namespace bw
