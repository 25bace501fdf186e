#include "telemetry/summary.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QTemporaryDir>
#include "runtime/virtualscheduler.h"

#include <QTest>

#include <algorithm>
#include <cmath>

using namespace bw;

namespace {

Duration ms(qint64 v)
{
    return fromMs(static_cast<std::int64_t>(v));
}

// Nearest rank over sorted values: the reference the histogram approximates.
std::int64_t exactPercentile(const std::vector<std::int64_t> &sorted, double p)
{
    const auto n = std::int64_t(sorted.size());
    const std::int64_t rank
        = std::clamp<std::int64_t>(std::int64_t(std::ceil(p * double(n) / 100.0 - 1e-9)), 1, n);
    return sorted[size_t(rank - 1)];
}

const QString Op = QStringLiteral("checkout");

void finishCall(
    Summary &s, const QString &op, std::uint64_t tag, Outcome outcome, int attempts, Duration latency)
{
    Error e;
    e.code = ErrorCode::httpStatus(503);
    s.onCallFinished(CallReport {
        op, tag, outcome, attempts, latency, outcome == Outcome::Success ? nullptr : &e, latency });
}

} // namespace

class tst_Summary : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void histogramBuckets();
    void histogramExactBelow256ns();
    void histogramPercentileAccuracy_data();
    void histogramPercentileAccuracy();
    void histogramEdgeCases();
    void histogramMemoryIsBounded();
    void histogramIdenticalValuesAreExact();
    void histogramMerge();
    void conservation();
    void everyOutcomeIsListed();
    void breakerTimeInState();
    void bulkheadPeaks();
    void manyOperationsBreakersServices();
    void roundedMs();
    void writeIsAtomic();
};

void tst_Summary::histogramBuckets()
{
    // Every bucket's range follows the previous one, and is at most 1/128 of its low end wide.
    std::int64_t expectedLow = 0;
    for (std::size_t b = 0; b < 7000; ++b) {
        const std::int64_t low = LatencyHistogram::bucketLow(b), high = LatencyHistogram::bucketHigh(b);
        QCOMPARE(low, expectedLow);
        QVERIFY(high >= low);
        if (low >= 256)
            QVERIFY(double(high - low + 1) <= double(low) / 128.0);
        QCOMPARE(LatencyHistogram::bucketOf(low), b);
        QCOMPARE(LatencyHistogram::bucketOf(high), b);
        expectedLow = high + 1;
    }
    QCOMPARE(LatencyHistogram::bucketOf(INT64_MAX), LatencyHistogram::bucketOf(INT64_MAX - 1));
}

void tst_Summary::histogramExactBelow256ns()
{
    LatencyHistogram h;
    for (int v = 1; v <= 100; ++v)
        h.record(Duration(v));
    QCOMPARE(h.percentile(50), Duration(50));
    QCOMPARE(h.percentile(95), Duration(95));
    QCOMPARE(h.percentile(99), Duration(99));
    QCOMPARE(h.percentile(100), Duration(100));
    QCOMPARE(h.min(), Duration(1));
}

void tst_Summary::histogramPercentileAccuracy_data()
{
    QTest::addColumn<int>("shape");
    QTest::addRow("lognormal ms") << 0;
    QTest::addRow("uniform 0-10 s") << 1;
    QTest::addRow("bimodal fast and timeouts") << 2;
    QTest::addRow("heavy tail") << 3;
}

