#include "mainwindow.h"

#include "compareview.h"
#include "faultpanel.h"
#include "fleetconnectdialog.h"
#include "fleetview.h"
#include "networkmodepanel.h"
#include "policyeditor.h"
#include "sweepdialog.h"

#include "scenario/builtinscenarios.h"
#include "scenario/scenarioloader.h"

#include <QAction>
#include <QCloseEvent>
#include <QComboBox>
#include <QDockWidget>
#include <QFileDialog>
#include <QLabel>
#include <QMessageBox>
#include <QSettings>
#include <QSpinBox>
#include <QStackedWidget>
#include <QStatusBar>
#include <QToolBar>

namespace bw {

namespace {

const QString OpenItem = QStringLiteral("Open…");

QString speedLabel(double speed)
{
    return speed == 0 ? QStringLiteral("max") : QString::number(speed) + QStringLiteral("×");
}

} // namespace

const QList<double> &MainWindow::speeds()
{
    static const QList<double> list { 1, 10, 100, 0 };
    return list;
}

QString MainWindow::formatTime(TimePoint t)
{
    const double s = toMs(t) / 1000.0;
    const int whole = int(s);
    return QStringLiteral("%1:%2.%3")
        .arg(whole / 60)
        .arg(whole % 60, 2, 10, QLatin1Char('0'))
        .arg(int((s - whole) * 10));
}

MainWindow::MainWindow(const Options &options, QWidget *parent)
    : QMainWindow(parent)
{
    setWindowTitle(QStringLiteral("Breakwater"));
    resize(1600, 1000);

    m_dashboard = new Dashboard(this);
    m_dashboard->setHistory(&m_history);
    m_dashboard->setMarkers(&m_markers);
    m_compare = new CompareView(this);
    m_compare->setObjectName(QStringLiteral("compareView"));
    m_central = new QStackedWidget(this);
    m_central->addWidget(m_dashboard);
    m_central->addWidget(m_compare);
    m_fleet = new FleetView(this);
    m_fleet->setObjectName(QStringLiteral("fleetView"));
    connect(m_fleet, &FleetView::twinWritten, this, [this](const QString &path) {
        QString error;
        if (!openTwin(path, &error))
            reportError(QStringLiteral("Twin in the lab"), error);
    });
    m_central->addWidget(m_fleet);
    setCentralWidget(m_central);

    buildToolBar();
    buildDocks();
    buildFaultDock();
    buildPolicyDock();
    layOutDocks();
    buildMenus(); // after the docks: the View menu lists them

    m_healthStatus = new QLabel(this);
    m_healthStatus->setObjectName(QStringLiteral("healthStatus"));
    m_runStatus = new QLabel(this);
    statusBar()->addWidget(m_healthStatus, 1);
    statusBar()->addPermanentWidget(m_runStatus);

    connect(&m_controller, &SimulationController::loaded, this, &MainWindow::onLoaded);
    connect(&m_controller, &SimulationController::progressReceived, this, &MainWindow::onProgress);
    connect(&m_controller, &SimulationController::commandApplied, this, &MainWindow::onCommandApplied);
    connect(m_compare, &CompareView::progressed, this, [this](TimePoint now, RunProgress::State state) {
        m_dirty = true;
        Q_EMIT progressed(now, state);
    });
    connect(m_compare, &CompareView::selectionChanged, this, [this] {
        if (isCompareMode())
            bindLiveControls();
        m_dirty = true; // the Breakers and Health docks show the selected candidate
    });
    connect(m_compare, &CompareView::commandApplied, this,
        [this](const QString &candidate, const ControlCommand &command, bool accepted) {
            statusBar()->showMessage(candidate + QStringLiteral(": ") + command.description().toString()
                    + (accepted ? QStringLiteral(": applied") : QStringLiteral(": refused")),
                5000);
        });
    connect(m_policyEditor, &PolicyEditor::policyPosted, this, [this](const QString &operation, const PolicyConfig &policy) {
        if (isCompareMode())
            m_compare->policyEdited(operation, policy);
    });

    connect(m_fleet, &FleetView::refreshed, this, [this] {
        if (isFleetMode())
            showHealth();
    });

    // Coalesced redraws: progress only marks the window dirty; the timer draws.
    m_refresh.setInterval(RefreshIntervalMs);
    connect(&m_refresh, &QTimer::timeout, this, [this] {
        if (m_dirty)
            refreshNow();
    });
    m_refresh.start();

    QSettings settings;
    m_fleetConnection = FleetConnection::load(settings);
    QString scenario = options.scenario;
    std::optional<double> speed = options.speed;
    if (options.restoreSettings) {
        restoreGeometry(settings.value(QStringLiteral("window/geometry")).toByteArray());
        restoreState(settings.value(QStringLiteral("window/state")).toByteArray(), LayoutVersion);
        if (scenario.isEmpty())
            scenario = settings.value(QStringLiteral("run/scenario")).toString();
        if (!speed && settings.contains(QStringLiteral("run/speed")))
            speed = settings.value(QStringLiteral("run/speed")).toDouble();
    }
    setSpeed(speed.value_or(DefaultSpeed));
    const bool startSingle = options.start && !options.compare;
    if (scenario.isEmpty() || !loadScenario(scenario, options.seed, startSingle))
        if (scenario != DefaultScenarioName)
            loadScenario(QString(DefaultScenarioName), options.seed, startSingle);
    if (options.compare)
        enterCompareMode(options.start, options.candidates);
    if (!options.fleet.isEmpty()) {
        QString error;
        if (!connectFleet(options.fleet, &error))
            reportError(QStringLiteral("Connect"), error);
    }
}

MainWindow::~MainWindow() = default;

void MainWindow::reportError(const QString &title, const QString &message)
{
    statusBar()->showMessage(title + QStringLiteral(": ") + message, 10000);
    // Window-modal and opened without a nested event loop: the run goes on behind it.
    auto *box = new QMessageBox(QMessageBox::Warning, title, message, QMessageBox::Ok, this);
    box->setObjectName(QStringLiteral("errorDialog"));
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->setTextInteractionFlags(Qt::TextSelectableByMouse);
    box->open();
}

void MainWindow::buildToolBar()
{
    QToolBar *bar = addToolBar(QStringLiteral("Run"));
    bar->setObjectName(QStringLiteral("runToolBar"));
    bar->setMovable(false);

    bar->addWidget(new QLabel(QStringLiteral(" Scenario: "), bar));
    m_scenarioBox = new QComboBox(bar);
    m_scenarioBox->setObjectName(QStringLiteral("scenarioPicker"));
    m_scenarioBox->setToolTip(QStringLiteral("Pick a built-in scenario, or open a scenario file"));
    for (const BuiltinScenario &s : builtinScenarios()) {
        m_scenarioBox->addItem(s.name, s.name);
        m_scenarioBox->setItemData(m_scenarioBox->count() - 1, s.description, Qt::ToolTipRole);
    }
    m_scenarioBox->insertSeparator(m_scenarioBox->count());
    m_scenarioBox->addItem(OpenItem, QString());
    connect(m_scenarioBox, &QComboBox::activated, this, [this](int index) {
        QString source = m_scenarioBox->itemData(index).toString();
        if (source.isEmpty()) {
            source = QFileDialog::getOpenFileName(
                this, QStringLiteral("Open scenario"), QString(), QStringLiteral("Scenarios (*.json)"));
            if (source.isEmpty()) {
                onLoaded(); // puts the picker back on the current scenario
                return;
            }
        }
        QString error;
        if (!loadScenario(source, std::nullopt, true, &error))
            reportError(QStringLiteral("Cannot open the scenario"), error);
    });
    bar->addWidget(m_scenarioBox);
    bar->addSeparator();

    m_startAction = bar->addAction(QStringLiteral("Start"), this, [this] { startRun(); });
    m_startAction->setToolTip(QStringLiteral("Start the run, or resume it when paused"));
    m_pauseAction = bar->addAction(QStringLiteral("Pause"), this, [this] { pauseRun(); });
    m_pauseAction->setToolTip(QStringLiteral("Pause the run; virtual time stops"));
    m_stepAction = bar->addAction(QStringLiteral("Step"), this, [this] { stepRun(fromMs(1000)); });
    m_stepAction->setToolTip(QStringLiteral("Advance exactly one second of virtual time, then pause"));
    m_restartAction = bar->addAction(QStringLiteral("Restart"), this, [this] {
        if (isCompareMode())
            m_compare->restart();
        else
            m_controller.restart();
    });
    m_restartAction->setToolTip(QStringLiteral("Run the scenario again from zero with the same seed; live edits are "
                                               "dropped (in Compare mode each candidate keeps its policy edits)"));
    for (QAction *a : { m_startAction, m_pauseAction, m_stepAction, m_restartAction })
        a->setObjectName(a->text().toLower());
    bar->addSeparator();
    QAction *sweep = bar->addAction(QStringLiteral("Sweep…"), this, &MainWindow::openSweepDialog);
    sweep->setObjectName(QStringLiteral("sweep"));
    sweep->setToolTip(QStringLiteral("Run the selected operation's policy over a grid of one or two settings, "
                                     "then pick a point from a heat map or a Pareto scatter"));
    bar->addSeparator();

    bar->addWidget(new QLabel(QStringLiteral(" Speed: "), bar));
    m_speedBox = new QComboBox(bar);
    m_speedBox->setObjectName(QStringLiteral("speed"));
    m_speedBox->setToolTip(
        QStringLiteral("Virtual time per real second: 1×, 10×, 100× real time, or as fast as possible"));
    for (double s : speeds())
        m_speedBox->addItem(speedLabel(s), s);
    connect(m_speedBox, &QComboBox::activated, this,
        [this](int index) { setSpeed(m_speedBox->itemData(index).toDouble()); });
    bar->addWidget(m_speedBox);
    bar->addSeparator();

    bar->addWidget(new QLabel(QStringLiteral(" Seed: "), bar));
    m_seedBox = new QSpinBox(bar);
    m_seedBox->setObjectName(QStringLiteral("seed"));
    m_seedBox->setRange(0, std::numeric_limits<int>::max());
    m_seedBox->setToolTip(QStringLiteral("The random seed; changing it reloads the scenario with that seed"));
    connect(m_seedBox, &QSpinBox::editingFinished, this, [this] {
        if (std::uint64_t(m_seedBox->value()) != m_controller.seed())
            loadScenario(m_scenarioSource, std::uint64_t(m_seedBox->value()), true);
    });
    bar->addWidget(m_seedBox);
    bar->addSeparator();

    m_compareAction = bar->addAction(QStringLiteral("Compare"), this, [this](bool on) { setCompareMode(on); });
    m_compareAction->setObjectName(QStringLiteral("compare"));
    m_compareAction->setCheckable(true);
    m_compareAction->setToolTip(QStringLiteral(
        "Compare mode: run up to four candidate policies side by side on this scenario and seed, one line per "
        "candidate in every chart, with the verdict of `breakwater compare` under them"));
    m_fleetAction = bar->addAction(QStringLiteral("Fleet"), this, [this](bool on) { setFleetMode(on); });
    m_fleetAction->setObjectName(QStringLiteral("fleet"));
    m_fleetAction->setCheckable(true);
    m_fleetAction->setToolTip(QStringLiteral(
        "Fleet mode: watch the circuit breakers of real services through Prometheus and Hystrix streams "
        "(File > Connect… picks the sources); the run waits until you leave it"));
    bar->addSeparator();

    m_elapsed = new QLabel(bar);
    m_elapsed->setObjectName(QStringLiteral("elapsed"));
    m_elapsed->setToolTip(QStringLiteral("Elapsed virtual time / scenario length"));
    m_elapsed->setMinimumWidth(160);
    bar->addWidget(m_elapsed);
}

void MainWindow::buildDocks()
{
    setDockOptions(QMainWindow::AnimatedDocks | QMainWindow::AllowTabbedDocks);

    m_breakerPanel = new BreakerPanel(&m_controller, this);
    m_breakerPanel->setObjectName(QStringLiteral("breakerPanel"));
    auto *breakerDock = new QDockWidget(QStringLiteral("Breakers"), this);
    breakerDock->setObjectName(QStringLiteral("breakersDock"));
    breakerDock->setWidget(m_breakerPanel);
    addDockWidget(Qt::RightDockWidgetArea, breakerDock);

    m_eventLog = new EventLogPanel(this);
    m_eventLog->setObjectName(QStringLiteral("eventLogPanel"));
    auto *logDock = new QDockWidget(QStringLiteral("Event log"), this);
    logDock->setObjectName(QStringLiteral("eventLogDock"));
    logDock->setWidget(m_eventLog);
    addDockWidget(Qt::RightDockWidgetArea, logDock);

    // Health.
    m_healthPanel = new QLabel(this);
    m_healthPanel->setObjectName(QStringLiteral("healthPanel"));
    m_healthPanel->setAlignment(Qt::AlignTop | Qt::AlignLeft);
    m_healthPanel->setWordWrap(true);
    m_healthPanel->setMargin(6);
    auto *healthDock = new QDockWidget(QStringLiteral("Health"), this);
    healthDock->setObjectName(QStringLiteral("healthDock"));
    healthDock->setWidget(m_healthPanel);
    addDockWidget(Qt::RightDockWidgetArea, healthDock);
}

// Faults: live faults per service; what it posts reaches the log and the charts' control
// markers through commandApplied, like every control action.
void MainWindow::buildFaultDock()
{
    m_faultPanel = new FaultPanel(&m_controller, this);
    m_faultPanel->setObjectName(QStringLiteral("faultPanel"));
    auto *faultDock = new QDockWidget(QStringLiteral("Faults"), this);
    faultDock->setObjectName(QStringLiteral("faultsDock"));
    faultDock->setWidget(m_faultPanel);
    addDockWidget(Qt::RightDockWidgetArea, faultDock);
    auto *networkDock = new QDockWidget(QStringLiteral("Network"), this); // Simulated / Real HTTP
    networkDock->setObjectName(QStringLiteral("networkDock"));
    networkDock->setWidget(new NetworkModePanel(&m_controller, networkDock));
    addDockWidget(Qt::RightDockWidgetArea, networkDock);
}

// Policy: the selected operation's policy, edited live. The editor follows the controller's
// loads and restarts itself and posts UpdatePolicy; the log shows it through commandApplied.
void MainWindow::buildPolicyDock()
{
    m_policyEditor = new PolicyEditor(&m_controller, this);
    m_policyEditor->setObjectName(QStringLiteral("policyEditor"));
    auto *policyDock = new QDockWidget(QStringLiteral("Policy"), this);
    policyDock->setObjectName(QStringLiteral("policyDock"));
    policyDock->setWidget(m_policyEditor);
    addDockWidget(Qt::LeftDockWidgetArea, policyDock);
}

// The policy editor is the main tuning tool: it has the left side to itself, tall enough for a
// policy's fields. The right side holds the breakers, the faults (with the network mode behind
// them) and the event log (with the health summary behind it; the status bar shows it too).
void MainWindow::layOutDocks()
{
    const auto dock = [this](const char *name) { return findChild<QDockWidget *>(QLatin1String(name)); };
    QDockWidget *breakers = dock("breakersDock"), *faults = dock("faultsDock"), *log = dock("eventLogDock");
    splitDockWidget(breakers, faults, Qt::Vertical);
    splitDockWidget(faults, log, Qt::Vertical);
    tabifyDockWidget(faults, dock("networkDock"));
    tabifyDockWidget(log, dock("healthDock"));
    faults->raise();
    log->raise();
    resizeDocks({ dock("policyDock"), breakers }, { 380, 640 }, Qt::Horizontal);
    resizeDocks({ breakers, faults, log }, { 170, 330, 400 }, Qt::Vertical);
}

bool MainWindow::loadScenario(
    const QString &fileOrName, std::optional<std::uint64_t> seed, bool start, QString *error)
{
    LoadError loadError;
    const std::optional<ScenarioConfig> scenario = bw::loadScenario(fileOrName, &loadError);
    if (!scenario) {
        if (error)
            *error = loadError.toString();
        statusBar()->showMessage(
            QStringLiteral("Cannot open %1: %2").arg(fileOrName, loadError.toString()), 10000);
        return false;
    }
    m_scenarioSource = fileOrName;
    m_controller.load(*scenario, seed, m_controller.speed());
    if (isCompareMode()) {
        // The candidates move to the new scenario; the single run waits for Compare mode's end.
        m_singleScenario = *scenario;
        m_resumeSingle = start;
        m_compare->setScenario(*scenario, m_controller.seed(), m_controller.speed());
        if (start)
            m_compare->start();
    } else if (start) {
        m_controller.start();
    }
    return true;
}

void MainWindow::setSpeed(double speed)
{
    m_controller.setSpeed(speed);
    m_compare->setSpeed(m_controller.speed());
    const int i = m_speedBox->findData(m_controller.speed());
    if (i >= 0)
        m_speedBox->setCurrentIndex(i);
}

void MainWindow::onLoaded()
{
    const ScenarioConfig &s = m_controller.scenario();
    m_history.clear();
    m_breakerPanel->model()->clear();
    m_eventLog->model()->clear();
    m_pendingEvents.clear();
    m_liveFaultEnds.clear();
    m_lastNow = TimePoint {};
    m_generation = 0;
    // Fault boundaries come from the scenario: mark them on the time axis.
    m_markers = faultMarkers(s);
    const int i = m_scenarioBox->findData(m_scenarioSource);
    if (i >= 0) {
        m_scenarioBox->setCurrentIndex(i);
    } else {
        // A file: listed once, above the separator.
        m_scenarioBox->insertItem(0, s.name.isEmpty() ? m_scenarioSource : s.name, m_scenarioSource);
        m_scenarioBox->setCurrentIndex(0);
    }
    m_scenarioBox->setToolTip(s.description.isEmpty() ? s.name : s.description);
    {
        const QSignalBlocker block(m_seedBox);
        m_seedBox->setValue(
            int(std::min<std::uint64_t>(m_controller.seed(), std::uint64_t(m_seedBox->maximum()))));
    }
    m_faultPanel->setScenario(s);
    // Real HTTP runs on the wall clock: say so wherever time is shown.
    m_realTime = ScenarioRun::needsRealTime(s);
    m_dashboard->setTimeAxisTitle(m_realTime ? QStringLiteral("wall-clock time (s)") : QStringLiteral("virtual time (s)"));
    m_eventLog->model()->setWallClock(m_realTime);
    setWindowTitle(QStringLiteral("Breakwater — ") + s.name);
    m_dirty = true;
    updateToolBarState();
}

void MainWindow::addFaultEvents(TimePoint from, TimePoint to)
{
    // Boundaries in (from, to], plus those at zero on the first progress.
    auto crossed = [&](Duration t) {
        return (t > from || (from == TimePoint {} && t == Duration::zero())) && t <= to;
    };
    for (const FaultConfig &f : m_controller.scenario().faults) {
        const QString what = QString(faultKindName(f.kind));
        if (crossed(f.at))
            m_pendingEvents.append(
                { toMs(f.at), EventLogModel::Kind::Fault, f.service, what + QStringLiteral(" starts") });
        if (f.until != Duration::max() && crossed(f.until))
            m_pendingEvents.append(
                { toMs(f.until), EventLogModel::Kind::Fault, f.service, what + QStringLiteral(" ends") });
    }
}

void MainWindow::onProgress(const RunProgress &progress)
{
    if (progress.series.generation != m_generation && m_generation != 0) {
        // A restart: the history starts over, and so do the log and the breaker rows.
        m_eventLog->model()->clear();
        m_pendingEvents.clear();
        m_liveFaultEnds.clear();
        m_lastNow = TimePoint {};
        m_markers.erase(
            std::remove_if(m_markers.begin(), m_markers.end(), [](const TimeMarker &m) { return m.control; }),
            m_markers.end());
        m_faultPanel->resetControls(); // a restart drops the live faults
    }
    m_generation = progress.series.generation;
    m_dirty |= m_history.ingest(progress);
    const QStringList &breakers = m_history.layout().breakers;
    for (const TimeBucketPtr &b : progress.series.buckets)
        for (const BreakerChange &c : b->changes)
            m_pendingEvents.append({ toMs(c.at), EventLogModel::Kind::StateChange, breakers.value(c.breaker),
                QStringLiteral("%1 → %2 (%3)")
                    .arg(circuitStateName(c.from), circuitStateName(c.to), transitionReasonName(c.reason)) });
    if (progress.now > m_lastNow || (m_lastNow == TimePoint {} && progress.now == TimePoint {})) {
        addFaultEvents(m_lastNow, progress.now);
        const double nowMs = toMs(progress.now);
        for (auto it = m_liveFaultEnds.begin(); it != m_liveFaultEnds.end();) {
            if (it->atMs <= nowMs) {
                m_pendingEvents.append(*it);
                it = m_liveFaultEnds.erase(it);
            } else {
                ++it;
            }
        }
        m_lastNow = progress.now;
    }
    if (!isCompareMode()) // then the candidates' progress is the window's
        Q_EMIT progressed(progress.now, progress.state);
}

void MainWindow::onCommandApplied(const ControlCommand &command, bool accepted, TimePoint at)
{
    const ControlDescription description = command.description();
    const double atMs = toMs(at);
    m_pendingEvents.append({ atMs, EventLogModel::Kind::Control, description.subject,
        description.action + (description.change.isEmpty() ? QString() : QStringLiteral(": ") + description.change)
            + (accepted ? QString() : QStringLiteral(" (refused)")) });
    if (accepted) {
        // A fault injected for a while ends by itself: mark the end now, log it when it comes.
        m_markers.append(controlMarkers(command, at));
        const auto *inject = std::get_if<ControlCommands::InjectFault>(&command.command);
        if (inject && inject->length != Duration::max()) {
            const double endMs = atMs + toMs(inject->length);
            const QString kind(faultKindName(inject->fault.kind));
            m_liveFaultEnds.append({ endMs, EventLogModel::Kind::Fault, inject->fault.service, kind + QStringLiteral(" ends") });
        }
    }
    statusBar()->showMessage(
        description.toString() + (accepted ? QStringLiteral(": applied") : QStringLiteral(": refused")), 5000);
    m_dirty = true;
}

void MainWindow::refreshNow()
{
    m_dirty = false;
    if (!m_pendingEvents.isEmpty()) {
        // State changes arrive with their bucket, later than faults and commands: keep time order.
        std::stable_sort(m_pendingEvents.begin(), m_pendingEvents.end(),
            [](const EventLogModel::Entry &a, const EventLogModel::Entry &b) { return a.atMs < b.atMs; });
        m_eventLog->model()->append(m_pendingEvents);
        m_pendingEvents.clear();
    }
    // The Breakers dock acts on the run live edits go to: it shows that run's breakers.
    m_breakerPanel->model()->update(dockedHistory());
    if (m_central->currentWidget() == m_dashboard)
        m_dashboard->refresh();

    if (!isFleetMode())
        showHealth();

    const bool comparing = isCompareMode() && m_compare->selected() >= 0;
    const TimePoint now = comparing ? m_compare->now() : m_history.now();
    const TimePoint end = comparing ? m_compare->end() : m_history.end();
    m_elapsed->setText((m_realTime ? QStringLiteral(" Wall-clock time: %1 / %2 ") : QStringLiteral(" Virtual time: %1 / %2 "))
                           .arg(formatTime(now), formatTime(end)));
    updateToolBarState();
}

SweepDialog *MainWindow::openSweepDialog()
{
    if (!m_sweepDialog)
        m_sweepDialog = new SweepDialog(this);
    m_sweepDialog->show();
    m_sweepDialog->raise();
    m_sweepDialog->activateWindow();
    return m_sweepDialog;
}

QString MainWindow::healthText() const
{
    return m_healthStatus->text();
}

const TelemetryHistory &MainWindow::dockedHistory() const
{
    return isCompareMode() && m_compare->selected() >= 0 ? m_compare->history(m_compare->selected()) : m_history;
}

void MainWindow::showHealth()
{
    QString summary, panel;
    bool healthy = true;
    if (isFleetMode()) {
        const FleetHealth health = m_fleet->health();
        healthy = health.healthy;
        summary = healthy ? QStringLiteral("Fleet healthy")
                          : QStringLiteral("Fleet degraded: ") + health.issues.join(QStringLiteral("; "));
        panel = QStringLiteral("<b>%1</b><br>Circuit breakers: %2 total, %3 CLOSED, %4 not CLOSED")
                    .arg(healthy ? summary.toHtmlEscaped() : QStringLiteral("Fleet degraded"))
                    .arg(health.breakers)
                    .arg(health.breakers - health.notClosed)
                    .arg(health.notClosed);
        for (const QString &issue : health.issues)
            panel += QStringLiteral("<br><span style='color:#c62828'>%1</span>").arg(issue.toHtmlEscaped());
    } else {
        const HealthStatus health = dockedHistory().health();
        healthy = health.healthy;
        summary = health.healthy ? QStringLiteral("Healthy")
                                 : QStringLiteral("Degraded: ") + health.issues.join(QStringLiteral("; "));
        // In Compare mode the health is one candidate's: say whose.
        if (isCompareMode() && m_compare->selected() >= 0)
            summary = m_compare->candidate(m_compare->selected()).name + QStringLiteral(": ") + summary;
        panel = QStringLiteral("<b>%1</b><br>Circuit breakers: %2 total, %3 healthy, %4 unhealthy")
                    .arg(summary.toHtmlEscaped())
                    .arg(health.circuitBreakers.total)
                    .arg(health.circuitBreakers.healthy)
                    .arg(health.circuitBreakers.unhealthy);
        for (const BulkheadHealth &b : health.bulkheads)
            panel += QStringLiteral("<br>Bulkhead %1: %2 % busy%3")
                         .arg(b.name.toHtmlEscaped(), QString::number(b.utilizationPercent, 'f', 0),
                             b.congested ? QStringLiteral(", <span style='color:#c62828'>congested</span>")
                                         : QString());
    }
    m_healthStatus->setText(summary);
    m_healthStatus->setStyleSheet(healthy ? QStringLiteral("color: #2e7d32; font-weight: bold")
                                          : QStringLiteral("color: #c62828; font-weight: bold"));
    m_healthPanel->setText(panel);
}

void MainWindow::updateToolBarState()
{
    using S = RunProgress::State;
    const S s = runState();
    const bool fleet = isFleetMode();
    m_startAction->setEnabled(!fleet && (s == S::Idle || s == S::Paused));
    m_pauseAction->setEnabled(!fleet && s == S::Running);
    m_stepAction->setEnabled(!fleet && s != S::Finished);
    for (QWidget *w : std::initializer_list<QWidget *> { m_scenarioBox, m_speedBox, m_seedBox })
        w->setEnabled(!fleet);
    m_restartAction->setEnabled(!fleet);
    static const char *names[] = { "idle", "running", "paused", "finished" };
    m_runStatus->setText(fleet ? QStringLiteral("fleet mode, the run waits (%1)").arg(QString::fromLatin1(names[int(s)]))
                               : (isCompareMode() ? QStringLiteral("comparing, ") : QString()) + QString::fromLatin1(names[int(s)])
            + QStringLiteral(" at ") + speedLabel(m_controller.speed()));
    // Compare mode measures in virtual time: a real HTTP scenario cannot be compared.
    m_compareAction->setEnabled(!fleet && (!m_realTime || isCompareMode()));
}

bool MainWindow::isFleetMode() const
{
    return m_central->currentWidget() == m_fleet;
}

void MainWindow::enableRunDocks(bool on)
{
    // In Fleet mode they make room for the fleet: hidden, and shown again as they were.
    for (const char *name : { "policyDock", "faultsDock", "breakersDock", "eventLogDock", "networkDock" }) {
        QDockWidget *dock = findChild<QDockWidget *>(QLatin1String(name));
        if (!on && !dock->isHidden()) {
            m_hiddenForFleet.append(dock);
            dock->hide();
        }
        dock->setEnabled(on);
    }
    if (on) {
        for (QDockWidget *dock : std::as_const(m_hiddenForFleet))
            dock->show();
        m_hiddenForFleet.clear();
    }
    findChild<QDockWidget *>(QStringLiteral("networkDock"))->setEnabled(on && !isCompareMode());
    if (!on) {
        // The Health dock alone on its side: narrow, the fleet gets the width.
        QDockWidget *health = findChild<QDockWidget *>(QStringLiteral("healthDock"));
        health->raise();
        resizeDocks({ health }, { 360 }, Qt::Horizontal);
    }
}

void MainWindow::openConnectDialog()
{
    auto *dialog = new FleetConnectDialog(m_fleetConnection, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &QDialog::accepted, this, [this, dialog] {
        QString error;
        if (!connectFleet(dialog->connection(), &error))
            reportError(QStringLiteral("Connect"), error);
    });
    connect(dialog, &QDialog::finished, this, [this] { m_fleetAction->setChecked(isFleetMode()); });
    dialog->open();
}

bool MainWindow::connectFleet(const FleetConnection &connection, QString *error)
{
    QString problem;
    if (!m_fleet->open(connection, &problem)) {
        if (error)
            *error = problem;
        return false;
    }
    m_fleetConnection = connection;
    QSettings settings;
    connection.save(settings);
    if (!isFleetMode()) {
        m_beforeFleet = m_central->currentWidget();
        m_resumeBeforeFleet = runState() == RunProgress::State::Running;
        pauseRun();
        m_central->setCurrentWidget(m_fleet);
        enableRunDocks(false);
    }
    m_fleetAction->setChecked(true);
    setWindowTitle(QStringLiteral("Breakwater — fleet"));
    updateToolBarState();
    return true;
}

void MainWindow::setFleetMode(bool on)
{
    if (on == isFleetMode())
        return;
    if (on) {
        QString error;
        if (m_fleetConnection.isEmpty())
            openConnectDialog();
        else if (!connectFleet(m_fleetConnection, &error))
            reportError(QStringLiteral("Connect"), error);
        m_fleetAction->setChecked(isFleetMode());
        return;
    }
    m_fleet->close();
    m_central->setCurrentWidget(m_beforeFleet ? m_beforeFleet : m_dashboard);
    m_fleetAction->setChecked(false);
    enableRunDocks(true);
    setWindowTitle(QStringLiteral("Breakwater — ") + m_controller.scenario().name);
    if (m_resumeBeforeFleet)
        startRun();
    m_dirty = true;
    showHealth();
    updateToolBarState();
}

bool MainWindow::openTwin(const QString &scenarioPath, QString *error)
{
    setFleetMode(false);
    setCompareMode(false);
    if (!loadScenario(scenarioPath, std::nullopt, false, error))
        return false;
    const OperationConfig &op = m_controller.scenario().operations.constFirst();
    PolicyConfig other = op.policy;
    if (other.circuitBreaker) // a breaker that trips later: what the known one would have spared
        other.circuitBreaker->failureRateThreshold = (1 + other.circuitBreaker->failureRateThreshold) / 2;
    m_compare->clear();
    enterCompareMode(true,
        { Candidate { QStringLiteral("known settings"), op.policy, op.name },
            Candidate { QStringLiteral("other thresholds"), other, op.name } },
        QStringLiteral("the twin: the breaker's library defaults"));
    m_compare->select(1);
    return true;
}

bool MainWindow::isCompareMode() const
{
    return m_central->currentWidget() == m_compare;
}

void MainWindow::setCompareMode(bool on)
{
    if (on == isCompareMode())
        return;
    if (on) {
        // The candidates run if the single run was running; otherwise they wait for Start or Step.
        enterCompareMode(m_controller.state() == RunProgress::State::Running, {});
        return;
    }
    m_central->setCurrentWidget(m_dashboard);
    m_compareAction->setChecked(false);
    m_compare->pause();
    bindLiveControls();
    findChild<QDockWidget *>(QStringLiteral("networkDock"))->setEnabled(true);
    if (m_resumeSingle)
        m_controller.start();
    m_dirty = true;
    updateToolBarState();
}

void MainWindow::enterCompareMode(bool start, const QList<Candidate> &candidates, const QString &source)
{
    if (m_realTime) {
        reportError(QStringLiteral("Compare"),
            QStringLiteral("Compare mode runs simulated scenarios only, in virtual time; this one calls real HTTP services."));
        m_compareAction->setChecked(false);
        return;
    }
    m_resumeSingle = m_controller.state() == RunProgress::State::Running;
    m_controller.pause();
    m_singleScenario = currentScenario();
    const QString operation = candidates.isEmpty() ? m_compare->operation() : candidates.first().operation;
    m_compare->setScenario(m_singleScenario, m_controller.seed(), m_controller.speed());
    m_compare->setOperation(operation);
    // "Current policy": the compared operation's, or the first one's for every operation.
    for (const OperationConfig &op : m_singleScenario.operations) {
        if (operation.isEmpty() || op.name == operation) {
            m_compare->setCurrentPolicy(op.policy);
            break;
        }
    }
    for (const Candidate &c : candidates)
        m_compare->addCandidate(c.name, c.policy, source);
    if (m_compare->candidateCount() == 0) {
        m_compare->addCandidate(QStringLiteral("current"), m_singleScenario.operations.value(0).policy,
            QStringLiteral("the single run's policy"));
        m_compare->addCandidate(QStringLiteral("api"), ResiliencePolicies::api(), QStringLiteral("preset api"));
    }
    m_central->setCurrentWidget(m_compare);
    m_compareAction->setChecked(true);
    // Real HTTP mode is a single run's: the candidates are simulated.
    findChild<QDockWidget *>(QStringLiteral("networkDock"))->setEnabled(false);
    bindLiveControls();
    if (start)
        m_compare->start();
    m_dirty = true;
    updateToolBarState();
}

void MainWindow::bindLiveControls()
{
    SimulationController *target = &m_controller;
    ScenarioConfig shown = m_singleScenario;
    if (isCompareMode() && m_compare->selectedController()) {
        target = m_compare->selectedController();
        shown = m_compare->selectedScenario();
    }
    m_policyEditor->setController(target, shown);
    m_faultPanel->setController(target);
    m_breakerPanel->setController(target);
}

void MainWindow::startRun()
{
    if (isCompareMode())
        m_compare->start();
    else
        m_controller.start();
}

void MainWindow::pauseRun()
{
    if (isCompareMode())
        m_compare->pause();
    else
        m_controller.pause();
}

void MainWindow::stepRun(Duration length)
{
    if (isCompareMode())
        m_compare->step(length);
    else
        m_controller.step(length);
}

RunProgress::State MainWindow::runState() const
{
    return isCompareMode() ? m_compare->state() : m_controller.state();
}

void MainWindow::saveSettings() const
{
    QSettings settings;
    settings.setValue(QStringLiteral("window/geometry"), saveGeometry());
    settings.setValue(QStringLiteral("window/state"), saveState(LayoutVersion));
    settings.setValue(QStringLiteral("run/scenario"), m_scenarioSource);
    settings.setValue(QStringLiteral("run/speed"), m_controller.speed());
}

void MainWindow::closeEvent(QCloseEvent *event)
{
    saveSettings();
    event->accept();
}

} // namespace bw
