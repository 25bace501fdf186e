// Model-based test: random sequences drive the real breaker and a small reference model of the
// contract (docs/semantics.md, "Circuit breaker") side by side; state, metrics, the half-open time,
// permits and events must agree after every step.
//
// The model is written to be obviously right rather than fast: it keeps every recorded call in
// a list and recomputes the lifetime counters, the consecutive runs and the window by scanning.
// Reproduce a failure with BREAKWATER_MODEL_SEED=<seed> (runs that one sequence, verbosely).

#include "resilience/circuitbreaker.h"
#include "runtime/virtualscheduler.h"

#include <QRandomGenerator>
#include <QTest>

#include <array>
#include <cmath>
#include <vector>

using namespace bw;
using namespace Qt::StringLiterals;

namespace {

const ErrorCode E500 = ErrorCode::httpStatus(500);
const ErrorCode E404 = ErrorCode::httpStatus(404);

enum class Ending
{
    Success,
    Failure,
    Timeout,
    CircuitTimeout,
    Cancelled,
    BulkheadFull,
    NotFound,
    Release
};

QString endingName(Ending e)
{
    switch (e) {
    case Ending::Success:
        return u"success"_s;
    case Ending::Failure:
        return u"500"_s;
    case Ending::Timeout:
        return u"TIMEOUT"_s;
    case Ending::CircuitTimeout:
        return u"CIRCUIT_TIMEOUT"_s;
    case Ending::Cancelled:
        return u"CANCELLED"_s;
    case Ending::BulkheadFull:
        return u"BULKHEAD_QUEUE_FULL"_s;
    case Ending::NotFound:
        return u"404"_s;
    case Ending::Release:
        return u"release"_s;
    }
    return {};
}

ErrorCode endingCode(Ending e)
{
    switch (e) {
    case Ending::Failure:
        return E500;
    case Ending::Timeout:
        return ErrorCode::Timeout;
    case Ending::CircuitTimeout:
        return ErrorCode::CircuitTimeout;
    case Ending::Cancelled:
        return ErrorCode::Cancelled;
    case Ending::BulkheadFull:
        return ErrorCode::BulkheadQueueFull;
    case Ending::NotFound:
        return E404;
    default:
        return {};
    }
}

struct Transition
{
    CircuitState from, to;
    TransitionReason reason;
    TimePoint at;
    CircuitBreakerMetrics metrics;
};

struct ModelPermit
{
    bool granted = false, trial = false;
    int period = 0;
    TimePoint at {};
};

struct ModelCallEvent
{
    bool success, isTimeout, slow;
    CircuitState state;
    Duration duration;
    TimePoint at;
};

// The contract, spelled out plainly.
class Model
{
public:
    explicit Model(const CircuitBreakerConfig &config)
        : m_config(config)
    { }

    CircuitState state = CircuitState::Closed;
    std::vector<Transition> transitions;
    std::vector<ModelCallEvent> callEvents;
    int rejectedEvents = 0, resetEvents = 0, configEvents = 0;

    ModelPermit acquire(TimePoint now)
    {
        bool granted = false, trial = false;
        if (state == CircuitState::Closed || state == CircuitState::Disabled
            || state == CircuitState::MetricsOnly) {
            granted = true;
        } else if (state == CircuitState::HalfOpen) {
            const int limit = std::max(
                1, m_config.halfOpenMaxCalls > 0 ? m_config.halfOpenMaxCalls : m_config.successThreshold);
            if (m_trialsInFlight < limit) {
                ++m_trialsInFlight;
                granted = trial = true;
            }
        }
        if (!granted) {
            ++m_rejected;
            ++rejectedEvents;
            return {};
        }
        return { true, trial, m_period, now };
    }

    void release(const ModelPermit &p)
    {
        if (p.granted && p.trial && p.period == m_period)
            --m_trialsInFlight;
    }

    void finish(const ModelPermit &p, Ending ending, TimePoint now)
    {
        if (ending == Ending::Release) {
            release(p);
            return;
        }
        if (!p.granted || state == CircuitState::Disabled) // DISABLED records nothing at all
            return;
        bool failure = false;
        if (ending != Ending::Success) {
            const ErrorCode code = endingCode(ending);
            if (m_config.ignoreErrors.contains(code)) {
                release(p);
                return;
            }
            failure = m_config.recordErrors.isEmpty() || m_config.recordErrors.contains(code);
        }
        Call call;
        call.index = m_calls.size();
        call.at = call.windowAt = now;
        call.failure = failure;
        call.timeout = failure && (ending == Ending::Timeout || ending == Ending::CircuitTimeout);
        call.slow = now - p.at > m_config.slowCallDurationThreshold;
        call.current = p.period == m_period;
        call.windowGeneration = m_windowGeneration;
        m_calls.push_back(call);
        callEvents.push_back({ !failure, call.timeout, call.slow, state, now - p.at, now });
        if (!call.current)
            return;
        if (state == CircuitState::Closed) {
            judgeClosed(now);
        } else if (state == CircuitState::HalfOpen) {
            release(p);
            if (failure)
                enter(CircuitState::Open, TransitionReason::HalfOpenFailure, now);
            else if (run(false) >= std::max(1, m_config.successThreshold))
                enter(CircuitState::Closed, TransitionReason::SuccessThreshold, now);
        }
    }

