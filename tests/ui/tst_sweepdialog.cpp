// The Sweep dialog on the offscreen platform, inside the real MainWindow: a sweep typed into it
// gives the points runSweep/sweepResult give for the same plan; the heat map's cells and the
// scatter's points are those points; a click on either applies the point's policy in the Policy
// dock and the run; Cancel stops a sweep and leaves the window usable; bad range text is refused
// with a clear message before anything runs.
#include "mainwindow.h"
#include "policyeditor.h"
#include "sweepdialog.h"
#include "sweepfigure.h"
#include "sweepheatmap.h"
#include "sweepscatter.h"

#include "lab/sweep.h"
#include "resilience/policywriter.h"

#include <QAbstractButton>
#include <QAbstractSpinBox>
#include <QAction>
#include <QApplication>
#include <QHelpEvent>
#include <QToolTip>
#include <QChart>
#include <QComboBox>
#include <QImage>
#include <QLabel>
#include <QLineEdit>
#include <QMenuBar>
#include <QProgressBar>
#include <QPushButton>
#include <QScatterSeries>
#include <QSignalSpy>
#include <QSpinBox>
#include <QStandardPaths>
#include <QTest>

#include <cmath>
#include <limits>

using namespace bw;

namespace {

constexpr int Timeout = 120000;
const QString OperationName = QStringLiteral("checkout");

MainWindow::Options options()
{
    MainWindow::Options o;
    o.scenario = QStringLiteral("retry-storm");
    o.speed = 0;
    o.start = false;
    o.restoreSettings = false;
    return o;
}

SweepDialog *openDialog(MainWindow &window)
{
    QAction *action = window.findChild<QAction *>(QStringLiteral("sweep"));
    Q_ASSERT(action);
    action->trigger();
    return window.findChild<SweepDialog *>(QStringLiteral("sweepDialog"));
}

template<typename T> T *child(QWidget *dialog, const char *name)
{
    T *w = dialog->findChild<T *>(QLatin1String(name));
    Q_ASSERT(w);
    return w;
}

// Chooses a field in a parameter's box and types its range, as a user does.
void choose(SweepDialog *dialog, int parameter, const QString &path, const QString &range)
{
    auto *key = child<QComboBox>(dialog, parameter == 1 ? "sweepKey1" : "sweepKey2");
    const int index = key->findData(path);
    QVERIFY2(index >= 0, qPrintable(path));
    key->setCurrentIndex(index);
    Q_EMIT key->activated(index);
    auto *edit = child<QLineEdit>(dialog, parameter == 1 ? "sweepRange1" : "sweepRange2");
    edit->selectAll();
    QTest::keyClicks(edit, range);
    QCOMPARE(edit->text(), range);
}

// retry.maxAttempts 1, 3 × timeout 150, 600 on two seeds: 4 points, 8 runs.
void setUpSmallSweep(SweepDialog *dialog)
{
    choose(dialog, 1, QStringLiteral("retry.maxAttempts"), QStringLiteral("1,3"));
    choose(dialog, 2, QStringLiteral("timeout.timeout"), QStringLiteral("150:600:450"));
    child<QSpinBox>(dialog, "sweepSeeds")->setValue(2);
}

bool runAndWait(SweepDialog *dialog)
{
    QSignalSpy finished(dialog, &SweepDialog::sweepFinished);
    QTest::mouseClick(child<QPushButton>(dialog, "runSweep"), Qt::LeftButton);
    return finished.wait(Timeout) && finished.constFirst().constFirst().toBool();
}

// The engine's answer for the small sweep, computed directly.
SweepResult engineResult(const ScenarioConfig &scenario, SweepObjective objective, QList<PolicyConfig> *policies)
{
    SweepPlan plan;
    plan.scenario = scenario;
    plan.operation = OperationName;
    LoadError error;
    for (const QString &vary : { QStringLiteral("retry.maxAttempts=1,3"), QStringLiteral("timeout.timeout=150:600:450") })
        plan.grid.add(*parseSweepParameter(vary, &error), &error);
    plan.seeds = sweepSeeds(scenario.seed, 2);
    *policies = *sweepPolicies(plan, &error);
    return sweepResult(plan, runSweep(plan, *policies, 1), objective);
}

// The same policy file: the editor lists the stages that are off in its order too.
bool samePolicy(const PolicyConfig &a, const PolicyConfig &b)
{
    return policyToJson(a) == policyToJson(b);
}

const ControlCommands::UpdatePolicy *lastUpdate(MainWindow &window)
{
    const auto &last = window.controller().lastAppliedCommand();
    return last ? std::get_if<ControlCommands::UpdatePolicy>(&last->command) : nullptr;
}

} // namespace

