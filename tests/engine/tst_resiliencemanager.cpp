#include "resilience/resiliencemanager.h"
#include "runtime/virtualscheduler.h"
#include "scriptedoperation.h"

#include <QJsonArray>
#include <QTest>

using namespace bw;
using namespace bw::test;

namespace {
struct StateChanges final : CircuitBreakerListener
{
    QStringList seen;
    void onStateChange(const CircuitStateChange &c) override
    {
        seen.append(c.name + QLatin1Char(':') + circuitStateName(c.currentState));
    }
};
} // namespace

class TestResilienceManager : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void executeKeepsOnePipelinePerName()
    {
        VirtualScheduler s;
        ResilienceManager m(s);
        ScriptedOperation op(s, [](const Attempt &) { return Answer::ok(5); });
        ResultLog log;
        m.execute(QStringLiteral("my-operation"), op, ResiliencePolicies::api(), log.callback());
        m.execute(QStringLiteral("my-operation"), op, ResiliencePolicies::api(), log.callback());
        s.runUntilIdle();
        QCOMPARE(log.results.size(), 2);
        QCOMPARE(m.names(), QStringList { QStringLiteral("my-operation") });
        QVERIFY(m.find(QStringLiteral("my-operation"))->circuitBreaker());
        QCOMPARE(m.circuitBreakers().get(QStringLiteral("my-operation")).get(), m.find(QStringLiteral("my-operation"))->circuitBreaker());
    }

    void executeAppliesADifferentPolicy()
    {
        // A different policy for a known name is a live change: the breaker keeps its state
        // and counters, new thresholds and limits apply from this call on.
        VirtualScheduler s;
        ResilienceManager m(s);
        ScriptedOperation op(s, [](const Attempt &) { return Answer::fail("500", 5); });
        const QString name = QStringLiteral("pay");
        PolicyConfig strict = ResiliencePolicies::api();
        strict.retry.reset();
        strict.circuitBreaker->failureThreshold = 2;
        ResultLog log;
        m.execute(name, op, strict, log.callback());
        s.advanceBy(fromMs(10));
        CircuitBreaker *breaker = m.find(name)->circuitBreaker();
        QCOMPARE(breaker->metrics().consecutiveFailures, 1);

        PolicyConfig looser = strict;
        looser.circuitBreaker->failureThreshold = 10;
        looser.timeout->timeout = fromMs(2);
        m.execute(name, op, looser, log.callback());
        s.advanceBy(fromMs(10));
        QCOMPARE(log.results.size(), 2);
        QCOMPARE(log.results[1].outcome, Outcome::Timeout); // the new 2 ms limit
        QCOMPARE(m.find(name)->circuitBreaker(), breaker);
        QCOMPARE(breaker->config().failureThreshold, 10);
        QCOMPARE(breaker->metrics().consecutiveFailures, 2);
        QCOMPARE(breaker->state(), CircuitState::Closed); // 2 failures: enough for the old policy only
        QVERIFY(m.find(name)->policy().timeout->timeout == fromMs(2));

        // Turning the breaker off through execute() takes it out of the registry too.
        PolicyConfig unprotected = looser;
        unprotected.circuitBreaker.reset();
        m.execute(name, op, unprotected, log.callback());
        s.advanceBy(fromMs(10));
        QVERIFY(!m.find(name)->circuitBreaker());
        QVERIFY(!m.circuitBreakers().get(name));
        QCOMPARE(m.names(), QStringList { name });
    }

    void healthStatusAndIssues()
    {
        VirtualScheduler s;
        // Before the manager: its pipelines cancel the hanging calls when it is destroyed.
        ScriptedOperation failing(s, [](const Attempt &) { return Answer::fail("500"); });
        ScriptedOperation hanging(s, [](const Attempt &) { return Answer::hang(); });
        ResilienceManager m(s);
        PolicyConfig payments = ResiliencePolicies::api();
        payments.retry.reset();
        payments.circuitBreaker->failureThreshold = 2;
        PolicyConfig search = ResiliencePolicies::api();
        search.circuitBreaker.reset();
        search.bulkhead->maxConcurrent = 1;
        search.bulkhead->maxQueueSize = 5;
        m.execute(QStringLiteral("payments"), failing, payments, {});
        m.execute(QStringLiteral("payments"), failing, payments, {});
        for (int i = 0; i < 5; ++i)
            m.execute(QStringLiteral("search"), hanging, search, {});

        HealthStatus h = m.getHealthStatus();
        QVERIFY(!h.healthy);
        QCOMPARE(h.circuitBreakers.total, 1);
        QCOMPARE(h.circuitBreakers.unhealthy, 1);
        QCOMPARE(h.circuitBreakers.byState[size_t(CircuitState::Open)], 1);
        QCOMPARE(h.bulkheads.size(), 2);
        QCOMPARE(h.issues, (QStringList { QStringLiteral("1 circuit breakers are open"), QStringLiteral("1 bulkheads are congested") }));
        const QJsonObject json = h.toJson();
        QCOMPARE(json.value(u"status").toString(), QStringLiteral("degraded"));
        QCOMPARE(json.value(u"circuitBreakers").toObject().value(u"open").toInt(), 1);
        QCOMPARE(json.value(u"issues").toArray().size(), 2);
        const QJsonArray bulkheads = json.value(u"bulkheads").toArray();
        QCOMPARE(bulkheads.size(), 2);
        QCOMPARE(bulkheads[1].toObject().value(u"name").toString(), QStringLiteral("search"));
        QCOMPARE(bulkheads[1].toObject().value(u"utilization").toDouble(), 100.0);

        m.resetAll();
        h = m.getHealthStatus();
        QVERIFY(h.healthy);
        QVERIFY(h.issues.isEmpty());
        QCOMPARE(h.toJson().value(u"status").toString(), QStringLiteral("healthy"));
    }

    void registryCalls()
    {
        VirtualScheduler s;
        CircuitBreakerRegistry r(s);
        StateChanges changes;
        r.addListener(&changes);
        CircuitBreakerConfig c;
        c.failureThreshold = 1;
        auto a = r.add(QStringLiteral("a"), c);
        auto b = r.getOrCreate(QStringLiteral("b"), [] { return CircuitBreakerConfig {}; });
        QCOMPARE(r.getOrCreate(QStringLiteral("b"), nullptr), b);
        QCOMPARE(r.get(QStringLiteral("a")), a);
        QCOMPARE(r.getAll().size(), 2);
        a->forceOpen();
        b->holdOpen();
        QCOMPARE(changes.seen, (QStringList { QStringLiteral("a:OPEN"), QStringLiteral("b:FORCED_OPEN") }));
        const RegistryMetrics m = r.getMetrics();
        QCOMPARE(m.total, 2);
        QCOMPARE(m.byState[size_t(CircuitState::Open)], 1);
        QCOMPARE(m.byState[size_t(CircuitState::ForcedOpen)], 1);
        QCOMPARE(m.topFailureRates.size(), 2);
        QCOMPARE(r.getHealthStatus().unhealthy, 2);
        r.resetAll();
        QCOMPARE(a->state(), CircuitState::Closed);
        QCOMPARE(b->state(), CircuitState::Closed);
        QCOMPARE(r.getHealthStatus().healthy, 2);
        QVERIFY(r.remove(QStringLiteral("a")));
        QVERIFY(!r.remove(QStringLiteral("a")));
        a->forceOpen(); // removed: no longer forwarded
        QCOMPARE(changes.seen.size(), 4);
        r.clear();
        QCOMPARE(r.getAll().size(), 0);
    }

    void topTenFailureRates()
    {
        VirtualScheduler s;
        CircuitBreakerRegistry r(s);
        for (int i = 0; i < 12; ++i) {
            CircuitBreakerConfig c;
            c.failureThreshold = 0;
            c.failureRateThreshold = 0;
            auto b = r.add(QStringLiteral("b%1").arg(i, 2, 10, QLatin1Char('0')), c);
            for (int k = 0; k < 12; ++k) {
                const CircuitPermit p = b->tryAcquire();
                if (k < i)
                    b->onError(p, Error { ErrorCode::fromString(u"500"), {}, std::nullopt, Stage::Operation, {} });
                else
                    b->onSuccess(p);
            }
        }
        const RegistryMetrics m = r.getMetrics();
        QCOMPARE(m.topFailureRates.size(), 10);
        QCOMPARE(m.topFailureRates.first().first, QStringLiteral("b11"));
        QCOMPARE(m.topFailureRates.last().first, QStringLiteral("b02"));
    }

    void updatePolicyTogglesTheBreakerInTheRegistry()
    {
        VirtualScheduler s;
        ResilienceManager m(s);
        PolicyConfig p = ResiliencePolicies::critical(); // no breaker
        m.pipeline(QStringLiteral("op"), p);
        QVERIFY(!m.circuitBreakers().get(QStringLiteral("op")));
        p.circuitBreaker = CircuitBreakerConfig {};
        m.updatePolicy(QStringLiteral("op"), p);
        QVERIFY(m.circuitBreakers().get(QStringLiteral("op")));
        QCOMPARE(m.circuitBreakers().get(QStringLiteral("op")).get(), m.find(QStringLiteral("op"))->circuitBreaker());
        p.circuitBreaker.reset();
        m.updatePolicy(QStringLiteral("op"), p);
        QVERIFY(!m.circuitBreakers().get(QStringLiteral("op")));
    }
};

QTEST_GUILESS_MAIN(TestResilienceManager)
#include "tst_resiliencemanager.moc"
