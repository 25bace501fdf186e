// A real Node service (tests/monitoring/opossum/service.js) with npm's opossum, opossum-prometheus
// and opossum-hystrix, scraped by a real Prometheus: the test makes its dependency fail and
// recover, and the fleet's state for its breaker must follow the service's own flags (`opened`,
// `halfOpen`, `closed` at /state) through Prometheus, and through the Hystrix stream (which has
// no HALF_OPEN: opossum-hystrix says open for anything not closed).
#include "fleet/fleetmonitor.h"
#include "fleet/hystrixsource.h"
#include "fleet/prometheussource.h"
#include "runtime/wallscheduler.h"

#include "monitoringtest.h"
#include "npmpackages.h"
#include "prometheusserver.h"

using namespace bw;
using namespace bw::test;

class tst_FleetOpossum : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void statesFollowTheService();

private:
    QString serviceState();                 // CLOSED, OPEN or HALF_OPEN from the service's flags
    QString fleetState(FleetLibrary library); // the fleet's, through Prometheus or Hystrix
    void control(const QString &query);

    QProcess m_service;
    quint16 m_port = 0;
    std::unique_ptr<PrometheusServer> m_prometheus;
    std::unique_ptr<WallScheduler> m_scheduler;
    std::unique_ptr<FleetMonitor> m_monitor;
};

void tst_FleetOpossum::initTestCase()
{
    const NpmInstall npm = installNpmPackages();
    if (npm.result == NpmInstall::Result::Skip)
        QSKIP(qPrintable(npm.message));
    QVERIFY2(npm.result == NpmInstall::Result::Ready, qPrintable(npm.message));

    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("NODE_PATH"), npm.modules);
    m_service.setProcessEnvironment(env);
    m_service.start(npm.node, { QStringLiteral("--no-deprecation"),
                                  qEnvironmentVariable("BREAKWATER_SOURCE_DIR") + QStringLiteral("/tests/monitoring/opossum/service.js") });
    QVERIFY(m_service.waitForStarted(10000));
    QTRY_VERIFY_WITH_TIMEOUT(m_service.canReadLine() || m_service.state() != QProcess::Running, 20000);
    m_port = quint16(QJsonDocument::fromJson(m_service.readLine()).object().value(QStringLiteral("port")).toInt());
    QVERIFY2(m_port != 0, m_service.readAllStandardError().constData());

    m_prometheus = std::make_unique<PrometheusServer>(
        QList<PrometheusServer::Job> { { QStringLiteral("orders"), { QStringLiteral("127.0.0.1:") + QString::number(m_port) } } });
    QVERIFY2(m_prometheus->waitReady(), qPrintable(m_prometheus->error()));

    m_scheduler = std::make_unique<WallScheduler>();
    m_monitor = std::make_unique<FleetMonitor>(*m_scheduler, std::chrono::milliseconds(500));
    PrometheusSourceOptions prometheus;
    prometheus.url = QUrl(m_prometheus->url());
    prometheus.rateWindow = std::chrono::seconds(5);
    prometheus.stateWindow = std::chrono::minutes(5);
    m_monitor->addSource(std::make_unique<PrometheusSource>(*m_scheduler, prometheus));
    HystrixSourceOptions hystrix;
    hystrix.url = QUrl(QStringLiteral("http://127.0.0.1:%1/hystrix.stream").arg(m_port));
    m_monitor->addSource(std::make_unique<HystrixSource>(*m_scheduler, hystrix));
    m_monitor->start();
}

void tst_FleetOpossum::cleanupTestCase()
{
    m_monitor.reset();
    m_prometheus.reset();
    if (m_service.state() != QProcess::NotRunning) {
        m_service.kill();
        m_service.waitForFinished();
    }
}

QString tst_FleetOpossum::serviceState()
{
    const QJsonObject flags = QJsonDocument::fromJson(httpGet(QUrl(QStringLiteral("http://127.0.0.1:%1/state").arg(m_port)), 2000).body).object();
    if (flags.value(QStringLiteral("opened")).toBool())
        return QStringLiteral("OPEN");
    if (flags.value(QStringLiteral("halfOpen")).toBool())
        return QStringLiteral("HALF_OPEN");
    return flags.value(QStringLiteral("closed")).toBool() ? QStringLiteral("CLOSED") : QString();
}

