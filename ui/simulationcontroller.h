#pragma once

#include "run/controlscript.h"
#include "run/scenariorunner.h"

#include <QObject>
#include <QPointer>
#include <QThread>

#include <optional>

namespace bw {

// Owns the worker thread and the ScenarioRunner on it, and is the GUI's only door to the run:
// commands go through the runner's self-queuing slots, telemetry comes back as RunProgress
// value snapshots. Loading another scenario replaces the runner; signals from a replaced one are
// dropped, so viewers never mix two runs.
class SimulationController final : public QObject
{
    Q_OBJECT

public:
    explicit SimulationController(QObject *parent = nullptr);
    ~SimulationController() override;

    // Replaces the current run with `scenario` (idle until start()). `speed` 0: as fast as possible.
    void load(const ScenarioConfig &scenario, std::optional<std::uint64_t> seed, double speed);
    bool isLoaded() const { return !m_runner.isNull(); }
    // The current run's runner (lives on the worker thread): to follow it before it starts.
    ScenarioRunner *runner() const { return m_runner; }
    const ScenarioConfig &scenario() const { return m_scenario; }
    std::uint64_t seed() const { return m_seed.value_or(m_scenario.seed); }
    double speed() const { return m_speed; }
    RunProgress::State state() const { return m_state; }

    void start();
    void pause();
    void step(Duration length);
    void restart();
    void setSpeed(double speed);
    void post(const ControlCommand &command);
    // The last command the current run confirmed (accepted or refused), for viewers and tests.
    const std::optional<ControlCommand> &lastAppliedCommand() const { return m_lastApplied; }
    // The commands the current run accepted, with the virtual time each applied at: with the
    // scenario and seed, they make the run again (File ▸ Export run). Cleared by load and restart.
    const QList<TimedCommand> &appliedCommands() const { return m_applied; }

Q_SIGNALS:
    void loaded();
    void progressReceived(const bw::RunProgress &progress);
    void commandApplied(const bw::ControlCommand &command, bool accepted, bw::TimePoint at);
    void finished();

private:
    void dropRunner();

    QThread m_thread;
    QPointer<ScenarioRunner> m_runner;
    ScenarioConfig m_scenario;
    std::optional<std::uint64_t> m_seed;
    double m_speed = 0;
    RunProgress::State m_state = RunProgress::State::Idle;
    int m_inFlight = 0; // posted, not yet confirmed; the runner applies them in order
    std::optional<ControlCommand> m_lastApplied;
    QList<TimedCommand> m_applied;
    int m_beforeRestart = 0; // confirmations still due for commands posted before a restart
};

} // namespace bw
