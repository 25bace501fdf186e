#include "resilience/circuitbreaker.h"
#include "resilience/health.h"
#include "runtime/virtualscheduler.h"

#include <QTest>

#include "countingnew.h" // replaces global operator new in this executable

#include <atomic>
#include <mutex>
#include <thread>
#include <vector>

using namespace bw;
using namespace Qt::StringLiterals;

namespace QTest {
template<> char *toString(const CircuitState &state)
{
    return qstrdup(circuitStateName(state).data());
}
template<> char *toString(const TransitionReason &reason)
{
    return qstrdup(transitionReasonName(reason).data());
}
} // namespace QTest

namespace {

constexpr auto ResetTimeout = std::chrono::milliseconds(1000);
constexpr auto SlowThreshold = std::chrono::milliseconds(100);
constexpr auto SlowCall = std::chrono::milliseconds(150);

Error error(ErrorCode code)
{
    return Error { code, QStringLiteral("boom"), std::nullopt, Stage::Operation, {} };
}

// Small numbers so that every transition is a few calls away; rates off unless a test sets them.
CircuitBreakerConfig baseConfig()
{
    CircuitBreakerConfig c;
    c.failureThreshold = 3;
    c.failureRateThreshold = 0;
    c.volumeThreshold = 10;
    c.slowCallDurationThreshold = SlowThreshold;
    c.slowCallRateThreshold = 0;
    c.successThreshold = 2;
    c.resetTimeout = ResetTimeout;
    c.windowType = WindowType::Count;
    c.windowSize = 10;
    return c;
}

struct CallEvent
{
    QString name;
    bool success;
    Duration duration;
    CircuitState state;
    ErrorCode code; // null on success
    bool isTimeout, slow;
    TimePoint at;
};

// Records every event, and the order they came in.
class Recorder : public CircuitBreakerListener
{
public:
    void onStateChange(const CircuitStateChange &change) override
    {
        changes.append(change);
        log.append(QStringLiteral("state %1>%2 %3")
                       .arg(circuitStateName(change.previousState), circuitStateName(change.currentState),
                           transitionReasonName(change.reason)));
    }
    void onCall(const CircuitCall &call) override
    {
        calls.append({ call.name, call.success, call.duration, call.state,
            call.error ? call.error->code : ErrorCode(), call.isTimeout, call.slow, call.at });
        log.append(QStringLiteral("call"));
    }
    void onRejected(const QString &name, CircuitState state, TimePoint at) override
    {
        rejections.append({ state, at });
        names.append(name);
        log.append(QStringLiteral("rejected"));
    }
    void onReset(const QString &name, TimePoint at) override
    {
        resets.append(at);
        names.append(name);
        log.append(QStringLiteral("reset"));
    }
    void onConfigChanged(const QString &name, const CircuitBreakerConfig &config) override
    {
        configs.append(config);
        names.append(name);
        log.append(QStringLiteral("config"));
    }

    QList<CircuitStateChange> changes;
    QList<CallEvent> calls;
    QList<std::pair<CircuitState, TimePoint>> rejections;
    QList<TimePoint> resets;
    QList<CircuitBreakerConfig> configs;
    QStringList names;
    QStringList log;
};

// A breaker on virtual time with a recorder attached.
struct Harness
{
    explicit Harness(const CircuitBreakerConfig &config = baseConfig())
        : breaker(QStringLiteral("svc"), config, scheduler)
    {
        breaker.addListener(&recorder);
    }
    ~Harness() { breaker.removeListener(&recorder); }

    // One call through the breaker, at the permit level: false when rejected. Kinds:
    // S success, F failure (500), T TIMEOUT, C CIRCUIT_TIMEOUT, I ignored (CANCELLED),
    // N 404 (a success when recordErrors is set), R released, W slow success, X slow failure.
    bool call(QChar kind)
    {
        const CircuitPermit permit = breaker.tryAcquire();
        if (!permit)
            return false;
        finish(permit, kind);
        return true;
    }
    void finish(const CircuitPermit &permit, QChar kind)
    {
        if (kind == u'W' || kind == u'X')
            scheduler.advanceBy(SlowCall);
        switch (kind.unicode()) {
        case u'S':
        case u'W':
            breaker.onSuccess(permit);
            break;
        case u'F':
        case u'X':
            breaker.onError(permit, error(ErrorCode::httpStatus(500)));
            break;
        case u'T':
            breaker.onError(permit, error(ErrorCode::Timeout));
            break;
        case u'C':
            breaker.onError(permit, error(ErrorCode::CircuitTimeout));
            break;
        case u'I':
            breaker.onError(permit, error(ErrorCode::Cancelled));
            break;
        case u'N':
            breaker.onError(permit, error(ErrorCode::httpStatus(404)));
            break;
        case u'R':
            breaker.release(permit);
            break;
        default:
            qFatal("unknown call kind");
        }
    }
    // Runs a sequence of calls; returns how many were rejected.
    int run(QStringView sequence)
    {
        int rejected = 0;
        for (QChar kind : sequence)
            rejected += call(kind) ? 0 : 1;
        return rejected;
    }
    // Trips the breaker with consecutive failures and waits out the reset timeout.
    void toHalfOpen()
    {
        for (int i = 0; i < breaker.config().failureThreshold; ++i)
            call(u'F');
        QCOMPARE(breaker.state(), CircuitState::Open);
        scheduler.advanceBy(ResetTimeout);
        QCOMPARE(breaker.state(), CircuitState::HalfOpen);
    }

    VirtualScheduler scheduler;
    Recorder recorder;
    CircuitBreaker breaker;
};

// Counts events without allocating, for the allocation test.
class CountingListener : public CircuitBreakerListener
{
public:
    void onCall(const CircuitCall &) override { calls.fetch_add(1, std::memory_order_relaxed); }
    void onRejected(const QString &, CircuitState, TimePoint) override
    {
        rejected.fetch_add(1, std::memory_order_relaxed);
    }
    void onStateChange(const CircuitStateChange &) override
    {
        changes.fetch_add(1, std::memory_order_relaxed);
    }
    std::atomic<std::int64_t> calls { 0 }, rejected { 0 }, changes { 0 };
};

// A thread-safe clock that stands still and whose timers never fire, for the threading test.
class FrozenScheduler final : public Scheduler
{
public:
    TimePoint now() const override { return TimePoint::zero(); }
    TimerId scheduleAt(TimePoint, TimerTask &&) override { return m_next.fetch_add(1) + 1; }
    TimerId scheduleFirstAt(TimePoint, TimerTask &&) override { return m_next.fetch_add(1) + 1; }
    bool cancel(TimerId) override { return true; }

private:
    std::atomic<TimerId> m_next { 0 };
};

} // namespace

class tst_CircuitBreaker : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void names_data();
    void names();
    void reasonNames_data();
    void reasonNames();
    void defaults();
    void startsClosedAndEmpty();

    void closedTransitions_data();
    void closedTransitions();
    void rejectsWhileOpen();
    void halfOpenAfterResetTimeoutWithoutTraffic();
    void closesAfterSuccessThreshold_data();
    void closesAfterSuccessThreshold();
    void reopensOnHalfOpenFailure_data();
    void reopensOnHalfOpenFailure();
    void halfOpenTrialLimit_data();
    void halfOpenTrialLimit();
    void halfOpenIgnoredAndReleasedTrialsFreeSlots();
    void halfOpenStartsAFreshRun();
    void failureRateNeedsVolume();
    void timeoutsAreFailures_data();
    void timeoutsAreFailures();
    void slowCalls_data();
    void slowCalls();
    void slowCallRateOpensOnSuccesses();
    void resetTimeoutBackoff_data();
    void resetTimeoutBackoff();

    void metricsEveryField();
    void health_data();
    void health();
    void healthSummary_data();
    void healthSummary();
    void reset();
    void resetWhileClosed();
    void forceOpen();
    void holdOpenSurvivesResetTimeout();
    void forceCloseStartsFresh();
    void disable();
    void metricsOnly();
    void manualTransitions_data();
    void manualTransitions();
    void staleTimerDoesNothing();

    void callEvent();
    void stateChangeEvent();
    void eventOrder();
    void listenerMayCallBack();
    void removedListenerHearsNothing();
    void updateConfigKeepsStateAndWindow();
    void updateConfigReschedulesOpenTimer();
    void updateConfigNewWindow_data();
    void updateConfigNewWindow();
    void updateConfigResizedTimeWindow_data();
    void updateConfigResizedTimeWindow();
    void updateConfigAppliesAtOnce();

    void classify_data();
    void classify();
    void ignoredErrorsRecordNothing();
    void nonRecordedErrorsAreSuccesses();
    void stalePermitsCountInLifetimeOnly();
    void staleTrialDoesNotFreeNewSlot();
    void permitFromBeforeReset();
    void ungrantedPermitIsIgnored();

    void timeWindowAgesOut();
    void timeWindowTripsOnRate();
    void countWindowTripsOnRate();

    void durationFromAcquire();
    void destructionCancelsTimer();
    void noAllocationOnCallPaths();
    void concurrentCallsKeepCountsExact();
};

void tst_CircuitBreaker::names_data()
{
    QTest::addColumn<CircuitState>("state");
    QTest::addColumn<QString>("name");
    QTest::addColumn<int>("number");
    QTest::addRow("closed") << CircuitState::Closed << QStringLiteral("CLOSED") << 0;
    QTest::addRow("open") << CircuitState::Open << QStringLiteral("OPEN") << 1;
    QTest::addRow("half open") << CircuitState::HalfOpen << QStringLiteral("HALF_OPEN") << 2;
    QTest::addRow("disabled") << CircuitState::Disabled << QStringLiteral("DISABLED") << 3;
    QTest::addRow("forced open") << CircuitState::ForcedOpen << QStringLiteral("FORCED_OPEN") << 4;
    QTest::addRow("metrics only") << CircuitState::MetricsOnly << QStringLiteral("METRICS_ONLY") << 5;
}

void tst_CircuitBreaker::names()
{
    QFETCH(CircuitState, state);
    QFETCH(QString, name);
    QFETCH(int, number);
    QCOMPARE(circuitStateName(state), name);
    QCOMPARE(int(state), number);
    QVERIFY(number < CircuitStateCount);
}

void tst_CircuitBreaker::reasonNames_data()
{
    QTest::addColumn<TransitionReason>("reason");
    QTest::addColumn<QString>("name");
    QTest::addRow("failureThreshold")
        << TransitionReason::FailureThreshold << QStringLiteral("failureThreshold");
    QTest::addRow("failureRate") << TransitionReason::FailureRate << QStringLiteral("failureRate");
    QTest::addRow("slowCallRate") << TransitionReason::SlowCallRate << QStringLiteral("slowCallRate");
    QTest::addRow("resetTimeout") << TransitionReason::ResetTimeout << QStringLiteral("resetTimeout");
    QTest::addRow("successThreshold")
        << TransitionReason::SuccessThreshold << QStringLiteral("successThreshold");
    QTest::addRow("halfOpenFailure") << TransitionReason::HalfOpenFailure
                                     << QStringLiteral("halfOpenFailure");
    QTest::addRow("forceOpen") << TransitionReason::ForceOpen << QStringLiteral("forceOpen");
    QTest::addRow("holdOpen") << TransitionReason::HoldOpen << QStringLiteral("holdOpen");
    QTest::addRow("forceClose") << TransitionReason::ForceClose << QStringLiteral("forceClose");
    QTest::addRow("reset") << TransitionReason::Reset << QStringLiteral("reset");
    QTest::addRow("disable") << TransitionReason::Disable << QStringLiteral("disable");
    QTest::addRow("metricsOnly") << TransitionReason::MetricsOnly << QStringLiteral("metricsOnly");
}

