#include "sweepdialog.h"

#include "mainwindow.h"
#include "policyeditor.h"
#include "policyfields.h"
#include "sweepfigure.h"
#include "sweepheatmap.h"
#include "sweepscatter.h"

#include "resilience/policywriter.h"
#include "run/scenariorun.h"
#include "runtime/parallelfor.h"

#include <QComboBox>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QSpinBox>
#include <QSplitter>
#include <QThread>
#include <QVBoxLayout>

#include <cmath>

namespace bw {

struct SweepDialog::Job
{
    SweepPlan plan;
    QList<PolicyConfig> policies;
    std::atomic<qsizetype> done { 0 };
    QList<SweepFigures> runs; // the thread's result: empty when cancelled
};

namespace {

const QString NoParameter = QStringLiteral("(none)");

bool isPercent(const PolicyField &f)
{
    return f.suffix == u" %";
}

// The field's value in `policy`, as the policy file writes it.
double fileValue(const PolicyConfig &policy, const QString &path)
{
    QJsonValue value = policyToJson(policy);
    for (const QString &key : path.split(u'.'))
        value = value.toObject().value(key);
    return value.toDouble();
}

QString number(double v)
{
    return QString::number(v, 'g', 6);
}

// A first range around the field's current value: half to twice it, about five values, within
// what the field takes; a field at 0 (off) gets a small range up from 0.
QString suggestedRange(const PolicyField &f, double current)
{
    const double scale = isPercent(f) ? 0.01 : 1;
    const double low = f.min * scale, high = f.max * scale;
    const bool integer = f.control == PolicyField::Control::Integer;
    if (integer && f.suffix != u" ms") {
        const double from = std::max(low, current - 3);
        return QStringLiteral("%1:%2:1").arg(number(from), number(std::min(high, from + 6)));
    }
    if (current <= 0)
        return integer ? QStringLiteral("0:1000:250") : QStringLiteral("%1:%2:%3").arg(number(low), number(std::min(high, low + 1)), QStringLiteral("0.25"));
    const double from = std::max(low, current / 2), to = std::min(high, current * 2);
    const double step = integer ? std::max(1.0, std::round((to - from) / 4)) : (to - from) / 4;
    return QStringLiteral("%1:%2:%3").arg(number(from), number(to), number(step > 0 ? step : 1));
}

QString problemText(const LoadError &error)
{
    return error.key.isEmpty() ? error.message : error.key + QStringLiteral(": ") + error.message;
}

} // namespace

SweepDialog::SweepDialog(MainWindow *window)
    : QDialog(window)
    , m_window(window)
{
    setObjectName(QStringLiteral("sweepDialog"));
    setWindowTitle(QStringLiteral("Sweep"));
    resize(1400, 820);
    buildControls();
    m_poll.setInterval(100);
    connect(&m_poll, &QTimer::timeout, this, [this] {
        const qsizetype done = m_job->done.load();
        m_progress->setValue(int(done));
        m_progress->setFormat(QStringLiteral("%1 / %2 runs  %3 s")
                                  .arg(done)
                                  .arg(m_progress->maximum())
                                  .arg(double(m_clock.elapsed()) / 1000, 0, 'f', 1));
    });
    takeWindowState();
}

SweepDialog::~SweepDialog()
{
    if (m_thread) {
        m_stop.request_stop();
        m_thread->wait(); // the runs under way finish; none starts
    }
}

void SweepDialog::buildControls()
{
    auto *outer = new QVBoxLayout(this);

    auto *setup = new QGroupBox(QStringLiteral("What to sweep"), this);
    auto *grid = new QGridLayout(setup);
    grid->addWidget(new QLabel(QStringLiteral("Operation:")), 0, 0);
    m_operation = new QComboBox;
    m_operation->setObjectName(QStringLiteral("sweepOperation"));
    m_operation->setToolTip(QStringLiteral("The operation whose policy is varied; the policy as the Policy dock holds it now"));
    grid->addWidget(m_operation, 0, 1);
    connect(m_operation, &QComboBox::activated, this, &SweepDialog::listFields);
    for (int i = 0; i < 2; ++i) {
        grid->addWidget(new QLabel(QStringLiteral("Parameter %1:").arg(i + 1)), i + 1, 0);
        m_keys[i] = new QComboBox;
        m_keys[i]->setObjectName(QStringLiteral("sweepKey%1").arg(i + 1));
        m_keys[i]->setToolTip(i == 0 ? QStringLiteral("A numeric field of the policy, along the heat map's x axis")
                                     : QStringLiteral("A second field, up the heat map's y axis; (none) sweeps one"));
        m_keys[i]->setSizeAdjustPolicy(QComboBox::AdjustToContents);
        grid->addWidget(m_keys[i], i + 1, 1);
        connect(m_keys[i], &QComboBox::activated, this, [this, i] { fieldChosen(i); });
        m_ranges[i] = new QLineEdit;
        m_ranges[i]->setObjectName(QStringLiteral("sweepRange%1").arg(i + 1));
        m_ranges[i]->setPlaceholderText(QStringLiteral("FROM:TO:STEP or a,b,c"));
        m_ranges[i]->setToolTip(QStringLiteral("The values: FROM:TO:STEP (TO included when a step lands on it) or a "
                                               "list a,b,c, in the policy file's unit, as `breakwater sweep --vary` takes them"));
        grid->addWidget(m_ranges[i], i + 1, 2);
        m_units[i] = new QLabel;
        m_units[i]->setObjectName(QStringLiteral("sweepUnit%1").arg(i + 1));
        m_units[i]->setToolTip(QStringLiteral("The unit of the values, and the field's value in the policy now"));
        m_units[i]->setMinimumWidth(160);
        grid->addWidget(m_units[i], i + 1, 3);
    }
    grid->setColumnStretch(2, 1);

    auto *options = new QHBoxLayout;
    options->addWidget(new QLabel(QStringLiteral("Seeds:")));
    m_seeds = new QSpinBox;
    m_seeds->setObjectName(QStringLiteral("sweepSeeds"));
    m_seeds->setRange(1, 1000);
    m_seeds->setToolTip(QStringLiteral("Runs each point on this many seeds (the same traffic and failures for every point) and ranks the means"));
    options->addWidget(m_seeds);
    options->addWidget(new QLabel(QStringLiteral("First seed:")));
    m_firstSeed = new QSpinBox;
    m_firstSeed->setObjectName(QStringLiteral("sweepFirstSeed"));
    m_firstSeed->setRange(0, std::numeric_limits<int>::max());
    m_firstSeed->setToolTip(QStringLiteral("The first seed; the others follow it. It starts as the window's seed"));
    options->addWidget(m_firstSeed);
    options->addWidget(new QLabel(QStringLiteral("Objective:")));
    m_objective = new QComboBox;
    m_objective->setObjectName(QStringLiteral("sweepObjective"));
    m_objective->setToolTip(QStringLiteral("The figure the heat map shows and the best point (★) is chosen by; changing it re-ranks without running again"));
    m_scatterX = new QComboBox;
    m_scatterX->setObjectName(QStringLiteral("scatterX"));
    m_scatterX->setToolTip(QStringLiteral("The figure along the scatter's x axis"));
    m_scatterY = new QComboBox;
    m_scatterY->setObjectName(QStringLiteral("scatterY"));
    m_scatterY->setToolTip(QStringLiteral("The figure up the scatter's y axis"));
    for (SweepObjective o : { SweepObjective::Success, SweepObjective::Amplification, SweepObjective::P99, SweepObjective::Recovery })
        for (QComboBox *box : { m_objective, m_scatterX, m_scatterY })
            box->addItem(sweepFigureView(o).title, int(o));
    m_scatterX->setCurrentIndex(int(SweepObjective::P99));
    m_scatterY->setCurrentIndex(int(SweepObjective::Success));
    options->addWidget(m_objective);
    options->addStretch();
    m_runButton = new QPushButton(QStringLiteral("Run sweep"));
    m_runButton->setObjectName(QStringLiteral("runSweep"));
    m_runButton->setToolTip(QStringLiteral("Run every point × seed on every core, from the start of the scenario"));
    m_runButton->setDefault(true);
    connect(m_runButton, &QPushButton::clicked, this, [this] { run(); });
    options->addWidget(m_runButton);
    m_cancelButton = new QPushButton(QStringLiteral("Cancel"));
    m_cancelButton->setObjectName(QStringLiteral("cancelSweep"));
    m_cancelButton->setToolTip(QStringLiteral("Stop the sweep: the runs under way finish, no other starts, nothing is shown"));
    m_cancelButton->setEnabled(false);
    connect(m_cancelButton, &QPushButton::clicked, this, &SweepDialog::cancel);
    options->addWidget(m_cancelButton);
    grid->addLayout(options, 3, 0, 1, 4);
    outer->addWidget(setup);

    auto *statusRow = new QHBoxLayout;
    m_progress = new QProgressBar;
    m_progress->setObjectName(QStringLiteral("sweepProgress"));
    m_progress->setToolTip(QStringLiteral("Runs done of the sweep's points × seeds"));
    m_progress->setValue(0);
    statusRow->addWidget(m_progress, 1);
    m_status = new QLabel;
    m_status->setObjectName(QStringLiteral("sweepStatus"));
    m_status->setToolTip(QStringLiteral("What the last sweep did, or why it could not start"));
    m_status->setWordWrap(true);
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);
    statusRow->addWidget(m_status, 2);
    outer->addLayout(statusRow);

