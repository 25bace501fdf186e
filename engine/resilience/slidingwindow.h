#pragma once

#include "../runtime/duration.h"
#include "circuitbreakerconfig.h"

#include <algorithm>
#include <cstdint>
#include <vector>

namespace bw {

// The breaker's window: calls, failures and slow calls over the last windowSize milliseconds
// (time: 100 buckets of exactly windowSize/100, so a call counts for between 99 % and 100 % of
// windowSize) or the last windowSize calls (count: a ring of outcomes). Recording and reading
// are O(1) amortised; no allocation after construction. Not thread-safe: the breaker's lock
// guards it.
class SlidingWindow
{
public:
    static constexpr int TimeBuckets = 100;

    SlidingWindow(WindowType type, std::int64_t size);

    void record(TimePoint now, bool failure, bool slow);
    void clear();
    // A window of the same type and a new size holding what of this one still fits at `now`:
    // the newest `size` outcomes of a count window; the buckets of a time window that the new
    // window still covers, each placed at its start (so no call is kept longer than `size`).
    // A new type starts empty: a count window does not know when its calls happened, nor a
    // time window their order within a bucket. Allocates: for configuration changes only.
    SlidingWindow resized(WindowType type, std::int64_t size, TimePoint now) const;

    struct Totals
    {
        std::int64_t calls = 0, failures = 0, slow = 0;
    };
    // The window's contents as seen at `now` (a time window drops buckets that aged out).
    Totals totals(TimePoint now);
    // The contents as of the last record() or totals(), without sliding.
    Totals current() const { return m_totals; }

    WindowType type() const { return m_type; }
    std::int64_t size() const { return m_size; }

private:
    struct Bucket
    {
        std::int64_t index = -1; // which bucket-width slot of time it holds
        std::int32_t calls = 0, failures = 0, slow = 0;
    };
    void advance(std::int64_t bucketIndex);
    // The bucket `now` falls in; no division while now stays in the newest bucket (the usual case).
    std::int64_t bucketIndexFor(TimePoint now) const
    {
        if (now >= m_newestStart && now < m_newestEnd)
            return m_newestBucket;
        return std::max<std::int64_t>(now / m_bucketWidth, 0);
    }

    WindowType m_type;
    std::int64_t m_size;
    Duration m_bucketWidth {};
    std::vector<Bucket> m_buckets;        // time window
    std::vector<std::uint8_t> m_ring;     // count window: bit 0 failure, bit 1 slow, bit 2 used
    std::size_t m_ringNext = 0;
    std::int64_t m_newestBucket = -1;
    TimePoint m_newestStart = TimePoint::max(), m_newestEnd = TimePoint::min(); // the newest bucket's span
    Totals m_totals;
};

} // namespace bw
