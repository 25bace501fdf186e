// The fleet through a real Prometheus on 127.0.0.1 (scraping every second): a paced
// `breakwater run --metrics-port`, two replicas of a Resilience4j service and a Polly service,
// whose expositions are written from those libraries' documented metric names (docs/formats.md,
// "Fleet monitoring"). The fleet's states must follow what each target itself says.
#include "fleet/fleetmonitor.h"
#include "fleet/prometheussource.h"
#include "runtime/wallscheduler.h"

#include "fixtureserver.h"
#include "monitoringtest.h"
#include "pacedrun.h"
#include "prometheusserver.h"
#include "resilience4jfixture.h"

#include <QElapsedTimer>
#include <QRegularExpression>

using namespace bw;
using namespace bw::test;

namespace {

// Polly v8's metering (Polly.Extensions) as the OpenTelemetry Prometheus exporter writes it:
// `resilience.polly.strategy.events` with its tags in snake case, and the pipeline duration
// histogram in milliseconds. The breaker's transitions are the test's to set.
struct PollyCounts
{
    int opened = 0, halfOpened = 0, closed = 0;
};

QByteArray pollyExposition(double seconds, const PollyCounts &c)
{
    QByteArray out = "# TYPE resilience_polly_strategy_events_total counter\n";
    const auto event = [&](const char *name, const char *severity, double value) {
        if (value > 0)
            out += "resilience_polly_strategy_events_total{event_name=\"" + QByteArray(name) + "\",event_severity=\""
                + severity + "\",pipeline_name=\"carrier-api\",pipeline_instance=\"\",strategy_name=\"\",operation_key=\"\"} "
                + QByteArray::number(value, 'f', 3) + "\n";
    };
    event("OnCircuitOpened", "Error", c.opened);
    event("OnCircuitHalfOpened", "Warning", c.halfOpened);
    event("OnCircuitClosed", "Information", c.closed);
    event("OnRetry", "Warning", 3 * seconds);
    out += "# TYPE resilience_polly_pipeline_duration_milliseconds histogram\n";
    const auto histogram = [&](const char *exception, double perSecond) {
        const QByteArray labels = "pipeline_name=\"carrier-api\",pipeline_instance=\"\",operation_key=\"\",exception_type=\""
            + QByteArray(exception) + "\"";
        const QByteArray n = QByteArray::number(perSecond * seconds, 'f', 3);
        out += "resilience_polly_pipeline_duration_milliseconds_bucket{" + labels + ",le=\"+Inf\"} " + n + "\n";
        out += "resilience_polly_pipeline_duration_milliseconds_sum{" + labels + "} "
            + QByteArray::number(perSecond * seconds * 20, 'f', 3) + "\n";
        out += "resilience_polly_pipeline_duration_milliseconds_count{" + labels + "} " + n + "\n";
    };
    histogram("", 12);
    histogram("System.Net.Http.HttpRequestException", 4);
    histogram("Polly.CircuitBreaker.BrokenCircuitException", 2);
    return out;
}

// The breaker states a Breakwater /metrics says are current.
QString breakwaterState(const QByteArray &exposition, const QString &name)
{
    static const QRegularExpression line(QStringLiteral("^circuit_breaker_state\\{name=\"([^\"]*)\",state=\"([a-z_]+)\"\\} 1$"),
        QRegularExpression::MultilineOption);
    for (auto it = line.globalMatch(QString::fromUtf8(exposition)); it.hasNext();) {
        const QRegularExpressionMatch m = it.next();
        if (m.captured(1) == name)
            return m.captured(2).toUpper();
    }
    return {};
}

} // namespace

class tst_FleetPrometheus : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void followsThePacedRun();
    void resilience4jReplicasAndPolly();
    void historyOfTheRun();

private:
    const BreakerReading *reading(const QString &service, const QString &name, const QString &instance = {}) const;

    QElapsedTimer m_clock;
    std::unique_ptr<FixtureServer> m_r4jA, m_r4jB, m_polly;
    QString m_r4jAState = QStringLiteral("closed");
    PollyCounts m_pollyCounts;
    std::unique_ptr<PacedRun> m_run;
    std::unique_ptr<PrometheusServer> m_prometheus;
    std::unique_ptr<WallScheduler> m_scheduler;
    std::unique_ptr<FleetMonitor> m_monitor;
    PrometheusSource *m_source = nullptr;
    QStringList m_fleetStates, m_runStates; // the checkout breaker's, in the order seen
};

