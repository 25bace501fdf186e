// The window's Fleet mode against a Prometheus API on 127.0.0.1 (tests/common/fakeprometheus.h),
// through engine/fleet's real PrometheusSource on its worker thread: the lanes grouped by service,
// the filters through their controls, history ranges, a source that answers garbage, none at all
// or never, and leaving Fleet mode, which brings the run back.
#include "eventloopgap.h"
#include "fakeprometheus.h"

#include "comparecharts.h"
#include "compareview.h"
#include "scenario/scenarioloader.h"
#include "sweepdialog.h"
#include "fleetview.h"
#include "mainwindow.h"
#include "policyeditor.h"

#include <QAction>
#include <QChart>
#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QDockWidget>
#include <QFileInfo>
#include <QDir>
#include <QPushButton>
#include <QLabel>
#include <QLineEdit>
#include <QLineSeries>
#include <QSignalSpy>
#include <QStackedWidget>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <QToolBar>
#include <QValueAxis>

using namespace bw;
using bw::test::EventLoopGap;
using bw::test::FakePrometheus;

namespace {

constexpr int Timeout = 20000;

MainWindow::Options options(const QString &prometheus)
{
    MainWindow::Options o;
    o.speed = 0;
    o.start = false;
    o.restoreSettings = false;
    o.fleet.prometheus = prometheus;
    o.fleet.refreshSeconds = 1;
    return o;
}

// payments: charge on three replicas, b OPEN (CLOSED in the first half of a history range), and
// refund; search: query.
void addBreakers(FakePrometheus &server)
{
    const auto b = [](const char *job, const char *instance, const char *name, const char *state) {
        FakePrometheus::Breaker breaker;
        breaker.job = QString::fromLatin1(job);
        breaker.instance = QString::fromLatin1(instance);
        breaker.name = QString::fromLatin1(name);
        breaker.state = QString::fromLatin1(state);
        return breaker;
    };
    server.breakers = { b("payments", "a:8080", "charge", "closed"), b("payments", "b:8080", "charge", "open"),
        b("payments", "c:8080", "charge", "closed"), b("payments", "a:8080", "refund", "closed"),
        b("search", "s:9000", "query", "closed") };
    server.breakers[1].earlierState = QStringLiteral("closed");
    server.breakers[1].failureRate = 80;
    server.breakers[1].failedPerSecond = 8;
    server.breakers[1].successfulPerSecond = 2;
}

QStringList labels(const FleetView *view)
{
    QStringList out;
    for (const FleetLane &l : view->lanes()->lanes())
        out.append((l.kind == FleetLane::Kind::Service ? QStringLiteral("# ") : QString()) + l.label + QStringLiteral(" | ") + l.summary);
    return out;
}

const QStringList AllTogether { QStringLiteral("# payments | 4 breakers, 1 not CLOSED"), QStringLiteral("charge | 1 of 3 replicas OPEN"),
    QStringLiteral("refund · a:8080 | CLOSED"), QStringLiteral("# search | 1 breaker, 0 not CLOSED"),
    QStringLiteral("query · s:9000 | CLOSED") };

// The point of the lane `row` a click on its label lands on.
QPoint laneLabel(const FleetLanes *lanes, int row)
{
    for (int y = 0; y < lanes->height(); ++y)
        if (lanes->laneAt(QPoint(20, y)) == row)
            return QPoint(20, y + FleetLanes::LaneHeight / 2);
    return {};
}

} // namespace

