// The Faults dock in the real window on the offscreen platform: "Outage now" opens the breaker
// and its calls end circuit_open, with the injectFault in the event log; an error-rate change
// posts, once per debounce, ClearFaults then InjectFault at that rate; every control explains
// itself in a tooltip; loading or restarting a scenario resets the controls.
#include "faultpanel.h"
#include "mainwindow.h"

#include <QAbstractButton>
#include <QAbstractSpinBox>
#include <QAction>
#include <QComboBox>
#include <QDockWidget>
#include <QDoubleSpinBox>
#include <QLineEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QStandardPaths>
#include <QTest>

using namespace bw;

namespace {

const QString Scenario = QStringLiteral("latency-spike"); // one service, "search"; its fault at 40 s
constexpr int Timeout = 60000;

MainWindow::Options options()
{
    MainWindow::Options o;
    o.scenario = Scenario;
    o.speed = 0;
    o.start = false;
    o.restoreSettings = false;
    return o;
}

bool stepTo(MainWindow &window, int ms)
{
    window.controller().step(fromMs(ms) - window.history().now());
    return QTest::qWaitFor([&] { return window.history().now() == fromMs(ms); }, Timeout);
}

qsizetype controlEvents(const MainWindow &window, const QString &detail, const QString &subject)
{
    const QList<EventLogModel::Entry> &entries = window.eventLogModel()->entries();
    return std::count_if(entries.cbegin(), entries.cend(), [&](const EventLogModel::Entry &e) {
        return e.kind == EventLogModel::Kind::Control && e.detail == detail && e.subject == subject;
    });
}

std::int64_t circuitOpenCalls(const TelemetryHistory &history)
{
    std::int64_t n = 0;
    for (qsizetype i = 0; i < history.buckets().size(); ++i)
        for (const OperationPoint &op : history.buckets().at(i)->operations)
            n += op.count(Outcome::CircuitOpen);
    return n;
}

template<typename T>
T *child(const QObject *parent, const char *name)
{
    return parent->findChild<T *>(QString::fromLatin1(name));
}

} // namespace

