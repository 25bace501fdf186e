#pragma once

#include "breakermodel.h"
#include "breakerpanel.h"
#include "dashboard.h"
#include "eventlogmodel.h"
#include "eventlogpanel.h"
#include "fleetconnection.h"
#include "simulationcontroller.h"
#include "telemetryhistory.h"

#include "lab/candidate.h"
#include "policyexport/policyexport.h"
#include "run/runexport.h"

#include <QMainWindow>
#include <QTimer>

#include <optional>

class QAction;
class QComboBox;
class QDockWidget;
class QLabel;
class QSortFilterProxyModel;
class QSpinBox;
class QStackedWidget;
class QTableView;

namespace bw {

class CompareView;
class FaultPanel;
class FleetView;
class PolicyEditor;
class SweepDialog;

// How the window opens (the desktop command line sets these).
struct MainWindowOptions
{
    QString scenario; // a built-in's name or a file; empty: the last one used, else the default
    std::optional<double> speed; // 0: max; nullopt: the last one used, else MainWindow::DefaultSpeed
    std::optional<std::uint64_t> seed;
    bool start = true;
    bool restoreSettings = true;
    bool compare = false; // opens in Compare mode
    // Compare mode's first candidates (their operation: the compared one); empty: the current
    // policy and the "api" preset.
    QList<Candidate> candidates;
    FleetConnection fleet; // not empty: opens in Fleet mode on it
};

// The desktop app's window: a toolbar that drives the run, the dashboard in the middle, and docks
// for the breakers, the event log and the health summary. The simulation runs on the
// controller's worker thread; progress lands in the TelemetryHistory as it comes, and a
// refresh timer (20 Hz) redraws at most once per tick, whatever the run's speed.
class MainWindow final : public QMainWindow
{
    Q_OBJECT

public:
    using Options = MainWindowOptions;
    static constexpr int RefreshIntervalMs = 50;
    // A first run is watched, not finished before the window is up: at 10× the default
    // scenario's outage, trip, probes and recovery unfold in a few seconds each.
    static constexpr double DefaultSpeed = 10;
    // The default dock layout's version: a layout saved by a version with other docks is not restored.
    static constexpr int LayoutVersion = 1;
    // The speeds the toolbar offers; 0 is "max".
    static const QList<double> &speeds();

    explicit MainWindow(const Options &options = {}, QWidget *parent = nullptr);
    ~MainWindow() override;

    // Loads a built-in by name or a scenario file; false (and a message) when it cannot be read.
    bool loadScenario(const QString &fileOrName, std::optional<std::uint64_t> seed = std::nullopt,
        bool start = true, QString *error = nullptr);
    void setSpeed(double speed);
    double speed() const { return m_controller.speed(); }

    // Compare mode (the toolbar's "Compare"): the compare view replaces the dashboard, the single
    // run pauses, the candidates start if it was running, and the run controls and live edits
    // act on the candidates; leaving it brings the
    // single run back as it was, resumed if it was running. Not for real HTTP scenarios.
    void setCompareMode(bool on);
    bool isCompareMode() const;
    CompareView *compareView() const { return m_compare; }
    // Fleet mode (File > Connect…, or the toolbar's "Fleet"): the fleet view replaces the
    // dashboard or the compare view and watches real services; the run pauses and its docks are
    // disabled; leaving it brings back what was shown, resumed if it was running.
    // connectFleet() opens (or switches) the connection: false with the reason when it cannot,
    // and the window stays as it was. The connection is remembered in the settings, never its token.
    bool connectFleet(const FleetConnection &connection, QString *error = nullptr);
    // On: the last connection again, or File > Connect… when there is none.
    void setFleetMode(bool on);
    bool isFleetMode() const;
    // A real breaker's twin (FleetView::openTwin writes it) in the lab: its trace scenario
    // becomes the current scenario, and Compare mode opens running two candidates, "known settings"
    // (the scenario's policy) and "other thresholds" (the same with the failure-rate threshold
    // halfway to 100 %, selected, so that the Policy dock edits it); the Sweep dialog takes the
    // same scenario. False, with the reason, when the scenario does not load.
    bool openTwin(const QString &scenarioPath, QString *error = nullptr);
    FleetView *fleetView() const { return m_fleet; }
    // File > Connect…: the connection dialog, window-modal; connects on OK.
    void openConnectDialog();
    // The toolbar's run controls: the single run, or every candidate in Compare mode.
    void startRun();
    void pauseRun();
    void stepRun(Duration length);
    RunProgress::State runState() const;

    SimulationController &controller() { return m_controller; }
    const TelemetryHistory &history() const { return m_history; }
    // The run the docks act on and show: the selected candidate's in Compare mode, else the single run's.
    const TelemetryHistory &dockedHistory() const;
    BreakerModel *breakerModel() const { return m_breakerPanel->model(); }
    EventLogModel *eventLogModel() const { return m_eventLog->model(); }
    QSortFilterProxyModel *eventLogProxy() const { return m_eventLog->proxy(); }
    Dashboard *dashboard() const { return m_dashboard; }
    // The labelled moments on the time axis: the scenario's fault boundaries and live actions.
    const QList<TimeMarker> &markers() const { return m_markers; }
    QTableView *breakerView() const { return m_breakerPanel->view(); }
    FaultPanel *faultPanel() const { return m_faultPanel; }
    PolicyEditor *policyEditor() const { return m_policyEditor; }
    QString healthText() const;

