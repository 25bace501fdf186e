// The fleet model without a network: Prometheus answers (as the HTTP API writes them) read into
// readings and histories, opossum's and Polly's states derived from their event counters, and
// a service's replicas grouped, and a breaker's history made a trace and a policy (the twin).
#include "fleet/fleetmodel.h"
#include "fleet/fleetmonitor.h"
#include "fleet/fleettwin.h"
#include "fleet/prometheusfleet.h"
#include "resilience/policyloader.h"
#include "resilience/policywriter.h"
#include "runtime/virtualscheduler.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

using namespace bw;

namespace {

const QString Source = QStringLiteral("http://prometheus:9090");

struct Series
{
    QJsonObject labels;
    double value;
};

QJsonObject labels(std::initializer_list<std::pair<const char *, const char *>> pairs)
{
    QJsonObject o;
    for (const auto &[k, v] : pairs)
        o.insert(QLatin1StringView(k), QLatin1StringView(v));
    return o;
}

// An instant query's answer: a vector at t = 1700000000.
QByteArray vector(const QList<Series> &series)
{
    QJsonArray result;
    for (const Series &s : series)
        result.append(QJsonObject { { QStringLiteral("metric"), s.labels },
            { QStringLiteral("value"), QJsonArray { 1700000000.0, QString::number(s.value) } } });
    return QJsonDocument(QJsonObject { { QStringLiteral("status"), QStringLiteral("success") },
                             { QStringLiteral("data"), QJsonObject { { QStringLiteral("resultType"), QStringLiteral("vector") },
                                                           { QStringLiteral("result"), result } } } })
        .toJson(QJsonDocument::Compact);
}

// A matrix answer: each series' samples as (seconds, value).
QByteArray matrix(const QList<std::pair<QJsonObject, QList<std::pair<double, double>>>> &series)
{
    QJsonArray result;
    for (const auto &[metric, samples] : series) {
        QJsonArray values;
        for (const auto &[t, v] : samples)
            values.append(QJsonArray { t, QString::number(v) });
        result.append(QJsonObject { { QStringLiteral("metric"), metric }, { QStringLiteral("values"), values } });
    }
    return QJsonDocument(QJsonObject { { QStringLiteral("status"), QStringLiteral("success") },
                             { QStringLiteral("data"), QJsonObject { { QStringLiteral("resultType"), QStringLiteral("matrix") },
                                                           { QStringLiteral("result"), result } } } })
        .toJson(QJsonDocument::Compact);
}

// A source that answers at once: its breakers, or a failure when told.
class FakeSource final : public FleetSource
{
public:
    FakeSource(const Clock &clock, const QString &url, std::vector<BreakerReading> readings)
        : FleetSource(url), m_clock(clock), m_readings(std::move(readings)) { }
    void refresh() override
    {
        ++refreshes;
        if (failWith.isEmpty())
            succeed(m_readings, m_clock.now());
        else
            fail(failWith);
    }
    bool refreshing() const override { return false; }
    void fetchHistory(std::int64_t, std::int64_t, Duration, HistoryCallback done) override { done({}, QStringLiteral("none")); }

    int refreshes = 0;
    QString failWith;

private:
    const Clock &m_clock;
    std::vector<BreakerReading> m_readings;
};

BreakerReading breaker(const QString &source, const QString &service, const QString &name, CircuitState state)
{
    BreakerReading r;
    r.id = { source, FleetLibrary::Breakwater, service, QStringLiteral("i"), name };
    r.state = state;
    return r;
}

} // namespace

class tst_FleetModel : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void statesFromEventCounters_data();
    void statesFromEventCounters();
    void resilience4jFigures();
    void breakwaterFigures();
    void opossumFigures();
    void pollyFigures();
    void retriesAndBulkheadsAloneAreNoBreaker();
    void answersThatAreNotPrometheus_data();
    void answersThatAreNotPrometheus();
    void refreshQueriesAreBoundedAndNamed();
    void replicasGrouped();
    void historyFromRangeAnswers();
    void historyHasTheBulkheads();
    void stateNamesRoundTrip();
    void monitorRefreshesOnItsScheduler();
    void twinTraceKeepsTheCalls();
    void libraryDefaultsArePolicies_data();
    void libraryDefaultsArePolicies();
};

