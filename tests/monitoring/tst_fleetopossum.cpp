// A real Node service (tests/monitoring/opossum/service.js) with npm's opossum, opossum-prometheus
// and opossum-hystrix, scraped by a real Prometheus: the test makes its dependency fail and
// recover, and the fleet's state for its breaker must follow the service's own flags (`opened`,
// `halfOpen`, `closed` at /state) through Prometheus, and through the Hystrix stream (which has
// no HALF_OPEN: opossum-hystrix says open for anything not closed).
#include "fleet/fleetmonitor.h"
#include "fleet/hystrixsource.h"
#include "fleet/prometheussource.h"
#include "runtime/wallscheduler.h"

#include "opossumservice.h"
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
    QString fleetState(FleetLibrary library); // the fleet's, through Prometheus or Hystrix

    OpossumService m_service;
    std::unique_ptr<PrometheusServer> m_prometheus;
    std::unique_ptr<WallScheduler> m_scheduler;
    std::unique_ptr<FleetMonitor> m_monitor;
};

void tst_FleetOpossum::initTestCase()
{
    const NpmInstall started = m_service.start();
    if (started.result == NpmInstall::Result::Skip)
        QSKIP(qPrintable(started.message));
    QVERIFY2(started.result == NpmInstall::Result::Ready, qPrintable(started.message));

    m_prometheus = std::make_unique<PrometheusServer>(QList<PrometheusServer::Job> { { QStringLiteral("orders"), { m_service.target() } } });
    QVERIFY2(m_prometheus->waitReady(), qPrintable(m_prometheus->error()));

    m_scheduler = std::make_unique<WallScheduler>();
    m_monitor = std::make_unique<FleetMonitor>(*m_scheduler, std::chrono::milliseconds(500));
    PrometheusSourceOptions prometheus;
    prometheus.url = QUrl(m_prometheus->url());
    prometheus.rateWindow = std::chrono::seconds(5);
    prometheus.stateWindow = std::chrono::minutes(5);
    m_monitor->addSource(std::make_unique<PrometheusSource>(*m_scheduler, prometheus));
    HystrixSourceOptions hystrix;
    hystrix.url = QUrl(m_service.hystrixUrl());
    m_monitor->addSource(std::make_unique<HystrixSource>(*m_scheduler, hystrix));
    m_monitor->start();
}

void tst_FleetOpossum::cleanupTestCase()
{
    m_monitor.reset();
    m_prometheus.reset();
}

QString tst_FleetOpossum::fleetState(FleetLibrary library)
{
    for (const BreakerReading &r : m_monitor->snapshot().breakers)
        if (r.id.library == library && r.id.name == QStringLiteral("inventory") && r.state)
            return circuitStateName(*r.state);
    return {};
}

void tst_FleetOpossum::statesFollowTheService()
{
    // Healthy: closed everywhere.
    QTRY_COMPARE_WITH_TIMEOUT(fleetState(FleetLibrary::Opossum), QStringLiteral("CLOSED"), 20000);
    QTRY_COMPARE_WITH_TIMEOUT(fleetState(FleetLibrary::Hystrix), QStringLiteral("CLOSED"), 20000);
    QCOMPARE(m_service.state(), QStringLiteral("CLOSED"));
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
    QVERIFY(m_service.control(QStringLiteral("dependency=fail")));
    QTRY_COMPARE_WITH_TIMEOUT(m_service.state(), QStringLiteral("OPEN"), 20000);
    QTRY_COMPARE_WITH_TIMEOUT(fleetState(FleetLibrary::Opossum), QStringLiteral("OPEN"), 20000);
    QTRY_COMPARE_WITH_TIMEOUT(fleetState(FleetLibrary::Hystrix), QStringLiteral("OPEN"), 20000);

    // It recovers while no call comes: after resetTimeout (2 s) the breaker waits HALF_OPEN for a
    // trial call. Prometheus shows it; the Hystrix stream still says open.
    QVERIFY(m_service.control(QStringLiteral("dependency=ok&traffic=off")));
    QTRY_COMPARE_WITH_TIMEOUT(m_service.state(), QStringLiteral("HALF_OPEN"), 20000);
    QTRY_COMPARE_WITH_TIMEOUT(fleetState(FleetLibrary::Opossum), QStringLiteral("HALF_OPEN"), 20000);
    QCOMPARE(fleetState(FleetLibrary::Hystrix), QStringLiteral("OPEN"));
    QCOMPARE(m_service.state(), QStringLiteral("HALF_OPEN"));

    // Calls again: the trial passes and the breaker closes.
    QVERIFY(m_service.control(QStringLiteral("traffic=on")));
    QTRY_COMPARE_WITH_TIMEOUT(m_service.state(), QStringLiteral("CLOSED"), 20000);
    QTRY_COMPARE_WITH_TIMEOUT(fleetState(FleetLibrary::Opossum), QStringLiteral("CLOSED"), 20000);
    QTRY_COMPARE_WITH_TIMEOUT(fleetState(FleetLibrary::Hystrix), QStringLiteral("CLOSED"), 20000);
    QCOMPARE(m_service.state(), QStringLiteral("CLOSED"));
    for (const SourceStatus &s : m_monitor->snapshot().sources)
        QVERIFY2(s.reachable, qPrintable(s.error));
}

QTEST_GUILESS_MAIN(tst_FleetOpossum)
#include "tst_fleetopossum.moc"