    // File menu, each also callable directly (tests). A failure returns false with the reason;
    // the menu shows it in a dialog, and the running scenario goes on untouched.
    // The scenario as running now: the loaded one with the policy edits made since.
    ScenarioConfig currentScenario() const;
    bool saveScenario(const QString &path, QString *error = nullptr) const;
    // Reads a policy file and applies it live to the operation selected in the Policy dock.
    bool openPolicy(const QString &path, QString *error = nullptr);
    bool savePolicy(const QString &path, QString *error = nullptr) const;
    // Writes the selected operation's policy as it is now for a library (policyexport.h), and for
    // a JSON target its notes to path + ".notes.txt"; the instance is named after the operation.
    bool exportPolicy(const QString &path, ExportTarget target, QString *error = nullptr) const;
    // Writes the dashboard as PNG or SVG, by the path's suffix.
    bool exportDashboard(const QString &path, QString *error = nullptr);
    // Re-runs the scenario with this run's edits up to now on a background thread, with a
    // progress dialog, and writes the files (exportRun() of the engine); exportFinished tells.
    void exportRun(const RunOutputPaths &paths);
    // The same re-run, then the run's report (htmlreport.h) written to `path`: what the window
    // shows, as one web page; exportFinished tells.
    void exportReport(const QString &path);
    bool isExporting() const { return m_exporting; }
    // Shows a failure in a window-modal dialog (objectName "errorDialog") and the status bar.
    void reportError(const QString &title, const QString &message);
    // Opens the Sweep dialog (toolbar and Lab menu: "Sweep…"), made on first use.
    SweepDialog *openSweepDialog();
    // Redraws now from what has arrived (the refresh timer calls it when something changed).
    void refreshNow();

Q_SIGNALS:
    void progressed(bw::TimePoint now, bw::RunProgress::State state);
    void exportFinished(bool ok, const QString &message);

protected:
    void closeEvent(QCloseEvent *event) override;

private:
    void buildMenus(); // filemenu.cpp
    // exportRun()'s re-run on a background thread with a progress dialog; `then`, when given, gets
    // the re-run's figures on this thread and writes `thenWrites` (a failure fails the export).
    void rerun(const RunOutputPaths &paths, std::function<bool(const RunRecord &record, QString *error)> then,
        const QString &thenWrites = {});
    void buildToolBar();
    void buildDocks();
    void buildFaultDock();
    void buildPolicyDock();
    void layOutDocks();
    void onLoaded();
    void onProgress(const RunProgress &progress);
    void onCommandApplied(const ControlCommand &command, bool accepted, TimePoint at);
    void addFaultEvents(TimePoint from, TimePoint to);
    void updateToolBarState();
    void enterCompareMode(bool start, const QList<Candidate> &candidates, const QString &source = QStringLiteral("the command line"));
    // The health dock and the status bar's summary: the run's, or the fleet's in Fleet mode.
    void showHealth();
    // The docks that act on a run: hidden in Fleet mode (the network dock stays off in Compare mode).
    void enableRunDocks(bool on);
    // Binds the Policy, Faults and Breakers docks to the run that live edits go to.
    void bindLiveControls();
    void saveSettings() const;
    // "m:ss.d", as the toolbar shows the run's time.
    static QString formatTime(TimePoint t);

    SimulationController m_controller;
    TelemetryHistory m_history;
    QTimer m_refresh;
    bool m_dirty = false;
    bool m_exporting = false;
    bool m_realTime = false; // the scenario calls real HTTP services, on the wall clock
    QString m_scenarioSource;
    QList<EventLogModel::Entry> m_pendingEvents;
    QList<EventLogModel::Entry> m_liveFaultEnds; // ends of live faults injected for a while, not yet reached
    QList<TimeMarker> m_markers;
    TimePoint m_lastNow {};
    std::uint64_t m_generation = 0;

    Dashboard *m_dashboard = nullptr;
    CompareView *m_compare = nullptr;
    QStackedWidget *m_central = nullptr; // the dashboard, the compare view or the fleet view
    QAction *m_compareAction = nullptr;
    FleetView *m_fleet = nullptr;
    QAction *m_fleetAction = nullptr;
    FleetConnection m_fleetConnection; // the last one opened
    QWidget *m_beforeFleet = nullptr; // what the central view showed before Fleet mode
    bool m_resumeBeforeFleet = false; // and whether its run was running
    QList<QDockWidget *> m_hiddenForFleet; // the run's docks Fleet mode hid
    ScenarioConfig m_singleScenario; // the single run's, with its edits, while Compare mode is on
    bool m_resumeSingle = false; // the single run was running when Compare mode began
    QComboBox *m_scenarioBox = nullptr;
    QComboBox *m_speedBox = nullptr;
    QSpinBox *m_seedBox = nullptr;
    QLabel *m_elapsed = nullptr;
    QAction *m_startAction = nullptr, *m_pauseAction = nullptr, *m_stepAction = nullptr,
            *m_restartAction = nullptr;
    BreakerPanel *m_breakerPanel = nullptr; // the "Breakers" dock
    EventLogPanel *m_eventLog = nullptr; // the "Event log" dock
    QLabel *m_healthPanel = nullptr;
    QLabel *m_healthStatus = nullptr;
    QLabel *m_runStatus = nullptr;
    FaultPanel *m_faultPanel = nullptr; // the "Faults" dock
    PolicyEditor *m_policyEditor = nullptr; // the "Policy" dock
    SweepDialog *m_sweepDialog = nullptr;
};

} // namespace bw
