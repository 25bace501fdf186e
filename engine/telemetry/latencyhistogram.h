#pragma once

#include "../runtime/duration.h"

#include <cstdint>
#include <vector>

namespace bw {

// A log-linear (HDR-style) histogram of durations: values below 256 ns are counted exactly;
// above, each power of two is split into 128 equal buckets, so a bucket is at most 1/128 of its
// lower bound wide and a percentile (reported at its bucket's midpoint) is within 0.4 % of the
// exact value. Each bucket also keeps the smallest and largest value it saw and the answer is
// clamped to them, so a bucket of identical values (every timeout at exactly 800 ms) is exact.
// Memory is bounded whatever the run length: 24 bytes per bucket up to the largest value seen,
// at most 7.3k buckets (175 KiB) for the whole int64 nanosecond range, ~77 KiB up to 2 s.
class LatencyHistogram
{
public:
    static constexpr int SubBucketBits = 7;
    static constexpr std::int64_t SubBuckets = std::int64_t(1) << SubBucketBits; // 128
    static constexpr std::int64_t ExactLimit = SubBuckets * 2; // 256

    // O(1); allocates only when a value lands beyond every bucket used so far.
    void record(Duration value);
    void merge(const LatencyHistogram &other);
    void clear();

    std::int64_t count() const { return m_count; }
    Duration min() const { return Duration(m_count ? m_min : 0); }
    Duration max() const { return Duration(m_max); }
    // Nearest rank: the smallest recorded value v such that at least p % of values are <= v,
    // within the error above and clamped to [min, max]. p in [0, 100]; 0 when empty. O(buckets).
    Duration percentile(double p) const;

    static std::size_t bucketOf(std::int64_t value);
    // The inclusive range of values a bucket holds.
    static std::int64_t bucketLow(std::size_t bucket);
    static std::int64_t bucketHigh(std::size_t bucket);

private:
    struct Bucket
    {
        std::int64_t count = 0;
        std::int64_t min = INT64_MAX;
        std::int64_t max = INT64_MIN;
    };
    std::vector<Bucket> m_buckets;
    std::int64_t m_count = 0;
    std::int64_t m_min = INT64_MAX;
    std::int64_t m_max = 0;
};

} // namespace bw
