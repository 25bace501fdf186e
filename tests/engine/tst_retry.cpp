#include "resilience/retry.h"
#include "runtime/virtualscheduler.h"

#include <QTest>

using namespace bw;

Q_DECLARE_METATYPE(bw::RetryConfig)

namespace {
Error err(const char *code, const char *message = "")
{
    return Error { ErrorCode::fromString(QString::fromLatin1(code)), QString::fromLatin1(message), std::nullopt, Stage::Operation, {} };
}
} // namespace

class TestRetry : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void delays_data()
    {
        QTest::addColumn<RetryConfig>("config");
        QTest::addColumn<QList<int>>("delaysMs");
        QTest::addRow("fixed(3, 1000)") << RetryPolicies::fixed(3, 1000) << QList<int> { 1000, 1000, 1000 };
        RetryConfig exp = RetryPolicies::exponential(5, 100, 30000);
        exp.jitter = false;
        QTest::addRow("exponential(5, 100, 30000)") << exp << QList<int> { 100, 200, 400, 800 };
        RetryConfig capped = RetryPolicies::exponential(10, 1000, 5000);
        capped.jitter = false;
        QTest::addRow("capped at maxDelay") << capped << QList<int> { 1000, 2000, 4000, 5000, 5000 };
        QTest::addRow("linear(4, 500, 500)") << RetryPolicies::linear(4, 500, 500) << QList<int> { 500, 1000, 1500 };
        RetryConfig net = RetryPolicies::network();
        net.jitter = false;
        QTest::addRow("network() x1.5") << net << QList<int> { 500, 750, 1125, 1687 };
        RetryConfig rate = RetryPolicies::apiRateLimit();
        rate.jitter = false;
        QTest::addRow("apiRateLimit()") << rate << QList<int> { 1000, 2000, 4000 };
    }
    void delays()
    {
        QFETCH(RetryConfig, config);
        QFETCH(QList<int>, delaysMs);
        for (int k = 1; k <= delaysMs.size(); ++k)
            QCOMPARE(int(toMs(retryDelay(config, k, 0.5, err("ETIMEDOUT")))), delaysMs[k - 1]);
    }

    void jitterAddsUpToTwentyPercent()
    {
        RetryConfig c = RetryPolicies::exponential(5, 100, 30000);
        QCOMPARE(retryDelay(c, 1, 0.0, err("X")), fromMs(100));
        QCOMPARE(retryDelay(c, 1, 0.5, err("X")), fromMs(110));
        QVERIFY(retryDelay(c, 1, 0.999999, err("X")) < fromMs(120));
    }

    void retryAfterReplacesTheWaitCappedByMaxDelay()
    {
        RetryConfig c = RetryPolicies::apiRateLimit();
        Error e = err("429");
        e.retryAfter = fromMs(2500);
        QCOMPARE(retryDelay(c, 1, 0.3, e), fromMs(2500));
        e.retryAfter = fromMs(600000);
        QCOMPARE(retryDelay(c, 1, 0.3, e), fromMs(60000));
        c.respectRetryAfter = false;
        c.jitter = false;
        QCOMPARE(retryDelay(c, 1, 0.3, e), fromMs(1000));
    }

    void presetValues()
    {
        QCOMPARE(RetryPolicies::none().maxAttempts, 1);
        const RetryConfig f = RetryPolicies::fixed();
        QCOMPARE(f.maxAttempts, 3);
        QCOMPARE(f.initialDelay, fromMs(1000));
        QVERIFY(!f.jitter);
        const RetryConfig e = RetryPolicies::exponential();
        QCOMPARE(e.maxAttempts, 5);
        QCOMPARE(e.initialDelay, fromMs(100));
        QCOMPARE(e.maxDelay, fromMs(30000));
        QCOMPARE(e.backoffMultiplier, 2.0);
        QVERIFY(e.jitter);
        const RetryConfig l = RetryPolicies::linear();
        QCOMPARE(l.maxAttempts, 4);
        QCOMPARE(l.backoff, Backoff::Linear);
        const RetryConfig r = RetryPolicies::apiRateLimit();
        QCOMPARE(r.maxAttempts, 3);
        QCOMPARE(r.initialDelay, fromMs(1000));
        QCOMPARE(r.maxDelay, fromMs(60000));
        QVERIFY(r.jitter && r.respectRetryAfter);
        QCOMPARE(*r.retryableErrors, (QStringList { QStringLiteral("RATE_LIMIT"), QStringLiteral("TOO_MANY_REQUESTS"), QStringLiteral("429") }));
        const RetryConfig n = RetryPolicies::network();
        QCOMPARE(n.maxAttempts, 5);
        QCOMPARE(n.initialDelay, fromMs(500));
        QCOMPARE(n.maxDelay, fromMs(10000));
        QCOMPARE(n.backoffMultiplier, 1.5);
        QCOMPARE(n.retryableErrors->size(), 5);
        for (const QString &name : RetryPolicies::names())
            QVERIFY(RetryPolicies::byName(name).has_value());
        QVERIFY(!RetryPolicies::byName(u"exponentail").has_value());
    }

    void defaultRetryable_data()
    {
        QTest::addColumn<QString>("code");
        QTest::addColumn<QString>("message");
        QTest::addColumn<bool>("retryable");
        for (const char *c : { "ETIMEDOUT", "ECONNRESET", "ENOTFOUND", "ECONNREFUSED", "TIMEOUT" })
            QTest::addRow("%s", c) << QString::fromLatin1(c) << QString() << true;
        QTest::addRow("500") << QStringLiteral("500") << QStringLiteral("Internal Server Error") << false;
        QTest::addRow("message timeout") << QStringLiteral("500") << QStringLiteral("upstream Timeout") << true;
        QTest::addRow("message rate limit") << QStringLiteral("X") << QStringLiteral("rate limit exceeded") << true;
        QTest::addRow("message temporarily") << QStringLiteral("503") << QStringLiteral("temporarily unavailable") << true;
        QTest::addRow("CIRCUIT_OPEN") << QStringLiteral("CIRCUIT_OPEN") << QStringLiteral("Circuit breaker is OPEN") << false;
        QTest::addRow("BULKHEAD_QUEUE_FULL") << QStringLiteral("BULKHEAD_QUEUE_FULL") << QString() << false;
        QTest::addRow("CANCELLED") << QStringLiteral("CANCELLED") << QString() << false;
    }
    void defaultRetryable()
    {
        QFETCH(QString, code);
        QFETCH(QString, message);
        QFETCH(bool, retryable);
        const Error e { ErrorCode::fromString(code), message, std::nullopt, Stage::Operation, {} };
        QCOMPARE(isRetryable(RetryConfig {}, e), retryable);
    }

    void listedCodesAndMessages()
    {
        RetryConfig c;
        c.retryableErrors = QStringList { QStringLiteral("503"), QStringLiteral("temporarily unavailable") };
        QVERIFY(isRetryable(c, err("503")));
        QVERIFY(!isRetryable(c, err("ETIMEDOUT")));
        QVERIFY(isRetryable(c, err("500", "Service temporarily unavailable")));
        // The engine's own rejections match by code only, never by message.
        RetryConfig ai;
        ai.retryableErrors = QStringList { QStringLiteral("TIMEOUT") };
        QVERIFY(isRetryable(ai, err("TIMEOUT")));
        QVERIFY(!isRetryable(ai, err("BULKHEAD_QUEUE_TIMEOUT", "Bulkhead queue timeout")));
        ai.retryableErrors = QStringList { QStringLiteral("BULKHEAD_QUEUE_TIMEOUT") };
        QVERIFY(isRetryable(ai, err("BULKHEAD_QUEUE_TIMEOUT", "Bulkhead queue timeout")));
        c.retryablePredicate = [](const Error &e) { return e.code == ErrorCode::RateLimit; };
        QVERIFY(isRetryable(c, err("RATE_LIMIT")));
        QVERIFY(!isRetryable(c, err("503")));
    }

    void budgetAllowsMinimumPlusRatio()
    {
        VirtualScheduler s;
        RetryBudget budget(RetryBudgetConfig { 0.1, 1 }, s); // 10 per 10 s plus 10 % of calls
        for (int i = 0; i < 100; ++i)
            budget.recordCall();
        int granted = 0;
        for (int i = 0; i < 100; ++i)
            granted += budget.tryRetry() ? 1 : 0;
        QCOMPARE(granted, 20);
        s.advanceBy(fromMs(10000)); // the window has moved on
        QVERIFY(budget.tryRetry());
        QCOMPARE(budget.config().ratio, 0.1);
    }

    void quotaDefaultsAreTheAwsSdks()
    {
        const RetryQuotaConfig c;
        QCOMPARE(c.capacity, 500);
        QCOMPARE(c.retryCost, 5);
        QCOMPARE(c.timeoutCost, 10);
        QCOMPARE(c.successRefill, 1);
    }

    // A full bucket of 500 at cost 5 allows exactly 100 retries; at cost 10 (timeouts), 50.
    void quotaEmptiesAtItsCost_data()
    {
        QTest::addColumn<QString>("code");
        QTest::addColumn<int>("retries");
        QTest::addRow("error: 500 / 5") << QStringLiteral("ECONNREFUSED") << 100;
        QTest::addRow("503: 500 / 5") << QStringLiteral("503") << 100;
        QTest::addRow("TIMEOUT: 500 / 10") << QStringLiteral("TIMEOUT") << 50;
        QTest::addRow("CIRCUIT_TIMEOUT: 500 / 10") << QStringLiteral("CIRCUIT_TIMEOUT") << 50;
        QTest::addRow("ETIMEDOUT: 500 / 10") << QStringLiteral("ETIMEDOUT") << 50;
    }

    void quotaEmptiesAtItsCost()
    {
        QFETCH(QString, code);
        QFETCH(int, retries);
        RetryQuota quota { RetryQuotaConfig {} };
        const Error e { ErrorCode::fromString(code), QString(), std::nullopt, Stage::Operation, {} };
        int granted = 0;
        while (quota.tryTake(e))
            ++granted;
        QCOMPARE(granted, retries);
        QCOMPARE(quota.tokens(), 0);
    }

    void quotaRefillsAndReturns()
    {
        RetryQuota quota(RetryQuotaConfig { 20, 5, 10, 1 });
        const Error e = err("503");
        QCOMPARE(*quota.tryTake(e), 5);
        QCOMPARE(*quota.tryTake(e), 5);
        QCOMPARE(quota.tokens(), 10);
        quota.onFirstAttemptSuccess();
        QCOMPARE(quota.tokens(), 11);
        quota.give(5); // a retry that succeeded returns its cost
        QCOMPARE(quota.tokens(), 16);
        quota.give(10);
        QCOMPARE(quota.tokens(), 20); // never above the capacity
        QCOMPARE(*quota.tryTake(err("TIMEOUT")), 10);
        QCOMPARE(*quota.tryTake(err("TIMEOUT")), 10);
        QVERIFY(!quota.tryTake(e)); // 0 left, 5 needed
        QCOMPARE(quota.tokens(), 0);
        // A live change keeps the tokens, up to the new capacity.
        quota.give(20);
        quota.setConfig(RetryQuotaConfig { 8, 5, 10, 1 });
        QCOMPARE(quota.tokens(), 8);
        QCOMPARE(quota.config().capacity, 8);
        // A cost of 0 always retries.
        quota.setConfig(RetryQuotaConfig { 8, 0, 0, 1 });
        QCOMPARE(*quota.tryTake(e), 0);
    }
};

QTEST_GUILESS_MAIN(TestRetry)
#include "tst_retry.moc"