void tst_CircuitBreaker::reasonNames()
{
    QFETCH(TransitionReason, reason);
    QFETCH(QString, name);
    QCOMPARE(transitionReasonName(reason), name);
}

void tst_CircuitBreaker::defaults()
{
    // docs/semantics.md, "Circuit breaker": the guide's createCircuitBreaker defaults.
    const CircuitBreakerConfig c;
    QCOMPARE(c.failureThreshold, 5);
    QCOMPARE(c.failureRateThreshold, 0.5);
    QCOMPARE(c.volumeThreshold, 10);
    QCOMPARE(c.slowCallDurationThreshold, fromMs(1000));
    QCOMPARE(c.successThreshold, 5);
    QCOMPARE(c.effectiveHalfOpenMaxCalls(), 5);
    QCOMPARE(c.resetTimeout, fromMs(60000));
    QCOMPARE(c.effectiveMaxResetTimeout(), fromMs(60000));
    QCOMPARE(c.windowType, WindowType::Time);
    QCOMPARE(c.windowSize, 60000);
}

void tst_CircuitBreaker::startsClosedAndEmpty()
{
    Harness h;
    QCOMPARE(h.breaker.name(), QStringLiteral("svc"));
    QCOMPARE(&h.breaker.scheduler(), &h.scheduler);
    QCOMPARE(h.breaker.state(), CircuitState::Closed);
    QCOMPARE(h.breaker.config(), baseConfig());
    QVERIFY(h.breaker.isHealthy());
    QVERIFY(!h.breaker.halfOpenAt());
    const CircuitBreakerMetrics m = h.breaker.metrics();
    QCOMPARE(m.totalCalls, 0);
    QCOMPARE(m.rejected, 0);
    QVERIFY(!m.lastFailureTime);
    QCOMPARE(m.failureRate, 0.0);
    QVERIFY(h.recorder.log.isEmpty());
}

void tst_CircuitBreaker::closedTransitions_data()
{
    // The CLOSED row of the transition matrix: a call sequence (see Harness::call) on a count
    // window, and where the breaker ends up.
    QTest::addColumn<int>("failureThreshold");
    QTest::addColumn<double>("failureRate");
    QTest::addColumn<int>("volume");
    QTest::addColumn<double>("slowRate");
    QTest::addColumn<int>("windowSize");
    QTest::addColumn<QString>("sequence");
    QTest::addColumn<CircuitState>("state");
    QTest::addColumn<QString>("reason"); // of the last state change; empty: none
    QTest::addColumn<int>("windowCalls");

    const auto Closed = CircuitState::Closed, Open = CircuitState::Open;
    // clang-format off
    QTest::addRow("three failures") << 3 << 0.0 << 10 << 0.0 << 10 << u"FFF"_s << Open << u"failureThreshold"_s << 3;
    QTest::addRow("two failures") << 3 << 0.0 << 10 << 0.0 << 10 << u"FF"_s << Closed << QString() << 2;
    QTest::addRow("a success breaks the run") << 3 << 0.0 << 10 << 0.0 << 10 << u"FFSFF"_s << Closed << QString() << 5;
    QTest::addRow("threshold 1") << 1 << 0.0 << 10 << 0.0 << 10 << u"F"_s << Open << u"failureThreshold"_s << 1;
    QTest::addRow("threshold 0 is off") << 0 << 0.0 << 10 << 0.0 << 10 << u"FFFFFFFFFFFF"_s << Closed << QString() << 10;
    QTest::addRow("no volume gate on consecutive failures") << 3 << 0.5 << 100 << 0.0 << 10 << u"FFF"_s << Open << u"failureThreshold"_s << 3;
    QTest::addRow("consecutive beats rate") << 2 << 0.5 << 2 << 0.0 << 10 << u"FF"_s << Open << u"failureThreshold"_s << 2;
    QTest::addRow("timeouts are failures") << 3 << 0.0 << 10 << 0.0 << 10 << u"TCF"_s << Open << u"failureThreshold"_s << 3;
    QTest::addRow("ignored errors leave the run") << 3 << 0.0 << 10 << 0.0 << 10 << u"FFIF"_s << Open << u"failureThreshold"_s << 3;
    QTest::addRow("release leaves the run") << 3 << 0.0 << 10 << 0.0 << 10 << u"FFRF"_s << Open << u"failureThreshold"_s << 3;
    QTest::addRow("rate under volume") << 0 << 0.5 << 10 << 0.0 << 10 << u"FFFFF"_s << Closed << QString() << 5;
    QTest::addRow("rate at volume, judged on a success") << 0 << 0.5 << 10 << 0.0 << 10 << u"FFFFFSSSSS"_s << Open << u"failureRate"_s << 10;
    QTest::addRow("rate under threshold at volume") << 0 << 0.5 << 10 << 0.0 << 10 << u"FFFFSSSSSS"_s << Closed << QString() << 10;
    QTest::addRow("volume 0 judges the first call") << 0 << 0.5 << 0 << 0.0 << 10 << u"SF"_s << Open << u"failureRate"_s << 2;
    QTest::addRow("count window slides") << 0 << 1.0 << 4 << 0.0 << 4 << u"FFFSFFFF"_s << Open << u"failureRate"_s << 4;
    QTest::addRow("count window slides, not yet") << 0 << 1.0 << 4 << 0.0 << 4 << u"FFFSFFF"_s << Closed << QString() << 4;
    QTest::addRow("rate 0 is off") << 0 << 0.0 << 1 << 0.0 << 10 << u"FFFFFFFFFF"_s << Closed << QString() << 10;
    QTest::addRow("slow rate on successes") << 0 << 0.0 << 4 << 0.5 << 10 << u"SSWW"_s << Open << u"slowCallRate"_s << 4;
    QTest::addRow("slow rate under volume") << 0 << 0.0 << 4 << 0.5 << 10 << u"WWW"_s << Closed << QString() << 3;
    QTest::addRow("slow rate 0 is off") << 0 << 0.0 << 2 << 0.0 << 10 << u"WWWW"_s << Closed << QString() << 4;
    QTest::addRow("slow failures: failure rate named first") << 0 << 0.5 << 2 << 0.5 << 10 << u"XX"_s << Open << u"failureRate"_s << 2;
    QTest::addRow("slow failures trip slow rate alone") << 0 << 0.0 << 2 << 0.5 << 10 << u"XX"_s << Open << u"slowCallRate"_s << 2;
    // clang-format on
}

void tst_CircuitBreaker::closedTransitions()
{
    QFETCH(int, failureThreshold);
    QFETCH(double, failureRate);
    QFETCH(int, volume);
    QFETCH(double, slowRate);
    QFETCH(int, windowSize);
    QFETCH(QString, sequence);
    QFETCH(CircuitState, state);
    QFETCH(QString, reason);
    QFETCH(int, windowCalls);

    CircuitBreakerConfig c = baseConfig();
    c.failureThreshold = failureThreshold;
    c.failureRateThreshold = failureRate;
    c.volumeThreshold = volume;
    c.slowCallRateThreshold = slowRate;
    c.windowSize = windowSize;
    Harness h(c);
    QCOMPARE(h.run(sequence), 0);
    QCOMPARE(h.breaker.state(), state);
    QCOMPARE(h.breaker.metrics().windowCalls, windowCalls);
    if (reason.isEmpty()) {
        QVERIFY(h.recorder.changes.isEmpty());
    } else {
        QCOMPARE(h.recorder.changes.size(), 1);
        QCOMPARE(h.recorder.changes[0].previousState, CircuitState::Closed);
        QCOMPARE(h.recorder.changes[0].currentState, state);
        QCOMPARE(transitionReasonName(h.recorder.changes[0].reason), reason);
    }
}

void tst_CircuitBreaker::rejectsWhileOpen()
{
    Harness h;
    h.run(u"FFF");
    QCOMPARE(h.breaker.state(), CircuitState::Open);
    int operationRuns = 0;
    for (int i = 0; i < 5; ++i) {
        h.scheduler.advanceBy(std::chrono::milliseconds(10));
        const CircuitPermit permit = h.breaker.tryAcquire();
        QVERIFY(!permit);
        QVERIFY(!permit.granted);
        if (permit) // what a caller does: the operation runs only with a permit
            ++operationRuns;
    }
    QCOMPARE(operationRuns, 0);
    const CircuitBreakerMetrics m = h.breaker.metrics();
    QCOMPARE(m.rejected, 5);
    QCOMPARE(m.totalCalls, 3); // rejections are not calls
    QCOMPARE(h.recorder.rejections.size(), 5);
    QCOMPARE(h.recorder.rejections[0].first, CircuitState::Open);
    QCOMPARE(h.recorder.rejections[0].second, fromMs(10));
    QCOMPARE(h.recorder.rejections[4].second, fromMs(50));
    QCOMPARE(h.recorder.calls.size(), 3);
    QCOMPARE(h.recorder.names.first(), QStringLiteral("svc"));
}

void tst_CircuitBreaker::halfOpenAfterResetTimeoutWithoutTraffic()
{
    Harness h;
    h.scheduler.advanceBy(std::chrono::milliseconds(500));
    h.run(u"FFF");
    QCOMPARE(h.breaker.state(), CircuitState::Open);
    QCOMPARE(h.breaker.halfOpenAt(), std::optional<TimePoint>(fromMs(1500)));
    QCOMPARE(h.scheduler.pendingTimers(), 1u);

    h.scheduler.advanceTo(fromMs(1499));
    QCOMPARE(h.breaker.state(), CircuitState::Open);
    QCOMPARE(h.recorder.changes.size(), 1);

    // No call arrives: the timer alone moves the breaker, at exactly the reset time.
    h.scheduler.advanceTo(fromMs(5000));
    QCOMPARE(h.breaker.state(), CircuitState::HalfOpen);
    QVERIFY(!h.breaker.halfOpenAt());
    QCOMPARE(h.recorder.changes.size(), 2);
    const CircuitStateChange &change = h.recorder.changes[1];
    QCOMPARE(change.previousState, CircuitState::Open);
    QCOMPARE(change.currentState, CircuitState::HalfOpen);
    QCOMPARE(change.reason, TransitionReason::ResetTimeout);
    QCOMPARE(change.at, fromMs(1500));
    QCOMPARE(h.scheduler.pendingTimers(), 0u);
}

void tst_CircuitBreaker::closesAfterSuccessThreshold_data()
{
    QTest::addColumn<int>("successThreshold");
    QTest::addColumn<QString>("sequence"); // the trial calls
    QTest::addColumn<CircuitState>("state");
    QTest::addRow("2 of 2") << 2 << u"SS"_s << CircuitState::Closed;
    QTest::addRow("1 of 2") << 2 << u"S"_s << CircuitState::HalfOpen;
    QTest::addRow("1 of 1") << 1 << u"S"_s << CircuitState::Closed;
    QTest::addRow("ignored trials do not count") << 2 << u"SIR"_s << CircuitState::HalfOpen;
    QTest::addRow("non-recorded errors count as successes") << 2 << u"SN"_s << CircuitState::Closed;
    QTest::addRow("slow successes are successes") << 3 << u"WWW"_s << CircuitState::Closed;
    QTest::addRow("threshold 0 acts as 1") << 0 << u"S"_s << CircuitState::Closed;
}

