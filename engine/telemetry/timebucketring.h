#pragma once

#include "timebucket.h"

#include <QList>

#include <cstddef>
#include <utility>
#include <vector>

namespace bw {

// The newest `capacity` buckets, oldest first; the recorder keeps its fine and its coarse tier
// in one each. Not thread-safe: the recorder guards it.
class TimeBucketRing
{
public:
    explicit TimeBucketRing(std::size_t capacity)
        : m_capacity(capacity)
    { }

    // Appends `bucket`; when full, returns the oldest, which it drops (the caller releases it
    // outside its lock).
    TimeBucketPtr push(TimeBucketPtr bucket)
    {
        if (m_buckets.size() < m_capacity) {
            m_buckets.push_back(std::move(bucket));
            return {};
        }
        TimeBucketPtr dropped = std::exchange(m_buckets[m_head], std::move(bucket));
        m_head = (m_head + 1) % m_capacity;
        return dropped;
    }
    std::size_t size() const { return m_buckets.size(); }
    // The k-th oldest, k < size().
    const TimeBucketPtr &at(std::size_t k) const { return m_buckets[(m_head + k) % m_buckets.size()]; }
    QList<TimeBucketPtr> toList() const
    {
        QList<TimeBucketPtr> out;
        out.reserve(qsizetype(m_buckets.size()));
        for (std::size_t k = 0; k < m_buckets.size(); ++k)
            out.append(at(k));
        return out;
    }
    // Empties the ring; returns its buckets, for the caller to release outside its lock.
    std::vector<TimeBucketPtr> release()
    {
        m_head = 0;
        return std::exchange(m_buckets, {});
    }

private:
    std::size_t m_capacity;
    std::vector<TimeBucketPtr> m_buckets;
    std::size_t m_head = 0; // the oldest, once full
};

} // namespace bw