void tst_Summary::histogramPercentileAccuracy()
{
    QFETCH(int, shape);
    std::uint64_t x = 0x9e3779b97f4a7c15ull + std::uint64_t(shape);
    auto uniform = [&] {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        return double(x >> 11) * 0x1.0p-53;
    };
    LatencyHistogram h;
    std::vector<std::int64_t> values;
    for (int i = 0; i < 100000; ++i) {
        double v = 0;
        switch (shape) {
        case 0:
            v = 40e6
                * std::exp(0.6 * std::sqrt(-2 * std::log(1 - uniform())) * std::cos(2 * M_PI * uniform()));
            break;
        case 1:
            v = 10e9 * uniform();
            break;
        case 2:
            v = uniform() < 0.9 ? 5e6 + 20e6 * uniform() : 800e6;
            break;
        case 3:
            v = 1e6 / std::pow(1 - uniform(), 1.5);
            break;
        }
        const auto ns = std::int64_t(v);
        values.push_back(ns);
        h.record(Duration(ns));
    }
    std::sort(values.begin(), values.end());
    QCOMPARE(h.count(), std::int64_t(values.size()));
    QCOMPARE(h.max(), Duration(values.back()));
    QCOMPARE(h.min(), Duration(values.front()));
    for (double p : { 1.0, 10.0, 50.0, 90.0, 95.0, 99.0, 99.9, 100.0 }) {
        const double exact = double(exactPercentile(values, p));
        const double approx = double(h.percentile(p).count());
        const double relative = std::fabs(approx - exact) / std::max(exact, 1.0);
        QVERIFY2(relative <= 0.004,
            qPrintable(QStringLiteral("p%1: %2 vs exact %3").arg(p).arg(approx).arg(exact)));
    }
}

void tst_Summary::histogramEdgeCases()
{
    LatencyHistogram h;
    QCOMPARE(h.percentile(50), Duration::zero());
    QCOMPARE(h.max(), Duration::zero());
    QCOMPARE(h.min(), Duration::zero());
    h.record(ms(-5)); // clamped
    QCOMPARE(h.max(), Duration::zero());
    h.clear();
    h.record(ms(800));
    QCOMPARE(h.percentile(0), ms(800)); // clamped to [min, max]: one value is exact
    QCOMPARE(h.percentile(50), ms(800));
    QCOMPARE(h.percentile(100), ms(800));
}

void tst_Summary::histogramMemoryIsBounded()
{
    QVERIFY(LatencyHistogram::bucketOf(INT64_MAX) < 7424);
    LatencyHistogram h;
    for (int i = 0; i < 1000000; ++i)
        h.record(ms(i % 5000));
    QCOMPARE(h.count(), 1000000);
    const double p50 = toMs(h.percentile(50));
    QVERIFY(std::fabs(p50 - 2499) / 2499 <= 0.004);
}

void tst_Summary::histogramIdenticalValuesAreExact()
{
    // 90 fast calls and 10 timeouts at exactly 800 ms: p95 and p99 are 800, not a bucket midpoint.
    LatencyHistogram h;
    for (int i = 0; i < 90; ++i)
        h.record(ms(20 + i % 7));
    for (int i = 0; i < 10; ++i)
        h.record(ms(800));
    h.record(ms(1500));
    QCOMPARE(h.percentile(95), ms(800));
    QCOMPARE(h.percentile(99), ms(800));
    QCOMPARE(h.percentile(100), ms(1500));
    QCOMPARE(h.percentile(50), ms(23)); // ranks 1-90 are 20..26 ms, each alone in its bucket
}

void tst_Summary::histogramMerge()
{
    LatencyHistogram a, b, all;
    for (int i = 0; i < 1000; ++i) {
        (i % 2 ? a : b).record(ms(i));
        all.record(ms(i));
    }
    a.merge(b);
    QCOMPARE(a.count(), all.count());
    for (double p : { 50.0, 95.0, 99.0 })
        QCOMPARE(a.percentile(p), all.percentile(p));
    QCOMPARE(a.max(), all.max());
    QCOMPARE(a.min(), all.min());
}

