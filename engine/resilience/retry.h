#pragma once

#include "../runtime/scheduler.h"
#include "../runtime/spinlock.h"
#include "outcome.h"

#include <QStringList>

#include <algorithm>

#include <functional>
#include <optional>

namespace bw {

enum class Backoff : std::uint8_t { Exponential, Linear };

// A retry budget caps retries to a share of recent calls (Finagle's and Envoy's idea): over the
// last 10 s, retries may not exceed minPerSecond × 10 + ratio × calls.
struct RetryBudgetConfig
{
    double ratio = 0.2;
    double minPerSecond = 10;
    friend bool operator==(const RetryBudgetConfig &, const RetryBudgetConfig &) = default;
};

// The AWS SDKs' retry quota ("standard" retry mode): a token bucket shared by one operation's
// calls. A retry takes retryCost tokens (timeoutCost after a timeout); a first attempt that
// succeeds returns successRefill; a retry that succeeds returns what it took. No tokens, no retry.
struct RetryQuotaConfig
{
    int capacity = 500;
    int retryCost = 5;
    int timeoutCost = 10;
    int successRefill = 1;
    friend bool operator==(const RetryQuotaConfig &, const RetryQuotaConfig &) = default;
};

// The quota's bucket. Not thread-safe and lock-free: a pipeline owns it and uses it on its own
// thread. Each call costs a comparison and an addition, no allocation, no clock read.
class RetryQuota
{
public:
    explicit RetryQuota(RetryQuotaConfig config) : m_config(config), m_tokens(config.capacity) { }

    // Takes the cost of a retry after `error` if the bucket holds it, and returns what it took;
    // nullopt: no retry.
    std::optional<int> tryTake(const Error &error)
    {
        const int cost = costOf(error);
        if (m_tokens < cost)
            return std::nullopt;
        m_tokens -= cost;
        return cost;
    }
    // Puts `tokens` back, up to the capacity.
    void give(int tokens) { m_tokens = std::min(m_config.capacity, m_tokens + tokens); }
    // A first attempt succeeded.
    void onFirstAttemptSuccess() { give(m_config.successRefill); }

    int tokens() const { return m_tokens; }
    const RetryQuotaConfig &config() const { return m_config; }
    // A live change keeps the tokens, up to the new capacity.
    void setConfig(RetryQuotaConfig config)
    {
        m_config = config;
        m_tokens = std::min(m_tokens, config.capacity);
    }
    // TIMEOUT, CIRCUIT_TIMEOUT and a backend's ETIMEDOUT cost timeoutCost.
    int costOf(const Error &error) const;

private:
    RetryQuotaConfig m_config;
    int m_tokens;
};

// The guide's retry config (docs/semantics.md, "Retry"). maxAttempts counts the first call.
struct RetryConfig
{
    int maxAttempts = 3;
    Duration initialDelay = fromMs(1000);
    Duration maxDelay = fromMs(30000);
    double backoffMultiplier = 2.0;
    Backoff backoff = Backoff::Exponential;
    Duration linearIncrement {}; // Linear: the delay grows by this much per retry
    bool jitter = true;          // adds 0–20 % to each delay
    // Codes or message substrings that may be retried; nullopt: the defaults of docs/semantics.md.
    std::optional<QStringList> retryableErrors;
    // When set, decides alone whether an error may be retried.
    std::function<bool(const Error &)> retryablePredicate;
    std::function<void(int attempt, const Error &error, Duration delay)> onRetry;
    Duration timeout {}; // per attempt; 0: none
    bool respectRetryAfter = false;
    std::optional<RetryBudgetConfig> budget;
    std::optional<RetryQuotaConfig> quota;
};

// The guide's RetryPolicies presets, with its exact values.
namespace RetryPolicies {
RetryConfig none();
RetryConfig fixed(int maxAttempts = 3, int delayMs = 1000);
RetryConfig exponential(int maxAttempts = 5, int initialDelayMs = 100, int maxDelayMs = 30000);
RetryConfig linear(int maxAttempts = 4, int initialDelayMs = 500, int incrementMs = 500);
RetryConfig apiRateLimit();
RetryConfig network();
// "fixed", "exponential", "linear", "apiRateLimit", "network", "none"; nullopt otherwise.
std::optional<RetryConfig> byName(QStringView name);
QStringList names();
} // namespace RetryPolicies

// Whether an error may be retried under this config. CIRCUIT_OPEN, bulkhead rejections and
// cancellation are never retried unless listed explicitly.
bool isRetryable(const RetryConfig &config, const Error &error);

// The wait before retry number `retry` (1 = the first retry): min(initial × multiplier^(retry−1),
// maxDelay) for exponential, min(initial + increment × (retry−1), maxDelay) for linear, then
// jitter × (1 + 0.2 × jitterDraw) with jitterDraw in [0, 1). A respected Retry-After replaces
// the computed wait, capped by maxDelay.
Duration retryDelay(const RetryConfig &config, int retry, double jitterDraw, const Error &error);

// Thread-safe. Ten one-second buckets of calls and retries on the injected clock.
class RetryBudget
{
public:
    RetryBudget(RetryBudgetConfig config, const Clock &clock);
    void recordCall();
    // Takes one retry from the budget if there is one.
    bool tryRetry();
    void setConfig(RetryBudgetConfig config);
    RetryBudgetConfig config() const;

    static constexpr int Buckets = 10;

private:
    void advance(std::int64_t second);
    mutable SpinLock m_lock;
    RetryBudgetConfig m_config;
    const Clock &m_clock;
    std::int64_t m_calls[Buckets] {}, m_retries[Buckets] {};
    std::int64_t m_newestSecond = 0;
};

} // namespace bw
