#include "resilience/timeoutmanager.h"
#include "resilience/wrappers.h"
#include "runtime/virtualscheduler.h"
#include "scriptedoperation.h"

#include <QTest>

using namespace bw;
using namespace bw::test;

class TestTimeouts : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void withTimeoutExpires()
    {
        VirtualScheduler s;
        ScriptedOperation slow(s, [](const Attempt &) { return Answer::ok(5000); });
        ResultLog log;
        withTimeout(s, slow, fromMs(1000), log.callback());
        s.runUntilIdle();
        QCOMPARE(log.results.size(), 1);
        QCOMPARE(log.results[0].outcome, Outcome::Timeout);
        QCOMPARE(log.results[0].error.elapsed, fromMs(1000));
        QCOMPARE(slow.cancelled, 1);
        QCOMPARE(s.now(), fromMs(1000));
    }

    void withTimeoutPassesFastResults()
    {
        VirtualScheduler s;
        ScriptedOperation fast(s, [](const Attempt &) { return Answer::ok(10); });
        ResultLog log;
        withTimeout(s, fast, fromMs(1000), log.callback());
        s.runUntilIdle();
        QCOMPARE(log.results[0].outcome, Outcome::Success);
        QCOMPARE(s.pendingTimers(), std::size_t(0));
    }

    void withTimeoutFallbackAndOnTimeout()
    {
        VirtualScheduler s;
        ScriptedOperation hang(s, [](const Attempt &) { return Answer::hang(); });
        Duration reported {};
        TimeoutConfig c { fromMs(5000), QVariant(QStringLiteral("Default value")), [&](Duration d) { reported = d; } };
        ResultLog log;
        withTimeout(s, hang, c, log.callback());
        s.runUntilIdle();
        QCOMPARE(log.results[0].outcome, Outcome::Fallback);
        QCOMPARE(log.results[0].value.toString(), QStringLiteral("Default value"));
        QCOMPARE(reported, fromMs(5000));
    }

    void managerHasTheGuideDefaults_data()
    {
        QTest::addColumn<QString>("name");
        QTest::addColumn<int>("ms");
        const auto defaults = TimeoutManager::guideDefaults();
        QCOMPARE(defaults.size(), 13);
        for (auto it = defaults.constBegin(); it != defaults.constEnd(); ++it)
            QTest::addRow("%s", qPrintable(it.key())) << it.key() << it.value();
    }
    void managerHasTheGuideDefaults()
    {
        QFETCH(QString, name);
        QFETCH(int, ms);
        VirtualScheduler s;
        TimeoutManager m(s);
        QCOMPARE(m.get(name)->timeout, fromMs(ms));
    }

    void managerRegisterUpdateReset()
    {
        VirtualScheduler s;
        TimeoutManager m(s);
        QCOMPARE(m.get(QStringLiteral("api.weather")).has_value(), false);
        QCOMPARE(m.getOrDefault(QStringLiteral("api.weather")).timeout, fromMs(30000));
        m.registerTimeout(QStringLiteral("api.weather"), TimeoutConfig { fromMs(10000), std::nullopt, {} });
        QCOMPARE(m.get(QStringLiteral("api.weather"))->timeout, fromMs(10000));
        QVERIFY(m.update(QStringLiteral("api.weather"), fromMs(12000)));
        QVERIFY(!m.update(QStringLiteral("nope"), fromMs(1)));
        QCOMPARE(m.getAll().value(QStringLiteral("api.weather")), fromMs(12000));
        QCOMPARE(m.getAll().size(), 14);
        m.reset();
        QCOMPARE(m.getAll().size(), 13);
        QCOMPARE(m.get(QStringLiteral("api.weather")).has_value(), false);
    }

    void managerExecutesUnderTheNamedLimit()
    {
        VirtualScheduler s;
        TimeoutManager m(s);
        ScriptedOperation op(s, [](const Attempt &) { return Answer::ok(1500); });
        ResultLog log;
        m.execute(QStringLiteral("cache.get"), op, log.callback()); // 1000 ms
        m.execute(QStringLiteral("cache.set"), op, log.callback()); // 2000 ms
        s.runUntilIdle();
        QCOMPARE(log.results[0].outcome, Outcome::Timeout);
        QCOMPARE(log.results[1].outcome, Outcome::Success);
    }

    void raceFirstSuccessWins()
    {
        VirtualScheduler s;
        ScriptedOperation slow(s, [](const Attempt &) { return Answer::ok(300); });
        ScriptedOperation fast(s, [](const Attempt &) { return Answer::ok(100); });
        ScriptedOperation failing(s, [](const Attempt &) { return Answer::fail("500", 10); });
        QString winner;
        int calls = 0;
        raceWithTimeouts(s, { { QStringLiteral("slow"), &slow, fromMs(1000) }, { QStringLiteral("fast"), &fast, fromMs(1000) },
                              { QStringLiteral("failing"), &failing, fromMs(1000) } },
                         [&](const QString &w, const Result &r) {
                             ++calls;
                             winner = w;
                             QCOMPARE(r.outcome, Outcome::Success);
                         });
        s.runUntilIdle();
        QCOMPARE(calls, 1);
        QCOMPARE(winner, QStringLiteral("fast"));
        QCOMPARE(slow.cancelled, 1); // the loser was cancelled
        QCOMPARE(slow.answered, 0);
    }

    void raceAllFail()
    {
        VirtualScheduler s;
        ScriptedOperation hang(s, [](const Attempt &) { return Answer::hang(); });
        ScriptedOperation failing(s, [](const Attempt &) { return Answer::fail("503", 10); });
        QString winner = QStringLiteral("unset");
        Result last;
        raceWithTimeouts(s, { { QStringLiteral("hang"), &hang, fromMs(200) }, { QStringLiteral("failing"), &failing, fromMs(1000) } },
                         [&](const QString &w, const Result &r) {
                             winner = w;
                             last = r;
                         });
        s.runUntilIdle();
        QVERIFY(winner.isEmpty());
        QCOMPARE(last.outcome, Outcome::Timeout); // the last to fail
    }

    void decoratorStandIns()
    {
        VirtualScheduler s;
        auto flaky = std::make_shared<ScriptedOperation>(s, [](const Attempt &a) { return a.number < 2 ? Answer::fail("ECONNRESET") : Answer::ok(); });
        RetryConfig retry = RetryPolicies::fixed(3, 100);
        ResilientFunction retryable = makeRetryable(retry, s, flaky);
        ResultLog log;
        retryable(log.callback());
        s.runUntilIdle();
        QCOMPARE(log.results[0].outcome, Outcome::Success);
        QCOMPARE(log.results[0].attempts, 2);

        auto slow = std::make_shared<ScriptedOperation>(s, [](const Attempt &) { return Answer::ok(100); });
        ResilientFunction guarded = makeTimeoutProtected(fromMs(50), s, slow, QVariant(42));
        guarded(log.callback());
        s.runUntilIdle();
        QCOMPARE(log.results[1].outcome, Outcome::Fallback);
        QCOMPARE(log.results[1].value.toInt(), 42);

        auto breaker = std::make_shared<CircuitBreaker>(QStringLiteral("data-fetch"), CircuitBreakerConfig {}, s);
        breaker->holdOpen();
        ResilientFunction protectedCall = withCircuitBreaker(breaker, slow);
        protectedCall(log.callback());
        QCOMPARE(log.results[2].outcome, Outcome::CircuitOpen);

        ResilientFunction resilient = makeResilient(QStringLiteral("process-batch"), ResiliencePolicies::api(), s, flaky);
        QCOMPARE(resilient.pipeline().name(), QStringLiteral("process-batch"));
        resilient(log.callback());
        s.runUntilIdle();
        QCOMPARE(log.results[3].outcome, Outcome::Success);
    }

    void oneShotBreakerAndBulkhead()
    {
        VirtualScheduler s;
        ScriptedOperation op(s, [](const Attempt &) { return Answer::ok(10); });
        auto breaker = std::make_shared<CircuitBreaker>(QStringLiteral("external-api"), CircuitBreakerConfig {}, s);
        auto bulkhead = std::make_shared<Bulkhead>(QStringLiteral("api-calls"), BulkheadConfig {}, s);
        ResultLog log;
        executeWithCircuitBreaker(breaker, op, log.callback());
        executeInBulkhead(bulkhead, op, log.callback());
        executeWithRetry(s, op, RetryPolicies::network(), log.callback());
        s.runUntilIdle();
        QCOMPARE(log.results.size(), 3);
        for (const Result &r : log.results)
            QCOMPARE(r.outcome, Outcome::Success);
        QCOMPARE(breaker->metrics().successes, 1);
        QCOMPARE(bulkhead->metrics().completed, 1);
    }
};

QTEST_GUILESS_MAIN(TestTimeouts)
#include "tst_timeouts.moc"