// Each row: counter samples (open, halfOpen, close cumulative), the state after the last one.
void tst_FleetModel::statesFromEventCounters_data()
{
    QTest::addColumn<QList<QList<double>>>("samples");
    QTest::addColumn<QString>("state");
    QTest::addRow("never opened") << QList<QList<double>> { { 0, 0, 0 } } << "CLOSED";
    QTest::addRow("opened") << QList<QList<double>> { { 0, 0, 0 }, { 1, 0, 0 } } << "OPEN";
    QTest::addRow("half-opened") << QList<QList<double>> { { 1, 0, 0 }, { 1, 1, 0 } } << "HALF_OPEN";
    QTest::addRow("closed after a trial") << QList<QList<double>> { { 1, 1, 0 }, { 1, 1, 1 } } << "CLOSED";
    QTest::addRow("trial failed") << QList<QList<double>> { { 1, 1, 0 }, { 2, 1, 0 } } << "OPEN";
    // Within one scrape interval: halfOpen then close (the trial passed at once).
    QTest::addRow("half-open and closed in one interval") << QList<QList<double>> { { 1, 0, 0 }, { 1, 1, 1 } } << "CLOSED";
    // Closed, then failing again within the interval: the breaker's own order puts close first.
    QTest::addRow("closed and re-opened in one interval") << QList<QList<double>> { { 1, 1, 0 }, { 2, 1, 1 } } << "OPEN";
    // Lifetime totals at the first sample: four whole cycles and one more open and half-open.
    QTest::addRow("first sample, from the counters' zero") << QList<QList<double>> { { 5, 5, 4 } } << "HALF_OPEN";
    // halfOpen not counted (opossum-prometheus counts only events that had a listener).
    QTest::addRow("halfOpen never counted") << QList<QList<double>> { { 1, 0, 0 }, { 1, 0, 1 } } << "CLOSED";
    // The service restarted: its counters and its breaker start again.
    QTest::addRow("counter reset") << QList<QList<double>> { { 3, 2, 2 }, { 0, 0, 0 } } << "CLOSED";
    QTest::addRow("reset then opened") << QList<QList<double>> { { 3, 3, 3 }, { 1, 0, 0 } } << "OPEN";
}

void tst_FleetModel::statesFromEventCounters()
{
    QFETCH(QList<QList<double>>, samples);
    QFETCH(QString, state);
    std::vector<StateEventSample> s;
    std::int64_t t = 0;
    for (const QList<double> &v : samples)
        s.push_back({ t += 1000, v[0], v[1], v[2] });
    const std::optional<CircuitState> derived = stateFromEventCounters(s);
    QVERIFY(derived);
    QCOMPARE(QString(circuitStateName(*derived)), state);
}

void tst_FleetModel::resilience4jFigures()
{
    PrometheusSnapshotBuilder b(Source);
    QString error;
    const QJsonObject a = labels({ { "job", "payments" }, { "instance", "10.0.0.1:8080" }, { "name", "gateway" } });
    auto with = [](QJsonObject o, const char *k, const char *v) { o.insert(QLatin1StringView(k), QLatin1StringView(v)); return o; };
    QVERIFY(b.add(PrometheusFigure::Resilience4jState, vector({ { with(a, "state", "open"), 1 } }), &error));
    QVERIFY(b.add(PrometheusFigure::Resilience4jCalls,
        vector({ { with(a, "kind", "successful"), 30 }, { with(a, "kind", "failed"), 10 }, { with(a, "kind", "ignored"), 2 } }), &error));
    QVERIFY(b.add(PrometheusFigure::Resilience4jNotPermitted, vector({ { a, 8 } }), &error));
    QVERIFY(b.add(PrometheusFigure::Resilience4jFailureRate, vector({ { a, 25 } }), &error));
    QVERIFY(b.add(PrometheusFigure::Resilience4jSlowCallRate, vector({ { a, -1 } }), &error));
    QVERIFY(b.add(PrometheusFigure::Resilience4jRetryCalls,
        vector({ { with(a, "kind", "successful_with_retry"), 3 }, { with(a, "kind", "successful_without_retry"), 27 } }), &error));
    QVERIFY(b.add(PrometheusFigure::Resilience4jBulkheadAvailable, vector({ { a, 15 } }), &error));
    QVERIFY(b.add(PrometheusFigure::Resilience4jBulkheadMax, vector({ { a, 25 } }), &error));
    QVERIFY(b.add(PrometheusFigure::Resilience4jLatency, vector({ { a, 0.120 } }), &error));
    const std::vector<BreakerReading> r = b.readings();
    QCOMPARE(r.size(), 1u);
    const BreakerReading &g = r.front();
    QCOMPARE(g.id.source, Source);
    QCOMPARE(g.id.library, FleetLibrary::Resilience4j);
    QCOMPARE(g.id.service, QStringLiteral("payments"));
    QCOMPARE(g.id.instance, QStringLiteral("10.0.0.1:8080"));
    QCOMPARE(g.id.displayName(), QStringLiteral("payments/gateway@10.0.0.1:8080"));
    QCOMPARE(g.state, CircuitState::Open);
    QCOMPARE(g.callsPerSecond, 50.0); // 42 permitted + 8 refused
    QCOMPARE(g.rejectedPerSecond, 8.0);
    QCOMPARE(g.failureRatePercent, 25.0);
    QVERIFY(!hasFigure(g.slowCallRatePercent)); // -1: not enough calls yet
    QCOMPARE(g.retriedCallsPerSecond, 3.0);
    QCOMPARE(g.callsPerSecondByOutcome[std::size_t(Outcome::Success)], 30.0);
    QCOMPARE(g.callsPerSecondByOutcome[std::size_t(Outcome::Failure)], 12.0);
    QCOMPARE(g.callsPerSecondByOutcome[std::size_t(Outcome::CircuitOpen)], 8.0);
    QVERIFY(!hasFigure(g.callsPerSecondByOutcome[std::size_t(Outcome::Timeout)]));
    QCOMPARE(g.bulkheadUsed, 10.0);
    QCOMPARE(g.bulkheadMax, 25.0);
    QCOMPARE(g.meanLatencyMs, 120.0);
}

