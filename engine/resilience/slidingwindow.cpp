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
        // ceil(size / 100) ms, so that 100 buckets always cover at least the whole window.
        m_bucketWidth = fromMs((m_size + TimeBuckets - 1) / TimeBuckets);
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

SlidingWindow::Totals SlidingWindow::totals(TimePoint now)
{
    if (m_type == WindowType::Time)
        advance(bucketIndexFor(now));
    return m_totals;
}

} // namespace bw
