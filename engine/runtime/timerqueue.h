#pragma once

#include "scheduler.h"

#include <cstdint>
#include <vector>

namespace bw {

// A min-heap of timers ordered by (due time, sequence), with lazy deletion: cancel() frees the
// task at once and leaves a stale heap entry that pop skips. When stale entries outnumber live
// ones the heap is rebuilt, so memory stays proportional to live timers and, once the vectors
// have grown to the peak, nothing allocates. Not thread-safe; schedulers guard it.
class TimerQueue
{
public:
    TimerId add(TimePoint due, TimerTask task);
    bool cancel(TimerId id);

    // The earliest live timer's due time, or false when there is none.
    bool nextDue(TimePoint *due);
    // Removes the earliest live timer due at or before `limit` and moves its task out.
    bool popDue(TimePoint limit, TimePoint *due, TimerTask *task);

    std::size_t size() const { return m_live; }

private:
    struct Entry
    {
        TimePoint due;
        std::uint64_t sequence;
        std::uint32_t slot;
        std::uint32_t generation;
    };
    struct Slot
    {
        TimerTask task;
        std::uint32_t generation = 1;
        bool pending = false;
    };
    // A function object, not a function pointer, so that the heap algorithms inline it.
    struct Later
    {
        bool operator()(const Entry &a, const Entry &b) const
        {
            return a.due != b.due ? a.due > b.due : a.sequence > b.sequence;
        }
    };
    bool isLive(const Entry &e) const
    {
        const Slot &s = m_slots[e.slot];
        return s.pending && s.generation == e.generation;
    }
    void dropStaleTop();
    void compactIfMostlyStale();

    std::vector<Entry> m_heap;
    std::vector<Slot> m_slots;
    std::vector<std::uint32_t> m_freeSlots;
    std::uint64_t m_sequence = 0;
    std::size_t m_live = 0;
};

} // namespace bw
