// The window's Fleet mode against real components, as `breakwater --prometheus URL --hystrix URL`
// opens it: a real Prometheus (the Debian package, scraping every second) scraping the opossum
// service of tests/monitoring/opossum (npm's opossum, opossum-prometheus and opossum-hystrix), a
// paced `breakwater run --metrics-port` and a Resilience4j exposition with a bulkhead; and the
// service's own Hystrix stream. The test makes the service's dependency fail and recover: the
// lanes must follow the breaker's own flags, through Prometheus and through the stream; the health
// dock, the state filter and a past range's bulkhead chart work on the real data; and when
// Prometheus stops, the window says so and the stream keeps going, the GUI thread never held.
#include "eventloopgap.h"
#include "fixtureserver.h"
#include "opossumservice.h"
#include "pacedrun.h"
#include "prometheusserver.h"
#include "resilience4jfixture.h"

#include "fleetview.h"
#include "mainwindow.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDateTime>
#include <QElapsedTimer>
#include <QLabel>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTest>
#include <QXYSeries>

using namespace bw;
using namespace bw::test;

namespace {

constexpr int Timeout = 20000;

} // namespace

class tst_FleetWindowReal : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void init();
    void lanesFollowTheService();
    void bulkheadOverAPastRange();
    void prometheusDownKeepsTheStream();

private:
    // The summary of the lane `label` in `service` ("OPEN", "CLOSED", …); empty when not shown.
    QString lane(const QString &service, const QString &label) const;
    QStringList serviceHeaders() const;
    QString lanes() const; // every lane's label and summary, for a failure's message
    // The lanes of the opossum breaker: through Prometheus (one instance) and the Hystrix stream.
    QString prometheusLane() const { return lane(QStringLiteral("orders"), QStringLiteral("inventory · ") + m_service.target()); }
    QString hystrixLane() const { return lane(QStringLiteral("orders"), QStringLiteral("inventory")); }
    void chooseRange(FleetView::Range range);

    OpossumService m_service;
    std::unique_ptr<PacedRun> m_run;
    QElapsedTimer m_clock;
    std::unique_ptr<FixtureServer> m_resilience4j;
    std::unique_ptr<PrometheusServer> m_prometheus;
    qint64 m_prometheusStartedMs = 0;
    std::unique_ptr<MainWindow> m_window;
    FleetView *m_fleet = nullptr;
};

void tst_FleetWindowReal::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    const NpmInstall started = m_service.start();
    if (started.result == NpmInstall::Result::Skip)
        QSKIP(qPrintable(started.message));
    QVERIFY2(started.result == NpmInstall::Result::Ready, qPrintable(started.message));
    // outage-and-recovery in real time: its payments outage (30 s to 50 s) comes after the
    // states this test checks on the opossum breaker.
    m_run = std::make_unique<PacedRun>(QStringLiteral("outage-and-recovery"), 1);
    QVERIFY(m_run->waitForStarted());
    m_clock.start();
    m_resilience4j = std::make_unique<FixtureServer>([this](const QByteArray &) {
        return FixtureReply { FixtureReply::Behaviour::Answer, 200, "text/plain; version=0.0.4",
            resilience4jExposition(double(m_clock.elapsed()) / 1000.0, QStringLiteral("closed")) };
    });
    m_prometheusStartedMs = QDateTime::currentMSecsSinceEpoch();
    m_prometheus = std::make_unique<PrometheusServer>(QList<PrometheusServer::Job> {
        { QStringLiteral("orders"), { m_service.target() } }, { QStringLiteral("lab"), { m_run->target() } },
        { QStringLiteral("payments"), { QStringLiteral("127.0.0.1:") + QString::number(m_resilience4j->port()) } } });
    QVERIFY2(m_prometheus->waitReady(), qPrintable(m_prometheus->error()));

    MainWindow::Options o;
    o.speed = 0;
    o.start = false;
    o.restoreSettings = false;
    o.fleet.prometheus = m_prometheus->url();
    o.fleet.hystrix = { m_service.hystrixUrl() };
    o.fleet.refreshSeconds = 1;
    m_window = std::make_unique<MainWindow>(o);
    m_window->show();
    QVERIFY(m_window->isFleetMode());
    m_fleet = m_window->fleetView();
}

void tst_FleetWindowReal::cleanupTestCase()
{
    m_window.reset();
    m_prometheus.reset();
    m_run.reset();
}

// Each test starts live, whatever the one before left.
void tst_FleetWindowReal::init()
{
    if (m_fleet->range() != FleetView::Range::Live)
        chooseRange(FleetView::Range::Live);
}

QString tst_FleetWindowReal::lane(const QString &service, const QString &label) const
{
    for (const FleetLane &l : m_fleet->lanes()->lanes())
        if (l.kind == FleetLane::Kind::Breaker && l.service == service && l.label == label)
            return l.summary;
    return {};
}

