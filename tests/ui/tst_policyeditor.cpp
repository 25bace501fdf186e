// The Policy dock on the offscreen platform, inside the real MainWindow at max speed: it shows
// the scenario's policy, an edited spin box reaches the engine as UpdatePolicy (and changes the
// breaker's config), a section turned off leaves the posted policy, edits are kept per
// operation, and every control explains itself in a tooltip.
#include "mainwindow.h"
#include "policyeditor.h"

#include "resilience/policyloader.h"
#include "resilience/policywriter.h"
#include "run/scenariorun.h"

#include <QAbstractButton>
#include <QAbstractItemModelTester>
#include <QAbstractSpinBox>
#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QJsonDocument>
#include <QDockWidget>
#include <QGroupBox>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QScrollArea>
#include <QScrollBar>
#include <QSignalSpy>
#include <QSpinBox>
#include <QStandardPaths>
#include <QTest>

using namespace bw;

namespace {

const QString Scenario = QStringLiteral("outage-and-recovery");
const QString OperationName = QStringLiteral("checkout");
constexpr int Timeout = 60000;

MainWindow::Options options(bool start)
{
    MainWindow::Options o;
    o.scenario = Scenario;
    o.speed = 0;
    o.start = start;
    o.restoreSettings = false;
    return o;
}

const ControlCommands::UpdatePolicy *lastUpdate(MainWindow &window)
{
    const auto &last = window.controller().lastAppliedCommand();
    return last ? std::get_if<ControlCommands::UpdatePolicy>(&last->command) : nullptr;
}

bool logHasControlRow(MainWindow &window, const QString &subject)
{
    const QAbstractItemModel *m = window.eventLogModel();
    for (int r = 0; r < m->rowCount(); ++r) {
        bool control = false, named = false, update = false;
        for (int c = 0; c < m->columnCount(); ++c) {
            const QString text = m->index(r, c).data().toString();
            control |= text == EventLogModel::kindName(EventLogModel::Kind::Control);
            named |= text == subject;
            update |= text.startsWith(QStringLiteral("updatePolicy"));
        }
        if (control && named && update)
            return true;
    }
    return false;
}

// Whether the editor shows the control named `name` (a field that does not apply is hidden).
bool isShown(const PolicyEditor *editor, const char *name)
{
    const QWidget *field = editor->findChild<QWidget *>(QLatin1String(name));
    return field && field->isVisibleTo(editor);
}

} // namespace