void tst_FleetPrometheus::initTestCase()
{
    m_clock.start();
    const auto seconds = [this] { return double(m_clock.elapsed()) / 1000.0; };
    m_r4jA = std::make_unique<FixtureServer>([this, seconds](const QByteArray &) {
        return FixtureReply { FixtureReply::Behaviour::Answer, 200, "text/plain; version=0.0.4", resilience4jExposition(seconds(), m_r4jAState) };
    });
    m_r4jB = std::make_unique<FixtureServer>([seconds](const QByteArray &) {
        return FixtureReply { FixtureReply::Behaviour::Answer, 200, "text/plain; version=0.0.4", resilience4jExposition(seconds(), QStringLiteral("closed")) };
    });
    m_polly = std::make_unique<FixtureServer>([this, seconds](const QByteArray &) {
        return FixtureReply { FixtureReply::Behaviour::Answer, 200, "text/plain; version=0.0.4", pollyExposition(seconds(), m_pollyCounts) };
    });

    // outage-and-recovery at 5 × real time: the payments outage (30 s to 50 s) from 6 s to 10 s
    // of the 24 s run.
    m_run = std::make_unique<PacedRun>(QStringLiteral("outage-and-recovery"), 5);
    QVERIFY(m_run->waitForStarted());

    const auto local = [](quint16 port) { return QStringLiteral("127.0.0.1:") + QString::number(port); };
    m_prometheus = std::make_unique<PrometheusServer>(QList<PrometheusServer::Job> {
        { QStringLiteral("lab"), { m_run->target() } },
        { QStringLiteral("payments"), { local(m_r4jA->port()), local(m_r4jB->port()) } },
        { QStringLiteral("shipping"), { local(m_polly->port()) } } });
    QVERIFY2(m_prometheus->waitReady(), qPrintable(m_prometheus->error()));

    m_scheduler = std::make_unique<WallScheduler>();
    m_monitor = std::make_unique<FleetMonitor>(*m_scheduler, std::chrono::milliseconds(500));
    PrometheusSourceOptions options;
    options.url = QUrl(m_prometheus->url());
    options.rateWindow = std::chrono::seconds(5);
    options.stateWindow = std::chrono::minutes(2);
    m_source = static_cast<PrometheusSource *>(&m_monitor->addSource(std::make_unique<PrometheusSource>(*m_scheduler, options)));
    m_monitor->setUpdateCallback([this](const FleetSnapshot &) {
        if (const BreakerReading *r = reading(QStringLiteral("lab"), QStringLiteral("checkout")); r && r->state) {
            const QString state = circuitStateName(*r->state);
            if (m_fleetStates.isEmpty() || m_fleetStates.last() != state)
                m_fleetStates.append(state);
        }
    });
    m_monitor->start();
}

void tst_FleetPrometheus::cleanupTestCase()
{
    m_monitor.reset();
    m_run.reset();
    m_prometheus.reset();
}

const BreakerReading *tst_FleetPrometheus::reading(const QString &service, const QString &name, const QString &instance) const
{
    for (const BreakerReading &r : m_monitor->snapshot().breakers)
        if (r.id.service == service && r.id.name == name && (instance.isEmpty() || r.id.instance == instance))
            return &r;
    return nullptr;
}

