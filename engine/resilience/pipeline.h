#pragma once

#include "../runtime/random.h"
#include "../runtime/scheduler.h"
#include "bulkhead.h"
#include "circuitbreaker.h"
#include "operation.h"
#include "policy.h"

#include <array>
#include <deque>
#include <memory>
#include <optional>
#include <vector>

namespace bw {

struct CallReport
{
    const QString &pipeline;
    std::uint64_t tag;
    Outcome outcome;
    int attempts;
    Duration latency;
    const Error *error; // null on success
    TimePoint at;
    // The breaker state that first admitted the call (when a retry outside the breaker is
    // refused later, still the admitting state), or that refused it when no attempt was
    // admitted (OPEN, FORCED_OPEN, a full HALF_OPEN); empty when no attempt reached a breaker.
    std::optional<CircuitState> circuitState;
    // Still in flight when the run ended (cancelAll): outcome `cancelled`, but its latency is
    // only how long it had been running, so no latency figure counts it (docs/semantics.md).
    bool cutOff = false;
};

struct RetryReport
{
    const QString &pipeline;
    std::uint64_t tag;
    int retry;          // 1 for the first retry
    Duration delay;
    const Error &error; // what the failed attempt returned
    TimePoint at;
};

// What a pipeline tells about its calls: once per call, per retry and per fallback, never
// a Qt signal. Runs on the pipeline's thread; keep it cheap.
class PipelineObserver
{
public:
    virtual ~PipelineObserver() = default;
    virtual void onCallFinished(const CallReport &) { }
    virtual void onRetry(const RetryReport &) { }
    // The retry stage gave up (exhausted) or succeeded after at least one retry.
    virtual void onRetryFinished(const QString &pipeline, std::uint64_t tag, bool succeeded, int attempts, TimePoint at)
    {
        Q_UNUSED(pipeline); Q_UNUSED(tag); Q_UNUSED(succeeded); Q_UNUSED(attempts); Q_UNUSED(at);
    }
    virtual void onFallback(const QString &pipeline, std::uint64_t tag, const Error &error, TimePoint at)
    {
        Q_UNUSED(pipeline); Q_UNUSED(tag); Q_UNUSED(error); Q_UNUSED(at);
    }
    virtual void onTimeout(const QString &pipeline, std::uint64_t tag, StageKind stage, Duration elapsed, TimePoint at)
    {
        Q_UNUSED(pipeline); Q_UNUSED(tag); Q_UNUSED(stage); Q_UNUSED(elapsed); Q_UNUSED(at);
    }
    // The hedging stage started hedged attempt `hedge` (1 for the first) in parallel.
    virtual void onHedge(const QString &pipeline, std::uint64_t tag, int hedge, TimePoint at)
    {
        Q_UNUSED(pipeline); Q_UNUSED(tag); Q_UNUSED(hedge); Q_UNUSED(at);
    }
};

// Identifies a call in flight for cancel(); 0 is none.
using CallId = std::uint64_t;

// A policy's stages around operations, in the policy's order (docs/semantics.md, "Pipeline order").
// Every call offered ends exactly once, through its callback.
//
// Threads: a pipeline is confined to the thread that runs its scheduler; execute(), cancel()
// and the policy setters are called there, and operations complete there. The breaker and the
// bulkhead it uses are thread-safe and may be shared with pipelines on other threads.
//
// Cost: per call state comes from a pool that grows to the peak number of calls in flight, so
// steady state allocates nothing; a call with a breaker and a timeout sets two timers.
class Pipeline final : private CompletionTarget
{
public:
    // Uses the given breaker and bulkhead (shared, for example from a registry) when the policy
    // has those sections; creates its own when they are null.
    Pipeline(PolicyConfig policy, Scheduler &scheduler, std::uint64_t seed = 0,
             std::shared_ptr<CircuitBreaker> breaker = {}, std::shared_ptr<Bulkhead> bulkhead = {});
    ~Pipeline();
    Pipeline(const Pipeline &) = delete;
    Pipeline &operator=(const Pipeline &) = delete;

    const QString &name() const { return m_name; }
    Scheduler &scheduler() const { return m_scheduler; }

    // Offers a call. `done` runs exactly once: synchronously if the call ends at once (an open
    // breaker, a full bulkhead, an operation that completes inside start()), else later.
    CallId execute(Operation &operation, CallCallback done, std::uint64_t tag = 0);
    // Ends a call in flight with CANCELLED, cancelling its operation; false if it had ended.
    bool cancel(CallId id);
    // Cancels every call in flight because the run ends: reported as cut off (CallReport::cutOff).
    // Returns how many.
    int cancelAll();

    // Applies a new policy at once to calls offered from now on, and to later stages of calls
    // in flight (their order is kept). The breaker and bulkhead keep their state: updateConfig
    // and resize. Sections turned on create their primitive; sections turned off drop it.
    void setPolicy(const PolicyConfig &policy);
    const PolicyConfig &policy() const { return m_policy; }

    void setObserver(PipelineObserver *observer) { m_observer = observer; }

