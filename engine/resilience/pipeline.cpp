#include "pipeline.h"

#include <algorithm>
#include <array>
#include <bit>

namespace bw {

namespace {

constexpr std::uint64_t AttemptSequenceBits = 40;
constexpr std::uint64_t AttemptSequenceMask = (std::uint64_t(1) << AttemptSequenceBits) - 1;

// Attempt ids are unique across pipelines, because one Operation (an HTTP client, a simulated
// service) serves many pipelines and tells their attempts apart by id. They need to be unique
// only per thread: a pipeline and the operations it calls are confined to its scheduler's thread.
// A counter shared by all threads would be written by every attempt of every parallel sweep run,
// its cache line going back and forth between the cores.
thread_local std::uint64_t t_attemptSequence = 0;

// A new attempt's id: its call's slot (the high bits find the call again) and the sequence.
std::uint64_t nextAttemptId(std::uint32_t callIndex)
{
    return (std::uint64_t(callIndex) << AttemptSequenceBits) | (++t_attemptSequence & AttemptSequenceMask);
}

// Most calls have a limit or two that was never armed (a limit inside a shorter one is spared,
// see armTimer): those cost no call to the scheduler.
void cancelTimer(Scheduler &scheduler, TimerId &timer)
{
    if (timer != 0)
        scheduler.cancel(std::exchange(timer, 0));
}

Result limitExpired(ErrorCode code, Stage stage, Duration elapsed)
{
    Error e;
    e.code = code;
    e.message = code == ErrorCode::CircuitTimeout ? QStringLiteral("Circuit breaker call timeout")
                                                  : QStringLiteral("Operation timed out");
    e.stage = stage;
    e.elapsed = elapsed;
    return Result::failure(std::move(e));
}

} // namespace

// Everything one call needs, pooled. Each stage kind appears at most once in a pipeline, so
// each has its own fields here.
struct Pipeline::Call final : BulkheadWaiter
{
    Pipeline *pipeline = nullptr;
    std::uint32_t index = 0;
    std::uint32_t generation = 0;
    bool inUse = false;

    const Layout *layout = nullptr;
    CircuitBreaker *breaker = nullptr;
    Bulkhead *bulkhead = nullptr;
    Operation *operation = nullptr;
    CallCallback done;
    std::uint64_t tag = 0;
    TimePoint startedAt {};
    int attempts = 0; // operation starts

    // operation
    Attempt attempt;
    bool operationRunning = false;
    // retry
    int retries = 0;
    TimerId retryDelayTimer = 0;
    TimerId retryLimitTimer = 0;
    TimePoint retryLimitStart {}, retryLimitDue = TimePoint::max();
    // circuit breaker
    CircuitPermit permit;
    // The state that first admitted the call (a later attempt may be refused), or that refused
    // it when no attempt was admitted; reported when the call ends.
    CircuitState admittingState = CircuitState::Closed;
    bool reachedBreaker = false, admittedByBreaker = false;
    bool holdsPermit = false;
    TimerId breakerTimer = 0;
    bool breakerTimerPaused = false; // the call waits in a bulkhead queue inside the breaker
    TimePoint breakerStart {}, breakerDue = TimePoint::max();
    // bulkhead
    std::uint64_t waitId = 0;
    bool waitingInBulkhead = false;
    bool holdsBulkhead = false;
    // A time limit ended its wait in a bulkhead queue or for a rate limiter's permit: the
    // backend never saw it.
    bool leftQueueUnserved = false;
    TimePoint bulkheadEnteredAt {};
    TimePoint localWaitFrom {}; // when it began to wait in a bulkhead queue or for a permit
    // adaptive concurrency limit: held from its permit to the answer, the sample's RTT
    bool holdsLimit = false;
    int limitInFlight = 0; // calls holding a permit, this one included, when it got it
    TimePoint limitFrom {};
    // rate limiter
    TimerId permitTimer = 0; // set while the call waits for its reserved permit
    // retry quota: the tokens the last retry took, returned if it succeeds
    int lastRetryCost = 0;
    // hedging: which of the hedged attempts still run (a bit each)
    std::uint32_t hedgesRunning = 0;
    int hedgesStarted = 0;
    TimerId hedgeTimer = 0;
    // timeout
    TimerId timeoutTimer = 0;
    TimePoint timeoutStart {}, timeoutDue = TimePoint::max();

