#include "timerqueue.h"

#include <algorithm>

namespace bw {

inline void TimerQueue::siftUp(std::size_t i, Entry moving)
{
    while (i > 0) {
        const std::size_t parent = (i - 1) / Arity;
        if (!earlier(moving, m_heap[parent]))
            break;
        put(i, m_heap[parent]);
        i = parent;
    }
    put(i, moving);
}

inline void TimerQueue::siftDown(std::size_t i, Entry moving)
{
    const std::size_t n = m_heap.size();
    for (;;) {
        const std::size_t first = i * Arity + 1;
        if (first >= n)
            break;
        std::size_t best = first;
        const std::size_t last = std::min(first + Arity, n);
        for (std::size_t c = first + 1; c < last; ++c)
            if (earlier(m_heap[c], m_heap[best]))
                best = c;
        if (!earlier(m_heap[best], moving))
            break;
        put(i, m_heap[best]);
        i = best;
    }
    put(i, moving);
}

TimerId TimerQueue::add(TimePoint due, TimerTask &&task, bool first)
{
    std::uint32_t slot;
    if (!m_freeSlots.empty()) {
        slot = m_freeSlots.back();
        m_freeSlots.pop_back();
    } else {
        slot = static_cast<std::uint32_t>(m_slots.size());
        m_slots.emplace_back();
    }
    Slot &s = m_slots[slot];
    s.task = std::move(task);
    const TimerId id = (std::uint64_t(s.generation) << 32) | (std::uint64_t(slot) + 1);
    const Entry entry { due, first ? m_firstSequence++ : m_sequence++, slot };
    if (due >= m_farFloor) {
        s.heapIndex = FarBit | static_cast<std::uint32_t>(m_far.size());
        m_far.push_back(entry);
        return id;
    }
    m_heap.emplace_back();
    siftUp(m_heap.size() - 1, entry);
    return id;
}

void TimerQueue::freeSlot(std::uint32_t slot)
{
    Slot &s = m_slots[slot];
    s.task.reset();
    s.heapIndex = NotQueued;
    ++s.generation;
    m_freeSlots.push_back(slot);
}

bool TimerQueue::cancel(TimerId id)
{
    if (id == 0)
        return false;
    const auto slot = static_cast<std::uint32_t>((id & 0xffffffffu) - 1);
    const auto generation = static_cast<std::uint32_t>(id >> 32);
    if (slot >= m_slots.size())
        return false;
    Slot &s = m_slots[slot];
    if (s.heapIndex == NotQueued || s.generation != generation)
        return false;
    const std::uint32_t index = s.heapIndex;
    freeSlot(slot);
    if (index & FarBit)
        removeFar(index & ~FarBit);
    else
        removeAt(index);
    return true;
}

void TimerQueue::removeFar(std::size_t i)
{
    // Unsorted: the last entry takes the hole.
    if (i + 1 < m_far.size()) {
        m_far[i] = m_far.back();
        m_slots[m_far[i].slot].heapIndex = FarBit | static_cast<std::uint32_t>(i);
    }
    m_far.pop_back();
}

void TimerQueue::moveFloor()
{
    TimePoint earliest = m_heap.empty() ? TimePoint::max() : m_heap.front().due;
    for (const Entry &e : m_far)
        earliest = std::min(earliest, e.due);
    // Saturating: a timer due near TimePoint::max() must not wrap the floor around.
    m_farFloor = earliest > TimePoint::max() - FarHorizon ? TimePoint::max() : earliest + FarHorizon;
    for (std::size_t i = 0; i < m_far.size();) {
        const Entry e = m_far[i];
        if (e.due >= m_farFloor && m_farFloor != TimePoint::max()) {
            ++i;
            continue;
        }
        removeFar(i); // fills slot i with the last entry: look at i again
        m_heap.emplace_back();
        siftUp(m_heap.size() - 1, e);
    }
}

void TimerQueue::removeAt(std::size_t i)
{
    const Entry last = m_heap.back();
    m_heap.pop_back();
    if (i == m_heap.size())
        return; // it was the last one
    // The last entry fills the hole, then moves whichever way restores the order.
    if (i > 0 && earlier(last, m_heap[(i - 1) / Arity]))
        siftUp(i, last);
    else
        siftDown(i, last);
}

bool TimerQueue::nextDue(TimePoint *due)
{
    refill();
    if (m_heap.empty())
        return false;
    *due = m_heap.front().due;
    return true;
}

bool TimerQueue::popDue(TimePoint limit, TimePoint *due, TimerTask *task)
{
    refill();
    if (m_heap.empty() || m_heap.front().due > limit)
        return false;
    const Entry top = m_heap.front();
    *due = top.due;
    *task = std::move(m_slots[top.slot].task);
    freeSlot(top.slot);
    removeAt(0);
    return true;
}

} // namespace bw
