// The desktop window on the offscreen platform, driving the real widgets: a run at max speed
// feeds the charts and the event log; Force open turns a breaker's badge red; Reset all closes
// it again; every model passes QAbstractItemModelTester; the command line writes a screenshot.
#include "mainwindow.h"
#include "ringbuffer.h"

#include <QAbstractItemModelTester>
#include <QAction>
#include <QChart>
#include <QImage>
#include <QLabel>
#include <QLegend>
#include <QProcess>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QSortFilterProxyModel>
#include <QStandardPaths>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>
#include <QToolButton>
#include <QXYSeries>

using namespace bw;

namespace {

const QString Scenario = QStringLiteral("outage-and-recovery");
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

qsizetype pointsIn(QXYSeries *series)
{
    return series ? series->count() : -1;
}

// Whether the first lane of the state timeline shows `colour` somewhere, as painted. The lane is
// the band under the title row (whose legend has every state's colour too).
bool laneHasColour(MainWindow &window, const QColor &colour)
{
    const QImage image = window.dashboard()->timeline()->grab().toImage();
    for (int y = 24; y < 42 && y < image.height(); ++y)
        for (int x = 0; x < image.width(); ++x)
            if (image.pixelColor(x, y) == colour)
                return true;
    return false;
}

} // namespace

