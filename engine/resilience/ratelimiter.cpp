#include "ratelimiter.h"

#include <algorithm>

namespace bw {

RateLimiter::RateLimiter(RateLimiterConfig config, TimePoint start)
    : m_config(config)
    , m_start(start)
    , m_periodEnd(start + config.refreshPeriod)
    , m_permits(config.limitForPeriod)
{
}

void RateLimiter::refresh(TimePoint now)
{
    const std::int64_t period = (now - m_start) / m_config.refreshPeriod;
    // Each period adds limitForPeriod, up to the limit: a debt of reserved permits is paid first.
    const std::int64_t elapsed = period - m_period;
    m_permits = std::min<std::int64_t>(m_config.limitForPeriod, m_permits + elapsed * m_config.limitForPeriod);
    m_period = period;
    m_periodEnd = m_start + (period + 1) * m_config.refreshPeriod;
}

std::optional<Duration> RateLimiter::reserveLater(TimePoint now)
{
    // Resilience4j's nanosToWaitForPermission: the first period whose permits, after those
    // already reserved, leave one for this call.
    const std::int64_t limit = m_config.limitForPeriod; // at least 1, as the loader and the editor keep it
    const std::int64_t atNextPeriod = m_permits + limit;
    const std::int64_t fullPeriods = atNextPeriod >= 1 ? 0 : (1 - atNextPeriod + limit - 1) / limit;
    const Duration wait = (m_periodEnd - now) + fullPeriods * m_config.refreshPeriod;
    if (wait > m_config.timeout)
        return std::nullopt;
    --m_permits;
    return wait;
}

std::int64_t RateLimiter::availablePermits(TimePoint now)
{
    if (now >= m_periodEnd)
        refresh(now);
    return m_permits;
}

void RateLimiter::setConfig(const RateLimiterConfig &config, TimePoint now)
{
    if (now >= m_periodEnd)
        refresh(now);
    if (config.refreshPeriod != m_config.refreshPeriod) {
        m_start = now;
        m_period = 0;
        m_periodEnd = now + config.refreshPeriod;
        m_permits = std::min<std::int64_t>(m_permits, config.limitForPeriod);
    }
    m_config = config;
}

} // namespace bw
