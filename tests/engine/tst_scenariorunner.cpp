// The simulation runner: pacing against an injected wall clock (no sleeps), pause, step and
// resume, full speed to the end, live commands as control events, coalesced progress, restart,
// and the same on a real worker thread.
#include "run/scenariorunner.h"
#include "telemetry/eventlog.h"

#include <QBuffer>
#include <QJsonDocument>
#include <QJsonObject>
#include <QPointer>
#include <QSignalSpy>
#include <QTest>
#include <QThread>

#include <algorithm>

using namespace bw;

namespace {

const QString Op = QStringLiteral("checkout");
const QString Service = QStringLiteral("payments");

Duration seconds(double s)
{
    return fromMs(s * 1000);
}

// 50 calls per second, one every 20 ms, 40 ms of service, through api() with a small bulkhead.
ScenarioConfig scenario(Duration length = seconds(60))
{
    ScenarioConfig s;
    s.name = QStringLiteral("runner");
    s.duration = length;
    s.seed = 11;
    ServiceConfig payments;
    payments.name = Service;
    payments.capacity = 100;
    payments.latency.kind = LatencyKind::Fixed;
    payments.latency.fixed = fromMs(40);
    s.services.append(payments);
    OperationConfig checkout;
    checkout.name = Op;
    checkout.service = Service;
    checkout.rate.rate = 50;
    checkout.arrival = ArrivalKind::Constant;
    checkout.policy = ResiliencePolicies::api();
    checkout.policy.bulkhead->maxConcurrent = 8;
    checkout.policy.bulkhead->maxQueueSize = 4;
    s.operations.append(checkout);
    return s;
}

// A wall clock the test moves; `step` is added at every read, to model time passing as the
// runner works (0: frozen).
struct FakeWall
{
    Duration now {};
    Duration step {};
    ScenarioRunner::WallClock clock()
    {
        return [this] {
            const Duration t = now;
            now += step;
            return t;
        };
    }
};

QList<QJsonObject> events(const QByteArray &jsonl, const QString &type)
{
    QList<QJsonObject> out;
    for (const QByteArray &line : jsonl.split('\n')) {
        if (line.isEmpty())
            continue;
        const QJsonObject o = QJsonDocument::fromJson(line).object();
        if (o.value(QStringLiteral("type")).toString() == type)
            out.append(o);
    }
    return out;
}

// Every bucket the progress signals carried, in order; fails on a duplicate or a hole.
QList<TimeBucketPtr> collect(const QList<RunProgress> &progress)
{
    QList<TimeBucketPtr> all;
    for (const RunProgress &p : progress) {
        if (p.series.reset)
            all.clear();
        for (const TimeBucketPtr &b : p.series.buckets) {
            if (!all.isEmpty() && b->seq != all.last()->seq + 1)
                return {};
            all.append(b);
        }
    }
    return all;
}

} // namespace