void tst_CircuitBreaker::closesAfterSuccessThreshold()
{
    QFETCH(int, successThreshold);
    QFETCH(QString, sequence);
    QFETCH(CircuitState, state);
    CircuitBreakerConfig c = baseConfig();
    c.successThreshold = successThreshold;
    c.halfOpenMaxCalls = 5;
    c.recordErrors = { ErrorCode::httpStatus(500) };
    Harness h(c);
    h.toHalfOpen();
    QCOMPARE(h.run(sequence), 0);
    QCOMPARE(h.breaker.state(), state);
    const CircuitBreakerMetrics m = h.breaker.metrics();
    if (state == CircuitState::Closed) {
        const CircuitStateChange &change = h.recorder.changes.last();
        QCOMPARE(change.previousState, CircuitState::HalfOpen);
        QCOMPARE(change.reason, TransitionReason::SuccessThreshold);
        // Closing starts afresh: the window and the runs are cleared, lifetime counters kept.
        QCOMPARE(m.windowCalls, 0);
        QCOMPARE(m.consecutiveSuccesses, 0);
        QCOMPARE(m.consecutiveFailures, 0);
        QCOMPARE(m.failures, 3);
        QVERIFY(!h.breaker.halfOpenAt());
    } else {
        QCOMPARE(m.consecutiveSuccesses, 1);
    }
}

void tst_CircuitBreaker::reopensOnHalfOpenFailure_data()
{
    QTest::addColumn<QString>("sequence");
    QTest::addColumn<int>("timeouts");
    QTest::addRow("failure") << u"F"_s << 0;
    QTest::addRow("failure after a success") << u"SF"_s << 0;
    QTest::addRow("TIMEOUT") << u"T"_s << 1;
    QTest::addRow("CIRCUIT_TIMEOUT") << u"C"_s << 1;
    QTest::addRow("slow failure") << u"X"_s << 0;
}

void tst_CircuitBreaker::reopensOnHalfOpenFailure()
{
    QFETCH(QString, sequence);
    QFETCH(int, timeouts);
    Harness h;
    h.toHalfOpen();
    h.run(sequence);
    QCOMPARE(h.breaker.state(), CircuitState::Open);
    const CircuitStateChange &change = h.recorder.changes.last();
    QCOMPARE(change.previousState, CircuitState::HalfOpen);
    QCOMPARE(change.reason, TransitionReason::HalfOpenFailure);
    // The open timer restarts from the failed trial.
    const TimePoint failedAt = h.scheduler.now();
    QCOMPARE(h.breaker.halfOpenAt(), std::optional<TimePoint>(failedAt + ResetTimeout));
    QCOMPARE(h.breaker.metrics().timeouts, timeouts);
    QVERIFY(!h.breaker.tryAcquire());
    h.scheduler.advanceBy(ResetTimeout);
    QCOMPARE(h.breaker.state(), CircuitState::HalfOpen);
}

void tst_CircuitBreaker::halfOpenTrialLimit_data()
{
    QTest::addColumn<int>("successThreshold");
    QTest::addColumn<int>("halfOpenMaxCalls");
    QTest::addColumn<int>("admitted");
    QTest::addRow("default: successThreshold") << 3 << 0 << 3;
    QTest::addRow("fewer than successThreshold") << 3 << 1 << 1;
    QTest::addRow("more than successThreshold") << 1 << 4 << 4;
    QTest::addRow("both 0: one trial") << 0 << 0 << 1;
}

void tst_CircuitBreaker::halfOpenTrialLimit()
{
    QFETCH(int, successThreshold);
    QFETCH(int, halfOpenMaxCalls);
    QFETCH(int, admitted);
    CircuitBreakerConfig c = baseConfig();
    c.successThreshold = successThreshold;
    c.halfOpenMaxCalls = halfOpenMaxCalls;
    Harness h(c);
    h.toHalfOpen();
    std::vector<CircuitPermit> trials;
    for (int i = 0; i < admitted; ++i) {
        const CircuitPermit p = h.breaker.tryAcquire();
        QVERIFY(p);
        QVERIFY(p.trial);
        trials.push_back(p);
    }
    QCOMPARE(h.breaker.metrics().halfOpenInFlight, admitted);
    QVERIFY(!h.breaker.tryAcquire());
    QVERIFY(!h.breaker.tryAcquire());
    QCOMPARE(h.breaker.metrics().rejected, 2);
    QCOMPARE(h.recorder.rejections.size(), 2);
    QCOMPARE(h.recorder.rejections[0].first, CircuitState::HalfOpen);

    // A finished trial frees its slot (unless it decided the state).
    if (std::max(1, successThreshold) > 1) {
        h.breaker.onSuccess(trials.back());
        trials.pop_back();
        QCOMPARE(h.breaker.state(), CircuitState::HalfOpen);
        QCOMPARE(h.breaker.metrics().halfOpenInFlight, admitted - 1);
        QVERIFY(h.breaker.tryAcquire());
        QVERIFY(!h.breaker.tryAcquire());
    }
}

void tst_CircuitBreaker::halfOpenIgnoredAndReleasedTrialsFreeSlots()
{
    CircuitBreakerConfig c = baseConfig();
    c.halfOpenMaxCalls = 1;
    Harness h(c);
    h.toHalfOpen();
    CircuitPermit p = h.breaker.tryAcquire();
    QVERIFY(p);
    QVERIFY(!h.breaker.tryAcquire());
    h.breaker.release(p);
    QCOMPARE(h.breaker.metrics().halfOpenInFlight, 0);
    p = h.breaker.tryAcquire();
    QVERIFY(p);
    h.breaker.onError(p, error(ErrorCode::BulkheadQueueFull)); // ignored: like release
    QCOMPARE(h.breaker.state(), CircuitState::HalfOpen);
    QCOMPARE(h.breaker.metrics().halfOpenInFlight, 0);
    QCOMPARE(h.breaker.metrics().totalCalls, 3);
    QVERIFY(h.breaker.tryAcquire());
}

void tst_CircuitBreaker::halfOpenStartsAFreshRun()
{
    CircuitBreakerConfig c = baseConfig();
    c.successThreshold = 3;
    Harness h(c);
    h.run(u"SS"); // a run of two successes in CLOSED
    h.breaker.forceOpen();
    h.scheduler.advanceBy(ResetTimeout);
    QCOMPARE(h.breaker.state(), CircuitState::HalfOpen);
    CircuitBreakerMetrics m = h.breaker.metrics();
    QCOMPARE(m.consecutiveSuccesses, 0);
    QCOMPARE(m.consecutiveFailures, 0);
    h.run(u"S"); // the CLOSED run does not count towards closing
    QCOMPARE(h.breaker.state(), CircuitState::HalfOpen);
    h.run(u"SS");
    QCOMPARE(h.breaker.state(), CircuitState::Closed);

    Harness tripped(c);
    tripped.toHalfOpen();
    QCOMPARE(tripped.breaker.metrics().consecutiveFailures, 0);
}

void tst_CircuitBreaker::failureRateNeedsVolume()
{
    CircuitBreakerConfig c = baseConfig();
    c.failureThreshold = 0;
    c.failureRateThreshold = 0.5;
    c.volumeThreshold = 6;
    Harness h(c);
    h.run(u"FFFFF");
    QCOMPARE(h.breaker.state(), CircuitState::Closed);
    QCOMPARE(h.breaker.metrics().failureRate, 1.0);
    QVERIFY(h.breaker.isHealthy()); // under the volume, health does not judge the rate either
    h.run(u"S");
    QCOMPARE(h.breaker.state(), CircuitState::Open);
    QCOMPARE(h.recorder.changes.last().reason, TransitionReason::FailureRate);
    QCOMPARE(h.recorder.changes.last().metrics.windowCalls, 6);
    QCOMPARE(h.recorder.changes.last().metrics.failureRate, 5.0 / 6.0);
}

void tst_CircuitBreaker::timeoutsAreFailures_data()
{
    QTest::addColumn<QChar>("kind");
    QTest::addColumn<bool>("isTimeout");
    QTest::addRow("TIMEOUT") << QChar(u'T') << true;
    QTest::addRow("CIRCUIT_TIMEOUT") << QChar(u'C') << true;
    QTest::addRow("500") << QChar(u'F') << false;
}

void tst_CircuitBreaker::timeoutsAreFailures()
{
    QFETCH(QChar, kind);
    QFETCH(bool, isTimeout);
    Harness h;
    h.scheduler.advanceBy(std::chrono::milliseconds(7));
    h.call(kind);
    const CircuitBreakerMetrics m = h.breaker.metrics();
    QCOMPARE(m.failures, 1);
    QCOMPARE(m.successes, 0);
    QCOMPARE(m.timeouts, isTimeout ? 1 : 0);
    QCOMPARE(m.consecutiveFailures, 1);
    QCOMPARE(m.windowFailures, 1);
    QCOMPARE(m.lastFailureTime, std::optional<TimePoint>(fromMs(7)));
    QCOMPARE(h.recorder.calls.size(), 1);
    QVERIFY(!h.recorder.calls[0].success);
    QCOMPARE(h.recorder.calls[0].isTimeout, isTimeout);
}

void tst_CircuitBreaker::slowCalls_data()
{
    QTest::addColumn<int>("durationMs");
    QTest::addColumn<bool>("failure");
    QTest::addColumn<bool>("slow");
    QTest::addRow("fast success") << 0 << false << false;
    QTest::addRow("success at the threshold") << 100 << false << false;
    QTest::addRow("success over the threshold") << 101 << false << true;
    QTest::addRow("failure over the threshold") << 101 << true << true;
    QTest::addRow("failure at the threshold") << 100 << true << false;
}

void tst_CircuitBreaker::slowCalls()
{
    QFETCH(int, durationMs);
    QFETCH(bool, failure);
    QFETCH(bool, slow);
    Harness h;
    const CircuitPermit p = h.breaker.tryAcquire();
    h.scheduler.advanceBy(std::chrono::milliseconds(durationMs));
    if (failure)
        h.breaker.onError(p, error(ErrorCode::httpStatus(503)));
    else
        h.breaker.onSuccess(p);
    const CircuitBreakerMetrics m = h.breaker.metrics();
    QCOMPARE(m.slowCalls, slow ? 1 : 0);
    QCOMPARE(m.windowSlowCalls, slow ? 1 : 0);
    QCOMPARE(m.slowCallRate, slow ? 1.0 : 0.0);
    QCOMPARE(h.recorder.calls[0].slow, slow);
    QCOMPARE(h.recorder.calls[0].duration, fromMs(durationMs));
}