    auto *plots = new QSplitter(Qt::Horizontal);
    m_heatMap = new SweepHeatMap;
    m_heatMap->setObjectName(QStringLiteral("sweepHeatMap"));
    plots->addWidget(m_heatMap);
    auto *scatterSide = new QWidget;
    auto *scatterLayout = new QVBoxLayout(scatterSide);
    scatterLayout->setContentsMargins(0, 0, 0, 0);
    auto *axes = new QHBoxLayout;
    axes->addWidget(new QLabel(QStringLiteral("Scatter: x")));
    axes->addWidget(m_scatterX);
    axes->addWidget(new QLabel(QStringLiteral("y")));
    axes->addWidget(m_scatterY);
    axes->addStretch();
    scatterLayout->addLayout(axes);
    m_scatter = new SweepScatter;
    m_scatter->setObjectName(QStringLiteral("sweepScatter"));
    m_scatter->setMinimumSize(420, 300);
    scatterLayout->addWidget(m_scatter, 1);
    plots->addWidget(scatterSide);
    plots->setSizes({ 1, 1 });
    outer->addWidget(plots, 1);
    auto *hint = new QLabel(QStringLiteral("Hover a cell or point for its settings and figures; click it to load its "
                                           "policy into the Policy dock and run it live."));
    hint->setObjectName(QStringLiteral("sweepHint"));
    outer->addWidget(hint);

