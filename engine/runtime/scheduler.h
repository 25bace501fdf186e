#pragma once

#include "duration.h"
#include "inplacefunction.h"

#include <algorithm>
#include <cstdint>

namespace bw {

// Where every primitive reads the time. Never std::chrono::steady_clock or QElapsedTimer directly:
// the same code runs on virtual time (simulation, replay, tests) and on wall time (real HTTP).
class Clock
{
public:
    virtual ~Clock() = default;
    virtual TimePoint now() const = 0;
};

// A timer handle; 0 is "no timer". Handles are never reused while their timer is pending.
using TimerId = std::uint64_t;
using TimerTask = InplaceFunction<void(), 48>;

// Sets and cancels timers on the same timeline as now(). Both are O(log n) with no allocation
// in steady state, because per-call timeouts set one timer per call and cancel almost all of them.
// Tasks are taken by rvalue reference down to the queue, where they are moved once into their
// slot: a task passed by value would be moved again at every hop, an indirect call each.
class Scheduler : public Clock
{
public:
    // Runs task once at `due` (a time already past counts as now). Tasks due at the same
    // instant run in the order they were scheduled. Callers that already read now() use this
    // to save a clock read on hot paths.
    virtual TimerId scheduleAt(TimePoint due, TimerTask &&task) = 0;
    // Runs task once at `due`, before every task scheduleAt() set for that instant (in the order
    // they were scheduled among themselves): for observers that must see the state an instant
    // starts from, such as a time series closing [start, end) at `end` before a fault that
    // starts at `end` applies.
    virtual TimerId scheduleFirstAt(TimePoint due, TimerTask &&task) = 0;
    // Runs task once, delay after now() (a negative delay counts as zero).
    TimerId schedule(Duration delay, TimerTask &&task)
    {
        return scheduleAt(now() + std::max(delay, Duration::zero()), std::move(task));
    }
    // Cancels a pending timer; returns false if it already ran, was cancelled, or id is 0.
    virtual bool cancel(TimerId id) = 0;
    // True when the caller is on the thread that runs this scheduler's tasks.
    virtual bool isOwnerThread() const { return true; }
};

} // namespace bw
