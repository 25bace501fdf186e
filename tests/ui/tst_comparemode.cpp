// The window's Compare mode on the offscreen platform, driving the real widgets: the toolbar's
// Compare button brings the candidates up on the single run's seed; every chart has one line per
// candidate in the candidate's colour; the verdict table holds what `breakwater compare` computes
// (the engine's lab functions, run here on the same scenario, seed and candidates); a live edit
// reaches the selected candidate only; leaving brings the single run back as it was.
#include "compareview.h"
#include "faultpanel.h"
#include "mainwindow.h"
#include "policyeditor.h"

#include "lab/comparison.h"
#include "scenario/scenarioloader.h"

#include <QAbstractButton>
#include <QAction>
#include <QChart>
#include <QComboBox>
#include <QImage>
#include <QLabel>
#include <QProcess>
#include <QPushButton>
#include <QStackedWidget>
#include <QStandardPaths>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QTest>
#include <QToolBar>
#include <QXYSeries>

using namespace bw;

namespace {

const QString Scenario = QStringLiteral("retry-storm");
constexpr std::uint64_t Seed = 7;
constexpr int Timeout = 60000;

MainWindow::Options options()
{
    MainWindow::Options o;
    o.scenario = Scenario;
    o.seed = Seed;
    o.speed = 0;
    o.start = false;
    o.restoreSettings = false;
    return o;
}

// Clicks the toolbar's Compare button, as a user would.
void clickCompare(MainWindow &window)
{
    QAction *compare = window.findChild<QAction *>(QStringLiteral("compare"));
    QVERIFY(compare);
    QWidget *button = window.findChild<QToolBar *>(QStringLiteral("runToolBar"))->widgetForAction(compare);
    QVERIFY(button);
    QTest::mouseClick(button, Qt::LeftButton);
}

// Runs every candidate to `until` and waits until each has shown it.
void runTo(MainWindow &window, Duration until)
{
    window.stepRun(until);
    CompareView *compare = window.compareView();
    for (int i = 0; i < compare->candidateCount(); ++i)
        QTRY_VERIFY_WITH_TIMEOUT(compare->history(i).now() == until, Timeout);
}

std::vector<std::int64_t> offeredPerSecond(const TelemetryHistory &history)
{
    std::vector<std::int64_t> offered;
    for (qsizetype i = 0; i < history.buckets().size(); ++i)
        offered.push_back(history.buckets().at(i)->operations.at(0).offered);
    return offered;
}

// Each breaker's state where its timeline lane ends (the last bucket), and in the Breakers dock.
std::vector<CircuitState> laneEnds(const TelemetryHistory &history)
{
    std::vector<CircuitState> states;
    for (const BreakerPoint &p : history.buckets().last()->breakers)
        states.push_back(p.state);
    return states;
}

std::vector<CircuitState> dockStates(const MainWindow &window)
{
    std::vector<CircuitState> states;
    for (int row = 0; row < window.breakerModel()->rowCount(); ++row)
        states.push_back(window.breakerModel()->state(row));
    return states;
}

int commandsOf(const SimulationController *controller)
{
    return int(controller->appliedCommands().size());
}

} // namespace

