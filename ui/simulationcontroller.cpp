#include "simulationcontroller.h"

#include <algorithm>

namespace bw {

SimulationController::SimulationController(QObject *parent)
    : QObject(parent)
{
    m_thread.setObjectName(QStringLiteral("simulation"));
    m_thread.start();
}

SimulationController::~SimulationController()
{
    dropRunner();
    m_thread.quit();
    m_thread.wait();
}

void SimulationController::dropRunner()
{
    if (m_runner) {
        m_runner->disconnect(this);
        // deleteLater is thread-safe: the runner goes on its own thread, between two ticks.
        m_runner->deleteLater();
    }
    m_runner.clear();
    m_inFlight = 0;
    m_lastApplied.reset();
    m_applied.clear();
    m_beforeRestart = 0;
}

void SimulationController::load(
    const ScenarioConfig &scenario, std::optional<std::uint64_t> seed, double speed)
{
    dropRunner();
    m_scenario = scenario;
    m_seed = seed;
    m_speed = ScenarioRunner::clampSpeed(speed);
    m_state = RunProgress::State::Idle;

    RunnerOptions options;
    options.speed = m_speed;
    auto *runner = new ScenarioRunner(scenario, seed, options);
    runner->moveToThread(&m_thread);
    m_runner = runner;
    // Queued signals already posted by a replaced runner may still arrive: only the current
    // runner's count.
    connect(runner, &ScenarioRunner::progress, this, [this, runner](const RunProgress &p) {
        if (runner != m_runner)
            return;
        m_state = p.state;
        Q_EMIT progressReceived(p);
    });
    connect(runner, &ScenarioRunner::commandApplied, this,
        [this, runner](const ControlCommand &command, bool accepted, TimePoint at) {
            if (runner != m_runner)
                return;
            m_inFlight = std::max(0, m_inFlight - 1); // a command posted to the runner directly was not counted
            m_lastApplied = command;
            // The runner applies commands and restarts in the order they were posted, so the
            // first m_beforeRestart confirmations belong to the run before the restart.
            if (m_beforeRestart > 0)
                --m_beforeRestart;
            else if (accepted)
                m_applied.append({ at, command });
            Q_EMIT commandApplied(command, accepted, at);
        });
    connect(runner, &ScenarioRunner::finished, this, [this, runner] {
        if (runner == m_runner)
            Q_EMIT finished();
    });
    Q_EMIT loaded();
}

// The runner's slots queue themselves when called from another thread.
void SimulationController::start()
{
    if (m_runner)
        m_runner->start();
}

void SimulationController::pause()
{
    if (m_runner)
        m_runner->pause();
}

void SimulationController::step(Duration length)
{
    if (m_runner)
        m_runner->step(length);
}

void SimulationController::restart()
{
    if (!m_runner)
        return;
    m_applied.clear();
    m_beforeRestart = m_inFlight;
    m_runner->restart();
}

void SimulationController::setSpeed(double speed)
{
    m_speed = ScenarioRunner::clampSpeed(speed);
    if (m_runner)
        m_runner->setSpeed(m_speed);
}

void SimulationController::post(const ControlCommand &command)
{
    if (!m_runner)
        return;
    ++m_inFlight;
    m_runner->post(command);
}

} // namespace bw