void tst_FleetModel::breakwaterFigures()
{
    PrometheusSnapshotBuilder b(Source);
    QString error;
    const QJsonObject a = labels({ { "job", "lab" }, { "instance", "127.0.0.1:9464" }, { "name", "checkout" } });
    auto with = [](QJsonObject o, const char *k, const char *v) { o.insert(QLatin1StringView(k), QLatin1StringView(v)); return o; };
    QVERIFY(b.add(PrometheusFigure::BreakwaterState, vector({ { with(a, "state", "half_open"), 1 } }), &error));
    QVERIFY(b.add(PrometheusFigure::BreakwaterCalls,
        vector({ { with(a, "result", "success"), 9 }, { with(a, "result", "failure"), 1 }, { with(a, "result", "rejected"), 5 } }), &error));
    QVERIFY(b.add(PrometheusFigure::BreakwaterFailureRate, vector({ { a, 0.1 } }), &error));
    QVERIFY(b.add(PrometheusFigure::BreakwaterOutcomes,
        vector({ { with(a, "outcome", "success"), 9 }, { with(a, "outcome", "timeout"), 1 }, { with(a, "outcome", "circuit_open"), 5 } }), &error));
    QVERIFY(b.add(PrometheusFigure::BreakwaterRetries, vector({ { a, 2 } }), &error));
    QVERIFY(b.add(PrometheusFigure::BreakwaterBulkheadActive, vector({ { a, 3 } }), &error));
    const std::vector<BreakerReading> r = b.readings();
    QCOMPARE(r.size(), 1u);
    QCOMPARE(r[0].state, CircuitState::HalfOpen);
    QCOMPARE(r[0].callsPerSecond, 15.0);
    QCOMPARE(r[0].rejectedPerSecond, 5.0);
    QCOMPARE(r[0].failureRatePercent, 10.0);
    QCOMPARE(r[0].retriedCallsPerSecond, 2.0);
    QCOMPARE(r[0].callsPerSecondByOutcome[std::size_t(Outcome::Timeout)], 1.0);
    QCOMPARE(r[0].callsPerSecondByOutcome[std::size_t(Outcome::CircuitOpen)], 5.0);
    QCOMPARE(r[0].bulkheadUsed, 3.0);
    QVERIFY(!hasFigure(r[0].bulkheadMax)); // Breakwater exports no limit
    QVERIFY(!hasFigure(r[0].slowCallRatePercent));
}