    connect(m_objective, &QComboBox::activated, this, [this] {
        if (!m_runs.isEmpty()) {
            m_result = sweepResult(m_plan, m_runs, SweepObjective(m_objective->currentData().toInt()));
            showResult();
        }
    });
    for (QComboBox *box : { m_scatterX, m_scatterY })
        connect(box, &QComboBox::activated, this, [this] {
            m_scatter->setFigures(SweepObjective(m_scatterX->currentData().toInt()), SweepObjective(m_scatterY->currentData().toInt()));
        });
    m_scatter->setFigures(SweepObjective::P99, SweepObjective::Success);
    connect(m_heatMap, &SweepHeatMap::pointClicked, this, &SweepDialog::applyPoint);
    connect(m_scatter, &SweepScatter::pointClicked, this, &SweepDialog::applyPoint);
}

PolicyConfig SweepDialog::basePolicy() const
{
    return m_window->policyEditor()->policy(m_operation->currentText());
}

void SweepDialog::listFields()
{
    // The operations of the scenario as it is now, the Policy dock's selection first time round.
    const QString operation = m_operation->count() > 0 ? m_operation->currentText() : m_window->policyEditor()->currentOperation();
    m_operation->clear();
    for (const OperationConfig &op : m_window->controller().scenario().operations)
        m_operation->addItem(op.name);
    m_operation->setCurrentIndex(std::max(0, m_operation->findText(operation)));

    // The numeric fields the policy uses: a field of a stage that is off has nothing to vary.
    const PolicyConfig policy = basePolicy();
    const QStringList sweepable = sweepablePaths();
    for (int i = 0; i < 2; ++i) {
        const QString kept = m_keys[i]->currentData().toString();
        m_keys[i]->clear();
        if (i == 1)
            m_keys[i]->addItem(NoParameter, QString());
        for (const PolicyField &f : policyFields()) {
            const bool numeric = f.control == PolicyField::Control::Integer || f.control == PolicyField::Control::Decimal;
            const auto section = std::find_if(policySections().cbegin(), policySections().cend(),
                [&](const PolicySection &s) { return s.key == f.section(); });
            if (!numeric || !sweepable.contains(f.path) || section == policySections().cend() || !section->isOn(policy)
                || (f.applies && !f.applies(policy)))
                continue;
            m_keys[i]->addItem(f.label + QStringLiteral(" — ") + f.path, f.path);
            m_keys[i]->setItemData(m_keys[i]->count() - 1, f.tip, Qt::ToolTipRole);
        }
        const int keptIndex = m_keys[i]->findData(kept);
        // First time: the first field, and a field of another stage (or the next one) second.
        int index = keptIndex;
        if (index < 0 && i == 0)
            index = m_keys[0]->count() > 0 ? 0 : -1;
        if (index < 0 && i == 1) {
            const QString first = m_keys[0]->currentData().toString();
            index = 0;
            for (int j = 1; j < m_keys[1]->count() && index == 0; ++j)
                if (m_keys[1]->itemData(j).toString().section(u'.', 0, 0) != first.section(u'.', 0, 0))
                    index = j;
            if (index == 0 && m_keys[1]->count() > 2)
                index = 2;
        }
        m_keys[i]->setCurrentIndex(index);
        if (keptIndex < 0)
            fieldChosen(i);
    }
    const bool any = m_keys[0]->count() > 0;
    m_runButton->setEnabled(any && !isRunning());
    if (!any)
        setStatus(QStringLiteral("The policy of '%1' has no numeric setting to sweep: turn a stage on in the Policy dock")
                      .arg(m_operation->currentText()),
            true);
}

