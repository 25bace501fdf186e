// The Fleet mode's data: snapshots into bounded rings, the lanes (grouping by service, replicas
// together, filters, folding, gaps), the charts' columns and the health summary; and the lanes'
// widget making the bands of the rows in sight only.
#include "breakermodel.h"
#include "fleetlanes.h"
#include "fleetstore.h"

#include <QScrollBar>
#include <QTest>

using namespace bw;

namespace {

const QString Source = QStringLiteral("http://127.0.0.1:9090");
constexpr qint64 T0 = 1'700'000'000'000; // a Unix epoch ms
constexpr qint64 Step = 5000;

BreakerReading reading(const QString &service, const QString &name, const QString &instance, std::optional<CircuitState> state,
    double calls = 10, double failures = 1, double rejected = 0)
{
    BreakerReading r;
    r.id.source = Source;
    r.id.library = FleetLibrary::Resilience4j;
    r.id.service = service;
    r.id.instance = instance;
    r.id.name = name;
    r.state = state;
    r.callsPerSecond = calls;
    r.callsPerSecondByOutcome[std::size_t(Outcome::Failure)] = failures;
    r.rejectedPerSecond = rejected;
    r.failureRatePercent = calls > 0 ? 100 * failures / calls : 0;
    return r;
}

// A snapshot whose source refreshed at refresh number `n` (so the store appends it).
FleetSnapshot snapshot(int n, std::vector<BreakerReading> readings)
{
    FleetSnapshot s;
    s.breakers = std::move(readings);
    std::sort(s.breakers.begin(), s.breakers.end(), [](const auto &a, const auto &b) { return a.id < b.id; });
    SourceStatus status;
    status.url = Source;
    status.reachable = true;
    status.lastGoodRefresh = fromMs(double(n) * Step);
    status.breakers = int(s.breakers.size());
    s.sources.push_back(status);
    return s;
}

QStringList labels(const QList<FleetLane> &lanes)
{
    QStringList out;
    for (const FleetLane &l : lanes)
        out.append((l.kind == FleetLane::Kind::Service ? QStringLiteral("# ") : QString()) + l.label + QStringLiteral(" | ") + l.summary);
    return out;
}

// payments: charge on three replicas (one OPEN from the second refresh), refund on one; search: query.
FleetStore fleet()
{
    FleetStore store;
    store.setStepMs(Step);
    for (int n = 0; n < 3; ++n) {
        const auto second = n >= 1 ? CircuitState::Open : CircuitState::Closed;
        store.ingest(snapshot(n,
                         { reading(QStringLiteral("payments"), QStringLiteral("charge"), QStringLiteral("a:8080"), CircuitState::Closed),
                             reading(QStringLiteral("payments"), QStringLiteral("charge"), QStringLiteral("b:8080"), second, 10, 8, 5),
                             reading(QStringLiteral("payments"), QStringLiteral("charge"), QStringLiteral("c:8080"), CircuitState::Closed),
                             reading(QStringLiteral("payments"), QStringLiteral("refund"), QStringLiteral("a:8080"), CircuitState::Closed),
                             reading(QStringLiteral("search"), QStringLiteral("query"), QStringLiteral("s:9000"), CircuitState::Closed) }),
            T0 + n * Step);
    }
    return store;
}

} // namespace