void tst_FleetModel::opossumFigures()
{
    PrometheusSnapshotBuilder b(Source);
    QString error;
    const QJsonObject a = labels({ { "job", "orders" }, { "instance", "127.0.0.1:3000" }, { "name", "inventory" } });
    auto event = [&](const char *e) { QJsonObject o = a; o.insert(QStringLiteral("event"), QLatin1StringView(e)); o.insert(QStringLiteral("__name__"), QStringLiteral("circuit")); return o; };
    QVERIFY(b.add(PrometheusFigure::OpossumEventRates,
        vector({ { event("fire"), 20 }, { event("success"), 12 }, { event("failure"), 4 }, { event("timeout"), 1 },
            { event("reject"), 4 }, { event("fallback"), 8 } }), &error));
    // Scrapes 1 s apart: opened at the 2nd, half-opened at the 4th.
    QVERIFY(b.add(PrometheusFigure::OpossumStateEvents,
        matrix({ { event("open"), { { 1.0, 0 }, { 2.0, 1 }, { 3.0, 1 }, { 4.0, 1 } } },
            { event("halfOpen"), { { 4.0, 1 } } } }), &error));
    QVERIFY(b.add(PrometheusFigure::OpossumLatency, vector({ { a, 35 } }), &error));
    std::vector<BreakerReading> r = b.readings();
    QCOMPARE(r.size(), 1u);
    QCOMPARE(r[0].id.library, FleetLibrary::Opossum);
    QCOMPARE(r[0].state, CircuitState::HalfOpen);
    QCOMPARE(r[0].callsPerSecond, 20.0);
    QCOMPARE(r[0].rejectedPerSecond, 4.0);
    QCOMPARE(r[0].failureRatePercent, 25.0); // 4 failures of 16 calls that ran
    QCOMPARE(r[0].meanLatencyMs, 35.0);
    QCOMPARE(r[0].callsPerSecondByOutcome[std::size_t(Outcome::Fallback)], 8.0);

    // A circuit that never changed state has no event series: CLOSED, not unknown.
    PrometheusSnapshotBuilder quiet(Source);
    QVERIFY(quiet.add(PrometheusFigure::OpossumEventRates, vector({ { event("fire"), 1 } }), &error));
    QVERIFY(quiet.add(PrometheusFigure::OpossumStateEvents, matrix({}), &error));
    r = quiet.readings();
    QCOMPARE(r.size(), 1u);
    QCOMPARE(r[0].state, CircuitState::Closed);
}

void tst_FleetModel::pollyFigures()
{
    PrometheusSnapshotBuilder b(Source);
    QString error;
    const QJsonObject p = labels({ { "job", "shipping" }, { "instance", "127.0.0.1:5000" }, { "pipeline_name", "carrier-api" } });
    auto with = [](QJsonObject o, const char *k, const char *v) { o.insert(QLatin1StringView(k), QLatin1StringView(v)); return o; };
    QVERIFY(b.add(PrometheusFigure::PollyStateEvents,
        matrix({ { with(p, "event_name", "OnCircuitOpened"), { { 10, 1 }, { 11, 1 } } },
            { with(p, "event_name", "OnCircuitHalfOpened"), { { 11, 1 } } },
            { with(p, "event_name", "OnCircuitClosed"), { { 11, 1 } } } }), &error));
    QVERIFY(b.add(PrometheusFigure::PollyEventRates, vector({ { with(p, "event_name", "OnRetry"), 2 } }), &error));
    QVERIFY(b.add(PrometheusFigure::PollyCalls,
        vector({ { with(p, "exception_type", ""), 6 }, { with(p, "exception_type", "System.Net.Http.HttpRequestException"), 2 },
            { with(p, "exception_type", "Polly.CircuitBreaker.BrokenCircuitException"), 1 } }), &error));
    const std::vector<BreakerReading> r = b.readings();
    QCOMPARE(r.size(), 1u);
    QCOMPARE(r[0].id.name, QStringLiteral("carrier-api"));
    QCOMPARE(r[0].id.library, FleetLibrary::Polly);
    QCOMPARE(r[0].state, CircuitState::Closed);
    QCOMPARE(r[0].callsPerSecond, 9.0);
    QCOMPARE(r[0].rejectedPerSecond, 1.0);
    QCOMPARE(r[0].retriedCallsPerSecond, 2.0);
    QCOMPARE(r[0].failureRatePercent, 25.0);
}

void tst_FleetModel::retriesAndBulkheadsAloneAreNoBreaker()
{
    PrometheusSnapshotBuilder b(Source);
    QString error;
    const QJsonObject a = labels({ { "job", "payments" }, { "instance", "x" }, { "name", "onlyARetry" } });
    QVERIFY(b.add(PrometheusFigure::Resilience4jRetryCalls, vector({ { a, 1 } }), &error));
    QVERIFY(b.add(PrometheusFigure::Resilience4jBulkheadMax, vector({ { a, 10 } }), &error));
    QVERIFY(b.readings().empty());
}