class TestSimulationRunner : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void pacedFollowsTheWallClock()
    {
        RunnerOptions options;
        options.speed = 10;
        FakeWall wall;
        ScenarioRunner runner(scenario(), std::nullopt, options);
        runner.setWallClock(wall.clock());
        QCOMPARE(runner.state(), ScenarioRunner::State::Idle);
        runner.start();
        QCOMPARE(runner.state(), ScenarioRunner::State::Running);
        runner.tick();
        QCOMPARE(runner.now(), Duration::zero());

        wall.now = seconds(1);
        runner.tick();
        QCOMPARE(runner.now(), seconds(10)); // 10 s of virtual time per second of wall time
        wall.now = seconds(1.5);
        runner.tick();
        QCOMPARE(runner.now(), seconds(15));

        runner.pause();
        QCOMPARE(runner.state(), ScenarioRunner::State::Paused);
        wall.now = seconds(3);
        runner.tick();
        QCOMPARE(runner.now(), seconds(15)); // paused: wall time passes, virtual time does not

        runner.step(fromMs(250));
        QCOMPARE(runner.now(), seconds(15.25));
        QCOMPARE(runner.state(), ScenarioRunner::State::Paused);
        runner.step(fromMs(1));
        QCOMPARE(runner.now(), seconds(15.251));

        runner.resume(); // anchors at wall 3 s, virtual 15.251 s: no jump for the paused time
        wall.now = seconds(3.5);
        runner.tick();
        QCOMPARE(runner.now(), seconds(20.251));

        runner.setSpeed(100);
        wall.now = seconds(3.6);
        runner.tick();
        QCOMPARE(runner.now(), seconds(30.251));

        QCOMPARE(ScenarioRunner::clampSpeed(5000), 1000.0);
        QCOMPARE(ScenarioRunner::clampSpeed(0.5), 1.0);
        QCOMPARE(ScenarioRunner::clampSpeed(-3), 0.0);

        // 30 s more at 100× lands past the end: the run finishes there.
        QSignalSpy finished(&runner, &ScenarioRunner::finished);
        wall.now = seconds(4);
        runner.tick();
        QCOMPARE(runner.now(), seconds(60));
        QCOMPARE(runner.state(), ScenarioRunner::State::Finished);
        QCOMPARE(finished.count(), 1);
        runner.tick(); // nothing more
        runner.step(seconds(1));
        QCOMPARE(finished.count(), 1);
        QCOMPARE(runner.now(), seconds(60));
    }

    // When a paced tick cannot reach its target within the budget, the run slows down instead
    // of bursting later.
    void pacedFallsBehindGracefully()
    {
        RunnerOptions options;
        options.speed = 1000;
        options.chunk = seconds(1);
        FakeWall wall;
        ScenarioRunner runner(scenario(), std::nullopt, options);
        wall.step = fromMs(6); // each chunk "costs" 6 ms: two chunks per 10 ms budget
        runner.setWallClock(wall.clock());
        runner.start(); // anchor read: wall 0 → 6 ms
        QSignalSpy progress(&runner, &ScenarioRunner::progress);
        wall.now = seconds(1);
        runner.tick(); // target 1000 × ~1 s, far past the end; gets 2 s
        QCOMPARE(runner.now(), seconds(2));
        QCOMPARE(runner.state(), ScenarioRunner::State::Running);
        QVERIFY(progress.count() <= 1);
        if (progress.count())
            QVERIFY(progress.last().first().value<RunProgress>().behind);
        const Duration afterFirst = runner.now();
        runner.tick(); // re-anchored where it got: a few ms of wall time later, a few s more
        QVERIFY(runner.now() > afterFirst);
        QVERIFY(runner.now() - afterFirst <= seconds(2));
    }

    void fullSpeedFinishesInShortTicks()
    {
        FakeWall wall;
        ScenarioRunner runner(scenario());
        wall.step = fromMs(1); // every clock read costs 1 ms: about 10 chunks per tick
        runner.setWallClock(wall.clock());
        QSignalSpy finished(&runner, &ScenarioRunner::finished);
        QSignalSpy progress(&runner, &ScenarioRunner::progress);
        runner.start();
        int ticks = 0;
        while (runner.state() == ScenarioRunner::State::Running && ticks < 1000) {
            runner.tick();
            ++ticks;
            // Each tick returns to the event loop after about 10 chunks of 100 ms.
            QVERIFY(
                runner.state() != ScenarioRunner::State::Running || runner.now() <= seconds(ticks * 1.1));
        }
        QCOMPARE(runner.state(), ScenarioRunner::State::Finished);
        QVERIFY2(ticks >= 50, qPrintable(QString::number(ticks)));
        QCOMPARE(finished.count(), 1);

        // Coalesced: far fewer progress signals than ticks, never one per call.
        QVERIFY2(progress.count() < ticks / 2,
            qPrintable(QStringLiteral("%1 / %2").arg(progress.count()).arg(ticks)));
        QList<RunProgress> got;
        for (const QList<QVariant> &args : progress)
            got.append(args.first().value<RunProgress>());
        QCOMPARE(got.last().state, ScenarioRunner::State::Finished);
        QVERIFY(!got.last().series.current); // finished: nothing in progress
        const QList<TimeBucketPtr> buckets = collect(got);
        QCOMPARE(buckets.size(), 60);
        QCOMPARE(buckets.first()->seq, 0);
        std::int64_t offered = 0, ended = 0;
        for (const TimeBucketPtr &b : buckets) {
            offered += b->operations[0].offered;
            ended += b->operations[0].ended();
            QCOMPARE(b->services.size(), size_t(1));
            QCOMPARE(b->bulkheads.size(), size_t(1));
            QCOMPARE(b->bulkheads[0].maxConcurrent, 8);
        }
        QCOMPARE(offered, runner.simulation()->offered(0));
        QCOMPARE(ended, offered);
        QCOMPARE(buckets[10]->operations[0].offered, 50);
        QCOMPARE(buckets[10]->services[0].received, 50);
        QCOMPARE(buckets[10]->operations[0].p50, fromMs(40));
    }

    void commandsBecomeControlEvents()
    {
        QByteArray bytes;
        QBuffer buffer(&bytes);
        QVERIFY(buffer.open(QIODevice::WriteOnly));
        EventLog log;
        log.open(&buffer);
        FakeWall wall;
        ScenarioRunner runner(scenario(seconds(30)));
        runner.setWallClock(wall.clock());
        runner.setSetup([&](ScenarioRun &sim) { sim.setEventLog(&log); });
        QSignalSpy applied(&runner, &ScenarioRunner::commandApplied);
        using namespace ControlCommands;

        runner.step(seconds(10)); // builds the run, paused
        runner.post({ Breaker { Op, BreakerAction::ForceOpen } });
        runner.step(seconds(2));
        runner.post({ Breaker { Op, BreakerAction::Reset } });
        runner.post({ ResizeBulkhead { Op, 2, 1 } });
        runner.step(seconds(1));
        FaultConfig outage;
        outage.service = Service;
        outage.kind = FaultKind::Outage;
        runner.post({ InjectFault { outage, seconds(2) } });
        runner.step(fromMs(500));
        runner.post({ ClearFaults { Service, FaultKind::Outage } });
        runner.post({ SetArrivalRate { Op, 100 } });
        PolicyConfig strict = ResiliencePolicies::critical();
        runner.post({ UpdatePolicy { Op, strict } });
        runner.post({ Breaker { QStringLiteral("nobody"), BreakerAction::ForceOpen } });

        QCOMPARE(applied.count(), 8);
        const QList<std::tuple<QString, bool, double>> expected {
            { QStringLiteral("forceOpen checkout"), true, 10000 },
            { QStringLiteral("reset checkout"), true, 12000 },
            { QStringLiteral("resizeBulkhead checkout 2/1"), true, 12000 },
            { QStringLiteral("injectFault payments (outage)"), true, 13000 },
            { QStringLiteral("clearFaults payments (outage)"), true, 13500 },
            { QStringLiteral("setArrivalRate checkout 100/s"), true, 13500 },
            { QStringLiteral("updatePolicy checkout"), true, 13500 },
            { QStringLiteral("forceOpen nobody"), false, 13500 },
        };
        for (int i = 0; i < applied.count(); ++i) {
            const auto [description, accepted, atMs] = expected[i];
            QCOMPARE(qvariant_cast<ControlCommand>(applied[i][0]).describe(), description);
            QCOMPARE(applied[i][1].toBool(), accepted);
            QCOMPARE(toMs(qvariant_cast<TimePoint>(applied[i][2])), atMs);
        }

        // The edits took effect: the bulkhead limits and the breaker change in the telemetry.
        runner.step(seconds(1.5));
        const QList<TimeBucketPtr> recent = runner.recorder().recent();
        QCOMPARE(recent.size(), 15);
        QCOMPARE(recent[12]->bulkheads[0].maxConcurrent, 2);
        QCOMPARE(recent[12]->bulkheads[0].maxQueueSize, 1);
        bool forced = false;
        for (const BreakerChange &c : recent[10]->changes)
            forced = forced || (c.at == seconds(10) && c.reason == TransitionReason::ForceOpen);
        QVERIFY(forced);
        QCOMPARE(recent[10]->breakers[0].state, CircuitState::Open);
        QCOMPARE(recent[14]->operations[0].offered, 100); // the new arrival rate

        runner.step(seconds(60)); // to the end
        QCOMPARE(runner.state(), ScenarioRunner::State::Finished);
        QVERIFY(log.finish());
        const QList<QJsonObject> control = events(bytes, QStringLiteral("control"));
        QCOMPARE(control.size(), 7); // the refused command changed nothing and wrote nothing
        const QStringList actions { QStringLiteral("forceOpen"), QStringLiteral("reset"),
            QStringLiteral("resizeBulkhead"), QStringLiteral("injectFault"), QStringLiteral("clearFaults"),
            QStringLiteral("setArrivalRate"), QStringLiteral("updatePolicy") };
        for (int i = 0; i < control.size(); ++i) {
            QCOMPARE(control[i].value(QStringLiteral("action")).toString(), actions[i]);
            QCOMPARE(control[i].value(QStringLiteral("t_ms")).toDouble(), std::get<2>(expected[i]));
        }
        QCOMPARE(control[0].value(QStringLiteral("target")).toString(), Op);
        QCOMPARE(control[2].value(QStringLiteral("maxConcurrent")).toInt(), 2);
        // A command to a finished run is refused.
        runner.post({ Breaker { Op, BreakerAction::ForceOpen } });
        QCOMPARE(applied.last()[1].toBool(), false);
    }

    void restartStartsANewGeneration()
    {
        FakeWall wall;
        ScenarioRunner runner(scenario(seconds(20)));
        runner.setWallClock(wall.clock());
        int built = 0;
        runner.setSetup([&](ScenarioRun &) { ++built; });
        QSignalSpy progress(&runner, &ScenarioRunner::progress);
        runner.step(seconds(5));
        runner.post({ ControlCommands::SetArrivalRate { Op, 5 } });
        runner.step(seconds(5));
        QCOMPARE(runner.recorder().recent().last()->operations[0].offered, 5);
        const std::uint64_t before = runner.recorder().generation();
        runner.restart();
        QCOMPARE(built, 2);
        QCOMPARE(runner.state(), ScenarioRunner::State::Paused);
        QCOMPARE(runner.now(), Duration::zero());
        QCOMPARE(runner.recorder().generation(), before + 1);
        QCOMPARE(runner.recorder().recent().size(), 0);
        const RunProgress p = progress.last().first().value<RunProgress>();
        QVERIFY(p.series.reset);
        QCOMPARE(p.series.buckets.size(), 0);
        runner.step(seconds(2));
        // The live edit is gone: the scenario's own rate again.
        QCOMPARE(runner.recorder().recent().last()->operations[0].offered, 50);
        const RunProgress q = progress.last().first().value<RunProgress>();
        QVERIFY(!q.series.reset);
        QCOMPARE(q.series.buckets.size(), 2);
    }

    // The real arrangement: the runner on a worker thread, driven only by queued calls, the
    // test reading queued signals. Short virtual runs that end by themselves; every wait is for
    // a state the runner reaches whatever the timing.
    void onAWorkerThread()
    {
        auto *runner = new ScenarioRunner(scenario(seconds(30)));
        QPointer<ScenarioRunner> alive(runner);
        QThread thread;
        runner->moveToThread(&thread);
        connect(&thread, &QThread::finished, runner, &QObject::deleteLater);

        QObject receiver; // lives here: its connections are queued to this thread
        QList<RunProgress> got;
        int finished = 0;
        QList<bool> accepted;
        connect(runner, &ScenarioRunner::progress, &receiver, [&](const RunProgress &p) { got.append(p); });
        connect(runner, &ScenarioRunner::finished, &receiver, [&] { ++finished; });
        connect(runner, &ScenarioRunner::commandApplied, &receiver,
            [&](const ControlCommand &, bool ok, TimePoint) { accepted.append(ok); });
        thread.start();

        // Queued in order: the command applies at virtual time zero, then exact steps.
        runner->post({ ControlCommands::Breaker { Op, BreakerAction::HoldOpen } });
        runner->step(seconds(5));
        QTRY_VERIFY_WITH_TIMEOUT(!got.isEmpty() && got.last().now == seconds(5), 20000);
        QCOMPARE(got.last().state, ScenarioRunner::State::Paused);
        QCOMPARE(accepted, QList<bool> { true });
        runner->step(fromMs(2500));
        QTRY_VERIFY_WITH_TIMEOUT(got.last().now == fromMs(7500), 20000);
        QCOMPARE(got.last().state, ScenarioRunner::State::Paused);

        // Paced to the end: 22.5 s at 1000 × real time.
        runner->setSpeed(1000);
        runner->resume();
        QTRY_COMPARE_WITH_TIMEOUT(finished, 1, 20000);
        QCOMPARE(got.last().state, ScenarioRunner::State::Finished);
        QCOMPARE(got.last().now, seconds(30));
        QList<TimeBucketPtr> buckets = collect(got);
        QCOMPARE(buckets.size(), 30);
        std::int64_t offered = 0, rejected = 0;
        for (const TimeBucketPtr &b : buckets) {
            offered += b->operations[0].offered;
            rejected += b->operations[0].count(Outcome::CircuitOpen);
        }
        QCOMPARE(offered, 1499); // every 20 ms from 20 ms
        QCOMPARE(rejected, offered); // held open from the start
        // Readers on other threads pull completed buckets directly.
        const TimeSeriesSnapshot pulled = runner->recorder().takeSince({});
        QCOMPARE(pulled.buckets.size(), 30);

        // Restart at full speed: a new generation, the live edit gone.
        runner->setSpeed(0);
        runner->restart();
        QTRY_COMPARE_WITH_TIMEOUT(finished, 2, 20000);
        QVERIFY(std::any_of(got.cbegin(), got.cend(), [](const RunProgress &p) { return p.series.reset; }));
        QCOMPARE(got.last().series.generation, std::uint64_t(2));
        buckets = collect(got);
        QCOMPARE(buckets.size(), 30);
        rejected = 0;
        for (const TimeBucketPtr &b : buckets)
            rejected += b->operations[0].count(Outcome::CircuitOpen);
        QCOMPARE(rejected, 0);

        thread.quit();
        QVERIFY(thread.wait(20000));
        QVERIFY(alive.isNull()); // deleted on its own thread
    }
};

QTEST_GUILESS_MAIN(TestSimulationRunner)
#include "tst_scenariorunner.moc"
