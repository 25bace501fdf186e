#pragma once

#include "../runtime/duration.h"

#include <array>
#include <cstdint>

namespace bw {

// Client-side adaptive throttling from the Google SRE book, "Handling Overload" (docs/semantics.md,
// "Adaptive throttle"): over the last `window`, a request is rejected locally with probability
// max(0, (requests − k·accepts) / (requests + 1)); outcome throttled.
struct AdaptiveThrottleConfig
{
    double k = 2.0;                  // the book's multiplier: 2 lets the backend see twice what it accepts
    Duration window = fromMs(120000); // the book's two minutes
    friend bool operator==(const AdaptiveThrottleConfig &, const AdaptiveThrottleConfig &) = default;
};

// The window is a ring of Buckets counters, each window / Buckets long, in the time the caller
// hands in: counts leave the window a bucket at a time, so it spans between window − window /
// Buckets and window. Requests are counted when they are offered (rejected ones included, as the
// book counts them), accepts when the backend answers successfully.
//
// Not thread-safe and lock-free: a pipeline owns it and uses it on its own thread. No allocation.
class AdaptiveThrottle
{
public:
    static constexpr int Buckets = 64;

    AdaptiveThrottle(AdaptiveThrottleConfig config, TimePoint start);

    // The probability of rejecting a request offered at `now`, from the counts before it.
    double rejectionProbability(TimePoint now)
    {
        advance(now);
        const double excess = double(m_requests) - m_config.k * double(m_accepts);
        return excess > 0 ? excess / double(m_requests + 1) : 0.0;
    }
    // Counts a request offered at `now`, whether it goes or not.
    void recordRequest(TimePoint now)
    {
        advance(now);
        ++m_requests;
        ++m_counts[m_bucket].requests;
    }
    void recordAccept(TimePoint now)
    {
        advance(now);
        ++m_accepts;
        ++m_counts[m_bucket].accepts;
    }

    std::int64_t requests() const { return m_requests; }
    std::int64_t accepts() const { return m_accepts; }
    const AdaptiveThrottleConfig &config() const { return m_config; }
    // A live change: a new k applies at once; a new window starts empty at `now`.
    void setConfig(const AdaptiveThrottleConfig &config, TimePoint now);

private:
    struct Counts
    {
        std::int64_t requests = 0, accepts = 0;
    };

    void advance(TimePoint now)
    {
        if (now >= m_bucketEnd)
            rotate(now);
    }
    void rotate(TimePoint now);
    void reset(TimePoint now);

    AdaptiveThrottleConfig m_config;
    Duration m_bucketWidth;
    std::array<Counts, Buckets> m_counts {};
    int m_bucket = 0;
    TimePoint m_bucketEnd;
    std::int64_t m_requests = 0, m_accepts = 0; // sums over m_counts
};

} // namespace bw