// The run's breaker opens in the outage and closes after it; the fleet sees the same states in
// the same order, each after the run itself showed it.
void tst_FleetPrometheus::followsThePacedRun()
{
    const QUrl metrics(QStringLiteral("http://127.0.0.1:%1/metrics").arg(m_run->port()));
    const auto recordRun = [&] {
        const QString state = breakwaterState(httpGet(metrics, 2000).body, QStringLiteral("checkout"));
        if (!state.isEmpty() && (m_runStates.isEmpty() || m_runStates.last() != state))
            m_runStates.append(state);
    };
    const auto sawReopenedAndClosed = [&] {
        recordRun();
        const qsizetype open = m_fleetStates.indexOf(QStringLiteral("OPEN"));
        return open > 0 && m_fleetStates.last() == QStringLiteral("CLOSED");
    };
    QTRY_VERIFY2_WITH_TIMEOUT(sawReopenedAndClosed(),
        qPrintable(QStringLiteral("fleet: %1; run: %2; source: %3")
                .arg(m_fleetStates.join(u' '), m_runStates.join(u' '), m_source->status().error)), 40000);
    QCOMPARE(m_fleetStates.first(), QStringLiteral("CLOSED"));
    // The fleet's OPEN and CLOSED periods are the run's, in the same order. HALF_OPEN is left
    // out of the comparison: it lasts one trial call here, so a scrape may catch one that the
    // test's own polling of /metrics missed, or the reverse.
    const auto periods = [](const QStringList &states) {
        QStringList out;
        for (const QString &s : states)
            if (s != QStringLiteral("HALF_OPEN") && (out.isEmpty() || out.last() != s))
                out.append(s);
        return out;
    };
    qInfo("fleet: %s; run: %s", qPrintable(m_fleetStates.join(u' ')), qPrintable(m_runStates.join(u' ')));
    const QStringList fleet = periods(m_fleetStates);
    const QStringList run = periods(m_runStates);
    QVERIFY2(fleet.size() >= 3 && run.mid(0, fleet.size()) == fleet,
        qPrintable(QStringLiteral("fleet: %1; run: %2").arg(m_fleetStates.join(u' '), m_runStates.join(u' '))));
    const BreakerReading *r = reading(QStringLiteral("lab"), QStringLiteral("checkout"));
    QVERIFY(r);
    QCOMPARE(r->id.library, FleetLibrary::Breakwater);
    QCOMPARE(r->id.instance, QStringLiteral("127.0.0.1:") + QString::number(m_run->port()));
    QVERIFY(r->callsPerSecond > 0);
    QVERIFY(hasFigure(r->failureRatePercent));
    QVERIFY(m_source->status().reachable);
    QVERIFY(m_source->status().lastGoodRefresh);
}

void tst_FleetPrometheus::resilience4jReplicasAndPolly()
{
    m_r4jAState = QStringLiteral("open");
    const QString a = QStringLiteral("127.0.0.1:") + QString::number(m_r4jA->port());
    QTRY_VERIFY_WITH_TIMEOUT(reading(QStringLiteral("payments"), QStringLiteral("paymentGateway"), a)
            && reading(QStringLiteral("payments"), QStringLiteral("paymentGateway"), a)->state == CircuitState::Open,
        20000);
    const BreakerReading &r = *reading(QStringLiteral("payments"), QStringLiteral("paymentGateway"), a);
    QCOMPARE(r.id.library, FleetLibrary::Resilience4j);
    QVERIFY2(qAbs(r.callsPerSecond - 55) < 55 * 0.15, qPrintable(QString::number(r.callsPerSecond)));
    QVERIFY2(qAbs(r.rejectedPerSecond - 5) < 5 * 0.15, qPrintable(QString::number(r.rejectedPerSecond)));
    QVERIFY2(qAbs(r.retriedCallsPerSecond - 2) < 2 * 0.15, qPrintable(QString::number(r.retriedCallsPerSecond)));
    QVERIFY2(qAbs(r.meanLatencyMs - 50) < 1, qPrintable(QString::number(r.meanLatencyMs)));
    QCOMPARE(r.failureRatePercent, 20.0);
    QCOMPARE(r.slowCallRatePercent, 5.0);
    QCOMPARE(r.bulkheadUsed, 10.0);
    QCOMPARE(r.bulkheadMax, 25.0);

    std::vector<BreakerReading> payments;
    for (const BreakerReading &b : m_monitor->snapshot().breakers)
        if (b.id.service == QStringLiteral("payments"))
            payments.push_back(b);
    const std::vector<ReplicaGroup> groups = groupReplicas(payments);
    QCOMPARE(groups.size(), 1u);
    QCOMPARE(groups[0].stateSummary(), QStringLiteral("1 of 2 replicas OPEN"));

    // Polly's breaker appears with its first transition and follows each one.
    const auto pollyState = [&]() -> QString {
        const BreakerReading *p = reading(QStringLiteral("shipping"), QStringLiteral("carrier-api"));
        return p && p->state ? QString(circuitStateName(*p->state)) : QString();
    };
    m_pollyCounts.opened = 1;
    QTRY_COMPARE_WITH_TIMEOUT(pollyState(), QStringLiteral("OPEN"), 20000);
    m_pollyCounts.halfOpened = 1;
    QTRY_COMPARE_WITH_TIMEOUT(pollyState(), QStringLiteral("HALF_OPEN"), 20000);
    m_pollyCounts.closed = 1;
    QTRY_COMPARE_WITH_TIMEOUT(pollyState(), QStringLiteral("CLOSED"), 20000);
    const BreakerReading *p = reading(QStringLiteral("shipping"), QStringLiteral("carrier-api"));
    QCOMPARE(p->id.library, FleetLibrary::Polly);
    QVERIFY2(qAbs(p->callsPerSecond - 18) < 18 * 0.15, qPrintable(QString::number(p->callsPerSecond)));
    QVERIFY2(qAbs(p->rejectedPerSecond - 2) < 2 * 0.15, qPrintable(QString::number(p->rejectedPerSecond)));
    QVERIFY2(qAbs(p->failureRatePercent - 25) < 2, qPrintable(QString::number(p->failureRatePercent)));
    QCOMPARE(p->meanLatencyMs, 20.0);
}

