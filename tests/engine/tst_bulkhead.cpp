#include "resilience/bulkhead.h"
#include "runtime/virtualscheduler.h"

#include <QTest>

using namespace bw;

namespace {

struct Waiter final : BulkheadWaiter
{
    int admittedCount = 0;
    QList<ErrorCode> rejections;
    void admitted() override { ++admittedCount; }
    void rejected(ErrorCode code) override { rejections.append(code); }
};

struct Recorder final : BulkheadListener
{
    QList<BulkheadEventKind> kinds;
    QList<int> positions;
    void onBulkheadEvent(const BulkheadEvent &e) override
    {
        kinds.append(e.kind);
        positions.append(e.queuePosition);
        QVERIFY(e.active >= 0 && e.queued >= 0);
    }
};

BulkheadConfig config(int concurrent, int queue, int timeoutMs = 0)
{
    BulkheadConfig c;
    c.maxConcurrent = concurrent;
    c.maxQueueSize = queue;
    c.timeout = fromMs(timeoutMs);
    return c;
}

} // namespace

class TestBulkhead : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void admitsQueuesRejects()
    {
        VirtualScheduler s;
        QStringList reasons;
        BulkheadConfig c = config(2, 1);
        c.onReject = [&](const QString &reason) { reasons.append(reason); };
        Bulkhead b(QStringLiteral("api-calls"), c, s);
        Recorder rec;
        b.addListener(&rec);
        Waiter w[4];
        QCOMPARE(b.tryEnter(w[0]), Bulkhead::Admission::Run);
        QCOMPARE(b.tryEnter(w[1]), Bulkhead::Admission::Run);
        QCOMPARE(b.tryEnter(w[2]), Bulkhead::Admission::Queued);
        QCOMPARE(b.tryEnter(w[3]), Bulkhead::Admission::Rejected);
        QCOMPARE(reasons, QStringList { QStringLiteral("queue full") });
        BulkheadState st = b.state();
        QCOMPARE(st.active, 2);
        QCOMPARE(st.queued, 1);
        QCOMPARE(st.available, 0);
        QCOMPARE(st.queueAvailable, 0);
        QCOMPARE(b.metrics().utilization, 1.0);
        b.exit(fromMs(10), false);
        QCOMPARE(w[2].admittedCount, 1);
        QCOMPARE(b.state().active, 2);
        QCOMPARE(b.state().queued, 0);
        b.exit(fromMs(20), true);
        b.exit(fromMs(30), false);
        const BulkheadMetrics m = b.metrics();
        QCOMPARE(m.completed, 3);
        QCOMPARE(m.errors, 1);
        QCOMPARE(m.rejected, 1);
        QCOMPARE(m.avgExecutionTimeMs, 20.0);
        QCOMPARE(m.peakActive, 2);
        QCOMPARE(m.peakQueued, 1);
        QCOMPARE(rec.kinds, (QList<BulkheadEventKind> { BulkheadEventKind::Started, BulkheadEventKind::Started, BulkheadEventKind::Queued,
                                                        BulkheadEventKind::Rejected, BulkheadEventKind::Completed, BulkheadEventKind::Started,
                                                        BulkheadEventKind::Completed, BulkheadEventKind::Completed }));
        QCOMPARE(rec.positions[2], 1);
    }

    void fifoOrder()
    {
        VirtualScheduler s;
        Bulkhead b(QStringLiteral("fifo"), config(1, 10), s);
        Waiter first, w[5];
        QCOMPARE(b.tryEnter(first), Bulkhead::Admission::Run);
        for (auto &x : w)
            QCOMPARE(b.tryEnter(x), Bulkhead::Admission::Queued);
        for (int i = 0; i < 5; ++i) {
            b.exit(Duration::zero(), false);
            for (int j = 0; j < 5; ++j)
                QCOMPARE(w[j].admittedCount, j <= i ? 1 : 0);
        }
    }

    void queueTimeout()
    {
        VirtualScheduler s;
        QStringList reasons;
        BulkheadConfig c = config(1, 5, 100);
        c.onReject = [&](const QString &reason) { reasons.append(reason); };
        Bulkhead b(QStringLiteral("q"), c, s);
        Waiter running, waiting;
        b.tryEnter(running);
        b.tryEnter(waiting);
        s.advanceBy(fromMs(99));
        QVERIFY(waiting.rejections.isEmpty());
        s.advanceBy(fromMs(1));
        QCOMPARE(waiting.rejections, QList<ErrorCode> { ErrorCode::BulkheadQueueTimeout });
        QCOMPARE(reasons, QStringList { QStringLiteral("queue timeout") });
        QCOMPARE(b.metrics().timeouts, 1);
        QCOMPARE(b.state().queued, 0);
    }

    void withdrawAndClear()
    {
        VirtualScheduler s;
        Bulkhead b(QStringLiteral("q"), config(1, 5, 1000), s);
        Waiter running, w1, w2, w3;
        b.tryEnter(running);
        b.tryEnter(w1);
        b.tryEnter(w2);
        b.tryEnter(w3);
        QVERIFY(b.withdraw(w2));
        QVERIFY(!b.withdraw(w2));
        QCOMPARE(b.clearQueue(), 2);
        QCOMPARE(w1.rejections, QList<ErrorCode> { ErrorCode::BulkheadQueueCleared });
        QCOMPARE(w3.rejections, QList<ErrorCode> { ErrorCode::BulkheadQueueCleared });
        QVERIFY(w2.rejections.isEmpty());
        QCOMPARE(s.pendingTimers(), std::size_t(0)); // queue timers went with them
        b.exit(Duration::zero(), false);
        QCOMPARE(w1.admittedCount + w2.admittedCount + w3.admittedCount, 0);
    }

    void liveResize()
    {
        VirtualScheduler s;
        Bulkhead b(QStringLiteral("r"), config(1, 4), s);
        Waiter w[5];
        for (auto &x : w)
            b.tryEnter(x);
        QCOMPARE(b.state().active, 1);
        QCOMPARE(b.state().queued, 4);
        b.resize(3, 4); // growing drains the queue at once
        QCOMPARE(b.state().active, 3);
        QCOMPARE(b.state().queued, 2);
        QCOMPARE(w[1].admittedCount + w[2].admittedCount, 2);
        b.resize(3, 1); // a smaller queue rejects its newest waiters
        QCOMPARE(b.state().queued, 1);
        QCOMPARE(w[4].rejections, QList<ErrorCode> { ErrorCode::BulkheadQueueFull });
        QVERIFY(w[3].rejections.isEmpty());
        b.resize(1, 1); // running calls are not interrupted; none starts until below the limit
        b.exit(Duration::zero(), false);
        b.exit(Duration::zero(), false);
        QCOMPARE(w[3].admittedCount, 0);
        b.exit(Duration::zero(), false);
        QCOMPARE(w[3].admittedCount, 1);
        QCOMPARE(b.state().active, 1);
    }
};

QTEST_GUILESS_MAIN(TestBulkhead)
#include "tst_bulkhead.moc"