void tst_FleetModel::answersThatAreNotPrometheus_data()
{
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<QString>("error");
    QTest::addRow("html") << QByteArray("<html><body>Grafana</body></html>") << "not a Prometheus API answer";
    QTest::addRow("exposition text") << QByteArray("# TYPE up gauge\nup 1\n") << "not a Prometheus API answer";
    QTest::addRow("truncated") << vector({ { labels({ { "name", "x" } }), 1 } }).chopped(5) << "not a Prometheus API answer";
    QTest::addRow("other JSON") << QByteArray(R"({"breakers": []})") << "not a Prometheus API answer";
    QTest::addRow("an error answer") << QByteArray(R"({"status":"error","errorType":"bad_data","error":"parse error at char 5"})")
                                     << "Prometheus answered bad_data: parse error at char 5";
    QTest::addRow("a matrix for an instant query") << matrix({}) << "Prometheus answered a matrix, expected a vector";
}

void tst_FleetModel::answersThatAreNotPrometheus()
{
    QFETCH(QByteArray, body);
    QFETCH(QString, error);
    PrometheusSnapshotBuilder b(Source);
    QString said;
    QVERIFY(!b.add(PrometheusFigure::BreakwaterState, body, &said));
    QVERIFY2(said.startsWith(error), qPrintable(said));
}

void tst_FleetModel::refreshQueriesAreBoundedAndNamed()
{
    const std::vector<PrometheusQuery> q = prometheusRefreshQueries(std::chrono::seconds(60), std::chrono::minutes(10));
    QCOMPARE(int(q.size()), PrometheusFigureCount); // one per figure, whatever the fleet's size
    for (int i = 0; i < PrometheusFigureCount; ++i)
        QCOMPARE(q[std::size_t(i)].figure, PrometheusFigure(i));
    QVERIFY(q[std::size_t(PrometheusFigure::Resilience4jCalls)].promql.contains(QStringLiteral("[60s]")));
    QVERIFY(q[std::size_t(PrometheusFigure::OpossumStateEvents)].promql.endsWith(QStringLiteral("[600s]")));
    const std::vector<PrometheusQuery> h = prometheusHistoryQueries(std::chrono::seconds(120), std::chrono::seconds(60));
    QVERIFY(h[std::size_t(PrometheusFigure::Resilience4jCalls)].promql.contains(QStringLiteral("[120s]")));
    QVERIFY(!h[std::size_t(PrometheusFigure::OpossumStateEvents)].promql.contains(u'['));
}

void tst_FleetModel::replicasGrouped()
{
    std::vector<BreakerReading> readings;
    const CircuitState states[] = { CircuitState::Open, CircuitState::Closed, CircuitState::Open, CircuitState::Closed,
        CircuitState::Closed, CircuitState::Open, CircuitState::Closed, CircuitState::Closed };
    for (int i = 0; i < 8; ++i) {
        BreakerReading r;
        r.id = { Source, FleetLibrary::Resilience4j, QStringLiteral("payments"), QStringLiteral("10.0.0.%1:8080").arg(i), QStringLiteral("gateway") };
        r.state = states[i];
        r.callsPerSecond = i == 0 ? 30 : 10;
        r.failureRatePercent = i == 0 ? 80 : 0;
        r.bulkheadMax = 25;
        readings.push_back(r);
    }
    BreakerReading single;
    single.id = { Source, FleetLibrary::Breakwater, QStringLiteral("lab"), QStringLiteral("127.0.0.1:1"), QStringLiteral("checkout") };
    single.state = CircuitState::Closed;
    readings.push_back(single);

    const std::vector<ReplicaGroup> groups = groupReplicas(readings);
    QCOMPARE(groups.size(), 2u);
    const ReplicaGroup &lab = groups[0];
    const ReplicaGroup &pay = groups[1];
    QCOMPARE(lab.stateSummary(), QStringLiteral("1 replica CLOSED"));
    QCOMPARE(pay.replicas(), 8);
    QCOMPARE(pay.stateSummary(), QStringLiteral("3 of 8 replicas OPEN"));
    QCOMPARE(pay.merged.state, CircuitState::Open);
    QVERIFY(pay.merged.id.instance.isEmpty());
    QCOMPARE(pay.merged.callsPerSecond, 100.0);
    QCOMPARE(pay.merged.failureRatePercent, 24.0); // 80 % of 30 calls/s among 100
    QCOMPARE(pay.merged.bulkheadMax, 200.0);
    QCOMPARE(pay.replicasInState[std::size_t(CircuitState::Closed)], 5);
}