void tst_Summary::conservation()
{
    Summary s;
    s.addOperation(Op);
    for (std::uint64_t i = 0; i < 12; ++i)
        s.onCallOffered(Op, i, ms(i));
    QVERIFY(!s.isConserved()); // twelve offered, none ended
    const Outcome outcomes[]
        = { Outcome::Success, Outcome::Success, Outcome::Failure, Outcome::Timeout, Outcome::CircuitOpen,
              Outcome::BulkheadFull, Outcome::BulkheadTimeout, Outcome::RateLimited, Outcome::Throttled, Outcome::Cancelled,
              Outcome::Fallback };
    std::uint64_t tag = 0;
    for (Outcome o : outcomes) {
        const bool local = o == Outcome::CircuitOpen || o == Outcome::RateLimited || o == Outcome::Throttled;
        finishCall(s, Op, tag++, o, local ? 0 : 1, ms(10));
    }
    QVERIFY(!s.isConserved()); // eleven of twelve
    finishCall(s, Op, tag++, Outcome::Success, 2, ms(10));
    QVERIFY(s.isConserved());

    const QJsonObject json = s.toJson();
    const QJsonObject op = json.value(QStringLiteral("operations")).toObject().value(Op).toObject();
    QCOMPARE(op.value(QStringLiteral("offered")).toInteger(), 12);
    qint64 sum = 0;
    const QJsonObject counts = op.value(QStringLiteral("outcomes")).toObject();
    for (auto it = counts.begin(); it != counts.end(); ++it)
        sum += it->toInteger();
    QCOMPARE(sum, 12);
    QCOMPARE(op.value(QStringLiteral("attempts")).toInteger(), 10);
    QCOMPARE(
        json.value(QStringLiteral("totals")).toObject().value(QStringLiteral("conserved")).toBool(), true);
}

void tst_Summary::everyOutcomeIsListed()
{
    Summary s;
    s.addOperation(Op);
    const QJsonObject json = s.toJson();
    const QJsonObject counts = json.value(QStringLiteral("operations"))
                                   .toObject()
                                   .value(Op)
                                   .toObject()
                                   .value(QStringLiteral("outcomes"))
                                   .toObject();
    QCOMPARE(counts.size(), OutcomeCount);
    for (Outcome o : AllOutcomes)
        QVERIFY(counts.contains(QString(outcomeName(o))));
    for (const char *key : { "seed", "durationMs", "events", "eventsSha256", "operations", "breakers",
             "bulkheads", "services", "totals" })
        QVERIFY2(json.contains(QLatin1StringView(key)), key);
    const QJsonObject latency = json.value(QStringLiteral("operations"))
                                    .toObject()
                                    .value(Op)
                                    .toObject()
                                    .value(QStringLiteral("latencyMs"))
                                    .toObject();
    QCOMPARE(latency.keys(),
        QStringList(
            { QStringLiteral("max"), QStringLiteral("p50"), QStringLiteral("p95"), QStringLiteral("p99") }));
}

void tst_Summary::breakerTimeInState()
{
    Summary s;
    s.addBreaker(QStringLiteral("b"));
    auto change = [&](qint64 at, CircuitState from, CircuitState to, TransitionReason reason) {
        s.onStateChange(CircuitStateChange { QStringLiteral("b"), from, to, reason, ms(at), {} });
    };
    change(1000, CircuitState::Closed, CircuitState::Open, TransitionReason::FailureThreshold);
    change(6000, CircuitState::Open, CircuitState::HalfOpen, TransitionReason::ResetTimeout);
    change(6500, CircuitState::HalfOpen, CircuitState::Closed, TransitionReason::SuccessThreshold);
    s.onRejected(QStringLiteral("b"), CircuitState::Open, ms(2000));
    s.onRejected(QStringLiteral("b"), CircuitState::Open, ms(3000));
    s.finish(ms(10000));
    const QJsonObject b
        = s.toJson().value(QStringLiteral("breakers")).toObject().value(QStringLiteral("b")).toObject();
    const QJsonObject time = b.value(QStringLiteral("timeInStateMs")).toObject();
    QCOMPARE(time.value(QStringLiteral("CLOSED")).toDouble(), 1000.0 + 3500.0);
    QCOMPARE(time.value(QStringLiteral("OPEN")).toDouble(), 5000.0);
    QCOMPARE(time.value(QStringLiteral("HALF_OPEN")).toDouble(), 500.0);
    QVERIFY(!time.contains(QStringLiteral("FORCED_OPEN")));
    QCOMPARE(b.value(QStringLiteral("rejected")).toInteger(), 2);
    const QJsonArray transitions = b.value(QStringLiteral("transitions")).toArray();
    QCOMPARE(transitions.size(), 3);
    const QJsonObject first = transitions.at(0).toObject();
    QCOMPARE(first.value(QStringLiteral("t_ms")).toDouble(), 1000.0);
    QCOMPARE(first.value(QStringLiteral("from")).toString(), QStringLiteral("CLOSED"));
    QCOMPARE(first.value(QStringLiteral("to")).toString(), QStringLiteral("OPEN"));
    QCOMPARE(first.value(QStringLiteral("reason")).toString(), QStringLiteral("failureThreshold"));
    QCOMPARE(s.toJson().value(QStringLiteral("durationMs")).toDouble(), 10000.0);

    // A breaker the summary never heard of is picked up from its first transition.
    Summary t;
    t.onStateChange(CircuitStateChange { QStringLiteral("late"), CircuitState::Closed,
        CircuitState::ForcedOpen, TransitionReason::HoldOpen, ms(100), {} });
    t.finish(ms(300));
    QCOMPARE(t.breakers().at(QStringLiteral("late")).timeInState[size_t(CircuitState::ForcedOpen)], ms(200));
    QCOMPARE(t.breakers().at(QStringLiteral("late")).timeInState[size_t(CircuitState::Closed)], ms(100));
}

