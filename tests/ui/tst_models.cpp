// The GUI's models and telemetry history on synthetic snapshots: the breaker rows and their
// badges, the event log's batched, bounded inserts, and the health summary. Every model runs
// under QAbstractItemModelTester.
#include "breakermodel.h"
#include "eventlogmodel.h"
#include "telemetryhistory.h"

#include <QAbstractItemModelTester>
#include <QBrush>
#include <QSignalSpy>
#include <QTest>

using namespace bw;

namespace {

std::shared_ptr<const TimeSeriesLayout> layout(const QStringList &breakers)
{
    auto l = std::make_shared<TimeSeriesLayout>();
    l->bucketWidth = std::chrono::seconds(1);
    l->operations = breakers;
    l->breakers = breakers;
    l->bulkheads = breakers;
    return l;
}

// One bucket at second `seq`: every breaker in `state`, 10 calls of which `failed` failed.
RunProgress progress(const std::shared_ptr<const TimeSeriesLayout> &l, std::int64_t seq, CircuitState state,
    int failed = 0, int queued = 0, std::uint64_t generation = 1)
{
    auto b = std::make_shared<TimeBucket>();
    b->seq = seq;
    b->start = std::chrono::seconds(seq);
    b->end = std::chrono::seconds(seq + 1);
    for (qsizetype i = 0; i < l->breakers.size(); ++i) {
        OperationPoint op;
        op.outcomes[std::size_t(Outcome::Success)] = 10 - failed;
        op.outcomes[std::size_t(Outcome::Failure)] = failed;
        b->operations.push_back(op);
        BreakerPoint bp;
        bp.state = state;
        bp.rejected = 2;
        // The breaker's own window, as its sampler reads it.
        bp.failureRate = failed / 10.0;
        bp.slowCallRate = 0.125;
        bp.windowCalls = 100;
        b->breakers.push_back(bp);
        BulkheadPoint bh;
        bh.maxConcurrent = 10;
        bh.maxQueueSize = 10;
        bh.queued = queued;
        b->bulkheads.push_back(bh);
    }
    RunProgress p;
    p.state = RunProgress::State::Running;
    p.now = b->end;
    p.end = std::chrono::seconds(60);
    p.series.generation = generation;
    p.series.layout = l;
    p.series.buckets.append(b);
    return p;
}

} // namespace