void tst_FleetModel::historyFromRangeAnswers()
{
    PrometheusHistoryBuilder b(Source, 1000000, 1004000, std::chrono::seconds(1));
    QString error;
    const QJsonObject a = labels({ { "job", "orders" }, { "instance", "i" }, { "name", "inventory" } });
    auto event = [&](const char *e) { QJsonObject o = a; o.insert(QStringLiteral("event"), QLatin1StringView(e)); return o; };
    QVERIFY(b.add(PrometheusFigure::OpossumEventRates,
        matrix({ { event("fire"), { { 1000, 10 }, { 1001, 10 }, { 1002, 10 }, { 1003, 10 } } },
            { event("failure"), { { 1000, 0 }, { 1001, 6 }, { 1002, 0 }, { 1003, 0 } } },
            { event("reject"), { { 1000, 0 }, { 1001, 0 }, { 1002, 10 }, { 1003, 0 } } } }), &error));
    QVERIFY(b.add(PrometheusFigure::OpossumStateEvents,
        matrix({ { event("open"), { { 1000, 0 }, { 1001, 1 }, { 1002, 1 }, { 1003, 1 } } },
            { event("halfOpen"), { { 1003, 1 } } }, { event("close"), { { 1003, 1 } } } }), &error));
    const FleetHistory h = b.history();
    QCOMPARE(h.series.size(), 1u);
    const BreakerSeries &s = h.series[0];
    QCOMPARE(s.points.size(), 4u);
    QCOMPARE(s.points[0].timeMs, 1000000);
    QCOMPARE(s.points[0].state, CircuitState::Closed);
    QCOMPARE(s.points[1].state, CircuitState::Open);
    QCOMPARE(s.points[1].failuresPerSecond, 6.0);
    QCOMPARE(s.points[2].state, CircuitState::Open);
    QCOMPARE(s.points[2].rejectedPerSecond, 10.0);
    QCOMPARE(s.points[3].state, CircuitState::Closed);
    QVERIFY(!hasFigure(s.points[3].bulkheadUsed)); // opossum exports no bulkhead
    QVERIFY(h.find(s.id) == &s);
}

// A bulkhead's figures at each step, as a live reading has them: Resilience4j's used = max −
// available, Breakwater's used alone (it exports no limit).
void tst_FleetModel::historyHasTheBulkheads()
{
    PrometheusHistoryBuilder b(Source, 1000000, 1001000, std::chrono::seconds(1));
    QString error;
    const QJsonObject r4j = labels({ { "job", "payments" }, { "instance", "p" }, { "name", "gateway" } });
    QJsonObject open = r4j;
    open.insert(QStringLiteral("state"), QStringLiteral("open"));
    QVERIFY(b.add(PrometheusFigure::Resilience4jState, matrix({ { open, { { 1000, 1 }, { 1001, 1 } } } }), &error));
    QVERIFY(b.add(PrometheusFigure::Resilience4jBulkheadAvailable, matrix({ { r4j, { { 1000, 15 }, { 1001, 2 } } } }), &error));
    QVERIFY(b.add(PrometheusFigure::Resilience4jBulkheadMax, matrix({ { r4j, { { 1000, 25 }, { 1001, 25 } } } }), &error));
    const QJsonObject lab = labels({ { "job", "lab" }, { "instance", "l" }, { "name", "checkout" } });
    QJsonObject closed = lab;
    closed.insert(QStringLiteral("state"), QStringLiteral("closed"));
    QVERIFY(b.add(PrometheusFigure::BreakwaterState, matrix({ { closed, { { 1000, 1 } } } }), &error));
    QVERIFY(b.add(PrometheusFigure::BreakwaterBulkheadActive, matrix({ { lab, { { 1000, 7 } } } }), &error));
    const FleetHistory h = b.history();
    QCOMPARE(h.series.size(), 2u);
    const BreakerSeries &checkout = h.series[0];
    QCOMPARE(checkout.id.name, QStringLiteral("checkout"));
    QCOMPARE(checkout.points[0].bulkheadUsed, 7.0);
    QVERIFY(!hasFigure(checkout.points[0].bulkheadMax));
    const BreakerSeries &gateway = h.series[1];
    QCOMPARE(gateway.points.size(), 2u);
    QCOMPARE(gateway.points[0].bulkheadUsed, 10.0);
    QCOMPARE(gateway.points[0].bulkheadMax, 25.0);
    QCOMPARE(gateway.points[1].bulkheadUsed, 23.0);
}

