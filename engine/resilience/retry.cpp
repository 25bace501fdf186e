#include "retry.h"

#include <cmath>
#include <mutex>

namespace bw {

namespace RetryPolicies {

RetryConfig none()
{
    RetryConfig c;
    c.maxAttempts = 1;
    c.jitter = false;
    return c;
}

RetryConfig fixed(int maxAttempts, int delayMs)
{
    RetryConfig c;
    c.maxAttempts = maxAttempts;
    c.initialDelay = fromMs(delayMs);
    c.maxDelay = fromMs(delayMs);
    c.backoffMultiplier = 1.0;
    c.jitter = false;
    return c;
}

RetryConfig exponential(int maxAttempts, int initialDelayMs, int maxDelayMs)
{
    RetryConfig c;
    c.maxAttempts = maxAttempts;
    c.initialDelay = fromMs(initialDelayMs);
    c.maxDelay = fromMs(maxDelayMs);
    c.backoffMultiplier = 2.0;
    c.jitter = true;
    return c;
}

RetryConfig linear(int maxAttempts, int initialDelayMs, int incrementMs)
{
    RetryConfig c;
    c.maxAttempts = maxAttempts;
    c.initialDelay = fromMs(initialDelayMs);
    c.linearIncrement = fromMs(incrementMs);
    c.backoff = Backoff::Linear;
    c.backoffMultiplier = 1.0;
    c.maxDelay = fromMs(30000);
    c.jitter = false;
    return c;
}

RetryConfig apiRateLimit()
{
    RetryConfig c = exponential(3, 1000, 60000);
    c.retryableErrors = QStringList { QStringLiteral("RATE_LIMIT"), QStringLiteral("TOO_MANY_REQUESTS"), QStringLiteral("429") };
    c.respectRetryAfter = true;
    return c;
}

RetryConfig network()
{
    RetryConfig c;
    c.maxAttempts = 5;
    c.initialDelay = fromMs(500);
    c.maxDelay = fromMs(10000);
    c.backoffMultiplier = 1.5;
    c.jitter = true;
    c.retryableErrors = QStringList { QStringLiteral("NETWORK_ERROR"), QStringLiteral("TIMEOUT"), QStringLiteral("ECONNREFUSED"),
                                      QStringLiteral("ENOTFOUND"), QStringLiteral("ECONNRESET") };
    return c;
}

std::optional<RetryConfig> byName(QStringView name)
{
    if (name == u"none")
        return none();
    if (name == u"fixed")
        return fixed();
    if (name == u"exponential")
        return exponential();
    if (name == u"linear")
        return linear();
    if (name == u"apiRateLimit")
        return apiRateLimit();
    if (name == u"network")
        return network();
    return std::nullopt;
}

QStringList names()
{
    return { QStringLiteral("none"), QStringLiteral("fixed"), QStringLiteral("exponential"), QStringLiteral("linear"),
             QStringLiteral("apiRateLimit"), QStringLiteral("network") };
}

} // namespace RetryPolicies

namespace {

bool neverRetriedByDefault(ErrorCode code)
{
    return code == ErrorCode::CircuitOpen || code == ErrorCode::BulkheadQueueFull || code == ErrorCode::BulkheadQueueTimeout
            || code == ErrorCode::BulkheadQueueCleared || code == ErrorCode::Cancelled
            || code == ErrorCode::RetryBudgetExhausted || code == ErrorCode::RequestNotPermitted || code == ErrorCode::Throttled
            || code == ErrorCode::LimitExceeded;
}

bool matches(const QStringList &patterns, const Error &error)
{
    const QString code = error.code.toString();
    // The engine's own rejections are retried only when their code is listed: "TIMEOUT" in a
    // list must not match the message of a BULKHEAD_QUEUE_TIMEOUT.
    const bool byMessage = !error.message.isEmpty() && !neverRetriedByDefault(error.code);
    for (const QString &p : patterns) {
        if (p == code || (byMessage && error.message.contains(p, Qt::CaseInsensitive)))
            return true;
    }
    return false;
}

} // namespace

bool isRetryable(const RetryConfig &config, const Error &error)
{
    if (config.retryablePredicate)
        return config.retryablePredicate(error);
    if (config.retryableErrors)
        return matches(*config.retryableErrors, error);
    if (neverRetriedByDefault(error.code))
        return false;
    const ErrorCode c = error.code;
    // A rate limit is retried by its code too, whatever its message: a server's 429 and an
    // injected one are the same condition.
    if (c == ErrorCode::TimedOut || c == ErrorCode::ConnectionReset || c == ErrorCode::NotFound
        || c == ErrorCode::ConnectionRefused || c == ErrorCode::Timeout || c == ErrorCode::httpStatus(429)
        || c == ErrorCode::RateLimit || c == ErrorCode::TooManyRequests)
        return true;
    const QString &m = error.message;
    return m.contains(u"timeout", Qt::CaseInsensitive) || m.contains(u"rate limit", Qt::CaseInsensitive)
            || m.contains(u"temporarily", Qt::CaseInsensitive);
}

Duration retryDelay(const RetryConfig &config, int retry, double jitterDraw, const Error &error)
{
    if (config.respectRetryAfter && error.retryAfter)
        return std::min(*error.retryAfter, config.maxDelay);
    double ms;
    if (config.backoff == Backoff::Linear)
        ms = toMs(config.initialDelay) + toMs(config.linearIncrement) * (retry - 1);
    else
        ms = toMs(config.initialDelay) * std::pow(config.backoffMultiplier, retry - 1);
    ms = std::min(ms, toMs(config.maxDelay));
    if (config.jitter)
        ms *= 1.0 + 0.2 * jitterDraw;
    return fromMs(ms);
}

int RetryQuota::costOf(const Error &error) const
{
    const ErrorCode c = error.code;
    const bool timeout = c == ErrorCode::Timeout || c == ErrorCode::CircuitTimeout || c == ErrorCode::TimedOut;
    return timeout ? m_config.timeoutCost : m_config.retryCost;
}

RetryBudget::RetryBudget(RetryBudgetConfig config, const Clock &clock)
    : m_config(config)
    , m_clock(clock)
{
    m_newestSecond = std::chrono::floor<std::chrono::seconds>(m_clock.now()).count();
}

void RetryBudget::advance(std::int64_t second)
{
    if (second <= m_newestSecond)
        return;
    const std::int64_t steps = std::min<std::int64_t>(second - m_newestSecond, Buckets);
    for (std::int64_t s = 1; s <= steps; ++s) {
        const auto i = static_cast<std::size_t>((m_newestSecond + s) % Buckets);
        m_calls[i] = m_retries[i] = 0;
    }
    m_newestSecond = second;
}

void RetryBudget::recordCall()
{
    const std::int64_t second = std::chrono::floor<std::chrono::seconds>(m_clock.now()).count();
    std::lock_guard guard(m_lock);
    advance(second);
    ++m_calls[static_cast<std::size_t>(second % Buckets)];
}

bool RetryBudget::tryRetry()
{
    const std::int64_t second = std::chrono::floor<std::chrono::seconds>(m_clock.now()).count();
    std::lock_guard guard(m_lock);
    advance(second);
    std::int64_t calls = 0, retries = 0;
    for (int i = 0; i < Buckets; ++i) {
        calls += m_calls[i];
        retries += m_retries[i];
    }
    const double allowed = m_config.minPerSecond * Buckets + m_config.ratio * double(calls);
    if (double(retries) + 1 > allowed)
        return false;
    ++m_retries[static_cast<std::size_t>(second % Buckets)];
    return true;
}

void RetryBudget::setConfig(RetryBudgetConfig config)
{
    std::lock_guard guard(m_lock);
    m_config = config;
}

RetryBudgetConfig RetryBudget::config() const
{
    std::lock_guard guard(m_lock);
    return m_config;
}

} // namespace bw
