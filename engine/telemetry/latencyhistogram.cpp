#include "latencyhistogram.h"

#include <algorithm>
#include <bit>
#include <cmath>

namespace bw {

std::size_t LatencyHistogram::bucketOf(std::int64_t value)
{
    if (value < ExactLimit)
        return std::size_t(std::max<std::int64_t>(value, 0));
    const int k = 63 - std::countl_zero(std::uint64_t(value)); // floor(log2(value)) >= 8
    const int shift = k - SubBucketBits;
    const std::int64_t sub = value >> shift; // in [128, 255]
    return std::size_t(ExactLimit + std::int64_t(k - SubBucketBits - 1) * SubBuckets + (sub - SubBuckets));
}

std::int64_t LatencyHistogram::bucketLow(std::size_t bucket)
{
    if (std::int64_t(bucket) < ExactLimit)
        return std::int64_t(bucket);
    const std::int64_t i = std::int64_t(bucket) - ExactLimit;
    const int k = int(i / SubBuckets) + SubBucketBits + 1;
    const std::int64_t sub = SubBuckets + i % SubBuckets;
    return sub << (k - SubBucketBits);
}

std::int64_t LatencyHistogram::bucketHigh(std::size_t bucket)
{
    if (std::int64_t(bucket) < ExactLimit)
        return std::int64_t(bucket);
    const std::int64_t i = std::int64_t(bucket) - ExactLimit;
    const int k = int(i / SubBuckets) + SubBucketBits + 1;
    const std::int64_t width = std::int64_t(1) << (k - SubBucketBits);
    return bucketLow(bucket) + (width - 1);
}

void LatencyHistogram::record(Duration value)
{
    const std::int64_t v = std::max<std::int64_t>(value.count(), 0);
    const std::size_t index = bucketOf(v);
    if (index >= m_buckets.size())
        m_buckets.resize(index + 1);
    Bucket &b = m_buckets[index];
    ++b.count;
    b.min = std::min(b.min, v);
    b.max = std::max(b.max, v);
    ++m_count;
    m_min = std::min(m_min, v);
    m_max = std::max(m_max, v);
}

void LatencyHistogram::merge(const LatencyHistogram &other)
{
    if (other.m_buckets.size() > m_buckets.size())
        m_buckets.resize(other.m_buckets.size());
    for (std::size_t i = 0; i < other.m_buckets.size(); ++i) {
        Bucket &b = m_buckets[i];
        const Bucket &o = other.m_buckets[i];
        b.count += o.count;
        b.min = std::min(b.min, o.min);
        b.max = std::max(b.max, o.max);
    }
    m_count += other.m_count;
    m_min = std::min(m_min, other.m_min);
    m_max = std::max(m_max, other.m_max);
}

void LatencyHistogram::clear()
{
    m_buckets.clear();
    m_count = 0;
    m_min = INT64_MAX;
    m_max = 0;
}

Duration LatencyHistogram::percentile(double p) const
{
    if (m_count == 0)
        return Duration::zero();
    p = std::clamp(p, 0.0, 100.0);
    const std::int64_t rank
        = std::clamp<std::int64_t>(std::int64_t(std::ceil(p * double(m_count) / 100.0 - 1e-9)), 1, m_count);
    std::int64_t seen = 0;
    for (std::size_t i = 0; i < m_buckets.size(); ++i) {
        const Bucket &b = m_buckets[i];
        seen += b.count;
        if (seen >= rank) {
            const std::int64_t low = bucketLow(i), high = bucketHigh(i);
            const std::int64_t mid = low + (high - low) / 2;
            return Duration(std::clamp(mid, b.min, b.max));
        }
    }
    return Duration(m_max);
}

} // namespace bw