void tst_FleetModel::stateNamesRoundTrip()
{
    for (int i = 0; i < CircuitStateCount; ++i) {
        const CircuitState s = CircuitState(i);
        QCOMPARE(circuitStateFromName(QString(circuitStateName(s))), s);
        QCOMPARE(circuitStateFromName(QString(circuitStateName(s)).toLower()), s);
    }
    QVERIFY(!circuitStateFromName(u"ajar"));
    for (int i = 0; i < FleetLibraryCount; ++i)
        QCOMPARE(fleetLibraryFromName(QString(fleetLibraryName(FleetLibrary(i)))), FleetLibrary(i));
}

// Virtual time: every source refreshed at start and then every interval, one snapshot of all
// (sorted), a failing source keeping its last readings and saying why.
void tst_FleetModel::monitorRefreshesOnItsScheduler()
{
    VirtualScheduler scheduler;
    FleetMonitor monitor(scheduler);
    auto *a = static_cast<FakeSource *>(&monitor.addSource(std::make_unique<FakeSource>(scheduler, QStringLiteral("b-source"),
        std::vector<BreakerReading> { breaker(QStringLiteral("b-source"), QStringLiteral("svc"), QStringLiteral("x"), CircuitState::Open) })));
    auto *b = static_cast<FakeSource *>(&monitor.addSource(std::make_unique<FakeSource>(scheduler, QStringLiteral("a-source"),
        std::vector<BreakerReading> { breaker(QStringLiteral("a-source"), QStringLiteral("svc"), QStringLiteral("y"), CircuitState::Closed) })));
    int updates = 0;
    monitor.setUpdateCallback([&](const FleetSnapshot &) { ++updates; });
    monitor.start();
    QCOMPARE(a->refreshes, 1);
    QCOMPARE(updates, 2); // one per source
    const FleetSnapshot &s = monitor.snapshot();
    QCOMPARE(s.breakers.size(), 2u);
    QCOMPARE(s.breakers[0].id.source, QStringLiteral("a-source")); // sorted by id
    QCOMPARE(s.sources[0].url, QStringLiteral("b-source"));       // in the order added
    QCOMPARE(s.notClosed().size(), 1u);
    QVERIFY(s.find(s.breakers[1].id) == &s.breakers[1]);

    scheduler.advanceBy(std::chrono::milliseconds(4999));
    QCOMPARE(a->refreshes, 1);
    scheduler.advanceBy(std::chrono::milliseconds(1));
    QCOMPARE(a->refreshes, 2);
    QCOMPARE(monitor.rounds(), 2u);
    QCOMPARE(monitor.snapshot().takenAt, std::chrono::seconds(5));

    b->failWith = QStringLiteral("a-source: cannot reach it");
    monitor.setInterval(std::chrono::seconds(1));
    scheduler.advanceBy(std::chrono::seconds(1));
    QCOMPARE(b->refreshes, 3);
    const SourceStatus &failed = monitor.snapshot().sources[1];
    QVERIFY(!failed.reachable);
    QCOMPARE(failed.error, QStringLiteral("a-source: cannot reach it"));
    QCOMPARE(failed.lastGoodRefresh, std::chrono::seconds(5));
    QCOMPARE(monitor.snapshot().breakers.size(), 2u); // its last good readings stay

    monitor.stop();
    scheduler.advanceBy(std::chrono::seconds(10));
    QCOMPARE(a->refreshes, 3);
    QCOMPARE(scheduler.pendingTimers(), 0u);
}

