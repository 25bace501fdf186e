// The Network dock in the real window on the offscreen platform: switching to Real HTTP starts
// the built-in chaos target on 127.0.0.1, points the scenario's services at it and runs the
// same pipelines on the wall clock, so real requests reach the target and the charts fill;
// the target's settings change live from the dock; switching back restores the simulation.
#include "mainwindow.h"
#include "networkmodepanel.h"

#include <QComboBox>
#include <QDoubleSpinBox>
#include <QTest>

using namespace bw;

class TestNetworkModePanel : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void realHttpModeRunsAgainstTheBuiltInTarget()
    {
        MainWindow::Options o;
        o.scenario = QStringLiteral("latency-spike");
        o.speed = 0;
        o.start = false;
        o.restoreSettings = false;
        MainWindow window(o);
        window.show();
        auto *panel = window.findChild<NetworkModePanel *>();
        QVERIFY(panel);
        QCOMPARE(panel->mode(), NetworkModePanel::Mode::Simulated);
        QVERIFY(!panel->chaosTarget());

        panel->modeBox()->setCurrentIndex(1); // Real HTTP
        QCOMPARE(panel->mode(), NetworkModePanel::Mode::RealHttp);
        ChaosTarget *target = panel->chaosTarget();
        QVERIFY(target);
        QVERIFY(target->port() != 0);
        const ScenarioConfig &real = window.controller().scenario();
        QVERIFY(!real.services.isEmpty());
        ToxicProxy *proxy = panel->proxy();
        QVERIFY(proxy);
        QCOMPARE(proxy->upstreamAddress(), QStringLiteral("127.0.0.1:%1").arg(target->port()));
        // The services call the target through the built-in proxy.
        for (const ServiceConfig &s : real.services)
            QCOMPARE(s.url, QStringLiteral("http://127.0.0.1:%1/%2").arg(proxy->port()).arg(s.name));

        // Real requests reach the target, and the run's clock is the wall clock.
        QTRY_VERIFY_WITH_TIMEOUT(target->stats().ok >= 10, 15000);
        QTRY_VERIFY_WITH_TIMEOUT(window.history().now() >= fromMs(1000), 15000);
        QVERIFY(window.history().now() < fromMs(30000));

        QVERIFY(proxy->stats().connections > 0);
        QVERIFY(proxy->stats().bytesDownstream > 0);

        // The proxy's toxics follow the dock's controls.
        panel->proxyLatencyBox()->setValue(40);
        QVERIFY(proxy->toxic(QStringLiteral("gui_latency")));
        QCOMPARE(proxy->toxic(QStringLiteral("gui_latency"))->latency, fromMs(40));
        panel->proxyLatencyBox()->setValue(0);
        QVERIFY(proxy->toxics().isEmpty());

        // The dock's settings reach the target live.
        panel->errorRateBox()->setValue(100);
        QCOMPARE(target->settings().errorRate, 1.0);
        QTRY_VERIFY_WITH_TIMEOUT(target->stats().errors >= 5, 15000);

        panel->modeBox()->setCurrentIndex(0); // back to Simulated
        QCOMPARE(panel->mode(), NetworkModePanel::Mode::Simulated);
        for (const ServiceConfig &s : window.controller().scenario().services)
            QVERIFY(s.url.isEmpty());
    }

    void aScenarioWithURLsOpensInRealHttpMode()
    {
        MainWindow::Options o;
        o.scenario = qEnvironmentVariable("BREAKWATER_SOURCE_DIR") + QStringLiteral("/resources/real/checkout-http.json");
        o.start = false;
        o.restoreSettings = false;
        MainWindow window(o);
        auto *panel = window.findChild<NetworkModePanel *>();
        QVERIFY(panel);
        QCOMPARE(window.controller().scenario().name, QStringLiteral("checkout-http"));
        QCOMPARE(panel->mode(), NetworkModePanel::Mode::RealHttp);
        QCOMPARE(panel->modeBox()->currentIndex(), 1);
        QVERIFY(!panel->chaosTarget()); // it has its own URLs
        // Its times are wall-clock times, and the event log says so.
        const auto timeHeader = [&window] {
            return window.eventLogModel()->headerData(EventLogModel::TimeColumn, Qt::Horizontal).toString();
        };
        QCOMPARE(timeHeader(), QStringLiteral("Wall-clock time"));
        panel->setMode(NetworkModePanel::Mode::Simulated);
        QCOMPARE(timeHeader(), QStringLiteral("Virtual time"));
        const ScenarioConfig &simulated = window.controller().scenario();
        QVERIFY(simulated.services[0].url.isEmpty());
        QCOMPARE(simulated.services[0].name, QStringLiteral("payments"));
        QCOMPARE(simulated.services[0].capacity, ServiceConfig {}.capacity);
    }

    void toRealHttpPointsEveryServiceAtTheTarget()
    {
        ScenarioConfig s;
        ServiceConfig a;
        a.name = QStringLiteral("pay ments");
        s.services << a;
        const ScenarioConfig real = NetworkModePanel::toRealHttp(s, QStringLiteral("http://127.0.0.1:9"));
        QCOMPARE(real.services[0].url, QStringLiteral("http://127.0.0.1:9/pay%20ments"));
    }
};

QTEST_MAIN(TestNetworkModePanel)
#include "tst_networkmodepanel.moc"