    // Time passes: the reset timer fires when it is due.
    void advanceTo(TimePoint now)
    {
        if (state == CircuitState::Open && m_halfOpenAt <= now)
            enter(CircuitState::HalfOpen, TransitionReason::ResetTimeout, m_halfOpenAt);
    }

    // Every command starts a fresh period, even of the state the breaker is in.
    void manual(CircuitState to, TransitionReason reason, TimePoint now) { enter(to, reason, now); }

    void reset(TimePoint now)
    {
        m_calls.clear();
        m_rejected = 0;
        m_runStart = 0;
        ++m_windowGeneration;
        if (state != CircuitState::Closed) {
            enter(CircuitState::Closed, TransitionReason::Reset, now);
        } else {
            ++m_period;
            m_trialsInFlight = 0;
        }
        ++resetEvents;
    }

    void updateConfig(const CircuitBreakerConfig &config, TimePoint now)
    {
        if (config.windowType != m_config.windowType) {
            ++m_windowGeneration; // a new type starts empty
        } else if (config.windowSize != m_config.windowSize) {
            // What the old window holds moves to the new one, a time window's calls to the start
            // of their old bucket; the new window then keeps what it covers.
            const std::vector<Call> kept = windowCalls(now);
            ++m_windowGeneration;
            for (const Call &c : kept) {
                Call &call = m_calls[c.index];
                call.windowGeneration = m_windowGeneration;
                if (config.windowType == WindowType::Time)
                    call.windowAt = c.windowAt / bucketWidth() * bucketWidth();
            }
        }
        m_config = config;
        ++configEvents;
        if (state == CircuitState::Open) { // the open period keeps its start, takes the new length
            m_halfOpenAt = std::max(m_openedAt + std::max(openTime(), Duration::zero()), now);
            if (m_halfOpenAt <= now)
                enter(CircuitState::HalfOpen, TransitionReason::ResetTimeout, now);
        }
    }

    std::optional<TimePoint> halfOpenAt() const
    {
        return state == CircuitState::Open ? std::optional<TimePoint>(m_halfOpenAt) : std::nullopt;
    }

    CircuitBreakerMetrics metrics(TimePoint now) const
    {
        CircuitBreakerMetrics m;
        for (const Call &c : m_calls) {
            ++m.totalCalls;
            (c.failure ? m.failures : m.successes) += 1;
            m.timeouts += c.timeout;
            m.slowCalls += c.slow;
            if (c.failure)
                m.lastFailureTime = c.at;
        }
        m.rejected = m_rejected;
        m.consecutiveSuccesses = run(false);
        m.consecutiveFailures = run(true);
        const std::vector<Call> window = windowCalls(now);
        for (const Call &c : window) {
            ++m.windowCalls;
            m.windowFailures += c.failure;
            m.windowSlowCalls += c.slow;
        }
        m.failureRate = m.windowCalls ? double(m.windowFailures) / double(m.windowCalls) : 0.0;
        m.slowCallRate = m.windowCalls ? double(m.windowSlowCalls) / double(m.windowCalls) : 0.0;
        m.halfOpenInFlight = m_trialsInFlight;
        return m;
    }

    bool isHealthy(TimePoint now) const
    {
        if (state != CircuitState::Closed && state != CircuitState::Disabled
            && state != CircuitState::MetricsOnly)
            return false;
        const CircuitBreakerMetrics m = metrics(now);
        if (m.windowCalls == 0 || m.windowCalls < m_config.volumeThreshold) // the breaker's own volume gate
            return true;
        return m_config.failureRateThreshold <= 0 || m.failureRate < m_config.failureRateThreshold;
    }

private:
    struct Call
    {
        std::size_t index; // in m_calls
        TimePoint at;
        TimePoint windowAt; // where a time window places it: `at`, or a bucket start after a resize
        bool failure, timeout, slow;
        bool current; // from the present state period: counts in the window and the runs
        int windowGeneration;
    };