class TestCompareMode : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { QStandardPaths::setTestModeEnabled(true); }

    // Two candidates by default, two more from the Add menu's presets; a fifth is refused. All
    // run on the single run's seed: the same calls arrive at every candidate, second by second.
    void candidatesRunOnTheSameSeed()
    {
        MainWindow window(options());
        window.show();
        clickCompare(window);
        QVERIFY(window.isCompareMode());
        CompareView *compare = window.compareView();
        QVERIFY(compare->isVisible());
        QVERIFY(!window.dashboard()->isVisible());
        QCOMPARE(compare->candidateCount(), 2);
        QCOMPARE(compare->candidate(0).name, QStringLiteral("current"));
        QCOMPARE(compare->candidate(1).name, QStringLiteral("api"));
        QVERIFY(compare->addCandidate(QStringLiteral("critical"), ResiliencePolicies::critical(), QStringLiteral("preset")));
        QVERIFY(compare->addCandidate(QStringLiteral("database"), ResiliencePolicies::database(), QStringLiteral("preset")));
        QVERIFY(!compare->addCandidate(QStringLiteral("fifth"), ResiliencePolicies::ai(), QStringLiteral("preset")));
        QVERIFY(!compare->findChild<QWidget *>(QStringLiteral("compareAdd"))->isEnabled());
        QCOMPARE(compare->candidateCount(), 4);

        runTo(window, fromMs(30'000));
        const std::vector<std::int64_t> first = offeredPerSecond(compare->history(0));
        QCOMPARE(first.size(), std::size_t(30));
        for (int i = 0; i < compare->candidateCount(); ++i) {
            QCOMPARE(compare->controller(i)->seed(), Seed);
            QCOMPARE(offeredPerSecond(compare->history(i)), first);
        }
        // The policies differ where it shows: critical (no retries) sends fewer requests than api.
        QVERIFY(compare->history(2).buckets().last()->services.at(0).received
            < compare->history(1).buckets().last()->services.at(0).received);
        QCOMPARE(window.runState(), RunProgress::State::Paused);
    }

    // Every chart: one line per candidate, named after it, in its colour, the same in every
    // chart, in the key under the chart and in the breaker timeline's lanes.
    void everyChartHasOneSeriesPerCandidate()
    {
        MainWindow window(options());
        window.show();
        clickCompare(window);
        CompareView *compare = window.compareView();
        QVERIFY(compare->addCandidate(QStringLiteral("critical"), ResiliencePolicies::critical(), QStringLiteral("preset")));
        runTo(window, fromMs(40'000));
        window.refreshNow();
        compare->refresh();

        QSet<QRgb> colours;
        for (int i = 0; i < compare->candidateCount(); ++i)
            colours.insert(compare->color(i).rgb());
        QCOMPARE(colours.size(), compare->candidateCount());
        QCOMPARE(compare->charts()->charts().size(), 6);
        for (QChart *chart : compare->charts()->charts()) {
            QVERIFY(!chart->title().isEmpty());
            QCOMPARE(chart->series().size(), compare->candidateCount());
            const QString key = compare->charts()->legend(chart->title())->text();
            for (int i = 0; i < compare->candidateCount(); ++i) {
                const QString name = compare->candidate(i).name;
                QXYSeries *series = compare->charts()->series(chart->title(), name);
                QVERIFY2(series, qPrintable(chart->title() + u'/' + name));
                QCOMPARE(series->pen().color(), compare->color(i));
                QVERIFY2(series->count() > 0, qPrintable(chart->title() + u'/' + name));
                QVERIFY2(series->points().last().x() >= 38, qPrintable(chart->title()));
                QVERIFY(key.contains(compare->color(i).name()) && key.contains(name));
            }
            for (QAbstractAxis *axis : chart->axes())
                QVERIFY2(!axis->titleText().isEmpty(), qPrintable(chart->title()));
        }
        // Every control of the mode says what it does.
        QVERIFY(!window.findChild<QAction *>(QStringLiteral("compare"))->toolTip().isEmpty());
        for (QWidget *w : compare->findChildren<QWidget *>())
            if (w->isVisibleTo(compare)
                && (qobject_cast<QAbstractButton *>(w) || qobject_cast<QComboBox *>(w) || qobject_cast<QTableWidget *>(w)))
                QVERIFY2(!w->toolTip().isEmpty(), w->metaObject()->className());
        // "current" (eager retries) and api have a breaker each, critical none: a lane that says so.
        QCOMPARE(compare->charts()->timeline()->laneCount(), 3);
        const QImage lanes = compare->charts()->timeline()->grab().toImage();
        for (int i = 0; i < compare->candidateCount(); ++i) {
            bool found = false;
            for (int y = 0; y < lanes.height() && !found; ++y)
                for (int x = 0; x < 20 && !found; ++x)
                    found = lanes.pixelColor(x, y) == compare->color(i);
            QVERIFY2(found, qPrintable(compare->candidate(i).name));
        }
    }

    // The table and the verdict are compare's: the same lab functions, run here on the same
    // scenario, seed and candidates, give every cell, every best mark and the verdict line.
    void verdictTableMatchesCompare()
    {
        MainWindow window(options());
        window.show();
        clickCompare(window);
        CompareView *compare = window.compareView();
        QVERIFY(compare->addCandidate(QStringLiteral("critical"), ResiliencePolicies::critical(), QStringLiteral("preset")));
        QTRY_VERIFY_WITH_TIMEOUT(compare->comparison().has_value(), Timeout);

        LoadError error;
        const std::optional<ScenarioConfig> scenario = loadScenario(Scenario, &error);
        QVERIFY(scenario);
        Comparison expected;
        expected.scenario = scenario->name;
        expected.seeds = { Seed };
        for (int i = 0; i < compare->candidateCount(); ++i) {
            expected.candidates.append(compare->candidate(i));
            expected.runs.push_back({ runCandidate(*scenario, compare->candidate(i), Seed) });
        }
        const QList<ComparisonRow> rows = comparisonRows(expected);
        QTableWidget *table = compare->verdictTable();
        QCOMPARE(table->rowCount(), rows.size());
        QCOMPARE(table->columnCount(), 2 + compare->candidateCount());
        QVERIFY(rows.size() > 10);
        for (int r = 0; r < rows.size(); ++r) {
            QCOMPARE(table->item(r, 1)->text(), rows[r].scope);
            for (int i = 0; i < compare->candidateCount(); ++i) {
                QCOMPARE(table->item(r, 2 + i)->text(), rows[r].values[i]);
                QCOMPARE(table->item(r, 2 + i)->font().bold(), rows[r].best.contains(i));
            }
        }
        QCOMPARE(table->horizontalHeaderItem(2)->text(), QStringLiteral("current"));
        QCOMPARE(compare->verdictText(), comparisonVerdict(expected));
        QVERIFY(compare->findChild<QLabel *>(QStringLiteral("compareVerdict"))->text().contains(
            comparisonVerdict(expected).toHtmlEscaped()));
        // And the figures are compare's own: success rate row by the metrics themselves.
        for (const ComparisonRow &row : rows)
            if (row.key == u"successRate")
                QCOMPARE(row.values[0],
                    QString::number(expected.runs[0][0].total.successRate * 100, 'f', 2) + QStringLiteral(" %"));
    }

    // The selector picks the candidate the docks act on: a fault and a policy edit reach it alone,
    // and the table measures its edited policy.
    void liveEditReachesOnlyTheSelectedCandidate()
    {
        MainWindow window(options());
        window.show();
        clickCompare(window);
        CompareView *compare = window.compareView();
        QVERIFY(compare->addCandidate(QStringLiteral("critical"), ResiliencePolicies::critical(), QStringLiteral("preset")));
        runTo(window, fromMs(5000));
        auto *selector = compare->findChild<QComboBox *>(QStringLiteral("compareSelector"));
        QVERIFY(selector && !selector->toolTip().isEmpty());
        selector->setCurrentIndex(1); // api
        QCOMPARE(compare->selected(), 1);

        const int singleBefore = commandsOf(&window.controller());
        const PolicyConfig currentBefore = compare->candidate(0).policy;
        QTest::mouseClick(window.faultPanel()->findChild<QPushButton *>(QStringLiteral("outageNow")), Qt::LeftButton);
        QTRY_COMPARE_WITH_TIMEOUT(commandsOf(compare->controller(1)), 1, Timeout);

        PolicyConfig edited = ResiliencePolicies::api();
        edited.retry->maxAttempts = 7;
        window.policyEditor()->applyPolicy(QStringLiteral("checkout"), edited);
        window.policyEditor()->flush();
        QTRY_COMPARE_WITH_TIMEOUT(commandsOf(compare->controller(1)), 2, Timeout);
        QVERIFY(std::holds_alternative<ControlCommands::UpdatePolicy>(compare->controller(1)->appliedCommands().last().command.command));
        QCOMPARE(compare->candidate(1).policy.retry->maxAttempts, 7);
        QVERIFY(sameSettings(compare->candidate(0).policy, currentBefore));
        for (int i : { 0, 2 })
            QCOMPARE(commandsOf(compare->controller(i)), 0);
        QCOMPARE(commandsOf(&window.controller()), singleBefore);
        // The table measures api with 7 attempts now.
        QTRY_VERIFY_WITH_TIMEOUT(compare->comparison().has_value(), Timeout);
        QCOMPARE(compare->comparison()->candidates[1].policy.retry->maxAttempts, 7);

        // Back to the first candidate: the Policy dock shows its policy, not api's edit.
        selector->setCurrentIndex(0);
        QVERIFY(sameSettings(window.policyEditor()->policy(QStringLiteral("checkout")), currentBefore));
        selector->setCurrentIndex(1);
        QCOMPARE(window.policyEditor()->policy(QStringLiteral("checkout")).retry->maxAttempts, 7);
    }

    // A run stepped, then run to its end: the Breakers dock shows each breaker as its lane ends,
    // in the single run and in each candidate when it is selected; the Health dock and status bar
    // name the candidate whose health they show.
    void docksShowEachRunAsItsLaneEnds()
    {
        MainWindow window(options());
        window.show();
        window.stepRun(fromMs(1000));
        QTRY_VERIFY_WITH_TIMEOUT(window.history().now() == fromMs(1000), Timeout);
        window.startRun();
        QTRY_COMPARE_WITH_TIMEOUT(window.history().state(), RunProgress::State::Finished, Timeout);
        QTRY_COMPARE_WITH_TIMEOUT(dockStates(window), laneEnds(window.history()), Timeout);
        QCOMPARE(window.healthText() == QStringLiteral("Healthy"), window.history().health().healthy);

        clickCompare(window);
        CompareView *compare = window.compareView();
        QVERIFY(compare->addCandidate(QStringLiteral("critical"), ResiliencePolicies::critical(), QStringLiteral("preset")));
        runTo(window, fromMs(1000));
        window.startRun();
        QTRY_COMPARE_WITH_TIMEOUT(compare->state(), RunProgress::State::Finished, Timeout);
        int breakers = 0;
        for (int i = 0; i < compare->candidateCount(); ++i) {
            compare->select(i);
            const std::vector<CircuitState> ends = laneEnds(compare->history(i));
            breakers += int(ends.size());
            QTRY_COMPARE_WITH_TIMEOUT(dockStates(window), ends, Timeout);
            QTRY_VERIFY_WITH_TIMEOUT(window.healthText().startsWith(compare->candidate(i).name + QStringLiteral(": ")), Timeout);
            QCOMPARE(window.healthText().endsWith(QStringLiteral(": Healthy")), compare->history(i).health().healthy);
        }
        QVERIFY(breakers > 0);
    }

    // Leaving: the dashboard, the single run where it was (paused at 10 s, same generation), and
    // the docks acting on it again.
    void leavingRestoresTheSingleRun()
    {
        MainWindow window(options());
        window.show();
        window.stepRun(fromMs(10'000));
        QTRY_VERIFY_WITH_TIMEOUT(window.history().now() == fromMs(10'000), Timeout);
        const std::uint64_t generation = window.history().generation();
        const qsizetype buckets = window.history().buckets().size();

        clickCompare(window);
        QVERIFY(window.isCompareMode());
        runTo(window, fromMs(20'000));
        CompareView *compare = window.compareView();
        clickCompare(window);
        QVERIFY(!window.isCompareMode());
        QVERIFY(window.dashboard()->isVisible());
        QVERIFY(!compare->isVisible());
        QCOMPARE(window.controller().state(), RunProgress::State::Paused);
        QCOMPARE(window.runState(), RunProgress::State::Paused);
        QCOMPARE(window.history().now(), fromMs(10'000));
        QCOMPARE(window.history().generation(), generation);
        QCOMPARE(window.history().buckets().size(), buckets);
        QVERIFY(window.findChild<QAction *>(QStringLiteral("start"))->isEnabled());

        const int candidateCommands = commandsOf(compare->controller(0));
        QTest::mouseClick(window.faultPanel()->findChild<QPushButton *>(QStringLiteral("outageNow")), Qt::LeftButton);
        QTRY_COMPARE_WITH_TIMEOUT(commandsOf(&window.controller()), 1, Timeout);
        QCOMPARE(commandsOf(compare->controller(0)), candidateCommands);
        window.stepRun(fromMs(1000));
        QTRY_VERIFY_WITH_TIMEOUT(window.history().now() == fromMs(11'000), Timeout);
    }

    // `breakwater --candidate … --screenshot` opens in Compare mode and grabs it once measured.
    void commandLineOpensCompareMode()
    {
        QTemporaryDir dir;
        const QString shot = dir.filePath(QStringLiteral("compare.png"));
        QProcess process;
        process.start(qEnvironmentVariable("BREAKWATER_BINARY"),
            { QStringLiteral("--scenario"), Scenario, QStringLiteral("--candidate"), QStringLiteral("a=api"),
                QStringLiteral("--candidate"), QStringLiteral("b={\"retry\": {\"maxAttempts\": 1}}"),
                QStringLiteral("--run-for"), QStringLiteral("20s"), QStringLiteral("--screenshot"), shot });
        QVERIFY(process.waitForFinished(Timeout));
        QCOMPARE(process.exitCode(), 0);
        QVERIFY2(!process.readAllStandardError().contains("breakwater:"), "no message on success");
        QImage image(shot);
        QVERIFY(!image.isNull());
        QCOMPARE(image.size(), QSize(1600, 1000));

        process.start(qEnvironmentVariable("BREAKWATER_BINARY"),
            { QStringLiteral("--scenario"), Scenario, QStringLiteral("--candidate"), QStringLiteral("a=apii") });
        QVERIFY(process.waitForFinished(Timeout));
        QCOMPARE(process.exitCode(), 2);
        QVERIFY(process.readAllStandardError().contains("--candidate a: apii"));
    }
};

QTEST_MAIN(TestCompareMode)
#include "tst_comparemode.moc"
