#include "policyfields.h"

#include "resilience/limits.h"

#include <cmath>
#include <type_traits>

namespace bw {

namespace {

// The loaders' limits, so that no edit sets what a policy file could not hold.
constexpr int MaxMs = int(Limits::MaxDurationMs);

constexpr auto InBreaker = &PolicyConfig::circuitBreaker;
constexpr auto InRetry = &PolicyConfig::retry;
constexpr auto InTimeout = &PolicyConfig::timeout;
constexpr auto InBulkhead = &PolicyConfig::bulkhead;
constexpr auto InFallback = &PolicyConfig::fallback;
constexpr auto InRateLimiter = &PolicyConfig::rateLimiter;
constexpr auto InHedging = &PolicyConfig::hedging;
constexpr auto InThrottle = &PolicyConfig::adaptiveThrottle;
constexpr auto InLimit = &PolicyConfig::concurrencyLimit;

template<auto Section> bool isOn(const PolicyConfig &p)
{
    return (p.*Section).has_value();
}

template<auto Section> void setOn(PolicyConfig &p, bool on)
{
    if (!on)
        (p.*Section).reset();
    else if (!(p.*Section))
        (p.*Section).emplace();
}

// The policy's settings for the stage, or the defaults when the stage is off.
template<auto Section> const auto &settings(const PolicyConfig &p)
{
    using Settings = typename std::remove_cvref_t<decltype(p.*Section)>::value_type;
    static const Settings defaults {};
    return p.*Section ? *(p.*Section) : defaults;
}

// Durations are shown in whole milliseconds, enums as their integer.
// Whether the concurrency limit's algorithm is A: its own settings apply.
template<LimitAlgorithm A> bool limitAlgorithmIs(const PolicyConfig &p)
{
    return settings<InLimit>(p).algorithm == A;
}

template<typename T> QVariant shown(const T &value)
{
    if constexpr (std::is_same_v<T, Duration>)
        return int(std::llround(toMs(value)));
    else if constexpr (std::is_enum_v<T>)
        return int(value);
    else
        return QVariant::fromValue(value);
}

template<typename T> T fromShown(const QVariant &value)
{
    if constexpr (std::is_same_v<T, Duration>)
        return fromMs(value.toInt());
    else if constexpr (std::is_enum_v<T>)
        return T(value.toInt());
    else
        return value.value<T>();
}

struct Access
{
    decltype(PolicyField::get) get;
    decltype(PolicyField::set) set;
};

// A setting of a stage, as is.
template<auto Section, auto Member> constexpr Access member()
{
    return { [](const PolicyConfig &p) { return shown(settings<Section>(p).*Member); },
        [](PolicyConfig &p, const QVariant &v, const PolicyConfig &) {
            using T = std::remove_cvref_t<decltype(settings<Section>(p).*Member)>;
            (*(p.*Section)).*Member = fromShown<T>(v);
        } };
}

// A rate (0–1) of a stage, shown in percent.
template<auto Section, auto Member> constexpr Access percent()
{
    return { [](const PolicyConfig &p) -> QVariant { return settings<Section>(p).*Member * 100; },
        [](PolicyConfig &p, const QVariant &v, const PolicyConfig &) {
            (*(p.*Section)).*Member = v.toDouble() / 100.0;
        } };
}

// A setting of the retry budget, written when the budget is on.
template<auto Member> constexpr Access budget()
{
    return { [](const PolicyConfig &p) -> QVariant {
                return settings<InRetry>(p).budget.value_or(RetryBudgetConfig {}).*Member;
            },
        [](PolicyConfig &p, const QVariant &v, const PolicyConfig &) {
            if (p.retry->budget)
                (*p.retry->budget).*Member = v.toDouble();
        } };
}

// A setting of the retry quota, written when the quota is on.
template<auto Member> constexpr Access quota()
{
    return { [](const PolicyConfig &p) -> QVariant {
                return settings<InRetry>(p).quota.value_or(RetryQuotaConfig {}).*Member;
            },
        [](PolicyConfig &p, const QVariant &v, const PolicyConfig &) {
            if (p.retry->quota)
                (*p.retry->quota).*Member = v.toInt();
        } };
}

// A retry sub-section (budget, quota) as a check box: on adds its defaults, off removes it.
template<auto Member> constexpr Access retryPart()
{
    return { [](const PolicyConfig &p) -> QVariant { return (settings<InRetry>(p).*Member).has_value(); },
        [](PolicyConfig &p, const QVariant &v, const PolicyConfig &) {
            if (!v.toBool())
                ((*p.retry).*Member).reset();
            else if (!((*p.retry).*Member))
                ((*p.retry).*Member).emplace();
        } };
}

bool linearBackoff(const PolicyConfig &p)
{
    return p.retry && p.retry->backoff == Backoff::Linear;
}

bool budgetOn(const PolicyConfig &p)
{
    return p.retry && p.retry->budget.has_value();
}

bool quotaOn(const PolicyConfig &p)
{
    return p.retry && p.retry->quota.has_value();
}

PolicyField field(PolicyField f, Access access, bool (*applies)(const PolicyConfig &) = nullptr)
{
    f.get = access.get;
    f.set = access.set;
    f.applies = applies;
    return f;
}

} // namespace

const QList<PolicySection> &policySections()
{
    static const QList<PolicySection> sections {
        { QStringLiteral("circuitBreaker"), QStringLiteral("Circuit breaker"),
            QStringLiteral("On: calls go through a circuit breaker that stops calling a failing backend"),
            isOn<InBreaker>, setOn<InBreaker> },
        { QStringLiteral("retry"), QStringLiteral("Retry"),
            QStringLiteral("On: failed calls whose error is retryable are tried again after a back-off"),
            isOn<InRetry>, setOn<InRetry> },
        { QStringLiteral("timeout"), QStringLiteral("Timeout"),
            QStringLiteral("On: each attempt is limited in time and ends with TIMEOUT when it expires"),
            isOn<InTimeout>, setOn<InTimeout> },
        { QStringLiteral("bulkhead"), QStringLiteral("Bulkhead"),
            QStringLiteral("On: caps the calls in flight, queueing the rest FIFO"), isOn<InBulkhead>,
            setOn<InBulkhead> },
        { QStringLiteral("rateLimiter"), QStringLiteral("Rate limiter"),
            QStringLiteral("On: at most a set number of calls start per period; the rest wait for a "
                           "permit or end rate_limited (Resilience4j's RateLimiter)"),
            isOn<InRateLimiter>, setOn<InRateLimiter> },
        { QStringLiteral("hedging"), QStringLiteral("Hedging"),
            QStringLiteral("On: when an attempt has not answered after a delay, another starts in parallel; "
                           "the first success wins and the others are cancelled (Polly's hedging)"),
            isOn<InHedging>, setOn<InHedging> },
        { QStringLiteral("adaptiveThrottle"), QStringLiteral("Adaptive throttle"),
            QStringLiteral("On: requests are rejected locally (throttled) with the probability "
                           "max(0, (requests − k·accepts) / (requests + 1)) over the window "
                           "(Google SRE book, \"Handling Overload\")"),
            isOn<InThrottle>, setOn<InThrottle> },
        { QStringLiteral("concurrencyLimit"), QStringLiteral("Concurrency limit"),
            QStringLiteral("On: a bulkhead whose limit follows the latency measured; a call over the limit "
                           "ends limit_exceeded (Netflix concurrency-limits)"),
            isOn<InLimit>, setOn<InLimit> },
        { QStringLiteral("fallback"), QStringLiteral("Fallback"),
            QStringLiteral(
                "On: a failed call ends with this value instead (outcome fallback, never success)"),
            isOn<InFallback>, setOn<InFallback> },
    };
    return sections;
}

const QList<PolicyField> &policyFields()
{
    using C = PolicyField::Control;
    using CB = CircuitBreakerConfig;
    using R = RetryConfig;
    const QString ms = QStringLiteral(" ms");
    static const QList<PolicyField> fields {
        // Circuit breaker.
        field({ .path = QStringLiteral("circuitBreaker.failureThreshold"),
                  .key = QStringLiteral("failureThreshold"),
                  .label = QStringLiteral("Failure threshold"),
                  .tip = QStringLiteral("Consecutive failures in CLOSED that open the breaker (0 = off)"),
                  .min = 0,
                  .max = 10000 },
            member<InBreaker, &CB::failureThreshold>()),
        field({ .path = QStringLiteral("circuitBreaker.failureRateThreshold"),
                  .key = QStringLiteral("failureRateThreshold"),
                  .label = QStringLiteral("Failure rate"),
                  .tip = QStringLiteral("Failure rate over the window that opens the breaker (0 = off)"),
                  .control = C::Decimal,
                  .min = 0,
                  .max = 100,
                  .decimals = 1,
                  .step = 5,
                  .suffix = QStringLiteral(" %") },
            percent<InBreaker, &CB::failureRateThreshold>()),
        field({ .path = QStringLiteral("circuitBreaker.volumeThreshold"),
                  .key = QStringLiteral("volumeThreshold"),
                  .label = QStringLiteral("Volume threshold"),
                  .tip = QStringLiteral("Calls the window must hold before any rate is judged"),
                  .min = 0,
                  .max = Limits::MaxCount },
            member<InBreaker, &CB::volumeThreshold>()),
        field({ .path = QStringLiteral("circuitBreaker.slowCallDurationThreshold"),
                  .key = QStringLiteral("slowCallDurationThreshold"),
                  .label = QStringLiteral("Slow call"),
                  .tip = QStringLiteral("A call longer than this counts as slow, success or failure"),
                  .min = 0,
                  .max = MaxMs,
                  .suffix = ms },
            member<InBreaker, &CB::slowCallDurationThreshold>()),
        field({ .path = QStringLiteral("circuitBreaker.slowCallRateThreshold"),
                  .key = QStringLiteral("slowCallRateThreshold"),
                  .label = QStringLiteral("Slow-call rate"),
                  .tip = QStringLiteral("Slow-call rate over the window that opens the breaker (0 = off)"),
                  .control = C::Decimal,
                  .min = 0,
                  .max = 100,
                  .decimals = 1,
                  .step = 5,
                  .suffix = QStringLiteral(" %") },
            percent<InBreaker, &CB::slowCallRateThreshold>()),
        field({ .path = QStringLiteral("circuitBreaker.successThreshold"),
                  .key = QStringLiteral("successThreshold"),
                  .label = QStringLiteral("Success threshold"),
                  .tip
                  = QStringLiteral("Consecutive successful trial calls in HALF_OPEN that close the breaker"),
                  .min = 1,
                  .max = 10000 },
            member<InBreaker, &CB::successThreshold>()),
        field(
            { .path = QStringLiteral("circuitBreaker.halfOpenMaxCalls"),
                .key = QStringLiteral("halfOpenMaxCalls"),
                .label = QStringLiteral("Half-open calls"),
                .tip = QStringLiteral("Trial calls allowed in flight in HALF_OPEN; others get CIRCUIT_OPEN"),
                .min = 0,
                .max = 10000,
                .emptyText = QStringLiteral("= success threshold") },
            member<InBreaker, &CB::halfOpenMaxCalls>()),
        field(
            { .path = QStringLiteral("circuitBreaker.timeout"),
                .key = QStringLiteral("breakerTimeout"),
                .label = QStringLiteral("Call timeout"),
                .tip = QStringLiteral(
                    "The breaker's own per-call limit; expiry is a failure with CIRCUIT_TIMEOUT (0 = none)"),
                .min = 0,
                .max = MaxMs,
                .suffix = ms,
                .emptyText = QStringLiteral("none") },
            member<InBreaker, &CB::timeout>()),
        field({ .path = QStringLiteral("circuitBreaker.resetTimeout"),
                  .key = QStringLiteral("resetTimeout"),
                  .label = QStringLiteral("Reset timeout"),
                  .tip = QStringLiteral("Time in OPEN before the automatic move to HALF_OPEN"),
                  .min = 0,
                  .max = MaxMs,
                  .suffix = ms },
            member<InBreaker, &CB::resetTimeout>()),
        field({ .path = QStringLiteral("circuitBreaker.resetTimeoutMultiplier"),
                  .key = QStringLiteral("resetTimeoutMultiplier"),
                  .label = QStringLiteral("Reset multiplier"),
                  .tip = QStringLiteral("Multiplies the open time on each repeated trip (1 = no back-off)"),
                  .control = C::Decimal,
                  .min = 1,
                  .max = 100,
                  .decimals = 2,
                  .step = 0.5,
                  .suffix = QStringLiteral(" ×") },
            member<InBreaker, &CB::resetTimeoutMultiplier>()),
        field({ .path = QStringLiteral("circuitBreaker.maxResetTimeout"),
                  .key = QStringLiteral("maxResetTimeout"),
                  .label = QStringLiteral("Max reset timeout"),
                  .tip
                  = QStringLiteral("The longest the backed-off open time may grow (0 = the reset timeout)"),
                  .min = 0,
                  .max = MaxMs,
                  .suffix = ms,
                  .emptyText = QStringLiteral("= reset timeout") },
            member<InBreaker, &CB::maxResetTimeout>()),
        // Before the window's size: its unit and limit follow the window's type.
        field({ .path = QStringLiteral("circuitBreaker.windowType"),
                  .key = QStringLiteral("windowType"),
                  .label = QStringLiteral("Window type"),
                  .tip = QStringLiteral(
                      "Sliding window kind: the last windowSize milliseconds, or the last windowSize calls"),
                  .control = C::Choice,
                  .choices = { { QStringLiteral("time"), int(WindowType::Time) },
                      { QStringLiteral("count"), int(WindowType::Count) } } },
            member<InBreaker, &CB::windowType>()),
        field({ .path = QStringLiteral("circuitBreaker.windowSize"),
                  .key = QStringLiteral("windowSize"),
                  .label = QStringLiteral("Window size"),
                  .tip = QStringLiteral("Length of the sliding window: milliseconds (time) or calls (count)"),
                  .min = 1,
                  .max = MaxMs,
                  .suffix = ms },
            member<InBreaker, &CB::windowSize>()),

        // Retry.
        field({ .path = QStringLiteral("retry.maxAttempts"),
                  .key = QStringLiteral("maxAttempts"),
                  .label = QStringLiteral("Max attempts"),
                  .tip = QStringLiteral("Attempts per call, the first one included"),
                  .min = 1,
                  .max = 100 },
            member<InRetry, &R::maxAttempts>()),
        field({ .path = QStringLiteral("retry.initialDelay"),
                  .key = QStringLiteral("initialDelay"),
                  .label = QStringLiteral("Initial delay"),
                  .tip = QStringLiteral("Wait before the first retry"),
                  .min = 0,
                  .max = MaxMs,
                  .suffix = ms },
            member<InRetry, &R::initialDelay>()),
        field({ .path = QStringLiteral("retry.maxDelay"),
                  .key = QStringLiteral("maxDelay"),
                  .label = QStringLiteral("Max delay"),
                  .tip = QStringLiteral("Cap on every wait, Retry-After included"),
                  .min = 0,
                  .max = MaxMs,
                  .suffix = ms },
            member<InRetry, &R::maxDelay>()),
        field({ .path = QStringLiteral("retry.backoff"),
                  .key = QStringLiteral("backoff"),
                  .label = QStringLiteral("Back-off"),
                  .tip = QStringLiteral(
                      "Exponential: the wait is multiplied by the multiplier per retry; linear: it "
                      "grows by the increment"),
                  .control = C::Choice,
                  .choices = { { QStringLiteral("exponential"), int(Backoff::Exponential) },
                      { QStringLiteral("linear"), int(Backoff::Linear) } } },
            member<InRetry, &R::backoff>()),
        field({ .path = QStringLiteral("retry.backoffMultiplier"),
                  .key = QStringLiteral("backoffMultiplier"),
                  .label = QStringLiteral("Multiplier"),
                  .tip = QStringLiteral("Exponential back-off: each wait is the previous one times this"),
                  .control = C::Decimal,
                  .min = 1,
                  .max = 100,
                  .decimals = 2,
                  .step = 0.5,
                  .suffix = QStringLiteral(" ×") },
            member<InRetry, &R::backoffMultiplier>(),
            [](const PolicyConfig &p) { return !linearBackoff(p); }),
        field({ .path = QStringLiteral("retry.linearIncrement"),
                  .key = QStringLiteral("linearIncrement"),
                  .label = QStringLiteral("Linear increment"),
                  .tip = QStringLiteral("Linear back-off: each wait is the previous one plus this"),
                  .min = 0,
                  .max = MaxMs,
                  .suffix = ms },
            member<InRetry, &R::linearIncrement>(), linearBackoff),
        field({ .path = QStringLiteral("retry.jitter"),
                  .key = QStringLiteral("jitter"),
                  .label = QStringLiteral("Jitter"),
                  .tip
                  = QStringLiteral("Adds a random 0–20 % to each wait so that clients do not retry in step"),
                  .control = C::Flag },
            member<InRetry, &R::jitter>()),
        field({ .path = QStringLiteral("retry.respectRetryAfter"),
                  .key = QStringLiteral("respectRetryAfter"),
                  .label = QStringLiteral("Respect Retry-After"),
                  .tip = QStringLiteral(
                      "An error's Retry-After replaces the computed wait, capped by the max delay"),
                  .control = C::Flag },
            member<InRetry, &R::respectRetryAfter>()),
        field({ .path = QStringLiteral("retry.timeout"),
                  .key = QStringLiteral("retryTimeout"),
                  .label = QStringLiteral("Attempt timeout"),
                  .tip = QStringLiteral("Time limit of each attempt (0 = none)"),
                  .min = 0,
                  .max = MaxMs,
                  .suffix = ms,
                  .emptyText = QStringLiteral("none") },
            member<InRetry, &R::timeout>()),
        field({ .path = QStringLiteral("retry.retryableErrors"),
                  .key = QStringLiteral("retryableErrors"),
                  .label = QStringLiteral("Retryable errors"),
                  .tip = QStringLiteral("Comma-separated error codes or message substrings that may be "
                                        "retried; empty: the defaults"),
                  .control = C::Text,
                  .emptyText = QStringLiteral("defaults (ETIMEDOUT, ECONNRESET, …)") },
            { [](const PolicyConfig &p) -> QVariant {
                 const auto &errors = settings<InRetry>(p).retryableErrors;
                 return errors ? errors->join(QStringLiteral(", ")) : QString();
             },
                [](PolicyConfig &p, const QVariant &v, const PolicyConfig &) {
                    QStringList errors;
                    for (const QString &e : v.toString().split(u',', Qt::SkipEmptyParts))
                        if (!e.trimmed().isEmpty())
                            errors.append(e.trimmed());
                    p.retry->retryableErrors
                        = errors.isEmpty() ? std::nullopt : std::optional<QStringList>(errors);
                } }),
        field(
            { .path = QStringLiteral("retry.budget"),
                .key = QStringLiteral("budget"),
                .label = QStringLiteral("Retry budget"),
                .tip = QStringLiteral("Caps retries over the last 10 s to minPerSecond × 10 + ratio × calls"),
                .control = C::Flag },
            retryPart<&R::budget>()),
        field({ .path = QStringLiteral("retry.budget.ratio"),
                  .key = QStringLiteral("budgetRatio"),
                  .label = QStringLiteral("Budget ratio"),
                  .tip = QStringLiteral("Retries allowed per call made, on top of the minimum"),
                  .control = C::Decimal,
                  .min = 0,
                  .max = 10,
                  .decimals = 2,
                  .step = 0.05 },
            budget<&RetryBudgetConfig::ratio>(), budgetOn),
        field({ .path = QStringLiteral("retry.budget.minPerSecond"),
                  .key = QStringLiteral("budgetMinPerSecond"),
                  .label = QStringLiteral("Budget minimum"),
                  .tip = QStringLiteral("Retries per second always allowed, whatever the traffic"),
                  .control = C::Decimal,
                  .min = 0,
                  .max = 100000,
                  .decimals = 1,
                  .step = 1,
                  .suffix = QStringLiteral(" /s") },
            budget<&RetryBudgetConfig::minPerSecond>(), budgetOn),
        field({ .path = QStringLiteral("retry.quota"),
                  .key = QStringLiteral("quota"),
                  .label = QStringLiteral("Retry quota"),
                  .tip = QStringLiteral("The AWS SDKs' retry quota: a token bucket per operation; each retry "
                                        "takes tokens, successes put some back; no tokens, no retry"),
                  .control = C::Flag },
            retryPart<&R::quota>()),
        field({ .path = QStringLiteral("retry.quota.capacity"),
                  .key = QStringLiteral("quotaCapacity"),
                  .label = QStringLiteral("Quota capacity"),
                  .tip = QStringLiteral("Tokens in the full bucket, as it starts (AWS: 500)"),
                  .min = 0,
                  .max = Limits::MaxCount,
                  .suffix = QStringLiteral(" tokens") },
            quota<&RetryQuotaConfig::capacity>(), quotaOn),
        field({ .path = QStringLiteral("retry.quota.retryCost"),
                  .key = QStringLiteral("quotaRetryCost"),
                  .label = QStringLiteral("Retry cost"),
                  .tip = QStringLiteral("Tokens a retry takes after an error (AWS: 5)"),
                  .min = 0,
                  .max = Limits::MaxCount,
                  .suffix = QStringLiteral(" tokens") },
            quota<&RetryQuotaConfig::retryCost>(), quotaOn),
        field({ .path = QStringLiteral("retry.quota.timeoutCost"),
                  .key = QStringLiteral("quotaTimeoutCost"),
                  .label = QStringLiteral("Timeout cost"),
                  .tip = QStringLiteral("Tokens a retry takes after a timeout (AWS: 10)"),
                  .min = 0,
                  .max = Limits::MaxCount,
                  .suffix = QStringLiteral(" tokens") },
            quota<&RetryQuotaConfig::timeoutCost>(), quotaOn),
        field({ .path = QStringLiteral("retry.quota.successRefill"),
                  .key = QStringLiteral("quotaSuccessRefill"),
                  .label = QStringLiteral("Success refill"),
                  .tip = QStringLiteral("Tokens a first attempt's success puts back (AWS: 1); a retry's "
                                        "success returns what it took"),
                  .min = 0,
                  .max = Limits::MaxCount,
                  .suffix = QStringLiteral(" tokens") },
            quota<&RetryQuotaConfig::successRefill>(), quotaOn),

        // Timeout.
        field({ .path = QStringLiteral("timeout.timeout"),
                  .key = QStringLiteral("timeoutMs"),
                  .label = QStringLiteral("Timeout"),
                  .tip = QStringLiteral(
                      "Time limit of each attempt; the operation is told to cancel when it expires"),
                  .min = 1,
                  .max = MaxMs,
                  .suffix = ms },
            member<InTimeout, &TimeoutConfig::timeout>()),

        // Bulkhead.
        field({ .path = QStringLiteral("bulkhead.maxConcurrent"),
                  .key = QStringLiteral("maxConcurrent"),
                  .label = QStringLiteral("Max concurrent"),
                  .tip = QStringLiteral("Calls allowed to run at once"),
                  .min = 1,
                  .max = Limits::MaxCount },
            member<InBulkhead, &BulkheadConfig::maxConcurrent>()),
        field({ .path = QStringLiteral("bulkhead.maxQueueSize"),
                  .key = QStringLiteral("maxQueueSize"),
                  .label = QStringLiteral("Max queue"),
                  .tip = QStringLiteral(
                      "Calls allowed to wait for a slot; more are rejected with BULKHEAD_QUEUE_FULL"),
                  .min = 0,
                  .max = Limits::MaxCount },
            member<InBulkhead, &BulkheadConfig::maxQueueSize>()),
        field({ .path = QStringLiteral("bulkhead.timeout"),
                  .key = QStringLiteral("queueTimeout"),
                  .label = QStringLiteral("Queue timeout"),
                  .tip = QStringLiteral(
                      "The longest a call waits in the queue before BULKHEAD_QUEUE_TIMEOUT (0 = no limit)"),
                  .min = 0,
                  .max = MaxMs,
                  .suffix = ms,
                  .emptyText = QStringLiteral("no limit") },
            member<InBulkhead, &BulkheadConfig::timeout>()),

        // Rate limiter.
        field({ .path = QStringLiteral("rateLimiter.limitForPeriod"),
                  .key = QStringLiteral("limitForPeriod"),
                  .label = QStringLiteral("Limit per period"),
                  .tip = QStringLiteral("Calls allowed to start per refresh period"),
                  .min = 1,
                  .max = Limits::MaxCount },
            member<InRateLimiter, &RateLimiterConfig::limitForPeriod>()),
        field({ .path = QStringLiteral("rateLimiter.refreshPeriodMs"),
                  .key = QStringLiteral("refreshPeriod"),
                  .label = QStringLiteral("Refresh period"),
                  .tip = QStringLiteral("Length of a period; each new one resets the permits to the limit"),
                  .min = 1,
                  .max = MaxMs,
                  .suffix = ms },
            member<InRateLimiter, &RateLimiterConfig::refreshPeriod>()),
        field({ .path = QStringLiteral("rateLimiter.timeoutMs"),
                  .key = QStringLiteral("permitTimeout"),
                  .label = QStringLiteral("Wait for permit"),
                  .tip = QStringLiteral("The longest a call waits for a permit of a later period before it "
                                        "ends rate_limited (0 = no wait)"),
                  .min = 0,
                  .max = MaxMs,
                  .suffix = ms,
                  .emptyText = QStringLiteral("no wait") },
            member<InRateLimiter, &RateLimiterConfig::timeout>()),

        // Hedging.
        field({ .path = QStringLiteral("hedging.maxHedgedAttempts"),
                  .key = QStringLiteral("maxHedgedAttempts"),
                  .label = QStringLiteral("Hedged attempts"),
                  .tip = QStringLiteral("The most attempts started beside the first one (1 to 10)"),
                  .min = 1,
                  .max = HedgingConfig::MaxHedgedAttempts },
            member<InHedging, &HedgingConfig::maxHedgedAttempts>()),
        field({ .path = QStringLiteral("hedging.delayMs"),
                  .key = QStringLiteral("hedgingDelay"),
                  .label = QStringLiteral("Delay"),
                  .tip = QStringLiteral("How long an attempt may go unanswered before the next starts; about the "
                                        "backend's p95 (0 = all at once)"),
                  .min = 0,
                  .max = MaxMs,
                  .suffix = ms,
                  .emptyText = QStringLiteral("all at once") },
            member<InHedging, &HedgingConfig::delay>()),
        // Adaptive throttle.
        field({ .path = QStringLiteral("adaptiveThrottle.k"),
                  .key = QStringLiteral("throttleK"),
                  .label = QStringLiteral("k (accepts ×)"),
                  .tip = QStringLiteral("The backend may receive up to k × the requests it accepts; lower is "
                                        "more aggressive (2 in the SRE book)"),
                  .control = C::Decimal,
                  .min = 1,
                  .max = 100,
                  .decimals = 2,
                  .step = 0.1,
                  .suffix = QStringLiteral(" ×") },
            member<InThrottle, &AdaptiveThrottleConfig::k>()),
        field({ .path = QStringLiteral("adaptiveThrottle.windowMs"),
                  .key = QStringLiteral("throttleWindow"),
                  .label = QStringLiteral("Window"),
                  .tip = QStringLiteral("How far back requests and accepts are counted (2 minutes in the SRE book)"),
                  .min = 1,
                  .max = MaxMs,
                  .suffix = ms },
            member<InThrottle, &AdaptiveThrottleConfig::window>()),

        // Adaptive concurrency limit (Netflix concurrency-limits' names). Switching the
        // algorithm keeps the values shown; each algorithm shows its own settings.
        field({ .path = QStringLiteral("concurrencyLimit.algorithm"),
                  .key = QStringLiteral("limitAlgorithm"),
                  .label = QStringLiteral("Algorithm"),
                  .tip = QStringLiteral("gradient2: the limit follows the long-term RTT over this one's; aimd: "
                                        "+1 per call, × backoffRatio on a drop; vegas: grows while no queue is "
                                        "measured (alpha and beta from log10 of the limit)"),
                  .control = C::Choice,
                  .choices = { { QStringLiteral("gradient2"), int(LimitAlgorithm::Gradient2) },
                      { QStringLiteral("aimd"), int(LimitAlgorithm::Aimd) },
                      { QStringLiteral("vegas"), int(LimitAlgorithm::Vegas) } } },
            member<InLimit, &ConcurrencyLimitConfig::algorithm>()),
        field({ .path = QStringLiteral("concurrencyLimit.initialLimit"),
                  .key = QStringLiteral("initialLimit"),
                  .label = QStringLiteral("Initial limit"),
                  .tip = QStringLiteral("Calls in flight allowed before any latency is measured (20)"),
                  .min = 1,
                  .max = 100000 },
            member<InLimit, &ConcurrencyLimitConfig::initialLimit>()),
        field({ .path = QStringLiteral("concurrencyLimit.minLimit"),
                  .key = QStringLiteral("minLimit"),
                  .label = QStringLiteral("Min limit"),
                  .tip = QStringLiteral("The limit never falls below this (20; vegas 1)"),
                  .min = 1,
                  .max = 100000 },
            member<InLimit, &ConcurrencyLimitConfig::minLimit>()),
        field({ .path = QStringLiteral("concurrencyLimit.maxLimit"),
                  .key = QStringLiteral("maxLimit"),
                  .label = QStringLiteral("Max limit"),
                  .tip = QStringLiteral("The limit never rises above this (200; vegas 1000)"),
                  .min = 1,
                  .max = 100000 },
            member<InLimit, &ConcurrencyLimitConfig::maxLimit>()),
        field({ .path = QStringLiteral("concurrencyLimit.smoothing"),
                  .key = QStringLiteral("limitSmoothing"),
                  .label = QStringLiteral("Smoothing"),
                  .tip = QStringLiteral("How much of each new estimate the limit takes (gradient2 0.2, vegas 1)"),
                  .control = C::Decimal,
                  .min = 0.001,
                  .max = 1,
                  .decimals = 3,
                  .step = 0.05 },
            member<InLimit, &ConcurrencyLimitConfig::smoothing>(),
            [](const PolicyConfig &p) { return !limitAlgorithmIs<LimitAlgorithm::Aimd>(p); }),
        field({ .path = QStringLiteral("concurrencyLimit.rttTolerance"),
                  .key = QStringLiteral("rttTolerance"),
                  .label = QStringLiteral("RTT tolerance"),
                  .tip = QStringLiteral("gradient2: how much slower than the long-term RTT a call may be before the "
                                        "limit shrinks (1.5)"),
                  .control = C::Decimal,
                  .min = 1,
                  .max = 100,
                  .decimals = 2,
                  .step = 0.1,
                  .suffix = QStringLiteral(" ×") },
            member<InLimit, &ConcurrencyLimitConfig::rttTolerance>(),
            limitAlgorithmIs<LimitAlgorithm::Gradient2>),
        field({ .path = QStringLiteral("concurrencyLimit.longWindow"),
                  .key = QStringLiteral("longWindow"),
                  .label = QStringLiteral("Long window"),
                  .tip = QStringLiteral("gradient2: samples in the long-term RTT's average (600)"),
                  .min = 1,
                  .max = 100000,
                  .suffix = QStringLiteral(" samples") },
            member<InLimit, &ConcurrencyLimitConfig::longWindow>(),
            limitAlgorithmIs<LimitAlgorithm::Gradient2>),
        field({ .path = QStringLiteral("concurrencyLimit.queueSize"),
                  .key = QStringLiteral("limitQueueSize"),
                  .label = QStringLiteral("Queue size"),
                  .tip = QStringLiteral("gradient2: calls added to the limit each update, so that it can grow (4)"),
                  .min = 0,
                  .max = 100000 },
            member<InLimit, &ConcurrencyLimitConfig::queueSize>(),
            limitAlgorithmIs<LimitAlgorithm::Gradient2>),
        field({ .path = QStringLiteral("concurrencyLimit.backoffRatio"),
                  .key = QStringLiteral("backoffRatio"),
                  .label = QStringLiteral("Back-off ratio"),
                  .tip = QStringLiteral("aimd: the limit is multiplied by this on a drop (0.9)"),
                  .control = C::Decimal,
                  .min = 0.5,
                  .max = 0.999,
                  .decimals = 3,
                  .step = 0.05,
                  .suffix = QStringLiteral(" ×") },
            member<InLimit, &ConcurrencyLimitConfig::backoffRatio>(),
            limitAlgorithmIs<LimitAlgorithm::Aimd>),
        field({ .path = QStringLiteral("concurrencyLimit.timeoutMs"),
                  .key = QStringLiteral("limitTimeout"),
                  .label = QStringLiteral("Drop after"),
                  .tip = QStringLiteral("aimd: a call slower than this counts as a drop (5000 ms)"),
                  .min = 1,
                  .max = MaxMs,
                  .suffix = ms },
            member<InLimit, &ConcurrencyLimitConfig::timeout>(),
            limitAlgorithmIs<LimitAlgorithm::Aimd>),
        field({ .path = QStringLiteral("concurrencyLimit.probeMultiplier"),
                  .key = QStringLiteral("probeMultiplier"),
                  .label = QStringLiteral("Probe every"),
                  .tip = QStringLiteral("vegas: the no-load RTT is measured again every this × limit samples, "
                                        "jittered (30)"),
                  .min = 1,
                  .max = 100000,
                  .suffix = QStringLiteral(" × limit") },
            member<InLimit, &ConcurrencyLimitConfig::probeMultiplier>(),
            limitAlgorithmIs<LimitAlgorithm::Vegas>),

        // Fallback.
        field({ .path = QStringLiteral("fallback.value"),
                  .key = QStringLiteral("fallbackValue"),
                  .label = QStringLiteral("Value"),
                  .tip = QStringLiteral("The value a failed call returns"),
                  .control = C::Text },
            { [](const PolicyConfig &p) -> QVariant {
                 return p.fallback ? p.fallback->value.toString() : QString();
             },
                [](PolicyConfig &p, const QVariant &v, const PolicyConfig &held) {
                    // An unchanged text keeps the value's type (a number stays a number).
                    if (!held.fallback || held.fallback->value.toString() != v.toString())
                        p.fallback->value = v.toString();
                } }),
    };
    return fields;
}

} // namespace bw
