#pragma once

#include "net/chaostarget.h"
#include "runtime/wallscheduler.h"
#include "sim/scenario.h"

#include <QTimer>
#include <QWidget>

#include <memory>
#include <optional>

class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QSpinBox;

namespace bw {

class SimulationController;

// The "Network" dock: switches the loaded scenario between Simulated (its services are models,
// virtual time) and Real HTTP (its services become real HTTP endpoints, wall-clock time, the same
// pipelines and charts). In Real HTTP mode the panel starts a built-in chaos target on
// 127.0.0.1 (an ephemeral port) unless one runs already, points every service at it
// (http://127.0.0.1:PORT/<service>), and offers its settings (errors, latency, hangs, resets)
// live next to what it served. The scenario's faults still apply, client-side.
class NetworkModePanel final : public QWidget
{
    Q_OBJECT

public:
    enum class Mode { Simulated, RealHttp };
    static constexpr int StatsRefreshMs = 500;

    explicit NetworkModePanel(SimulationController *controller, QWidget *parent = nullptr);
    ~NetworkModePanel() override;

    Mode mode() const { return m_mode; }
    // Reloads the scenario in that mode and starts it; nothing happens if it is the mode already.
    void setMode(Mode mode);
    // The built-in chaos target, once Real HTTP mode started it.
    ChaosTarget *chaosTarget() const { return m_target.get(); }
    QComboBox *modeBox() const { return m_modeBox; }
    QDoubleSpinBox *errorRateBox() const { return m_errorRate; }

    // `scenario` with every service a real HTTP one at `baseUrl`/<service name>.
    static ScenarioConfig toRealHttp(const ScenarioConfig &scenario, const QString &baseUrl);

private:
    void onLoaded();
    void applySettings();
    void refreshStats();
    bool startTarget();

    SimulationController *m_controller;
    Mode m_mode = Mode::Simulated;
    bool m_switching = false;
    // The scenario as loaded in Simulated mode, restored when switching back.
    std::optional<ScenarioConfig> m_simulated;
    // The built-in target serves from the GUI thread: replies are small and the demo's rates low.
    std::unique_ptr<WallScheduler> m_scheduler;
    std::unique_ptr<ChaosTarget> m_target;

    QComboBox *m_modeBox;
    QLabel *m_url;
    QDoubleSpinBox *m_errorRate;
    QSpinBox *m_status;
    QSpinBox *m_latency;
    QDoubleSpinBox *m_hangRate;
    QDoubleSpinBox *m_resetRate;
    QLabel *m_stats;
    QTimer m_statsTimer;
};

} // namespace bw
