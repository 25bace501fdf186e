#pragma once

#include "timerqueue.h"

namespace bw {

// Discrete-event time: now() only moves when the owner advances it, and it jumps straight to
// the next due timer. Deterministic, no sleeps: a day of traffic runs in seconds. Confined to
// one thread (the simulation's worker or a test); that is what keeps it lock-free.
class VirtualScheduler final : public Scheduler
{
public:
    explicit VirtualScheduler(TimePoint start = TimePoint::zero()) : m_now(start) { }

    TimePoint now() const override { return m_now; }
    TimerId scheduleAt(TimePoint due, TimerTask &&task) override;
    TimerId scheduleFirstAt(TimePoint due, TimerTask &&task) override;
    bool cancel(TimerId id) override { return m_timers.cancel(id); }

    // Runs the next due timer, moving now() to its time. False when no timer is pending.
    bool runNext();
    // Runs every timer due at or before `until` (including those they schedule), then sets now() to until.
    std::size_t advanceTo(TimePoint until);
    std::size_t advanceBy(Duration d) { return advanceTo(m_now + d); }
    // Runs until no timer is pending or `maxTasks` have run; returns how many ran.
    std::size_t runUntilIdle(std::size_t maxTasks = SIZE_MAX);

    std::size_t pendingTimers() const { return m_timers.size(); }
    bool nextDue(TimePoint *due) { return m_timers.nextDue(due); }

private:
    TimePoint m_now;
    TimerQueue m_timers;
};

} // namespace bw