void tst_Summary::bulkheadPeaks()
{
    // The summary takes a bulkhead's figures from the counters the bulkhead keeps: drive a real
    // one to two running, two queued, one rejected for a full queue and one queue timeout.
    VirtualScheduler scheduler;
    BulkheadConfig config;
    config.maxConcurrent = 2;
    config.maxQueueSize = 2;
    config.timeout = ms(100);
    Bulkhead pool(QStringLiteral("pool"), config, scheduler);
    struct Waiter final : BulkheadWaiter
    {
        void admitted() override { }
        void rejected(ErrorCode) override { }
    } waiters[5];
    for (Waiter &w : waiters)
        pool.tryEnter(w); // run, run, queue, queue, full
    scheduler.advanceBy(ms(100)); // both queued calls time out
    Summary s;
    s.setBulkhead(QStringLiteral("pool"), pool.metrics());
    const BulkheadSummary &b = s.bulkheads().at(QStringLiteral("pool"));
    QCOMPARE(b.peakActive, 2);
    QCOMPARE(b.peakQueued, 2);
    QCOMPARE(b.rejected, 1);
    QCOMPARE(b.timeouts, 2);
}

void tst_Summary::manyOperationsBreakersServices()
{
    Summary s;
    const QStringList ops { QStringLiteral("checkout"), QStringLiteral("search"), QStringLiteral("login") };
    for (const QString &op : ops) {
        s.addOperation(op);
        s.addBreaker(op);
        s.addBulkhead(op);
    }
    ServiceSummary &payments = s.service(QStringLiteral("payments"));
    ServiceSummary &users = s.service(QStringLiteral("users"));
    for (int i = 0; i < 300; ++i) {
        const QString &op = ops[i % 3];
        s.onCallOffered(op, std::uint64_t(i), ms(i));
        finishCall(s, op, std::uint64_t(i), i % 10 ? Outcome::Success : Outcome::Failure, 1 + i % 2, ms(i));
        if (i % 2)
            s.onRetry(RetryReport { op, std::uint64_t(i), 1, ms(10), Error {}, ms(i) });
        if (i % 5 == 0)
            s.onHedge(op, std::uint64_t(i), 1, ms(i));
        (i % 3 == 0 ? payments : users).requestsReceived += 1 + i % 2;
    }
    payments.errorsServed = 7;
    s.setSeed(99);
    s.setEvents(1234, "abc");
    s.setInfo(QStringLiteral("scenario"), QStringLiteral("outage"));
    s.finish(ms(300));
    QVERIFY(s.isConserved());
    const QJsonObject json = s.toJson();
    QCOMPARE(json.value(QStringLiteral("operations")).toObject().size(), 3);
    QCOMPARE(json.value(QStringLiteral("breakers")).toObject().size(), 3);
    QCOMPARE(json.value(QStringLiteral("bulkheads")).toObject().size(), 3);
    QCOMPARE(json.value(QStringLiteral("services")).toObject().size(), 2);
    for (const QString &op : ops)
        QCOMPARE(json.value(QStringLiteral("operations"))
                     .toObject()
                     .value(op)
                     .toObject()
                     .value(QStringLiteral("offered"))
                     .toInteger(),
            100);
    const QJsonObject totals = json.value(QStringLiteral("totals")).toObject();
    QCOMPARE(totals.value(QStringLiteral("offered")).toInteger(), 300);
    QCOMPARE(totals.value(QStringLiteral("retries")).toInteger(), 150);
    QCOMPARE(totals.value(QStringLiteral("hedgedAttempts")).toInteger(), 60);
    QCOMPARE(json.value(QStringLiteral("operations")).toObject().value(ops[0]).toObject()
                 .value(QStringLiteral("hedgedAttempts")).toInteger(),
        20); // i = 0, 15, 30, ...: every third multiple of 5
    QCOMPARE(totals.value(QStringLiteral("attempts")).toInteger(), 450);
    QCOMPARE(
        totals.value(QStringLiteral("outcomes")).toObject().value(QStringLiteral("failure")).toInteger(), 30);
    QCOMPARE(json.value(QStringLiteral("services"))
                 .toObject()
                 .value(QStringLiteral("payments"))
                 .toObject()
                 .value(QStringLiteral("errorsServed"))
                 .toInteger(),
        7);
    // What a backend did not count (a replayed trace: callers leaving, wasted work) is not written.
    const QJsonObject paymentsJson
        = json.value(QStringLiteral("services")).toObject().value(QStringLiteral("payments")).toObject();
    QVERIFY(!paymentsJson.contains(QStringLiteral("abandoned")) && !paymentsJson.contains(QStringLiteral("wasted")));
    QCOMPARE(json.value(QStringLiteral("seed")).toInteger(), 99);
    QCOMPARE(json.value(QStringLiteral("events")).toInteger(), 1234);
    QCOMPARE(json.value(QStringLiteral("eventsSha256")).toString(), QStringLiteral("abc"));
    QCOMPARE(json.value(QStringLiteral("scenario")).toString(), QStringLiteral("outage"));
    // The same content gives the same bytes.
    QCOMPARE(s.toJsonBytes(), s.toJsonBytes());
    QVERIFY(s.toJsonBytes().endsWith('\n'));
}

