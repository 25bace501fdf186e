#include "buckethistogram.h"

#include <algorithm>
#include <bit>
#include <cmath>

namespace bw {

int BucketHistogram::binOf(std::int64_t value)
{
    if (value < 2 * Sub)
        return int(value < 0 ? 0 : value);
    const int msb = int(std::bit_width(std::uint64_t(value))) - 1;
    if (msb >= MaxBits)
        return Bins - 1;
    const int shift = msb - SubBits;
    return (shift + 1) * Sub + int(value >> shift) - Sub;
}

std::int64_t BucketHistogram::binLow(int bin)
{
    if (bin < 2 * Sub)
        return bin;
    const int shift = bin / Sub - 1;
    return std::int64_t(bin % Sub + Sub) << shift;
}

std::int64_t BucketHistogram::binHigh(int bin)
{
    if (bin < 2 * Sub)
        return bin;
    const int shift = bin / Sub - 1;
    return binLow(bin) + (std::int64_t(1) << shift) - 1;
}

void BucketHistogram::merge(const BucketHistogram &other)
{
    if (!other.m_count)
        return;
    for (int b = other.m_low; b <= other.m_high; ++b)
        m_counts[std::size_t(b)] += other.m_counts[std::size_t(b)];
    m_low = std::min(m_low, other.m_low);
    m_high = std::max(m_high, other.m_high);
    m_min = std::min(m_min, other.m_min);
    m_max = std::max(m_max, other.m_max);
    m_count += other.m_count;
}

void BucketHistogram::clear()
{
    if (m_high >= m_low)
        std::fill(m_counts.begin() + m_low, m_counts.begin() + m_high + 1, 0u);
    m_low = Bins;
    m_high = -1;
    m_count = 0;
    m_min = INT64_MAX;
    m_max = 0;
}

void BucketHistogram::percentiles(const double *p, Duration *out, int n) const
{
    if (!m_count) {
        std::fill(out, out + n, Duration::zero());
        return;
    }
    int k = 0;
    std::int64_t seen = 0;
    for (int b = m_low; b <= m_high && k < n; ++b) {
        seen += m_counts[std::size_t(b)];
        while (k < n) {
            const double wanted = std::ceil(std::clamp(p[k], 0.0, 100.0) / 100.0 * double(m_count) - 1e-9);
            const std::int64_t rank = std::clamp<std::int64_t>(std::int64_t(wanted), 1, m_count);
            if (seen < rank)
                break;
            const std::int64_t mid = binLow(b) + (binHigh(b) - binLow(b)) / 2;
            out[k++] = Duration(std::clamp(mid, m_min, m_max));
        }
    }
    for (; k < n; ++k)
        out[k] = Duration(m_max);
}

Duration BucketHistogram::percentile(double p) const
{
    Duration d;
    percentiles(&p, &d, 1);
    return d;
}

} // namespace bw
