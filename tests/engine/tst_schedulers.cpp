#include "runtime/fastclock.h"
#include "runtime/inplacefunction.h"
#include "runtime/random.h"
#include "runtime/timerqueue.h"
#include "runtime/virtualscheduler.h"
#include "runtime/wallscheduler.h"

#include <QElapsedTimer>
#include <QEventLoop>
#include <QTest>

using namespace bw;

class TestSchedulers : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void virtualTimeRunsInOrderOfTimeThenSequence()
    {
        VirtualScheduler s;
        QList<int> order;
        s.schedule(fromMs(20), [&] { order.append(3); });
        s.schedule(fromMs(10), [&] { order.append(1); });
        s.schedule(fromMs(10), [&] { order.append(2); });
        s.schedule(fromMs(-5), [&] { order.append(0); });
        QCOMPARE(s.runUntilIdle(), std::size_t(4));
        QCOMPARE(order, (QList<int> { 0, 1, 2, 3 }));
        QCOMPARE(s.now(), fromMs(20));
    }

    // scheduleFirstAt: ahead of the same instant's scheduleAt tasks, even those scheduled
    // earlier, and in their own order among themselves; other instants are unaffected.
    void firstAtRunsBeforeTheInstantsOtherTasks()
    {
        VirtualScheduler s;
        QList<int> order;
        s.scheduleAt(fromMs(10), [&] { order.append(3); });
        s.scheduleAt(fromMs(5), [&] { order.append(0); });
        s.scheduleFirstAt(fromMs(10), [&] { order.append(1); });
        s.scheduleAt(fromMs(10), [&] { order.append(4); });
        s.scheduleFirstAt(fromMs(10), [&] {
            order.append(2);
            s.scheduleFirstAt(s.now(), [&] { order.append(5); }); // at the running instant: next
        });
        s.scheduleFirstAt(fromMs(20), [&] { order.append(6); });
        QCOMPARE(s.runUntilIdle(), std::size_t(7));
        QCOMPARE(order, (QList<int> { 0, 1, 2, 5, 3, 4, 6 }));
    }

    void advanceToRunsOnlyDueTimersAndSetsTime()
    {
        VirtualScheduler s;
        int ran = 0;
        s.schedule(fromMs(5), [&] {
            ++ran;
            s.schedule(fromMs(5), [&] { ++ran; }); // due at 10: inside the window, runs too
        });
        s.schedule(fromMs(50), [&] { ++ran; });
        QCOMPARE(s.advanceTo(fromMs(30)), std::size_t(2));
        QCOMPARE(ran, 2);
        QCOMPARE(s.now(), fromMs(30));
        QCOMPARE(s.pendingTimers(), std::size_t(1));
    }

    void cancelPreventsRunAndIsIdempotent()
    {
        VirtualScheduler s;
        int ran = 0;
        const TimerId a = s.schedule(fromMs(1), [&] { ++ran; });
        const TimerId b = s.schedule(fromMs(2), [&] { ++ran; });
        QVERIFY(s.cancel(a));
        QVERIFY(!s.cancel(a));
        QVERIFY(!s.cancel(0));
        s.runUntilIdle();
        QCOMPARE(ran, 1);
        QVERIFY(!s.cancel(b)); // already ran
    }

    void staleEntriesAreCompacted()
    {
        // Per-call timeouts: set one, cancel it, a million times; the heap must not grow.
        TimerQueue q;
        for (int i = 0; i < 1'000'000; ++i) {
            const TimerId id = q.add(fromMs(30000 + i), [] { });
            QVERIFY(q.cancel(id));
        }
        QCOMPARE(q.size(), std::size_t(0));
        TimePoint due;
        QVERIFY(!q.nextDue(&due));
    }

    void timersNearAndFarRunInDueThenAddedOrder()
    {
        // Timers due more than a second ahead wait outside the heap (TimerQueue): mixed with
        // near ones, cancelled at random, added `first` or not, while time moves on in steps,
        // they must run in exactly the order of (due, first ones ahead, order added).
        Random random(3);
        TimerQueue q;
        struct Expected
        {
            TimePoint due;
            bool first;
            int order;
            TimerId id;
        };
        std::vector<Expected> live;
        std::vector<int> ran;
        TimePoint now {};
        int order = 0;
        for (int round = 0; round < 2000; ++round) {
            for (int k = int(random.below(6)); k > 0; --k) {
                // Near (under 50 ms), far (1-5 s), or on the same few instants, to test ties.
                const std::uint64_t kind = random.below(3);
                const TimePoint due = now
                        + (kind == 0 ? fromMs(double(random.below(50))) : kind == 1 ? fromMs(1000 + double(random.below(4000))) : fromMs(1000 * double(random.below(3))));
                const bool first = random.below(4) == 0;
                const int mine = order++;
                const TimerId id = q.add(due, [&ran, mine] { ran.push_back(mine); }, first);
                live.push_back({ due, first, mine, id });
            }
            if (!live.empty() && random.below(2) == 0) {
                const std::size_t victim = std::size_t(random.below(live.size()));
                QVERIFY(q.cancel(live[victim].id));
                live.erase(live.begin() + std::ptrdiff_t(victim));
            }
            now += fromMs(double(random.below(20)));
            std::vector<Expected> due;
            for (const Expected &e : live)
                if (e.due <= now)
                    due.push_back(e);
            std::sort(due.begin(), due.end(), [](const Expected &a, const Expected &b) {
                if (a.due != b.due)
                    return a.due < b.due;
                if (a.first != b.first)
                    return a.first;
                return a.order < b.order;
            });
            ran.clear();
            TimePoint at;
            TimerTask task;
            while (q.popDue(now, &at, &task))
                task();
            QCOMPARE(ran.size(), due.size());
            for (std::size_t i = 0; i < due.size(); ++i)
                QCOMPARE(ran[i], due[i].order);
            std::erase_if(live, [&](const Expected &e) { return e.due <= now; });
            QCOMPARE(q.size(), live.size());
        }
    }

    void inplaceFunctionMovesAndDestroysCaptures()
    {
        auto counter = std::make_shared<int>(0);
        {
            InplaceFunction<int(int), 32> f([counter](int x) { return ++*counter + x; });
            QCOMPARE(counter.use_count(), 2);
            InplaceFunction<int(int), 32> g(std::move(f));
            QVERIFY(!f);
            QCOMPARE(g(10), 11);
            f = std::move(g);
            QCOMPARE(f(10), 12);
        }
        QCOMPARE(counter.use_count(), 1);
    }

    // A callable with nothing to destroy (pointers and numbers, like every timer task) skips the
    // destroy call; one that owns something is still destroyed when replaced or reset, whichever
    // kind replaces it.
    void inplaceFunctionDestroysOnlyWhatNeedsIt()
    {
        int hits = 0;
        InplaceFunction<void(), 48> trivial([p = &hits, n = 2] { *p += n; });
        InplaceFunction<void(), 48> moved(std::move(trivial));
        QVERIFY(!trivial);
        moved();
        QCOMPARE(hits, 2);

        auto counter = std::make_shared<int>(0);
        InplaceFunction<void(), 48> owning([counter] { ++*counter; });
        QCOMPARE(counter.use_count(), 2);
        owning = std::move(moved); // the owning callable is destroyed, the trivial one takes its place
        QCOMPARE(counter.use_count(), 1);
        owning();
        QCOMPARE(hits, 4);

        moved = InplaceFunction<void(), 48>([counter] { ++*counter; });
        QCOMPARE(counter.use_count(), 2);
        moved();
        QCOMPARE(*counter, 1);
        moved.reset();
        QVERIFY(!moved);
        QCOMPARE(counter.use_count(), 1);
    }

    void randomStreamsAreReproducibleAndIndependent()
    {
        Random a(42), b(42), c(43);
        QCOMPARE(a.next(), b.next());
        QVERIFY(a.next() != c.next());
        QVERIFY(Random::streamSeed(1, 1) != Random::streamSeed(1, 2));
        Random u(7);
        double sum = 0;
        for (int i = 0; i < 100000; ++i) {
            const double x = u.uniform();
            QVERIFY(x >= 0 && x < 1);
            sum += x;
        }
        QVERIFY(qAbs(sum / 100000 - 0.5) < 0.01);
    }

    void fastClockKeepsStepWithSteadyClock()
    {
        // Monotonic, and the same rate as steady_clock (whichever source it reads). Each end of
        // the interval is a pair of readings with nothing between them (retried until so), so a
        // preemption on a busy machine cannot pass for a clock error.
        struct Pair
        {
            TimePoint fast;
            std::chrono::steady_clock::time_point steady;
        };
        const auto pair = [] {
            for (;;) {
                const auto before = std::chrono::steady_clock::now();
                const TimePoint fast = FastClock::now();
                const auto after = std::chrono::steady_clock::now();
                if (after - before < std::chrono::microseconds(50))
                    return Pair { fast, before + (after - before) / 2 };
            }
        };
        const Pair start = pair();
        TimePoint last = start.fast;
        while (std::chrono::steady_clock::now() - start.steady < std::chrono::milliseconds(50)) {
            const TimePoint t = FastClock::now();
            QVERIFY(t >= last);
            last = t;
        }
        const Pair end = pair();
        const Duration fast = end.fast - start.fast;
        const Duration steady = end.steady - start.steady;
        QVERIFY2(qAbs((fast - steady).count()) < fromMs(0.5).count(),
                 qPrintable(QStringLiteral("fast %1 ms, steady %2 ms, counter %3").arg(toMs(fast)).arg(toMs(steady)).arg(FastClock::usesTimeStampCounter())));
    }

    void wallSchedulerFiresOnTheEventLoop()
    {
        WallScheduler s;
        QEventLoop loop;
        QList<int> order;
        QElapsedTimer elapsed;
        elapsed.start();
        s.schedule(fromMs(30), [&] {
            order.append(2);
            loop.quit();
        });
        s.schedule(fromMs(10), [&] { order.append(1); });
        const TimerId cancelled = s.schedule(fromMs(5), [&] { order.append(99); });
        QVERIFY(s.cancel(cancelled));
        QTimer::singleShot(5000, &loop, &QEventLoop::quit); // a guard, never reached when it works
        loop.exec();
        QCOMPARE(order, (QList<int> { 1, 2 }));
        QVERIFY(elapsed.elapsed() >= 29);
        QVERIFY(s.now() >= fromMs(29));
        QCOMPARE(s.pendingTimers(), std::size_t(0));
    }

    void wallSchedulerAcceptsTimersFromOtherThreads()
    {
        WallScheduler s;
        QEventLoop loop;
        std::atomic<int> ran { 0 };
        std::thread other([&] {
            for (int i = 0; i < 100; ++i)
                s.schedule(fromMs(1), [&] {
                    if (++ran == 100)
                        loop.quit();
                });
        });
        other.join();
        QTimer::singleShot(5000, &loop, &QEventLoop::quit);
        loop.exec();
        QCOMPARE(ran.load(), 100);
    }
};

QTEST_GUILESS_MAIN(TestSchedulers)
#include "tst_schedulers.moc"