class tst_FleetStore : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void ingestAppendsOncePerSourceRefresh()
    {
        FleetStore store;
        const FleetSnapshot first = snapshot(0, { reading(QStringLiteral("s"), QStringLiteral("b"), QStringLiteral("i"), CircuitState::Closed) });
        store.ingest(first, T0);
        // The monitor calls back again when another source answers: this source's readings are not new.
        store.ingest(first, T0 + 100);
        QCOMPARE(store.breakers().size(), std::size_t(1));
        QCOMPARE(store.breakers()[0].points.size(), 1);
        store.ingest(snapshot(1, { reading(QStringLiteral("s"), QStringLiteral("b"), QStringLiteral("i"), CircuitState::Open) }), T0 + Step);
        QCOMPARE(store.breakers()[0].points.size(), 2);
        QCOMPARE(store.breakers()[0].points.last().state, std::int8_t(CircuitState::Open));
        QCOMPARE(store.latestMs(), T0 + Step);
    }

    void ringsAreBounded()
    {
        FleetStore store;
        for (int n = 0; n < FleetStore::Capacity + 50; ++n)
            store.ingest(snapshot(n, { reading(QStringLiteral("s"), QStringLiteral("b"), QStringLiteral("i"), CircuitState::Closed) }),
                T0 + n * Step);
        QCOMPARE(store.breakers()[0].points.size(), FleetStore::Capacity);
        QCOMPARE(store.breakers()[0].points.at(0).timeMs, T0 + 50 * Step);
    }

    void lanes_data()
    {
        QTest::addColumn<bool>("together");
        QTest::addColumn<bool>("notClosedOnly");
        QTest::addColumn<QString>("service");
        QTest::addColumn<QStringList>("collapsed");
        QTest::addColumn<QStringList>("expected");
        const QStringList none;
        QTest::addRow("replicas together")
            << true << false << QString() << none
            << QStringList { QStringLiteral("# payments | 4 breakers, 1 not CLOSED"), QStringLiteral("charge | 1 of 3 replicas OPEN"),
                   QStringLiteral("refund · a:8080 | CLOSED"), QStringLiteral("# search | 1 breaker, 0 not CLOSED"),
                   QStringLiteral("query · s:9000 | CLOSED") };
        QTest::addRow("one by one")
            << false << false << QStringLiteral("payments") << none
            << QStringList { QStringLiteral("# payments | 4 breakers, 1 not CLOSED"), QStringLiteral("charge · a:8080 | CLOSED"),
                   QStringLiteral("charge · b:8080 | OPEN"), QStringLiteral("charge · c:8080 | CLOSED"),
                   QStringLiteral("refund · a:8080 | CLOSED") };
        QTest::addRow("only not CLOSED, one by one")
            << false << true << QString() << none
            << QStringList { QStringLiteral("# payments | 1 breaker, 1 not CLOSED"), QStringLiteral("charge · b:8080 | OPEN") };
        QTest::addRow("only not CLOSED, together: the group shows its one replica")
            << true << true << QString() << none
            << QStringList { QStringLiteral("# payments | 1 breaker, 1 not CLOSED"), QStringLiteral("charge · b:8080 | OPEN") };
        QTest::addRow("folded")
            << true << false << QString() << QStringList { QStringLiteral("payments") }
            << QStringList { QStringLiteral("# payments | 4 breakers, 1 not CLOSED"), QStringLiteral("# search | 1 breaker, 0 not CLOSED"),
                   QStringLiteral("query · s:9000 | CLOSED") };
        QTest::addRow("a service with nothing to show has no lane")
            << true << true << QStringLiteral("search") << none << QStringList {};
    }
    void lanes()
    {
        QFETCH(bool, together);
        QFETCH(bool, notClosedOnly);
        QFETCH(QString, service);
        QFETCH(QStringList, collapsed);
        QFETCH(QStringList, expected);
        const FleetStore store = fleet();
        FleetFilter filter;
        filter.replicasTogether = together;
        filter.notClosedOnly = notClosedOnly;
        filter.service = service;
        filter.collapsed = QSet<QString>(collapsed.begin(), collapsed.end());
        QCOMPARE(labels(fleetLanes(store, filter, T0 - Step, T0 + 3 * Step)), expected);
    }

    void replicaBandsCountStates()
    {
        const FleetStore store = fleet();
        const QList<FleetLane> lanes = fleetLanes(store, FleetFilter {}, T0, T0 + 3 * Step);
        const FleetLane &charge = lanes[1];
        QCOMPARE(charge.label, QStringLiteral("charge"));
        QVERIFY(charge.bands.isEmpty()); // made for the lanes in sight only
        // 3 CLOSED for the first step, then 2 CLOSED and 1 OPEN to the last point's end.
        const QList<FleetBand> bands = fleetLaneBands(store, charge, T0, T0 + 3 * Step);
        QCOMPARE(bands.size(), 2);
        QCOMPARE(bands[0].fromMs, T0);
        QCOMPARE(bands[0].toMs, T0 + Step);
        QCOMPARE(bands[0].counts[std::size_t(CircuitState::Closed)], 3);
        QCOMPARE(bands[1].counts[std::size_t(CircuitState::Closed)], 2);
        QCOMPARE(bands[1].counts[std::size_t(CircuitState::Open)], 1);
        QCOMPARE(bands[1].toMs, T0 + 3 * Step);
        // The service's header counts all four of its breakers.
        const QList<FleetBand> header = fleetLaneBands(store, lanes[0], T0, T0 + 3 * Step);
        QCOMPARE(header.size(), 2);
        QCOMPARE(header[0].counts[std::size_t(CircuitState::Closed)], 4);
        // The chart of the lane sums exactly its three replicas.
        QCOMPARE(fleetSelection(store, FleetFilter {}, charge.key, T0, T0 + 3 * Step).size(), std::size_t(3));
        QCOMPARE(fleetSelection(store, FleetFilter {}, QStringLiteral("service:payments"), T0, T0 + 3 * Step).size(),
            std::size_t(4));
        QCOMPARE(fleetSelection(store, FleetFilter {}, QString(), T0, T0 + 3 * Step).size(), std::size_t(5));
    }

    void silentSourceLeavesAGap()
    {
        FleetStore store;
        store.setStepMs(Step);
        const auto b = [] { return reading(QStringLiteral("s"), QStringLiteral("b"), QStringLiteral("i"), CircuitState::Closed); };
        store.ingest(snapshot(0, { b() }), T0);
        store.ingest(snapshot(1, { b() }), T0 + 10 * Step); // nothing heard for ten steps
        const QList<FleetLane> lanes = fleetLanes(store, FleetFilter {}, T0, T0 + 12 * Step);
        const QList<FleetBand> bands = fleetLaneBands(store, lanes[1], T0, T0 + 12 * Step);
        QCOMPARE(bands.size(), 2);
        QCOMPARE(bands[0].toMs, T0 + Step * 5 / 2); // held 2.5 steps, then a gap
        QCOMPARE(bands[1].fromMs, T0 + 10 * Step);
    }

    // Fifty services' lanes in a widget with room for a few: only the rows in sight get their
    // bands; the last, scrolled into sight, gets its own and is painted in its state's colour.
    void bandsAreMadeForTheLanesInSight()
    {
        FleetStore store;
        store.setStepMs(Step);
        std::vector<BreakerReading> readings;
        for (int s = 0; s < 50; ++s)
            readings.push_back(reading(QStringLiteral("svc%1").arg(s, 2, 10, QChar(u'0')), QStringLiteral("b"),
                QStringLiteral("i"), s == 49 ? CircuitState::Open : CircuitState::Closed));
        for (int n = 0; n < 3; ++n)
            store.ingest(snapshot(n, readings), T0 + n * Step);
        const qint64 from = T0, to = T0 + 3 * Step;
        FleetLanes widget;
        int made = 0;
        widget.setBandMaker([&](const FleetLane &lane, qint64 a, qint64 z) {
            ++made;
            return fleetLaneBands(store, lane, a, z);
        });
        widget.resize(800, 300);
        widget.show();
        QVERIFY(QTest::qWaitForWindowExposed(&widget));
        widget.setLanes(fleetLanes(store, FleetFilter {}, from, to), from, to);
        QCOMPARE(widget.lanes().size(), 100);
        const auto [first, count] = widget.visibleLanes();
        QCOMPARE(first, 0);
        QVERIFY2(count > 2 && count < 20, qPrintable(QString::number(count)));
        QCOMPARE(made, count);
        QVERIFY(!widget.lanes().last().banded);
        QVERIFY(widget.lanes().last().bands.isEmpty());

        widget.scrollBar()->setValue(widget.scrollBar()->maximum());
        const FleetLane &last = widget.lanes().last();
        QVERIFY(last.banded);
        QCOMPARE(last.bands, fleetLaneBands(store, last, from, to));
        QCOMPARE(last.bands.size(), 1);
        QCOMPARE(last.bands[0].counts[std::size_t(CircuitState::Open)], 1);
        QCOMPARE(made, 2 * count);
        int y = 0;
        while (y < widget.height() && widget.laneAt(QPoint(20, y)) != widget.lanes().size() - 1)
            ++y;
        QVERIFY(y < widget.height());
        const QImage image = widget.grab().toImage();
        QCOMPARE(image.pixelColor(widget.width() - 40, y + FleetLanes::LaneHeight / 2),
            BreakerModel::badgeColor(CircuitState::Open));

        // New lanes over another range: their bands are made again.
        widget.setLanes(fleetLanes(store, FleetFilter {}, from, to - Step), from, to - Step);
        QCOMPARE(widget.lanes().last().bands[0].toMs, to - Step);
    }

    void chartColumnsStackAndWeigh()
    {
        const FleetStore store = fleet();
        std::vector<const FleetStore::Breaker *> all;
        for (const FleetStore::Breaker &b : store.breakers())
            all.push_back(&b);
        // One column per refresh.
        const FleetChartPoints p = fleetChartPoints(all, T0, T0 + 3 * Step, 3);
        QCOMPARE(p.succeeded.size(), 3);
        // First refresh: 5 breakers × 10 calls/s; failures 1 each but 8 on b:8080; nothing rejected.
        QCOMPARE(p.rejected[0].y(), 50.0);
        QCOMPARE(p.failed[0].y() - p.succeeded[0].y(), 12.0);
        QCOMPARE(p.rejected[1].y() - p.failed[1].y(), 5.0); // b:8080 rejects 5/s once OPEN
        QCOMPARE(p.succeeded[1].y(), 50.0 - 12 - 5);
        // Failure rate weighted by calls: (10 + 10 + 80 + 10 + 10) % × 10 / 50.
        QCOMPARE(p.failureRate[0].y(), 24.0);
        QVERIFY(!p.hasBulkhead);
        QCOMPARE(p.succeeded[0].x(), double(T0));

        // The source's totals chart the same, one ring instead of five.
        QCOMPARE(store.totals().size(), std::size_t(1));
        const FleetChartPoints t = fleetChartPoints({ &store.totals()[0] }, T0, T0 + 3 * Step, 3);
        QCOMPARE(t.succeeded, p.succeeded);
        QCOMPARE(t.failed, p.failed);
        QCOMPARE(t.rejected, p.rejected);
        QCOMPARE(t.failureRate, p.failureRate);
    }

    void healthNamesWhatIsNotClosedAndDeadSources()
    {
        FleetStore store = fleet();
        FleetHealth h = fleetHealth(store);
        QVERIFY(!h.healthy);
        QCOMPARE(h.breakers, 5);
        QCOMPARE(h.notClosed, 1);
        QCOMPARE(h.issues.value(0), QStringLiteral("1 of 5 breakers not CLOSED: payments/charge@b:8080 OPEN"));
        FleetSnapshot down = snapshot(2, {});
        down.sources[0].reachable = false;
        down.sources[0].error = QStringLiteral("connection refused");
        store.ingest(down, T0 + 4 * Step);
        h = fleetHealth(store);
        QCOMPARE(h.issues.last(), QStringLiteral("source %1: connection refused").arg(Source));
    }

    void historyReplacesTheRings()
    {
        FleetStore store = fleet();
        FleetHistory history;
        history.fromMs = T0;
        history.toMs = T0 + 60'000;
        history.step = fromMs(15000);
        BreakerSeries series;
        series.id = reading(QStringLiteral("orders"), QStringLiteral("pay"), QStringLiteral("o:1"), CircuitState::Closed).id;
        for (int i = 0; i < 4; ++i) {
            HistoryPoint p;
            p.timeMs = T0 + i * 15000;
            p.state = i == 2 ? CircuitState::HalfOpen : CircuitState::Closed;
            p.callsPerSecond = 4;
            p.bulkheadUsed = 5;
            p.bulkheadMax = 20;
            series.points.push_back(p);
        }
        history.series.push_back(series);
        store.setHistory(history);
        QCOMPARE(store.breakers().size(), std::size_t(1));
        QCOMPARE(store.stepMs(), 15000);
        QCOMPARE(store.services(), QStringList { QStringLiteral("orders") });
        const QList<FleetLane> lanes = fleetLanes(store, FleetFilter {}, T0, T0 + 60'000);
        const QList<FleetBand> bands = fleetLaneBands(store, lanes[1], T0, T0 + 60'000);
        QCOMPARE(bands.size(), 3); // CLOSED, HALF_OPEN, CLOSED
        QCOMPARE(bands[1].counts[std::size_t(CircuitState::HalfOpen)], 1);
        // The history's bulkhead figures fill the bulkhead chart: 5 of 20 calls.
        const FleetChartPoints points = fleetChartPoints({ &store.breakers()[0] }, T0, T0 + 60'000, 4);
        QVERIFY(points.hasBulkhead);
        QCOMPARE(points.bulkheadPercent.size(), 4);
        QCOMPARE(points.bulkheadPercent.first().y(), 25.0);
    }

    // Live, the history that fills the lanes' start keeps what a source without history said.
    void historyKeepsOtherSourcesWhenAsked()
    {
        for (const bool keep : { false, true }) {
            FleetStore store = fleet();
            FleetSnapshot stream = snapshot(0, { reading(QStringLiteral("orders"), QStringLiteral("GetOrder"), QString(), CircuitState::Open) });
            stream.breakers[0].id.source = QStringLiteral("http://127.0.0.1:8080/hystrix.stream");
            stream.sources[0].url = stream.breakers[0].id.source;
            store.ingest(stream, T0 + 3 * Step);
            FleetHistory history;
            history.step = fromMs(double(Step));
            BreakerSeries series;
            series.id = reading(QStringLiteral("payments"), QStringLiteral("charge"), QStringLiteral("a:8080"), CircuitState::Closed).id;
            series.points.push_back(HistoryPoint { T0, CircuitState::Closed });
            history.series.push_back(series);
            store.setHistory(history, keep);
            QCOMPARE(store.services(), keep ? (QStringList { QStringLiteral("orders"), QStringLiteral("payments") }) : QStringList { QStringLiteral("payments") });
            QCOMPARE(store.totals().size(), std::size_t(keep ? 2 : 1));
        }
    }

    void clockTicksFallOnRoundTimes()
    {
        const QDateTime start(QDate(2026, 12, 6), QTime(14, 3, 12));
        const qint64 from = start.toMSecsSinceEpoch();
        const QList<ClockTick> ticks = clockTicks(from, from + 15 * 60'000, 8);
        QVERIFY(!ticks.isEmpty());
        QCOMPARE(ticks.first().label, QStringLiteral("14:04"));
        QCOMPARE(ticks[1].atMs - ticks[0].atMs, 2 * 60'000);
        QCOMPARE(clockTicks(from, from + 60'000, 6).first().label, QStringLiteral("14:03:20"));
        QCOMPARE(clockTicks(from, from + 24 * 3600'000, 8).first().label, QStringLiteral("Dec 6 15:00"));
    }
};

QTEST_MAIN(tst_FleetStore)
#include "tst_fleetstore.moc"