const PolicyField *SweepDialog::field(int parameter) const
{
    const QString path = m_keys[parameter]->currentData().toString();
    for (const PolicyField &f : policyFields())
        if (f.path == path)
            return &f;
    return nullptr;
}

void SweepDialog::fieldChosen(int parameter)
{
    const PolicyField *f = field(parameter);
    m_ranges[parameter]->setEnabled(f != nullptr);
    if (!f) {
        m_ranges[parameter]->clear();
        m_units[parameter]->clear();
        return;
    }
    const PolicyConfig policy = basePolicy();
    const double current = fileValue(policy, f->path);
    m_ranges[parameter]->setText(suggestedRange(*f, current));
    const QString unit = sweepFieldUnit(*f, policy);
    m_units[parameter]->setText(QStringLiteral("now %1%2").arg(number(current), unit.isEmpty() ? QString() : u' ' + unit));
}

bool SweepDialog::setVary(const QStringList &vary, QString *error)
{
    if (vary.size() > 2) {
        *error = QStringLiteral("the Sweep dialog varies one or two fields, got %1").arg(vary.size());
        return false;
    }
    for (int i = 0; i < 2; ++i) {
        if (i >= vary.size()) {
            m_keys[i]->setCurrentIndex(0); // (none)
            fieldChosen(i);
            continue;
        }
        LoadError loadError;
        const std::optional<SweepParameter> parameter = parseSweepParameter(vary[i], &loadError);
        if (!parameter) {
            *error = problemText(loadError);
            return false;
        }
        const int index = m_keys[i]->findData(parameter->path);
        if (index < 0) {
            *error = QStringLiteral("%1: the policy of '%2' does not use it; turn its stage on to sweep it")
                         .arg(parameter->key, m_operation->currentText());
            return false;
        }
        m_keys[i]->setCurrentIndex(index);
        fieldChosen(i);
        m_ranges[i]->setText(vary[i].section(u'=', 1));
    }
    return true;
}