void tst_CircuitBreaker::slowCallRateOpensOnSuccesses()
{
    CircuitBreakerConfig c = baseConfig();
    c.failureRateThreshold = 0.5;
    c.slowCallRateThreshold = 0.6;
    c.volumeThreshold = 5;
    Harness h(c);
    h.run(u"WWSW"); // 3 of 4 slow, under volume
    QCOMPARE(h.breaker.state(), CircuitState::Closed);
    QCOMPARE(h.breaker.metrics().slowCallRate, 0.75);
    QVERIFY(h.breaker.isHealthy()); // slow calls do not make it unhealthy
    h.run(u"S"); // 3 of 5 = 0.6, judged after a success
    QCOMPARE(h.breaker.state(), CircuitState::Open);
    QCOMPARE(h.recorder.changes.last().reason, TransitionReason::SlowCallRate);
    QCOMPARE(h.breaker.metrics().failures, 0);
}

void tst_CircuitBreaker::resetTimeoutBackoff_data()
{
    // The open times of successive trips, each re-opened by a failed trial; then a close, and
    // the trip after it.
    QTest::addColumn<double>("multiplier");
    QTest::addColumn<int>("maxResetMs");
    QTest::addColumn<QList<int>>("openMs");
    QTest::addColumn<int>("afterCloseMs");
    QTest::addRow("multiplier 1") << 1.0 << 0 << QList<int> { 1000, 1000, 1000 } << 1000;
    QTest::addRow("doubling, capped at 5000")
        << 2.0 << 5000 << QList<int> { 1000, 2000, 4000, 5000, 5000 } << 1000;
    QTest::addRow("1.5, no cap set: capped at resetTimeout")
        << 1.5 << 0 << QList<int> { 1000, 1000, 1000 } << 1000;
    QTest::addRow("1.5 up to 3000") << 1.5 << 3000 << QList<int> { 1000, 1500, 2250, 3000 } << 1000;
    QTest::addRow("a multiplier under 1 acts as 1") << 0.5 << 3000 << QList<int> { 1000, 1000 } << 1000;
}

void tst_CircuitBreaker::resetTimeoutBackoff()
{
    QFETCH(double, multiplier);
    QFETCH(int, maxResetMs);
    QFETCH(QList<int>, openMs);
    QFETCH(int, afterCloseMs);
    CircuitBreakerConfig c = baseConfig();
    c.resetTimeoutMultiplier = multiplier;
    c.maxResetTimeout = fromMs(maxResetMs);
    c.successThreshold = 1;
    Harness h(c);
    h.run(u"FFF");
    for (qsizetype i = 0; i < openMs.size(); ++i) {
        QCOMPARE(h.breaker.state(), CircuitState::Open);
        QCOMPARE(*h.breaker.halfOpenAt() - h.scheduler.now(), fromMs(openMs[i]));
        h.scheduler.advanceBy(fromMs(openMs[i] - 1));
        QCOMPARE(h.breaker.state(), CircuitState::Open);
        h.scheduler.advanceBy(fromMs(1));
        QCOMPARE(h.breaker.state(), CircuitState::HalfOpen);
        if (i + 1 < openMs.size())
            h.run(u"F");
    }
    h.run(u"S");
    QCOMPARE(h.breaker.state(), CircuitState::Closed);
    h.run(u"FFF");
    QCOMPARE(*h.breaker.halfOpenAt() - h.scheduler.now(), fromMs(afterCloseMs));
}

void tst_CircuitBreaker::metricsEveryField()
{
    CircuitBreakerConfig c = baseConfig();
    c.failureThreshold = 0;
    c.windowSize = 4;
    Harness h(c);
    h.run(u"SW"); // 2 successes, 1 slow
    h.scheduler.advanceBy(std::chrono::milliseconds(20));
    h.run(u"TXF"); // 3 failures: a timeout, a slow one
    const TimePoint lastFailure = h.scheduler.now();
    h.run(u"IR"); // not recorded
    const CircuitPermit inFlight = h.breaker.tryAcquire();
    QVERIFY(inFlight);
    h.breaker.holdOpen();
    h.breaker.tryAcquire();
    h.breaker.tryAcquire();

    const CircuitBreakerMetrics m = h.breaker.metrics();
    QCOMPARE(m.successes, 2);
    QCOMPARE(m.failures, 3);
    QCOMPARE(m.timeouts, 1);
    QCOMPARE(m.slowCalls, 2);
    QCOMPARE(m.totalCalls, 5);
    QCOMPARE(m.rejected, 2);
    QCOMPARE(m.consecutiveSuccesses, 0);
    QCOMPARE(m.consecutiveFailures, 3);
    QCOMPARE(m.lastFailureTime, std::optional<TimePoint>(lastFailure));
    QCOMPARE(m.windowCalls, 4); // the count window holds the last 4 of 5
    QCOMPARE(m.windowFailures, 3);
    QCOMPARE(m.windowSlowCalls, 2);
    QCOMPARE(m.failureRate, 0.75);
    QCOMPARE(m.slowCallRate, 0.5);
    QCOMPARE(m.halfOpenInFlight, 0);
}

namespace {

// Health is judged with the breaker's own volume gate: 3 calls, rate 0.5.
CircuitBreakerConfig healthConfig()
{
    CircuitBreakerConfig c = baseConfig();
    c.failureRateThreshold = 0.5;
    c.volumeThreshold = 3;
    return c;
}

// Runs `setup` (a call sequence), then `action`, on a breaker with healthConfig().
void driveForHealth(Harness &h, const QString &setup, const QString &action)
{
    h.run(setup);
    CircuitBreakerConfig c = healthConfig();
    if (action == u"wait") {
        h.scheduler.advanceBy(ResetTimeout);
    } else if (action == u"holdOpen") {
        h.breaker.holdOpen();
    } else if (action == u"disable") {
        h.breaker.disable();
    } else if (action == u"metricsOnly") {
        h.breaker.metricsOnly();
    } else if (action.startsWith(u"metricsOnly+")) {
        h.breaker.metricsOnly();
        h.run(action.sliced(12));
    } else if (action == u"rateOff+SFF") {
        c.failureRateThreshold = 0;
        c.failureThreshold = 0;
        h.breaker.updateConfig(c);
        h.run(u"SFF");
    } else if (action == u"rate0.3") {
        c.failureRateThreshold = 0.3; // judged by the next call; health sees it at once
        h.breaker.updateConfig(c);
    }
}

} // namespace

void tst_CircuitBreaker::health_data()
{
    QTest::addColumn<QString>("setup"); // a call sequence, then an action
    QTest::addColumn<QString>("action");
    QTest::addColumn<bool>("healthy");
    QTest::addRow("new") << QString() << QString() << true;
    QTest::addRow("one failure of one: under the volume") << u"F"_s << QString() << true;
    QTest::addRow("closed, rate under threshold") << u"SSF"_s << QString() << true;
    QTest::addRow("closed, rate at a lowered threshold") << u"SSF"_s << u"rate0.3"_s << false;
    QTest::addRow("open") << u"FFF"_s << QString() << false;
    QTest::addRow("half open") << u"FFF"_s << u"wait"_s << false;
    QTest::addRow("forced open") << QString() << u"holdOpen"_s << false;
    QTest::addRow("disabled") << QString() << u"disable"_s << true;
    QTest::addRow("disabled, failing window") << u"SFF"_s << u"disable"_s << false;
    QTest::addRow("metrics only") << u"SSF"_s << u"metricsOnly"_s << true;
    QTest::addRow("metrics only, failing") << QString() << u"metricsOnly+FFFF"_s << false;
    QTest::addRow("metrics only, failing under the volume") << QString() << u"metricsOnly+FF"_s << true;
    QTest::addRow("rate threshold off") << QString() << u"rateOff+SFF"_s << true;
}

void tst_CircuitBreaker::health()
{
    QFETCH(QString, setup);
    QFETCH(QString, action);
    QFETCH(bool, healthy);
    Harness h(healthConfig());
    driveForHealth(h, setup, action);
    QCOMPARE(h.breaker.isHealthy(), healthy);
}

void tst_CircuitBreaker::healthSummary_data()
{
    // Breakers as "setup/action" pairs; the health body they give.
    QTest::addColumn<QStringList>("breakers");
    QTest::addColumn<QString>("status");
    QTest::addColumn<int>("open");
    QTest::addColumn<int>("halfOpen");
    QTest::addColumn<QStringList>("issues");
    QTest::addRow("healthy") << QStringList { u"SS/"_s } << u"healthy"_s << 0 << 0 << QStringList();
    QTest::addRow("one failure of one") << QStringList { u"F/"_s } << u"healthy"_s << 0 << 0 << QStringList();
    QTest::addRow("failing, not open")
        << QStringList { u"/metricsOnly+FFFF"_s, u"SSF/rate0.3"_s } << u"degraded"_s << 0 << 0
        << QStringList { u"2 circuit breakers are failing"_s };
    QTest::addRow("half open") << QStringList { u"FFF/wait"_s } << u"degraded"_s << 0 << 1
                               << QStringList { u"1 circuit breakers are half-open"_s };
    QTest::addRow("forced open counts as open")
        << QStringList { u"/holdOpen"_s } << u"degraded"_s << 1 << 0
        << QStringList { u"1 circuit breakers are open"_s };
    QTest::addRow("every reason")
        << QStringList { u"FFF/"_s, u"/holdOpen"_s, u"FFF/wait"_s, u"/metricsOnly+FFFF"_s, u"S/"_s }
        << u"degraded"_s << 2 << 1
        << QStringList { u"2 circuit breakers are open"_s, u"1 circuit breakers are half-open"_s,
               u"1 circuit breakers are failing"_s };
}

void tst_CircuitBreaker::healthSummary()
{
    QFETCH(QStringList, breakers);
    QFETCH(QString, status);
    QFETCH(int, open);
    QFETCH(int, halfOpen);
    QFETCH(QStringList, issues);
    std::vector<std::unique_ptr<Harness>> harnesses;
    HealthStatus health;
    for (const QString &b : breakers) {
        harnesses.push_back(std::make_unique<Harness>(healthConfig()));
        driveForHealth(*harnesses.back(), b.section(u'/', 0, 0), b.section(u'/', 1));
        health.circuitBreakers.breakers.append(breakerHealth(harnesses.back()->breaker));
    }
    summarize(health);
    const QJsonObject json = health.toJson();
    QCOMPARE(json[u"status"_s].toString(), status);
    QCOMPARE(health.healthy, status == u"healthy");
    QCOMPARE(json[u"circuitBreakers"_s][u"open"_s].toInt(), open);
    QCOMPARE(json[u"circuitBreakers"_s][u"halfOpen"_s].toInt(), halfOpen);
    QCOMPARE(json[u"circuitBreakers"_s][u"unhealthy"_s].toInt() > 0, status == u"degraded");
    QCOMPARE(json[u"issues"_s].toVariant().toStringList(), issues);
}