class TestPolicyEditor : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { QStandardPaths::setTestModeEnabled(true); }

    void showsTheScenarioPolicy()
    {
        MainWindow window(options(false));
        PolicyEditor *editor = window.policyEditor();
        QVERIFY(editor);
        auto *dock = qobject_cast<QDockWidget *>(editor->parentWidget());
        QVERIFY(dock);
        QCOMPARE(dock->windowTitle(), QStringLiteral("Policy"));
        QCOMPARE(editor->currentOperation(), OperationName);
        QCOMPARE(editor->findChild<QComboBox *>(QStringLiteral("policyOperation"))->currentText(), OperationName);

        // outage-and-recovery's "checkout": breaker 5 / 5000 / 2 / 2000, retry 3 / 200 / 2000 ×2, timeout 1000.
        QVERIFY(editor->findChild<QGroupBox *>(QStringLiteral("circuitBreaker"))->isChecked());
        QCOMPARE(editor->findChild<QSpinBox *>(QStringLiteral("failureThreshold"))->value(), 5);
        QCOMPARE(editor->findChild<QSpinBox *>(QStringLiteral("resetTimeout"))->value(), 5000);
        QCOMPARE(editor->findChild<QSpinBox *>(QStringLiteral("successThreshold"))->value(), 2);
        QCOMPARE(editor->findChild<QSpinBox *>(QStringLiteral("breakerTimeout"))->value(), 2000);
        QCOMPARE(editor->findChild<QDoubleSpinBox *>(QStringLiteral("failureRateThreshold"))->value(), 50.0);
        QVERIFY(editor->findChild<QGroupBox *>(QStringLiteral("retry"))->isChecked());
        QCOMPARE(editor->findChild<QSpinBox *>(QStringLiteral("maxAttempts"))->value(), 3);
        QCOMPARE(editor->findChild<QSpinBox *>(QStringLiteral("initialDelay"))->value(), 200);
        QCOMPARE(editor->findChild<QSpinBox *>(QStringLiteral("maxDelay"))->value(), 2000);
        QCOMPARE(editor->findChild<QDoubleSpinBox *>(QStringLiteral("backoffMultiplier"))->value(), 2.0);
        QVERIFY(editor->findChild<QGroupBox *>(QStringLiteral("timeout"))->isChecked());
        QCOMPARE(editor->findChild<QSpinBox *>(QStringLiteral("timeoutMs"))->value(), 1000);
        QVERIFY(!editor->findChild<QGroupBox *>(QStringLiteral("bulkhead"))->isChecked());
        QVERIFY(!editor->findChild<QGroupBox *>(QStringLiteral("fallback"))->isChecked());
        QCOMPARE(editor->findChild<QListWidget *>(QStringLiteral("order"))->count(), StageKindCount);

        // Nothing edited: what it would post is the scenario's policy.
        const PolicyConfig shown = editor->currentPolicy();
        const PolicyConfig &loaded = window.controller().scenario().operations.first().policy;
        QVERIFY(shown.circuitBreaker && loaded.circuitBreaker);
        QCOMPARE(*shown.circuitBreaker, *loaded.circuitBreaker);
        QVERIFY(shown.order == loaded.order);
        QVERIFY(!editor->hasPendingEdit());
    }

    // The main tuning tool has the left side to itself, and shows the fields that apply: at the
    // default window size the whole policy is in view, without scrolling.
    void theWholePolicyFitsTheDock()
    {
        MainWindow window(options(false));
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        auto *policyDock = window.findChild<QDockWidget *>(QStringLiteral("policyDock"));
        QVERIFY(policyDock);
        for (QDockWidget *dock : window.findChildren<QDockWidget *>())
            QCOMPARE(window.dockWidgetArea(dock) == Qt::LeftDockWidgetArea, dock == policyDock);
        PolicyEditor *editor = window.policyEditor();
        auto *scroll = editor->findChild<QScrollArea *>();
        QVERIFY(scroll);
        QTRY_COMPARE(scroll->verticalScrollBar()->maximum(), 0);
        QVERIFY(editor->findChild<QWidget *>(QStringLiteral("windowSize"))->isVisible());
        QVERIFY(editor->findChild<QWidget *>(QStringLiteral("timeoutMs"))->isVisible());
    }

    void showsTheFieldsThatApply()
    {
        MainWindow window(options(false));
        PolicyEditor *editor = window.policyEditor();
        const auto shown = [editor](const char *name) { return isShown(editor, name); };
        // api(): exponential back-off, no budget, no fallback.
        QVERIFY(shown("backoffMultiplier"));
        QVERIFY(!shown("linearIncrement"));
        QVERIFY(!shown("budgetRatio") && !shown("budgetMinPerSecond"));
        QVERIFY(!shown("fallbackValue"));
        editor->findChild<QComboBox *>(QStringLiteral("backoff"))->setCurrentIndex(1); // linear
        QVERIFY(!shown("backoffMultiplier"));
        QVERIFY(shown("linearIncrement"));
        editor->findChild<QCheckBox *>(QStringLiteral("budget"))->setChecked(true);
        QVERIFY(shown("budgetRatio") && shown("budgetMinPerSecond"));
        editor->findChild<QGroupBox *>(QStringLiteral("fallback"))->setChecked(true);
        QVERIFY(shown("fallbackValue"));
        editor->findChild<QGroupBox *>(QStringLiteral("retry"))->setChecked(false);
        QVERIFY(!shown("maxAttempts") && !shown("linearIncrement") && !shown("budgetRatio"));
        QVERIFY(shown("retry"));
    }

    void everyControlHasATooltip()
    {
        MainWindow window(options(false));
        PolicyEditor *editor = window.policyEditor();
        int controls = 0;
        for (QWidget *w : editor->findChildren<QWidget *>()) {
            const bool control = qobject_cast<QAbstractSpinBox *>(w) || qobject_cast<QAbstractButton *>(w)
                || qobject_cast<QComboBox *>(w) || qobject_cast<QLineEdit *>(w) || qobject_cast<QGroupBox *>(w)
                || qobject_cast<QListWidget *>(w);
            // Line edits and buttons inside spin boxes and combos belong to them.
            if (!control || qobject_cast<QAbstractSpinBox *>(w->parentWidget())
                || qobject_cast<QComboBox *>(w->parentWidget()))
                continue;
            ++controls;
            QVERIFY2(!w->toolTip().isEmpty(), qPrintable(w->objectName() + QStringLiteral(" has no tooltip")));
        }
        QVERIFY(controls >= 35);
    }

    void editAppliesLive()
    {
        MainWindow window(options(false));
        window.show();
        PolicyEditor *editor = window.policyEditor();
        QSignalSpy posted(editor, &PolicyEditor::policyPosted);
        QSignalSpy applied(&window.controller(), &SimulationController::commandApplied);
        QSignalSpy finished(&window.controller(), &SimulationController::finished);
        // The edit goes in before start: at max speed the whole run takes less than the debounce.

        auto *threshold = editor->findChild<QSpinBox *>(QStringLiteral("failureThreshold"));
        // A dragged spin box: several values, one post once it rests.
        threshold->setValue(7);
        threshold->setValue(8);
        threshold->setValue(9);
        QVERIFY(editor->hasPendingEdit());
        QTRY_COMPARE_WITH_TIMEOUT(posted.size(), 1, Timeout);

        QTRY_VERIFY_WITH_TIMEOUT(lastUpdate(window) != nullptr, Timeout);
        QCOMPARE(applied.size(), 1);
        // The log names the field and both values.
        QCOMPARE(qvariant_cast<ControlCommand>(applied.first().at(0)).describe(),
            QStringLiteral("updatePolicy checkout: circuitBreaker.failureThreshold 5 → 9"));
        QVERIFY(applied.first().at(1).toBool()); // accepted: the run had not finished
        window.controller().start();
        QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 1, Timeout);
        const ControlCommands::UpdatePolicy update = *lastUpdate(window);
        QCOMPARE(update.operation, OperationName);
        QVERIFY(update.policy.circuitBreaker);
        QCOMPARE(update.policy.circuitBreaker->failureThreshold, 9);
        QCOMPARE(update.policy.circuitBreaker->resetTimeout, fromMs(5000)); // the rest untouched
        QVERIFY(update.policy.retry && update.policy.timeout);

        // The engine takes it: the same command on a ScenarioRun of the scenario changes the breaker.
        ScenarioRun sim(window.controller().scenario());
        const int op = sim.operationIndex(OperationName);
        QVERIFY(op >= 0);
        QVERIFY(sim.pipeline(op).circuitBreaker());
        QCOMPARE(sim.pipeline(op).circuitBreaker()->config().failureThreshold, 5);
        QVERIFY(sim.apply(ControlCommand { update }));
        QCOMPARE(sim.pipeline(op).circuitBreaker()->config().failureThreshold, 9);

        // The event log shows the control action.
        QTRY_VERIFY_WITH_TIMEOUT(logHasControlRow(window, OperationName), Timeout);
        QTRY_VERIFY_WITH_TIMEOUT(
            editor->findChild<QLabel *>(QStringLiteral("policyStatus"))->text().contains(QStringLiteral("9")),
            Timeout);
        QCOMPARE(editor->policy(OperationName).circuitBreaker->failureThreshold, 9);

        // A restart drops live edits: the editor shows the scenario's policy again.
        window.controller().restart();
        QTRY_COMPARE_WITH_TIMEOUT(threshold->value(), 5, Timeout);
        QCOMPARE(editor->policy(OperationName).circuitBreaker->failureThreshold, 5);
    }

    // Issue 14: a Rate limiter section and the retry quota's fields. Their edits are UpdatePolicy
    // commands the run applies, written to the events as control events that read back the
    // same, and the engine's pipeline takes them.
    void rateLimiterAndQuotaEditsReachTheRun()
    {
        MainWindow window(options(false));
        PolicyEditor *editor = window.policyEditor();
        const auto shown = [editor](const char *name) { return isShown(editor, name); };
        auto *limiter = editor->findChild<QGroupBox *>(QStringLiteral("rateLimiter"));
        QVERIFY(limiter && !limiter->isChecked());
        QCOMPARE(limiter->title(), QStringLiteral("Rate limiter"));
        QVERIFY(!shown("limitForPeriod") && !shown("quotaCapacity"));
        limiter->setChecked(true);
        QVERIFY(shown("limitForPeriod") && shown("refreshPeriod") && shown("permitTimeout"));
        // The defaults until edited.
        QCOMPARE(editor->findChild<QSpinBox *>(QStringLiteral("limitForPeriod"))->value(), 50);
        QCOMPARE(editor->findChild<QSpinBox *>(QStringLiteral("refreshPeriod"))->value(), 1000);
        QCOMPARE(editor->findChild<QSpinBox *>(QStringLiteral("permitTimeout"))->value(), 0);
        editor->findChild<QSpinBox *>(QStringLiteral("limitForPeriod"))->setValue(7);
        editor->findChild<QSpinBox *>(QStringLiteral("permitTimeout"))->setValue(250);
        editor->findChild<QCheckBox *>(QStringLiteral("quota"))->setChecked(true);
        QVERIFY(shown("quotaCapacity") && shown("quotaRetryCost") && shown("quotaTimeoutCost") && shown("quotaSuccessRefill"));
        QCOMPARE(editor->findChild<QSpinBox *>(QStringLiteral("quotaCapacity"))->value(), 500);
        editor->findChild<QSpinBox *>(QStringLiteral("quotaRetryCost"))->setValue(2);
        QTRY_VERIFY_WITH_TIMEOUT(lastUpdate(window) && lastUpdate(window)->policy.rateLimiter
                && lastUpdate(window)->policy.retry && lastUpdate(window)->policy.retry->quota,
            Timeout);
        const ControlCommands::UpdatePolicy update = *lastUpdate(window);
        QCOMPARE(*update.policy.rateLimiter, (RateLimiterConfig { 7, fromMs(1000), fromMs(250) }));
        QCOMPARE(*update.policy.retry->quota, (RetryQuotaConfig { 500, 2, 10, 1 }));
        QVERIFY(update.policy.order.contains(StageKind::RateLimiter));

        // Replayable: the control event reads back as the same policy.
        LoadError error;
        const auto back = ControlCommand::fromJson(ControlCommand { update }.toJson(), &error);
        QVERIFY2(back, qPrintable(error.message));
        const auto *replayed = std::get_if<ControlCommands::UpdatePolicy>(&back->command);
        QVERIFY(replayed);
        QCOMPARE(policyToJson(replayed->policy), policyToJson(update.policy));

        // The engine takes it.
        ScenarioRun sim(window.controller().scenario());
        const int op = sim.operationIndex(OperationName);
        QVERIFY(!sim.pipeline(op).rateLimiter() && !sim.pipeline(op).retryQuota());
        QVERIFY(sim.apply(ControlCommand { update }));
        QCOMPARE(sim.pipeline(op).rateLimiter()->config().limitForPeriod, 7);
        QCOMPARE(sim.pipeline(op).retryQuota()->config().retryCost, 2);
    }

    // Issue 14: an Adaptive throttle section with the SRE book's defaults; its edits reach the
    // run as a replayable control event, and the engine's pipeline takes them.
    void adaptiveThrottleEditsReachTheRun()
    {
        MainWindow window(options(false));
        PolicyEditor *editor = window.policyEditor();
        auto *throttle = editor->findChild<QGroupBox *>(QStringLiteral("adaptiveThrottle"));
        QVERIFY(throttle && !throttle->isChecked());
        QCOMPARE(throttle->title(), QStringLiteral("Adaptive throttle"));
        QVERIFY(!throttle->toolTip().isEmpty());
        throttle->setChecked(true);
        auto *k = editor->findChild<QDoubleSpinBox *>(QStringLiteral("throttleK"));
        auto *windowMs = editor->findChild<QSpinBox *>(QStringLiteral("throttleWindow"));
        QVERIFY(k && k->isVisibleTo(editor) && windowMs && windowMs->isVisibleTo(editor));
        QVERIFY(!k->toolTip().isEmpty() && !windowMs->toolTip().isEmpty());
        QCOMPARE(k->value(), 2.0);
        QCOMPARE(windowMs->value(), 120000);
        k->setValue(1.5);
        windowMs->setValue(30000);
        QTRY_VERIFY_WITH_TIMEOUT(lastUpdate(window) && lastUpdate(window)->policy.adaptiveThrottle
                && lastUpdate(window)->policy.adaptiveThrottle->window == fromMs(30000),
            Timeout);
        const ControlCommands::UpdatePolicy update = *lastUpdate(window);
        QCOMPARE(*update.policy.adaptiveThrottle, (AdaptiveThrottleConfig { 1.5, fromMs(30000) }));
        QVERIFY(update.policy.order.contains(StageKind::AdaptiveThrottle));

        LoadError error;
        const auto back = ControlCommand::fromJson(ControlCommand { update }.toJson(), &error);
        QVERIFY2(back, qPrintable(error.message));
        const auto *replayed = std::get_if<ControlCommands::UpdatePolicy>(&back->command);
        QVERIFY(replayed);
        QCOMPARE(policyChanges(replayed->policy, update.policy), QStringList {});
        QCOMPARE(*replayed->policy.adaptiveThrottle, *update.policy.adaptiveThrottle);

        ScenarioRun sim(window.controller().scenario());
        const int op = sim.operationIndex(OperationName);
        QVERIFY(!sim.pipeline(op).adaptiveThrottle());
        QVERIFY(sim.apply(ControlCommand { update }));
        QCOMPARE(sim.pipeline(op).adaptiveThrottle()->config().k, 1.5);
    }

    // Issue 14: a Concurrency limit section with gradient2's defaults, showing each algorithm's
    // own fields; its edits reach the run as a replayable control event the engine takes.
    void concurrencyLimitEditsReachTheRun()
    {
        MainWindow window(options(false));
        PolicyEditor *editor = window.policyEditor();
        auto *section = editor->findChild<QGroupBox *>(QStringLiteral("concurrencyLimit"));
        QVERIFY(section && !section->isChecked());
        QCOMPARE(section->title(), QStringLiteral("Concurrency limit"));
        QVERIFY(!section->toolTip().isEmpty());
        section->setChecked(true);
        auto *algorithm = editor->findChild<QComboBox *>(QStringLiteral("limitAlgorithm"));
        auto *maxLimit = editor->findChild<QSpinBox *>(QStringLiteral("maxLimit"));
        QVERIFY(algorithm && maxLimit && !algorithm->toolTip().isEmpty() && !maxLimit->toolTip().isEmpty());
        QCOMPARE(algorithm->currentText(), QStringLiteral("gradient2"));
        QCOMPARE(maxLimit->value(), 200);
        QVERIFY(isShown(editor, "rttTolerance") && isShown(editor, "longWindow") && !isShown(editor, "backoffRatio"));
        algorithm->setCurrentIndex(algorithm->findText(QStringLiteral("aimd")));
        QVERIFY(!isShown(editor, "rttTolerance") && isShown(editor, "backoffRatio") && isShown(editor, "limitTimeout"));
        editor->findChild<QDoubleSpinBox *>(QStringLiteral("backoffRatio"))->setValue(0.75);
        maxLimit->setValue(60);
        QTRY_VERIFY_WITH_TIMEOUT(lastUpdate(window) && lastUpdate(window)->policy.concurrencyLimit
                && lastUpdate(window)->policy.concurrencyLimit->maxLimit == 60,
            Timeout);
        const ControlCommands::UpdatePolicy update = *lastUpdate(window);
        QCOMPARE(update.policy.concurrencyLimit->algorithm, LimitAlgorithm::Aimd);
        QCOMPARE(update.policy.concurrencyLimit->backoffRatio, 0.75);
        QVERIFY(update.policy.order.contains(StageKind::ConcurrencyLimit));

        LoadError error;
        const auto back = ControlCommand::fromJson(ControlCommand { update }.toJson(), &error);
        QVERIFY2(back, qPrintable(error.message));
        const auto *replayed = std::get_if<ControlCommands::UpdatePolicy>(&back->command);
        QVERIFY(replayed);
        QCOMPARE(policyChanges(replayed->policy, update.policy), QStringList {});
        QCOMPARE(*replayed->policy.concurrencyLimit, *update.policy.concurrencyLimit);

        ScenarioRun sim(window.controller().scenario());
        const int op = sim.operationIndex(OperationName);
        QVERIFY(!sim.pipeline(op).concurrencyLimit());
        QVERIFY(sim.apply(ControlCommand { update }));
        QCOMPARE(sim.pipeline(op).concurrencyLimit()->config().maxLimit, 60);
        QCOMPARE(sim.pipeline(op).concurrencyLimit()->config().algorithm, LimitAlgorithm::Aimd);
    }

    void sectionOffLeavesThePolicy()
    {
        MainWindow window(options(false));
        PolicyEditor *editor = window.policyEditor();
        QSignalSpy posted(editor, &PolicyEditor::policyPosted);
        window.controller().start();

        editor->findChild<QGroupBox *>(QStringLiteral("retry"))->setChecked(false);
        QTRY_COMPARE_WITH_TIMEOUT(posted.size(), 1, Timeout);
        QTRY_VERIFY_WITH_TIMEOUT(lastUpdate(window) && !lastUpdate(window)->policy.retry, Timeout);
        QVERIFY(lastUpdate(window)->policy.circuitBreaker);
        QVERIFY(lastUpdate(window)->policy.timeout);

        // A section turned on posts the shown values.
        editor->findChild<QGroupBox *>(QStringLiteral("bulkhead"))->setChecked(true);
        editor->findChild<QSpinBox *>(QStringLiteral("maxConcurrent"))->setValue(4);
        QTRY_COMPARE_WITH_TIMEOUT(posted.size(), 2, Timeout);
        QTRY_VERIFY_WITH_TIMEOUT(lastUpdate(window) && lastUpdate(window)->policy.bulkhead, Timeout);
        QCOMPARE(lastUpdate(window)->policy.bulkhead->maxConcurrent, 4);
        QVERIFY(!lastUpdate(window)->policy.retry);

        // The editor shows its edited policy again after a reload of the same operation's view...
        editor->selectOperation(OperationName);
        QVERIFY(!editor->findChild<QGroupBox *>(QStringLiteral("retry"))->isChecked());
        // ...and the scenario's one after a new load.
        window.loadScenario(Scenario, std::nullopt, false);
        QVERIFY(editor->findChild<QGroupBox *>(QStringLiteral("retry"))->isChecked());
        QVERIFY(!editor->findChild<QGroupBox *>(QStringLiteral("bulkhead"))->isChecked());
    }

    // Every field at its maximum, with a count window, posts a policy a file could hold: the
    // editor cannot set what the loader refuses (docs/formats.md, "Limits").
    void maximaStayWithinTheLoaderLimits()
    {
        MainWindow window(options(false));
        PolicyEditor *editor = window.policyEditor();
        QSignalSpy posted(editor, &PolicyEditor::policyPosted);
        for (const QString &section : { QStringLiteral("circuitBreaker"), QStringLiteral("retry"),
                 QStringLiteral("timeout"), QStringLiteral("bulkhead"), QStringLiteral("rateLimiter"),
                 QStringLiteral("hedging"), QStringLiteral("adaptiveThrottle"),
                 QStringLiteral("concurrencyLimit") })
            editor->findChild<QGroupBox *>(section)->setChecked(true);
        editor->findChild<QCheckBox *>(QStringLiteral("budget"))->setChecked(true);
        editor->findChild<QCheckBox *>(QStringLiteral("quota"))->setChecked(true);
        auto *windowType = editor->findChild<QComboBox *>(QStringLiteral("windowType"));
        windowType->setCurrentIndex(windowType->findData(int(WindowType::Count)));
        for (QSpinBox *box : editor->findChildren<QSpinBox *>())
            box->setValue(box->maximum());
        for (QDoubleSpinBox *box : editor->findChildren<QDoubleSpinBox *>())
            box->setValue(box->maximum());
        QTRY_VERIFY_WITH_TIMEOUT(!posted.isEmpty(), Timeout);
        const auto policy = posted.last().at(1).value<PolicyConfig>();
        QVERIFY(policy.circuitBreaker && policy.circuitBreaker->windowType == WindowType::Count);
        LoadError error;
        QVERIFY2(parsePolicy(QJsonDocument(policyToJson(policy)).toJson(), QStringLiteral("editor.json"), &error),
            qPrintable(error.toString()));
    }

    void orderIsPosted()
    {
        MainWindow window(options(false));
        PolicyEditor *editor = window.policyEditor();
        QSignalSpy posted(editor, &PolicyEditor::policyPosted);
        auto *order = editor->findChild<QListWidget *>(QStringLiteral("order"));
        QAbstractItemModelTester tester(order->model(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        order->setCurrentRow(2); // circuit breaker
        editor->findChild<QAbstractButton *>(QStringLiteral("orderUp"))->click();
        QTRY_COMPARE_WITH_TIMEOUT(posted.size(), 1, Timeout);
        QCOMPARE(posted.first().at(0).toString(), OperationName);
        QVERIFY(editor->policy(OperationName).order
            == (QList<StageKind> { StageKind::Fallback, StageKind::CircuitBreaker, StageKind::Retry,
                StageKind::RateLimiter, StageKind::Bulkhead, StageKind::ConcurrencyLimit, StageKind::AdaptiveThrottle,
                StageKind::Timeout, StageKind::Hedging }));
    }

    // Issue 14: a Hedging section (Polly's defaults until edited) whose edits reach the run as
    // replayable control events; moved up in the order, hedging still posts as the innermost
    // stage, which the loader requires.
    void hedgingEditsReachTheRun()
    {
        MainWindow window(options(false));
        PolicyEditor *editor = window.policyEditor();
        auto *hedging = editor->findChild<QGroupBox *>(QStringLiteral("hedging"));
        QVERIFY(hedging && !hedging->isChecked());
        QCOMPARE(hedging->title(), QStringLiteral("Hedging"));
        QVERIFY(!hedging->toolTip().isEmpty());
        hedging->setChecked(true);
        auto *attempts = editor->findChild<QSpinBox *>(QStringLiteral("maxHedgedAttempts"));
        auto *delay = editor->findChild<QSpinBox *>(QStringLiteral("hedgingDelay"));
        QVERIFY(attempts && delay && attempts->isVisibleTo(editor) && !attempts->toolTip().isEmpty());
        QCOMPARE(attempts->value(), 1);
        QCOMPARE(delay->value(), 2000);
        QCOMPARE(attempts->maximum(), 10);
        attempts->setValue(2);
        delay->setValue(120);
        auto *order = editor->findChild<QListWidget *>(QStringLiteral("order"));
        order->setCurrentRow(order->count() - 1);
        QCOMPARE(StageKind(order->currentItem()->data(Qt::UserRole).toInt()), StageKind::Hedging);
        editor->findChild<QAbstractButton *>(QStringLiteral("orderUp"))->click();
        QTRY_VERIFY_WITH_TIMEOUT(lastUpdate(window) && lastUpdate(window)->policy.hedging
                && lastUpdate(window)->policy.hedging->delay == fromMs(120),
            Timeout);
        const ControlCommands::UpdatePolicy update = *lastUpdate(window);
        QCOMPARE(*update.policy.hedging, (HedgingConfig { 2, fromMs(120) }));
        QCOMPARE(update.policy.order.last(), StageKind::Hedging);
        LoadError error;
        QVERIFY2(parsePolicy(QJsonDocument(policyToJson(update.policy)).toJson(), QStringLiteral("editor.json"), &error),
            qPrintable(error.toString()));

        // Replayable: the control event reads back as the same policy.
        const auto back = ControlCommand::fromJson(ControlCommand { update }.toJson(), &error);
        QVERIFY2(back, qPrintable(error.message));
        const auto *replayed = std::get_if<ControlCommands::UpdatePolicy>(&back->command);
        QVERIFY(replayed);
        QCOMPARE(policyChanges(replayed->policy, update.policy), QStringList {});
        QCOMPARE(*replayed->policy.hedging, *update.policy.hedging);

        // The engine takes it.
        ScenarioRun sim(window.controller().scenario());
        const int op = sim.operationIndex(OperationName);
        QVERIFY(!sim.pipeline(op).policy().hedging);
        QVERIFY(sim.apply(ControlCommand { update }));
        QCOMPARE(*sim.pipeline(op).policy().hedging, (HedgingConfig { 2, fromMs(120) }));
    }
};

QTEST_MAIN(TestPolicyEditor)
#include "tst_policyeditor.moc"
