#include "virtualscheduler.h"

#include <climits>

namespace bw {

TimerId VirtualScheduler::scheduleAt(TimePoint due, TimerTask &&task)
{
    return m_timers.add(std::max(due, m_now), std::move(task));
}

TimerId VirtualScheduler::scheduleFirstAt(TimePoint due, TimerTask &&task)
{
    return m_timers.add(std::max(due, m_now), std::move(task), true);
}

bool VirtualScheduler::runNext()
{
    TimePoint due;
    TimerTask task;
    if (!m_timers.popDue(TimePoint::max(), &due, &task))
        return false;
    if (due > m_now)
        m_now = due;
    task();
    return true;
}

std::size_t VirtualScheduler::advanceTo(TimePoint until)
{
    std::size_t ran = 0;
    TimePoint due;
    TimerTask task;
    while (m_timers.popDue(until, &due, &task)) {
        if (due > m_now)
            m_now = due;
        task();
        ++ran;
    }
    if (until > m_now)
        m_now = until;
    return ran;
}

std::size_t VirtualScheduler::runUntilIdle(std::size_t maxTasks)
{
    std::size_t ran = 0;
    while (ran < maxTasks && runNext())
        ++ran;
    return ran;
}

} // namespace bw
