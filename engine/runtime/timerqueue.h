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
//
// Timers due a long way ahead (a breaker's 3 s call limit, a 30 s timeout) are almost all
// cancelled before they are due, so they wait outside the heap, in an unsorted list where adding
// and cancelling cost O(1): every listed timer is due at or after m_farFloor, and only heap
// timers due before it may run without looking at the list. When the heap's earliest reaches the
// floor, the floor moves to one FarHorizon after the earliest timer, and the listed timers now
// before it join the heap. Both keep (due, sequence), so timers run in exactly the same order.
// Not thread-safe; schedulers guard it.
class TimerQueue
{
public:
    // `first`: ahead of every timer added without it for the same due time (Scheduler::scheduleFirstAt).
    TimerId add(TimePoint due, TimerTask &&task, bool first = false);
    bool cancel(TimerId id);

    // The earliest timer's due time, or false when there is none.
    bool nextDue(TimePoint *due);
    // Removes the earliest timer if it is due at or before `limit`, and moves its task out.
    bool popDue(TimePoint limit, TimePoint *due, TimerTask *task);

    std::size_t size() const { return m_heap.size() + m_far.size(); }

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
        std::uint32_t heapIndex = NotQueued; // or FarBit | its index in m_far
    };
    static constexpr std::uint32_t NotQueued = 0xffffffffu;
    static constexpr std::uint32_t FarBit = 0x80000000u;
    static constexpr std::size_t Arity = 4;
    static constexpr Duration FarHorizon = std::chrono::seconds(1);

    static bool earlier(const Entry &a, const Entry &b)
    {
        return a.due != b.due ? a.due < b.due : a.sequence < b.sequence;
    }
    void put(std::size_t i, const Entry &e)
    {
        m_heap[i] = e;
        m_slots[e.slot].heapIndex = static_cast<std::uint32_t>(i);
    }
    // Inlined: passing an Entry on the stack to a call costs a store-forwarding stall per timer.
    [[gnu::always_inline]] inline void siftUp(std::size_t i, Entry moving);
    [[gnu::always_inline]] inline void siftDown(std::size_t i, Entry moving);
    void removeAt(std::size_t i);
    void removeFar(std::size_t i);
    // Moves the floor past the earliest timer when no heap timer is due before it. The test is
    // inline: it is made before every pop and almost always finds nothing to do.
    void refill()
    {
        if (!m_far.empty() && (m_heap.empty() || m_heap.front().due >= m_farFloor))
            moveFloor();
    }
    void moveFloor();
    void freeSlot(std::uint32_t slot);

    std::vector<Entry> m_heap;
    std::vector<Entry> m_far;
    TimePoint m_farFloor = TimePoint::min();
    std::vector<Slot> m_slots;
    std::vector<std::uint32_t> m_freeSlots;
    // Sequences order timers due at the same time: those added `first` count up from 0, the
    // others from 2^63, so the first ones sort ahead and each kind keeps its own FIFO order.
    std::uint64_t m_firstSequence = 0;
    std::uint64_t m_sequence = std::uint64_t(1) << 63;
};

} // namespace bw