QString tst_FleetOpossum::fleetState(FleetLibrary library)
{
    for (const BreakerReading &r : m_monitor->snapshot().breakers)
        if (r.id.library == library && r.id.name == QStringLiteral("inventory") && r.state)
            return circuitStateName(*r.state);
    return {};
}

void tst_FleetOpossum::control(const QString &query)
{
    QCOMPARE(httpGet(QUrl(QStringLiteral("http://127.0.0.1:%1/control?").arg(m_port) + query), 2000).status, 200);
}

void tst_FleetOpossum::statesFollowTheService()
{
    // Healthy: closed everywhere.
    QTRY_COMPARE_WITH_TIMEOUT(fleetState(FleetLibrary::Opossum), QStringLiteral("CLOSED"), 20000);
    QTRY_COMPARE_WITH_TIMEOUT(fleetState(FleetLibrary::Hystrix), QStringLiteral("CLOSED"), 20000);
    QCOMPARE(serviceState(), QStringLiteral("CLOSED"));
    // 50 calls a second, once the rate window holds 5 s of scrapes; the service is the job, or
    // the opossum group in the Hystrix stream.
    const auto callsPerSecond = [&] {
        for (const BreakerReading &r : m_monitor->snapshot().breakers)
            if (r.id.library == FleetLibrary::Opossum)
                return r.callsPerSecond;
        return 0.0;
    };
    QTRY_VERIFY_WITH_TIMEOUT(callsPerSecond() > 35 && callsPerSecond() < 65, 20000);
    for (const BreakerReading &r : m_monitor->snapshot().breakers)
        QCOMPARE(r.id.service, QStringLiteral("orders"));

    // The dependency fails: the service opens its breaker, and the fleet follows.
    control(QStringLiteral("dependency=fail"));
    QTRY_COMPARE_WITH_TIMEOUT(serviceState(), QStringLiteral("OPEN"), 20000);
    QTRY_COMPARE_WITH_TIMEOUT(fleetState(FleetLibrary::Opossum), QStringLiteral("OPEN"), 20000);
    QTRY_COMPARE_WITH_TIMEOUT(fleetState(FleetLibrary::Hystrix), QStringLiteral("OPEN"), 20000);

    // It recovers while no call comes: after resetTimeout (2 s) the breaker waits HALF_OPEN for a
    // trial call. Prometheus shows it; the Hystrix stream still says open.
    control(QStringLiteral("dependency=ok&traffic=off"));
    QTRY_COMPARE_WITH_TIMEOUT(serviceState(), QStringLiteral("HALF_OPEN"), 20000);
    QTRY_COMPARE_WITH_TIMEOUT(fleetState(FleetLibrary::Opossum), QStringLiteral("HALF_OPEN"), 20000);
    QCOMPARE(fleetState(FleetLibrary::Hystrix), QStringLiteral("OPEN"));
    QCOMPARE(serviceState(), QStringLiteral("HALF_OPEN"));

    // Calls again: the trial passes and the breaker closes.
    control(QStringLiteral("traffic=on"));
    QTRY_COMPARE_WITH_TIMEOUT(serviceState(), QStringLiteral("CLOSED"), 20000);
    QTRY_COMPARE_WITH_TIMEOUT(fleetState(FleetLibrary::Opossum), QStringLiteral("CLOSED"), 20000);
    QTRY_COMPARE_WITH_TIMEOUT(fleetState(FleetLibrary::Hystrix), QStringLiteral("CLOSED"), 20000);
    QCOMPARE(serviceState(), QStringLiteral("CLOSED"));
    for (const SourceStatus &s : m_monitor->snapshot().sources)
        QVERIFY2(s.reachable, qPrintable(s.error));
}

QTEST_GUILESS_MAIN(tst_FleetOpossum)
#include "tst_fleetopossum.moc"