QStringList tst_FleetWindowReal::serviceHeaders() const
{
    QStringList out;
    for (const FleetLane &l : m_fleet->lanes()->lanes())
        if (l.kind == FleetLane::Kind::Service)
            out.append(l.label);
    return out;
}

QString tst_FleetWindowReal::lanes() const
{
    QStringList out;
    for (const FleetLane &l : m_fleet->lanes()->lanes())
        out.append(l.service + u'/' + l.label + QStringLiteral(": ") + l.summary);
    return out.join(QStringLiteral("; "));
}

void tst_FleetWindowReal::chooseRange(FleetView::Range range)
{
    auto *box = m_fleet->findChild<QComboBox *>(QStringLiteral("fleetRange"));
    box->setCurrentIndex(box->findData(int(range)));
    Q_EMIT box->activated(box->currentIndex());
    QCOMPARE(m_fleet->range(), range);
}

void tst_FleetWindowReal::lanesFollowTheService()
{
    // Grouped by service: the opossum service (through Prometheus and its stream), the run's
    // breaker and the Resilience4j one; all CLOSED, as the service says.
    QTRY_COMPARE_WITH_TIMEOUT(serviceHeaders(), (QStringList { QStringLiteral("lab"), QStringLiteral("orders"), QStringLiteral("payments") }), Timeout);
    QTRY_COMPARE_WITH_TIMEOUT(prometheusLane(), QStringLiteral("CLOSED"), Timeout);
    QTRY_COMPARE_WITH_TIMEOUT(hystrixLane(), QStringLiteral("CLOSED"), Timeout);
    QTRY_COMPARE_WITH_TIMEOUT(lane(QStringLiteral("lab"), QStringLiteral("checkout · ") + m_run->target()), QStringLiteral("CLOSED"), Timeout);
    QTRY_COMPARE_WITH_TIMEOUT(lane(QStringLiteral("payments"), QStringLiteral("paymentGateway · 127.0.0.1:") + QString::number(m_resilience4j->port())),
        QStringLiteral("CLOSED"), Timeout);
    QCOMPARE(m_service.state(), QStringLiteral("CLOSED"));
    QVERIFY2(m_fleet->sourceStatusText().contains(m_prometheus->url() + QStringLiteral(": 3 breakers")), qPrintable(m_fleet->sourceStatusText()));
    QVERIFY2(m_fleet->sourceStatusText().contains(m_service.hystrixUrl() + QStringLiteral(": 1 breakers")), qPrintable(m_fleet->sourceStatusText()));

    // The dependency fails: the service opens its breaker, and both lanes and the health dock
    // follow.
    QVERIFY(m_service.control(QStringLiteral("dependency=fail")));
    QTRY_COMPARE_WITH_TIMEOUT(m_service.state(), QStringLiteral("OPEN"), Timeout);
    QTRY_COMPARE_WITH_TIMEOUT(prometheusLane(), QStringLiteral("OPEN"), Timeout);
    QTRY_COMPARE_WITH_TIMEOUT(hystrixLane(), QStringLiteral("OPEN"), Timeout);
    QTRY_VERIFY2_WITH_TIMEOUT(m_window->healthText().contains(QStringLiteral("orders/inventory@") + m_service.target() + QStringLiteral(" OPEN"))
            && m_window->healthText().contains(QStringLiteral("orders/inventory OPEN")),
        qPrintable(m_window->healthText()), Timeout);
    QVERIFY(m_window->healthText().startsWith(QStringLiteral("Fleet degraded: ")));
    QVERIFY(m_window->findChild<QLabel *>(QStringLiteral("healthPanel"))->text().contains(QStringLiteral("orders/inventory OPEN")));

    // "Only not CLOSED", through its check box: the opossum lanes, not the Resilience4j one.
    auto *notClosed = m_fleet->findChild<QCheckBox *>(QStringLiteral("fleetNotClosed"));
    QTest::mouseClick(notClosed, Qt::LeftButton, {}, QPoint(5, notClosed->height() / 2));
    QVERIFY(m_fleet->filter().notClosedOnly);
    m_fleet->refresh();
    QCOMPARE(prometheusLane(), QStringLiteral("OPEN"));
    QCOMPARE(hystrixLane(), QStringLiteral("OPEN"));
    QVERIFY2(!serviceHeaders().contains(QStringLiteral("payments")), qPrintable(serviceHeaders().join(u' ')));
    QTest::mouseClick(notClosed, Qt::LeftButton, {}, QPoint(5, notClosed->height() / 2));
    QVERIFY(!m_fleet->filter().notClosedOnly);

    // It recovers while no call comes: after resetTimeout (2 s) the breaker waits HALF_OPEN for a
    // trial call. Prometheus shows it; the stream still says open (opossum-hystrix has no half).
    QVERIFY(m_service.control(QStringLiteral("dependency=ok&traffic=off")));
    QTRY_COMPARE_WITH_TIMEOUT(m_service.state(), QStringLiteral("HALF_OPEN"), Timeout);
    QTRY_COMPARE_WITH_TIMEOUT(prometheusLane(), QStringLiteral("HALF_OPEN"), Timeout);
    QCOMPARE(hystrixLane(), QStringLiteral("OPEN"));
    QCOMPARE(m_service.state(), QStringLiteral("HALF_OPEN"));

    // Calls again: the trial passes and the breaker closes, everywhere.
    QVERIFY(m_service.control(QStringLiteral("traffic=on")));
    QTRY_COMPARE_WITH_TIMEOUT(m_service.state(), QStringLiteral("CLOSED"), Timeout);
    QTRY_COMPARE_WITH_TIMEOUT(prometheusLane(), QStringLiteral("CLOSED"), Timeout);
    QTRY_COMPARE_WITH_TIMEOUT(hystrixLane(), QStringLiteral("CLOSED"), Timeout);
    QTRY_VERIFY2_WITH_TIMEOUT(!m_window->healthText().contains(QStringLiteral("orders/inventory")), qPrintable(m_window->healthText()), Timeout);
    QCOMPARE(m_service.state(), QStringLiteral("CLOSED"));
}

