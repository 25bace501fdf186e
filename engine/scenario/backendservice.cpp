#include "backendservice.h"

namespace bw {

namespace {

std::uint64_t mix(std::uint64_t a, std::uint64_t b)
{
    std::uint64_t z = a ^ (b + 0x9e3779b97f4a7c15ull + (a << 6) + (a >> 2));
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

} // namespace

void BackendService::setFaults(const QList<FaultConfig> &faults)
{
    m_faults = faults;
    refreshFaults();
}

void BackendService::refreshFaults()
{
    const double previousRps = m_effects.rateLimitRps;
    m_effects = FaultEffects::combine(m_faults, m_scheduler.now());
    if (m_effects.rateLimitRps != previousRps) {
        m_tokens = std::max(1.0, m_effects.rateLimitRps); // a fresh limit starts with a full bucket
        m_tokensAt = m_scheduler.now();
    }
    m_stats.capacity = effectiveCapacity();
    onEffectsChanged();
}

bool BackendService::rateLimited(TimePoint now)
{
    const double rps = m_effects.rateLimitRps;
    if (rps <= 0)
        return false;
    m_tokens = std::min(std::max(1.0, rps), m_tokens + rps * toMs(now - m_tokensAt) / 1000.0);
    m_tokensAt = now;
    if (m_tokens >= 1.0) {
        m_tokens -= 1.0;
        return false;
    }
    return true;
}

Duration BackendService::addedLatency(double draw) const
{
    const double spread = (2 * draw - 1) * double(m_effects.jitter.count());
    return std::max(Duration::zero(), m_effects.addLatency + Duration(std::int64_t(spread)));
}

Random BackendService::requestRandom(std::uint64_t operationKey, const Attempt &attempt) const
{
    return Random(mix(mix(m_seed, operationKey), mix(attempt.callTag, std::uint64_t(attempt.number))));
}

void BackendService::answer(Completion done, ErrorCode error, std::optional<Duration> retryAfter)
{
    if (error.isNull()) {
        done(Result::success());
        return;
    }
    ++m_stats.errorsServed;
    Error e;
    e.code = error;
    e.retryAfter = retryAfter;
    if (error == ErrorCode::ConnectionRefused)
        e.message = QStringLiteral("connect ECONNREFUSED");
    else if (error == ErrorCode::httpStatus(429))
        e.message = QStringLiteral("429 Too Many Requests"); // as a real server's 429 reads
    done(Result::failure(std::move(e)));
}

} // namespace bw
