#pragma once

#include "../runtime/duration.h"

#include <array>
#include <cstdint>

namespace bw {

// A latency histogram for one time bucket: counts only, 32 linear sub-bins per power of two
// (values under 64 ns exact), so a percentile reported at its bin's midpoint is within 1.6 % of
// the exact value, and clamped to the bucket's min and max. A fixed array of 1,216 counters
// (4.75 KiB) covers up to 2^42 ns (73 minutes; larger values land in the last bin): record() is
// an index computation and an add, clear() and percentiles() touch only the bins used since the
// last clear. Unlike LatencyHistogram it never allocates, which is what a per-bucket reset needs.
class BucketHistogram
{
public:
    static constexpr int SubBits = 5;
    static constexpr int Sub = 1 << SubBits; // 32
    static constexpr int MaxBits = 42;
    static constexpr int Bins = (MaxBits - SubBits + 1) * Sub; // 1216

    // O(1), no allocation. Negative values count as 0.
    void record(Duration value)
    {
        const std::int64_t v = value.count() > 0 ? value.count() : 0;
        const int bin = binOf(v);
        ++m_counts[std::size_t(bin)];
        if (bin < m_low)
            m_low = bin;
        if (bin > m_high)
            m_high = bin;
        if (v < m_min)
            m_min = v;
        if (v > m_max)
            m_max = v;
        ++m_count;
    }
    void merge(const BucketHistogram &other);
    void clear(); // O(bins used)

    std::int64_t count() const { return m_count; }
    Duration min() const { return Duration(m_count ? m_min : 0); }
    Duration max() const { return Duration(m_count ? m_max : 0); }
    // Nearest rank (the smallest v with at least p % of values <= v), p in [0, 100], for
    // several ascending p in one pass over the bins used; 0 when empty.
    void percentiles(const double *p, Duration *out, int n) const;
    Duration percentile(double p) const;

    static int binOf(std::int64_t value);
    static std::int64_t binLow(int bin);
    static std::int64_t binHigh(int bin);

private:
    std::array<std::uint32_t, Bins> m_counts {};
    int m_low = Bins, m_high = -1;
    std::int64_t m_count = 0;
    std::int64_t m_min = INT64_MAX, m_max = 0;
};

} // namespace bw
