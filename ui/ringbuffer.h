#pragma once

#include <QList>

#include <algorithm>
#include <cstddef>

namespace bw {

// A fixed-capacity FIFO: pushing onto a full ring drops the oldest. The GUI's history is bounded
// by it whatever the run length; storage is allocated once.
template<typename T> class RingBuffer
{
public:
    explicit RingBuffer(qsizetype capacity = 600) { m_items.resize(capacity > 0 ? capacity : 1); }

    qsizetype capacity() const { return m_items.size(); }
    qsizetype size() const { return m_size; }
    bool isEmpty() const { return m_size == 0; }
    void clear()
    {
        for (T &item : m_items)
            item = T();
        m_head = 0;
        m_size = 0;
    }
    void push(T item)
    {
        const qsizetype at = (m_head + m_size) % capacity();
        m_items[at] = std::move(item);
        if (m_size < capacity())
            ++m_size;
        else
            m_head = (m_head + 1) % capacity();
    }
    // 0 is the oldest.
    const T &at(qsizetype i) const { return m_items[(m_head + i) % capacity()]; }
    const T &last() const { return at(m_size - 1); }
    T &last() { return m_items[(m_head + m_size - 1) % capacity()]; }
    // Calls f(item) oldest first: two contiguous runs, no index arithmetic per item (the loop
    // over a thousand rings at every refresh of the Fleet mode).
    template<typename F> void forEach(F &&f) const
    {
        const qsizetype firstRun = std::min(m_size, capacity() - m_head);
        for (qsizetype i = 0; i < firstRun; ++i)
            f(m_items[m_head + i]);
        for (qsizetype i = 0; i < m_size - firstRun; ++i)
            f(m_items[i]);
    }

private:
    QList<T> m_items;
    qsizetype m_head = 0;
    qsizetype m_size = 0;
};

} // namespace bw
