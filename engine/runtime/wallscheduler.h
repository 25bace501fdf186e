#pragma once

#include "spinlock.h"
#include "timerqueue.h"

#include <QTimer>

#include <atomic>
#include <chrono>

namespace bw {

// Wall time over a Qt event loop: tasks run on the thread this object lives in. One QTimer is
// armed for the earliest deadline only, so setting and cancelling the per-call timeouts that
// almost never fire costs a heap push and a slot release, not a QTimer each. schedule() and
// cancel() are safe from any thread.
//
// Not a QObject itself (its QTimer is the one QObject it needs), so that now(), the call on every
// hot path, is a plain virtual call with no multiple-inheritance thunk.
class WallScheduler final : public Scheduler
{
public:
    WallScheduler();
    ~WallScheduler() override;

    TimePoint now() const override;
    TimerId scheduleAt(TimePoint due, TimerTask &&task) override;
    TimerId scheduleFirstAt(TimePoint due, TimerTask &&task) override;
    bool cancel(TimerId id) override;
    bool isOwnerThread() const override;

    std::size_t pendingTimers() const;

private:
    TimerId add(TimePoint due, TimerTask &&task, bool first);
    void runDue();
    void requestArm(TimePoint due);
    void arm();

    TimePoint m_epoch;
    mutable SpinLock m_lock;
    TimerQueue m_timers;
    QTimer m_timer;
    // The due time the QTimer is (or is about to be) armed for; TimePoint::max() when idle.
    std::atomic<std::int64_t> m_armedFor { TimePoint::max().count() };
};

} // namespace bw
