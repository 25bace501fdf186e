#pragma once

#include "../telemetry/timeseries.h"
#include "controlcommand.h"
#include "scenariorun.h"

#include <QElapsedTimer>
#include <QObject>
#include <QTimer>

#include <functional>
#include <memory>
#include <optional>

namespace bw {

// Registers every operation, breaker, bulkhead (sampled) and service of `sim` with `recorder`
// and adds it as a sink. Then attach(sim.scheduler(), sim.end()) once the simulation has started.
void recordSimulation(TimeSeriesRecorder &recorder, ScenarioRun &sim);

// What the runner tells its viewers once per tick at most: where the run is, and the telemetry
// buckets completed since the previous progress (never one twice), plus the one in progress.
struct RunProgress
{
    enum class State : std::uint8_t
    {
        Idle,
        Running,
        Paused,
        Finished
    };
    State state = State::Idle;
    TimePoint now {}, end {};
    double speed = 0; // 0: as fast as possible; else N × real time
    bool behind = false; // paced, and the last tick could not keep up with the wall clock
    TimeSeriesSnapshot series;
};

// How a ScenarioRunner paces a run and publishes its telemetry.
struct RunnerOptions
{
    TimeSeriesRecorder::Config series;
    double speed = 0; // 0: as fast as possible; else 1..1000
    Duration chunk = fromMs(100); // virtual time per advance at full speed
    Duration tickBudget = fromMs(10); // wall time per tick before returning to the loop
    Duration tickInterval = fromMs(10); // paced: wall time between ticks
    Duration publishInterval = fromMs(33); // wall time between progress signals (~30 Hz)
    // Chunks per tick at most, whatever the clock says: bounds a tick when the wall clock
    // is frozen (tests) or coarse.
    int maxChunksPerTick = 10000;
};

// Owns a ScenarioRun and runs it on the thread it lives in. Move it to a worker QThread; the GUI
// talks to it only through the slots below (which queue themselves when called from another
// thread) and its signals, and reads telemetry from the immutable snapshots in `progress`.
//
// Modes: as fast as possible, in chunks of virtual time, returning to the event loop after
// about `tickBudget` of wall time so that commands are applied promptly; or paced at N × real
// time (1..1000): at every tick the run advances to anchor + N × (wall time since the anchor).
// The runner is the one place where wall time drives virtual time: it reads a wall clock
// (QElapsedTimer by default, injectable for tests) and the engine stays on virtual time.
// When a paced tick cannot reach its target within `tickBudget`, the runner re-anchors where it
// got (the run slows down, `behind` is set) rather than bursting to catch up later.
//
// Commands (live edits) are applied between chunks, at the current virtual time. A run that is
// idle (not started) is built first, so edits before start() apply at time zero.
//
// Telemetry: a TimeSeriesRecorder is a sink of every ScenarioRun the runner builds, with gauges
// sampled from the bulkheads (occupancy, limits, rejection counters) and the services (requests
// received, in service, queued, capacity). It does not follow bulkhead events, which come
// several per call: peaks are sampled every tenth of a bucket instead.
//
// Signals: at most one `progress` per `publishInterval` of wall time while running, plus one
// on every state change, after every step, and after a command while not running; never one
// per call. `finished` once per run, after the last progress. Each progress carries only the
// buckets completed since the previous one, so a viewer appends and never deduplicates.
class ScenarioRunner final : public QObject
{
    Q_OBJECT

public:
    using State = RunProgress::State;
    // Monotonic wall time since some fixed point; must never go backwards.
    using WallClock = std::function<Duration()>;

    using Options = RunnerOptions;

    explicit ScenarioRunner(ScenarioConfig scenario, std::optional<std::uint64_t> seed = std::nullopt,
        Options options = {}, QObject *parent = nullptr);
    ~ScenarioRunner() override;

    // Owner thread, before start(): the wall clock that paces the run and bounds its ticks.
    void setWallClock(WallClock clock);
    // Owner thread, before start(): called on the runner's thread with every ScenarioRun it
    // builds (start, restart), after the recorder is wired and before the first event; attach
    // an event log, a summary or other sinks here.
    void setSetup(std::function<void(ScenarioRun &)> setup);

    // Owner thread only: the live objects (tests, and the headless run once finished).
    ScenarioRun *simulation() const { return m_sim.get(); }
    State state() const { return m_state; }
    double speed() const { return m_speed; }
    TimePoint now() const;
    // Any thread: takeSince(), recent(), coarse(), layout() and writeCsv() are thread-safe.
    TimeSeriesRecorder &recorder() { return m_recorder; }
    const TimeSeriesRecorder &recorder() const { return m_recorder; }

    static double clampSpeed(double speed); // 0 stays 0; otherwise 1..1000

public Q_SLOTS:
    // Idle: builds the run and starts it. Paused: resumes. Running or Finished: nothing.
    void start();
    void pause();
    void resume();
    // Advances exactly `length` of virtual time (less at the scenario's end), then stays paused;
    // pauses a running run first.
    void step(Duration length);
    // 0: as fast as possible; else N × real time, clamped to 1..1000. Applies from now on.
    void setSpeed(double speed);
    // Rebuilds the ScenarioRun from the original scenario and seed (live edits are dropped) and
    // resets the telemetry (a new generation). Keeps the state: a paused run stays paused at
    // zero, a running or finished one runs again.
    void restart();
    // Applies a live change now; commandApplied tells whether the engine accepted it.
    void post(const bw::ControlCommand &command);
    // One tick now: what the timer does. Public so that tests on one thread can drive the
    // runner deterministically with an injected clock.
    void tick();

Q_SIGNALS:
    void progress(const bw::RunProgress &progress);
    // Once per post, in order: the command, whether the run took it, and the virtual time then.
    void commandApplied(const bw::ControlCommand &command, bool accepted, bw::TimePoint at);
    void finished();

private:
    bool onOwnerThread() const;
    void ensureSimulation();
    void buildSimulation();
    void teardownSimulation();
    void setState(State state);
    void anchor();
    void scheduleTicks();
    // Advances toward `target` in chunks until the budget runs out; true when it got there.
    bool advanceToward(TimePoint target, Duration budget, Duration tickStart);
    void finishRun();
    void publish(bool force);
    bool apply(const ControlCommand &command);

    ScenarioConfig m_scenario;
    std::optional<std::uint64_t> m_seed;
    Options m_options;
    WallClock m_wall;
    QElapsedTimer m_elapsed;
    std::function<void(ScenarioRun &)> m_setup;

    TimeSeriesRecorder m_recorder; // outlives every ScenarioRun (detached before each goes)
    std::unique_ptr<ScenarioRun> m_sim;
    State m_state = State::Idle;
    double m_speed = 0;
    bool m_behind = false;
    // Paced: virtual time m_anchorVirtual corresponds to wall time m_anchorWall.
    Duration m_anchorWall {};
    TimePoint m_anchorVirtual {};
    Duration m_lastPublish {};
    bool m_published = false;
    TimeSeriesCursor m_cursor;
    QTimer m_timer;
};

} // namespace bw

Q_DECLARE_METATYPE(bw::RunProgress)