class TestModels : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void badgeColours_data()
    {
        QTest::addColumn<CircuitState>("state");
        QTest::addColumn<QColor>("color");
        QTest::addRow("CLOSED green") << CircuitState::Closed << QColor(0x2e, 0x9e, 0x44);
        QTest::addRow("HALF_OPEN amber") << CircuitState::HalfOpen << QColor(0xf0, 0xa8, 0x00);
        QTest::addRow("OPEN red") << CircuitState::Open << QColor(0xe0, 0x2a, 0x2a);
        QTest::addRow("FORCED_OPEN dark red") << CircuitState::ForcedOpen << QColor(0x8b, 0x00, 0x00);
        QTest::addRow("DISABLED grey") << CircuitState::Disabled << QColor(0x90, 0x90, 0x90);
    }
    void badgeColours()
    {
        QFETCH(CircuitState, state);
        QFETCH(QColor, color);
        TelemetryHistory history;
        BreakerModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        history.ingest(progress(layout({ QStringLiteral("checkout") }), 0, state));
        model.update(history);
        QCOMPARE(model.rowCount(), 1);
        const QModelIndex badge = model.index(0, BreakerModel::StateColumn);
        QCOMPARE(badge.data().toString(), QString(circuitStateName(state)));
        QCOMPARE(badge.data(Qt::BackgroundRole).value<QBrush>().color(), color);
    }

    void breakerRowsFollowTheSnapshots()
    {
        TelemetryHistory history;
        BreakerModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
        const auto two = layout({ QStringLiteral("a"), QStringLiteral("b") });
        for (int s = 0; s < 12; ++s)
            history.ingest(progress(two, s, CircuitState::Closed, 3));
        model.update(history);
        QCOMPARE(model.rowCount(), 2);
        QCOMPARE(model.breakerName(1), QStringLiteral("b"));
        QCOMPARE(model.index(0, BreakerModel::FailureRateColumn).data().toString(), QStringLiteral("30.0%"));
        QCOMPARE(model.index(0, BreakerModel::SlowCallRateColumn).data().toString(), QStringLiteral("12.5%"));
        QCOMPARE(model.index(0, BreakerModel::CallsColumn).data().toString(), QStringLiteral("100"));
        QCOMPARE(model.index(0, BreakerModel::RejectedColumn).data().toString(), QStringLiteral("24"));

        // An update is one ranged dataChanged, not one per cell.
        changed.clear();
        history.ingest(progress(two, 12, CircuitState::Open));
        model.update(history);
        QCOMPARE(changed.size(), 1);
        QCOMPARE(model.state(0), CircuitState::Open);

        // A new run with other names: a reset, with the rows of the new run.
        const auto other = layout({ QStringLiteral("c") });
        history.ingest(progress(other, 0, CircuitState::Closed, 0, 0, 2));
        model.update(history);
        QCOMPARE(model.rowCount(), 1);
        QCOMPARE(model.breakerName(0), QStringLiteral("c"));
    }

    // A run reports the bucket in progress until it finishes; its last report has none. The rows
    // then follow the last bucket, not the bucket that was in progress at the report before.
    void finishedRunShowsItsLastBucket()
    {
        TelemetryHistory history;
        const auto one = layout({ QStringLiteral("charge") });
        RunProgress running = progress(one, 0, CircuitState::Closed);
        running.series.current = std::make_shared<const TimeBucket>(*running.series.buckets.constFirst());
        running.series.buckets.clear();
        history.ingest(running);
        QCOMPARE(history.breakerRows().at(0).state, CircuitState::Closed);

        RunProgress finished = progress(one, 0, CircuitState::Open);
        finished.state = RunProgress::State::Finished;
        history.ingest(finished);
        QVERIFY(!history.current());
        const BreakerRow row = history.breakerRows().at(0);
        QCOMPARE(row.state, CircuitState::Open);
        QCOMPARE(row.rejected, 2); // the bucket's, counted once
        QVERIFY(!history.health().healthy);
    }

    void eventLogIsBatchedAndBounded()
    {
        EventLogModel model(nullptr, 100);
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
        QList<EventLogModel::Entry> batch;
        for (int i = 0; i < 60; ++i)
            batch.append(
                { double(i), EventLogModel::Kind::StateChange, QStringLiteral("b"), QStringLiteral("x") });
        model.append(batch);
        QCOMPARE(inserted.size(), 1);
        QCOMPARE(model.rowCount(), 60);
        model.append(batch); // 120 > 100: the 20 oldest go, in one removal
        QCOMPARE(model.rowCount(), 100);
        QCOMPARE(model.entries().first().atMs, 20.0);
        QCOMPARE(model.index(0, EventLogModel::KindColumn).data().toString(), QStringLiteral("State change"));
        model.clear();
        QCOMPARE(model.rowCount(), 0);
    }

    // Real HTTP runs on the wall clock: the time column must not call it virtual time.
    void eventLogTimeColumnNamesItsClock()
    {
        EventLogModel model;
        QSignalSpy header(&model, &QAbstractItemModel::headerDataChanged);
        QCOMPARE(model.headerData(EventLogModel::TimeColumn, Qt::Horizontal).toString(), QStringLiteral("Virtual time"));
        model.setWallClock(true);
        QCOMPARE(model.headerData(EventLogModel::TimeColumn, Qt::Horizontal).toString(),
            QStringLiteral("Wall-clock time"));
        QCOMPARE(header.size(), 1);
        model.setWallClock(false);
        QCOMPARE(model.headerData(EventLogModel::TimeColumn, Qt::Horizontal).toString(), QStringLiteral("Virtual time"));
    }

    void healthSummary()
    {
        TelemetryHistory history;
        const auto l = layout({ QStringLiteral("a"), QStringLiteral("b") });
        history.ingest(progress(l, 0, CircuitState::Closed));
        QVERIFY(history.health().healthy);
        history.ingest(progress(l, 1, CircuitState::Open, 0, 9));
        const HealthStatus h = history.health();
        QVERIFY(!h.healthy);
        QCOMPARE(h.issues,
            QStringList({ QStringLiteral("2 circuit breakers are open"),
                QStringLiteral("2 bulkheads are congested") }));
    }
};

QTEST_MAIN(TestModels)
#include "tst_models.moc"
