#include "resilience/policy.h"

#include <QTest>

using namespace bw;

class TestPolicies : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    // The guide's ResiliencePolicies with its exact values (docs/semantics.md, "Policies").
    void presets_data()
    {
        QTest::addColumn<QString>("name");
        QTest::addColumn<int>("failureThreshold"); // 0: no breaker
        QTest::addColumn<int>("resetTimeoutMs");
        QTest::addColumn<int>("retryAttempts");
        QTest::addColumn<int>("retryInitialMs");
        QTest::addColumn<int>("timeoutMs");
        QTest::addColumn<int>("maxConcurrent");
        QTest::addColumn<int>("maxQueueSize");
        QTest::addRow("api") << QStringLiteral("api") << 5 << 60000 << 3 << 1000 << 30000 << 50 << 100;
        QTest::addRow("ai") << QStringLiteral("ai") << 3 << 120000 << 3 << 2000 << 120000 << 10 << 50;
        QTest::addRow("database") << QStringLiteral("database") << 10 << 30000 << 3 << 500 << 30000 << 100 << 200;
        QTest::addRow("external") << QStringLiteral("external") << 5 << 60000 << 5 << 500 << 15000 << 20 << 50;
        QTest::addRow("critical") << QStringLiteral("critical") << 0 << 0 << 5 << 1000 << 60000 << 5 << 10;
    }
    void presets()
    {
        QFETCH(QString, name);
        QFETCH(int, failureThreshold);
        QFETCH(int, resetTimeoutMs);
        QFETCH(int, retryAttempts);
        QFETCH(int, retryInitialMs);
        QFETCH(int, timeoutMs);
        QFETCH(int, maxConcurrent);
        QFETCH(int, maxQueueSize);
        const std::optional<PolicyConfig> p = ResiliencePolicies::byName(name);
        QVERIFY(p);
        QCOMPARE(p->name, name);
        QCOMPARE(p->circuitBreaker.has_value(), failureThreshold > 0);
        if (p->circuitBreaker) {
            QCOMPARE(p->circuitBreaker->failureThreshold, failureThreshold);
            QCOMPARE(p->circuitBreaker->resetTimeout, fromMs(resetTimeoutMs));
            QCOMPARE(p->circuitBreaker->slowCallRateThreshold, 0.0); // policies: off unless set
            QCOMPARE(p->circuitBreaker->failureRateThreshold, 0.5);
        }
        QCOMPARE(p->retry->maxAttempts, retryAttempts);
        QCOMPARE(p->retry->initialDelay, fromMs(retryInitialMs));
        QCOMPARE(p->timeout->timeout, fromMs(timeoutMs));
        QCOMPARE(p->bulkhead->maxConcurrent, maxConcurrent);
        QCOMPARE(p->bulkhead->maxQueueSize, maxQueueSize);
        QCOMPARE(p->order, PolicyConfig::defaultOrder());
        QVERIFY(!p->fallback);
    }

    void aiDetails()
    {
        const PolicyConfig ai = ResiliencePolicies::ai();
        QCOMPARE(ai.circuitBreaker->timeout, fromMs(120000));
        QCOMPARE(ai.retry->maxDelay, fromMs(30000));
        QCOMPARE(ai.retry->backoffMultiplier, 2.0);
        QCOMPARE(*ai.retry->retryableErrors, (QStringList { QStringLiteral("RATE_LIMIT"), QStringLiteral("TIMEOUT"), QStringLiteral("429"), QStringLiteral("503") }));
        const PolicyConfig external = ResiliencePolicies::external();
        QCOMPARE(external.retry->backoffMultiplier, 1.5); // network()
        QCOMPARE(external.retry->retryableErrors->size(), 5);
        QVERIFY(!ResiliencePolicies::byName(u"apii"));
        QCOMPARE(ResiliencePolicies::names().size(), 5);
    }

    void stageNames()
    {
        for (StageKind k : PolicyConfig::defaultOrder())
            QCOMPARE(stageKindFromName(QString(stageKindName(k))), k);
        QVERIFY(!stageKindFromName(u"circuit"));
    }
};

QTEST_GUILESS_MAIN(TestPolicies)
#include "tst_policies.moc"