    // The calls the window holds at `now`: the current ones since it was last emptied, then the
    // last windowSize of them, or those whose 100th-of-the-window bucket is among the 100 newest.
    Duration bucketWidth() const { return fromMs(std::max<std::int64_t>(1, m_config.windowSize)) / 100; }
    std::vector<Call> windowCalls(TimePoint now) const
    {
        std::vector<Call> in;
        for (const Call &c : m_calls)
            if (c.current && c.windowGeneration == m_windowGeneration)
                in.push_back(c);
        const std::int64_t size = std::max<std::int64_t>(1, m_config.windowSize);
        if (m_config.windowType == WindowType::Count) {
            if (std::int64_t(in.size()) > size)
                in.erase(in.begin(), in.end() - size);
        } else {
            const Duration width = bucketWidth();
            const std::int64_t newest = now / width;
            std::erase_if(in, [&](const Call &c) { return c.windowAt / width <= newest - 100; });
        }
        return in;
    }

    // The length of the run of failures (or successes) that the current calls end with.
    int run(bool failures) const
    {
        int n = 0;
        for (std::size_t i = m_calls.size(); i > m_runStart; --i) {
            const Call &c = m_calls[i - 1];
            if (!c.current)
                continue;
            if (c.failure != failures)
                break;
            ++n;
        }
        return n;
    }

    void judgeClosed(TimePoint now)
    {
        if (m_config.failureThreshold > 0 && run(true) >= m_config.failureThreshold) {
            enter(CircuitState::Open, TransitionReason::FailureThreshold, now);
            return;
        }
        const CircuitBreakerMetrics m = metrics(now);
        if (m.windowCalls == 0 || m.windowCalls < m_config.volumeThreshold)
            return;
        if (m_config.failureRateThreshold > 0 && m.failureRate >= m_config.failureRateThreshold)
            enter(CircuitState::Open, TransitionReason::FailureRate, now);
        else if (m_config.slowCallRateThreshold > 0 && m.slowCallRate >= m_config.slowCallRateThreshold)
            enter(CircuitState::Open, TransitionReason::SlowCallRate, now);
    }

    Duration openTime() const
    {
        // resetTimeout × multiplier^(failed trials in a row), capped; a multiplier under 1 is 1.
        const Duration base = m_config.resetTimeout;
        if (m_failedTrials == 0)
            return base;
        const Duration cap
            = std::max(m_config.maxResetTimeout > Duration::zero() ? m_config.maxResetTimeout : base, base);
        const double scaled
            = double(base.count()) * std::pow(std::max(1.0, m_config.resetTimeoutMultiplier), m_failedTrials);
        return scaled >= double(cap.count()) ? cap : Duration(std::int64_t(scaled));
    }

    void enter(CircuitState to, TransitionReason reason, TimePoint now)
    {
        const CircuitState from = state;
        state = to;
        ++m_period;
        m_trialsInFlight = 0;
        if (to == CircuitState::Open) {
            m_failedTrials = from == CircuitState::HalfOpen ? m_failedTrials + 1 : 0;
            m_openedAt = now;
            m_halfOpenAt = now + std::max(openTime(), Duration::zero());
        } else if (to != CircuitState::HalfOpen) {
            m_failedTrials = 0;
        }
        // CLOSED, however entered, starts with no runs and an empty window; HALF_OPEN with no runs.
        if (to == CircuitState::HalfOpen || to == CircuitState::Closed)
            m_runStart = m_calls.size();
        if (to == CircuitState::Closed)
            ++m_windowGeneration;
        transitions.push_back({ from, to, reason, now, metrics(now) });
    }

    CircuitBreakerConfig m_config;
    std::vector<Call> m_calls; // every recorded call since the last reset
    std::size_t m_runStart = 0; // runs count from here (entering HALF_OPEN, closing)
    int m_windowGeneration = 0; // bumped whenever the window starts empty
    int m_period = 0; // bumped on every state entry (and reset)
    int m_trialsInFlight = 0;
    int m_failedTrials = 0;
    std::int64_t m_rejected = 0;
    TimePoint m_openedAt {};
    TimePoint m_halfOpenAt {};
};

// Records what the real breaker reports.
class Recorder : public CircuitBreakerListener
{
public:
    void onStateChange(const CircuitStateChange &c) override
    {
        transitions.push_back({ c.previousState, c.currentState, c.reason, c.at, c.metrics });
    }
    void onCall(const CircuitCall &c) override
    {
        calls.push_back({ c.success, c.isTimeout, c.slow, c.state, c.duration, c.at });
    }
    void onRejected(const QString &, CircuitState, TimePoint) override { ++rejected; }
    void onReset(const QString &, TimePoint) override { ++resets; }
    void onConfigChanged(const QString &, const CircuitBreakerConfig &) override { ++configs; }