// A past range, read with query_range (the minute since Prometheus started, at 1 s steps): the
// Resilience4j bulkhead (10 of 25 calls) fills the bulkhead chart over the range, and the lanes
// hold the opossum breaker's OPEN stretch.
void tst_FleetWindowReal::bulkheadOverAPastRange()
{
    QSignalSpy loaded(m_fleet, &FleetView::historyLoaded);
    m_fleet->setRange(FleetView::Range::Picked, m_prometheusStartedMs, QDateTime::currentMSecsSinceEpoch());
    QVERIFY(loaded.wait(Timeout));
    for (const QString &error : loaded.first().first().toStringList()) // a stream keeps no history
        QVERIFY2(error.startsWith(m_service.hystrixUrl() + QStringLiteral(": ")), qPrintable(error));
    QCOMPARE(m_fleet->store().stepMs(), 1000);
    m_fleet->refresh();
    const QXYSeries *bulkhead = m_fleet->series(QStringLiteral("Bulkhead use"), QStringLiteral("concurrent calls / limit"));
    QVERIFY2(bulkhead, "the bulkhead chart says none reported");
    QVERIFY2(bulkhead->count() >= 5, qPrintable(QString::number(bulkhead->count())));
    for (const QPointF &p : bulkhead->points())
        QCOMPARE(p.y(), 40.0);

    bool sawOpen = false;
    for (const FleetLane &l : m_fleet->lanes()->lanes())
        if (l.label == QStringLiteral("inventory · ") + m_service.target())
            for (const FleetBand &b : l.bands)
                sawOpen = sawOpen || b.counts[std::size_t(CircuitState::Open)] > 0;
    QVERIFY(sawOpen);
}

// Prometheus stops: its source turns red with the reason, the Hystrix stream keeps updating (the
// breaker opens again and its lane follows), and the GUI thread keeps its pace throughout.
void tst_FleetWindowReal::prometheusDownKeepsTheStream()
{
    const QString url = m_prometheus->url();
    m_prometheus.reset();
    const EventLoopGap gap;

    QTRY_VERIFY2_WITH_TIMEOUT(m_fleet->sourceStatusText().contains(url + QStringLiteral(": <span style=\"color:#c62828\">")),
        qPrintable(m_fleet->sourceStatusText()), Timeout);
    QVERIFY2(m_fleet->sourceStatusText().contains(QStringLiteral("refused"), Qt::CaseInsensitive), qPrintable(m_fleet->sourceStatusText()));
    QTRY_VERIFY2_WITH_TIMEOUT(m_window->healthText().contains(QStringLiteral("source ") + url), qPrintable(m_window->healthText()), Timeout);
    QVERIFY(m_fleet->sourceStatusText().contains(m_service.hystrixUrl() + QStringLiteral(": 1 breakers")));

    QVERIFY(m_service.control(QStringLiteral("dependency=fail")));
    QTRY_COMPARE_WITH_TIMEOUT(m_service.state(), QStringLiteral("OPEN"), Timeout);
    QTRY_VERIFY2_WITH_TIMEOUT(hystrixLane() == QStringLiteral("OPEN"), qPrintable(lanes()), Timeout);
    // Prometheus's breakers keep their last figures.
    QCOMPARE(prometheusLane(), QStringLiteral("CLOSED"));
    QVERIFY(m_service.control(QStringLiteral("dependency=ok")));
    QVERIFY2(gap.worstMs() < 500, qPrintable(QString::number(gap.worstMs())));
}

QTEST_MAIN(tst_FleetWindowReal)
#include "tst_fleetwindowreal.moc"
