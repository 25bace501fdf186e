#include "mainwindow.h"

#include "faultpanel.h"
#include "networkmodepanel.h"
#include "policyeditor.h"

#include "sim/builtinscenarios.h"
#include "sim/scenarioloader.h"

#include <QAction>
#include <QCloseEvent>
#include <QComboBox>
#include <QDockWidget>
#include <QFileDialog>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QPushButton>
#include <QSettings>
#include <QSortFilterProxyModel>
#include <QSpinBox>
#include <QStatusBar>
#include <QTableView>
#include <QToolBar>
#include <QToolButton>
#include <QVBoxLayout>

namespace bw {

namespace {

const QString OpenItem = QStringLiteral("Open…");

QString speedLabel(double speed)
{
    return speed == 0 ? QStringLiteral("max") : QString::number(speed) + QStringLiteral("×");
}

QString formatTime(TimePoint t)
{
    const double s = toMs(t) / 1000.0;
    const int whole = int(s);
    return QStringLiteral("%1:%2.%3")
        .arg(whole / 60)
        .arg(whole % 60, 2, 10, QLatin1Char('0'))
        .arg(int((s - whole) * 10));
}

} // namespace

const QList<double> &MainWindow::speeds()
{
    static const QList<double> list { 1, 10, 100, 0 };
    return list;
}

MainWindow::MainWindow(const Options &options, QWidget *parent)
    : QMainWindow(parent)
{
    setWindowTitle(QStringLiteral("Breakwater"));
    resize(1600, 1000);

    m_dashboard = new Dashboard(this);
    m_dashboard->setHistory(&m_history);
    m_dashboard->setMarkers(&m_markers);
    setCentralWidget(m_dashboard);

    buildToolBar();
    buildDocks();
    buildFaultDock();
    buildPolicyDock();

    m_healthStatus = new QLabel(this);
    m_healthStatus->setObjectName(QStringLiteral("healthStatus"));
    m_runStatus = new QLabel(this);
    statusBar()->addWidget(m_healthStatus, 1);
    statusBar()->addPermanentWidget(m_runStatus);

    connect(&m_controller, &SimulationController::loaded, this, &MainWindow::onLoaded);
    connect(&m_controller, &SimulationController::progressReceived, this, &MainWindow::onProgress);
    connect(&m_controller, &SimulationController::commandApplied, this, &MainWindow::onCommandApplied);

    // Coalesced redraws: progress only marks the window dirty; the timer draws.
    m_refresh.setInterval(RefreshIntervalMs);
    connect(&m_refresh, &QTimer::timeout, this, [this] {
        if (m_dirty)
            refreshNow();
    });
    m_refresh.start();

    QSettings settings;
    QString scenario = options.scenario;
    std::optional<double> speed = options.speed;
    if (options.restoreSettings) {
        restoreGeometry(settings.value(QStringLiteral("window/geometry")).toByteArray());
        restoreState(settings.value(QStringLiteral("window/state")).toByteArray());
        if (scenario.isEmpty())
            scenario = settings.value(QStringLiteral("run/scenario")).toString();
        if (!speed && settings.contains(QStringLiteral("run/speed")))
            speed = settings.value(QStringLiteral("run/speed")).toDouble();
    }
    setSpeed(speed.value_or(0));
    if (scenario.isEmpty() || !loadScenario(scenario, options.seed, options.start))
        if (scenario != DefaultScenarioName)
            loadScenario(QString(DefaultScenarioName), options.seed, options.start);
}

MainWindow::~MainWindow() = default;

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
            QMessageBox::warning(this, QStringLiteral("Cannot open the scenario"), error);
    });
    bar->addWidget(m_scenarioBox);
    bar->addSeparator();

    m_startAction = bar->addAction(QStringLiteral("Start"), this, [this] { m_controller.start(); });
    m_startAction->setToolTip(QStringLiteral("Start the run, or resume it when paused"));
    m_pauseAction = bar->addAction(QStringLiteral("Pause"), this, [this] { m_controller.pause(); });
    m_pauseAction->setToolTip(QStringLiteral("Pause the run; virtual time stops"));
    m_stepAction = bar->addAction(QStringLiteral("Step"), this, [this] { m_controller.step(fromMs(1000)); });
    m_stepAction->setToolTip(QStringLiteral("Advance exactly one second of virtual time, then pause"));
    m_restartAction = bar->addAction(QStringLiteral("Restart"), this, [this] { m_controller.restart(); });
    m_restartAction->setToolTip(
        QStringLiteral("Run the scenario again from zero with the same seed; live edits are dropped"));
    for (QAction *a : { m_startAction, m_pauseAction, m_stepAction, m_restartAction })
        a->setObjectName(a->text().toLower());
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

    m_elapsed = new QLabel(bar);
    m_elapsed->setObjectName(QStringLiteral("elapsed"));
    m_elapsed->setToolTip(QStringLiteral("Elapsed virtual time / scenario length"));
    m_elapsed->setMinimumWidth(160);
    bar->addWidget(m_elapsed);
}