class TestSweepDialog : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { QStandardPaths::setTestModeEnabled(true); }

    void openedFromTheToolBarAndTheMenu()
    {
        MainWindow window(options());
        QAction *action = window.findChild<QAction *>(QStringLiteral("sweep"));
        QVERIFY(action);
        QVERIFY(!action->toolTip().isEmpty());
        bool inMenu = false;
        for (QAction *menu : window.menuBar()->actions())
            for (QAction *a : menu->menu()->actions())
                inMenu |= a->text().remove(u'&') == QStringLiteral("Sweep…");
        QVERIFY(inMenu);
        SweepDialog *dialog = openDialog(window);
        QVERIFY(dialog && dialog->isVisible());
        QCOMPARE(openDialog(window), dialog); // one dialog, kept
        // retry-storm's eager-retries: retry and timeout, no breaker, so no breaker field.
        auto *key = child<QComboBox>(dialog, "sweepKey1");
        QVERIFY(key->findData(QStringLiteral("retry.maxAttempts")) >= 0);
        QVERIFY(key->findData(QStringLiteral("timeout.timeout")) >= 0);
        QCOMPARE(key->findData(QStringLiteral("circuitBreaker.failureThreshold")), -1);
        QCOMPARE(child<QSpinBox>(dialog, "sweepFirstSeed")->value(), 11); // the window's seed
        QVERIFY(!child<QLineEdit>(dialog, "sweepRange1")->text().isEmpty()); // a range to start from
    }

    void everyControlHasATooltip()
    {
        MainWindow window(options());
        SweepDialog *dialog = openDialog(window);
        int controls = 0;
        for (QWidget *w : dialog->findChildren<QWidget *>()) {
            const bool control = qobject_cast<QAbstractSpinBox *>(w) || qobject_cast<QAbstractButton *>(w)
                || qobject_cast<QComboBox *>(w) || qobject_cast<QLineEdit *>(w) || qobject_cast<QProgressBar *>(w);
            if (!control || qobject_cast<QAbstractSpinBox *>(w->parentWidget()) || qobject_cast<QComboBox *>(w->parentWidget()))
                continue;
            ++controls;
            QVERIFY2(!w->toolTip().isEmpty(), qPrintable(w->objectName() + QStringLiteral(" has no tooltip")));
        }
        QVERIFY(controls >= 12);
    }

    // The dialog, the heat map and the scatter show what the engine computes for the same plan.
    void sameAsTheEngineAndDrawnAsIs()
    {
        MainWindow window(options());
        SweepDialog *dialog = openDialog(window);
        QVERIFY(QTest::qWaitForWindowExposed(dialog));
        setUpSmallSweep(dialog);
        QVERIFY(runAndWait(dialog));
        QList<PolicyConfig> policies;
        const SweepResult expected = engineResult(window.currentScenario(), SweepObjective::Success, &policies);
        const SweepResult &shown = dialog->result();
        QCOMPARE(shown.keys, expected.keys);
        QCOMPARE(shown.settings, expected.settings);
        QVERIFY(shown.figures == expected.figures);
        QCOMPARE(shown.pareto, expected.pareto);
        QCOMPARE(shown.best, expected.best);
        QCOMPARE(shown.seeds, (QList<std::uint64_t> { 11, 12 }));
        QCOMPARE(child<QProgressBar>(dialog, "sweepProgress")->value(), 8);

        // The heat map: a cell per point, where its settings say, painted with its value's colour.
        SweepHeatMap *map = dialog->heatMap();
        QCOMPARE(map->result().figures.size(), 4);
        const QImage image = map->grab().toImage();
        const qreal ratio = image.devicePixelRatio();
        for (qsizetype point = 0; point < 4; ++point) {
            const QRectF cell = map->cellRect(point);
            QVERIFY(!cell.isEmpty());
            QCOMPARE(map->pointAt(cell.center()), point);
            QCOMPARE(map->cellValue(point), 100 * expected.figures[point].successRate);
            const QPointF sample = cell.topLeft() + QPointF(cell.width() * 0.85, cell.height() * 0.85);
            QCOMPARE(image.pixelColor((sample * ratio).toPoint()).rgb(), map->cellColor(point).rgb());
        }
        // Hovering a cell tells its settings and every figure.
        const QPoint best = map->cellRect(expected.best).center().toPoint();
        QHelpEvent hover(QEvent::ToolTip, best, map->mapToGlobal(best));
        QApplication::sendEvent(map, &hover);
        QVERIFY2(QToolTip::text().contains(sweepSettingsText(expected, expected.best)), qPrintable(QToolTip::text()));
        for (SweepObjective o : { SweepObjective::Success, SweepObjective::Amplification, SweepObjective::P99 })
            QVERIFY2(QToolTip::text().contains(sweepFigureView(o).text(expected.figures[expected.best])), qPrintable(QToolTip::text()));
        QVERIFY(QToolTip::text().contains(QStringLiteral("Best by success rate")));
        // First key along x, second up y: maxAttempts 3 is right of 1, timeout 600 above 150.
        QVERIFY(map->cellRect(2).left() > map->cellRect(0).left());
        QVERIFY(map->cellRect(1).top() < map->cellRect(0).top());
        // The best is the brightest (yellow end of the scale).
        for (qsizetype point = 0; point < 4; ++point)
            QVERIFY(map->cellColor(expected.best).lightnessF() >= map->cellColor(point).lightnessF());

        // The scatter: every point once, at (p99, success %), front and others apart, the best starred.
        SweepScatter *scatter = dialog->scatter();
        QList<qsizetype> seen;
        for (QScatterSeries *series : { scatter->frontSeries(), scatter->otherSeries() }) {
            const QList<QPointF> points = series->points();
            for (qsizetype i = 0; i < points.size(); ++i) {
                const qsizetype point = scatter->pointOf(series, i);
                QVERIFY(point >= 0);
                seen.append(point);
                QCOMPARE(expected.pareto[point], series == scatter->frontSeries());
                QCOMPARE(points[i].x(), expected.figures[point].p99Ms);
                QCOMPARE(points[i].y(), 100 * expected.figures[point].successRate);
            }
        }
        std::sort(seen.begin(), seen.end());
        QCOMPARE(seen, (QList<qsizetype> { 0, 1, 2, 3 }));
        QCOMPARE(scatter->bestSeries()->count(), 1);
        QCOMPARE(scatter->pointOf(scatter->bestSeries(), 0), expected.best);
        // Hovering a point tells its settings and the figures the axes do not show.
        QScatterSeries *others = scatter->otherSeries();
        QVERIFY(others->count() > 0);
        Q_EMIT others->hovered(others->at(0), true);
        const qsizetype hovered = scatter->pointOf(others, 0);
        QVERIFY2(QToolTip::text().contains(sweepSettingsText(expected, hovered)), qPrintable(QToolTip::text()));
        QVERIFY(QToolTip::text().contains(sweepFigureView(SweepObjective::Amplification).text(expected.figures[hovered])));

        // Another objective re-ranks without running again, as the engine ranks.
        auto *objective = child<QComboBox>(dialog, "sweepObjective");
        objective->setCurrentIndex(int(SweepObjective::Amplification));
        Q_EMIT objective->activated(objective->currentIndex());
        QCOMPARE(dialog->result().best, bestPoint(expected.figures, SweepObjective::Amplification));
        QCOMPARE(map->cellValue(0), expected.figures[0].amplification);
        // And the scatter's axes are any two figures.
        auto *x = child<QComboBox>(dialog, "scatterX");
        x->setCurrentIndex(int(SweepObjective::Amplification));
        Q_EMIT x->activated(x->currentIndex());
        const QList<QPointF> front = scatter->frontSeries()->points();
        QCOMPARE(front.constFirst().x(), expected.figures[scatter->pointOf(scatter->frontSeries(), 0)].amplification);
    }

    // A point that never recovered: a hatched grey cell off the colour scale, and no place on a
    // recovery axis (the scatter's title counts it).
    void notRecoveredPoints()
    {
        constexpr double Never = std::numeric_limits<double>::infinity();
        SweepResult result;
        result.keys = { QStringLiteral("retry.maxAttempts") };
        result.settings = { { 1 }, { 2 }, { 3 } };
        result.figures = { { 0.9, 1, 100, 2000, 0 }, { 0.8, 2, 200, Never, 0 }, { 0.95, 1.5, 150, 5000, 0 } };
        result.pareto = paretoFront(result.figures);
        result.objective = SweepObjective::Recovery;
        result.best = bestPoint(result.figures, result.objective);
        QCOMPARE(result.best, 0);
        SweepHeatMap map;
        map.resize(600, 300);
        map.setResult(result, { QStringLiteral("Max attempts — retry.maxAttempts") });
        QCOMPARE(map.cellColor(1), QColor(0xc8, 0xc8, 0xc8));
        QVERIFY(map.cellColor(0) != map.cellColor(2));
        QVERIFY(qGray(map.cellColor(0).rgb()) > qGray(map.cellColor(2).rgb())); // faster recovery: lighter (better)
        // One row for one key, the points left to right.
        QCOMPARE(map.cellRect(0).top(), map.cellRect(2).top());
        QVERIFY(map.cellRect(0).left() < map.cellRect(1).left() && map.cellRect(1).left() < map.cellRect(2).left());
        SweepScatter scatter;
        scatter.setResult(result);
        scatter.setFigures(SweepObjective::Recovery, SweepObjective::Success);
        QCOMPARE(scatter.frontSeries()->count() + scatter.otherSeries()->count(), 2);
        QVERIFY(scatter.chart()->title().contains(QStringLiteral("1 not recovered, not shown")));
        scatter.setFigures(SweepObjective::P99, SweepObjective::Success);
        QCOMPARE(scatter.frontSeries()->count() + scatter.otherSeries()->count(), 3);
        // Nothing recovered at all: every cell grey, nothing to scale.
        for (SweepFigures &f : result.figures)
            f.recoveryMs = Never;
        map.setResult(result, {});
        for (qsizetype point = 0; point < 3; ++point)
            QCOMPARE(map.cellColor(point), QColor(0xc8, 0xc8, 0xc8));
    }

    void clickingAPointAppliesItsPolicy()
    {
        MainWindow window(options());
        window.show();
        SweepDialog *dialog = openDialog(window);
        QVERIFY(QTest::qWaitForWindowExposed(dialog));
        setUpSmallSweep(dialog);
        QVERIFY(runAndWait(dialog));
        QList<PolicyConfig> policies;
        engineResult(window.currentScenario(), SweepObjective::Success, &policies);

        // A heat map cell: maxAttempts 3, timeout 150 (point 2).
        SweepHeatMap *map = dialog->heatMap();
        QTest::mouseClick(map, Qt::LeftButton, {}, map->cellRect(2).center().toPoint());
        PolicyEditor *editor = window.policyEditor();
        QVERIFY(samePolicy(editor->policy(OperationName), policies[2]));
        QCOMPARE(editor->policy(OperationName).retry->maxAttempts, 3);
        QCOMPARE(editor->policy(OperationName).timeout->timeout, fromMs(150));
        // Posted like the dock's own edits, and the idle run started with it.
        QTRY_VERIFY_WITH_TIMEOUT(lastUpdate(window) != nullptr, Timeout);
        QCOMPARE(lastUpdate(window)->operation, OperationName);
        QVERIFY(samePolicy(lastUpdate(window)->policy, policies[2]));
        QTRY_VERIFY_WITH_TIMEOUT(window.controller().state() != RunProgress::State::Idle, Timeout);
        QVERIFY(child<QLabel>(dialog, "sweepStatus")->text().contains(QStringLiteral("retry.maxAttempts=3")));

        // A scatter point: the one of point 1 (maxAttempts 1, timeout 600), clicked where it is drawn.
        SweepScatter *scatter = dialog->scatter();
        QScatterSeries *series = nullptr;
        qsizetype index = -1;
        for (QScatterSeries *s : { scatter->frontSeries(), scatter->otherSeries() })
            for (qsizetype i = 0; i < s->count(); ++i)
                if (scatter->pointOf(s, i) == 1) {
                    series = s;
                    index = i;
                }
        QVERIFY(series);
        const QPointF scene = scatter->chart()->mapToScene(scatter->chart()->mapToPosition(series->at(index), series));
        const QPoint at = scatter->mapFromScene(scene);
        QSignalSpy clicked(scatter, &SweepScatter::pointClicked);
        QTest::mouseClick(scatter->viewport(), Qt::LeftButton, {}, at);
        QCOMPARE(clicked.size(), 1);
        QCOMPARE(clicked.constFirst().constFirst().value<qsizetype>(), 1);
        QVERIFY(samePolicy(editor->policy(OperationName), policies[1]));
        QTRY_VERIFY_WITH_TIMEOUT(lastUpdate(window) && samePolicy(lastUpdate(window)->policy, policies[1]), Timeout);
    }

    void cancelStopsTheSweepAndLeavesTheWindowUsable()
    {
        MainWindow window(options());
        SweepDialog *dialog = openDialog(window);
        // 8 × 20 points: long enough to cancel in the middle.
        choose(dialog, 1, QStringLiteral("retry.maxAttempts"), QStringLiteral("1:8:1"));
        choose(dialog, 2, QStringLiteral("timeout.timeout"), QStringLiteral("50:1000:50"));
        QSignalSpy finished(dialog, &SweepDialog::sweepFinished);
        QTest::mouseClick(child<QPushButton>(dialog, "runSweep"), Qt::LeftButton);
        QVERIFY(dialog->isRunning());
        QVERIFY(!child<QPushButton>(dialog, "runSweep")->isEnabled());
        auto *progress = child<QProgressBar>(dialog, "sweepProgress");
        QCOMPARE(progress->maximum(), 160);
        QTRY_VERIFY_WITH_TIMEOUT(progress->value() >= 1, Timeout);
        QTest::mouseClick(child<QPushButton>(dialog, "cancelSweep"), Qt::LeftButton);
        QVERIFY(finished.wait(Timeout));
        QCOMPARE(finished.constFirst().constFirst().toBool(), false);
        QVERIFY(!dialog->isRunning());
        QVERIFY(dialog->result().figures.isEmpty()); // nothing partial
        QVERIFY(dialog->heatMap()->result().figures.isEmpty());
        QCOMPARE(dialog->scatter()->frontSeries()->count() + dialog->scatter()->otherSeries()->count(), 0);
        QVERIFY(child<QLabel>(dialog, "sweepStatus")->text().startsWith(QStringLiteral("Cancelled")));
        QVERIFY(child<QPushButton>(dialog, "runSweep")->isEnabled());
        QVERIFY(child<QLineEdit>(dialog, "sweepRange1")->isEnabled());

        // The window runs on, and the dialog sweeps again.
        QSignalSpy progressed(&window, &MainWindow::progressed);
        window.controller().step(fromMs(1000));
        QVERIFY(progressed.wait(Timeout));
        setUpSmallSweep(dialog);
        QVERIFY(runAndWait(dialog));
        QCOMPARE(dialog->result().figures.size(), 4);
    }

    void badRangeTextIsRefused_data()
    {
        QTest::addColumn<QString>("range");
        QTest::addColumn<QString>("message");
        QTest::addRow("not a number") << QStringLiteral("1:abc:1") << QStringLiteral("'abc' is not a number");
        QTest::addRow("no step") << QStringLiteral("1:4") << QStringLiteral("expected FROM:TO:STEP or a list a,b,c");
        QTest::addRow("empty") << QString() << QStringLiteral("no values");
        QTest::addRow("backwards") << QStringLiteral("4:1:1") << QStringLiteral("FROM must not be above TO");
        QTest::addRow("refused by the policy loader") << QStringLiteral("0:2:1") << QStringLiteral("expected a positive integer");
    }

    void badRangeTextIsRefused()
    {
        QFETCH(QString, range);
        QFETCH(QString, message);
        MainWindow window(options());
        SweepDialog *dialog = openDialog(window);
        choose(dialog, 1, QStringLiteral("retry.maxAttempts"), QStringLiteral("1:2:1"));
        auto *edit = child<QLineEdit>(dialog, "sweepRange1");
        edit->clear();
        QTest::keyClicks(edit, range);
        QSignalSpy finished(dialog, &SweepDialog::sweepFinished);
        QTest::mouseClick(child<QPushButton>(dialog, "runSweep"), Qt::LeftButton);
        QVERIFY(!dialog->isRunning());
        const QString status = child<QLabel>(dialog, "sweepStatus")->text();
        QVERIFY2(status.contains(message), qPrintable(status));
        QVERIFY2(status.contains(QStringLiteral("retry.maxAttempts")), qPrintable(status));
        QCOMPARE(child<QProgressBar>(dialog, "sweepProgress")->value(), 0);
        QCOMPARE(finished.size(), 0);
    }
};

QTEST_MAIN(TestSweepDialog)
#include "tst_sweepdialog.moc"