void tst_CircuitBreaker::reset()
{
    Harness h;
    h.run(u"SWFFF");
    h.breaker.tryAcquire();
    QCOMPARE(h.breaker.state(), CircuitState::Open);
    QCOMPARE(h.scheduler.pendingTimers(), 1u);
    h.recorder.log.clear();
    h.breaker.reset();
    QCOMPARE(h.breaker.state(), CircuitState::Closed);
    QCOMPARE(h.scheduler.pendingTimers(), 0u);
    QCOMPARE(h.recorder.log, (QStringList { u"state OPEN>CLOSED reset"_s, u"reset"_s }));
    QCOMPARE(h.recorder.resets, QList<TimePoint> { h.scheduler.now() });
    const CircuitBreakerMetrics m = h.breaker.metrics();
    QCOMPARE(m.successes, 0);
    QCOMPARE(m.failures, 0);
    QCOMPARE(m.slowCalls, 0);
    QCOMPARE(m.totalCalls, 0);
    QCOMPARE(m.rejected, 0);
    QCOMPARE(m.consecutiveFailures, 0);
    QVERIFY(!m.lastFailureTime);
    QCOMPARE(m.windowCalls, 0);
    QCOMPARE(h.recorder.changes.last().metrics.totalCalls, 0); // the event sees the cleared metrics
    // The back-off starts over too.
    h.run(u"FFF");
    QCOMPARE(*h.breaker.halfOpenAt() - h.scheduler.now(), ResetTimeout);
}

void tst_CircuitBreaker::resetWhileClosed()
{
    Harness h;
    h.run(u"FF");
    h.recorder.log.clear();
    h.breaker.reset();
    QCOMPARE(h.recorder.log, QStringList { u"reset"_s }); // no state change: it was CLOSED
    h.run(u"F");
    QCOMPARE(h.breaker.state(), CircuitState::Closed); // the run of two was forgotten
}

void tst_CircuitBreaker::forceOpen()
{
    Harness h;
    h.run(u"SS");
    h.scheduler.advanceBy(std::chrono::milliseconds(300));
    h.breaker.forceOpen();
    QCOMPARE(h.breaker.state(), CircuitState::Open);
    QCOMPARE(h.recorder.changes.last().reason, TransitionReason::ForceOpen);
    QCOMPARE(h.breaker.halfOpenAt(), std::optional<TimePoint>(fromMs(1300)));
    QVERIFY(!h.breaker.tryAcquire());
    // Forcing an open breaker open again starts a fresh open period, and says so.
    h.scheduler.advanceBy(std::chrono::milliseconds(500));
    h.breaker.forceOpen();
    QCOMPARE(h.recorder.changes.size(), 2);
    QCOMPARE(h.recorder.log.last(), u"state OPEN>OPEN forceOpen"_s);
    QCOMPARE(h.recorder.changes.last().at, fromMs(800));
    QCOMPARE(h.breaker.halfOpenAt(), std::optional<TimePoint>(fromMs(1800)));
    QCOMPARE(h.scheduler.pendingTimers(), 1u);
    h.scheduler.advanceTo(fromMs(1799));
    QCOMPARE(h.breaker.state(), CircuitState::Open);
    h.scheduler.advanceTo(fromMs(1800));
    QCOMPARE(h.breaker.state(), CircuitState::HalfOpen);
    QCOMPARE(h.recorder.changes.last().reason, TransitionReason::ResetTimeout);

    // After a failed trial the open time backs off; a force open starts over at resetTimeout.
    CircuitBreakerConfig c = baseConfig();
    c.resetTimeoutMultiplier = 4;
    c.maxResetTimeout = fromMs(10000);
    Harness backoff(c);
    backoff.toHalfOpen();
    backoff.run(u"F");
    QCOMPARE(*backoff.breaker.halfOpenAt() - backoff.scheduler.now(), fromMs(4000));
    backoff.breaker.forceOpen();
    QCOMPARE(*backoff.breaker.halfOpenAt() - backoff.scheduler.now(), ResetTimeout);
}

void tst_CircuitBreaker::holdOpenSurvivesResetTimeout()
{
    Harness h;
    h.run(u"FFF"); // OPEN, with a timer
    h.breaker.holdOpen();
    QCOMPARE(h.breaker.state(), CircuitState::ForcedOpen);
    QCOMPARE(h.recorder.changes.last().reason, TransitionReason::HoldOpen);
    QCOMPARE(h.scheduler.pendingTimers(), 0u);
    QVERIFY(!h.breaker.halfOpenAt());
    h.scheduler.advanceBy(ResetTimeout * 10);
    QCOMPARE(h.breaker.state(), CircuitState::ForcedOpen);
    QVERIFY(!h.breaker.tryAcquire());
    QCOMPARE(h.recorder.rejections.last().first, CircuitState::ForcedOpen);
    h.breaker.forceClose();
    QCOMPARE(h.breaker.state(), CircuitState::Closed);
    QVERIFY(h.breaker.tryAcquire());

    h.breaker.holdOpen();
    h.breaker.reset();
    QCOMPARE(h.breaker.state(), CircuitState::Closed);
    QCOMPARE(h.recorder.changes.last().reason, TransitionReason::Reset);
}

void tst_CircuitBreaker::forceCloseStartsFresh()
{
    // Tripped on consecutive failures: after the force close, one more failure is one, not four.
    Harness h; // failureThreshold 3
    h.run(u"FFF");
    QCOMPARE(h.breaker.state(), CircuitState::Open);
    h.breaker.tryAcquire();
    h.breaker.forceClose();
    QCOMPARE(h.breaker.state(), CircuitState::Closed);
    QCOMPARE(h.recorder.changes.last().reason, TransitionReason::ForceClose);
    QCOMPARE(h.scheduler.pendingTimers(), 0u);
    CircuitBreakerMetrics m = h.breaker.metrics();
    QCOMPARE(m.consecutiveFailures, 0);
    QCOMPARE(m.windowCalls, 0);
    QCOMPARE(m.failures, 3); // lifetime counters are kept; reset() clears them
    QCOMPARE(m.rejected, 1);
    h.run(u"FF");
    QCOMPARE(h.breaker.state(), CircuitState::Closed);
    h.run(u"F");
    QCOMPARE(h.breaker.state(), CircuitState::Open);

    // A stale window of failures (under the volume) plus fresh successes does not reopen it.
    CircuitBreakerConfig c = baseConfig();
    c.failureThreshold = 0;
    c.failureRateThreshold = 0.5;
    c.volumeThreshold = 5;
    Harness rate(c);
    rate.run(u"FFFF");
    rate.breaker.forceOpen();
    rate.breaker.forceClose();
    rate.run(u"SSSS");
    QCOMPARE(rate.breaker.state(), CircuitState::Closed);
    m = rate.breaker.metrics();
    QCOMPARE(m.windowCalls, 4);
    QCOMPARE(m.windowFailures, 0);

    // Forced closed while CLOSED: a fresh period too, logged as such.
    Harness closed;
    closed.run(u"FF");
    closed.recorder.log.clear();
    closed.breaker.forceClose();
    QCOMPARE(closed.recorder.log, QStringList { u"state CLOSED>CLOSED forceClose"_s });
    closed.run(u"F");
    QCOMPARE(closed.breaker.state(), CircuitState::Closed);
    QCOMPARE(closed.breaker.metrics().consecutiveFailures, 1);
}

void tst_CircuitBreaker::disable()
{
    Harness h;
    h.run(u"S");
    const CircuitBreakerMetrics before = h.breaker.metrics();
    h.breaker.disable();
    QCOMPARE(h.breaker.state(), CircuitState::Disabled);
    QCOMPARE(h.recorder.changes.last().reason, TransitionReason::Disable);
    const qsizetype events = h.recorder.log.size();
    for (int i = 0; i < 20; ++i) {
        const CircuitPermit p = h.breaker.tryAcquire();
        QVERIFY(p);
        QVERIFY(!p.trial);
        h.breaker.onError(p, error(ErrorCode::httpStatus(500)));
    }
    QCOMPARE(h.breaker.state(), CircuitState::Disabled);
    QCOMPARE(h.recorder.log.size(), events); // no call events
    const CircuitBreakerMetrics after = h.breaker.metrics();
    QCOMPARE(after.totalCalls, before.totalCalls);
    QCOMPARE(after.failures, 0);
    QCOMPARE(after.windowCalls, before.windowCalls);
    QVERIFY(h.breaker.isHealthy());
    // A call granted while disabled and finished after it is a stale result.
    const CircuitPermit p = h.breaker.tryAcquire();
    h.breaker.forceClose();
    h.breaker.onError(p, error(ErrorCode::httpStatus(500)));
    QCOMPARE(h.breaker.metrics().failures, 1);
    QCOMPARE(h.breaker.metrics().windowCalls, 0); // CLOSED starts with an empty window
}

void tst_CircuitBreaker::metricsOnly()
{
    CircuitBreakerConfig c = baseConfig();
    c.failureRateThreshold = 0.5;
    c.volumeThreshold = 1;
    Harness h(c);
    h.breaker.metricsOnly();
    QCOMPARE(h.breaker.state(), CircuitState::MetricsOnly);
    QCOMPARE(h.recorder.changes.last().reason, TransitionReason::MetricsOnly);
    QCOMPARE(h.run(u"FFFFFFTW"), 0);
    QCOMPARE(h.breaker.state(), CircuitState::MetricsOnly);
    const CircuitBreakerMetrics m = h.breaker.metrics();
    QCOMPARE(m.failures, 7);
    QCOMPARE(m.timeouts, 1);
    QCOMPARE(m.successes, 1);
    QCOMPARE(m.slowCalls, 1);
    QCOMPARE(m.consecutiveFailures, 0);
    QCOMPARE(m.consecutiveSuccesses, 1);
    QCOMPARE(m.windowCalls, 8);
    QCOMPARE(h.recorder.calls.size(), 8);
    QCOMPARE(h.recorder.calls.last().state, CircuitState::MetricsOnly);
    QVERIFY(!h.breaker.isHealthy());
    // Back to CLOSED, nothing recorded before judges the next call (7 of 9 failed, with them).
    h.breaker.forceClose();
    h.run(u"S");
    QCOMPARE(h.breaker.state(), CircuitState::Closed);
    QCOMPARE(h.breaker.metrics().windowCalls, 1);
}

void tst_CircuitBreaker::manualTransitions_data()
{
    // From each state, each manual action: the state it leads to, and whether it is a change.
    QTest::addColumn<CircuitState>("from");
    QTest::addColumn<QString>("action");
    QTest::addColumn<CircuitState>("to");
    QTest::addColumn<bool>("changed");
    const CircuitState states[] = { CircuitState::Closed, CircuitState::Open, CircuitState::HalfOpen,
        CircuitState::Disabled, CircuitState::ForcedOpen, CircuitState::MetricsOnly };
    const std::pair<const char *, CircuitState> actions[] = {
        { "forceOpen", CircuitState::Open },
        { "holdOpen", CircuitState::ForcedOpen },
        { "forceClose", CircuitState::Closed },
        { "reset", CircuitState::Closed },
        { "disable", CircuitState::Disabled },
        { "metricsOnly", CircuitState::MetricsOnly },
    };
    for (CircuitState from : states) {
        for (const auto &[action, to] : actions) {
            // Every command is a fresh period, even of the state it names; only a reset of a
            // CLOSED breaker is no state change (Resilience4j's reset()).
            const bool changed = from != to || qstrcmp(action, "reset") != 0;
            QTest::addRow("%s %s", circuitStateName(from).data(), action)
                << from << QString::fromLatin1(action) << to << changed;
        }
    }
}