void MainWindow::buildDocks()
{
    setDockOptions(QMainWindow::AnimatedDocks | QMainWindow::AllowTabbedDocks);

    // Breakers.
    auto *breakers = new QWidget(this);
    auto *bl = new QVBoxLayout(breakers);
    bl->setContentsMargins(2, 2, 2, 2);
    m_breakerModel = new BreakerModel(this);
    m_breakerView = new QTableView(breakers);
    m_breakerView->setObjectName(QStringLiteral("breakerView"));
    m_breakerView->setModel(m_breakerModel);
    m_breakerView->verticalHeader()->hide();
    m_breakerView->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_breakerView->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_breakerView->horizontalHeader()->setStretchLastSection(true);
    bl->addWidget(m_breakerView);
    auto *resetAll = new QPushButton(QStringLiteral("Reset all"), breakers);
    resetAll->setObjectName(QStringLiteral("resetAll"));
    resetAll->setToolTip(QStringLiteral("Reset every breaker to CLOSED with empty windows"));
    connect(resetAll, &QPushButton::clicked, this, [this] {
        for (int r = 0; r < m_breakerModel->rowCount(); ++r)
            breakerAction(m_breakerModel->breakerName(r), Simulation::BreakerAction::Reset);
    });
    bl->addWidget(resetAll, 0, Qt::AlignLeft);
    connect(m_breakerModel, &QAbstractItemModel::rowsInserted, this,
        [this](const QModelIndex &, int first, int last) { installRowButtons(first, last); });
    connect(m_breakerModel, &QAbstractItemModel::modelReset, this,
        [this] { installRowButtons(0, m_breakerModel->rowCount() - 1); });
    auto *breakerDock = new QDockWidget(QStringLiteral("Breakers"), this);
    breakerDock->setObjectName(QStringLiteral("breakersDock"));
    breakerDock->setWidget(breakers);
    addDockWidget(Qt::RightDockWidgetArea, breakerDock);

    // Event log: a kind filter, then a text filter on every column.
    auto *log = new QWidget(this);
    auto *ll = new QVBoxLayout(log);
    ll->setContentsMargins(2, 2, 2, 2);
    auto *filters = new QHBoxLayout;
    auto *kind = new QComboBox(log);
    kind->setObjectName(QStringLiteral("eventKindFilter"));
    kind->setToolTip(QStringLiteral("Show one kind of event only"));
    kind->addItem(QStringLiteral("All kinds"), QString());
    for (auto k :
        { EventLogModel::Kind::StateChange, EventLogModel::Kind::Fault, EventLogModel::Kind::Control })
        kind->addItem(EventLogModel::kindName(k), EventLogModel::kindName(k));
    auto *text = new QLineEdit(log);
    text->setObjectName(QStringLiteral("eventTextFilter"));
    text->setPlaceholderText(QStringLiteral("Filter…"));
    text->setToolTip(QStringLiteral("Show the events whose text contains this"));
    text->setClearButtonEnabled(true);
    filters->addWidget(kind);
    filters->addWidget(text, 1);
    ll->addLayout(filters);
    m_eventModel = new EventLogModel(this);
    auto *byKind = new QSortFilterProxyModel(this);
    byKind->setSourceModel(m_eventModel);
    byKind->setFilterKeyColumn(EventLogModel::KindColumn);
    m_eventProxy = new QSortFilterProxyModel(this);
    m_eventProxy->setSourceModel(byKind);
    m_eventProxy->setFilterKeyColumn(-1);
    m_eventProxy->setFilterCaseSensitivity(Qt::CaseInsensitive);
    connect(kind, &QComboBox::currentIndexChanged, this, [byKind, kind] {
        const QString k = kind->currentData().toString();
        byKind->setFilterRegularExpression(
            k.isEmpty() ? QString() : QStringLiteral("^%1$").arg(QRegularExpression::escape(k)));
    });
    connect(text, &QLineEdit::textChanged, m_eventProxy, &QSortFilterProxyModel::setFilterFixedString);
    m_eventView = new QTableView(log);
    m_eventView->setObjectName(QStringLiteral("eventView"));
    m_eventView->setModel(m_eventProxy);
    m_eventView->verticalHeader()->hide();
    m_eventView->horizontalHeader()->setStretchLastSection(true);
    m_eventView->setSelectionBehavior(QAbstractItemView::SelectRows);
    ll->addWidget(m_eventView);
    auto *logDock = new QDockWidget(QStringLiteral("Event log"), this);
    logDock->setObjectName(QStringLiteral("eventLogDock"));
    logDock->setWidget(log);
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
    resizeDocks({ breakerDock }, { 640 }, Qt::Horizontal);
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
    addDockWidget(Qt::LeftDockWidgetArea, faultDock);
    auto *networkDock = new QDockWidget(QStringLiteral("Network"), this); // Simulated / Real HTTP
    networkDock->setObjectName(QStringLiteral("networkDock"));
    networkDock->setWidget(new NetworkModePanel(&m_controller, networkDock));
    addDockWidget(Qt::LeftDockWidgetArea, networkDock);
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

void MainWindow::installRowButtons(int first, int last)
{
    struct Spec
    {
        const char *label, *key, *tip;
        Simulation::BreakerAction action;
    };
    static const Spec specs[] = {
        { "Force open", "forceOpen", "Open the breaker now; it half-opens after its reset timeout",
            Simulation::BreakerAction::ForceOpen },
        { "Hold open", "holdOpen", "Keep the breaker open (FORCED_OPEN) until reset or forced closed",
            Simulation::BreakerAction::HoldOpen },
        { "Force close", "forceClose", "Close the breaker now", Simulation::BreakerAction::ForceClose },
        { "Reset", "reset", "Back to CLOSED with an empty window", Simulation::BreakerAction::Reset },
    };
    for (int row = first; row <= last; ++row) {
        const QString name = m_breakerModel->breakerName(row);
        auto *cell = new QWidget;
        auto *layout = new QHBoxLayout(cell);
        layout->setContentsMargins(0, 0, 0, 0);
        layout->setSpacing(2);
        for (const Spec &s : specs) {
            auto *button = new QToolButton(cell);
            button->setAutoRaise(true); // flat: four per row fit the dock
            button->setStyleSheet(QStringLiteral("QToolButton { padding: 0 2px; }"));
            button->setText(QString::fromLatin1(s.label));
            button->setToolTip(QString::fromLatin1(s.tip));
            button->setObjectName(QString::fromLatin1(s.key) + u':' + name);
            const Simulation::BreakerAction action = s.action;
            connect(
                button, &QToolButton::clicked, this, [this, name, action] { breakerAction(name, action); });
            layout->addWidget(button);
        }
        layout->addStretch();
        m_breakerView->setIndexWidget(m_breakerModel->index(row, BreakerModel::ActionsColumn), cell);
    }
    m_breakerView->resizeColumnToContents(BreakerModel::ActionsColumn);
}

void MainWindow::breakerAction(const QString &breaker, Simulation::BreakerAction action)
{
    // Breakers are named after their operations in the simulator.
    m_controller.post({ RunnerCommands::Breaker { breaker, action } });
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
    if (start)
        m_controller.start();
    return true;
}

void MainWindow::setSpeed(double speed)
{
    m_controller.setSpeed(speed);
    const int i = m_speedBox->findData(m_controller.speed());
    if (i >= 0)
        m_speedBox->setCurrentIndex(i);
}

void MainWindow::onLoaded()
{
    const ScenarioConfig &s = m_controller.scenario();
    m_history.clear();
    m_breakerModel->clear();
    m_eventModel->clear();
    m_pendingEvents.clear();
    m_lastNow = TimePoint {};
    m_generation = 0;
    m_markers.clear();
    // Fault boundaries come from the scenario: mark them on the time axis.
    for (const FaultConfig &f : s.faults) {
        const QString what = QString(faultKindName(f.kind)) + u' ' + f.service;
        m_markers.append({ toMs(f.at) / 1000.0, what + QStringLiteral(" starts"), QColor(0xc0, 0x30, 0x30) });
        if (f.until != Duration::max())
            m_markers.append(
                { toMs(f.until) / 1000.0, what + QStringLiteral(" ends"), QColor(0x30, 0x80, 0x30) });
    }
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
        m_eventModel->clear();
        m_pendingEvents.clear();
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
        m_lastNow = progress.now;
    }
    Q_EMIT progressed(progress.now, progress.state);
}