class tst_FleetMode : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { QStandardPaths::setTestModeEnabled(true); }

    void lanesFollowTheSource()
    {
        FakePrometheus server;
        addBreakers(server);
        MainWindow window(options(server.url()));
        window.show();
        QVERIFY(window.isFleetMode());
        FleetView *fleet = window.fleetView();
        QTRY_COMPARE_WITH_TIMEOUT(labels(fleet), AllTogether, Timeout);
        QVERIFY(fleet->sourceStatusText().contains(server.url() + QStringLiteral(": 5 breakers")));
        QVERIFY2(window.healthText().startsWith(
                     QStringLiteral("Fleet degraded: 1 of 5 breakers not CLOSED: payments/charge@b:8080 OPEN")),
            qPrintable(window.healthText()));
        QVERIFY(window.findChild<QLabel *>(QStringLiteral("healthPanel"))->text().contains(QStringLiteral("5 total, 4 CLOSED, 1 not CLOSED")));
        // The charts sum every breaker shown: 5 × 10 calls/s, 8 of them failed.
        QTRY_VERIFY_WITH_TIMEOUT(fleet->series(QStringLiteral("Calls per second by outcome"), QStringLiteral("rejected by the breaker"))->count() > 0, Timeout);
        const QXYSeries *top = fleet->series(QStringLiteral("Calls per second by outcome"), QStringLiteral("rejected by the breaker"));
        QCOMPARE(top->points().last().y(), 50.0);
        QCOMPARE(fleet->chartSubject(), QStringLiteral("Charts: every breaker shown (5)"));

        // The source changes: the next refresh shows it.
        server.breakers[0].state = QStringLiteral("half_open");
        QTRY_COMPARE_WITH_TIMEOUT(labels(fleet).value(1), QStringLiteral("charge | 1 of 3 replicas OPEN"), Timeout);
        QTRY_VERIFY_WITH_TIMEOUT(labels(fleet).value(0) == QStringLiteral("# payments | 4 breakers, 2 not CLOSED"), Timeout);
        // Every refresh asks a fixed number of queries, whatever the fleet's size.
        QVERIFY(server.requests() > 0);
    }

    void filtersThroughTheControls()
    {
        FakePrometheus server;
        addBreakers(server);
        MainWindow window(options(server.url()));
        window.show();
        FleetView *fleet = window.fleetView();
        QTRY_COMPARE_WITH_TIMEOUT(labels(fleet), AllTogether, Timeout);

        auto *service = fleet->findChild<QComboBox *>(QStringLiteral("fleetService"));
        QCOMPARE(service->count(), 3); // all, payments, search
        service->setCurrentIndex(service->findData(QStringLiteral("search")));
        fleet->refresh();
        QCOMPARE(labels(fleet), (QStringList { QStringLiteral("# search | 1 breaker, 0 not CLOSED"), QStringLiteral("query · s:9000 | CLOSED") }));
        service->setCurrentIndex(0);

        auto *notClosed = fleet->findChild<QCheckBox *>(QStringLiteral("fleetNotClosed"));
        QTest::mouseClick(notClosed, Qt::LeftButton, {}, QPoint(5, notClosed->height() / 2));
        QVERIFY(fleet->filter().notClosedOnly);
        fleet->refresh();
        QCOMPARE(labels(fleet), (QStringList { QStringLiteral("# payments | 1 breaker, 1 not CLOSED"), QStringLiteral("charge · b:8080 | OPEN") }));
        notClosed->setChecked(false);

        auto *replicas = fleet->findChild<QComboBox *>(QStringLiteral("fleetReplicas"));
        replicas->setCurrentIndex(replicas->findData(false));
        fleet->refresh();
        QCOMPARE(labels(fleet).mid(1, 3),
            (QStringList { QStringLiteral("charge · a:8080 | CLOSED"), QStringLiteral("charge · b:8080 | OPEN"),
                QStringLiteral("charge · c:8080 | CLOSED") }));

        // A click on a service's name folds it; on a breaker's lane, charts it alone.
        FleetLanes *lanes = fleet->lanes();
        QTest::mouseClick(lanes, Qt::LeftButton, {}, laneLabel(lanes, 2)); // charge · b:8080
        fleet->refresh();
        QCOMPARE(fleet->selection().size(), std::size_t(1));
        QCOMPARE(fleet->chartSubject(), QStringLiteral("Charts: payments/charge@b:8080"));
        QVERIFY(fleet->findChild<QWidget *>(QStringLiteral("fleetTwin"))->isEnabled());
        QTest::mouseClick(lanes, Qt::LeftButton, {}, laneLabel(lanes, 0)); // payments
        fleet->refresh();
        QCOMPARE(labels(fleet), (QStringList { QStringLiteral("# payments | 4 breakers, 1 not CLOSED"),
                                    QStringLiteral("# search | 1 breaker, 0 not CLOSED"), QStringLiteral("query · s:9000 | CLOSED") }));
    }

    // The twin: the selected breaker's history as a trace scenario, opened in the lab's Compare
    // mode with its library's defaults ("known settings") against other thresholds, both
    // measured on that very history, and the Sweep dialog on the same scenario.
    void twinOpensInTheLab()
    {
        FakePrometheus server;
        addBreakers(server);
        MainWindow window(options(server.url()));
        window.show();
        FleetView *fleet = window.fleetView();
        QTRY_VERIFY_WITH_TIMEOUT(!fleet->isLoadingHistory(), Timeout); // the last 15 minutes, at 1 s
        QTRY_COMPARE_WITH_TIMEOUT(labels(fleet), AllTogether, Timeout);
        fleet->setReplicasTogether(false);
        fleet->refresh();
        QCOMPARE(labels(fleet).value(2), QStringLiteral("charge · b:8080 | OPEN"));
        QString error;
        QVERIFY(fleet->openTwin(&error).isEmpty()); // nothing selected
        QCOMPARE(error, QStringLiteral("select a breaker's lane first"));
        fleet->select(fleet->lanes()->lanes().at(2).key);
        fleet->refresh();
        auto *button = fleet->findChild<QPushButton *>(QStringLiteral("fleetTwin"));
        QVERIFY(button && button->isEnabled());
        QTest::mouseClick(button, Qt::LeftButton);

        // The window left Fleet mode for Compare mode, on the twin's scenario.
        QVERIFY(!window.isFleetMode());
        QVERIFY(window.isCompareMode());
        const ScenarioConfig &twin = window.controller().scenario();
        QCOMPARE(twin.name, QStringLiteral("twin of payments/charge@b:8080"));
        QCOMPARE(twin.operations.size(), 1);
        const OperationConfig &op = twin.operations.constFirst();
        QCOMPARE(op.arrival, ArrivalKind::Trace);
        QVERIFY(QFileInfo(op.trace->fileName).isAbsolute()); // in the app's data folder
        // 10 calls/s, 8 of them failures, at 1 s steps over the last 15 minutes' history.
        const std::size_t rows = op.trace->rows.size();
        QVERIFY2(rows > 1000, qPrintable(QString::number(rows)));
        const auto failed = std::count_if(op.trace->rows.begin(), op.trace->rows.end(), [](const TraceRow &r) { return !r.success; });
        QCOMPARE(double(failed) / double(rows), 0.8);
        // What was written loads as it was opened: `breakwater compare` takes the same file.
        LoadError loadError;
        const std::optional<ScenarioConfig> file = loadScenarioFile(QFileInfo(op.trace->fileName).dir().filePath(QStringLiteral("scenario.json")), &loadError);
        QVERIFY2(file, qPrintable(loadError.toString()));
        QCOMPARE(file->operations.constFirst().trace->rows.size(), rows);

        CompareView *compare = window.compareView();
        QCOMPARE(compare->candidateCount(), 2);
        QCOMPARE(compare->candidate(0).name, QStringLiteral("known settings"));
        QCOMPARE(compare->candidate(0).policy.circuitBreaker->failureRateThreshold, 0.5); // Resilience4j's default
        QCOMPARE(compare->candidate(1).name, QStringLiteral("other thresholds"));
        QCOMPARE(compare->candidate(1).policy.circuitBreaker->failureRateThreshold, 0.75);
        QCOMPARE(compare->selected(), 1); // the Policy dock edits the other thresholds

        // Other thresholds: 95 % would have stayed closed on this history (80 % failures), where
        // the known settings opened. The verdict table measures both on the trace.
        PolicyConfig lenient = compare->candidate(1).policy;
        lenient.circuitBreaker->failureRateThreshold = 0.95;
        compare->removeCandidate(1);
        compare->addCandidate(QStringLiteral("other thresholds"), lenient, QStringLiteral("test"));
        compare->select(1); // back on it, as openTwin left it
        QTRY_VERIFY_WITH_TIMEOUT(compare->comparison().has_value(), Timeout);
        const Comparison &c = *compare->comparison();
        QCOMPARE(c.candidates.size(), 2);
        const CandidateMetrics &known = c.runs[0].front(), &other = c.runs[1].front();
        QCOMPARE(known.total.offered, std::int64_t(rows));
        QCOMPARE(other.total.offered, std::int64_t(rows));
        QVERIFY(known.total.flaps >= 1);
        QVERIFY(known.total.timeOpen > Duration::zero());
        QCOMPARE(other.total.flaps, 0);
        QVERIFY2(compare->verdictText().contains(QStringLiteral("other thresholds")), qPrintable(compare->verdictText()));

        // The Sweep dialog takes the twin's scenario, its one operation the breaker's.
        SweepDialog *sweep = window.openSweepDialog();
        auto *operation = sweep->findChild<QComboBox *>(QStringLiteral("sweepOperation"));
        QVERIFY(operation);
        QCOMPARE(operation->currentText(), op.name);
        // The failure-rate threshold at 50 % and 95 % on the same history.
        auto *key = sweep->findChild<QComboBox *>(QStringLiteral("sweepKey1"));
        const int field = key->findData(QStringLiteral("circuitBreaker.failureRateThreshold"));
        QVERIFY(field >= 0);
        key->setCurrentIndex(field);
        Q_EMIT key->activated(field);
        auto *range = sweep->findChild<QLineEdit *>(QStringLiteral("sweepRange1"));
        range->selectAll();
        QTest::keyClicks(range, QStringLiteral("0.5,0.95"));
        QSignalSpy finished(sweep, &SweepDialog::sweepFinished);
        QTest::mouseClick(sweep->findChild<QPushButton *>(QStringLiteral("runSweep")), Qt::LeftButton);
        QVERIFY2(finished.wait(Timeout), qPrintable(sweep->findChild<QLabel *>(QStringLiteral("sweepStatus"))->text()));
        QVERIFY(finished.constFirst().constFirst().toBool());
        QCOMPARE(sweep->result().settings.size(), 2);
        QCOMPARE(sweep->result().best, 1); // 95 %: the breaker stays closed, 20 % succeed instead of under 1 %
        sweep->close();

        // For a look at it: BREAKWATER_TWIN_SCREENSHOT=twin.png.
        window.startRun(); // the twin opened running; the candidate swapped above starts them over
        QTRY_COMPARE_WITH_TIMEOUT(compare->state(), RunProgress::State::Finished, Timeout);
        // The docks show the selected candidate as its lane ends: the known settings' breaker
        // opened and stayed OPEN, the other thresholds' stayed CLOSED; the health says whose.
        QCOMPARE(compare->selected(), 1);
        compare->select(0);
        QCOMPARE(compare->history(0).buckets().last()->breakers.at(0).state, CircuitState::Open);
        QTRY_COMPARE_WITH_TIMEOUT(window.breakerModel()->state(0), CircuitState::Open, Timeout);
        QTRY_VERIFY_WITH_TIMEOUT(window.healthText().startsWith(QStringLiteral("known settings: Degraded")), Timeout);
        compare->select(1);
        QCOMPARE(window.policyEditor()->findChild<QDoubleSpinBox *>(QStringLiteral("failureRateThreshold"))->value(), 95.0);
        QTRY_COMPARE_WITH_TIMEOUT(window.breakerModel()->state(0), CircuitState::Closed, Timeout);
        QTRY_COMPARE_WITH_TIMEOUT(window.healthText(), QStringLiteral("other thresholds: Healthy"), Timeout);
        // The charts' time axes tick at round seconds: 0, 50 … 200 on the 239.95 s trace.
        for (QChart *chart : compare->charts()->charts()) {
            const auto *x = qobject_cast<QValueAxis *>(chart->axes(Qt::Horizontal).value(0));
            QVERIFY(x);
            QCOMPARE(x->max(), 239.95);
            QCOMPARE(x->tickType(), QValueAxis::TicksDynamic);
            QCOMPARE(x->tickAnchor(), 0.0);
            QCOMPARE(x->tickInterval(), 50.0);
        }
        if (const QString shot = qEnvironmentVariable("BREAKWATER_TWIN_SCREENSHOT"); !shot.isEmpty())
            QVERIFY(window.grab().save(shot));
    }

    void historyRange()
    {
        FakePrometheus server;
        addBreakers(server);
        MainWindow window(options(server.url()));
        window.show();
        FleetView *fleet = window.fleetView();
        QTRY_COMPARE_WITH_TIMEOUT(labels(fleet), AllTogether, Timeout);
        auto *range = fleet->findChild<QComboBox *>(QStringLiteral("fleetRange"));
        const int before = server.rangeRequests;
        range->setCurrentIndex(range->findData(int(FleetView::Range::LastHour)));
        Q_EMIT range->activated(range->currentIndex());
        QCOMPARE(fleet->range(), FleetView::Range::LastHour);
        QTRY_VERIFY_WITH_TIMEOUT(!fleet->isLoadingHistory(), Timeout);
        QVERIFY(server.rangeRequests > before);
        fleet->refresh();
        // An hour at 15 s steps; b:8080 CLOSED in the first half, OPEN in the second.
        QCOMPARE(fleet->store().stepMs(), 15000);
        const FleetLane &charge = fleet->lanes()->lanes().at(1);
        QCOMPARE(charge.label, QStringLiteral("charge"));
        QCOMPARE(charge.bands.size(), 2);
        QCOMPARE(charge.bands[0].counts[std::size_t(CircuitState::Closed)], 3);
        QCOMPARE(charge.bands[1].counts[std::size_t(CircuitState::Open)], 1);
        const auto [from, to] = fleet->window();
        QCOMPARE(to - from, 3600'000);
        QVERIFY(std::abs(charge.bands[1].fromMs - (from + to) / 2) <= 15000);
        // A past range stands still while the sources refresh.
        const FleetLane kept = charge;
        QTest::qWait(1500);
        fleet->refresh();
        QCOMPARE(fleet->lanes()->lanes().at(1).bands, kept.bands);
    }

    void sourceErrorsAreShown_data()
    {
        QTest::addColumn<int>("behaviour");
        QTest::addColumn<QString>("error");
        QTest::addRow("garbage") << int(FakePrometheus::Behaviour::Garbage) << QStringLiteral("not");
        QTest::addRow("nothing listening") << -1 << QStringLiteral("refused");
    }
    void sourceErrorsAreShown()
    {
        QFETCH(int, behaviour);
        QFETCH(QString, error);
        std::optional<FakePrometheus> server;
        QString url = QStringLiteral("http://127.0.0.1:1"); // nothing listens on port 1
        if (behaviour >= 0) {
            server.emplace(FakePrometheus::Behaviour(behaviour));
            url = server->url();
        }
        MainWindow window(options(url));
        window.show();
        FleetView *fleet = window.fleetView();
        QTRY_VERIFY_WITH_TIMEOUT(!fleet->store().sources().empty() && !fleet->store().sources()[0].error.isEmpty(), Timeout);
        fleet->refresh();
        QVERIFY2(fleet->sourceStatusText().contains(error, Qt::CaseInsensitive), qPrintable(fleet->sourceStatusText()));
        QVERIFY(fleet->sourceStatusText().contains(QStringLiteral("#c62828"))); // red
        QVERIFY(window.healthText().contains(QStringLiteral("source ") + url));
        QVERIFY(fleet->lanes()->lanes().isEmpty());
    }

    void slowSourceDoesNotBlockTheWindow()
    {
        FakePrometheus silent(FakePrometheus::Behaviour::Silent);
        MainWindow window(options(silent.url()));
        window.show();
        FleetView *fleet = window.fleetView();
        // The GUI thread keeps its pace while the source holds every request unanswered.
        const EventLoopGap gap;
        QTRY_VERIFY_WITH_TIMEOUT(silent.requests() > 0, Timeout);
        QTest::qWait(1500);
        QVERIFY2(gap.worstMs() < 500, qPrintable(QString::number(gap.worstMs())));
        fleet->refresh();
        QVERIFY2(fleet->sourceStatusText().contains(QStringLiteral("waiting for its first answer")) || fleet->sourceStatusText() == QStringLiteral("Connecting…"),
            qPrintable(fleet->sourceStatusText()));
        // Switching to a source that answers is not held up by the silent one.
        FakePrometheus server;
        addBreakers(server);
        FleetConnection good = options(server.url()).fleet;
        QString error;
        QVERIFY2(window.connectFleet(good, &error), qPrintable(error));
        QTRY_COMPARE_WITH_TIMEOUT(labels(fleet), AllTogether, Timeout);
        QVERIFY(!fleet->sourceStatusText().contains(silent.url()));
    }

    void leavingRestoresTheRun()
    {
        FakePrometheus server;
        addBreakers(server);
        MainWindow::Options o = options(QString());
        o.speed = 1;
        o.start = true;
        MainWindow window(o);
        window.show();
        QTRY_VERIFY_WITH_TIMEOUT(window.runState() == RunProgress::State::Running, Timeout);
        QWidget *dashboard = window.dashboard();

        QString error;
        QVERIFY2(window.connectFleet(options(server.url()).fleet, &error), qPrintable(error));
        QVERIFY(window.isFleetMode());
        QTRY_COMPARE_WITH_TIMEOUT(window.runState(), RunProgress::State::Paused, Timeout);
        QVERIFY(!window.findChild<QDockWidget *>(QStringLiteral("policyDock"))->isVisible());
        QVERIFY(window.findChild<QDockWidget *>(QStringLiteral("healthDock"))->isVisible());
        QVERIFY(!window.findChild<QAction *>(QStringLiteral("start"))->isEnabled());
        QTRY_COMPARE_WITH_TIMEOUT(labels(window.fleetView()), AllTogether, Timeout);
        const TimePoint paused = window.history().now();

        // The toolbar's Fleet button, as a user leaves.
        QAction *fleetAction = window.findChild<QAction *>(QStringLiteral("fleet"));
        QVERIFY(fleetAction->isChecked());
        QTest::mouseClick(window.findChild<QToolBar *>(QStringLiteral("runToolBar"))->widgetForAction(fleetAction), Qt::LeftButton);
        QVERIFY(!window.isFleetMode());
        QVERIFY(!fleetAction->isChecked());
        QVERIFY(dashboard->isVisible());
        QVERIFY(!window.fleetView()->isOpen());
        QVERIFY(window.findChild<QDockWidget *>(QStringLiteral("policyDock"))->isVisible());
        QVERIFY(window.findChild<QDockWidget *>(QStringLiteral("policyDock"))->isEnabled());
        QTRY_COMPARE_WITH_TIMEOUT(window.runState(), RunProgress::State::Running, Timeout);
        QTRY_VERIFY_WITH_TIMEOUT(window.history().now() > paused, Timeout);
        QVERIFY(!window.healthText().startsWith(QStringLiteral("Fleet")));
        // And back: the last connection again.
        QTest::mouseClick(window.findChild<QToolBar *>(QStringLiteral("runToolBar"))->widgetForAction(fleetAction), Qt::LeftButton);
        QVERIFY(window.isFleetMode());
        QTRY_COMPARE_WITH_TIMEOUT(labels(window.fleetView()), AllTogether, Timeout);
    }
};

QTEST_MAIN(tst_FleetMode)
#include "tst_fleetmode.moc"