    std::vector<Transition> transitions;
    std::vector<ModelCallEvent> calls;
    int rejected = 0, resets = 0, configs = 0;
};

QString describe(const CircuitBreakerMetrics &m)
{
    return u"succ=%1 fail=%2 tmo=%3 slow=%4 total=%5 rej=%6 cs=%7 cf=%8 lastFail=%9 "_s.arg(m.successes)
               .arg(m.failures)
               .arg(m.timeouts)
               .arg(m.slowCalls)
               .arg(m.totalCalls)
               .arg(m.rejected)
               .arg(m.consecutiveSuccesses)
               .arg(m.consecutiveFailures)
               .arg(m.lastFailureTime ? QString::number(toMs(*m.lastFailureTime)) : u"-"_s)
        + u"win=%1/%2/%3 rates=%4/%5 inflight=%6"_s.arg(m.windowCalls)
              .arg(m.windowFailures)
              .arg(m.windowSlowCalls)
              .arg(m.failureRate)
              .arg(m.slowCallRate)
              .arg(m.halfOpenInFlight);
}

bool sameMetrics(const CircuitBreakerMetrics &a, const CircuitBreakerMetrics &b)
{
    return a.successes == b.successes && a.failures == b.failures && a.timeouts == b.timeouts
        && a.slowCalls == b.slowCalls && a.totalCalls == b.totalCalls && a.rejected == b.rejected
        && a.consecutiveSuccesses == b.consecutiveSuccesses && a.consecutiveFailures == b.consecutiveFailures
        && a.lastFailureTime == b.lastFailureTime && a.windowCalls == b.windowCalls
        && a.windowFailures == b.windowFailures && a.windowSlowCalls == b.windowSlowCalls
        && a.failureRate == b.failureRate && a.slowCallRate == b.slowCallRate
        && a.halfOpenInFlight == b.halfOpenInFlight;
}

QString describe(const Transition &t)
{
    return u"%1>%2 %3 at %4ms [%5]"_s
        .arg(circuitStateName(t.from), circuitStateName(t.to), transitionReasonName(t.reason))
        .arg(toMs(t.at))
        .arg(describe(t.metrics));
}

bool sameTransition(const Transition &a, const Transition &b)
{
    return a.from == b.from && a.to == b.to && a.reason == b.reason && a.at == b.at
        && sameMetrics(a.metrics, b.metrics);
}

bool sameCall(const ModelCallEvent &a, const ModelCallEvent &b)
{
    return a.success == b.success && a.isTimeout == b.isTimeout && a.slow == b.slow && a.state == b.state
        && a.duration == b.duration && a.at == b.at;
}

// What a family of sequences leans towards.
struct Family
{
    int window; // 0 count, 1 time, 2 either
    int resetMaxMs; // reset timeouts are drawn from [1, resetMaxMs]
    int manualPerMille; // forceOpen, holdOpen, forceClose, reset, disable, metricsOnly
    int configPerMille; // updateConfig
    int failurePercent; // of call endings that are failures of some kind
};

// What the sequences of a row went through, so that a row that stops exercising something fails.
struct Coverage
{
    std::array<std::int64_t, 12> reasons {}; // by TransitionReason
    std::int64_t staleResults = 0, trialRejections = 0, slowCalls = 0, timeouts = 0, windowAgedOut = 0,
                 backedOffOpens = 0, timeWindows = 0, countWindows = 0;
};

double pick(QRandomGenerator &rng, std::initializer_list<double> values)
{
    return values.begin()[rng.bounded(int(values.size()))];
}

CircuitBreakerConfig randomConfig(QRandomGenerator &rng, const Family &f)
{
    CircuitBreakerConfig c;
    c.failureThreshold = rng.bounded(7); // 0 (off) .. 6
    c.failureRateThreshold = pick(rng, { 0.0, 0.25, 0.5, 0.5, 0.75, 1.0 });
    c.volumeThreshold = rng.bounded(9);
    c.slowCallDurationThreshold = fromMs(5 + rng.bounded(46));
    c.slowCallRateThreshold = pick(rng, { 0.0, 0.0, 0.3, 0.5, 1.0 });
    c.successThreshold = rng.bounded(5);
    c.halfOpenMaxCalls = rng.bounded(5);
    c.timeout = fromMs(3000);
    c.resetTimeout = fromMs(1 + rng.bounded(f.resetMaxMs));
    c.resetTimeoutMultiplier = pick(rng, { 1.0, 1.0, 1.5, 2.0, 3.0, 0.5 });
    c.maxResetTimeout
        = fromMs(static_cast<int>(pick(rng, { 0.0, 0.0, 1.0, 4.0, 10.0 }) * toMs(c.resetTimeout)));
    const bool time = f.window == 1 || (f.window == 2 && rng.bounded(2));
    c.windowType = time ? WindowType::Time : WindowType::Count;
    c.windowSize
        = time ? std::int64_t(pick(rng, { 1, 50, 99, 100, 150, 250, 1000, 3000 })) : 1 + rng.bounded(12);
    if (rng.bounded(10) < 3)
        c.recordErrors = { E500, ErrorCode::Timeout }; // 404 and CIRCUIT_TIMEOUT then count as successes
    if (rng.bounded(10) < 2)
        c.ignoreErrors = { ErrorCode::Cancelled, E404 };
    return c;
}

// A change of a few fields, as a person moving sliders would make.
CircuitBreakerConfig tweakConfig(QRandomGenerator &rng, CircuitBreakerConfig c, const Family &f)
{
    const CircuitBreakerConfig fresh = randomConfig(rng, f);
    switch (rng.bounded(8)) {
    case 0:
        c.failureThreshold = fresh.failureThreshold;
        break;
    case 1:
        c.failureRateThreshold = fresh.failureRateThreshold;
        c.volumeThreshold = fresh.volumeThreshold;
        break;
    case 2:
        c.slowCallRateThreshold = fresh.slowCallRateThreshold;
        c.slowCallDurationThreshold = fresh.slowCallDurationThreshold;
        break;
    case 3:
        c.successThreshold = fresh.successThreshold;
        c.halfOpenMaxCalls = fresh.halfOpenMaxCalls;
        break;
    case 4:
        c.resetTimeout = fresh.resetTimeout;
        c.resetTimeoutMultiplier = fresh.resetTimeoutMultiplier;
        c.maxResetTimeout = fresh.maxResetTimeout;
        break;
    case 5:
        c.windowSize = fresh.windowType == c.windowType ? fresh.windowSize : c.windowSize;
        break;
    case 6:
        c.windowType = fresh.windowType;
        c.windowSize = fresh.windowSize;
        break;
    case 7:
        c.recordErrors = fresh.recordErrors;
        c.ignoreErrors = fresh.ignoreErrors;
        break;
    }
    return c;
}

// Runs one sequence; returns an empty string, or what went wrong and where.
QString runSequence(quint32 seed, const Family &family, Coverage &coverage, int *stepsRun, bool verbose)
{
    QRandomGenerator rng(seed);
    CircuitBreakerConfig config = randomConfig(rng, family);
    VirtualScheduler scheduler;
    CircuitBreaker breaker(u"model"_s, config, scheduler);
    Recorder recorder;
    breaker.addListener(&recorder);
    Model model(config);
    struct Pending
    {
        CircuitPermit real;
        ModelPermit model;
        std::size_t periodsBefore; // state changes and resets seen when it was granted
    };
    const auto periods = [&] { return recorder.transitions.size() + std::size_t(recorder.resets); };
    std::vector<Pending> pending;
    QStringList trace; // the last steps, for the failure message
    (config.windowType == WindowType::Time ? coverage.timeWindows : coverage.countWindows) += 1;
    CircuitBreakerMetrics previous;

    const int steps = 20 + rng.bounded(280);
    QString failure;
    int step = 0;
    for (; step < steps && failure.isEmpty(); ++step) {
        QString action;
        const int roll = rng.bounded(1000);
        const int manualEnd = family.manualPerMille, configEnd = manualEnd + family.configPerMille;
        if (roll < manualEnd) {
            const TimePoint now = scheduler.now();
            switch (rng.bounded(6)) {
            case 0:
                breaker.forceOpen();
                model.manual(CircuitState::Open, TransitionReason::ForceOpen, now);
                action = u"forceOpen"_s;
                break;
            case 1:
                breaker.holdOpen();
                model.manual(CircuitState::ForcedOpen, TransitionReason::HoldOpen, now);
                action = u"holdOpen"_s;
                break;
            case 2:
                breaker.forceClose();
                model.manual(CircuitState::Closed, TransitionReason::ForceClose, now);
                action = u"forceClose"_s;
                break;
            case 3:
                breaker.reset();
                model.reset(now);
                action = u"reset"_s;
                break;
            case 4:
                breaker.disable();
                model.manual(CircuitState::Disabled, TransitionReason::Disable, now);
                action = u"disable"_s;
                break;
            case 5:
                breaker.metricsOnly();
                model.manual(CircuitState::MetricsOnly, TransitionReason::MetricsOnly, now);
                action = u"metricsOnly"_s;
                break;
            }
        } else if (roll < configEnd) {
            config = tweakConfig(rng, config, family);
            breaker.updateConfig(config);
            model.updateConfig(config, scheduler.now());
            action = u"updateConfig window=%1/%2 ft=%3 frt=%4 vol=%5 srt=%6 st=%7 hmax=%8 reset=%9"_s
                         .arg(config.windowType == WindowType::Time ? u"time"_s : u"count"_s)
                         .arg(config.windowSize)
                         .arg(config.failureThreshold)
                         .arg(config.failureRateThreshold)
                         .arg(config.volumeThreshold)
                         .arg(config.slowCallRateThreshold)
                         .arg(config.successThreshold)
                         .arg(config.halfOpenMaxCalls)
                         .arg(toMs(config.resetTimeout));
        } else if (roll < configEnd + 300) {
            const CircuitState before = breaker.state();
            const CircuitPermit real = breaker.tryAcquire();
            const ModelPermit expected = model.acquire(scheduler.now());
            coverage.trialRejections += before == CircuitState::HalfOpen && !real.granted;
            action = u"acquire -> %1%2"_s.arg(
                real.granted ? u"granted"_s : u"rejected"_s, real.trial ? u" (trial)"_s : QString());
            if (real.granted != expected.granted || real.trial != expected.trial)
                failure = u"permit: real granted=%1 trial=%2, model granted=%3 trial=%4"_s.arg(real.granted)
                              .arg(real.trial)
                              .arg(expected.granted)
                              .arg(expected.trial);
            if (real.granted)
                pending.push_back({ real, expected, periods() });
        } else if (roll < configEnd + 650) {
            if (pending.empty()) {
                action = u"(nothing to finish)"_s;
            } else {
                const std::size_t i = rng.bounded(quint32(pending.size()));
                const Pending p = pending[i];
                pending.erase(pending.begin() + std::ptrdiff_t(i));
                Ending ending = Ending::Success;
                if (int(rng.bounded(100)) < family.failurePercent) {
                    const Ending failures[] = { Ending::Failure, Ending::Failure, Ending::Failure,
                        Ending::Timeout, Ending::CircuitTimeout, Ending::NotFound, Ending::Cancelled,
                        Ending::BulkheadFull };
                    ending = failures[rng.bounded(8)];
                } else if (rng.bounded(10) == 0) {
                    ending = Ending::Release;
                }
                const std::size_t callsBefore = recorder.calls.size();
                const bool stale = periods() != p.periodsBefore;
                switch (ending) {
                case Ending::Success:
                    breaker.onSuccess(p.real);
                    break;
                case Ending::Release:
                    breaker.release(p.real);
                    break;
                default:
                    breaker.onError(
                        p.real, Error { endingCode(ending), u"model"_s, std::nullopt, Stage::Operation, {} });
                }
                model.finish(p.model, ending, scheduler.now());
                coverage.staleResults += stale && recorder.calls.size() > callsBefore;
                action = u"finish #%1 (acquired at %2ms) with %3"_s.arg(i)
                             .arg(toMs(p.real.acquiredAt))
                             .arg(endingName(ending));
            }
        } else {
            // Mostly short steps (slow calls), sometimes past the reset timeout or the window.
            const int ms = rng.bounded(10) < 8 ? rng.bounded(60)
                                               : rng.bounded(int(toMs(config.resetTimeout) * 4) + 3500);
            const TimePoint to = scheduler.now() + fromMs(ms);
            scheduler.advanceTo(to);
            model.advanceTo(to);
            coverage.windowAgedOut += breaker.metrics().windowCalls < previous.windowCalls
                && breaker.state() == CircuitState::Closed && config.windowType == WindowType::Time;
            action = u"advance %1ms"_s.arg(ms);
        }

        const TimePoint now = scheduler.now();
        action = u"step %1 at %2ms: %3"_s.arg(step).arg(toMs(now)).arg(action);
        if (verbose)
            qDebug().noquote() << action;
        trace.append(action);
        if (trace.size() > 25)
            trace.removeFirst();
        if (!failure.isEmpty())
            break;

        const CircuitBreakerMetrics real = breaker.metrics();
        const CircuitBreakerMetrics expected = model.metrics(now);
        previous = real;
        if (breaker.state() != model.state)
            failure = u"state: real %1, model %2"_s.arg(
                circuitStateName(breaker.state()), circuitStateName(model.state));
        else if (!sameMetrics(real, expected))
            failure = u"metrics:\n  real  %1\n  model %2"_s.arg(describe(real), describe(expected));
        else if (breaker.halfOpenAt() != model.halfOpenAt())
            failure = u"halfOpenAt: real %1, model %2"_s
                          .arg(breaker.halfOpenAt() ? toMs(*breaker.halfOpenAt()) : -1)
                          .arg(model.halfOpenAt() ? toMs(*model.halfOpenAt()) : -1);
        else if (breaker.isHealthy() != model.isHealthy(now))
            failure = u"isHealthy: real %1"_s.arg(breaker.isHealthy());
        else if (recorder.transitions.size() != model.transitions.size())
            failure
                = u"state changes: real %1, model %2; last real %3"_s.arg(recorder.transitions.size())
                      .arg(model.transitions.size())
                      .arg(recorder.transitions.empty() ? QString() : describe(recorder.transitions.back()));
        else if (!recorder.transitions.empty()
            && !sameTransition(recorder.transitions.back(), model.transitions.back()))
            failure = u"state change:\n  real  %1\n  model %2"_s.arg(
                describe(recorder.transitions.back()), describe(model.transitions.back()));
        else if (recorder.calls.size() != model.callEvents.size()
            || (!recorder.calls.empty() && !sameCall(recorder.calls.back(), model.callEvents.back())))
            failure = u"call events differ (real %1, model %2)"_s.arg(recorder.calls.size())
                          .arg(model.callEvents.size());
        else if (recorder.rejected != model.rejectedEvents || recorder.resets != model.resetEvents
            || recorder.configs != model.configEvents)
            failure = u"rejected/reset/config events: real %1/%2/%3, model %4/%5/%6"_s.arg(recorder.rejected)
                          .arg(recorder.resets)
                          .arg(recorder.configs)
                          .arg(model.rejectedEvents)
                          .arg(model.resetEvents)
                          .arg(model.configEvents);
    }
    for (const Transition &t : recorder.transitions) {
        ++coverage.reasons[std::size_t(t.reason)];
        if (t.to == CircuitState::Open && t.reason == TransitionReason::HalfOpenFailure)
            ++coverage.backedOffOpens;
    }
    for (const ModelCallEvent &c : recorder.calls) {
        coverage.slowCalls += c.slow;
        coverage.timeouts += c.isTimeout;
    }
    breaker.removeListener(&recorder);
    *stepsRun = step;
    if (failure.isEmpty())
        return {};
    return u"seed %1, step %2: %3\nlast steps:\n  %4"_s.arg(seed).arg(step - 1).arg(
        failure, trace.join(u"\n  "_s));
}

} // namespace