void tst_CircuitBreaker::manualTransitions()
{
    QFETCH(CircuitState, from);
    QFETCH(QString, action);
    QFETCH(CircuitState, to);
    QFETCH(bool, changed);
    Harness h;
    switch (from) {
    case CircuitState::Closed:
        break;
    case CircuitState::Open:
        h.run(u"FFF");
        break;
    case CircuitState::HalfOpen:
        h.toHalfOpen();
        break;
    case CircuitState::Disabled:
        h.breaker.disable();
        break;
    case CircuitState::ForcedOpen:
        h.breaker.holdOpen();
        break;
    case CircuitState::MetricsOnly:
        h.breaker.metricsOnly();
        break;
    }
    QCOMPARE(h.breaker.state(), from);
    const qsizetype changes = h.recorder.changes.size();
    const std::optional<TimePoint> halfOpenAt = h.breaker.halfOpenAt();
    h.scheduler.advanceBy(std::chrono::milliseconds(10));

    const std::pair<const char *, void (CircuitBreaker::*)()> methods[] = {
        { "forceOpen", &CircuitBreaker::forceOpen },
        { "holdOpen", &CircuitBreaker::holdOpen },
        { "forceClose", &CircuitBreaker::forceClose },
        { "reset", &CircuitBreaker::reset },
        { "disable", &CircuitBreaker::disable },
        { "metricsOnly", &CircuitBreaker::metricsOnly },
    };
    for (const auto &[name, method] : methods)
        if (action == QLatin1StringView(name))
            (h.breaker.*method)();

    QCOMPARE(h.breaker.state(), to);
    QCOMPARE(h.recorder.changes.size(), changes + (changed ? 1 : 0));
    if (changed) {
        const CircuitStateChange &change = h.recorder.changes.last();
        QCOMPARE(change.previousState, from);
        QCOMPARE(change.currentState, to);
        QCOMPARE(transitionReasonName(change.reason), action);
        QCOMPARE(change.name, QStringLiteral("svc"));
        QCOMPARE(change.at, h.scheduler.now());
    }
    // A timer is pending exactly when OPEN, due resetTimeout after the command.
    QCOMPARE(h.scheduler.pendingTimers(), to == CircuitState::Open ? 1u : 0u);
    if (to == CircuitState::Open)
        QCOMPARE(*h.breaker.halfOpenAt(), changed ? h.scheduler.now() + ResetTimeout : *halfOpenAt);
    QCOMPARE(h.recorder.resets.size(), action == u"reset" ? 1 : 0);
}

void tst_CircuitBreaker::staleTimerDoesNothing()
{
    Harness h;
    h.run(u"FFF"); // OPEN until 1000
    h.scheduler.advanceBy(std::chrono::milliseconds(500));
    h.breaker.forceClose();
    h.scheduler.advanceBy(std::chrono::milliseconds(100));
    h.run(u"FFF"); // OPEN again, until 1600
    h.scheduler.advanceTo(fromMs(1000));
    QCOMPARE(h.breaker.state(), CircuitState::Open);
    h.scheduler.advanceTo(fromMs(1599));
    QCOMPARE(h.breaker.state(), CircuitState::Open);
    h.scheduler.advanceTo(fromMs(1600));
    QCOMPARE(h.breaker.state(), CircuitState::HalfOpen);
    QCOMPARE(h.recorder.changes.size(), 4); // open, close, open, half-open
}

void tst_CircuitBreaker::callEvent()
{
    Harness h;
    h.scheduler.advanceBy(std::chrono::milliseconds(5));
    CircuitPermit p = h.breaker.tryAcquire();
    QCOMPARE(p.acquiredAt, fromMs(5));
    h.scheduler.advanceBy(std::chrono::milliseconds(40));
    h.breaker.onSuccess(p);
    p = h.breaker.tryAcquire();
    h.scheduler.advanceBy(std::chrono::milliseconds(120));
    h.breaker.onError(p, error(ErrorCode::CircuitTimeout));

    QCOMPARE(h.recorder.calls.size(), 2);
    const CallEvent &ok = h.recorder.calls[0];
    QCOMPARE(ok.name, QStringLiteral("svc"));
    QVERIFY(ok.success);
    QCOMPARE(ok.duration, fromMs(40));
    QCOMPARE(ok.state, CircuitState::Closed);
    QVERIFY(ok.code.isNull());
    QVERIFY(!ok.isTimeout);
    QVERIFY(!ok.slow);
    QCOMPARE(ok.at, fromMs(45));
    const CallEvent &bad = h.recorder.calls[1];
    QVERIFY(!bad.success);
    QCOMPARE(bad.duration, fromMs(120));
    QCOMPARE(bad.code, ErrorCode::CircuitTimeout);
    QVERIFY(bad.isTimeout);
    QVERIFY(bad.slow);
    QCOMPARE(bad.at, fromMs(165));
}

void tst_CircuitBreaker::stateChangeEvent()
{
    Harness h;
    h.scheduler.advanceBy(std::chrono::milliseconds(3));
    h.run(u"SFFF");
    QCOMPARE(h.recorder.changes.size(), 1);
    const CircuitStateChange &c = h.recorder.changes[0];
    QCOMPARE(c.name, QStringLiteral("svc"));
    QCOMPARE(c.previousState, CircuitState::Closed);
    QCOMPARE(c.currentState, CircuitState::Open);
    QCOMPARE(c.reason, TransitionReason::FailureThreshold);
    QCOMPARE(c.at, fromMs(3));
    QCOMPARE(c.metrics.successes, 1);
    QCOMPARE(c.metrics.failures, 3);
    QCOMPARE(c.metrics.consecutiveFailures, 3);
    QCOMPARE(c.metrics.windowCalls, 4);
    QCOMPARE(c.metrics.failureRate, 0.75);
}

void tst_CircuitBreaker::eventOrder()
{
    Harness h;
    h.toHalfOpen();
    h.run(u"SS");
    h.breaker.updateConfig(baseConfig());
    h.run(u"FFF");
    h.breaker.tryAcquire();
    h.breaker.reset();
    const QStringList expected {
        u"call"_s,
        u"call"_s,
        u"call"_s,
        u"state CLOSED>OPEN failureThreshold"_s,
        u"state OPEN>HALF_OPEN resetTimeout"_s,
        u"call"_s,
        u"call"_s,
        u"state HALF_OPEN>CLOSED successThreshold"_s,
        u"config"_s,
        u"call"_s,
        u"call"_s,
        u"call"_s,
        u"state CLOSED>OPEN failureThreshold"_s,
        u"rejected"_s,
        u"state OPEN>CLOSED reset"_s,
        u"reset"_s,
    };
    QCOMPARE(h.recorder.log, expected);
}

void tst_CircuitBreaker::listenerMayCallBack()
{
    // Events come outside the lock: a listener that calls into the breaker must not deadlock.
    struct Reentrant : CircuitBreakerListener
    {
        CircuitBreaker *breaker = nullptr;
        QList<CircuitState> seen;
        void onStateChange(const CircuitStateChange &) override
        {
            seen.append(breaker->state());
            breaker->metrics();
            if (breaker->state() == CircuitState::Open)
                breaker->tryAcquire();
        }
        void onCall(const CircuitCall &) override { breaker->isHealthy(); }
        void onRejected(const QString &, CircuitState, TimePoint) override { breaker->config(); }
        void onReset(const QString &, TimePoint) override { breaker->state(); }
        void onConfigChanged(const QString &, const CircuitBreakerConfig &) override
        {
            breaker->halfOpenAt();
        }
    } listener;
    Harness h;
    listener.breaker = &h.breaker;
    h.breaker.addListener(&listener);
    h.run(u"FFF");
    h.breaker.updateConfig(baseConfig());
    h.scheduler.advanceBy(ResetTimeout);
    h.breaker.reset();
    h.breaker.removeListener(&listener);
    QCOMPARE(listener.seen,
        (QList<CircuitState> { CircuitState::Open, CircuitState::HalfOpen, CircuitState::Closed }));
    QCOMPARE(h.breaker.metrics().rejected, 0); // reset cleared the one the listener caused
}

void tst_CircuitBreaker::removedListenerHearsNothing()
{
    Harness h;
    Recorder other;
    h.breaker.addListener(&other);
    h.run(u"F");
    h.breaker.removeListener(&other);
    h.run(u"FF");
    QCOMPARE(other.calls.size(), 1);
    QVERIFY(other.changes.isEmpty());
    QCOMPARE(h.recorder.calls.size(), 3);
}

void tst_CircuitBreaker::updateConfigKeepsStateAndWindow()
{
    Harness h;
    h.run(u"SWF");
    CircuitBreakerConfig c = baseConfig();
    c.failureThreshold = 10;
    c.slowCallDurationThreshold = fromMs(500);
    h.breaker.updateConfig(c);
    QCOMPARE(h.breaker.config(), c);
    QCOMPARE(h.recorder.configs.size(), 1);
    QCOMPARE(h.recorder.configs[0], c);
    QCOMPARE(h.recorder.names.last(), QStringLiteral("svc"));
    const CircuitBreakerMetrics m = h.breaker.metrics();
    QCOMPARE(m.totalCalls, 3);
    QCOMPARE(m.windowCalls, 3);
    QCOMPARE(m.windowSlowCalls, 1);
    QCOMPARE(m.consecutiveFailures, 1);
    QCOMPARE(h.breaker.state(), CircuitState::Closed);
    QVERIFY(h.recorder.changes.isEmpty());
}

void tst_CircuitBreaker::updateConfigReschedulesOpenTimer()
{
    Harness h;
    h.run(u"FFF"); // OPEN at 0 ms, until 1000 ms
    h.scheduler.advanceBy(std::chrono::milliseconds(200));
    CircuitBreakerConfig c = baseConfig();
    c.resetTimeout = fromMs(5000);
    h.breaker.updateConfig(c);
    // Counted from when it opened, not from the edit.
    QCOMPARE(h.breaker.state(), CircuitState::Open);
    QCOMPARE(h.breaker.halfOpenAt(), std::optional<TimePoint>(fromMs(5000)));
    QCOMPARE(h.scheduler.pendingTimers(), 1u);
    h.scheduler.advanceTo(fromMs(4999));
    QCOMPARE(h.breaker.state(), CircuitState::Open);
    h.scheduler.advanceTo(fromMs(5000));
    QCOMPARE(h.breaker.state(), CircuitState::HalfOpen);

    h.run(u"F"); // OPEN at 5000 ms, until 10000 ms
    h.scheduler.advanceTo(fromMs(5300));
    c.resetTimeout = fromMs(2000);
    h.breaker.updateConfig(c);
    QCOMPARE(h.breaker.halfOpenAt(), std::optional<TimePoint>(fromMs(7000)));
    // Shorter than the time already spent open: HALF_OPEN at once, by the reset timeout.
    h.recorder.log.clear();
    c.resetTimeout = fromMs(100);
    h.breaker.updateConfig(c);
    QCOMPARE(h.breaker.state(), CircuitState::HalfOpen);
    QCOMPARE(h.recorder.log, (QStringList { u"config"_s, u"state OPEN>HALF_OPEN resetTimeout"_s }));
    QCOMPARE(h.recorder.changes.last().at, fromMs(5300));
    QCOMPARE(h.scheduler.pendingTimers(), 0u);
    QVERIFY(h.breaker.tryAcquire());
}

