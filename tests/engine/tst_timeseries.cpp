// The time-series recorder: bucket counts from hand-made sink calls, percentiles against exact
// nearest-rank values, gauges sampled at exact boundaries, cursors, bounded memory over a day,
// CSV. Global operator new is replaced here to prove that recording a call allocates nothing.
#include "run/scenariorun.h"
#include "runtime/virtualscheduler.h"
#include "telemetry/summary.h"
#include "telemetry/timeseries.h"
#include "telemetry/timeseriescsv.h"

#include <QFile>
#include <QTemporaryDir>
#include <QTest>

#include "countingnew.h" // replaces global operator new in this executable

#include <algorithm>
#include <cmath>
#include <random>

using namespace bw;

namespace {

const QString Op = QStringLiteral("checkout");

Duration ms(double v)
{
    return fromMs(v);
}

void offer(TimeSeriesRecorder &r, double at)
{
    r.onCallOffered(Op, 0, ms(at));
}

void end(
    TimeSeriesRecorder &r, double at, Outcome outcome, int attempts, double latency, const QString &op = Op)
{
    static const Error error { ErrorCode::httpStatus(503), QStringLiteral("down"), std::nullopt,
        Stage::Operation, {} };
    r.onCallFinished(CallReport {
        op, 0, outcome, attempts, ms(latency), outcome == Outcome::Success ? nullptr : &error, ms(at) });
}

void retry(TimeSeriesRecorder &r, double at)
{
    static const Error error { ErrorCode::httpStatus(503), QStringLiteral("down"), std::nullopt,
        Stage::Operation, {} };
    r.onRetry(RetryReport { Op, 0, 1, ms(100), error, ms(at) });
}

void change(TimeSeriesRecorder &r, double at, CircuitState from, CircuitState to, TransitionReason reason)
{
    r.onStateChange(CircuitStateChange { Op, from, to, reason, ms(at), {} });
}

void bulkhead(TimeSeriesRecorder &r, double at, BulkheadEventKind kind, int active, int queued)
{
    r.onBulkheadEvent(BulkheadEvent { Op, kind, active, queued, 0, 0, ms(at) });
}

std::int64_t exactPercentile(const std::vector<std::int64_t> &sorted, double p)
{
    const auto n = std::int64_t(sorted.size());
    const std::int64_t rank
        = std::clamp<std::int64_t>(std::int64_t(std::ceil(p * double(n) / 100.0 - 1e-9)), 1, n);
    return sorted[size_t(rank - 1)];
}

// A day of traffic through the api() policy with an outage, an error burst and slow periods.
ScenarioConfig dayScenario()
{
    ScenarioConfig s;
    s.name = QStringLiteral("day");
    s.duration = std::chrono::hours(24);
    s.seed = 7;
    ServiceConfig payments;
    payments.name = QStringLiteral("payments");
    payments.capacity = 20;
    payments.latency.kind = LatencyKind::Lognormal;
    payments.latency.median = fromMs(40);
    payments.latency.p99 = fromMs(400);
    payments.errorRate = 0.02;
    s.services.append(payments);
    OperationConfig checkout;
    checkout.name = Op;
    checkout.service = payments.name;
    checkout.rate.rate = 8;
    checkout.arrival = ArrivalKind::Poisson;
    checkout.policy = ResiliencePolicies::api();
    checkout.policy.timeout->timeout = fromMs(1000);
    s.operations.append(checkout);
    FaultConfig outage;
    outage.service = payments.name;
    outage.kind = FaultKind::Outage;
    outage.at = std::chrono::hours(3);
    outage.until = std::chrono::hours(3) + std::chrono::minutes(10);
    s.faults.append(outage);
    FaultConfig errors = outage;
    errors.kind = FaultKind::Errors;
    errors.rate = 0.6;
    errors.at = std::chrono::hours(12);
    errors.until = std::chrono::hours(13);
    s.faults.append(errors);
    return s;
}

} // namespace

