#include "compareview.h"


#include "resilience/loaderror.h"
#include "resilience/policyloader.h"

#include <QComboBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QInputDialog>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QMessageBox>
#include <QProgressBar>
#include <QPushButton>
#include <QSplitter>
#include <QTableWidget>
#include <QThread>
#include <QToolButton>
#include <QVBoxLayout>

#include <algorithm>

namespace bw {

namespace {

constexpr int RefreshIntervalMs = 50;
constexpr int RemeasureDelayMs = 300;

QIcon swatch(const QColor &color)
{
    QPixmap pixmap(12, 12);
    pixmap.fill(color);
    return QIcon(pixmap);
}

} // namespace

CompareView::CompareView(QWidget *parent)
    : QWidget(parent)
{
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->setSpacing(4);
    buildCandidateBar();

    auto *splitter = new QSplitter(Qt::Vertical, this);
    splitter->setObjectName(QStringLiteral("compareSplitter"));
    splitter->setChildrenCollapsible(false);
    layout->addWidget(splitter, 1);

    m_charts = new CompareCharts(splitter);
    m_charts->setObjectName(QStringLiteral("compareCharts"));
    m_charts->setMarkers(&m_markers);

    auto *verdictPanel = new QWidget(splitter);
    auto *verdictLayout = new QVBoxLayout(verdictPanel);
    verdictLayout->setContentsMargins(0, 0, 0, 0);
    auto *verdictRow = new QHBoxLayout;
    m_verdict = new QLabel(verdictPanel);
    m_verdict->setObjectName(QStringLiteral("compareVerdict"));
    m_verdict->setWordWrap(true);
    m_verdict->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_verdict->setToolTip(QStringLiteral(
        "The verdict of `breakwater compare` for these candidates on this seed: the best success rate; among "
        "candidates level on it, the best recovery, then p99, then amplification"));
    verdictRow->addWidget(m_verdict, 1);
    m_measureProgress = new QProgressBar(verdictPanel);
    m_measureProgress->setObjectName(QStringLiteral("compareMeasuring"));
    m_measureProgress->setRange(0, 0); // busy: one run per candidate, of unknown length each
    m_measureProgress->setMaximumWidth(160);
    m_measureProgress->setFormat(QStringLiteral("measuring…"));
    m_measureProgress->setTextVisible(true);
    m_measureProgress->setToolTip(QStringLiteral("Measuring every candidate to the scenario's end in virtual time"));
    m_measureProgress->hide();
    verdictRow->addWidget(m_measureProgress);
    verdictLayout->addLayout(verdictRow);
    m_table = new QTableWidget(verdictPanel);
    m_table->setObjectName(QStringLiteral("compareTable"));
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->setSelectionMode(QAbstractItemView::NoSelection);
    m_table->verticalHeader()->hide();
    m_table->setCornerButtonEnabled(false); // nothing to select
    m_table->verticalHeader()->setDefaultSectionSize(m_table->fontMetrics().height() + 6);
    m_table->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_table->setToolTip(QStringLiteral(
        "The figures of `breakwater compare` (docs/semantics.md, \"Policy lab\"): each candidate with its policy "
        "as it is now, from the start of the run to its end on this seed; live faults and breaker actions are "
        "not in them. Bold: the best in its row"));
    verdictLayout->addWidget(m_table, 1);
    splitter->addWidget(m_charts);
    splitter->addWidget(verdictPanel);
    splitter->setStretchFactor(0, 2);
    splitter->setStretchFactor(1, 1);
    splitter->setSizes({ 600, 300 }); // a first share for the table, beyond its minimum

    m_refresh.setInterval(RefreshIntervalMs);
    connect(&m_refresh, &QTimer::timeout, this, [this] {
        if (m_dirty)
            refresh();
    });
    m_refresh.start();
    m_remeasure.setSingleShot(true);
    m_remeasure.setInterval(RemeasureDelayMs);
    connect(&m_remeasure, &QTimer::timeout, this, &CompareView::measure);
}

CompareView::~CompareView()
{
    // A measurement cannot be stopped midway; it reads nothing of this view's.
    if (m_measuring)
        m_measuring->wait();
}

void CompareView::buildCandidateBar()
{
    auto *bar = new QHBoxLayout;
    bar->addWidget(new QLabel(QStringLiteral("Live edits go to:"), this));
    m_selector = new QComboBox(this);
    m_selector->setObjectName(QStringLiteral("compareSelector"));
    m_selector->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    m_selector->setToolTip(QStringLiteral(
        "The candidate that the Policy, Faults and Breakers docks act on; the others run untouched"));
    connect(m_selector, &QComboBox::currentIndexChanged, this, [this] { Q_EMIT selectionChanged(); });
    bar->addWidget(m_selector);

    m_add = new QToolButton(this);
    m_add->setObjectName(QStringLiteral("compareAdd"));
    m_add->setText(QStringLiteral("Add"));
    m_add->setPopupMode(QToolButton::InstantPopup);
    m_add->setToolTip(QStringLiteral(
        "Add a candidate (up to four): the single run's current policy, a preset, a policy file, or a copy of "
        "the selected candidate to edit"));
    m_add->setMenu(addMenu());
    bar->addWidget(m_add);
    m_rename = new QPushButton(QStringLiteral("Rename…"), this);
    m_rename->setObjectName(QStringLiteral("compareRename"));
    m_rename->setToolTip(QStringLiteral("Rename the selected candidate"));
    connect(m_rename, &QPushButton::clicked, this, [this] {
        const int i = selected();
        if (i < 0)
            return;
        bool ok = false;
        const QString name = QInputDialog::getText(
            this, QStringLiteral("Rename candidate"), QStringLiteral("Name:"), QLineEdit::Normal, m_runs[std::size_t(i)]->name, &ok)
                                 .trimmed();
        if (!ok || name.isEmpty())
            return;
        m_runs[std::size_t(i)]->name = name;
        syncSelector();
        rebuildCharts();
        invalidate();
    });
    bar->addWidget(m_rename);
    m_remove = new QPushButton(QStringLiteral("Remove"), this);
    m_remove->setObjectName(QStringLiteral("compareRemove"));
    m_remove->setToolTip(QStringLiteral("Remove the selected candidate and its run"));
    connect(m_remove, &QPushButton::clicked, this, [this] {
        if (selected() >= 0)
            removeCandidate(selected());
    });
    bar->addWidget(m_remove);

    bar->addSpacing(16);
    bar->addWidget(new QLabel(QStringLiteral("On:"), this));
    m_operationBox = new QComboBox(this);
    m_operationBox->setObjectName(QStringLiteral("compareOperation"));
    m_operationBox->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    m_operationBox->setToolTip(QStringLiteral(
        "The operation whose policy the candidates replace, or every operation (compare --operation)"));
    connect(m_operationBox, &QComboBox::activated, this,
        [this](int index) { setOperation(m_operationBox->itemData(index).toString()); });
    bar->addWidget(m_operationBox);
    bar->addStretch();
    static_cast<QVBoxLayout *>(layout())->addLayout(bar);
}

QMenu *CompareView::addMenu()
{
    auto *menu = new QMenu(this);
    const auto add = [this](const QString &name, const PolicyConfig &policy, const QString &source) {
        QString unique = name;
        for (int n = 2;; ++n) {
            const bool taken = std::any_of(m_runs.begin(), m_runs.end(), [&](const auto &r) { return r->name == unique; });
            if (!taken)
                break;
            unique = name + QStringLiteral(" %1").arg(n);
        }
        if (addCandidate(unique, policy, source))
            select(candidateCount() - 1);
    };
    QAction *current = menu->addAction(QStringLiteral("Current policy"), this,
        [this, add] { add(QStringLiteral("current"), m_currentPolicy, QStringLiteral("the single run's policy")); });
    current->setToolTip(QStringLiteral("The policy of the single run, with its edits"));
    QMenu *presets = menu->addMenu(QStringLiteral("Preset"));
    for (const QString &name : ResiliencePolicies::names())
        presets->addAction(name, this,
            [add, name] { add(name, *ResiliencePolicies::byName(name), QStringLiteral("preset ") + name); });
    menu->addAction(QStringLiteral("Policy file…"), this, [this, add] {
        const QString path = QFileDialog::getOpenFileName(
            this, QStringLiteral("Open policy"), QString(), QStringLiteral("Policies (*.json)"));
        if (path.isEmpty())
            return;
        LoadError error;
        const std::optional<PolicyConfig> policy = loadPolicyFile(path, &error);
        if (!policy) {
            QMessageBox::warning(this, QStringLiteral("Cannot open the policy"), error.toString());
            return;
        }
        add(QFileInfo(path).baseName(), *policy, path);
    });
    menu->addAction(QStringLiteral("Copy of the selected candidate"), this, [this, add] {
        const int i = selected();
        if (i >= 0)
            add(m_runs[std::size_t(i)]->name + QStringLiteral(" copy"), m_runs[std::size_t(i)]->policy,
                QStringLiteral("a copy of ") + m_runs[std::size_t(i)]->name);
    });
    menu->setToolTipsVisible(true);
    return menu;
}

void CompareView::setScenario(const ScenarioConfig &scenario, std::uint64_t seed, double speed)
{
    m_scenario = scenario;
    m_seed = seed;
    m_speed = speed;
    if (!m_operation.isEmpty()
        && std::none_of(scenario.operations.begin(), scenario.operations.end(),
            [this](const OperationConfig &op) { return op.name == m_operation; }))
        m_operation.clear();
    {
        const QSignalBlocker block(m_operationBox);
        m_operationBox->clear();
        m_operationBox->addItem(QStringLiteral("every operation"), QString());
        for (const OperationConfig &op : scenario.operations)
            m_operationBox->addItem(op.name, op.name);
        m_operationBox->setCurrentIndex(std::max(0, m_operationBox->findData(m_operation)));
    }
    m_markers = faultMarkers(scenario);
    for (auto &run : m_runs)
        loadRun(*run);
    invalidate();
}

void CompareView::setOperation(const QString &operation)
{
    const bool known = std::any_of(m_scenario.operations.begin(), m_scenario.operations.end(),
        [&](const OperationConfig &op) { return op.name == operation; });
    m_operation = known ? operation : QString();
    m_operationBox->setCurrentIndex(std::max(0, m_operationBox->findData(m_operation)));
    const RunProgress::State before = state();
    for (auto &run : m_runs)
        loadRun(*run);
    if (before == RunProgress::State::Running)
        start();
    invalidate();
}

Candidate CompareView::candidate(int index) const
{
    const Run &run = *m_runs[std::size_t(index)];
    return { run.name, run.policy, m_operation };
}

void CompareView::loadRun(Run &run)
{
    QString error;
    const std::optional<ScenarioConfig> scenario = withCandidate(m_scenario, { run.name, run.policy, m_operation }, &error);
    Q_ASSERT_X(scenario, "CompareView::loadRun", qPrintable(error)); // the operation comes from m_scenario
    run.scenario = *scenario;
    run.history->clear();
    run.controller->load(run.scenario, m_seed, m_speed);
    m_dirty = true;
}

bool CompareView::addCandidate(const QString &name, const PolicyConfig &policy, const QString &source)
{
    if (candidateCount() >= MaxCandidates)
        return false;
    auto run = std::make_unique<Run>();
    run->name = name;
    run->source = source;
    run->policy = policy;
    // A candidate keeps its colour while it is in the list: the first one no other has.
    for (int i = 0; i < MaxCandidates; ++i) {
        const QColor c = candidateColor(i);
        if (std::none_of(m_runs.begin(), m_runs.end(), [&](const auto &r) { return r->color == c; })) {
            run->color = c;
            break;
        }
    }
    run->controller = std::make_unique<SimulationController>();
    run->history = std::make_unique<TelemetryHistory>();
    Run *raw = run.get();
    connect(raw->controller.get(), &SimulationController::progressReceived, this,
        [this, raw](const RunProgress &p) { onProgress(raw, p); });
    connect(raw->controller.get(), &SimulationController::commandApplied, this,
        [this, raw](const ControlCommand &command, bool accepted, TimePoint at) {
            if (accepted) {
                // Whose it was: the candidate's name and colour.
                for (TimeMarker m : controlMarkers(command, at)) {
                    m.label = raw->name + QStringLiteral(": ") + m.label;
                    m.color = raw->color.darker(130);
                    m_markers.append(m);
                }
                m_dirty = true;
            }
            Q_EMIT commandApplied(raw->name, command, accepted);
        });
    const RunProgress::State before = state();
    m_runs.push_back(std::move(run));
    if (!m_scenario.operations.isEmpty()) {
        loadRun(*raw);
        // A newcomer starts from zero; the others start over with it, so that all share the time axis.
        if (before != RunProgress::State::Idle)
            reload(before == RunProgress::State::Running);
    }
    syncSelector();
    rebuildCharts();
    invalidate();
    return true;
}

void CompareView::removeCandidate(int index)
{
    // Destroyed last: the docks bound to its controller move to another one first.
    const std::unique_ptr<Run> gone = std::move(m_runs[std::size_t(index)]);
    m_runs.erase(m_runs.begin() + index);
    syncSelector();
    rebuildCharts();
    invalidate();
}

void CompareView::clear()
{
    const std::vector<std::unique_ptr<Run>> gone = std::move(m_runs);
    m_runs.clear();
    syncSelector();
    rebuildCharts();
    invalidate();
}

void CompareView::invalidate()
{
    m_comparison.reset();
    ++m_measureGeneration;
    if (!m_runs.empty())
        m_remeasure.start();
    showComparison();
}

int CompareView::selected() const
{
    return m_selector->currentIndex();
}

void CompareView::select(int index)
{
    m_selector->setCurrentIndex(index);
}

SimulationController *CompareView::selectedController() const
{
    return selected() >= 0 ? controller(selected()) : nullptr;
}

ScenarioConfig CompareView::selectedScenario() const
{
    return selected() >= 0 ? m_runs[std::size_t(selected())]->scenario : m_scenario;
}

void CompareView::policyEdited(const QString &operation, const PolicyConfig &policy)
{
    if (selected() < 0)
        return;
    Run &run = *m_runs[std::size_t(selected())];
    for (OperationConfig &op : run.scenario.operations)
        if (op.name == operation)
            op.policy = policy;
    if (m_operation.isEmpty() || m_operation == operation) {
        run.policy = policy;
        invalidate();
    }
}

void CompareView::syncSelector()
{
    const int keep = selected();
    {
        const QSignalBlocker block(m_selector);
        m_selector->clear();
        for (const auto &run : m_runs) {
            m_selector->addItem(swatch(run->color), run->name);
            m_selector->setItemData(m_selector->count() - 1, run->name + QStringLiteral(": ") + run->source, Qt::ToolTipRole);
        }
        m_selector->setCurrentIndex(std::min(std::max(0, keep), candidateCount() - 1));
    }
    m_add->setEnabled(candidateCount() < MaxCandidates);
    m_remove->setEnabled(candidateCount() > 0);
    m_rename->setEnabled(candidateCount() > 0);
    Q_EMIT selectionChanged();
}

void CompareView::rebuildCharts()
{
    QList<CompareSeries> runs;
    for (const auto &run : m_runs)
        runs.append({ run->name, run->color, run->history.get() });
    m_charts->setRuns(runs);
    m_dirty = true;
}

void CompareView::onProgress(Run *run, const RunProgress &progress)
{
    m_dirty |= run->history->ingest(progress);
    Q_EMIT progressed(now(), state());
}

void CompareView::start()
{
    for (auto &run : m_runs)
        run->controller->start();
}

void CompareView::pause()
{
    for (auto &run : m_runs)
        run->controller->pause();
}

void CompareView::step(Duration length)
{
    for (auto &run : m_runs)
        run->controller->step(length);
}

void CompareView::restart()
{
    reload(true);
}

void CompareView::reload(bool start)
{
    // From zero with each candidate as it is now, live policy edits included (a plain restart
    // would drop them, and the runs would no longer be the candidates the table measures).
    for (auto &run : m_runs) {
        run->history->clear();
        run->controller->load(run->scenario, m_seed, m_speed);
        if (start)
            run->controller->start();
    }
    m_markers.erase(std::remove_if(m_markers.begin(), m_markers.end(), [](const TimeMarker &m) { return m.control; }),
        m_markers.end());
    m_dirty = true;
}

void CompareView::setSpeed(double speed)
{
    m_speed = speed;
    for (auto &run : m_runs)
        run->controller->setSpeed(speed);
}

RunProgress::State CompareView::state() const
{
    using S = RunProgress::State;
    if (m_runs.empty())
        return S::Idle;
    const auto any = [this](S s) {
        return std::any_of(m_runs.begin(), m_runs.end(), [s](const auto &r) { return r->controller->state() == s; });
    };
    if (std::all_of(m_runs.begin(), m_runs.end(), [](const auto &r) { return r->controller->state() == S::Finished; }))
        return S::Finished;
    for (S s : { S::Running, S::Paused })
        if (any(s))
            return s;
    return S::Idle;
}

TimePoint CompareView::now() const
{
    if (m_runs.empty())
        return {};
    TimePoint least = TimePoint::max();
    for (const auto &run : m_runs)
        least = std::min(least, run->history->now());
    return least;
}

TimePoint CompareView::end() const
{
    return m_runs.empty() ? TimePoint {} : m_runs.front()->history->end();
}

void CompareView::measure()
{
    if (m_measuring) {
        m_remeasure.start(); // once this one is done
        return;
    }
    if (m_runs.empty() || m_scenario.operations.isEmpty())
        return;
    auto result = std::make_shared<Comparison>();
    result->scenario = m_scenario.name;
    result->operation = m_operation;
    result->seeds = { m_seed };
    for (int i = 0; i < candidateCount(); ++i)
        result->candidates.append(candidate(i));
    const std::uint64_t generation = m_measureGeneration;
    m_measuring = QThread::create([result, scenario = m_scenario] {
        for (const Candidate &c : result->candidates)
            result->runs.push_back({ runCandidate(scenario, c, result->seeds.front()) });
    });
    m_measuring->setParent(this); // deleted with the view (after ~CompareView waits for it) if not before
    connect(m_measuring, &QThread::finished, this, [this, result, generation] {
        m_measuring->deleteLater();
        m_measuring = nullptr;
        // Measured candidates that changed since are measured again (invalidate() started that).
        if (generation == m_measureGeneration)
            m_comparison = *result;
        showComparison();
        if (m_comparison)
            Q_EMIT measured();
    });
    showComparison();
    m_measuring->start();
}

void CompareView::showComparison()
{
    m_measureProgress->setVisible(isMeasuring() || m_remeasure.isActive());
    m_table->clear();
    if (!m_comparison) {
        m_table->setRowCount(0);
        m_table->setColumnCount(0);
        m_verdict->setText(m_runs.empty() ? QStringLiteral("Add candidates (up to four) to compare them.")
                                          : QStringLiteral("Measuring the candidates…"));
        return;
    }
    const Comparison &c = *m_comparison;
    const QList<ComparisonRow> rows = comparisonRows(c);
    m_table->setColumnCount(2 + int(c.candidates.size()));
    m_table->setRowCount(int(rows.size()));
    m_table->setHorizontalHeaderItem(0, new QTableWidgetItem(QStringLiteral("figure")));
    m_table->setHorizontalHeaderItem(1, new QTableWidgetItem(QStringLiteral("of")));
    for (int i = 0; i < c.candidates.size(); ++i) {
        auto *header = new QTableWidgetItem(swatch(m_runs[std::size_t(i)]->color), c.candidates[i].name);
        header->setToolTip(c.candidates[i].name + QStringLiteral(": ") + m_runs[std::size_t(i)]->source);
        m_table->setHorizontalHeaderItem(2 + i, header);
    }
    QFont bold = m_table->font();
    bold.setBold(true);
    for (int r = 0; r < rows.size(); ++r) {
        const ComparisonRow &row = rows[r];
        // The figure's name once, on its first row, as in the printed table.
        if (r == 0 || rows[r - 1].key != row.key)
            m_table->setItem(r, 0, new QTableWidgetItem(row.figure));
        m_table->setItem(r, 1, new QTableWidgetItem(row.scope));
        for (int i = 0; i < row.values.size(); ++i) {
            auto *item = new QTableWidgetItem(row.values[i]);
            item->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
            if (row.best.contains(i)) {
                item->setFont(bold);
                item->setBackground(QColor(0xe3, 0xf4, 0xe1));
                item->setToolTip(QStringLiteral("The best in this row"));
            }
            m_table->setItem(r, 2 + i, item);
        }
    }
    m_verdict->setText(QStringLiteral("<b>%1</b> <span style='color:#666'>(seed %2, each candidate to the run's end)</span>")
                           .arg(comparisonVerdict(c).toHtmlEscaped())
                           .arg(c.seeds.front()));
}

QString CompareView::verdictText() const
{
    return m_comparison ? comparisonVerdict(*m_comparison) : QString();
}

void CompareView::refresh()
{
    m_dirty = false;
    m_charts->refresh();
}

} // namespace bw