void tst_CircuitBreaker::updateConfigNewWindow_data()
{
    // After S F S F in a count window of 10: the window after the change, and after one more S.
    QTest::addColumn<WindowType>("type");
    QTest::addColumn<int>("size");
    QTest::addColumn<int>("windowCalls");
    QTest::addColumn<int>("windowFailures");
    QTest::addColumn<int>("callsAfterOneMore");
    QTest::addColumn<int>("failuresAfterOneMore");
    QTest::addRow("same window") << WindowType::Count << 10 << 4 << 2 << 5 << 2;
    QTest::addRow("smaller: the newest 3") << WindowType::Count << 3 << 3 << 2 << 3 << 1;
    QTest::addRow("larger: all") << WindowType::Count << 20 << 4 << 2 << 5 << 2;
    QTest::addRow("new type: no times known") << WindowType::Time << 10 << 0 << 0 << 1 << 0;
}

void tst_CircuitBreaker::updateConfigNewWindow()
{
    QFETCH(WindowType, type);
    QFETCH(int, size);
    QFETCH(int, windowCalls);
    QFETCH(int, windowFailures);
    QFETCH(int, callsAfterOneMore);
    QFETCH(int, failuresAfterOneMore);
    Harness h;
    h.run(u"SFSF");
    CircuitBreakerConfig c = baseConfig();
    c.windowType = type;
    c.windowSize = size;
    h.breaker.updateConfig(c);
    CircuitBreakerMetrics m = h.breaker.metrics();
    QCOMPARE(m.windowCalls, windowCalls);
    QCOMPARE(m.windowFailures, windowFailures);
    QCOMPARE(m.totalCalls, 4); // lifetime counters are kept either way
    QCOMPARE(m.consecutiveFailures, 1);
    h.run(u"S");
    m = h.breaker.metrics();
    QCOMPARE(m.windowCalls, callsAfterOneMore);
    QCOMPARE(m.windowFailures, failuresAfterOneMore);
}

void tst_CircuitBreaker::updateConfigResizedTimeWindow_data()
{
    // A 1000 ms window (10 ms buckets) holds F at 0, S at 300, F at 600, S at 900 ms; at 900 ms
    // its size changes. What it holds at `at`.
    QTest::addColumn<int>("size");
    QTest::addColumn<int>("at");
    QTest::addColumn<int>("windowCalls");
    QTest::addColumn<int>("windowFailures");
    QTest::addRow("shrunk to 500: only what 500 ms cover") << 500 << 900 << 2 << 1;
    QTest::addRow("shrunk to 500, 1099 ms") << 500 << 1099 << 2 << 1;
    QTest::addRow("shrunk to 500, 1100 ms: F of 600 ms out") << 500 << 1100 << 1 << 0;
    QTest::addRow("grown to 2000: all") << 2000 << 900 << 4 << 2;
    QTest::addRow("grown to 2000, 1999 ms") << 2000 << 1999 << 4 << 2;
    QTest::addRow("grown to 2000, 2000 ms: F of 0 ms out") << 2000 << 2000 << 3 << 1;
}

void tst_CircuitBreaker::updateConfigResizedTimeWindow()
{
    QFETCH(int, size);
    QFETCH(int, at);
    QFETCH(int, windowCalls);
    QFETCH(int, windowFailures);
    CircuitBreakerConfig c = baseConfig();
    c.windowType = WindowType::Time;
    c.windowSize = 1000;
    Harness h(c);
    const std::pair<int, char16_t> calls[] = { { 0, u'F' }, { 300, u'S' }, { 600, u'F' }, { 900, u'S' } };
    for (const auto &[ms, kind] : calls) {
        h.scheduler.advanceTo(fromMs(ms));
        h.call(QChar(kind));
    }
    c.windowSize = size;
    h.breaker.updateConfig(c);
    h.scheduler.advanceTo(fromMs(at));
    const CircuitBreakerMetrics m = h.breaker.metrics();
    QCOMPARE(m.windowCalls, windowCalls);
    QCOMPARE(m.windowFailures, windowFailures);
}

void tst_CircuitBreaker::updateConfigAppliesAtOnce()
{
    Harness h;
    h.run(u"FF");
    CircuitBreakerConfig c = baseConfig();
    c.failureThreshold = 2;
    h.breaker.updateConfig(c);
    // Judged after the next recorded call, not by the update itself.
    QCOMPARE(h.breaker.state(), CircuitState::Closed);
    h.run(u"F");
    QCOMPARE(h.breaker.state(), CircuitState::Open);

    Harness rate;
    rate.run(u"SSSSFF");
    c = baseConfig();
    c.failureThreshold = 0;
    c.failureRateThreshold = 0.3;
    c.volumeThreshold = 5;
    rate.breaker.updateConfig(c);
    rate.run(u"S"); // 2 of 7 failed, under 0.3
    QCOMPARE(rate.breaker.state(), CircuitState::Closed);
    c.failureRateThreshold = 0.25;
    rate.breaker.updateConfig(c);
    rate.run(u"S"); // 2 of 8 = 0.25
    QCOMPARE(rate.breaker.state(), CircuitState::Open);
    QCOMPARE(rate.recorder.changes.last().reason, TransitionReason::FailureRate);
}

void tst_CircuitBreaker::classify_data()
{
    QTest::addColumn<QList<ErrorCode>>("recordErrors");
    QTest::addColumn<QList<ErrorCode>>("ignoreErrors");
    QTest::addColumn<ErrorCode>("code");
    QTest::addColumn<int>("kind");
    const QList<ErrorCode> defaultIgnore = CircuitBreakerConfig().ignoreErrors;
    const int Failure = int(CircuitBreaker::ErrorKind::Failure),
              Ignored = int(CircuitBreaker::ErrorKind::Ignored),
              Success = int(CircuitBreaker::ErrorKind::Success);
    const ErrorCode e500 = ErrorCode::httpStatus(500), e404 = ErrorCode::httpStatus(404);
    QTest::addRow("500") << QList<ErrorCode>() << defaultIgnore << e500 << Failure;
    QTest::addRow("TIMEOUT") << QList<ErrorCode>() << defaultIgnore << ErrorCode::Timeout << Failure;
    QTest::addRow("CIRCUIT_TIMEOUT") << QList<ErrorCode>() << defaultIgnore << ErrorCode::CircuitTimeout
                                     << Failure;
    QTest::addRow("BULKHEAD_QUEUE_FULL")
        << QList<ErrorCode>() << defaultIgnore << ErrorCode::BulkheadQueueFull << Ignored;
    QTest::addRow("BULKHEAD_QUEUE_TIMEOUT")
        << QList<ErrorCode>() << defaultIgnore << ErrorCode::BulkheadQueueTimeout << Ignored;
    QTest::addRow("BULKHEAD_QUEUE_CLEARED")
        << QList<ErrorCode>() << defaultIgnore << ErrorCode::BulkheadQueueCleared << Ignored;
    QTest::addRow("CANCELLED") << QList<ErrorCode>() << defaultIgnore << ErrorCode::Cancelled << Ignored;
    QTest::addRow("custom ignore") << QList<ErrorCode>() << QList<ErrorCode> { e404 } << e404 << Ignored;
    QTest::addRow("nothing ignored") << QList<ErrorCode>() << QList<ErrorCode>() << ErrorCode::Cancelled
                                     << Failure;
    QTest::addRow("recorded") << QList<ErrorCode> { e500 } << defaultIgnore << e500 << Failure;
    QTest::addRow("not recorded") << QList<ErrorCode> { e500 } << defaultIgnore << e404 << Success;
    QTest::addRow("ignore wins over record")
        << QList<ErrorCode> { e404 } << QList<ErrorCode> { e404 } << e404 << Ignored;
    QTest::addRow("ignored, not recorded")
        << QList<ErrorCode> { e500 } << defaultIgnore << ErrorCode::Cancelled << Ignored;
}

void tst_CircuitBreaker::classify()
{
    QFETCH(QList<ErrorCode>, recordErrors);
    QFETCH(QList<ErrorCode>, ignoreErrors);
    QFETCH(ErrorCode, code);
    QFETCH(int, kind);
    CircuitBreakerConfig c = baseConfig();
    c.recordErrors = recordErrors;
    c.ignoreErrors = ignoreErrors;
    Harness h(c);
    QCOMPARE(int(h.breaker.classify(error(code))), kind);
}

void tst_CircuitBreaker::ignoredErrorsRecordNothing()
{
    Harness h;
    h.run(u"FF");
    for (ErrorCode code : CircuitBreakerConfig().ignoreErrors) {
        const CircuitPermit p = h.breaker.tryAcquire();
        h.breaker.onError(p, error(code));
    }
    const CircuitBreakerMetrics m = h.breaker.metrics();
    QCOMPARE(m.totalCalls, 2);
    QCOMPARE(m.consecutiveFailures, 2);
    QCOMPARE(m.windowCalls, 2);
    QCOMPARE(h.recorder.calls.size(), 2);
    QCOMPARE(h.breaker.state(), CircuitState::Closed);
}

void tst_CircuitBreaker::nonRecordedErrorsAreSuccesses()
{
    CircuitBreakerConfig c = baseConfig();
    c.recordErrors = { ErrorCode::httpStatus(500), ErrorCode::Timeout };
    Harness h(c);
    h.run(u"FFNFF");
    QCOMPARE(h.breaker.state(), CircuitState::Closed);
    const CircuitBreakerMetrics m = h.breaker.metrics();
    QCOMPARE(m.successes, 1);
    QCOMPARE(m.failures, 4);
    QCOMPARE(m.consecutiveFailures, 2);
    QVERIFY(h.recorder.calls[2].success);
    QVERIFY(h.recorder.calls[2].code.isNull()); // a success carries no error
    // CIRCUIT_TIMEOUT is not in the list: it counts as a success, not a timeout.
    h.run(u"C");
    QCOMPARE(h.breaker.metrics().timeouts, 0);
    QCOMPARE(h.breaker.metrics().successes, 2);
    h.run(u"TFF");
    QCOMPARE(h.breaker.state(), CircuitState::Open);
    QCOMPARE(h.breaker.metrics().timeouts, 1);
}

void tst_CircuitBreaker::stalePermitsCountInLifetimeOnly()
{
    Harness h;
    const CircuitPermit early = h.breaker.tryAcquire();
    const CircuitPermit early2 = h.breaker.tryAcquire();
    h.run(u"FFF");
    QCOMPARE(h.breaker.state(), CircuitState::Open);
    const CircuitBreakerMetrics before = h.breaker.metrics();
    h.scheduler.advanceBy(std::chrono::milliseconds(200));
    h.breaker.onError(early, error(ErrorCode::Timeout));
    h.breaker.onSuccess(early2);
    CircuitBreakerMetrics m = h.breaker.metrics();
    QCOMPARE(m.failures, before.failures + 1);
    QCOMPARE(m.timeouts, 1);
    QCOMPARE(m.successes, 1);
    QCOMPARE(m.slowCalls, 2);
    QCOMPARE(m.totalCalls, 5);
    QCOMPARE(m.lastFailureTime, std::optional<TimePoint>(fromMs(200)));
    QCOMPARE(m.windowCalls, before.windowCalls); // not in the window
    QCOMPARE(m.consecutiveFailures, 3); // nor in the runs
    QCOMPARE(h.recorder.calls.size(), 5); // but a call event all the same
    QCOMPARE(h.recorder.calls.last().state, CircuitState::Open);

    // In HALF_OPEN, a stale success does not count towards closing.
    CircuitBreakerConfig c = baseConfig();
    c.successThreshold = 1;
    Harness half(c);
    const CircuitPermit old = half.breaker.tryAcquire();
    half.toHalfOpen();
    half.breaker.onSuccess(old);
    QCOMPARE(half.breaker.state(), CircuitState::HalfOpen);
    QCOMPARE(half.breaker.metrics().consecutiveSuccesses, 0);
    half.breaker.onError(half.breaker.tryAcquire(), error(ErrorCode::httpStatus(500)));
    QCOMPARE(half.breaker.state(), CircuitState::Open);
}

