#pragma once

#include "run/scenariorunner.h"

#include <QHash>
#include <QList>
#include <QTimer>
#include <QWidget>

class QComboBox;
class QDoubleSpinBox;
class QLineEdit;
class QPushButton;
class QSpinBox;

namespace bw {

class SimulationController;

// The "Faults" dock: live faults per service of the loaded scenario. Each steady control
// (error rate, added latency, hang rate, rate limit, brownout capacity) owns that service's live
// faults of its kind: a change, debounced, clears them and injects one open-ended fault when the
// value is non-zero. Buttons inject a timed outage or latency spike, or clear everything. The
// service list comes from the ScenarioConfig the GUI loaded, never from live engine objects.
class FaultPanel final : public QWidget
{
    Q_OBJECT

public:
    static constexpr int DebounceMs = 150;
    static constexpr qsizetype PostedLimit = 64;

    explicit FaultPanel(SimulationController *controller, QWidget *parent = nullptr);

    // Posts to another run from now on (the Compare mode's selected candidate, or back to the
    // single run), showing the live faults this panel posted to it before; pending changes go
    // to the run they were made for first.
    void setController(SimulationController *controller);
    // Fills the service picker from `scenario` and resets every control (nothing is posted).
    void setScenario(const ScenarioConfig &scenario);
    // Back to no live faults on every service, as after a restart (nothing is posted).
    void resetControls();
    QString service() const;
    void setService(const QString &service);
    // Posts the changes still waiting for the debounce now.
    void applyPending();
    // The commands this panel posted, oldest first (the newest PostedLimit), for tests and tools.
    const QList<ControlCommand> &postedCommands() const { return m_posted; }
    // Every interactive control of the panel.
    QList<QWidget *> controls() const;

private:
    // The steady settings of one service; all zero means no live fault.
    struct Settings
    {
        double errorPercent = 0;
        QString errorCode = QStringLiteral("500");
        int addMs = 0, jitterMs = 0;
        double hangPercent = 0;
        double rps = 0;
        int retryAfterMs = 1000;
        int capacity = 0;
    };

    void showSettings(const Settings &settings);
    Settings settingsFromControls() const;
    void changed(FaultKind kind);
    void post(const ControlCommand &command);
    void postKind(const QString &service, FaultKind kind, const Settings &s);
    void injectTimed(FaultKind kind);

    SimulationController *m_controller = nullptr;
    QHash<QString, Settings> m_settings; // per service, only those that were changed
    QHash<const SimulationController *, QHash<QString, Settings>> m_otherRuns; // m_settings of the runs not shown
    QString m_shown; // the service the controls show
    unsigned m_pending = 0; // bit per FaultKind waiting for the debounce
    QTimer m_debounce;
    QList<ControlCommand> m_posted;

    QComboBox *m_service = nullptr;
    QDoubleSpinBox *m_errorRate = nullptr;
    QLineEdit *m_errorCode = nullptr;
    QSpinBox *m_latencyAdd = nullptr, *m_latencyJitter = nullptr;
    QDoubleSpinBox *m_hangRate = nullptr;
    QDoubleSpinBox *m_rateLimit = nullptr;
    QSpinBox *m_retryAfter = nullptr;
    QSpinBox *m_capacity = nullptr;
    QSpinBox *m_duration = nullptr;
    QSpinBox *m_spikeAdd = nullptr;
    QPushButton *m_outageNow = nullptr, *m_spikeNow = nullptr, *m_clearAll = nullptr;
};

} // namespace bw