class TestTimeSeries : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void histogramBinsAreContiguous()
    {
        for (int b = 0; b + 1 < BucketHistogram::Bins; ++b) {
            QCOMPARE(BucketHistogram::binHigh(b) + 1, BucketHistogram::binLow(b + 1));
            QCOMPARE(BucketHistogram::binOf(BucketHistogram::binLow(b)), b);
            QCOMPARE(BucketHistogram::binOf(BucketHistogram::binHigh(b)), b);
        }
        QCOMPARE(BucketHistogram::binOf(std::int64_t(1) << 50), BucketHistogram::Bins - 1);
        BucketHistogram h;
        QCOMPARE(h.percentile(99), Duration::zero());
        for (int i = 0; i < 10; ++i)
            h.record(fromMs(800)); // every timeout at exactly 800 ms: exact, by the clamp
        QCOMPARE(h.percentile(50), fromMs(800));
        QCOMPARE(h.percentile(99), fromMs(800));
        h.clear();
        QCOMPARE(h.count(), 0);
        QCOMPARE(h.percentile(50), Duration::zero());
    }

    void percentilesWithinTolerance_data()
    {
        QTest::addColumn<int>("count");
        QTest::addColumn<double>("sigma");
        QTest::addRow("1 call") << 1 << 1.0;
        QTest::addRow("7 calls") << 7 << 0.5;
        QTest::addRow("1000 narrow") << 1000 << 0.2;
        QTest::addRow("20000 wide") << 20000 << 1.5;
    }

    void percentilesWithinTolerance()
    {
        QFETCH(int, count);
        QFETCH(double, sigma);
        std::mt19937_64 random { std::uint64_t(count) };
        std::lognormal_distribution<double> latency(std::log(40e6), sigma); // median 40 ms, in ns
        TimeSeriesRecorder r;
        r.addOperation(Op);
        std::vector<std::int64_t> values;
        for (int i = 0; i < count; ++i) {
            const auto v = std::int64_t(latency(random));
            values.push_back(v);
            r.onCallFinished(CallReport { Op, 0, Outcome::Success, 1, Duration(v), nullptr, ms(500) });
        }
        r.finish(ms(1000));
        std::sort(values.begin(), values.end());
        const OperationPoint &p = r.recent().first()->operations[0];
        QCOMPARE(p.ended(), count);
        const std::pair<Duration, double> checks[] = { { p.p50, 50 }, { p.p95, 95 }, { p.p99, 99 } };
        for (const auto &[got, percentile] : checks) {
            const double exact = double(exactPercentile(values, percentile));
            QVERIFY2(std::abs(double(got.count()) - exact) <= exact / 64 + 1,
                qPrintable(QStringLiteral("p%1: %2 vs %3").arg(percentile).arg(got.count()).arg(exact)));
        }
        QCOMPARE(p.max.count(), values.back());
    }

    // Without a scheduler: buckets close on the first event past their end, empty ones included.
    void bucketCountsFromHandMadeCalls()
    {
        TimeSeriesRecorder r;
        QCOMPARE(r.addOperation(Op, QStringLiteral("payments")), 0);
        QCOMPARE(r.addBreaker(Op), 0);
        // Bucket 0
        offer(r, 100);
        offer(r, 200);
        end(r, 300, Outcome::Success, 1, 100);
        retry(r, 400);
        retry(r, 450);
        offer(r, 500);
        r.onTimeout(Op, 0, StageKind::Timeout, ms(500), ms(550));
        end(r, 600, Outcome::Failure, 3, 400);
        // Bucket 1
        offer(r, 1200);
        end(r, 1500, Outcome::Timeout, 1, 1300);
        change(r, 1700, CircuitState::Closed, CircuitState::Open, TransitionReason::FailureRate);
        r.onRejected(Op, CircuitState::Open, ms(1800));
        end(r, 1800, Outcome::CircuitOpen, 0, 0);
        // Bucket 2 stays empty; 3 is in progress.
        r.advanceTo(ms(3000));

        const QList<TimeBucketPtr> buckets = r.recent();
        QCOMPARE(buckets.size(), 3);
        for (int i = 0; i < 3; ++i) {
            QCOMPARE(buckets[i]->seq, i);
            QCOMPARE(buckets[i]->start, ms(1000.0 * i));
            QCOMPARE(buckets[i]->end, ms(1000.0 * (i + 1)));
            QCOMPARE(buckets[i]->spans, 1);
        }
        const OperationPoint &b0 = buckets[0]->operations[0];
        QCOMPARE(b0.offered, 3);
        QCOMPARE(b0.count(Outcome::Success), 1);
        QCOMPARE(b0.count(Outcome::Failure), 1);
        QCOMPARE(b0.ended(), 2);
        QCOMPARE(b0.attempts, 4);
        QCOMPARE(b0.attemptsPerCall(), 2.0);
        QCOMPARE(b0.retries, 2);
        QCOMPARE(b0.timeouts[size_t(StageKind::Timeout)], 1);
        QCOMPARE(b0.timeoutsTotal(), 1);
        QCOMPARE(b0.p50, ms(100)); // nearest rank: the smaller of two, exact by the clamp
        QCOMPARE(b0.max, ms(400));
        QVERIFY(std::abs(toMs(b0.p99) - 400) <= 400.0 / 64);
        QCOMPARE(buckets[0]->breakers[0].state, CircuitState::Closed);
        QCOMPARE(buckets[0]->breakers[0].timeInState[size_t(CircuitState::Closed)], ms(1000));

        const OperationPoint &b1 = buckets[1]->operations[0];
        QCOMPARE(b1.offered, 1);
        QCOMPARE(b1.count(Outcome::Timeout), 1);
        QCOMPARE(b1.count(Outcome::CircuitOpen), 1);
        QCOMPARE(b1.attempts, 1);
        QCOMPARE(b1.retries, 0);
        const BreakerPoint &k1 = buckets[1]->breakers[0];
        QCOMPARE(k1.state, CircuitState::Open);
        QCOMPARE(k1.changes, 1);
        QCOMPARE(k1.rejected, 1);
        QCOMPARE(k1.timeInState[size_t(CircuitState::Closed)], ms(700));
        QCOMPARE(k1.timeInState[size_t(CircuitState::Open)], ms(300));
        QCOMPARE(buckets[1]->changes.size(), size_t(1));
        const BreakerChange &c = buckets[1]->changes[0];
        QCOMPARE(c.breaker, 0);
        QCOMPARE(c.at, ms(1700));
        QCOMPARE(c.from, CircuitState::Closed);
        QCOMPARE(c.to, CircuitState::Open);
        QCOMPARE(c.reason, TransitionReason::FailureRate);

        const TimeBucket &b2 = *buckets[2];
        QCOMPARE(b2.operations[0].offered, 0);
        QCOMPARE(b2.operations[0].ended(), 0);
        QCOMPARE(b2.operations[0].p99, Duration::zero());
        QCOMPARE(b2.breakers[0].state, CircuitState::Open);
        QCOMPARE(b2.breakers[0].changes, 0);
        QCOMPARE(b2.breakers[0].timeInState[size_t(CircuitState::Open)], ms(1000));

        // The run ends mid-bucket: the last bucket is partial.
        offer(r, 3200);
        r.finish(ms(3500));
        QVERIFY(r.isFinished());
        const TimeBucketPtr last = r.recent().last();
        QCOMPARE(last->seq, 3);
        QCOMPARE(last->start, ms(3000));
        QCOMPARE(last->end, ms(3500));
        QCOMPARE(last->operations[0].offered, 1);
        offer(r, 3600); // after finish: ignored
        QCOMPARE(r.recent().size(), 4);
    }

    void namesSeenFirstInEventsAreRegistered()
    {
        TimeSeriesRecorder r;
        const QString other = QStringLiteral("search");
        end(r, 10, Outcome::Success, 1, 5, other);
        // The same name through another QString (different data pointer) is the same series.
        end(r, 20, Outcome::Success, 1, 5, QString(other.data(), other.size()));
        change(r, 30, CircuitState::HalfOpen, CircuitState::Open, TransitionReason::HalfOpenFailure);
        r.finish(ms(1000));
        const auto layout = r.layout();
        QCOMPARE(layout->operations, QStringList { other });
        QCOMPARE(layout->breakers, QStringList { Op });
        const TimeBucket &b = *r.recent().first();
        QCOMPARE(b.operations[0].count(Outcome::Success), 2);
        // A breaker first heard of in a change was in the state it left until then.
        QCOMPARE(b.breakers[0].timeInState[size_t(CircuitState::HalfOpen)], ms(30));
        QCOMPARE(b.breakers[0].timeInState[size_t(CircuitState::Open)], ms(970));
    }

    // Served and wasted are per-bucket differences of the service's own counters, summed in coarse
    // buckets; a service that cannot see its wasted work (-1) keeps -1 in both.
    void wastedWorkPerBucket()
    {
        VirtualScheduler s;
        TimeSeriesRecorder::Config config;
        config.coarseFactor = 2;
        config.recentCapacity = 2;
        TimeSeriesRecorder r(config);
        std::int64_t served = 5, wasted = 1; // before registration: not this run's
        r.addService(QStringLiteral("model"),
            [&] { return TimeSeriesRecorder::ServiceSample { 0, 0, 0, 0, 1, served, wasted }; });
        r.addService(QStringLiteral("real"),
            [&] { return TimeSeriesRecorder::ServiceSample { 0, 0, 0, 0, 1, served, -1 }; });
        r.attach(s, ms(4000));
        s.scheduleAt(ms(500), [&] { served += 10, wasted += 4; });
        s.scheduleAt(ms(1500), [&] { served += 6; });
        s.scheduleAt(ms(2500), [&] { served += 3, wasted += 3; });
        s.advanceTo(ms(4000));
        r.finish(ms(4000));
        r.detach();

        const auto figures = [](const QList<TimeBucketPtr> &buckets, int service) {
            QList<std::pair<std::int64_t, std::int64_t>> out;
            for (const TimeBucketPtr &b : buckets)
                out.append({ b->services[std::size_t(service)].served, b->services[std::size_t(service)].wasted });
            return out;
        };
        using Figures = QList<std::pair<std::int64_t, std::int64_t>>;
        QCOMPARE(figures(r.recent(), 0), (Figures { { 3, 3 }, { 0, 0 } })); // [2, 3) s, [3, 4) s
        QCOMPARE(figures(r.coarse(), 0), (Figures { { 16, 4 }, { 3, 3 } })); // [0, 2) s, [2, 4) s
        QCOMPARE(figures(r.coarse(), 1), (Figures { { 16, -1 }, { 3, -1 } }));
    }

    // With attach(), buckets close at their boundaries on the scheduler, traffic or not, and
    // gauges are sampled there; events at the run's end count in its last bucket.
    void gaugesSampledAtBoundaries()
    {
        VirtualScheduler s;
        TimeSeriesRecorder r;
        std::int64_t received = 0, rejected = 0;
        int active = 0, queued = 0, limit = 10;
        r.addOperation(Op, QStringLiteral("payments"));
        r.addService(QStringLiteral("payments"), [&] {
            // inService reports the time it was sampled, in seconds: proof of where sampling happens
            return TimeSeriesRecorder::ServiceSample { received, received / 2, int(toMs(s.now()) / 1000), 3,
                7 };
        });
        r.addBulkhead(Op, [&] {
            return std::optional(
                TimeSeriesRecorder::BulkheadSample { active, queued, limit, 5, rejected, 0 });
        });
        r.attach(s, ms(3500));
        const auto at = [&](double t, std::function<void()> f) { s.scheduleAt(ms(t), [f] { f(); }); };
        at(500, [&] { received += 2; });
        at(1500, [&] { received += 3; });
        at(3200, [&] { received += 1; });
        // The recorder also listens to this bulkhead's events: exact peaks between samples.
        at(210, [&] {
            active = 1;
            bulkhead(r, 210, BulkheadEventKind::Started, 1, 0);
        });
        at(310, [&] {
            active = 2;
            bulkhead(r, 310, BulkheadEventKind::Started, 2, 0);
        });
        at(410, [&] {
            queued = 1;
            bulkhead(r, 410, BulkheadEventKind::Queued, 2, 1);
        });
        at(420, [&] {
            active = 1;
            queued = 0;
            bulkhead(r, 420, BulkheadEventKind::Completed, 1, 0);
        });
        at(700, [&] {
            ++rejected;
            bulkhead(r, 700, BulkheadEventKind::Rejected, 1, 0);
        });
        at(2500, [&] { limit = 4; });
        at(3500, [&] { offer(r, 3500); }); // at the end: the last bucket's
        s.advanceTo(ms(3500));
        QCOMPARE(r.recent().size(), 3); // [3000, 3500) stays open until finish
        r.finish(ms(3500));
        QCOMPARE(s.pendingTimers(), size_t(0));

        const QList<TimeBucketPtr> b = r.recent();
        QCOMPARE(b.size(), 4);
        const std::int64_t receivedPerBucket[] = { 2, 3, 0, 1 };
        const std::int64_t errorsPerBucket[] = { 1, 1, 0, 1 }; // cumulative received / 2: 1, 2, 2, 3
        const int sampledAt[] = { 1, 2, 3, 3 };
        for (int i = 0; i < 4; ++i) {
            QCOMPARE(b[i]->services[0].received, receivedPerBucket[i]);
            QCOMPARE(b[i]->services[0].errorsServed, errorsPerBucket[i]);
            QCOMPARE(b[i]->services[0].inService, sampledAt[i]);
            QCOMPARE(b[i]->services[0].queued, 3);
            QCOMPARE(b[i]->services[0].capacity, 7);
        }
        QCOMPARE(b[3]->end, ms(3500));
        QCOMPARE(b[3]->operations[0].offered, 1);
        const BulkheadPoint &k0 = b[0]->bulkheads[0];
        QCOMPARE(k0.peakActive, 2);
        QCOMPARE(k0.peakQueued, 1); // between two samples: seen through the event
        QCOMPARE(k0.active, 1);
        QCOMPARE(k0.queued, 0);
        QCOMPARE(k0.rejected, 1); // from the sampler's counter, not counted twice
        QCOMPARE(k0.maxConcurrent, 10);
        QCOMPARE(k0.utilizationPercent(), 10.0);
        QCOMPARE(k0.queuePercent(), 0.0);
        QCOMPARE(b[1]->bulkheads[0].peakActive, 1); // starts from where the last bucket ended
        QCOMPARE(b[1]->bulkheads[0].rejected, 0);
        QCOMPARE(b[2]->bulkheads[0].maxConcurrent, 4);
        QCOMPARE(b[2]->bulkheads[0].utilizationPercent(), 25.0);
    }

    // A row describes [start, end): a change at exactly a boundary (a brownout a scenario
    // scheduled long before) belongs to the next row, and the last row shows the state the run
    // ended in, not what its teardown (calls cut off, queues emptied) leaves behind.
    void gaugesDescribeTheirOwnInterval()
    {
        VirtualScheduler s;
        TimeSeriesRecorder r;
        int capacity = 50, inService = 7, active = 3;
        double failureRate = 0.25;
        r.addOperation(Op, QStringLiteral("payments"));
        r.addService(QStringLiteral("payments"),
            [&] { return TimeSeriesRecorder::ServiceSample { 0, 0, inService, 0, capacity }; });
        r.addBulkhead(Op, [&] { return std::optional(TimeSeriesRecorder::BulkheadSample { active, 0, 10, 5, 0, 0 }); });
        r.addBreaker(Op, CircuitState::Closed,
            [&] { return std::optional(TimeSeriesRecorder::BreakerSample { failureRate, 0, 4 }); });
        s.scheduleAt(ms(2000), [&] {
            capacity = 10;
            failureRate = 0.5;
        });
        r.attach(s, ms(3000));
        s.advanceTo(ms(3000));
        inService = active = 0; // the teardown
        failureRate = 0;
        r.finish(ms(3000));

        const QList<TimeBucketPtr> b = r.recent();
        QCOMPARE(b.size(), 3);
        QCOMPARE(b[1]->end, ms(2000));
        QCOMPARE(b[1]->services[0].capacity, 50);
        QCOMPARE(b[1]->breakers[0].failureRate, 0.25);
        QCOMPARE(b[2]->services[0].capacity, 10);
        QCOMPARE(b[2]->breakers[0].failureRate, 0.5);
        QCOMPARE(b[2]->end, ms(3000));
        QCOMPARE(b[2]->services[0].inService, 7);
        QCOMPARE(b[2]->bulkheads[0].active, 3);
    }

    // Without events, peaks come from samples taken every tenth of a bucket.
    // A breaker's own window is sampled at each bucket's end; without a sampler it is unknown.
    void breakerWindowSampledAtBoundaries()
    {
        VirtualScheduler s;
        TimeSeriesRecorder r;
        r.addBreaker(Op, CircuitState::Closed, [&]() -> std::optional<TimeSeriesRecorder::BreakerSample> {
            const double t = toMs(s.now()) / 1000; // the sample tells when it was taken
            if (t > 2.5)
                return std::nullopt; // the policy dropped its breaker
            return TimeSeriesRecorder::BreakerSample { t / 10, t / 20, std::int64_t(t * 7) };
        });
        r.addBreaker(QStringLiteral("unsampled"));
        r.attach(s, ms(4000));
        s.advanceTo(ms(4000));
        r.finish(ms(4000));
        const QList<TimeBucketPtr> buckets = r.recent();
        QCOMPARE(buckets.size(), 4);
        for (int i = 0; i < 2; ++i) {
            const BreakerPoint &p = buckets[i]->breakers[0];
            QCOMPARE(p.failureRate, (i + 1) / 10.0);
            QCOMPARE(p.slowCallRate, (i + 1) / 20.0);
            QCOMPARE(p.windowCalls, std::int64_t((i + 1) * 7));
            QCOMPARE(buckets[i]->breakers[1].failureRate, -1.0);
            QCOMPARE(buckets[i]->breakers[1].windowCalls, std::int64_t(-1));
        }
        QCOMPARE(buckets[3]->breakers[0].windowCalls, std::int64_t(-1));
    }

    void peaksFromSamplesAlone()
    {
        VirtualScheduler s;
        TimeSeriesRecorder r;
        int active = 0, queued = 0, serviceQueued = 3;
        std::int64_t rejected = 3; // before registration: not this run's
        bool present = true;
        r.addBulkhead(Op, [&]() -> std::optional<TimeSeriesRecorder::BulkheadSample> {
            if (!present)
                return std::nullopt;
            return TimeSeriesRecorder::BulkheadSample { active, queued, 8, 4, rejected, 0 };
        });
        r.addService(QStringLiteral("payments"), [&] {
            return TimeSeriesRecorder::ServiceSample { 0, 0, 1, serviceQueued, 10 };
        });
        r.attach(s, ms(4000));
        const auto at = [&](double t, std::function<void()> f) { s.scheduleAt(ms(t), [f] { f(); }); };
        at(250, [&] { active = 5; });
        at(330, [&] { active = 1; }); // sampled at 300: peak 5
        at(410, [&] { queued = 4; });
        at(440, [&] { queued = 0; }); // between 400 and 500: not seen
        at(450, [&] { serviceQueued = 9; });
        at(480, [&] { serviceQueued = 3; }); // not seen
        at(520, [&] { serviceQueued = 12; });
        at(680, [&] { serviceQueued = 3; }); // sampled at 600: peak 12
        at(800, [&] { rejected = 5; });
        at(1500, [&] { rejected = 1; }); // a new bulkhead (policy change): counts from zero
        at(2200, [&] { present = false; }); // the policy dropped it
        at(3300, [&] {
            present = true;
            rejected = 2;
        });
        s.advanceTo(ms(4000));
        r.finish(ms(4000));
        const QList<TimeBucketPtr> b = r.recent();
        QCOMPARE(b.size(), 4);
        QCOMPARE(b[0]->bulkheads[0].peakActive, 5);
        QCOMPARE(b[0]->bulkheads[0].peakQueued, 0);
        QCOMPARE(b[0]->bulkheads[0].active, 1);
        QCOMPARE(b[0]->bulkheads[0].rejected, 2);
        QCOMPARE(b[0]->services[0].peakQueued, 12);
        QCOMPARE(b[0]->services[0].queued, 3);
        QCOMPARE(b[1]->bulkheads[0].rejected, 1);
        QCOMPARE(b[1]->bulkheads[0].peakActive, 1);
        QCOMPARE(b[1]->services[0].peakQueued, 3);
        QCOMPARE(b[2]->bulkheads[0].maxConcurrent, -1);
        QCOMPARE(b[2]->bulkheads[0].utilizationPercent(), -1.0);
        QCOMPARE(b[2]->bulkheads[0].rejected, 0);
        QCOMPARE(b[3]->bulkheads[0].maxConcurrent, 8);
        QCOMPARE(b[3]->bulkheads[0].rejected, 2);
        QCOMPARE(s.pendingTimers(), size_t(0));
    }

    void cursorsTakeOnlyNewBuckets()
    {
        TimeSeriesRecorder::Config config;
        config.recentCapacity = 5;
        config.coarseFactor = 1;
        TimeSeriesRecorder r(config);
        r.addOperation(Op);
        r.advanceTo(ms(3000));
        TimeSeriesSnapshot s = r.takeSince({});
        QVERIFY(s.reset); // a default cursor is from no generation
        QVERIFY(!s.gap);
        QCOMPARE(s.buckets.size(), 3);
        QCOMPARE(s.next.next, 3);
        QVERIFY(!s.current);
        QCOMPARE(s.layout->operations, QStringList { Op });

        offer(r, 3100);
        r.advanceTo(ms(5000));
        s = r.takeSince(s.next);
        QVERIFY(!s.reset);
        QCOMPARE(s.buckets.size(), 2);
        QCOMPARE(s.buckets[0]->seq, 3);
        QCOMPARE(s.buckets[0]->operations[0].offered, 1);
        QCOMPARE(r.takeSince(s.next).buckets.size(), 0);

        // The reader falls behind by more than the ring: it learns of the hole.
        r.advanceTo(ms(12000));
        s = r.takeSince(s.next);
        QVERIFY(s.gap);
        QCOMPARE(s.buckets.size(), 5);
        QCOMPARE(s.buckets.first()->seq, 7);
        QCOMPARE(s.buckets.last()->seq, 11);

        // The bucket in progress, on the recording thread.
        offer(r, 12500);
        TimeSeriesSnapshot live = r.snapshot(s.next);
        QCOMPARE(live.buckets.size(), 0);
        QVERIFY(live.current);
        QCOMPARE(live.current->seq, 12);
        QCOMPARE(live.current->operations[0].offered, 1);

        r.reset();
        s = r.takeSince(s.next);
        QVERIFY(s.reset);
        QCOMPARE(s.generation, std::uint64_t(2));
        QCOMPARE(s.buckets.size(), 0);
        QCOMPARE(s.layout->operations.size(), 0);
    }

    // A whole simulated day: the fine ring and the coarse ring stay at their caps, the coarse
    // tier adds up to the run's totals, and the tiers agree where they overlap.
    void memoryStaysBoundedOverADay()
    {
        ScenarioRun sim(dayScenario());
        Summary summary;
        sim.setSummary(&summary);
        TimeSeriesRecorder whole; // defaults: an hour of seconds, a day of minutes
        TimeSeriesRecorder::Config small;
        small.recentCapacity = 600;
        small.coarseCapacity = 100;
        TimeSeriesRecorder capped(small);
        for (TimeSeriesRecorder *r : { &whole, &capped }) {
            r->addOperation(Op, QStringLiteral("payments"));
            sim.addSink(r);
            sim.pipeline(0).bulkhead()->addListener(r);
        }
        sim.start();
        whole.attach(sim.scheduler(), sim.end());
        capped.attach(sim.scheduler(), sim.end());
        sim.runToEnd();
        whole.finish(sim.now());
        capped.finish(sim.now());
        whole.detach();
        capped.detach();

        const QList<TimeBucketPtr> fine = whole.recent(), coarse = whole.coarse();
        QCOMPARE(fine.size(), 3600);
        QCOMPARE(coarse.size(), 1440);
        QCOMPARE(fine.last()->seq, 86399);
        QCOMPARE(fine.last()->end, sim.end());
        for (int i = 0; i < coarse.size(); ++i) {
            QCOMPARE(coarse[i]->seq, i);
            QCOMPARE(coarse[i]->spans, 60);
        }
        const OperationSummary &total = summary.operations().at(Op);
        OperationPoint sum;
        int opened = 0;
        for (const TimeBucketPtr &b : coarse) {
            const OperationPoint &p = b->operations[0];
            sum.offered += p.offered;
            sum.attempts += p.attempts;
            sum.retries += p.retries;
            for (int o = 0; o < OutcomeCount; ++o)
                sum.outcomes[size_t(o)] += p.outcomes[size_t(o)];
            QVERIFY(p.minOffered <= p.maxOffered);
            QVERIFY(p.p99 <= p.max);
            for (const BreakerChange &c : b->changes)
                opened += c.to == CircuitState::Open;
        }
        QCOMPARE(sum.offered, total.offered);
        QCOMPARE(sum.outcomes, total.outcomes);
        QCOMPARE(sum.attempts, total.attempts);
        QCOMPARE(sum.retries, total.retries);
        QCOMPARE(sum.ended(), sum.offered); // every call offered ended, cancellations included
        QVERIFY(opened > 0); // the outage opened the breaker
        QVERIFY(summary.breakers().at(Op).transitions.size() >= size_t(opened));

        const QList<TimeBucketPtr> cappedFine = capped.recent(), cappedCoarse = capped.coarse();
        QCOMPARE(cappedFine.size(), 600);
        QCOMPARE(cappedCoarse.size(), 100);
        QCOMPARE(cappedCoarse.first()->seq, 1340);
        // The last 10 coarse buckets merged exactly the 600 fine buckets still held.
        std::int64_t fineOffered = 0, coarseOffered = 0;
        Duration fineMaxP99 {};
        for (const TimeBucketPtr &b : cappedFine) {
            fineOffered += b->operations[0].offered;
            fineMaxP99 = std::max(fineMaxP99, b->operations[0].p99);
        }
        Duration coarseMaxP99 {};
        for (int i = 90; i < 100; ++i) {
            coarseOffered += cappedCoarse[i]->operations[0].offered;
            coarseMaxP99 = std::max(coarseMaxP99, cappedCoarse[i]->operations[0].maxP99);
        }
        QCOMPARE(coarseOffered, fineOffered);
        QCOMPARE(coarseMaxP99, fineMaxP99);
        // Both recorders saw the same run.
        QCOMPARE(capped.recent().last()->operations[0].offered, fine.last()->operations[0].offered);
    }

    void recordingAllocatesNothing()
    {
        TimeSeriesRecorder r;
        r.addOperation(Op);
        r.addBreaker(Op);
        r.addBulkhead(Op);
        // Warm up: every cache and name resolved once.
        offer(r, 1);
        end(r, 1, Outcome::Success, 1, 10);
        retry(r, 1);
        r.onTimeout(Op, 0, StageKind::Timeout, ms(1), ms(1));
        r.onRejected(Op, CircuitState::Open, ms(1));
        bulkhead(r, 1, BulkheadEventKind::Started, 1, 0);
        const std::uint64_t before = test::allocationsOnThisThread();
        for (int i = 0; i < 100000; ++i) {
            const double t = 2 + i * 0.005; // all in bucket 0
            offer(r, t);
            retry(r, t);
            r.onTimeout(Op, 0, StageKind::Timeout, ms(1), ms(t));
            r.onRejected(Op, CircuitState::Open, ms(t));
            bulkhead(r, t, BulkheadEventKind::Started, i % 10, i % 3);
            end(r, t, Outcome::Success, 1, 1 + i % 5000);
        }
        QCOMPARE(test::allocationsOnThisThread() - before, std::uint64_t(0));
        r.finish(ms(1000));
        QCOMPARE(r.recent().first()->operations[0].offered, 100001);
    }

    void csvHeaderAndRows()
    {
        TimeSeriesRecorder r;
        r.addOperation(Op, QStringLiteral("payments"));
        r.addOperation(QStringLiteral("a,\"b\""));
        r.addBreaker(Op);
        r.addBulkhead(Op, [] { return std::optional(TimeSeriesRecorder::BulkheadSample { 1, 2, 10, 20 }); });
        r.addService(QStringLiteral("payments"), [] {
            return TimeSeriesRecorder::ServiceSample { 0, 0, 4, 0, 8 };
        });
        offer(r, 100);
        offer(r, 200);
        retry(r, 300);
        end(r, 400, Outcome::Success, 2, 12.5);
        end(r, 450, Outcome::Fallback, 1, 12.5);
        change(r, 1200, CircuitState::Closed, CircuitState::ForcedOpen, TransitionReason::HoldOpen);
        r.finish(ms(1250.5));

        const QByteArray csv = r.toCsv();
        const QList<QByteArray> lines = csv.split('\n');
        QCOMPARE(lines.size(), 6); // header, 2 buckets × 2 operations, trailing newline
        QCOMPARE(lines[0],
            QByteArray("start_ms,end_ms,operation,offered,success,fallback,failure,timeout,circuit_open,"
                       "bulkhead_full,bulkhead_timeout,rate_limited,throttled,limit_exceeded,cancelled,attempts,retries,timeouts,latency_p50_ms,"
                       "latency_p95_ms,latency_p99_ms,latency_max_ms,breaker_state,breaker_changes,"
                       "bulkhead_active,bulkhead_peak_active,bulkhead_max_concurrent,bulkhead_queued,"
                       "bulkhead_peak_queued,bulkhead_max_queue_size,service,service_received,"
                       "service_in_service,service_queued,service_capacity,service_served,service_wasted,"
                       "concurrency_limit"));
        QCOMPARE(lines[0] + '\n', timeSeriesCsvHeader());
        QCOMPARE(lines[1],
            QByteArray("0,1000,checkout,2,1,1,0,0,0,0,0,0,0,0,0,3,1,0,12.5,12.5,12.5,12.5,CLOSED,0,1,1,10,2,2,20,"
                       "payments,0,4,0,8,0,,")); // wasted unknown, no concurrency limit: empty
        QCOMPARE(lines[2], QByteArray("0,1000,\"a,\"\"b\"\"\",0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,,,,,,,,,,,,,,,,,,,,"));
        // The run ends mid-bucket: the last row is partial.
        QVERIFY(lines[3].startsWith("1000,1250.5,checkout,0,"));
        QVERIFY(lines[3].contains(",FORCED_OPEN,1,"));
        QCOMPARE(lines[5], QByteArray());

        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        QString error;
        const QString path = dir.filePath(QStringLiteral("series.csv"));
        QVERIFY2(r.writeCsv(path, &error), qPrintable(error));
        QFile file(path);
        QVERIFY(file.open(QIODevice::ReadOnly));
        QCOMPARE(file.readAll(), csv);
        QVERIFY(!r.writeCsv(dir.filePath(QStringLiteral("missing/dir/series.csv")), &error));
        QVERIFY(!error.isEmpty());
    }

    // When the fine ring has dropped buckets, the CSV uses coarse rows for that span, with no
    // hole and no overlap.
    // An operation's adaptive concurrency limit is sampled at each bucket's end: -1 (and an empty
    // CSV field) while it has none.
    void concurrencyLimitIsSampledPerBucket()
    {
        TimeSeriesRecorder r;
        std::optional<int> limit;
        r.addOperation(QStringLiteral("op"), {}, [&limit] { return limit; });
        r.advanceTo(ms(1000));
        limit = 20;
        r.advanceTo(ms(2000));
        limit = 34;
        r.finish(ms(3000));
        const QList<TimeBucketPtr> buckets = r.recent();
        QCOMPARE(buckets.size(), 3);
        QCOMPARE(buckets[0]->operations[0].concurrencyLimit, -1);
        QCOMPARE(buckets[1]->operations[0].concurrencyLimit, 20);
        QCOMPARE(buckets[2]->operations[0].concurrencyLimit, 34);
        const QList<QByteArray> lines = r.toCsv().split('\n');
        QVERIFY(lines[1].endsWith(",,,,,,,,,,,,,,,")); // no breaker, bulkhead, service or limit
        QVERIFY(lines[2].endsWith(",20"));
        QVERIFY(lines[3].endsWith(",34"));
    }

    void csvJoinsCoarseAndFine()
    {
        TimeSeriesRecorder::Config config;
        config.recentCapacity = 4;
        config.coarseFactor = 2;
        config.coarseCapacity = 10;
        TimeSeriesRecorder r(config);
        r.addOperation(Op);
        for (int i = 0; i < 9; ++i)
            for (int k = 0; k <= i; ++k)
                offer(r, 1000.0 * i + k);
        r.finish(ms(9000));
        QCOMPARE(r.recent().first()->seq, 5);
        const QList<QByteArray> lines = r.toCsv().split('\n');
        // coarse [0,2000) [2000,4000) [4000,6000), fine 6, 7, 8
        const QList<QByteArray> expectedStarts { "0", "2000", "4000", "6000", "7000", "8000" };
        const QList<QByteArray> expectedEnds { "2000", "4000", "6000", "7000", "8000", "9000" };
        QCOMPARE(lines.size(), 1 + 6 + 1);
        std::int64_t offered = 0;
        for (int i = 0; i < 6; ++i) {
            const QList<QByteArray> f = lines[i + 1].split(',');
            QCOMPARE(f[0], expectedStarts[i]);
            QCOMPARE(f[1], expectedEnds[i]);
            offered += f[3].toLongLong();
        }
        QCOMPARE(offered, 45); // 1 + 2 + ... + 9
    }
};

QTEST_GUILESS_MAIN(TestTimeSeries)
#include "tst_timeseries.moc"