void tst_CircuitBreaker::staleTrialDoesNotFreeNewSlot()
{
    CircuitBreakerConfig c = baseConfig();
    c.halfOpenMaxCalls = 1;
    Harness h(c);
    h.toHalfOpen();
    const CircuitPermit first = h.breaker.tryAcquire();
    const CircuitPermit second = h.breaker.tryAcquire();
    QVERIFY(first);
    QVERIFY(!second);
    h.breaker.forceOpen(); // a new period: `first` is stale
    h.scheduler.advanceBy(ResetTimeout * 2);
    QCOMPARE(h.breaker.state(), CircuitState::HalfOpen);
    const CircuitPermit fresh = h.breaker.tryAcquire();
    QVERIFY(fresh);
    h.breaker.release(first);
    h.breaker.onError(first, error(ErrorCode::Cancelled));
    QCOMPARE(h.breaker.metrics().halfOpenInFlight, 1);
    QVERIFY(!h.breaker.tryAcquire());
    h.breaker.onError(first, error(ErrorCode::httpStatus(500))); // stale failure: no reopen
    QCOMPARE(h.breaker.state(), CircuitState::HalfOpen);
    QCOMPARE(h.breaker.metrics().halfOpenInFlight, 1);
}

void tst_CircuitBreaker::permitFromBeforeReset()
{
    Harness h;
    h.run(u"FF");
    const CircuitPermit p = h.breaker.tryAcquire();
    h.breaker.reset();
    h.breaker.onError(p, error(ErrorCode::httpStatus(500)));
    const CircuitBreakerMetrics m = h.breaker.metrics();
    QCOMPARE(m.failures, 1);
    QCOMPARE(m.windowCalls, 0);
    QCOMPARE(m.consecutiveFailures, 0);
}

void tst_CircuitBreaker::ungrantedPermitIsIgnored()
{
    Harness h;
    h.run(u"FFF");
    const CircuitPermit rejected = h.breaker.tryAcquire();
    QVERIFY(!rejected);
    h.breaker.onSuccess(rejected);
    h.breaker.onError(rejected, error(ErrorCode::httpStatus(500)));
    h.breaker.release(rejected);
    h.breaker.onSuccess(CircuitPermit {});
    QCOMPARE(h.breaker.metrics().totalCalls, 3);
    QCOMPARE(h.breaker.metrics().rejected, 1);
}

void tst_CircuitBreaker::timeWindowAgesOut()
{
    CircuitBreakerConfig c = baseConfig();
    c.failureThreshold = 0;
    c.windowType = WindowType::Time;
    c.windowSize = 1000; // 10 ms buckets
    Harness h(c);
    h.run(u"FF");
    h.scheduler.advanceTo(fromMs(500));
    h.run(u"SS");
    QCOMPARE(h.breaker.metrics().windowCalls, 4);
    QCOMPARE(h.breaker.metrics().failureRate, 0.5);
    h.scheduler.advanceTo(fromMs(999));
    QCOMPARE(h.breaker.metrics().windowCalls, 4);
    h.scheduler.advanceTo(fromMs(1000));
    CircuitBreakerMetrics m = h.breaker.metrics();
    QCOMPARE(m.windowCalls, 2);
    QCOMPARE(m.windowFailures, 0);
    QCOMPARE(m.failureRate, 0.0);
    QCOMPARE(m.failures, 2); // lifetime stays
    h.scheduler.advanceTo(fromMs(1500));
    m = h.breaker.metrics();
    QCOMPARE(m.windowCalls, 0);
    QVERIFY(h.breaker.isHealthy());
}

void tst_CircuitBreaker::timeWindowTripsOnRate()
{
    CircuitBreakerConfig c = baseConfig();
    c.failureThreshold = 0;
    c.failureRateThreshold = 0.5;
    c.volumeThreshold = 4;
    c.windowType = WindowType::Time;
    c.windowSize = 1000;
    Harness h(c);
    h.run(u"FFF"); // at 0
    h.scheduler.advanceTo(fromMs(1000));
    h.run(u"SSS"); // the failures aged out: 0 of 3
    QCOMPARE(h.breaker.state(), CircuitState::Closed);
    h.run(u"F"); // 1 of 4
    QCOMPARE(h.breaker.state(), CircuitState::Closed);
    h.scheduler.advanceTo(fromMs(1500));
    h.run(u"F"); // 2 of 5
    QCOMPARE(h.breaker.state(), CircuitState::Closed);
    h.run(u"F"); // 3 of 6
    QCOMPARE(h.breaker.state(), CircuitState::Open);
    QCOMPARE(h.recorder.changes.last().reason, TransitionReason::FailureRate);
}

void tst_CircuitBreaker::countWindowTripsOnRate()
{
    CircuitBreakerConfig c = baseConfig();
    c.failureThreshold = 0;
    c.failureRateThreshold = 0.5;
    c.volumeThreshold = 4;
    c.windowSize = 4;
    Harness h(c);
    h.run(u"FSSS"); // 1 of 4
    h.scheduler.advanceBy(std::chrono::hours(24)); // time means nothing to a count window
    h.run(u"F"); // SSSF: 1 of 4
    QCOMPARE(h.breaker.state(), CircuitState::Closed);
    h.run(u"S"); // SSFS
    h.run(u"F"); // SFSF: 2 of 4
    QCOMPARE(h.breaker.state(), CircuitState::Open);
}

void tst_CircuitBreaker::durationFromAcquire()
{
    Harness h;
    h.scheduler.advanceBy(std::chrono::milliseconds(1000));
    const CircuitPermit a = h.breaker.tryAcquire();
    h.scheduler.advanceBy(std::chrono::milliseconds(30));
    const CircuitPermit b = h.breaker.tryAcquire();
    h.scheduler.advanceBy(std::chrono::milliseconds(80)); // a: 110 ms, slow; b: 80 ms
    h.breaker.onSuccess(b);
    h.breaker.onSuccess(a);
    QCOMPARE(h.recorder.calls[0].duration, fromMs(80));
    QVERIFY(!h.recorder.calls[0].slow);
    QCOMPARE(h.recorder.calls[1].duration, fromMs(110));
    QVERIFY(h.recorder.calls[1].slow);
}

void tst_CircuitBreaker::destructionCancelsTimer()
{
    VirtualScheduler scheduler;
    {
        CircuitBreaker breaker(QStringLiteral("gone"), baseConfig(), scheduler);
        breaker.forceOpen();
        QCOMPARE(scheduler.pendingTimers(), 1u);
    }
    QCOMPARE(scheduler.pendingTimers(), 0u);
    scheduler.advanceBy(ResetTimeout * 2); // nothing runs against the destroyed breaker
}

void tst_CircuitBreaker::noAllocationOnCallPaths()
{
    VirtualScheduler scheduler;
    CircuitBreakerConfig c = baseConfig();
    c.windowType = WindowType::Time;
    CircuitBreaker breaker(QStringLiteral("hot"), c, scheduler);
    CountingListener listener;
    breaker.addListener(&listener);
    const Error failure = error(ErrorCode::httpStatus(500));
    const Error ignored = error(ErrorCode::Cancelled);

    const std::uint64_t before = test::allocationsOnThisThread();
    for (int i = 0; i < 1000; ++i) {
        const CircuitPermit p = breaker.tryAcquire();
        breaker.onSuccess(p);
        const CircuitPermit q = breaker.tryAcquire();
        breaker.onError(q, ignored);
        breaker.release(breaker.tryAcquire());
        (void)breaker.metrics();
        (void)breaker.state();
        scheduler.advanceBy(std::chrono::milliseconds(7));
    }
    QCOMPARE(test::allocationsOnThisThread(), before);
    // Two failures, then the rejection path.
    breaker.onError(breaker.tryAcquire(), failure);
    breaker.onError(breaker.tryAcquire(), failure);
    breaker.onError(breaker.tryAcquire(), failure); // trips: the timer may allocate once
    QCOMPARE(breaker.state(), CircuitState::Open);
    const std::uint64_t open = test::allocationsOnThisThread();
    for (int i = 0; i < 1000; ++i)
        QVERIFY(!breaker.tryAcquire());
    QCOMPARE(test::allocationsOnThisThread(), open);
    QCOMPARE(listener.rejected.load(), 1000);
    QCOMPARE(listener.calls.load(), 1003);
    breaker.removeListener(&listener);
}

void tst_CircuitBreaker::concurrentCallsKeepCountsExact()
{
    FrozenScheduler scheduler;
    CircuitBreakerConfig c = baseConfig();
    c.failureThreshold = 4;
    c.successThreshold = 3;
    CircuitBreaker breaker(QStringLiteral("threads"), c, scheduler);
    CountingListener listener;
    breaker.addListener(&listener);

    constexpr int Threads = 4, Iterations = 20000;
    std::atomic<std::int64_t> recorded { 0 }, rejected { 0 };
    std::vector<std::thread> threads;
    for (int t = 0; t < Threads; ++t) {
        threads.emplace_back([&, t] {
            std::uint32_t x = 2463534242u + t; // xorshift: std::rand is not thread-safe
            for (int i = 0; i < Iterations; ++i) {
                x ^= x << 13;
                x ^= x >> 17;
                x ^= x << 5;
                if (t == 0 && i % 50 == 0) {
                    // One thread keeps the state moving: the timer never fires on a frozen clock.
                    (i % 100 == 0) ? breaker.forceClose() : breaker.forceOpen();
                    continue;
                }
                const CircuitPermit p = breaker.tryAcquire();
                if (!p) {
                    rejected.fetch_add(1, std::memory_order_relaxed);
                    continue;
                }
                switch (x % 4) {
                case 0:
                    breaker.onError(p, error(ErrorCode::httpStatus(500)));
                    break;
                case 1:
                    breaker.onError(p, error(ErrorCode::Cancelled));
                    continue;
                default:
                    breaker.onSuccess(p);
                    break;
                }
                recorded.fetch_add(1, std::memory_order_relaxed);
            }
        });
    }
    for (std::thread &t : threads)
        t.join();
    breaker.removeListener(&listener);

    const CircuitBreakerMetrics m = breaker.metrics();
    QCOMPARE(m.totalCalls, recorded.load());
    QCOMPARE(m.successes + m.failures, m.totalCalls);
    QCOMPARE(m.rejected, rejected.load());
    QCOMPARE(listener.calls.load(), recorded.load());
    QCOMPARE(listener.rejected.load(), rejected.load());
    QVERIFY(listener.changes.load() > 0);
    QVERIFY(m.halfOpenInFlight >= 0);
}

QTEST_GUILESS_MAIN(tst_CircuitBreaker)
#include "tst_circuitbreaker.moc"