std::optional<SweepPlan> SweepDialog::planFromControls(QString *error) const
{
    SweepPlan plan;
    plan.scenario = m_window->currentScenario();
    if (ScenarioRun::needsRealTime(plan.scenario)) {
        *error = QStringLiteral("This scenario calls real HTTP services; a sweep runs simulated scenarios only.");
        return std::nullopt;
    }
    plan.operation = m_operation->currentText();
    for (int i = 0; i < 2; ++i) {
        const QString key = m_keys[i]->currentData().toString();
        if (key.isEmpty())
            continue;
        const QString range = m_ranges[i]->text().trimmed();
        LoadError loadError { QString(), 0, 0, key, QStringLiteral("no values: write FROM:TO:STEP or a list a,b,c") };
        std::optional<SweepParameter> parameter;
        if (!range.isEmpty())
            parameter = parseSweepParameter(key + u'=' + range, &loadError);
        if (!parameter || !plan.grid.add(std::move(*parameter), &loadError)) {
            *error = QStringLiteral("Parameter %1, %2").arg(i + 1).arg(problemText(loadError));
            return std::nullopt;
        }
    }
    plan.seeds = sweepSeeds(std::uint64_t(m_firstSeed->value()), m_seeds->value());
    if (plan.runCount() > Limits::MaxSweepRuns) {
        *error = QStringLiteral("%1 points × %2 seeds is %3 runs; a sweep has at most %4")
                     .arg(QString::number(plan.grid.size(), 'g', 12))
                     .arg(plan.seeds.size())
                     .arg(QString::number(plan.runCount(), 'g', 12))
                     .arg(Limits::MaxSweepRuns);
        return std::nullopt;
    }
    return plan;
}

bool SweepDialog::run(QString *problem)
{
    if (isRunning())
        return false;
    QString reason;
    std::optional<SweepPlan> plan = planFromControls(&reason);
    LoadError loadError;
    std::optional<QList<PolicyConfig>> policies;
    if (plan) {
        policies = sweepPolicies(*plan, &loadError);
        if (!policies)
            reason = problemText(loadError);
    }
    if (!policies) {
        setStatus(reason, true);
        if (problem)
            *problem = reason;
        return false;
    }
    m_job = std::make_shared<Job>();
    m_job->plan = std::move(*plan);
    m_job->policies = std::move(*policies);
    m_stop = std::stop_source();
    m_progress->setRange(0, int(m_job->plan.runCount()));
    m_progress->setValue(0);
    m_heatMap->clear();
    m_scatter->setResult({});
    setStatus(QStringLiteral("Running %1 points × %2 seeds on %3 threads…")
                  .arg(m_job->policies.size())
                  .arg(m_job->plan.seeds.size())
                  .arg(defaultThreadCount()),
        false);
    m_thread = QThread::create([job = m_job, stop = m_stop.get_token()] {
        job->runs = runSweep(job->plan, job->policies, defaultThreadCount(),
            [&job](qsizetype done, qsizetype) { job->done.store(done); }, stop);
    });
    m_thread->setParent(this); // deleted with the dialog (after its destructor waits for it) if not before
    connect(m_thread, &QThread::finished, this, &SweepDialog::finish);
    m_clock.start();
    m_poll.start();
    setRunning(true);
    m_thread->start();
    return true;
}

void SweepDialog::cancel()
{
    if (!isRunning())
        return;
    m_stop.request_stop();
    m_cancelButton->setEnabled(false);
    setStatus(QStringLiteral("Cancelling: the runs under way finish…"), false);
}

