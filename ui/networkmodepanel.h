#pragma once

#include "net/chaostarget.h"
#include "net/toxicproxy.h"
#include "runtime/wallscheduler.h"
#include "scenario/scenario.h"

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
// 127.0.0.1 (an ephemeral port) unless one runs already, with a built-in toxic proxy in front of
// it, points every service at the proxy (http://127.0.0.1:PROXY/<service>), and offers the
// target's settings (errors, latency, hangs, resets) and the proxy's toxics (latency, bandwidth,
// connection resets) live, next to what the target served. The scenario's faults still apply, client-side. A scenario opened
// with URL services is in Real HTTP mode already; switching it to Simulated gives its services
// the default model.
class NetworkModePanel final : public QWidget
{
    Q_OBJECT

public:
    enum class Mode
    {
        Simulated,
        RealHttp
    };
    static constexpr int StatsRefreshMs = 500;

    explicit NetworkModePanel(SimulationController *controller, QWidget *parent = nullptr);
    ~NetworkModePanel() override;

    Mode mode() const { return m_mode; }
    // Reloads the scenario in that mode and starts it; nothing happens if it is the mode already.
    void setMode(Mode mode);
    // The built-in chaos target, once Real HTTP mode started it.
    ChaosTarget *chaosTarget() const { return m_target.get(); }
    ToxicProxy *proxy() const { return m_proxy.get(); }
    QSpinBox *proxyLatencyBox() const { return m_proxyLatency; }
    QComboBox *modeBox() const { return m_modeBox; }
    QDoubleSpinBox *errorRateBox() const { return m_errorRate; }

    // `scenario` with every service a real HTTP one at `baseUrl`/<service name>.
    static ScenarioConfig toRealHttp(const ScenarioConfig &scenario, const QString &baseUrl);

private:
    void onLoaded();
    void applySettings();
    void applyToxics();
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
    std::unique_ptr<ToxicProxy> m_proxy;
    QString m_baseUrl; // the proxy's

    QComboBox *m_modeBox;
    QLabel *m_url;
    QDoubleSpinBox *m_errorRate;
    QSpinBox *m_status;
    QSpinBox *m_latency;
    QDoubleSpinBox *m_hangRate;
    QDoubleSpinBox *m_resetRate;
    QSpinBox *m_proxyLatency;
    QSpinBox *m_proxyBandwidth;
    QDoubleSpinBox *m_proxyResets;
    QLabel *m_stats;
    QTimer m_statsTimer;
};

} // namespace bw
