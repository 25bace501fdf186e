// SimulatedService's waiting room and what it does with requests whose caller gave up
// (docs/semantics.md, "Simulated services"), driven request by request on virtual time, and the
// wasted work a run reports in its summary, CSV and /metrics.
#include "run/runmetrics.h"
#include "run/scenariorun.h"
#include "run/scenariorunner.h"
#include "runtime/virtualscheduler.h"
#include "sim/simulatedservice.h"
#include "telemetry/metricsrecorder.h"
#include "telemetry/prometheusexposition.h"
#include "telemetry/summary.h"
#include "telemetry/timeseries.h"

#include <QJsonObject>
#include <QTest>

Q_DECLARE_METATYPE(bw::AbandonedRequests)

using namespace bw;

namespace {

// Records when each attempt was answered, and how.
struct Answers final : CompletionTarget
{
    VirtualScheduler *scheduler = nullptr;
    QMap<std::uint64_t, std::pair<double, QString>> byAttempt; // ms, "ok" or the error code
    void complete(std::uint64_t attemptId, Result &&r) override
    {
        byAttempt.insert(attemptId, { toMs(scheduler->now()), r.ok() ? QStringLiteral("ok") : r.error.code.toString() });
    }
};

// One service of capacity 1 answering in exactly 100 ms, with requests started by hand.
struct Bench
{
    explicit Bench(ServiceConfig config = {})
        : service(withDefaults(std::move(config)), scheduler, 1)
        , port(service.port(OperationConfig {}))
    {
        answers.scheduler = &scheduler;
    }
    static ServiceConfig withDefaults(ServiceConfig c)
    {
        c.name = QStringLiteral("svc");
        c.capacity = 1;
        c.latency.kind = LatencyKind::Fixed;
        c.latency.fixed = fromMs(100);
        return c;
    }
    Attempt send(std::uint64_t id)
    {
        Attempt a;
        a.id = id;
        a.callTag = id;
        a.startedAt = scheduler.now();
        port.start(a, Completion(&answers, id));
        return a;
    }
    void giveUp(const Attempt &a) { port.cancel(a); }
    void runTo(double ms) { scheduler.advanceTo(TimePoint(fromMs(ms))); }
    // When `id` was answered and with what; {-1, ""} while it was not.
    std::pair<double, QString> answer(std::uint64_t id) const
    {
        return answers.byAttempt.value(id, { -1.0, QString() });
    }

    VirtualScheduler scheduler;
    Answers answers;
    SimulatedService service;
    Operation &port;
};

} // namespace