void SweepDialog::showEvent(QShowEvent *event)
{
    // The scenario, its policies and its seed may have changed since the dialog was last open.
    if (!isRunning())
        takeWindowState();
    QDialog::showEvent(event);
}

void SweepDialog::takeWindowState()
{
    listFields();
    m_firstSeed->setValue(int(std::min<std::uint64_t>(m_window->controller().seed(), std::numeric_limits<int>::max())));
}

void SweepDialog::reject()
{
    cancel();
    QDialog::reject();
}

void SweepDialog::finish()
{
    m_thread->deleteLater();
    m_thread = nullptr;
    m_poll.stop();
    setRunning(false);
    const std::shared_ptr<Job> job = std::exchange(m_job, nullptr);
    if (job->runs.isEmpty()) {
        m_progress->setValue(0);
        m_progress->setFormat(QStringLiteral("cancelled"));
        setStatus(QStringLiteral("Cancelled after %1 of %2 runs; nothing to show.").arg(job->done.load()).arg(job->plan.runCount()), false);
        Q_EMIT sweepFinished(false);
        return;
    }
    m_progress->setValue(m_progress->maximum());
    m_progress->setFormat(QStringLiteral("%1 runs in %2 s").arg(job->runs.size()).arg(double(m_clock.elapsed()) / 1000, 0, 'f', 1));
    m_plan = std::move(job->plan);
    m_policies = std::move(job->policies);
    m_runs = std::move(job->runs);
    m_result = sweepResult(m_plan, m_runs, SweepObjective(m_objective->currentData().toInt()));
    showResult();
    Q_EMIT sweepFinished(true);
}

void SweepDialog::showResult()
{
    m_heatMap->setResult(m_result, sweepAxisTitles(m_result.keys, m_policies.value(0)));
    m_scatter->setResult(m_result);
    const qsizetype best = m_result.best;
    setStatus(QStringLiteral("%1 points, %2 on the Pareto front. Best by %3: %4 (%5).")
                  .arg(m_result.figures.size())
                  .arg(m_result.pareto.count(true))
                  .arg(sweepFigureView(m_result.objective).title.toLower(), sweepSettingsText(m_result, best),
                      sweepFigureView(m_result.objective).text(m_result.figures[best])),
        false);
}

void SweepDialog::applyPoint(qsizetype point)
{
    const SimulationController &controller = m_window->controller();
    const bool sameScenario = controller.scenario().name == m_plan.scenario.name
        && std::any_of(controller.scenario().operations.cbegin(), controller.scenario().operations.cend(),
            [this](const OperationConfig &op) { return op.name == m_plan.operation; });
    if (!sameScenario) {
        setStatus(QStringLiteral("This sweep was of %1; the window runs %2 now: sweep it again to apply a point.")
                      .arg(m_plan.scenario.name, controller.scenario().name),
            true);
        return;
    }
    m_window->policyEditor()->applyPolicy(m_plan.operation, m_policies[point]);
    const RunProgress::State state = controller.state();
    if (state == RunProgress::State::Idle || state == RunProgress::State::Paused)
        m_window->controller().start();
    setStatus(QStringLiteral("Loaded %1 into the Policy dock for %2; the run goes on with it.")
                  .arg(sweepSettingsText(m_result, point), m_plan.operation),
        false);
}

void SweepDialog::setStatus(const QString &text, bool problem)
{
    m_status->setText(text);
    m_status->setStyleSheet(problem ? QStringLiteral("color: #c62828; font-weight: bold") : QString());
}

void SweepDialog::setRunning(bool running)
{
    m_runButton->setEnabled(!running && m_keys[0]->count() > 0);
    m_cancelButton->setEnabled(running);
    for (QWidget *w : std::initializer_list<QWidget *> { m_operation, m_keys[0], m_keys[1], m_seeds, m_firstSeed })
        w->setEnabled(!running);
    for (int i = 0; i < 2; ++i)
        m_ranges[i]->setEnabled(!running && field(i));
}

} // namespace bw