    // Bulkhead callbacks may come from another thread's exit(): hop to the pipeline's thread.
    void admitted() override
    {
        Pipeline *p = pipeline;
        Bulkhead *b = bulkhead;
        const std::uint64_t id = waitId;
        p->m_scheduler.schedule(Duration::zero(), [p, b, c = this, id] {
            if (c->inUse && c->waitId == id && c->waitingInBulkhead)
                p->admitFromBulkhead(*c);
            else
                b->exit(Duration::zero(), false); // the call gave up meanwhile: hand the slot back
        });
    }
    void rejected(ErrorCode code) override
    {
        Pipeline *p = pipeline;
        const std::uint64_t id = waitId;
        p->m_scheduler.schedule(Duration::zero(), [p, c = this, id, code] {
            if (c->inUse && c->waitId == id && c->waitingInBulkhead)
                p->rejectFromBulkhead(*c, code);
        });
    }
};

Pipeline::Pipeline(PolicyConfig policy, Scheduler &scheduler, std::uint64_t seed,
                   std::shared_ptr<CircuitBreaker> breaker, std::shared_ptr<Bulkhead> bulkhead)
    : m_name(policy.name)
    , m_scheduler(scheduler)
    , m_breaker(std::move(breaker))
    , m_bulkhead(std::move(bulkhead))
    , m_random(seed)
{
    setPolicy(policy);
}

Pipeline::~Pipeline()
{
    // Calls still in flight are abandoned: their timers go, their slots and permits are returned.
    const TimePoint now = m_scheduler.now();
    for (Call &call : m_calls) {
        if (call.inUse)
            abortBelow(call, -1, now, nullptr);
    }
}

void Pipeline::setPolicy(const PolicyConfig &policy)
{
    m_policy = policy;
    if (m_name.isEmpty())
        m_name = policy.name;

    if (policy.circuitBreaker) {
        if (!m_breaker)
            m_breaker = std::make_shared<CircuitBreaker>(m_name, *policy.circuitBreaker, m_scheduler);
        else if (!(m_breaker->config() == *policy.circuitBreaker))
            m_breaker->updateConfig(*policy.circuitBreaker);
    } else if (m_breaker) {
        m_retired.push_back(std::exchange(m_breaker, nullptr)); // calls in flight may still hold it
    }

    if (policy.bulkhead) {
        if (!m_bulkhead) {
            m_bulkhead = std::make_shared<Bulkhead>(m_name, *policy.bulkhead, m_scheduler);
        } else {
            const BulkheadConfig current = m_bulkhead->config();
            if (current.timeout != policy.bulkhead->timeout)
                m_bulkhead->setQueueTimeout(policy.bulkhead->timeout);
            if (current.maxConcurrent != policy.bulkhead->maxConcurrent || current.maxQueueSize != policy.bulkhead->maxQueueSize)
                m_bulkhead->resize(policy.bulkhead->maxConcurrent, policy.bulkhead->maxQueueSize);
        }
    } else if (m_bulkhead) {
        m_retired.push_back(std::exchange(m_bulkhead, nullptr));
    }

    if (policy.retry && policy.retry->quota) {
        if (m_quota)
            m_quota->setConfig(*policy.retry->quota);
        else
            m_quota.emplace(*policy.retry->quota);
    } else {
        m_quota.reset(); // a call keeps only the cost its last retry took, not the bucket
    }

    if (policy.rateLimiter) {
        if (m_rateLimiter)
            m_rateLimiter->setConfig(*policy.rateLimiter, m_scheduler.now());
        else
            m_rateLimiter.emplace(*policy.rateLimiter, m_scheduler.now());
    } else {
        m_rateLimiter.reset(); // a waiting call holds only its timer, not the limiter
    }

    if (policy.adaptiveThrottle) {
        if (m_throttle)
            m_throttle->setConfig(*policy.adaptiveThrottle, m_scheduler.now());
        else
            m_throttle.emplace(*policy.adaptiveThrottle, m_scheduler.now());
    } else {
        m_throttle.reset(); // a call in flight keeps nothing of it: its answer is then not counted
    }

    if (policy.concurrencyLimit) {
        if (m_limit)
            m_limit->setConfig(*policy.concurrencyLimit);
        else
            m_limit.emplace(*policy.concurrencyLimit);
    } else {
        m_limit.reset(); // calls holding a permit still count in m_limitInFlight until they end
    }

    if (policy.retry && policy.retry->budget) {
        if (m_budget)
            m_budget->setConfig(*policy.retry->budget);
        else
            m_budget = std::make_unique<RetryBudget>(*policy.retry->budget, m_scheduler);
    } else {
        m_budget.reset(); // read only when a call reaches the retry stage, never kept by a call
    }

    Layout layout;
    std::fill(std::begin(layout.levelOf), std::end(layout.levelOf), -1);
    for (StageKind kind : policy.order) {
        if (!policy.has(kind) || layout.levelOf[int(kind)] >= 0)
            continue;
        layout.levelOf[int(kind)] = int(layout.stages.size());
        layout.stages.push_back(kind);
    }
    // An equal layout is reused, so that policies applied again and again (a manager given
    // two policies in turn) do not grow the list.
    const auto same = std::find_if(m_layouts.begin(), m_layouts.end(),
                                   [&](const auto &kept) { return kept->stages == layout.stages; });
    if (same != m_layouts.end()) {
        m_layout = same->get();
    } else {
        m_layouts.push_back(std::make_unique<Layout>(std::move(layout)));
        m_layout = m_layouts.back().get();
    }
}

Pipeline::Call &Pipeline::allocateCall()
{
    Call *call;
    if (!m_freeCalls.empty()) {
        call = &m_calls[m_freeCalls.back()];
        m_freeCalls.pop_back();
    } else {
        call = &m_calls.emplace_back();
        call->pipeline = this;
        call->index = static_cast<std::uint32_t>(m_calls.size() - 1);
    }
    call->inUse = true;
    ++call->generation;
    ++m_inFlight;
    return *call;
}

void Pipeline::releaseCall(Call &call)
{
    call.inUse = false;
    call.operation = nullptr;
    call.waitId = 0;
    --m_inFlight;
    m_freeCalls.push_back(call.index);
}

CallId Pipeline::execute(Operation &operation, CallCallback done, std::uint64_t tag)
{
    Call &call = allocateCall();
    call.layout = m_layout;
    call.breaker = m_breaker.get();
    call.bulkhead = m_bulkhead.get();
    call.operation = &operation;
    call.done = std::move(done);
    call.tag = tag;
    call.bulkheadTag = tag;
    const TimePoint now = m_scheduler.now();
    call.startedAt = now;
    call.attempts = 0;
    call.retries = 0;
    call.lastRetryCost = 0;
    call.reachedBreaker = false;
    call.admittedByBreaker = false;
    call.leftQueueUnserved = false;
    const CallId id = (CallId(call.index) << 32) | call.generation;
    enter(call, 0, now); // may finish and recycle the call: nothing touches it after this
    return id;
}

bool Pipeline::cancel(CallId id)
{
    const auto index = static_cast<std::uint32_t>(id >> 32);
    if (index >= m_calls.size())
        return false;
    Call &call = m_calls[index];
    if (!call.inUse || call.generation != static_cast<std::uint32_t>(id & 0xffffffffu))
        return false;
    return cancel(call, false);
}

bool Pipeline::cancel(Call &call, bool cutOff)
{
    const TimePoint now = m_scheduler.now();
    abortBelow(call, -1, now, nullptr);
    finish(call,
        Result::failure(ErrorCode::Cancelled,
            cutOff ? QStringLiteral("Cut off by the end of the run") : QStringLiteral("Cancelled by the caller"),
            Stage::Caller),
        now, cutOff);
    return true;
}

int Pipeline::cancelAll()
{
    int cancelled = 0;
    for (std::size_t i = 0; i < m_calls.size(); ++i) {
        Call &call = m_calls[i];
        if (call.inUse && cancel(call, true))
            ++cancelled;
    }
    return cancelled;
}

TimerId Pipeline::armTimer(Call &call, int level, Duration limit, TimePoint now, TimePoint *dueOut)
{
    *dueOut = now + limit;
    // A limit that cannot expire before one already armed outside it is never set: the outer
    // one fires first (or at the same instant, scheduled earlier) and aborts everything inside.
    // In api() this spares the 30 s timeout's timer, since the breaker's 3 s limit encloses it.
    const Layout &layout = *call.layout;
    const auto encloses = [&](StageKind kind, TimerId timer, TimePoint due) {
        const int outer = layout.levelOf[int(kind)];
        return timer != 0 && outer >= 0 && outer < level && due <= *dueOut;
    };
    // The breaker's timer pauses while the call waits in a bulkhead queue inside it, so it
    // stands in only for limits inside that bulkhead, which never run during the wait.
    const int bulkhead = layout.levelOf[int(StageKind::Bulkhead)];
    const bool breakerTimerNeverPauses = bulkhead < layout.levelOf[int(StageKind::CircuitBreaker)] || bulkhead < level;
    if (encloses(StageKind::Timeout, call.timeoutTimer, call.timeoutDue)
        || (breakerTimerNeverPauses && encloses(StageKind::CircuitBreaker, call.breakerTimer, call.breakerDue))
        || encloses(StageKind::Retry, call.retryLimitTimer, call.retryLimitDue))
        return 0;
    Call *c = &call;
    const std::uint32_t generation = call.generation;
    return m_scheduler.scheduleAt(*dueOut, [this, c, level, generation] {
        if (c->inUse && c->generation == generation)
            onTimer(*c, level);
    });
}

void Pipeline::enter(Call &call, int level, TimePoint now)
{
    const Layout &layout = *call.layout;
    if (level == int(layout.stages.size())) {
        startOperation(call, now);
        return;
    }
    switch (layout.stages[size_t(level)]) {
    case StageKind::Fallback:
        break;
    case StageKind::Retry:
        if (m_budget)
            m_budget->recordCall();
        if (m_policy.retry && m_policy.retry->timeout > Duration::zero()) {
            call.retryLimitStart = now;
            call.retryLimitTimer = armTimer(call, level, m_policy.retry->timeout, now, &call.retryLimitDue);
        }
        break;
    case StageKind::CircuitBreaker: {
        // A breaker shared with pipelines on other clocks reads its own; else reuse `now`.
        call.permit = &call.breaker->scheduler() == &m_scheduler ? call.breaker->tryAcquire(now) : call.breaker->tryAcquire();
        if (!call.admittedByBreaker) {
            call.admittingState = call.permit.state;
            call.reachedBreaker = true;
            call.admittedByBreaker = bool(call.permit);
        }
        call.breakerTimerPaused = false;
        if (!call.permit) {
            returnTo(call, level, Result::failure(ErrorCode::CircuitOpen, QStringLiteral("Circuit breaker is OPEN"), Stage::CircuitBreaker), now);
            return;
        }
        call.holdsPermit = true;
        const Duration limit = m_policy.circuitBreaker ? m_policy.circuitBreaker->timeout : Duration::zero();
        if (limit > Duration::zero()) {
            call.breakerStart = now;
            call.breakerTimer = armTimer(call, level, limit, now, &call.breakerDue);
        }
        break;
    }
    case StageKind::RateLimiter: {
        if (!m_rateLimiter)
            break; // turned off while this call was in flight: its later attempts pass
        call.leftQueueUnserved = false;
        const std::optional<Duration> wait = m_rateLimiter->reserve(now);
        if (!wait) {
            returnTo(call, level, Result::failure(ErrorCode::RequestNotPermitted,
                                                  QStringLiteral("Rate limiter: no permit within its timeout"), Stage::RateLimiter), now);
            return;
        }
        if (*wait > Duration::zero()) {
            pauseBreakerClock(call, now);
            Call *c = &call;
            const std::uint32_t generation = call.generation;
            call.permitTimer = m_scheduler.scheduleAt(now + *wait, [this, c, level, generation] {
                if (c->inUse && c->generation == generation)
                    onPermitReserved(*c, level);
            });
            return;
        }
        break;
    }
    case StageKind::AdaptiveThrottle: {
        if (!m_throttle)
            break; // turned off while this call was in flight: its later attempts pass
        // The draw comes from the run's seeded generator, and only when a rejection is possible,
        // so a throttle that never rejects leaves every other draw of the run as it was.
        const double p = m_throttle->rejectionProbability(now);
        m_throttle->recordRequest(now);
        if (p > 0 && m_random.uniform() < p) {
            returnTo(call, level, Result::failure(ErrorCode::Throttled,
                                                  QStringLiteral("Adaptive throttle: rejected locally, the backend accepts too few requests"), Stage::AdaptiveThrottle), now);
            return;
        }
        break;
    }
    case StageKind::ConcurrencyLimit:
        if (!m_limit)
            break; // turned off while this call was in flight: its later attempts pass
        if (m_limitInFlight >= m_limit->limit()) {
            returnTo(call, level, Result::failure(ErrorCode::LimitExceeded,
                                                  QStringLiteral("Concurrency limit: as many calls in flight as the limit"), Stage::ConcurrencyLimit), now);
            return;
        }
        call.holdsLimit = true;
        call.limitInFlight = ++m_limitInFlight;
        call.limitFrom = now;
        break;
    case StageKind::Bulkhead:
        call.waitId = ++m_sequence;
        call.waitingInBulkhead = true;
        call.leftQueueUnserved = false;
        switch (call.bulkhead->tryEnter(call)) {
        case Bulkhead::Admission::Run:
            call.waitingInBulkhead = false;
            call.holdsBulkhead = true;
            call.bulkheadEnteredAt = now;
            break;
        case Bulkhead::Admission::Queued:
            pauseBreakerClock(call, now);
            return; // admitted() or rejected() carries on
        case Bulkhead::Admission::Rejected:
            call.waitingInBulkhead = false;
            returnTo(call, level, Result::failure(ErrorCode::BulkheadQueueFull, QStringLiteral("Bulkhead queue is full"), Stage::Bulkhead), now);
            return;
        }
        break;
    case StageKind::Timeout:
        if (m_policy.timeout && m_policy.timeout->timeout > Duration::zero()) {
            call.timeoutStart = now;
            call.timeoutTimer = armTimer(call, level, m_policy.timeout->timeout, now, &call.timeoutDue);
        }
        break;
    case StageKind::Hedging:
        break; // startOperation() arms the hedge delay with the first attempt
    }
    enter(call, level + 1, now);
}

void Pipeline::startOperation(Call &call, TimePoint now)
{
    ++call.attempts;
    call.operationRunning = true;
    Attempt &a = call.attempt;
    a.id = nextAttemptId(call.index);
    a.callTag = call.tag;
    a.number = call.attempts;
    a.startedAt = now;
    a.deadline = TimePoint::max();
    if (call.timeoutTimer)
        a.deadline = std::min(a.deadline, call.timeoutDue);
    if (call.breakerTimer)
        a.deadline = std::min(a.deadline, call.breakerDue);
    if (call.retryLimitTimer)
        a.deadline = std::min(a.deadline, call.retryLimitDue);
    if (call.layout->levelOf[int(StageKind::Hedging)] >= 0) {
        call.hedgesStarted = 0;
        call.hedgesRunning = 0;
        armHedgeTimer(call, now); // before start(): an inline completion cancels it
    }
    const Attempt copy = a; // the call may be recycled before start() returns
    call.operation->start(copy, Completion(this, copy.id));
}

Pipeline::Call *Pipeline::callForAttempt(std::uint64_t attemptId, int *hedge)
{
    const auto index = static_cast<std::size_t>(attemptId >> AttemptSequenceBits);
    if (index >= m_calls.size())
        return nullptr;
    Call &call = m_calls[index];
    if (!call.inUse)
        return nullptr;
    *hedge = -1;
    if (call.operationRunning && call.attempt.id == attemptId)
        return &call;
    for (std::uint32_t running = call.hedgesRunning; running != 0; running &= running - 1) {
        *hedge = std::countr_zero(running);
        if (m_hedges[index][std::size_t(*hedge)].id == attemptId)
            return &call;
    }
    return nullptr;
}

void Pipeline::complete(std::uint64_t attemptId, Result &&result)
{
    int hedge = -1;
    Call *call = callForAttempt(attemptId, &hedge);
    if (!call)
        return; // cancelled or timed out already
    if (hedge < 0)
        call->operationRunning = false;
    else
        call->hedgesRunning &= ~(std::uint32_t(1) << hedge);
    const TimePoint now = m_scheduler.now();
    if (call->layout->levelOf[int(StageKind::Hedging)] >= 0 && !hedgedGroupDone(*call, result, now))
        return;
    returnTo(*call, int(call->layout->stages.size()), std::move(result), now);
}

void Pipeline::armHedgeTimer(Call &call, TimePoint now)
{
    call.hedgeTimer = 0;
    // Turned off while the call was in flight: no more hedges.
    if (!m_policy.hedging || call.hedgesStarted >= m_policy.hedging->maxHedgedAttempts)
        return;
    Call *c = &call;
    const std::uint32_t generation = call.generation;
    call.hedgeTimer = m_scheduler.scheduleAt(now + m_policy.hedging->delay, [this, c, generation] {
        if (c->inUse && c->generation == generation) {
            c->hedgeTimer = 0;
            if (m_policy.hedging) // turned off while the call was in flight: no more hedges
                startHedge(*c, m_scheduler.now());
        }
    });
}

void Pipeline::startHedge(Call &call, TimePoint now)
{
    const int hedge = call.hedgesStarted++;
    ++call.attempts;
    if (m_hedges.size() <= call.index)
        m_hedges.resize(m_calls.size()); // grows with the pool, not per call
    Attempt &a = m_hedges[call.index][std::size_t(hedge)];
    a = call.attempt; // the same call, deadline and stages
    a.id = nextAttemptId(call.index);
    a.number = call.attempts; // its own number, so a backend draws it independently
    a.startedAt = now;
    call.hedgesRunning |= std::uint32_t(1) << hedge;
    armHedgeTimer(call, now);
    if (m_observer)
        m_observer->onHedge(m_name, call.tag, hedge + 1, now);
    const Attempt copy = a; // the call may be recycled before start() returns
    call.operation->start(copy, Completion(this, copy.id));
}

bool Pipeline::hedgedGroupDone(Call &call, const Result &result, TimePoint now)
{
    if (result.ok()) {
        cancelAttempts(call); // the first success wins: the others stop
        return true;
    }
    if (call.hedgeTimer != 0) { // hedges left: a failure does not wait for the delay
        cancelTimer(m_scheduler, call.hedgeTimer);
        startHedge(call, now);
        return false;
    }
    return !call.operationRunning && call.hedgesRunning == 0;
}

// Stops every attempt still running, the first and its hedges, and the hedge delay.
void Pipeline::cancelAttempts(Call &call)
{
    if (call.hedgeTimer != 0)
        cancelTimer(m_scheduler, call.hedgeTimer);
    if (call.operationRunning) {
        call.operationRunning = false;
        call.operation->cancel(call.attempt);
    }
    for (std::uint32_t running = std::exchange(call.hedgesRunning, 0); running != 0; running &= running - 1)
        call.operation->cancel(m_hedges[call.index][std::size_t(std::countr_zero(running))]);
}

void Pipeline::returnTo(Call &call, int level, Result &&result, TimePoint now)
{
    if (level == 0)
        finish(call, std::move(result), now);
    else
        onInnerDone(call, level - 1, std::move(result), now);
}

void Pipeline::onInnerDone(Call &call, int level, Result &&result, TimePoint now)
{
    switch (call.layout->stages[size_t(level)]) {
    case StageKind::Timeout:
        cancelTimer(m_scheduler, call.timeoutTimer);
        break;
    case StageKind::RateLimiter:
        break; // a permit is spent once taken, as in Resilience4j
    case StageKind::Hedging:
        break; // complete() settled the group
    case StageKind::AdaptiveThrottle:
        if (m_throttle && result.outcome == Outcome::Success)
            m_throttle->recordAccept(now);
        break;
    case StageKind::ConcurrencyLimit:
        if (call.holdsLimit)
            releaseLimit(call, result.outcome == Outcome::Success ? nullptr : &result.error, false, now);
        break;
    case StageKind::Bulkhead:
        if (call.holdsBulkhead) {
            call.holdsBulkhead = false;
            call.bulkhead->exit(now - call.bulkheadEnteredAt, !result.ok());
        }
        break;
    case StageKind::CircuitBreaker:
        cancelTimer(m_scheduler, call.breakerTimer);
        if (call.holdsPermit) // a fallback inside the breaker carries its cause: record that
            settleBreaker(call, result.outcome == Outcome::Success ? nullptr : &result.error, now);
        break;
    case StageKind::Retry: {
        cancelTimer(m_scheduler, call.retryLimitTimer);
        const RetryConfig *config = m_policy.retry ? &*m_policy.retry : nullptr;
        if (m_quota && result.outcome == Outcome::Success) {
            if (call.retries == 0)
                m_quota->onFirstAttemptSuccess();
            else
                m_quota->give(call.lastRetryCost);
        }
        if (result.ok() || !config) {
            if (call.retries > 0 && m_observer)
                m_observer->onRetryFinished(m_name, call.tag, result.ok(), call.retries + 1, now);
            break;
        }
        bool mayRetry = result.outcome != Outcome::Cancelled && call.retries + 1 < config->maxAttempts
                && isRetryable(*config, result.error);
        if (mayRetry && m_quota) {
            const std::optional<int> taken = m_quota->tryTake(result.error);
            mayRetry = taken.has_value();
            call.lastRetryCost = taken.value_or(0);
        }
        if (mayRetry && m_budget && !m_budget->tryRetry()) {
            mayRetry = false;
            if (m_quota)
                m_quota->give(call.lastRetryCost); // the retry did not happen
        }
        if (!mayRetry) {
            if (call.retries > 0 && m_observer)
                m_observer->onRetryFinished(m_name, call.tag, false, call.retries + 1, now);
            break;
        }
        const int retry = ++call.retries;
        const Duration delay = retryDelay(*config, retry, m_random.uniform(), result.error);
        if (config->onRetry)
            config->onRetry(retry, result.error, delay);
        if (m_observer)
            m_observer->onRetry(RetryReport { m_name, call.tag, retry, delay, result.error, now });
        Call *c = &call;
        const std::uint32_t generation = call.generation;
        call.retryDelayTimer = m_scheduler.scheduleAt(now + delay, [this, c, level, generation] {
            if (c->inUse && c->generation == generation)
                onRetryDelayElapsed(*c, level);
        });
        return;
    }
    case StageKind::Fallback:
        if (!result.ok() && result.outcome != Outcome::Cancelled && m_policy.fallback) {
            QVariant value = m_policy.fallback->function ? m_policy.fallback->function(result) : m_policy.fallback->value;
            fallBack(call, level, std::move(result), std::move(value), now);
            return;
        }
        break;
    }
    returnTo(call, level, std::move(result), now);
}

// The one place where a fallback value replaces a failed result: the fallback stage's and a
// timeout's own. The result keeps its cause, for a breaker outside this stage and for reports.
void Pipeline::fallBack(Call &call, int level, Result &&failed, QVariant value, TimePoint now)
{
    failed.outcome = Outcome::Fallback;
    failed.value = std::move(value);
    if (m_observer)
        m_observer->onFallback(m_name, call.tag, failed.error, now);
    returnTo(call, level, std::move(failed), now);
}

// An attempt that a time limit ended while it still waited in a bulkhead queue inside the
// breaker never reached the backend: its permit goes back with nothing recorded. Any other
// result is recorded: a success only when the operation's own value came back.
void Pipeline::settleBreaker(Call &call, const Error *error, TimePoint now)
{
    call.holdsPermit = false;
    if (call.leftQueueUnserved) {
        call.breaker->release(call.permit);
        return;
    }
    // A breaker shared with pipelines on other clocks reads its own.
    if (&call.breaker->scheduler() != &m_scheduler)
        now = call.breaker->scheduler().now();
    if (error)
        call.breaker->onError(call.permit, *error, now);
    else
        call.breaker->onSuccess(call.permit, now);
}

void Pipeline::onRetryDelayElapsed(Call &call, int level)
{
    const TimePoint now = m_scheduler.now();
    call.retryDelayTimer = 0;
    if (m_policy.retry && m_policy.retry->timeout > Duration::zero()) {
        call.retryLimitStart = now;
        call.retryLimitTimer = armTimer(call, level, m_policy.retry->timeout, now, &call.retryLimitDue);
    }
    enter(call, level + 1, now);
}

void Pipeline::onTimer(Call &call, int level)
{
    const TimePoint now = m_scheduler.now();
    const StageKind stage = call.layout->stages[size_t(level)];
    Result expired;
    switch (stage) {
    case StageKind::Timeout:
        call.timeoutTimer = 0;
        expired = limitExpired(ErrorCode::Timeout, Stage::Timeout, now - call.timeoutStart);
        break;
    case StageKind::CircuitBreaker:
        call.breakerTimer = 0;
        expired = limitExpired(ErrorCode::CircuitTimeout, Stage::CircuitBreaker, now - call.breakerStart);
        break;
    case StageKind::Retry:
        call.retryLimitTimer = 0;
        expired = limitExpired(ErrorCode::Timeout, Stage::Retry, now - call.retryLimitStart);
        break;
    case StageKind::Bulkhead:
    case StageKind::RateLimiter:
    case StageKind::Hedging:
    case StageKind::AdaptiveThrottle:
    case StageKind::ConcurrencyLimit:
    case StageKind::Fallback:
        return; // these stages set no time limits (the hedge delay has its own timer)
    }
    abortBelow(call, level, now, &expired.error);
    const Duration elapsed = expired.error.elapsed;
    if (m_observer)
        m_observer->onTimeout(m_name, call.tag, stage, elapsed, now);
    const TimeoutConfig *config = stage == StageKind::Timeout && m_policy.timeout ? &*m_policy.timeout : nullptr;
    if (config && config->onTimeout)
        config->onTimeout(elapsed);
    if (config && config->fallback)
        fallBack(call, level, std::move(expired), *config->fallback, now);
    else
        onInnerDone(call, level, std::move(expired), now);
}

void Pipeline::abortBelow(Call &call, int level, TimePoint now, const Error *expired)
{
    cancelAttempts(call); // a late completion is now ignored
    const Layout &layout = *call.layout;
    for (int j = int(layout.stages.size()) - 1; j > level; --j) {
        switch (layout.stages[size_t(j)]) {
        case StageKind::Timeout:
            cancelTimer(m_scheduler, call.timeoutTimer);
            break;
        case StageKind::Bulkhead:
            if (call.waitingInBulkhead) {
                call.waitingInBulkhead = false;
                call.leftQueueUnserved = true;
                call.bulkhead->withdraw(call); // if an admission is on its way, it hands the slot back
                call.waitId = 0;
            }
            if (call.holdsBulkhead) {
                call.holdsBulkhead = false;
                call.bulkhead->exit(now - call.bulkheadEnteredAt, true);
            }
            break;
        case StageKind::CircuitBreaker:
            cancelTimer(m_scheduler, call.breakerTimer);
            if (call.holdsPermit) {
                if (expired) {
                    settleBreaker(call, expired, now); // a time limit outside the breaker: a timeout
                } else {
                    call.holdsPermit = false;
                    call.breaker->release(call.permit); // abandoned by the caller: no result to record
                }
            }
            break;
        case StageKind::Retry:
            cancelTimer(m_scheduler, call.retryDelayTimer);
            cancelTimer(m_scheduler, call.retryLimitTimer);
            break;
        case StageKind::RateLimiter:
            if (call.permitTimer) {
                cancelTimer(m_scheduler, call.permitTimer);
                call.leftQueueUnserved = true; // its reserved permit is spent, as in Resilience4j
            }
            break;
        case StageKind::Hedging: // its attempts are the operation's: cancelled above
        case StageKind::AdaptiveThrottle: // an abandoned request is counted, never accepted
        case StageKind::Fallback:
            break;
        case StageKind::ConcurrencyLimit:
            // A time limit outside it is a drop, as a timeout inside it is; a caller who gave up
            // says nothing about the backend.
            if (call.holdsLimit)
                releaseLimit(call, expired, expired == nullptr, now);
            break;
        }
    }
}

// Netflix's listener: a success is a sample, a sign of overload (a time limit, or the backend
// shedding with 503 or 429) a drop, any other failure ignored (it says nothing of the latency).
void Pipeline::releaseLimit(Call &call, const Error *error, bool ignored, TimePoint now)
{
    call.holdsLimit = false;
    --m_limitInFlight;
    if (!m_limit || ignored)
        return;
    bool dropped = false;
    if (error) {
        const ErrorCode c = error->code;
        dropped = c == ErrorCode::Timeout || c == ErrorCode::CircuitTimeout || c == ErrorCode::TimedOut
                || c == ErrorCode::httpStatus(503) || c == ErrorCode::httpStatus(429)
                || c == ErrorCode::TooManyRequests || c == ErrorCode::RateLimit;
        if (!dropped)
            return;
    }
    m_limit->update(now - call.limitFrom, call.limitInFlight, dropped, m_random);
}

// Waiting in a bulkhead queue or for a rate limiter's permit inside the breaker is local
// overload, not the backend's time: the breaker's clock (its call timer and the duration it
// records) stops meanwhile. A breaker outside the waiting stage is the only way a waiting call
// can hold a permit.
void Pipeline::pauseBreakerClock(Call &call, TimePoint now)
{
    call.localWaitFrom = now;
    if (call.holdsPermit && call.breakerTimer != 0) {
        cancelTimer(m_scheduler, call.breakerTimer);
        call.breakerTimerPaused = true;
    }
}

void Pipeline::resumeBreakerClock(Call &call, TimePoint now)
{
    if (!call.holdsPermit)
        return;
    const Duration waited = now - call.localWaitFrom;
    call.permit.acquiredAt += waited;
    call.breakerStart += waited;
    if (std::exchange(call.breakerTimerPaused, false)) {
        const Duration left = call.breakerDue - call.localWaitFrom;
        call.breakerTimer = armTimer(call, call.layout->levelOf[int(StageKind::CircuitBreaker)], left, now, &call.breakerDue);
    }
}

void Pipeline::onPermitReserved(Call &call, int level)
{
    const TimePoint now = m_scheduler.now();
    call.permitTimer = 0;
    resumeBreakerClock(call, now);
    enter(call, level + 1, now);
}

void Pipeline::admitFromBulkhead(Call &call)
{
    const TimePoint now = m_scheduler.now();
    call.waitingInBulkhead = false;
    call.holdsBulkhead = true;
    call.bulkheadEnteredAt = now;
    resumeBreakerClock(call, now);
    enter(call, call.layout->levelOf[int(StageKind::Bulkhead)] + 1, now);
}

void Pipeline::rejectFromBulkhead(Call &call, ErrorCode code)
{
    call.waitingInBulkhead = false;
    const QString message = code == ErrorCode::BulkheadQueueTimeout ? QStringLiteral("Bulkhead queue timeout")
                                                                   : QStringLiteral("Bulkhead queue cleared");
    returnTo(call, call.layout->levelOf[int(StageKind::Bulkhead)], Result::failure(code, message, Stage::Bulkhead), m_scheduler.now());
}

void Pipeline::finish(Call &call, Result &&result, TimePoint now, bool cutOff)
{
    result.attempts = call.attempts;
    if (m_observer) {
        m_observer->onCallFinished(CallReport { m_name, call.tag, result.outcome, call.attempts, now - call.startedAt,
                                                result.outcome == Outcome::Success ? nullptr : &result.error, now,
                                                call.reachedBreaker ? std::optional(call.admittingState) : std::nullopt, cutOff });
    }
    CallCallback done = std::move(call.done);
    releaseCall(call);
    if (done)
        done(result);
}

} // namespace bw