// query_range over the run: OPEN steps in the outage, calls in every step that the run served;
// the Resilience4j services' bulkhead figures at every step.
void tst_FleetPrometheus::historyOfTheRun()
{
    std::optional<FleetHistory> history;
    QString error;
    const std::int64_t to = QDateTime::currentMSecsSinceEpoch();
    m_source->fetchHistory(m_run->startedMs(), to, std::chrono::seconds(1), [&](const FleetHistory &h, const QString &e) {
        history = h;
        error = e;
    });
    QTRY_VERIFY_WITH_TIMEOUT(history.has_value(), 20000);
    QVERIFY2(error.isEmpty(), qPrintable(error));
    const BreakerSeries *checkout = nullptr;
    for (const BreakerSeries &s : history->series)
        if (s.id.name == QStringLiteral("checkout"))
            checkout = &s;
    QVERIFY(checkout);
    int open = 0, withCalls = 0;
    for (const HistoryPoint &p : checkout->points) {
        open += p.state == CircuitState::Open;
        withCalls += hasFigure(p.callsPerSecond) && p.callsPerSecond > 0;
    }
    QVERIFY2(open >= 2, qPrintable(QString::number(open)));
    QVERIFY2(withCalls >= 5, qPrintable(QString::number(withCalls)));
    QVERIFY(checkout->points.front().timeMs >= m_run->startedMs() - 1000);
    // Each Resilience4j replica's bulkhead at every step it was scraped: 10 of its 25 calls held.
    int withBulkhead = 0;
    for (const BreakerSeries &s : history->series) {
        if (s.id.library != FleetLibrary::Resilience4j)
            continue;
        for (const HistoryPoint &p : s.points) {
            QVERIFY2(hasFigure(p.bulkheadMax), qPrintable(s.id.displayName()));
            QCOMPARE(p.bulkheadMax, 25.0);
            QCOMPARE(p.bulkheadUsed, 10.0);
            ++withBulkhead;
        }
    }
    QVERIFY2(withBulkhead >= 10, qPrintable(QString::number(withBulkhead)));

    // /api/v1/series: the label sets of the run's state series over the same range.
    std::optional<std::vector<QVariantMap>> series;
    m_source->fetchSeries(QStringLiteral("circuit_breaker_state{job=\"lab\"}"), m_run->startedMs(), to,
        [&](const std::vector<QVariantMap> &s, const QString &e) {
            series = s;
            error = e;
        });
    QTRY_VERIFY_WITH_TIMEOUT(series.has_value(), 20000);
    QVERIFY2(error.isEmpty(), qPrintable(error));
    QCOMPARE(int(series->size()), CircuitStateCount); // one per state label
    for (const QVariantMap &labels : *series) {
        QCOMPARE(labels.value(QStringLiteral("name")).toString(), QStringLiteral("checkout"));
        QCOMPARE(labels.value(QStringLiteral("__name__")).toString(), QStringLiteral("circuit_breaker_state"));
    }
}

QTEST_GUILESS_MAIN(tst_FleetPrometheus)
#include "tst_fleetprometheus.moc"