class tst_CircuitBreakerModel : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void modelFollowsTheContract();
    void randomSequences_data();
    void randomSequences();
};

// A few hand-checked facts about the model itself, so that agreeing with it means something.
void tst_CircuitBreakerModel::modelFollowsTheContract()
{
    CircuitBreakerConfig c;
    c.failureThreshold = 2;
    c.failureRateThreshold = 0;
    c.successThreshold = 1;
    c.resetTimeout = fromMs(100);
    c.resetTimeoutMultiplier = 2;
    c.maxResetTimeout = fromMs(300);
    c.windowType = WindowType::Time;
    c.windowSize = 1000;
    Model m(c);
    m.finish(m.acquire(fromMs(0)), Ending::Failure, fromMs(0));
    m.finish(m.acquire(fromMs(0)), Ending::Cancelled, fromMs(0)); // ignored
    m.finish(m.acquire(fromMs(0)), Ending::Timeout, fromMs(5));
    QCOMPARE(m.state, CircuitState::Open);
    QCOMPARE(m.transitions.back().reason, TransitionReason::FailureThreshold);
    QCOMPARE(m.metrics(fromMs(5)).timeouts, 1);
    QVERIFY(!m.acquire(fromMs(5)).granted);
    QCOMPARE(m.halfOpenAt(), std::optional<TimePoint>(fromMs(105)));
    m.advanceTo(fromMs(105));
    QCOMPARE(m.state, CircuitState::HalfOpen);
    const ModelPermit trial = m.acquire(fromMs(105));
    QVERIFY(trial.trial);
    QVERIFY(!m.acquire(fromMs(105)).granted);
    m.finish(trial, Ending::Failure, fromMs(110));
    QCOMPARE(m.halfOpenAt(), std::optional<TimePoint>(fromMs(310))); // doubled
    m.advanceTo(fromMs(310));
    m.finish(m.acquire(fromMs(310)), Ending::Failure, fromMs(310));
    QCOMPARE(m.halfOpenAt(), std::optional<TimePoint>(fromMs(610))); // capped at 300
    m.advanceTo(fromMs(610));
    m.finish(m.acquire(fromMs(610)), Ending::Success, fromMs(610));
    QCOMPARE(m.state, CircuitState::Closed);
    const CircuitBreakerMetrics after = m.metrics(fromMs(610));
    QCOMPARE(after.windowCalls, 0);
    QCOMPARE(after.totalCalls, 5);
    QCOMPARE(after.rejected, 2);
    m.finish(m.acquire(fromMs(620)), Ending::Failure, fromMs(620));
    QCOMPARE(m.metrics(fromMs(1619)).windowCalls, 1);
    QCOMPARE(m.metrics(fromMs(1620)).windowCalls, 0);
}

