#include "slidingwindow.h"

#include <algorithm>

namespace bw {

namespace {

constexpr std::uint8_t RingFailure = 1;
constexpr std::uint8_t RingSlow = 2;
constexpr std::uint8_t RingUsed = 4;

} // namespace

SlidingWindow::SlidingWindow(WindowType type, std::int64_t size)
    : m_type(type)
    , m_size(std::max<std::int64_t>(size, 1)) // a window of nothing would divide by zero below
{
    if (m_type == WindowType::Time) {
        // Exact in nanoseconds (a whole number of milliseconds divides by 100), so the 100
        // buckets cover the window and no more, however small it is.
        m_bucketWidth = fromMs(m_size) / TimeBuckets;
        m_buckets.resize(TimeBuckets);
    } else {
        m_ring.resize(static_cast<std::size_t>(m_size));
    }
}

void SlidingWindow::advance(std::int64_t bucketIndex)
{
    if (bucketIndex <= m_newestBucket)
        return;
    // Moving to bucketIndex drops every bucket whose index is <= bucketIndex - 100; those are
    // exactly the slots of the indices skipped over, so at most 100 slots are visited.
    const std::int64_t first = std::max(m_newestBucket + 1, bucketIndex - (TimeBuckets - 1));
    for (std::int64_t i = first; i <= bucketIndex; ++i) {
        Bucket &b = m_buckets[static_cast<std::size_t>(i % TimeBuckets)];
        m_totals.calls -= b.calls;
        m_totals.failures -= b.failures;
        m_totals.slow -= b.slow;
        b = Bucket { i, 0, 0, 0 };
    }
    m_newestBucket = bucketIndex;
    m_newestStart = bucketIndex * m_bucketWidth;
    m_newestEnd = m_newestStart + m_bucketWidth;
}

void SlidingWindow::record(TimePoint now, bool failure, bool slow)
{
    if (m_type == WindowType::Time) {
        // A clock never goes back, but if a caller's reading is older than the newest bucket
        // it still belongs to the present window: count it in the newest bucket.
        const std::int64_t index = std::max(bucketIndexFor(now), m_newestBucket);
        advance(index);
        Bucket &b = m_buckets[static_cast<std::size_t>(index % TimeBuckets)];
        ++b.calls;
        b.failures += failure;
        b.slow += slow;
    } else {
        std::uint8_t &slot = m_ring[m_ringNext];
        if (slot & RingUsed) {
            --m_totals.calls;
            m_totals.failures -= (slot & RingFailure) ? 1 : 0;
            m_totals.slow -= (slot & RingSlow) ? 1 : 0;
        }
        slot = static_cast<std::uint8_t>(RingUsed | (failure ? RingFailure : 0) | (slow ? RingSlow : 0));
        if (++m_ringNext == m_ring.size())
            m_ringNext = 0;
    }
    ++m_totals.calls;
    m_totals.failures += failure;
    m_totals.slow += slow;
}

void SlidingWindow::clear()
{
    std::fill(m_buckets.begin(), m_buckets.end(), Bucket {});
    std::fill(m_ring.begin(), m_ring.end(), std::uint8_t(0));
    m_ringNext = 0;
    m_newestBucket = -1;
    m_newestStart = TimePoint::max();
    m_newestEnd = TimePoint::min();
    m_totals = {};
}

SlidingWindow SlidingWindow::resized(WindowType type, std::int64_t size, TimePoint now) const
{
    SlidingWindow next(type, size);
    if (type != m_type)
        return next;
    if (type == WindowType::Count) {
        // Oldest first, skipping those the new ring would overwrite anyway.
        const std::int64_t kept = std::min(m_totals.calls, next.m_size);
        const std::size_t used = static_cast<std::size_t>(m_totals.calls);
        std::size_t at = (m_ringNext + m_ring.size() - used) % m_ring.size();
        for (std::int64_t i = 0; i < m_totals.calls; ++i, at = (at + 1) % m_ring.size()) {
            if (i >= m_totals.calls - kept)
                next.record(now, m_ring[at] & RingFailure, m_ring[at] & RingSlow);
        }
        return next;
    }
    const std::int64_t newest = std::max(bucketIndexFor(now), m_newestBucket);
    const std::int64_t nextNewest = next.bucketIndexFor(now);
    next.advance(nextNewest);
    for (const Bucket &b : m_buckets) {
        if (b.index < 0 || b.index <= newest - TimeBuckets || b.calls == 0)
            continue; // unused, or already out of this window
        // At its start, so that no call is kept past the new size; a bucket from after `now`
        // (an older reading) counts in the newest, as record() does.
        const std::int64_t index = std::min(b.index * m_bucketWidth / next.m_bucketWidth, nextNewest);
        if (index <= nextNewest - TimeBuckets)
            continue;
        Bucket &into = next.m_buckets[static_cast<std::size_t>(index % TimeBuckets)];
        into.calls += b.calls;
        into.failures += b.failures;
        into.slow += b.slow;
        next.m_totals.calls += b.calls;
        next.m_totals.failures += b.failures;
        next.m_totals.slow += b.slow;
    }
    return next;
}

SlidingWindow::Totals SlidingWindow::totals(TimePoint now)
{
    if (m_type == WindowType::Time)
        advance(bucketIndexFor(now));
    return m_totals;
}

} // namespace bw
