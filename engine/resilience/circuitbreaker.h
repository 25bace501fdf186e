#pragma once

#include "../runtime/scheduler.h"
#include "../runtime/spinlock.h"
#include "circuitbreakerconfig.h"
#include "listenerlist.h"
#include "outcome.h"
#include "slidingwindow.h"

#include <QString>

#include <memory>
#include <optional>

namespace bw {

// Resilience4j's numbering, used by the exports.
enum class CircuitState : std::uint8_t { Closed = 0, Open = 1, HalfOpen = 2, Disabled = 3, ForcedOpen = 4, MetricsOnly = 5 };
inline constexpr int CircuitStateCount = 6;
QLatin1StringView circuitStateName(CircuitState state); // "CLOSED", "HALF_OPEN", ...
// The state a name gives, in any case ("HALF_OPEN", or "half_open" as the Prometheus labels of
// Breakwater and Resilience4j write it); nullopt for any other name.
std::optional<CircuitState> circuitStateFromName(QStringView name);

// Whether a breaker can ever move from `from` to `to` (the exports list every such pair at 0).
// A manual command starts a fresh period even in the state it names (OPEN → OPEN restarts the
// open time, CLOSED → CLOSED the counters); only the reset timer enters HALF_OPEN, from OPEN.
constexpr bool isPossibleTransition(CircuitState from, CircuitState to)
{
    return to != CircuitState::HalfOpen || from == CircuitState::Open;
}

// A manual command to a breaker (CircuitBreaker::perform), as control events, the GUI and the
// state changes it causes name it. breakerActionName() is the one table of these names.
enum class BreakerAction : std::uint8_t { ForceOpen, HoldOpen, ForceClose, Reset, Disable, MetricsOnly };
inline constexpr int BreakerActionCount = 6;
QLatin1StringView breakerActionName(BreakerAction action); // "forceOpen", ...
std::optional<BreakerAction> breakerActionFromName(QStringView name);

// Why a breaker changed state, as the stateChange event and the events file name it: a threshold
// or timer, or a manual action (in BreakerAction's order, named after it).
enum class TransitionReason : std::uint8_t {
    FailureThreshold, FailureRate, SlowCallRate, ResetTimeout, SuccessThreshold, HalfOpenFailure,
    ForceOpen, HoldOpen, ForceClose, Reset, Disable, MetricsOnly,
};
constexpr TransitionReason transitionReason(BreakerAction action)
{
    return TransitionReason(int(TransitionReason::ForceOpen) + int(action));
}
static_assert(transitionReason(BreakerAction::MetricsOnly) == TransitionReason::MetricsOnly
    && int(TransitionReason::MetricsOnly) + 1 == int(TransitionReason::ForceOpen) + BreakerActionCount);
QLatin1StringView transitionReasonName(TransitionReason reason); // "failureThreshold", "forceOpen", ...

struct CircuitBreakerMetrics
{
    std::int64_t successes = 0, failures = 0, timeouts = 0, slowCalls = 0, totalCalls = 0, rejected = 0;
    int consecutiveSuccesses = 0, consecutiveFailures = 0;
    std::optional<TimePoint> lastFailureTime;
    std::int64_t windowCalls = 0, windowFailures = 0, windowSlowCalls = 0;
    double failureRate = 0, slowCallRate = 0; // over the window, 0..1
    int halfOpenInFlight = 0;
};

struct CircuitStateChange
{
    QString name;
    CircuitState previousState, currentState;
    TransitionReason reason;
    TimePoint at;
    CircuitBreakerMetrics metrics;
};

struct CircuitCall
{
    const QString &name;
    bool success;
    Duration duration;
    CircuitState state;
    const Error *error; // null on success
    bool isTimeout;
    bool slow;
    TimePoint at;
};

// Event sinks: called on the thread that caused the event, outside the breaker's lock, so a
// listener may call back into the breaker. onCall runs once per recorded call: keep it cheap.
class CircuitBreakerListener
{
public:
    virtual ~CircuitBreakerListener() = default;
    virtual void onStateChange(const CircuitStateChange &) { }
    virtual void onCall(const CircuitCall &) { }
    virtual void onRejected(const QString &name, CircuitState state, TimePoint at) { Q_UNUSED(name); Q_UNUSED(state); Q_UNUSED(at); }
    virtual void onReset(const QString &name, TimePoint at) { Q_UNUSED(name); Q_UNUSED(at); }
    virtual void onConfigChanged(const QString &name, const CircuitBreakerConfig &config) { Q_UNUSED(name); Q_UNUSED(config); }
};

// What tryAcquire() hands out; give it back to exactly one of onSuccess / onError / release.
struct CircuitPermit
{
    bool granted = false;
    bool trial = false;          // a HALF_OPEN trial call, holding one of halfOpenMaxCalls
    CircuitState state = CircuitState::Closed; // the state that granted or refused it
    std::uint32_t epoch = 0;     // the state period it was granted in
    // Where the call's duration starts. A pipeline moves it later by the time the call then
    // waits in a bulkhead queue, which is not the backend's time.
    TimePoint acquiredAt {};
    explicit operator bool() const { return granted; }
};

// The circuit breaker of docs/semantics.md. Thread-safe; every method takes a short spin lock.
// The OPEN → HALF_OPEN move is a timer on the scheduler, so it happens with no traffic.
class CircuitBreaker
{
public:
    CircuitBreaker(QString name, CircuitBreakerConfig config, Scheduler &scheduler);
    ~CircuitBreaker();
    CircuitBreaker(const CircuitBreaker &) = delete;
    CircuitBreaker &operator=(const CircuitBreaker &) = delete;