// Steps of 1 s: 2.5 calls/s (the half carried to the next step), failures spread among them,
// a step without data, and a step the real breaker refused, whose calls take the failure ratio
// of the last step it let through.
void tst_FleetModel::twinTraceKeepsTheCalls()
{
    BreakerSeries s;
    s.id = { Source, FleetLibrary::Resilience4j, QStringLiteral("payments"), QStringLiteral("i"), QStringLiteral("gateway") };
    const auto point = [](std::int64_t t, double calls, double failed, double rejected, double latency) {
        HistoryPoint p;
        p.timeMs = t;
        p.callsPerSecond = calls;
        p.failuresPerSecond = failed;
        p.rejectedPerSecond = rejected;
        p.meanLatencyMs = latency;
        return p;
    };
    s.points = { point(10000, 2.5, 0, 0, 20), point(11000, 2.5, 0, 0, 20), point(12000, NoFigure, NoFigure, NoFigure, NoFigure),
        point(13000, 4, 2, 0, 40), point(14000, 4, 0, 4, NoFigure) };
    TwinReport report;
    const Trace trace = twinTrace(s, std::chrono::seconds(1), QStringLiteral("twin.csv"), &report);
    QCOMPARE(report.steps, 5);
    QCOMPARE(report.stepsWithoutData, 1);
    QCOMPARE(report.calls, 13); // 3 + 2 (carried half) + 4 + 4
    QCOMPARE(report.failures, 4); // 2 + half of the 4 refused
    QCOMPARE(report.rejectedCalls, 4);
    QCOMPARE(qsizetype(trace.rows.size()), 13);
    // The first step is [0 s, 1 s): three calls in the middle of thirds, lasting 20 ms.
    QCOMPARE(trace.rows[0].start, fromMs(1000.0 / 6));
    QCOMPARE(trace.rows[2].start, fromMs(5000.0 / 6));
    QCOMPARE(trace.rows[0].duration, fromMs(20));
    // The 4th step, [3 s, 4 s): calls 0 and 2 succeed, 1 and 3 fail.
    QCOMPARE(trace.rows[5].start, fromMs(3125));
    QVERIFY(trace.rows[5].success && !trace.rows[6].success && trace.rows[7].success && !trace.rows[8].success);
    QCOMPARE(trace.rows[12].duration, Duration::zero()); // no latency figure
    QVERIFY(std::is_sorted(trace.rows.begin(), trace.rows.end(), [](const TraceRow &a, const TraceRow &b) { return a.start < b.start; }));

    LoadError error;
    const std::optional<Trace> read = TraceReader::parse(traceCsv(trace), QStringLiteral("twin.csv"), &error);
    QVERIFY2(read, qPrintable(error.toString()));
    QCOMPARE(read->rows.size(), trace.rows.size());
    for (std::size_t i = 0; i < trace.rows.size(); ++i) {
        QCOMPARE(read->rows[i].start, trace.rows[i].start);
        QCOMPARE(read->rows[i].success, trace.rows[i].success);
    }
}

void tst_FleetModel::libraryDefaultsArePolicies_data()
{
    QTest::addColumn<int>("library");
    QTest::addColumn<double>("rate");
    QTest::addColumn<int>("volume");
    QTest::addColumn<int>("resetMs");
    QTest::addRow("resilience4j") << int(FleetLibrary::Resilience4j) << 0.5 << 100 << 60000;
    QTest::addRow("opossum") << int(FleetLibrary::Opossum) << 0.5 << 1 << 30000;
    QTest::addRow("polly") << int(FleetLibrary::Polly) << 0.1 << 100 << 5000;
    QTest::addRow("hystrix") << int(FleetLibrary::Hystrix) << 0.5 << 20 << 5000;
    QTest::addRow("breakwater") << int(FleetLibrary::Breakwater) << 0.5 << 10 << 60000;
}

// Each library's defaults, written as a policy file, load back unchanged.
void tst_FleetModel::libraryDefaultsArePolicies()
{
    QFETCH(int, library);
    QFETCH(double, rate);
    QFETCH(int, volume);
    QFETCH(int, resetMs);
    const PolicyConfig policy = libraryDefaultPolicy(FleetLibrary(library), QStringLiteral("gateway"));
    QCOMPARE(policy.name, QStringLiteral("gateway"));
    QVERIFY(policy.circuitBreaker);
    QCOMPARE(policy.circuitBreaker->failureRateThreshold, rate);
    QCOMPARE(policy.circuitBreaker->volumeThreshold, volume);
    QCOMPARE(policy.circuitBreaker->resetTimeout, fromMs(resetMs));
    LoadError error;
    const std::optional<PolicyConfig> loaded
        = parsePolicy(QJsonDocument(policyToJson(policy)).toJson(), QStringLiteral("policy.json"), &error);
    QVERIFY2(loaded, qPrintable(error.toString()));
    QCOMPARE(policyToJson(*loaded), policyToJson(policy));
}

QTEST_GUILESS_MAIN(tst_FleetModel)
#include "tst_fleetmodel.moc"