    CircuitBreaker *circuitBreaker() const { return m_breaker.get(); }
    Bulkhead *bulkhead() const { return m_bulkhead.get(); }
    RetryBudget *retryBudget() const { return m_budget.get(); }
    // The retry quota's bucket and the rate limiter, when the policy has them; read them on the
    // pipeline's thread.
    const RetryQuota *retryQuota() const { return m_quota ? &*m_quota : nullptr; }
    RateLimiter *rateLimiter() { return m_rateLimiter ? &*m_rateLimiter : nullptr; }
    AdaptiveThrottle *adaptiveThrottle() { return m_throttle ? &*m_throttle : nullptr; }
    const ConcurrencyLimit *concurrencyLimit() const { return m_limit ? &*m_limit : nullptr; }
    // Calls holding a permit of the adaptive concurrency limit (those admitted before a live
    // change turned it off included, until they end).
    int limitInFlight() const { return m_limitInFlight; }
    std::shared_ptr<CircuitBreaker> sharedCircuitBreaker() const { return m_breaker; }
    std::shared_ptr<Bulkhead> sharedBulkhead() const { return m_bulkhead; }

    int callsInFlight() const { return m_inFlight; }

private:
    struct Call;
    struct Layout
    {
        std::vector<StageKind> stages; // outermost first, only stages that are on
        int levelOf[StageKindCount];   // -1 when off
    };

    void complete(std::uint64_t attemptId, Result &&result) override;

    Call &allocateCall();
    void releaseCall(Call &call);
    // The call whose attempt this is, and which of its parallel attempts (-1: the first, else
    // the hedge's index).
    Call *callForAttempt(std::uint64_t attemptId, int *hedge);

    // Time is read once per event (a call offered, an operation completing, a timer) and
    // handed down: on the wall clock each read costs as much as a whole stage.
    void enter(Call &call, int level, TimePoint now);
    void startOperation(Call &call, TimePoint now);
    void returnTo(Call &call, int level, Result &&result, TimePoint now);
    void onInnerDone(Call &call, int level, Result &&result, TimePoint now);
    void onTimer(Call &call, int level);
    void onRetryDelayElapsed(Call &call, int level);
    void onPermitReserved(Call &call, int level);
    void armHedgeTimer(Call &call, TimePoint now);
    void startHedge(Call &call, TimePoint now);
    // Whether an attempt's result ends its hedged group: a success (the others are cancelled),
    // or the last failure. A failure with hedges left starts one at once.
    bool hedgedGroupDone(Call &call, const Result &result, TimePoint now);
    // Cancels every attempt still running and the hedge delay.
    void cancelAttempts(Call &call);
    // Ends the stages inside `level`. `expired` is the time limit that ended them, which the
    // breaker records; null when the caller gave up, which records nothing.
    void abortBelow(Call &call, int level, TimePoint now, const Error *expired);
    void settleBreaker(Call &call, const Error *error, TimePoint now);
    void fallBack(Call &call, int level, Result &&failed, QVariant value, TimePoint now);
    void finish(Call &call, Result &&result, TimePoint now, bool cutOff = false);
    bool cancel(Call &call, bool cutOff);
    void pauseBreakerClock(Call &call, TimePoint now);
    void resumeBreakerClock(Call &call, TimePoint now);
    // The call hands back its concurrency-limit permit; a sample unless `ignored` (docs/semantics.md).
    void releaseLimit(Call &call, const Error *error, bool ignored, TimePoint now);
    void admitFromBulkhead(Call &call);
    void rejectFromBulkhead(Call &call, ErrorCode code);
    TimerId armTimer(Call &call, int level, Duration limit, TimePoint now, TimePoint *dueOut);

    QString m_name;
    Scheduler &m_scheduler;
    PolicyConfig m_policy;
    std::shared_ptr<CircuitBreaker> m_breaker;
    std::shared_ptr<Bulkhead> m_bulkhead;
    // Primitives a policy change turned off, kept because calls in flight may still use them.
    std::vector<std::shared_ptr<void>> m_retired;
    std::unique_ptr<RetryBudget> m_budget;
    // Confined to the pipeline's thread like the calls, so they need no lock.
    std::optional<RetryQuota> m_quota;
    std::optional<RateLimiter> m_rateLimiter;
    std::optional<AdaptiveThrottle> m_throttle;
    std::optional<ConcurrencyLimit> m_limit;
    int m_limitInFlight = 0;
    // Layouts are immutable and kept for the pipeline's life, so calls in flight keep theirs.
    std::vector<std::unique_ptr<Layout>> m_layouts;
    const Layout *m_layout = nullptr;
    PipelineObserver *m_observer = nullptr;
    Random m_random;

    std::deque<Call> m_calls; // stable addresses
    // The hedged attempts of m_calls[i], beside it rather than in it: a Call stays a few cache
    // lines, and a pipeline without hedging never allocates these.
    std::vector<std::array<Attempt, HedgingConfig::MaxHedgedAttempts>> m_hedges;
    std::vector<std::uint32_t> m_freeCalls;
    std::uint64_t m_sequence = 0;
    int m_inFlight = 0;
};

} // namespace bw
