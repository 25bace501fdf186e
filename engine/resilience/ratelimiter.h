#pragma once

#include "../runtime/duration.h"

#include <cstdint>
#include <optional>

namespace bw {

// Resilience4j's RateLimiter, with its names and defaults (docs/semantics.md, "Rate limiter"):
// at most limitForPeriod calls start per refresh period; a call waits up to `timeout` for a
// permit of a later period, else it ends with REQUEST_NOT_PERMITTED (outcome rate_limited).
struct RateLimiterConfig
{
    int limitForPeriod = 50;
    Duration refreshPeriod = fromMs(1000);
    Duration timeout {}; // the longest a call waits for a permit; 0: no wait
    friend bool operator==(const RateLimiterConfig &, const RateLimiterConfig &) = default;
};

// Resilience4j's AtomicRateLimiter in virtual time: periods are counted from the limiter's
// start; each new period resets the permits to limitForPeriod (unused ones are not carried
// over). A call that must wait reserves a permit of the first period that has one left, so the
// permits may go negative: later callers queue behind it, in order.
//
// Not thread-safe and lock-free: a pipeline owns it and uses it on its own thread. The caller
// hands in the time it read; admitting a call in the current period costs a comparison and a
// decrement, a new period one division. No allocation.
class RateLimiter
{
public:
    RateLimiter(RateLimiterConfig config, TimePoint start);

    // Reserves a permit at `now`: how long the call waits for it (zero: it may go at once), or
    // nullopt when none is free within the timeout (nothing is reserved then).
    std::optional<Duration> reserve(TimePoint now)
    {
        if (now >= m_periodEnd)
            refresh(now);
        if (m_permits > 0) {
            --m_permits;
            return Duration::zero();
        }
        return reserveLater(now);
    }

    // Permits left in the current period at `now` (negative: reserved by waiting calls).
    std::int64_t availablePermits(TimePoint now);
    const RateLimiterConfig &config() const { return m_config; }
    // A live change: a new limit applies from the next period (Resilience4j's
    // changeLimitForPeriod), a new timeout at once; a new refresh period starts a period at
    // `now` with the permits left, up to the new limit.
    void setConfig(const RateLimiterConfig &config, TimePoint now);

private:
    void refresh(TimePoint now);
    std::optional<Duration> reserveLater(TimePoint now);

    RateLimiterConfig m_config;
    TimePoint m_start;
    std::int64_t m_period = 0; // periods since m_start
    TimePoint m_periodEnd;
    std::int64_t m_permits;
};

} // namespace bw
