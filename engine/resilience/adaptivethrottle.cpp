#include "adaptivethrottle.h"

#include <algorithm>

namespace bw {

AdaptiveThrottle::AdaptiveThrottle(AdaptiveThrottleConfig config, TimePoint start)
    : m_config(config)
{
    reset(start);
}

void AdaptiveThrottle::reset(TimePoint now)
{
    m_bucketWidth = std::max(Duration(1), m_config.window / Buckets);
    m_counts = {};
    m_bucket = 0;
    m_bucketEnd = now + m_bucketWidth;
    m_requests = m_accepts = 0;
}

void AdaptiveThrottle::rotate(TimePoint now)
{
    // Each bucket the clock passed leaves the window; after a whole window none is left.
    const std::int64_t passed = 1 + (now - m_bucketEnd) / m_bucketWidth;
    const int cleared = int(std::min<std::int64_t>(passed, Buckets));
    for (int i = 0; i < cleared; ++i) {
        m_bucket = (m_bucket + 1) % Buckets;
        m_requests -= m_counts[m_bucket].requests;
        m_accepts -= m_counts[m_bucket].accepts;
        m_counts[m_bucket] = {};
    }
    m_bucketEnd += passed * m_bucketWidth;
}

void AdaptiveThrottle::setConfig(const AdaptiveThrottleConfig &config, TimePoint now)
{
    const bool newWindow = config.window != m_config.window;
    m_config = config;
    if (newWindow)
        reset(now);
}

} // namespace bw