void tst_CircuitBreakerModel::randomSequences_data()
{
    QTest::addColumn<quint32>("firstSeed");
    QTest::addColumn<int>("sequences");
    QTest::addColumn<int>("window");
    QTest::addColumn<int>("resetMaxMs");
    QTest::addColumn<int>("manualPerMille");
    QTest::addColumn<int>("configPerMille");
    QTest::addColumn<int>("failurePercent");
    // 10,000 sequences in all, seeded by row so that any one can be replayed.
    QTest::addRow("count windows") << 1000000u << 2500 << 0 << 1000 << 10 << 5 << 40;
    QTest::addRow("time windows") << 2000000u << 2500 << 1 << 1000 << 10 << 5 << 40;
    QTest::addRow("half-open churn") << 3000000u << 2000 << 2 << 40 << 5 << 5 << 60;
    QTest::addRow("manual actions and config changes") << 4000000u << 2000 << 2 << 500 << 60 << 40 << 40;
    QTest::addRow("mostly healthy") << 5000000u << 1000 << 2 << 2000 << 5 << 5 << 15;
}

void tst_CircuitBreakerModel::randomSequences()
{
    QFETCH(quint32, firstSeed);
    QFETCH(int, sequences);
    QFETCH(int, window);
    QFETCH(int, resetMaxMs);
    QFETCH(int, manualPerMille);
    QFETCH(int, configPerMille);
    QFETCH(int, failurePercent);
    const Family family { window, resetMaxMs, manualPerMille, configPerMille, failurePercent };

    quint32 first = firstSeed;
    bool verbose = false;
    const QByteArray only = qgetenv("BREAKWATER_MODEL_SEED");
    if (!only.isEmpty()) {
        const quint32 seed = only.toUInt();
        if (seed < firstSeed || seed >= firstSeed + quint32(sequences))
            QSKIP("BREAKWATER_MODEL_SEED belongs to another row");
        first = seed;
        sequences = 1;
        verbose = true;
    }

    std::int64_t totalSteps = 0;
    Coverage coverage;
    for (int i = 0; i < sequences; ++i) {
        int steps = 0;
        const QString failure = runSequence(first + quint32(i), family, coverage, &steps, verbose);
        totalSteps += steps;
        if (!failure.isEmpty())
            QFAIL(qPrintable(failure + u"\nreplay: BREAKWATER_MODEL_SEED=%1"_s.arg(first + quint32(i))));
    }
    qDebug("%d sequences, %lld steps", sequences, static_cast<long long>(totalSteps));
    if (verbose)
        return;
    QStringList reasons;
    for (std::size_t r = 0; r < coverage.reasons.size(); ++r)
        reasons.append(u"%1 %2"_s.arg(transitionReasonName(TransitionReason(r))).arg(coverage.reasons[r]));
    qDebug().noquote() << reasons.join(u", "_s);
    qDebug("stale results %lld, trial rejections %lld, slow calls %lld, timeouts %lld, window aged out %lld, "
           "back-off opens %lld",
        static_cast<long long>(coverage.staleResults), static_cast<long long>(coverage.trialRejections),
        static_cast<long long>(coverage.slowCalls), static_cast<long long>(coverage.timeouts),
        static_cast<long long>(coverage.windowAgedOut), static_cast<long long>(coverage.backedOffOpens));
    // Every automatic transition, and the things that make the breaker hard, happen in every row.
    for (TransitionReason r : { TransitionReason::FailureThreshold, TransitionReason::FailureRate,
             TransitionReason::SlowCallRate, TransitionReason::ResetTimeout,
             TransitionReason::SuccessThreshold, TransitionReason::HalfOpenFailure })
        QVERIFY2(coverage.reasons[std::size_t(r)] > 0, transitionReasonName(r).data());
    if (manualPerMille > 0) {
        for (TransitionReason r :
            { TransitionReason::ForceOpen, TransitionReason::HoldOpen, TransitionReason::ForceClose,
                TransitionReason::Reset, TransitionReason::Disable, TransitionReason::MetricsOnly })
            QVERIFY2(coverage.reasons[std::size_t(r)] > 0, transitionReasonName(r).data());
    }
    QVERIFY(coverage.staleResults > 0);
    QVERIFY(coverage.trialRejections > 0);
    QVERIFY(coverage.slowCalls > 0);
    QVERIFY(coverage.timeouts > 0);
    QVERIFY(coverage.backedOffOpens > 0);
    if (window != 0)
        QVERIFY(coverage.windowAgedOut > 0);
}

QTEST_GUILESS_MAIN(tst_CircuitBreakerModel)
#include "tst_circuitbreaker_model.moc"