class TestMainWindow : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { QStandardPaths::setTestModeEnabled(true); }

    void ringBufferDropsTheOldest()
    {
        RingBuffer<int> ring(3);
        for (int i = 1; i <= 5; ++i)
            ring.push(i);
        QCOMPARE(ring.size(), 3);
        QCOMPARE(ring.at(0), 3);
        QCOMPARE(ring.last(), 5);
        ring.clear();
        QVERIFY(ring.isEmpty());
    }

    // A newcomer's first window: no --speed, no last session. The run unfolds at 10×, where the
    // outage, the trip and the recovery can be watched, and the speed box still offers max.
    void firstOpenWatchesTheRunUnfold()
    {
        MainWindow::Options o = options(false);
        o.speed.reset();
        MainWindow window(o);
        QCOMPARE(window.speed(), 10.0);
        QVERIFY(MainWindow::speeds().contains(0));
    }

    void maxSpeedFeedsChartsAndLog()
    {
        MainWindow window(options(false));
        window.show();
        // Testers first: every change the run makes goes through them.
        QAbstractItemModelTester breakers(
            window.breakerModel(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        QAbstractItemModelTester log(
            window.eventLogModel(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        QAbstractItemModelTester proxy(
            window.eventLogProxy(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        QSignalSpy finished(&window.controller(), &SimulationController::finished);
        window.controller().start();
        QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 1, Timeout);
        QTRY_COMPARE_WITH_TIMEOUT(window.history().state(), RunProgress::State::Finished, Timeout);
        window.refreshNow();

        QVERIFY(window.history().buckets().size() > 30);
        QVERIFY(pointsIn(window.dashboard()->series(
                    QStringLiteral("Calls per second by outcome"), QStringLiteral("success")))
            > 30);
        QVERIFY(
            pointsIn(window.dashboard()->series(QStringLiteral("Latency percentiles"), QStringLiteral("p99")))
            > 0);
        QVERIFY(pointsIn(window.dashboard()->series(
                    QStringLiteral("Backend load and capacity"), QStringLiteral("capacity")))
            > 30);
        for (QChart *chart : window.dashboard()->charts()) {
            QVERIFY(!chart->title().isEmpty());
            QVERIFY(window.dashboard()->legend(chart->title())->isVisible());
        }
        QVERIFY(window.breakerModel()->rowCount() > 0);
        // The outage opens a breaker and the fault starts and ends: both are in the log.
        bool stateChange = false, fault = false;
        for (const EventLogModel::Entry &e : window.eventLogModel()->entries()) {
            stateChange |= e.kind == EventLogModel::Kind::StateChange;
            fault |= e.kind == EventLogModel::Kind::Fault;
        }
        QVERIFY(stateChange);
        QVERIFY(fault);

        // Hovering a chart shows every series there: all eight bands in the stacked chart, the
        // three percentiles with their unit.
        const QString outcomes = window.dashboard()->hoverText(QStringLiteral("Calls per second by outcome"), 40);
        QVERIFY2(outcomes.startsWith(QStringLiteral("t = 40 s")), qPrintable(outcomes));
        for (Outcome o : AllOutcomes)
            QVERIFY2(outcomes.contains(QString(outcomeName(o)) + QStringLiteral(": ")), qPrintable(outcomes));
        const QString latency = window.dashboard()->hoverText(QStringLiteral("Latency percentiles"), 40);
        for (const char *p : { "p50: ", "p95: ", "p99: " })
            QVERIFY2(latency.contains(QString::fromLatin1(p)), qPrintable(latency));
        QVERIFY2(latency.contains(QStringLiteral("latency (ms)")), qPrintable(latency));
        QVERIFY(window.dashboard()->hoverText(QStringLiteral("No such chart"), 40).isEmpty());

        // The text filter narrows the log.
        const int all = window.eventLogProxy()->rowCount();
        window.eventLogProxy()->setFilterFixedString(QStringLiteral("HALF_OPEN"));
        QVERIFY(window.eventLogProxy()->rowCount() < all);
        window.eventLogProxy()->setFilterFixedString(QString());
        QCOMPARE(window.eventLogProxy()->rowCount(), all);
    }

    void forceOpenThenResetAll()
    {
        MainWindow window(options(false));
        window.show();
        QAbstractItemModelTester breakers(
            window.breakerModel(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        window.controller().step(fromMs(5000));
        QTRY_VERIFY_WITH_TIMEOUT(window.history().now() == fromMs(5000), Timeout);
        QTRY_VERIFY_WITH_TIMEOUT(window.breakerModel()->rowCount() > 0, Timeout);
        BreakerModel *model = window.breakerModel();
        const QString name = model->breakerName(0);
        QCOMPARE(model->state(0), CircuitState::Closed);

        auto *forceOpen = window.findChild<QToolButton *>(QStringLiteral("forceOpen:") + name);
        QVERIFY(forceOpen);
        QTest::mouseClick(forceOpen, Qt::LeftButton);
        QTRY_COMPARE_WITH_TIMEOUT(model->state(0), CircuitState::Open, Timeout);
        const QColor badge = model->data(model->index(0, BreakerModel::StateColumn), Qt::BackgroundRole)
                                 .value<QBrush>()
                                 .color();
        QCOMPARE(badge, BreakerModel::badgeColor(CircuitState::Open));
        QVERIFY(badge.red() > 200 && badge.green() < 80);
        QCOMPARE(model->data(model->index(0, BreakerModel::StateColumn)).toString(), QStringLiteral("OPEN"));
        // Its lane on the timeline turns red once the run has moved on.
        window.controller().step(fromMs(2000));
        QTRY_VERIFY_WITH_TIMEOUT(window.history().now() == fromMs(7000), Timeout);
        window.refreshNow();
        QVERIFY(laneHasColour(window, BreakerModel::badgeColor(CircuitState::Open)));

        auto *resetAll = window.findChild<QPushButton *>(QStringLiteral("resetAll"));
        QVERIFY(resetAll);
        QTest::mouseClick(resetAll, Qt::LeftButton);
        QTRY_COMPARE_WITH_TIMEOUT(model->state(0), CircuitState::Closed, Timeout);
        // Both control actions reached the log.
        QTRY_VERIFY_WITH_TIMEOUT(
            std::count_if(window.eventLogModel()->entries().cbegin(),
                window.eventLogModel()->entries().cend(),
                [](const EventLogModel::Entry &e) { return e.kind == EventLogModel::Kind::Control; })
                >= 2,
            Timeout);

        // Restart: a new generation from zero, the log starts over without the control actions.
        auto *restart = window.findChild<QAction *>(QStringLiteral("restart"));
        QVERIFY(restart);
        restart->trigger();
        QTRY_COMPARE_WITH_TIMEOUT(window.history().generation(), std::uint64_t(2), Timeout);
        QTRY_COMPARE_WITH_TIMEOUT(window.history().now(), TimePoint {}, Timeout);
        window.refreshNow();
        QVERIFY(
            std::none_of(window.eventLogModel()->entries().cbegin(), window.eventLogModel()->entries().cend(),
                [](const EventLogModel::Entry &e) { return e.kind == EventLogModel::Kind::Control; }));
    }

    // Hold open: FORCED_OPEN, dark red, and still open long after the reset timeout (5 s).
    void holdOpenSurvivesTheResetTimeout()
    {
        MainWindow window(options(false));
        window.show();
        window.controller().step(fromMs(5000));
        QTRY_VERIFY_WITH_TIMEOUT(window.history().now() == fromMs(5000), Timeout);
        QTRY_VERIFY_WITH_TIMEOUT(window.breakerModel()->rowCount() > 0, Timeout);
        BreakerModel *model = window.breakerModel();
        auto *hold = window.findChild<QToolButton *>(QStringLiteral("holdOpen:") + model->breakerName(0));
        QVERIFY(hold);
        QVERIFY(!hold->toolTip().isEmpty());
        QTest::mouseClick(hold, Qt::LeftButton);
        QTRY_COMPARE_WITH_TIMEOUT(model->state(0), CircuitState::ForcedOpen, Timeout);
        window.controller().step(fromMs(20'000));
        QTRY_VERIFY_WITH_TIMEOUT(window.history().now() == fromMs(25'000), Timeout);
        window.refreshNow();
        QCOMPARE(model->state(0), CircuitState::ForcedOpen);
        QCOMPARE(model->data(model->index(0, BreakerModel::StateColumn), Qt::BackgroundRole).value<QBrush>().color(),
            BreakerModel::badgeColor(CircuitState::ForcedOpen));
        QVERIFY(laneHasColour(window, BreakerModel::badgeColor(CircuitState::ForcedOpen)));
        // Nothing but forced-open in 20 s: no half-open trial was let through.
        for (const EventLogModel::Entry &e : window.eventLogModel()->entries())
            QVERIFY2(!(e.kind == EventLogModel::Kind::StateChange && e.atMs > 5000), qPrintable(e.detail));
    }

    void operationFilterNarrowsTheCharts()
    {
        MainWindow::Options o = options(false);
        o.scenario = QStringLiteral("bulkhead-isolation");
        MainWindow window(o);
        window.show();
        window.controller().step(fromMs(40000));
        QTRY_VERIFY_WITH_TIMEOUT(window.history().now() == fromMs(40000), Timeout);
        window.refreshNow();
        const QStringList ops = window.history().layout().operations;
        QVERIFY(ops.size() >= 2);
        auto total = [&] {
            QXYSeries *s = window.dashboard()->series(QStringLiteral("Calls per second by outcome"),
                QString(outcomeName(Outcome::Cancelled))); // the top of the stack: every outcome
            double sum = 0;
            for (const QPointF &p : s->points())
                sum += p.y();
            return sum;
        };
        const double all = total();
        window.dashboard()->selectOperation(ops.first());
        QCOMPARE(window.dashboard()->selectedOperation(), ops.first());
        const double one = total();
        QVERIFY(one > 0);
        QVERIFY(one < all);
    }

    // At the default window size each chart's plot takes most of it, and each key shows every
    // series' full name: the outcome chart's eight names used to take half its width, the
    // others' were elided ("rece…", "serv…", "goo…").
    void chartsDominateTheirKeys()
    {
        MainWindow window(options(false));
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        QCOMPARE(window.size(), QSize(1600, 1000));
        for (QChart *chart : window.dashboard()->charts()) {
            const QWidget *view = window.dashboard()->findChild<QWidget *>(chart->title());
            QVERIFY(view);
            QTRY_VERIFY2(chart->plotArea().width() > 0.6 * view->width(), qPrintable(chart->title()));
            QLabel *key = window.dashboard()->legend(chart->title());
            QVERIFY(key);
            // Wrapped, never cut: the key is as tall as its text needs at its width.
            QVERIFY2(key->height() >= key->heightForWidth(key->width()), qPrintable(chart->title()));
            QVERIFY(view->height() > 3 * key->height());
            for (QAbstractSeries *series : chart->series())
                QVERIFY2(key->text().contains(QString(series->name()).replace(u' ', QStringLiteral("&nbsp;"))),
                    qPrintable(series->name()));
        }
    }

    void settingsPersist()
    {
        MainWindow::Options o = options(false);
        o.speed.reset();
        o.scenario.clear();
        o.restoreSettings = true;
        {
            MainWindow window(o);
            QVERIFY(window.loadScenario(QStringLiteral("latency-spike"), std::nullopt, false));
            window.setSpeed(10);
            window.close(); // saves
        }
        MainWindow again(o);
        QCOMPARE(again.speed(), 10.0);
        QCOMPARE(again.controller().scenario().name, QStringLiteral("latency-spike"));
    }

    void screenshotFromTheCommandLine()
    {
        const QString binary = qEnvironmentVariable("BREAKWATER_BINARY");
        if (binary.isEmpty())
            QSKIP("BREAKWATER_BINARY is not set (run through ctest)");
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString shot = dir.filePath(QStringLiteral("shot.png"));
        QProcess process;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("offscreen"));
        env.insert(QStringLiteral("XDG_CONFIG_HOME"), dir.path()); // no settings from a real session
        process.setProcessEnvironment(env);
        process.start(binary,
            { QStringLiteral("--scenario"), Scenario, QStringLiteral("--speed"), QStringLiteral("max"),
                QStringLiteral("--run-for"), QStringLiteral("20s"), QStringLiteral("--screenshot"), shot });
        QVERIFY(process.waitForFinished(Timeout));
        QCOMPARE(process.exitStatus(), QProcess::NormalExit);
        QVERIFY2(process.exitCode() == 0, process.readAllStandardError().constData());
        const QImage image(shot);
        QVERIFY(!image.isNull());
        QVERIFY(image.width() > 800 && image.height() > 600);
    }
};

QTEST_MAIN(TestMainWindow)
#include "tst_mainwindow.moc"
