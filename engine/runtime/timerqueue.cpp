#include "timerqueue.h"

#include <algorithm>

namespace bw {

TimerId TimerQueue::add(TimePoint due, TimerTask task)
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
    s.pending = true;
    m_heap.push_back(Entry { due, m_sequence++, slot, s.generation });
    std::push_heap(m_heap.begin(), m_heap.end(), Later {});
    ++m_live;
    return (std::uint64_t(s.generation) << 32) | (std::uint64_t(slot) + 1);
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
    if (!s.pending || s.generation != generation)
        return false;
    s.task.reset();
    s.pending = false;
    ++s.generation;
    m_freeSlots.push_back(slot);
    --m_live;
    compactIfMostlyStale();
    return true;
}

void TimerQueue::dropStaleTop()
{
    while (!m_heap.empty() && !isLive(m_heap.front())) {
        std::pop_heap(m_heap.begin(), m_heap.end(), Later {});
        m_heap.pop_back();
    }
}

void TimerQueue::compactIfMostlyStale()
{
    // Amortised O(1): a rebuild costs O(n) and happens only after n/2 cancels.
    if (m_heap.size() < 64 || m_heap.size() < 2 * m_live + 32)
        return;
    std::erase_if(m_heap, [this](const Entry &e) { return !isLive(e); });
    std::make_heap(m_heap.begin(), m_heap.end(), Later {});
}

bool TimerQueue::nextDue(TimePoint *due)
{
    dropStaleTop();
    if (m_heap.empty())
        return false;
    *due = m_heap.front().due;
    return true;
}

bool TimerQueue::popDue(TimePoint limit, TimePoint *due, TimerTask *task)
{
    dropStaleTop();
    if (m_heap.empty() || m_heap.front().due > limit)
        return false;
    const Entry top = m_heap.front();
    std::pop_heap(m_heap.begin(), m_heap.end(), Later {});
    m_heap.pop_back();
    Slot &s = m_slots[top.slot];
    *due = top.due;
    *task = std::move(s.task);
    s.pending = false;
    ++s.generation;
    m_freeSlots.push_back(top.slot);
    --m_live;
    return true;
}

} // namespace bw
