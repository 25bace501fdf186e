#pragma once

#include "scheduler.h"

#include <cstdint>
#include <vector>

namespace bw {

// Timers in a 4-ary min-heap ordered by (due time, sequence), indexed: each timer knows its
// place in the heap, so cancel() removes it at once in O(log n) and the heap only ever holds
// live timers. That matters because per-call time limits are set on every call and cancelled
// on almost every one: a heap that kept them as stale entries would be mostly dead weight to
// sift through. Four children per node halve the levels of a binary heap, and most new timers
// (arrivals, service completions) are due soon and sift up from the bottom to near the top.
// Once the vectors have grown to the peak number of live timers, nothing allocates.
// Not thread-safe; schedulers guard it.
class TimerQueue
{
public:
    // `first`: ahead of every timer added without it for the same due time (Scheduler::scheduleFirstAt).
    TimerId add(TimePoint due, TimerTask task, bool first = false);
    bool cancel(TimerId id);

    // The earliest timer's due time, or false when there is none.
    bool nextDue(TimePoint *due) const;
    // Removes the earliest timer if it is due at or before `limit`, and moves its task out.
    bool popDue(TimePoint limit, TimePoint *due, TimerTask *task);

    std::size_t size() const { return m_heap.size(); }

private:
    struct Entry
    {
        TimePoint due;
        std::uint64_t sequence;
        std::uint32_t slot;
    };
    struct Slot
    {
        TimerTask task;
        std::uint32_t generation = 1;
        std::uint32_t heapIndex = NotQueued;
    };
    static constexpr std::uint32_t NotQueued = 0xffffffffu;
    static constexpr std::size_t Arity = 4;

    static bool earlier(const Entry &a, const Entry &b)
    {
        return a.due != b.due ? a.due < b.due : a.sequence < b.sequence;
    }
    void put(std::size_t i, const Entry &e)
    {
        m_heap[i] = e;
        m_slots[e.slot].heapIndex = static_cast<std::uint32_t>(i);
    }
    void siftUp(std::size_t i, Entry moving);
    void siftDown(std::size_t i, Entry moving);
    void removeAt(std::size_t i);
    void freeSlot(std::uint32_t slot);

    std::vector<Entry> m_heap;
    std::vector<Slot> m_slots;
    std::vector<std::uint32_t> m_freeSlots;
    // Sequences order timers due at the same time: those added `first` count up from 0, the
    // others from 2^63, so the first ones sort ahead and each kind keeps its own FIFO order.
    std::uint64_t m_firstSequence = 0;
    std::uint64_t m_sequence = std::uint64_t(1) << 63;
};

} // namespace bw
