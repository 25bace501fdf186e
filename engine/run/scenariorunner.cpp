#include "scenariorunner.h"

#include <QThread>

#include <cmath>

namespace bw {

namespace {

// Reads through the pipeline each time: a policy change may replace or drop the bulkhead.
TimeSeriesRecorder::BulkheadSampler bulkheadSampler(ScenarioRun *sim, int operation)
{
    return [sim, operation]() -> std::optional<TimeSeriesRecorder::BulkheadSample> {
        const Bulkhead *b = sim->pipeline(operation).bulkhead();
        if (!b)
            return std::nullopt;
        const BulkheadMetrics m = b->metrics();
        const BulkheadConfig config = b->config();
        return TimeSeriesRecorder::BulkheadSample { m.active, m.queued, config.maxConcurrent,
            config.maxQueueSize, m.rejected, m.timeouts };
    };
}

// Through the pipeline too: a policy change may turn the limit on or off.
TimeSeriesRecorder::LimitSampler limitSampler(ScenarioRun *sim, int operation)
{
    return [sim, operation]() -> std::optional<int> {
        const ConcurrencyLimit *limit = sim->pipeline(operation).concurrencyLimit();
        return limit ? std::optional<int>(limit->limit()) : std::nullopt;
    };
}

// The breaker's own window: the rates its thresholds are compared with.
TimeSeriesRecorder::BreakerSampler breakerSampler(ScenarioRun *sim, int operation)
{
    return [sim, operation]() -> std::optional<TimeSeriesRecorder::BreakerSample> {
        const CircuitBreaker *b = sim->pipeline(operation).circuitBreaker();
        if (!b)
            return std::nullopt;
        const CircuitBreakerMetrics m = b->metrics();
        return TimeSeriesRecorder::BreakerSample { m.failureRate, m.slowCallRate, m.windowCalls };
    };
}

} // namespace

void recordSimulation(TimeSeriesRecorder &recorder, ScenarioRun &sim)
{
    for (int i = 0; i < sim.operationCount(); ++i) {
        Pipeline &p = sim.pipeline(i);
        recorder.addOperation(p.name(), sim.operationConfig(i).service, limitSampler(&sim, i));
        if (CircuitBreaker *b = p.circuitBreaker())
            recorder.addBreaker(b->name(), b->state(), breakerSampler(&sim, i));
        // Sampled, not followed: bulkhead events come several per call and cost more than the
        // rest of the recording together; the samples give peaks at a tenth of a bucket.
        if (p.bulkhead())
            recorder.addBulkhead(p.name(), bulkheadSampler(&sim, i));
    }
    for (int s = 0; s < sim.serviceCount(); ++s) {
        const BackendService *service = &sim.service(s);
        recorder.addService(service->name(), [service] {
            const BackendService::Stats &st = service->stats();
            return TimeSeriesRecorder::ServiceSample { st.received, st.errorsServed, st.inService, st.queued,
                service->effectiveCapacity(), st.completed, st.wasted.value_or(-1) };
        });
    }
    sim.addSink(&recorder);
}

ScenarioRunner::ScenarioRunner(
    ScenarioConfig scenario, std::optional<std::uint64_t> seed, Options options, QObject *parent)
    : QObject(parent)
    , m_scenario(std::move(scenario))
    , m_seed(seed)
    , m_options(options)
    , m_recorder(options.series)
    , m_speed(clampSpeed(options.speed))
    , m_timer(this) // a child, so that it moves to the worker thread with the runner
{
    qRegisterMetaType<bw::RunProgress>();
    qRegisterMetaType<bw::ControlCommand>();
    qRegisterMetaType<bw::TimeSeriesSnapshot>();
    m_elapsed.start();
    m_wall = [this] { return Duration(m_elapsed.nsecsElapsed()); };
    m_timer.setTimerType(Qt::PreciseTimer);
    connect(&m_timer, &QTimer::timeout, this, &ScenarioRunner::tick);
}

ScenarioRunner::~ScenarioRunner()
{
    teardownSimulation();
}

void ScenarioRunner::setWallClock(WallClock clock)
{
    m_wall = std::move(clock);
}

void ScenarioRunner::setSetup(std::function<void(ScenarioRun &)> setup)
{
    m_setup = std::move(setup);
}

double ScenarioRunner::clampSpeed(double speed)
{
    if (!(speed > 0)) // 0, negative, NaN
        return 0;
    return std::clamp(speed, 1.0, 1000.0);
}

TimePoint ScenarioRunner::now() const
{
    return m_sim ? m_sim->now() : TimePoint::zero();
}

bool ScenarioRunner::onOwnerThread() const
{
    return QThread::currentThread() == thread();
}

// Every slot below first hops to the runner's thread when called from another one; the
// context object drops the call if the runner is gone by then.
#define BW_ON_OWNER_THREAD(call)                                                                             \
    if (!onOwnerThread()) {                                                                                  \
        QMetaObject::invokeMethod(                                                                           \
            this, [=, this] { call; }, Qt::QueuedConnection);                                                \
        return;                                                                                              \
    }

void ScenarioRunner::ensureSimulation()
{
    if (!m_sim)
        buildSimulation();
}

void ScenarioRunner::buildSimulation()
{
    m_sim = std::make_unique<ScenarioRun>(m_scenario, m_seed);
    recordSimulation(m_recorder, *m_sim);
    if (m_setup)
        m_setup(*m_sim);
    m_sim->start();
    m_recorder.attach(m_sim->scheduler(), m_sim->end());
}

void ScenarioRunner::teardownSimulation()
{
    m_timer.stop();
    m_recorder.detach(); // its boundary timer lives on the ScenarioRun's scheduler
    m_sim.reset();
}

void ScenarioRunner::setState(State state)
{
    m_state = state;
}

void ScenarioRunner::anchor()
{
    m_anchorWall = m_wall();
    m_anchorVirtual = now();
}

void ScenarioRunner::scheduleTicks()
{
    // At full speed a zero timer: a tick each time the event loop has handled what was posted.
    const bool realTime = m_sim && m_sim->isRealTime();
    const Duration interval = m_speed > 0 || realTime ? m_options.tickInterval : Duration::zero();
    m_timer.start(std::chrono::duration_cast<std::chrono::milliseconds>(interval));
}

void ScenarioRunner::start()
{
    BW_ON_OWNER_THREAD(start());
    switch (m_state) {
    case State::Idle:
        ensureSimulation();
        setState(State::Running);
        anchor();
        scheduleTicks();
        publish(true);
        break;
    case State::Paused:
        resume();
        break;
    case State::Running:
    case State::Finished:
        break;
    }
}

void ScenarioRunner::pause()
{
    BW_ON_OWNER_THREAD(pause());
    // The wall clock of a real network run does not stop (requests are on the wire).
    if (m_state != State::Running || m_sim->isRealTime())
        return;
    m_timer.stop();
    setState(State::Paused);
    publish(true);
}

void ScenarioRunner::resume()
{
    BW_ON_OWNER_THREAD(resume());
    if (m_state == State::Idle) {
        start();
        return;
    }
    if (m_state != State::Paused)
        return;
    setState(State::Running);
    anchor();
    scheduleTicks();
    publish(true);
}

void ScenarioRunner::step(Duration length)
{
    BW_ON_OWNER_THREAD(step(length));
    if (m_state == State::Finished)
        return;
    ensureSimulation();
    if (m_sim->isRealTime()) {
        // Wall time cannot be stepped (or paused): a step starts a run that has not started.
        if (m_state == State::Idle)
            start();
        return;
    }
    m_timer.stop();
    setState(State::Paused);
    if (length > Duration::zero())
        m_sim->advanceTo(m_sim->now() + length);
    if (m_sim->atEnd()) {
        finishRun();
        return;
    }
    publish(true);
}

void ScenarioRunner::setSpeed(double speed)
{
    BW_ON_OWNER_THREAD(setSpeed(speed));
    m_speed = clampSpeed(speed);
    m_behind = false;
    anchor();
    if (m_state == State::Running)
        scheduleTicks();
    publish(true);
}

void ScenarioRunner::restart()
{
    BW_ON_OWNER_THREAD(restart());
    const State was = m_state;
    teardownSimulation();
    m_recorder.reset(); // a new generation: the next progress tells viewers to start over
    m_behind = false;
    buildSimulation();
    switch (was) {
    case State::Idle:
    case State::Paused:
        setState(was);
        break;
    case State::Running:
    case State::Finished:
        setState(State::Running);
        anchor();
        scheduleTicks();
        break;
    }
    publish(true);
}

void ScenarioRunner::post(const ControlCommand &command)
{
    BW_ON_OWNER_THREAD(post(command));
    ensureSimulation();
    const bool accepted = m_state != State::Finished && apply(command);
    Q_EMIT commandApplied(command, accepted, now());
    // A running run shows the effect at its next publication; a paused one at once. A slider
    // dragged while running thus adds no signals.
    publish(m_state != State::Running);
}

bool ScenarioRunner::apply(const ControlCommand &command)
{
    if (!m_sim->apply(command))
        return false;
    // A breaker or bulkhead a policy change turned on gets its series now; the ScenarioRun
    // already made its events reach every sink.
    if (const auto *c = std::get_if<ControlCommands::UpdatePolicy>(&command.command)) {
        const int i = m_sim->operationIndex(c->operation);
        Pipeline &p = m_sim->pipeline(i);
        if (CircuitBreaker *b = p.circuitBreaker())
            m_recorder.addBreaker(b->name(), b->state());
        if (p.bulkhead())
            m_recorder.addBulkhead(p.name(), bulkheadSampler(m_sim.get(), i));
    }
    return true;
}

bool ScenarioRunner::advanceToward(TimePoint target, Duration budget, Duration tickStart)
{
    target = std::min(target, m_sim->end());
    int chunks = 0;
    while (m_sim->now() < target) {
        m_sim->advanceTo(std::min(target, m_sim->now() + m_options.chunk));
        if (++chunks >= m_options.maxChunksPerTick || m_wall() - tickStart >= budget)
            break;
    }
    return m_sim->now() >= target;
}

void ScenarioRunner::tick()
{
    if (m_state != State::Running || !m_sim) {
        m_timer.stop();
        return;
    }
    const Duration tickStart = m_wall();
    if (m_sim->isRealTime()) {
        // Real network mode: wall time drives the run by itself, its timers and replies coming
        // through this thread's event loop; a tick only looks where it is.
        m_sim->start();
    } else if (m_speed <= 0) {
        advanceToward(m_sim->end(), m_options.tickBudget, tickStart);
    } else {
        const double wallNs = double((tickStart - m_anchorWall).count());
        const TimePoint target = m_anchorVirtual + Duration(std::llround(wallNs * m_speed));
        const bool reached = advanceToward(target, m_options.tickBudget, tickStart);
        m_behind = !reached;
        if (!reached)
            anchor(); // slow down to what the machine can do instead of bursting later
    }
    if (m_sim->atEnd()) {
        finishRun();
        return;
    }
    publish(false);
}

void ScenarioRunner::finishRun()
{
    m_timer.stop();
    m_sim->finish(); // calls still in flight end now, cancelled
    m_recorder.finish(m_sim->now());
    setState(State::Finished);
    m_behind = false;
    publish(true);
    Q_EMIT finished();
}

void ScenarioRunner::publish(bool force)
{
    const Duration wall = m_wall();
    if (!force && m_published && wall - m_lastPublish < m_options.publishInterval)
        return;
    m_lastPublish = wall;
    m_published = true;
    RunProgress p;
    p.state = m_state;
    p.now = now();
    p.end = m_sim ? m_sim->end() : TimePoint(m_scenario.duration);
    p.speed = m_speed;
    p.behind = m_behind;
    p.series = m_recorder.snapshot(m_cursor);
    m_cursor = p.series.next;
    Q_EMIT progress(p);
}

#undef BW_ON_OWNER_THREAD

} // namespace bw