class TestFaultPanel : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { QStandardPaths::setTestModeEnabled(true); }

    void dockListsTheScenarioServices()
    {
        MainWindow window(options());
        window.show();
        auto *dock = child<QDockWidget>(&window, "faultsDock");
        QVERIFY(dock);
        QCOMPARE(dock->windowTitle(), QStringLiteral("Faults"));
        FaultPanel *panel = window.faultPanel();
        QVERIFY(panel);
        QVERIFY(panel->isEnabled());
        auto *services = child<QComboBox>(panel, "faultService");
        QVERIFY(services);
        QCOMPARE(services->count(), window.controller().scenario().services.size());
        QCOMPARE(panel->service(), QStringLiteral("search"));
    }

    void outageNowOpensTheBreaker()
    {
        MainWindow window(options());
        window.show();
        QVERIFY(stepTo(window, 10000));
        QTRY_VERIFY_WITH_TIMEOUT(window.breakerModel()->rowCount() > 0, Timeout);
        QCOMPARE(window.breakerModel()->state(0), CircuitState::Closed);
        QCOMPARE(circuitOpenCalls(window.history()), std::int64_t(0));

        auto *duration = child<QSpinBox>(window.faultPanel(), "faultDuration");
        QVERIFY(duration);
        duration->setValue(20);
        auto *outage = child<QPushButton>(window.faultPanel(), "outageNow");
        QVERIFY(outage);
        QTest::mouseClick(outage, Qt::LeftButton);
        QTRY_COMPARE_WITH_TIMEOUT(
            controlEvents(window, QStringLiteral("injectFault"), QStringLiteral("search (outage)")), qsizetype(1), Timeout);
        const auto &posted = window.faultPanel()->postedCommands();
        QCOMPARE(posted.size(), qsizetype(1));
        const auto *inject = std::get_if<ControlCommands::InjectFault>(&posted.last().command);
        QVERIFY(inject);
        QCOMPARE(inject->fault.kind, FaultKind::Outage);
        QCOMPARE(inject->length, fromMs(20000));

        QVERIFY(stepTo(window, 20000));
        window.refreshNow();
        QVERIFY(circuitOpenCalls(window.history()) > 0);
        QVERIFY(window.breakerModel()->state(0) != CircuitState::Closed);
        const QList<EventLogModel::Entry> &entries = window.eventLogModel()->entries();
        QVERIFY(std::any_of(entries.cbegin(), entries.cend(), [](const EventLogModel::Entry &e) {
            return e.kind == EventLogModel::Kind::StateChange && e.detail.contains(QStringLiteral("→ OPEN"));
        }));

        // Its end is marked on the time axis at once, and logged when the run gets there.
        const QList<TimeMarker> &markers = window.markers();
        QVERIFY(std::any_of(markers.cbegin(), markers.cend(), [](const TimeMarker &m) {
            return m.label == QStringLiteral("outage search ends") && std::abs(m.atSeconds - 30.0) < 0.2;
        }));
        auto endLogged = [&] {
            const QList<EventLogModel::Entry> &log = window.eventLogModel()->entries();
            return std::any_of(log.cbegin(), log.cend(), [](const EventLogModel::Entry &e) {
                return e.kind == EventLogModel::Kind::Fault && e.detail == QStringLiteral("outage ends")
                    && e.subject == QStringLiteral("search");
            });
        };
        QVERIFY(!endLogged());
        QVERIFY(stepTo(window, 31000));
        window.refreshNow();
        QVERIFY(endLogged());
    }

    void errorRatePostsClearThenInject()
    {
        MainWindow window(options());
        window.show();
        QVERIFY(stepTo(window, 5000));
        FaultPanel *panel = window.faultPanel();
        auto *rate = child<QDoubleSpinBox>(panel, "errorRate");
        QVERIFY(rate);
        // A burst of changes posts once, with the last value.
        rate->setValue(10);
        rate->setValue(30);
        rate->setValue(50);
        QTRY_COMPARE_WITH_TIMEOUT(panel->postedCommands().size(), qsizetype(2), Timeout);
        const auto *clear = std::get_if<ControlCommands::ClearFaults>(&panel->postedCommands().at(0).command);
        QVERIFY(clear);
        QCOMPARE(clear->service, QStringLiteral("search"));
        QCOMPARE(clear->kind, std::optional<FaultKind>(FaultKind::Errors));
        const auto *inject = std::get_if<ControlCommands::InjectFault>(&panel->postedCommands().at(1).command);
        QVERIFY(inject);
        QCOMPARE(inject->fault.service, QStringLiteral("search"));
        QCOMPARE(inject->fault.kind, FaultKind::Errors);
        QCOMPARE(inject->fault.rate, 0.5);
        QCOMPARE(inject->fault.code, QStringLiteral("500"));
        QCOMPARE(inject->length, Duration::max());
        QTRY_COMPARE_WITH_TIMEOUT(
            controlEvents(window, QStringLiteral("clearFaults"), QStringLiteral("search (errors)")), qsizetype(1), Timeout);
        QTRY_COMPARE_WITH_TIMEOUT(
            controlEvents(window, QStringLiteral("injectFault"), QStringLiteral("search (errors)")), qsizetype(1), Timeout);

        // Back to zero: cleared, nothing injected.
        rate->setValue(0);
        QTRY_COMPARE_WITH_TIMEOUT(panel->postedCommands().size(), qsizetype(3), Timeout);
        QVERIFY(std::holds_alternative<ControlCommands::ClearFaults>(panel->postedCommands().last().command));

        // Clear all: every kind.
        auto *clearAll = child<QPushButton>(panel, "clearAllFaults");
        QVERIFY(clearAll);
        QTest::mouseClick(clearAll, Qt::LeftButton);
        const auto *all = std::get_if<ControlCommands::ClearFaults>(&panel->postedCommands().last().command);
        QVERIFY(all);
        QVERIFY(!all->kind);
        QTRY_COMPARE_WITH_TIMEOUT(
            controlEvents(window, QStringLiteral("clearFaults"), QStringLiteral("search")), qsizetype(1), Timeout);
    }

    void errorCodeGoesWithTheRate()
    {
        MainWindow window(options());
        window.show();
        QVERIFY(stepTo(window, 1000));
        FaultPanel *panel = window.faultPanel();
        child<QDoubleSpinBox>(panel, "errorRate")->setValue(20);
        QTRY_COMPARE_WITH_TIMEOUT(panel->postedCommands().size(), qsizetype(2), Timeout);
        auto *code = child<QLineEdit>(panel, "errorCode");
        code->setText(QStringLiteral("503"));
        Q_EMIT code->editingFinished();
        QTRY_COMPARE_WITH_TIMEOUT(panel->postedCommands().size(), qsizetype(4), Timeout);
        const auto *inject = std::get_if<ControlCommands::InjectFault>(&panel->postedCommands().last().command);
        QVERIFY(inject);
        QCOMPARE(inject->fault.code, QStringLiteral("503"));
        QCOMPARE(inject->fault.rate, 0.2);
    }

    void latencySpikeIsTimed()
    {
        MainWindow window(options());
        window.show();
        QVERIFY(stepTo(window, 2000));
        FaultPanel *panel = window.faultPanel();
        child<QSpinBox>(panel, "faultDuration")->setValue(5);
        child<QSpinBox>(panel, "spikeLatency")->setValue(3000);
        QTest::mouseClick(child<QPushButton>(panel, "latencySpikeNow"), Qt::LeftButton);
        QCOMPARE(panel->postedCommands().size(), qsizetype(1));
        const auto *inject = std::get_if<ControlCommands::InjectFault>(&panel->postedCommands().last().command);
        QVERIFY(inject);
        QCOMPARE(inject->fault.kind, FaultKind::Latency);
        QCOMPARE(inject->fault.add, fromMs(3000));
        QCOMPARE(inject->length, fromMs(5000));
        QTRY_COMPARE_WITH_TIMEOUT(
            controlEvents(window, QStringLiteral("injectFault"), QStringLiteral("search (latency)")), qsizetype(1), Timeout);
    }

    void everyControlHasATooltip()
    {
        MainWindow window(options());
        FaultPanel *panel = window.faultPanel();
        QVERIFY(panel->controls().size() >= 14);
        for (QWidget *w : panel->controls())
            QVERIFY2(!w->toolTip().isEmpty(), qPrintable(w->objectName()));
        // And nothing interactive was left out of controls().
        const QList<QWidget *> all = panel->findChildren<QWidget *>();
        for (QWidget *w : all) {
            const bool interactive = qobject_cast<QAbstractButton *>(w) || qobject_cast<QAbstractSpinBox *>(w)
                || qobject_cast<QComboBox *>(w) || qobject_cast<QLineEdit *>(w);
            // Spin boxes and combo boxes have line edits of their own inside.
            const bool inner = qobject_cast<QAbstractSpinBox *>(w->parentWidget())
                || qobject_cast<QComboBox *>(w->parentWidget());
            if (interactive && !inner)
                QVERIFY2(!w->toolTip().isEmpty(), qPrintable(w->objectName()));
        }
    }

    void loadAndRestartResetTheControls()
    {
        MainWindow window(options());
        window.show();
        QVERIFY(stepTo(window, 3000));
        FaultPanel *panel = window.faultPanel();
        auto *latency = child<QSpinBox>(panel, "latencyAdd");
        latency->setValue(700);
        QTRY_COMPARE_WITH_TIMEOUT(panel->postedCommands().size(), qsizetype(2), Timeout);

        auto *restart = child<QAction>(&window, "restart");
        QVERIFY(restart);
        restart->trigger();
        QTRY_COMPARE_WITH_TIMEOUT(window.history().generation(), std::uint64_t(2), Timeout);
        QCOMPARE(latency->value(), 0);

        latency->setValue(900);
        QVERIFY(window.loadScenario(QStringLiteral("bulkhead-isolation"), std::nullopt, false));
        QCOMPARE(latency->value(), 0);
        QCOMPARE(panel->service(), QStringLiteral("app-db"));
    }
};

QTEST_MAIN(TestFaultPanel)
#include "tst_faultpanel.moc"