void tst_Summary::roundedMs()
{
    QCOMPARE(Summary::roundedMs(Duration(0)), 0.0);
    QCOMPARE(Summary::roundedMs(ms(800)), 800.0);
    QCOMPARE(Summary::roundedMs(Duration(12345678)), 12.346);
    QCOMPARE(Summary::roundedMs(Duration(1499)), 0.001);
    QCOMPARE(Summary::roundedMs(Duration(499)), 0.0);
    // The JSON text has no binary noise.
    QJsonObject o;
    o.insert(QStringLiteral("v"), Summary::roundedMs(Duration(100300000)));
    QCOMPARE(QJsonDocument(o).toJson(QJsonDocument::Compact), QByteArray("{\"v\":100.3}"));
}

void tst_Summary::writeIsAtomic()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    Summary s;
    s.addOperation(Op);
    const QString path = dir.filePath(QStringLiteral("summary.json"));
    QString error;
    QVERIFY2(s.write(path, &error), qPrintable(error));
    QFile f(path);
    QVERIFY(f.open(QIODevice::ReadOnly));
    QCOMPARE(f.readAll(), s.toJsonBytes());
    QCOMPARE(QDir(dir.path()).entryList(QDir::Files),
        QStringList { QStringLiteral("summary.json") }); // no temporary left
    QVERIFY(!s.write(dir.filePath(QStringLiteral("no/such/dir/summary.json")), &error));
    QVERIFY(error.contains(QStringLiteral("cannot write")));
}

QTEST_GUILESS_MAIN(tst_Summary)
#include "tst_summary.moc"