class TestSimulatedService : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    // queueLimit 0: no waiting room, a request beyond capacity gets 503 at once.
    void queueLimitZeroHasNoWaitingRoom()
    {
        ServiceConfig c;
        c.queueLimit = 0;
        Bench b(c);
        b.send(1);
        b.send(2);
        QCOMPARE(b.answer(2), std::make_pair(0.0, QStringLiteral("503")));
        b.runTo(1000);
        QCOMPARE(b.answer(1), std::make_pair(100.0, QStringLiteral("ok")));
        QCOMPARE(b.service.stats().received, 2);
    }

    // No queueLimit: every request beyond capacity waits its turn.
    void noQueueLimitIsUnbounded()
    {
        Bench b;
        for (std::uint64_t id = 1; id <= 50; ++id)
            b.send(id);
        QCOMPARE(b.service.stats().queued, 49);
        b.runTo(10000);
        QCOMPARE(b.answer(50), std::make_pair(5000.0, QStringLiteral("ok")));
    }

    void queueLimitCountsWaitingRequests()
    {
        ServiceConfig c;
        c.queueLimit = 2;
        Bench b(c);
        for (std::uint64_t id = 1; id <= 4; ++id)
            b.send(id);
        QCOMPARE(b.answer(4), std::make_pair(0.0, QStringLiteral("503")));
        b.runTo(1000);
        QCOMPARE(b.answer(3), std::make_pair(300.0, QStringLiteral("ok")));
    }

    // Requests 1 (in service) and 2 (queued) are given up at 50 ms; request 3 waits behind them.
    // served (the default): the server does not know; 2 is served in its turn and 1 runs to its
    // end, both for nobody, so 3 is answered at 300 ms. dropped: 2 leaves the queue unseen and 1
    // frees its worker at once, so 3 starts at 50 ms.
    void abandonedRequests_data()
    {
        QTest::addColumn<AbandonedRequests>("abandoned");
        QTest::addColumn<int>("stillQueued");
        QTest::addColumn<double>("thirdAnsweredAt");
        QTest::addColumn<int>("served");
        QTest::addColumn<int>("wasted");
        QTest::addRow("served") << AbandonedRequests::Served << 2 << 300.0 << 3 << 2;
        QTest::addRow("dropped") << AbandonedRequests::Dropped << 0 << 150.0 << 1 << 0;
    }
    void abandonedRequests()
    {
        QFETCH(AbandonedRequests, abandoned);
        QFETCH(int, stillQueued);
        QFETCH(double, thirdAnsweredAt);
        QFETCH(int, served);
        QFETCH(int, wasted);
        ServiceConfig c;
        c.abandoned = abandoned;
        Bench b(c);
        const Attempt a1 = b.send(1), a2 = b.send(2);
        b.send(3);
        b.runTo(50);
        b.giveUp(a2);
        b.giveUp(a1);
        QCOMPARE(b.service.stats().queued, stillQueued);
        b.runTo(1000);
        QCOMPARE(b.answer(1).first, -1.0); // nobody reads it
        QCOMPARE(b.answer(2).first, -1.0);
        QCOMPARE(b.answer(3), std::make_pair(thirdAnsweredAt, QStringLiteral("ok")));
        QCOMPARE(b.service.stats().completed, served);
        QCOMPARE(b.service.stats().wasted.value_or(-1), wasted);
        QCOMPARE(b.service.stats().abandoned, 2);
    }

    // served: an abandoned request keeps its place in a bounded queue; dropped: it frees it.
    void abandonedRequestsInABoundedQueue_data()
    {
        QTest::addColumn<AbandonedRequests>("abandoned");
        QTest::addColumn<std::pair<double, QString>>("thirdAnswer");
        QTest::addRow("served") << AbandonedRequests::Served << std::make_pair(0.0, QStringLiteral("503"));
        QTest::addRow("dropped") << AbandonedRequests::Dropped << std::make_pair(200.0, QStringLiteral("ok"));
    }
    void abandonedRequestsInABoundedQueue()
    {
        QFETCH(AbandonedRequests, abandoned);
        using Answer = std::pair<double, QString>;
        QFETCH(Answer, thirdAnswer);
        ServiceConfig c;
        c.queueLimit = 1;
        c.abandoned = abandoned;
        Bench b(c);
        b.send(1);
        b.giveUp(b.send(2));
        b.send(3);
        b.runTo(1000);
        QCOMPARE(b.answer(3), thirdAnswer);
    }

    // A latency fault (+1000 ms until 500 ms) slows the request served while it lasts, not the
    // one that waited through it: that one is served at its own 100 ms after the first.
    void latencyFaultSlowsWhatItServes()
    {
        Bench b;
        FaultConfig slow;
        slow.service = b.service.name();
        slow.kind = FaultKind::Latency;
        slow.add = fromMs(1000);
        slow.until = fromMs(500);
        b.service.setFaults({ slow });
        b.scheduler.scheduleAt(TimePoint(fromMs(500)), [&b] { b.service.refreshFaults(); });
        b.send(1);
        b.send(2);
        b.runTo(5000);
        QCOMPARE(b.answer(1), std::make_pair(1100.0, QStringLiteral("ok")));
        QCOMPARE(b.answer(2), std::make_pair(1200.0, QStringLiteral("ok")));
    }

    // A hung request holds its worker while its fault lasts (here until 1000 ms), then takes its
    // service time. served: the caller leaving at 100 ms changes nothing, and the request is served
    // for nobody at 1100; dropped: the worker is freed at 100 ms and the next request hangs in turn.
    void hangLastsAsLongAsItsFault_data()
    {
        QTest::addColumn<AbandonedRequests>("abandoned");
        QTest::addColumn<double>("secondAnsweredAt");
        QTest::addColumn<std::int64_t>("served");
        QTest::addColumn<std::int64_t>("wasted");
        QTest::addRow("served") << AbandonedRequests::Served << 1200.0 << std::int64_t(2) << std::int64_t(1);
        QTest::addRow("dropped") << AbandonedRequests::Dropped << 1100.0 << std::int64_t(1) << std::int64_t(0);
    }
    void hangLastsAsLongAsItsFault()
    {
        QFETCH(AbandonedRequests, abandoned);
        QFETCH(double, secondAnsweredAt);
        QFETCH(std::int64_t, served);
        QFETCH(std::int64_t, wasted);
        ServiceConfig c;
        c.abandoned = abandoned;
        Bench b(c);
        FaultConfig hang;
        hang.service = c.name;
        hang.kind = FaultKind::Hang;
        hang.rate = 1;
        hang.until = fromMs(1000);
        b.service.setFaults({ hang });
        b.scheduler.scheduleAt(TimePoint(fromMs(1000)), [&b] { b.service.refreshFaults(); });
        const Attempt a1 = b.send(1);
        b.send(2); // no time limit: answered once the hang is over
        b.runTo(100);
        b.giveUp(a1);
        b.runTo(900);
        QCOMPARE(b.answers.byAttempt.size(), 0);
        QCOMPARE(b.service.stats().inService, 1);
        b.runTo(5000);
        QCOMPARE(b.answer(1).first, -1.0);
        QCOMPARE(b.answer(2), std::make_pair(secondAnsweredAt, QStringLiteral("ok")));
        QCOMPARE(b.service.stats().completed, served);
        QCOMPARE(b.service.stats().wasted.value_or(-1), wasted);
        QCOMPARE(b.service.stats().inService, 0);
    }

    // Capacity 1, 110 ms per request, a call every 62.5 ms (the first at 62.5), each with a 200 ms
    // timeout, for 1990 ms. Call i (from 1) arrives at 62.5 i and gives up at 62.5 i + 200.
    // served: the server works through every request in order; request i ends at 62.5 + 110 i,
    // which is after its caller left from i = 3 on (response 62.5 + 47.5 i > 200). By 1990 ms,
    // requests 1..17 are served, 15 of them for nobody. dropped: requests 1 and 2 are served (172.5,
    // 282.5); request 3 starts at 282.5 and is dropped at 387.5 when its caller leaves, and from
    // then each request starts when the previous one is dropped, 62.5 ms before its own caller
    // leaves: never served. Either way calls 3..28 time out by 1990 ms and only 2 succeed.
    void wastedWorkCountedEverywhere_data()
    {
        QTest::addColumn<AbandonedRequests>("abandoned");
        QTest::addColumn<int>("served");
        QTest::addColumn<int>("wasted");
        QTest::addRow("served") << AbandonedRequests::Served << 17 << 15;
        QTest::addRow("dropped") << AbandonedRequests::Dropped << 2 << 0;
    }
    void wastedWorkCountedEverywhere()
    {
        QFETCH(AbandonedRequests, abandoned);
        QFETCH(int, served);
        QFETCH(int, wasted);
        ScenarioConfig s;
        s.name = QStringLiteral("waste");
        s.duration = fromMs(1990);
        s.services.append(Bench::withDefaults({}));
        s.services[0].latency.fixed = fromMs(110);
        s.services[0].abandoned = abandoned;
        OperationConfig op;
        op.name = QStringLiteral("op");
        op.service = s.services[0].name;
        op.rate.rate = 16;
        op.arrival = ArrivalKind::Constant;
        op.policy.timeout = TimeoutConfig { fromMs(200), std::nullopt, {} };
        s.operations.append(op);

        ScenarioRun sim(s);
        Summary summary;
        sim.setSummary(&summary);
        TimeSeriesRecorder series;
        recordSimulation(series, sim);
        MetricsRecorder metrics;
        attachMetrics(metrics, sim);
        sim.start();
        series.attach(sim.scheduler(), sim.end());
        sim.runToEnd();
        series.finish(sim.now());
        series.detach();
        metrics.publish();

        const OperationSummary &calls = summary.operations().at(op.name);
        QCOMPARE(calls.offered, 31);
        QCOMPARE(calls.count(Outcome::Success), 2);
        QCOMPARE(calls.count(Outcome::Timeout), 26);

        const QJsonObject service
            = summary.toJson().value(QStringLiteral("services")).toObject().value(QStringLiteral("svc")).toObject();
        QCOMPARE(service.value(QStringLiteral("requestsReceived")).toInteger(), 31);
        QCOMPARE(service.value(QStringLiteral("abandoned")).toInteger(), 26); // not the 3 the run's end cut off
        QCOMPARE(service.value(QStringLiteral("served")).toInteger(), served);
        QCOMPARE(service.value(QStringLiteral("wasted")).toInteger(), wasted);
        QCOMPARE(service.value(QStringLiteral("wastedShare")).toDouble(), double(wasted) / served);

        const QList<QByteArray> rows = series.toCsv().trimmed().split('\n');
        const QList<QByteArray> header = rows.first().split(',');
        const qsizetype servedColumn = header.indexOf("service_served"), wastedColumn = header.indexOf("service_wasted");
        QVERIFY(servedColumn > 0 && wastedColumn > 0);
        int servedSum = 0, wastedSum = 0;
        for (const QByteArray &row : rows.mid(1)) {
            servedSum += row.split(',').at(servedColumn).toInt();
            wastedSum += row.split(',').at(wastedColumn).toInt();
        }
        QCOMPARE(servedSum, served);
        QCOMPARE(wastedSum, wasted);

        const QByteArray exposition = prometheusExposition(*metrics.latest());
        QVERIFY2(exposition.contains("\nbackend_requests_served_total{name=\"svc\"} " + QByteArray::number(served) + '\n'),
            exposition.constData());
        QVERIFY(exposition.contains("\nbackend_requests_wasted_total{name=\"svc\"} " + QByteArray::number(wasted) + '\n'));
    }
};

QTEST_GUILESS_MAIN(TestSimulatedService)
#include "tst_simulatedservice.moc"
