#include "circuitbreaker.h"

#include <algorithm>
#include <cmath>
#include <mutex>
#include <new>

namespace bw {

QLatin1StringView circuitStateName(CircuitState state)
{
    switch (state) {
    case CircuitState::Closed:
        return QLatin1StringView("CLOSED");
    case CircuitState::Open:
        return QLatin1StringView("OPEN");
    case CircuitState::HalfOpen:
        return QLatin1StringView("HALF_OPEN");
    case CircuitState::Disabled:
        return QLatin1StringView("DISABLED");
    case CircuitState::ForcedOpen:
        return QLatin1StringView("FORCED_OPEN");
    case CircuitState::MetricsOnly:
        return QLatin1StringView("METRICS_ONLY");
    }
    return QLatin1StringView("CLOSED");
}

std::optional<CircuitState> circuitStateFromName(QStringView name)
{
    for (int i = 0; i < CircuitStateCount; ++i)
        if (name.compare(circuitStateName(CircuitState(i)), Qt::CaseInsensitive) == 0)
            return CircuitState(i);
    return std::nullopt;
}

QLatin1StringView breakerActionName(BreakerAction action)
{
    switch (action) {
    case BreakerAction::ForceOpen:
        return QLatin1StringView("forceOpen");
    case BreakerAction::HoldOpen:
        return QLatin1StringView("holdOpen");
    case BreakerAction::ForceClose:
        return QLatin1StringView("forceClose");
    case BreakerAction::Reset:
        return QLatin1StringView("reset");
    case BreakerAction::Disable:
        return QLatin1StringView("disable");
    case BreakerAction::MetricsOnly:
        return QLatin1StringView("metricsOnly");
    }
    return QLatin1StringView("reset");
}

std::optional<BreakerAction> breakerActionFromName(QStringView name)
{
    for (int i = 0; i < BreakerActionCount; ++i)
        if (name == breakerActionName(BreakerAction(i)))
            return BreakerAction(i);
    return std::nullopt;
}

QLatin1StringView transitionReasonName(TransitionReason reason)
{
    switch (reason) {
    case TransitionReason::FailureThreshold:
        return QLatin1StringView("failureThreshold");
    case TransitionReason::FailureRate:
        return QLatin1StringView("failureRate");
    case TransitionReason::SlowCallRate:
        return QLatin1StringView("slowCallRate");
    case TransitionReason::ResetTimeout:
        return QLatin1StringView("resetTimeout");
    case TransitionReason::SuccessThreshold:
        return QLatin1StringView("successThreshold");
    case TransitionReason::HalfOpenFailure:
        return QLatin1StringView("halfOpenFailure");
    case TransitionReason::ForceOpen:
    case TransitionReason::HoldOpen:
    case TransitionReason::ForceClose:
    case TransitionReason::Reset:
    case TransitionReason::Disable:
    case TransitionReason::MetricsOnly:
        return breakerActionName(BreakerAction(int(reason) - int(TransitionReason::ForceOpen)));
    }
    return QLatin1StringView("reset");
}

// Events gathered under the lock and emitted after it, so that a listener may call back into the
// breaker. Lives on the stack; the optional state change stays unconstructed (no QString copy)
// unless a transition happened, so the per-call paths allocate nothing.
struct CircuitBreaker::PendingEvents
{
    TimePoint at {};
    bool call = false;
    bool success = false, isTimeout = false, slow = false;
    CircuitState callState = CircuitState::Closed;
    Duration duration {};
    const Error *error = nullptr;
    bool reset = false;
    bool hasStateChange = false;
    // Constructed only when a transition happens: an engaged-or-not std::optional here made
    // the compiler clear all ~200 bytes of it on every call.
    union {
        CircuitStateChange stateChange;
    };

    PendingEvents() { }
    ~PendingEvents()
    {
        if (hasStateChange)
            stateChange.~CircuitStateChange();
    }
    PendingEvents(const PendingEvents &) = delete;
    PendingEvents &operator=(const PendingEvents &) = delete;