    const QString &name() const { return m_name; }
    Scheduler &scheduler() const { return m_scheduler; }

    // Hot path. Grants a permit, or counts a rejection (and returns an ungranted permit) when
    // the breaker is OPEN, FORCED_OPEN, or HALF_OPEN with every trial slot taken. No allocation.
    CircuitPermit tryAcquire() { return acquire(nullptr); }
    // The same with the time already read from this breaker's scheduler: saves a clock read.
    CircuitPermit tryAcquire(TimePoint now) { return acquire(&now); }
    // Records a call that ended. A result from an earlier state period (the breaker moved since
    // the permit was granted) counts in the lifetime metrics but neither in the window nor
    // towards a transition. Reads the clock once, or takes `now` from this breaker's scheduler.
    void onSuccess(const CircuitPermit &permit) { record(permit, nullptr, m_scheduler.now()); }
    void onError(const CircuitPermit &permit, const Error &error) { record(permit, &error, m_scheduler.now()); }
    void onSuccess(const CircuitPermit &permit, TimePoint now) { record(permit, nullptr, now); }
    void onError(const CircuitPermit &permit, const Error &error, TimePoint now) { record(permit, &error, now); }
    // Gives a permit back without recording anything (the call was ignored or never ran).
    void release(const CircuitPermit &permit);

    // Whether an error counts as a failure, is ignored, or counts as a success (not recorded).
    enum class ErrorKind { Failure, Ignored, Success };
    ErrorKind classify(const Error &error) const;

    CircuitState state() const;
    CircuitBreakerConfig config() const;
    CircuitBreakerMetrics metrics() const;
    // Healthy when CLOSED, DISABLED or METRICS_ONLY and the failure rate is under the threshold.
    bool isHealthy() const;
    // When the breaker will move from OPEN to HALF_OPEN; nullopt unless OPEN.
    std::optional<TimePoint> halfOpenAt() const;

    // Each command starts a fresh period of its state, even the state the breaker is in, and
    // emits the state change (as Resilience4j's transitionTo*State).
    void forceOpen();   // OPEN now, HALF_OPEN after resetTimeout
    void holdOpen();    // FORCED_OPEN until forceClose() or reset()
    void forceClose();  // CLOSED with an empty window and no runs; lifetime counters kept
    void reset();       // CLOSED with every counter and the window cleared; emits reset
    void disable();     // DISABLED: everything passes, nothing is recorded
    void metricsOnly(); // METRICS_ONLY: everything passes and is recorded, no transitions
    void perform(BreakerAction action); // the command of that name
    // New thresholds apply at once; state and counters are kept. While OPEN, the open period
    // keeps its start and takes the new length (already over: HALF_OPEN now). A new window
    // size keeps what still fits (SlidingWindow::resized).
    void updateConfig(const CircuitBreakerConfig &config);

    void addListener(CircuitBreakerListener *listener) { m_listeners.add(listener); }
    void removeListener(CircuitBreakerListener *listener) { m_listeners.remove(listener); }

private:
    struct PendingEvents;
    // The *Locked functions expect m_lock held; events are collected and emitted after unlocking.
    // Reads the clock only when it must (a grant, or a rejection someone listens to) and no
    // time was given: the rejection path is the one that must stay cheapest.
    CircuitPermit acquire(const TimePoint *now);
    void record(const CircuitPermit &permit, const Error *error, TimePoint now);
    void releaseLocked(const CircuitPermit &permit);
    ErrorKind classifyLocked(const Error &error) const;
    void transition(CircuitState to, TransitionReason reason, TimePoint now, PendingEvents &events);
    void manualTransition(CircuitState to, TransitionReason reason);
    Duration openDuration() const;
    void scheduleHalfOpen(TimePoint now); // at m_openedAt + openDuration(), or now if that is past
    void cancelResetTimer();
    void onResetTimer(std::uint32_t epoch);
    void judgeClosed(TimePoint now, PendingEvents &events);
    CircuitBreakerMetrics metricsLocked(TimePoint now) const;
    void publishState(); // under m_lock, after m_state or m_epoch changed
    void notifyListeners(const PendingEvents &events);
    void notifyListenersSlow(const PendingEvents &events);

    const QString m_name;
    Scheduler &m_scheduler;
    mutable SpinLock m_lock;
    CircuitBreakerConfig m_config;
    CircuitState m_state = CircuitState::Closed;
    std::uint32_t m_epoch = 1; // never 0, so that 0 can mean "not passing" below
    // m_epoch and m_state packed by passingWord() while the state lets every call through,
    // else 0; written under m_lock. One word, so a lock-free grant reads both consistently.
    std::atomic<std::uint64_t> m_passing { passingWord(1, CircuitState::Closed) };
    static constexpr std::uint64_t passingWord(std::uint32_t epoch, CircuitState state)
    {
        return std::uint64_t(epoch) << 8 | std::uint64_t(state);
    }
    mutable SlidingWindow m_window;
    CircuitBreakerMetrics m_totals; // lifetime counters; window fields are computed on demand
    int m_halfOpenInFlight = 0;
    int m_consecutiveTrips = 0; // HALF_OPEN → OPEN moves since OPEN was entered from elsewhere, for resetTimeoutMultiplier
    TimerId m_resetTimer = 0;
    TimePoint m_openedAt {}; // when the current OPEN period started
    TimePoint m_halfOpenAt {};
    ListenerList<CircuitBreakerListener> m_listeners;
};

} // namespace bw