void MainWindow::onCommandApplied(const QString &description, bool accepted, double atMs)
{
    const QString subject = description.section(u' ', 1);
    m_pendingEvents.append({ atMs, EventLogModel::Kind::Control, subject,
        description.section(u' ', 0, 0) + (accepted ? QString() : QStringLiteral(" (refused)")) });
    if (accepted)
        m_markers.append({ atMs / 1000.0, description, QColor(0x20, 0x60, 0xc0), true });
    statusBar()->showMessage(
        description + (accepted ? QStringLiteral(": applied") : QStringLiteral(": refused")), 5000);
    m_dirty = true;
}

void MainWindow::refreshNow()
{
    m_dirty = false;
    if (!m_pendingEvents.isEmpty()) {
        // State changes arrive with their bucket, later than faults and commands: keep time order.
        std::stable_sort(m_pendingEvents.begin(), m_pendingEvents.end(),
            [](const EventLogModel::Entry &a, const EventLogModel::Entry &b) { return a.atMs < b.atMs; });
        m_eventModel->append(m_pendingEvents);
        m_pendingEvents.clear();
    }
    m_breakerModel->update(m_history);
    m_dashboard->refresh();

    const HealthStatus health = m_history.health();
    const QString summary = health.healthy
        ? QStringLiteral("Healthy")
        : QStringLiteral("Degraded: ") + health.issues.join(QStringLiteral("; "));
    m_healthStatus->setText(summary);
    m_healthStatus->setStyleSheet(health.healthy ? QStringLiteral("color: #2e7d32; font-weight: bold")
                                                 : QStringLiteral("color: #c62828; font-weight: bold"));
    QString panel = QStringLiteral("<b>%1</b><br>Circuit breakers: %2 total, %3 healthy, %4 unhealthy")
                        .arg(summary.toHtmlEscaped())
                        .arg(health.circuitBreakers.total)
                        .arg(health.circuitBreakers.healthy)
                        .arg(health.circuitBreakers.unhealthy);
    for (const BulkheadHealth &b : health.bulkheads)
        panel += QStringLiteral("<br>Bulkhead %1: %2 % busy%3")
                     .arg(b.name.toHtmlEscaped(), QString::number(b.utilizationPercent, 'f', 0),
                         b.congested ? QStringLiteral(", <span style='color:#c62828'>congested</span>")
                                     : QString());
    m_healthPanel->setText(panel);

    m_elapsed->setText(QStringLiteral(" Virtual time: %1 / %2 ")
                           .arg(formatTime(m_history.now()), formatTime(m_history.end())));
    updateToolBarState();
}

QString MainWindow::healthText() const
{
    return m_healthStatus->text();
}

void MainWindow::updateToolBarState()
{
    using S = RunProgress::State;
    const S s = m_controller.state();
    m_startAction->setEnabled(s == S::Idle || s == S::Paused);
    m_pauseAction->setEnabled(s == S::Running);
    m_stepAction->setEnabled(s != S::Finished);
    static const char *names[] = { "idle", "running", "paused", "finished" };
    m_runStatus->setText(
        QString::fromLatin1(names[int(s)]) + QStringLiteral(" at ") + speedLabel(m_controller.speed()));
}

void MainWindow::saveSettings() const
{
    QSettings settings;
    settings.setValue(QStringLiteral("window/geometry"), saveGeometry());
    settings.setValue(QStringLiteral("window/state"), saveState());
    settings.setValue(QStringLiteral("run/scenario"), m_scenarioSource);
    settings.setValue(QStringLiteral("run/speed"), m_controller.speed());
}

void MainWindow::closeEvent(QCloseEvent *event)
{
    saveSettings();
    event->accept();
}

} // namespace bw