    void setStateChange(CircuitStateChange change)
    {
        if (hasStateChange)
            stateChange = std::move(change);
        else
            new (&stateChange) CircuitStateChange(std::move(change));
        hasStateChange = true;
    }
};

namespace {

bool isTimeoutCode(ErrorCode code)
{
    return code == ErrorCode::Timeout || code == ErrorCode::CircuitTimeout;
}

// A threshold of 0 would leave HALF_OPEN with no trial ever admitted, or close it on no evidence.
int trialLimit(const CircuitBreakerConfig &config)
{
    return std::max(1, config.effectiveHalfOpenMaxCalls());
}
int successesToClose(const CircuitBreakerConfig &config)
{
    return std::max(1, config.successThreshold);
}

// Rates mean something only once the window holds the breaker's minimum number of calls.
bool hasVolume(const SlidingWindow::Totals &window, const CircuitBreakerConfig &config)
{
    return window.calls > 0 && window.calls >= config.volumeThreshold;
}

double rate(std::int64_t part, std::int64_t calls)
{
    return calls > 0 ? static_cast<double>(part) / static_cast<double>(calls) : 0.0;
}

// rate(part, calls) >= threshold (> 0), decided by a multiplication unless the two sides are
// too close for it to agree with the division, which is what the contract and metrics use.
// Keeps a division (20 cycles of latency) off the per-call path.
bool rateReached(std::int64_t part, std::int64_t calls, double threshold)
{
    if (threshold <= 0 || part == 0)
        return false;
    const double p = static_cast<double>(part), scaled = threshold * static_cast<double>(calls);
    const double margin = 1e-9 * scaled;
    if (p > scaled + margin)
        return true;
    if (p < scaled - margin)
        return false;
    return rate(part, calls) >= threshold;
}

} // namespace

CircuitBreaker::CircuitBreaker(QString name, CircuitBreakerConfig config, Scheduler &scheduler)
    : m_name(std::move(name))
    , m_scheduler(scheduler)
    , m_config(std::move(config))
    , m_window(m_config.windowType, m_config.windowSize)
{ }

void CircuitBreaker::publishState()
{
    const bool passing = m_state == CircuitState::Closed || m_state == CircuitState::Disabled
            || m_state == CircuitState::MetricsOnly;
    m_passing.store(passing ? passingWord(m_epoch, m_state) : 0, std::memory_order_release);
}

CircuitBreaker::~CircuitBreaker()
{
    // The timer's task points at this breaker.
    std::lock_guard guard(m_lock);
    cancelResetTimer();
}

CircuitPermit CircuitBreaker::acquire(const TimePoint *now)
{
    CircuitPermit permit;
    // Lock-free when every call passes (CLOSED, DISABLED, METRICS_ONLY): a state change racing
    // with this read only makes the permit's epoch stale, and record() handles stale permits.
    if (const std::uint64_t word = m_passing.load(std::memory_order_acquire)) {
        permit.granted = true;
        permit.state = CircuitState(word & 0xff);
        permit.epoch = std::uint32_t(word >> 8);
        permit.acquiredAt = now ? *now : m_scheduler.now();
        return permit;
    }
    {
        std::lock_guard guard(m_lock);
        permit.state = m_state;
        switch (m_state) {
        case CircuitState::Closed:
        case CircuitState::Disabled:
        case CircuitState::MetricsOnly:
            permit.granted = true;
            break;
        case CircuitState::HalfOpen:
            if (m_halfOpenInFlight < trialLimit(m_config)) {
                ++m_halfOpenInFlight;
                permit.granted = true;
                permit.trial = true;
            }
            break;
        case CircuitState::Open:
        case CircuitState::ForcedOpen:
            break;
        }
        if (permit.granted)
            permit.epoch = m_epoch;
        else
            ++m_totals.rejected;
    }
    if (permit.granted) {
        permit.acquiredAt = now ? *now : m_scheduler.now();
    } else if (!m_listeners.isEmpty()) {
        const TimePoint at = now ? *now : m_scheduler.now();
        m_listeners.notify([&](CircuitBreakerListener *l) { l->onRejected(m_name, permit.state, at); });
    }
    return permit;
}


void CircuitBreaker::release(const CircuitPermit &permit)
{
    std::lock_guard guard(m_lock);
    releaseLocked(permit);
}

void CircuitBreaker::releaseLocked(const CircuitPermit &permit)
{
    // Only a trial of the current HALF_OPEN period holds a slot; entering a state resets the count.
    if (permit.granted && permit.trial && permit.epoch == m_epoch && m_halfOpenInFlight > 0)
        --m_halfOpenInFlight;
}

CircuitBreaker::ErrorKind CircuitBreaker::classify(const Error &error) const
{
    std::lock_guard guard(m_lock);
    return classifyLocked(error);
}

CircuitBreaker::ErrorKind CircuitBreaker::classifyLocked(const Error &error) const
{
    if (m_config.ignoreErrors.contains(error.code))
        return ErrorKind::Ignored;
    if (!m_config.recordErrors.isEmpty() && !m_config.recordErrors.contains(error.code))
        return ErrorKind::Success;
    return ErrorKind::Failure;
}

void CircuitBreaker::record(const CircuitPermit &permit, const Error *error, TimePoint now)
{
    if (!permit.granted) // a rejected call never ran: nothing to record
        return;
    PendingEvents events;
    {
        std::lock_guard guard(m_lock);
        if (m_state == CircuitState::Disabled)
            return;
        const ErrorKind kind = error ? classifyLocked(*error) : ErrorKind::Success;
        if (kind == ErrorKind::Ignored) {
            releaseLocked(permit);
            return;
        }
        const bool failure = kind == ErrorKind::Failure;
        const bool isTimeout = failure && isTimeoutCode(error->code);
        const Duration duration = now - permit.acquiredAt;
        const bool slow = duration > m_config.slowCallDurationThreshold;

        ++m_totals.totalCalls;
        if (failure) {
            ++m_totals.failures;
            m_totals.timeouts += isTimeout;
            m_totals.lastFailureTime = now;
        } else {
            ++m_totals.successes;
        }
        m_totals.slowCalls += slow;

        if (!m_listeners.isEmpty()) {
            events.at = now;
            events.call = true;
            events.success = !failure;
            events.isTimeout = isTimeout;
            events.slow = slow;
            events.callState = m_state;
            events.duration = duration;
            events.error = failure ? error : nullptr;
        }

        // A result from an earlier state period says nothing about the present one.
        if (permit.epoch == m_epoch) {
            m_window.record(now, failure, slow);
            if (failure) {
                ++m_totals.consecutiveFailures;
                m_totals.consecutiveSuccesses = 0;
            } else {
                ++m_totals.consecutiveSuccesses;
                m_totals.consecutiveFailures = 0;
            }
            if (m_state == CircuitState::Closed) {
                judgeClosed(now, events);
            } else if (m_state == CircuitState::HalfOpen) {
                releaseLocked(permit);
                if (failure)
                    transition(CircuitState::Open, TransitionReason::HalfOpenFailure, now, events);
                else if (m_totals.consecutiveSuccesses >= successesToClose(m_config))
                    transition(CircuitState::Closed, TransitionReason::SuccessThreshold, now, events);
            }
        }
    }
    notifyListeners(events);
}

void CircuitBreaker::judgeClosed(TimePoint now, PendingEvents &events)
{
    if (m_config.failureThreshold > 0 && m_totals.consecutiveFailures >= m_config.failureThreshold) {
        transition(CircuitState::Open, TransitionReason::FailureThreshold, now, events);
        return;
    }
    // record() has just brought the window up to `now`: no need to slide it again.
    const SlidingWindow::Totals window = m_window.current();
    if (!hasVolume(window, m_config))
        return;
    if (rateReached(window.failures, window.calls, m_config.failureRateThreshold))
        transition(CircuitState::Open, TransitionReason::FailureRate, now, events);
    else if (rateReached(window.slow, window.calls, m_config.slowCallRateThreshold))
        transition(CircuitState::Open, TransitionReason::SlowCallRate, now, events);
}

void CircuitBreaker::transition(
    CircuitState to, TransitionReason reason, TimePoint now, PendingEvents &events)
{
    const CircuitState from = m_state;
    m_state = to;
    ++m_epoch;
    publishState();
    m_halfOpenInFlight = 0;
    cancelResetTimer();
    switch (to) {
    case CircuitState::Open:
        // Back-off only after a failed trial; any other way in (forceOpen included) starts over.
        m_consecutiveTrips = from == CircuitState::HalfOpen ? m_consecutiveTrips + 1 : 0;
        m_openedAt = now;
        scheduleHalfOpen(now);
        break;
    case CircuitState::HalfOpen:
        // The trial run starts from zero, whatever CLOSED counted before the trip.
        m_totals.consecutiveSuccesses = 0;
        m_totals.consecutiveFailures = 0;
        break;
    case CircuitState::Closed:
        // However it closes (trial successes, forceClose, reset), nothing from before judges it:
        // a stale window or run would reopen it at the next failure (Resilience4j: a new ClosedState).
        m_consecutiveTrips = 0;
        m_window.clear();
        m_totals.consecutiveSuccesses = 0;
        m_totals.consecutiveFailures = 0;
        break;
    case CircuitState::Disabled:
    case CircuitState::ForcedOpen:
    case CircuitState::MetricsOnly:
        m_consecutiveTrips = 0;
        break;
    }
    if (!m_listeners.isEmpty()) {
        events.at = now;
        events.setStateChange(CircuitStateChange { m_name, from, to, reason, now, metricsLocked(now) });
    }
}

Duration CircuitBreaker::openDuration() const
{
    const Duration base = m_config.resetTimeout;
    if (m_consecutiveTrips == 0)
        return base;
    const double multiplier = std::max(1.0, m_config.resetTimeoutMultiplier);
    const Duration cap = std::max(m_config.effectiveMaxResetTimeout(), base);
    // In double, so that a long run of trips saturates at the cap instead of overflowing.
    const double scaled = static_cast<double>(base.count()) * std::pow(multiplier, m_consecutiveTrips);
    return scaled >= static_cast<double>(cap.count()) ? cap : Duration(static_cast<std::int64_t>(scaled));
}

void CircuitBreaker::scheduleHalfOpen(TimePoint now)
{
    // Transitions are rare and a scheduler never runs a task inline, so scheduling under the
    // lock is safe and keeps m_resetTimer consistent with m_epoch.
    m_halfOpenAt = std::max(m_openedAt + std::max(openDuration(), Duration::zero()), now);
    const std::uint32_t epoch = m_epoch;
    m_resetTimer = m_scheduler.scheduleAt(m_halfOpenAt, [this, epoch] { onResetTimer(epoch); });
}

void CircuitBreaker::cancelResetTimer()
{
    if (m_resetTimer != 0) {
        m_scheduler.cancel(m_resetTimer);
        m_resetTimer = 0;
    }
}

void CircuitBreaker::onResetTimer(std::uint32_t epoch)
{
    const TimePoint now = m_scheduler.now();
    PendingEvents events;
    {
        std::lock_guard guard(m_lock);
        // The breaker may have moved on (forceClose, reset, ...) while the timer was due.
        if (epoch != m_epoch || m_state != CircuitState::Open)
            return;
        m_resetTimer = 0; // it is running now: nothing to cancel
        transition(CircuitState::HalfOpen, TransitionReason::ResetTimeout, now, events);
    }
    notifyListeners(events);
}

CircuitState CircuitBreaker::state() const
{
    std::lock_guard guard(m_lock);
    return m_state;
}

CircuitBreakerConfig CircuitBreaker::config() const
{
    std::lock_guard guard(m_lock);
    return m_config;
}

CircuitBreakerMetrics CircuitBreaker::metricsLocked(TimePoint now) const
{
    CircuitBreakerMetrics m = m_totals;
    const SlidingWindow::Totals window = m_window.totals(now);
    m.windowCalls = window.calls;
    m.windowFailures = window.failures;
    m.windowSlowCalls = window.slow;
    m.failureRate = rate(window.failures, window.calls);
    m.slowCallRate = rate(window.slow, window.calls);
    m.halfOpenInFlight = m_halfOpenInFlight;
    return m;
}

CircuitBreakerMetrics CircuitBreaker::metrics() const
{
    const TimePoint now = m_scheduler.now();
    std::lock_guard guard(m_lock);
    return metricsLocked(now);
}

bool CircuitBreaker::isHealthy() const
{
    const TimePoint now = m_scheduler.now();
    std::lock_guard guard(m_lock);
    if (m_state != CircuitState::Closed && m_state != CircuitState::Disabled
        && m_state != CircuitState::MetricsOnly)
        return false;
    // Judged as judgeClosed() judges it: the same volume gate, the same threshold.
    const SlidingWindow::Totals window = m_window.totals(now);
    return !hasVolume(window, m_config)
        || !rateReached(window.failures, window.calls, m_config.failureRateThreshold);
}

std::optional<TimePoint> CircuitBreaker::halfOpenAt() const
{
    std::lock_guard guard(m_lock);
    if (m_state != CircuitState::Open)
        return std::nullopt;
    return m_halfOpenAt;
}

void CircuitBreaker::manualTransition(CircuitState to, TransitionReason reason)
{
    const TimePoint now = m_scheduler.now();
    PendingEvents events;
    {
        std::lock_guard guard(m_lock);
        transition(to, reason, now, events);
    }
    notifyListeners(events);
}

void CircuitBreaker::forceOpen()
{
    manualTransition(CircuitState::Open, TransitionReason::ForceOpen);
}

void CircuitBreaker::holdOpen()
{
    manualTransition(CircuitState::ForcedOpen, TransitionReason::HoldOpen);
}

void CircuitBreaker::forceClose()
{
    manualTransition(CircuitState::Closed, TransitionReason::ForceClose);
}

void CircuitBreaker::disable()
{
    manualTransition(CircuitState::Disabled, TransitionReason::Disable);
}

void CircuitBreaker::metricsOnly()
{
    manualTransition(CircuitState::MetricsOnly, TransitionReason::MetricsOnly);
}

void CircuitBreaker::perform(BreakerAction action)
{
    switch (action) {
    case BreakerAction::ForceOpen:
        forceOpen();
        break;
    case BreakerAction::HoldOpen:
        holdOpen();
        break;
    case BreakerAction::ForceClose:
        forceClose();
        break;
    case BreakerAction::Reset:
        reset();
        break;
    case BreakerAction::Disable:
        disable();
        break;
    case BreakerAction::MetricsOnly:
        metricsOnly();
        break;
    }
}

void CircuitBreaker::reset()
{
    const TimePoint now = m_scheduler.now();
    PendingEvents events;
    {
        std::lock_guard guard(m_lock);
        m_totals = {};
        m_window.clear();
        if (m_state != CircuitState::Closed) {
            transition(CircuitState::Closed, TransitionReason::Reset, now, events);
        } else {
            // Still a new period: calls granted before the reset must not fill the cleared window.
            ++m_epoch;
            publishState();
            m_halfOpenInFlight = 0;
        }
        events.at = now;
        events.reset = true;
    }
    notifyListeners(events);
}

void CircuitBreaker::updateConfig(const CircuitBreakerConfig &config)
{
    const TimePoint now = m_scheduler.now();
    PendingEvents events;
    {
        std::lock_guard guard(m_lock);
        // Rare (a slider moved), so building a new window under the lock is acceptable.
        if (config.windowType != m_config.windowType || config.windowSize != m_config.windowSize)
            m_window = m_window.resized(config.windowType, config.windowSize, now);
        m_config = config;
        if (m_state == CircuitState::Open) {
            // The open period keeps its start and takes the new length.
            cancelResetTimer();
            scheduleHalfOpen(now);
            if (m_halfOpenAt <= now) // already over: at once (the transition cancels the timer)
                transition(CircuitState::HalfOpen, TransitionReason::ResetTimeout, now, events);
        }
    }
    m_listeners.notify([&](CircuitBreakerListener *l) { l->onConfigChanged(m_name, config); });
    notifyListeners(events);
}

void CircuitBreaker::notifyListeners(const PendingEvents &events)
{
    if (!events.call && !events.hasStateChange && !events.reset)
        return;
    notifyListenersSlow(events);
}

void CircuitBreaker::notifyListenersSlow(const PendingEvents &events)
{
    if (events.call) {
        const CircuitCall call { m_name, events.success, events.duration, events.callState, events.error,
            events.isTimeout, events.slow, events.at };
        m_listeners.notify([&](CircuitBreakerListener *l) { l->onCall(call); });
    }
    if (events.hasStateChange)
        m_listeners.notify([&](CircuitBreakerListener *l) { l->onStateChange(events.stateChange); });
    if (events.reset)
        m_listeners.notify([&](CircuitBreakerListener *l) { l->onReset(m_name, events.at); });
}

} // namespace bw
