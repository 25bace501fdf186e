#include "lab/sweepgrid.h"
#include "resilience/policyloader.h"
#include "resilience/policywriter.h"

#include <QTest>

using namespace bw;

namespace {

// The checkout policy of the outage-and-recovery scenario: a breaker, retries and a timeout, no
// bulkhead and no retry budget.
PolicyConfig checkout()
{
    LoadError error;
    const std::optional<PolicyConfig> policy = parsePolicy(QByteArrayLiteral(R"({"name": "checkout",
        "circuitBreaker": {"failureThreshold": 5, "resetTimeout": 5000, "successThreshold": 2, "timeout": 2000},
        "retry": {"maxAttempts": 3, "initialDelay": 200, "maxDelay": 2000, "backoffMultiplier": 2, "jitter": true},
        "timeout": 1000})"),
        QStringLiteral("checkout.json"), &error);
    if (!policy)
        qFatal("%s", qPrintable(error.toString()));
    return *policy;
}

SweepGrid gridOf(const QStringList &specs)
{
    SweepGrid grid;
    for (const QString &spec : specs) {
        LoadError error;
        std::optional<SweepParameter> parameter = parseSweepParameter(spec, &error);
        if (!parameter || !grid.add(std::move(*parameter), &error))
            qFatal("%s", qPrintable(error.toString()));
    }
    return grid;
}

} // namespace

class tst_SweepGrid : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void specs_data();
    void specs();
    void badSpecs_data();
    void badSpecs();
    void pathsAreTheNumericFieldsOfThePolicyFormat();
    void pointsVaryTheLastKeyFastest();
    void sameKeyTwiceRefused();
    void pointPolicyHasTheValues();
    void baseValuesGiveTheBasePolicy();
    void loaderRefusesABadValue_data();
    void loaderRefusesABadValue();
    void sectionThatIsOffRefused();
    void newerStrategiesVary();
};

void tst_SweepGrid::specs_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("key");
    QTest::addColumn<QString>("path");
    QTest::addColumn<QList<double>>("values");
    QTest::addRow("range") << QStringLiteral("circuitBreaker.failureThreshold=2:10:2") << QStringLiteral("circuitBreaker.failureThreshold")
                           << QStringLiteral("circuitBreaker.failureThreshold") << QList<double> { 2, 4, 6, 8, 10 };
    QTest::addRow("range whose step misses TO") << QStringLiteral("retry.maxAttempts=1:6:2") << QStringLiteral("retry.maxAttempts")
                                                << QStringLiteral("retry.maxAttempts") << QList<double> { 1, 3, 5 };
    QTest::addRow("range of one") << QStringLiteral("retry.maxAttempts=3:3:1") << QStringLiteral("retry.maxAttempts") << QStringLiteral("retry.maxAttempts")
                                  << QList<double> { 3 };
    // 0.1 × 3 is 0.30000000000000004 in binary; a user wrote 0.3.
    QTest::addRow("fractions, TO reached despite rounding")
        << QStringLiteral("circuitBreaker.failureRateThreshold=0.1:0.4:0.1") << QStringLiteral("circuitBreaker.failureRateThreshold")
        << QStringLiteral("circuitBreaker.failureRateThreshold") << QList<double> { 0.1, 0.2, 0.3, 0.4 };
    QTest::addRow("list, in the order given") << QStringLiteral("bulkhead.maxConcurrent=20,5,10") << QStringLiteral("bulkhead.maxConcurrent")
                                              << QStringLiteral("bulkhead.maxConcurrent") << QList<double> { 20, 5, 10 };
    QTest::addRow("list of one") << QStringLiteral("retry.budget.ratio=0.2") << QStringLiteral("retry.budget.ratio") << QStringLiteral("retry.budget.ratio")
                                 << QList<double> { 0.2 };
    QTest::addRow("spaces") << QStringLiteral(" retry.initialDelay = 100, 200 ") << QStringLiteral("retry.initialDelay") << QStringLiteral("retry.initialDelay")
                            << QList<double> { 100, 200 };
    QTest::addRow("timeout, a policy file's shorthand") << QStringLiteral("timeout=500:1500:500") << QStringLiteral("timeout")
                                                        << QStringLiteral("timeout.timeout") << QList<double> { 500, 1000, 1500 };
}

void tst_SweepGrid::specs()
{
    QFETCH(QString, text);
    QFETCH(QString, key);
    QFETCH(QString, path);
    QFETCH(QList<double>, values);
    LoadError error;
    const std::optional<SweepParameter> parameter = parseSweepParameter(text, &error);
    QVERIFY2(parameter, qPrintable(error.toString()));
    QCOMPARE(parameter->key, key);
    QCOMPARE(parameter->path, path);
    QCOMPARE(parameter->values, values);
}

void tst_SweepGrid::badSpecs_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("message");
    QTest::addRow("no =") << QStringLiteral("retry.maxAttempts")
                          << QStringLiteral("--vary: expected KEY=SPEC (SPEC: FROM:TO:STEP or a list a,b,c), got 'retry.maxAttempts'");
    QTest::addRow("no key") << QStringLiteral("=1,2") << QStringLiteral("--vary: expected KEY=SPEC (SPEC: FROM:TO:STEP or a list a,b,c), got '=1,2'");
    QTest::addRow("no spec") << QStringLiteral("retry.maxAttempts=")
                             << QStringLiteral("--vary: expected KEY=SPEC (SPEC: FROM:TO:STEP or a list a,b,c), got 'retry.maxAttempts='");
    QTest::addRow("misspelt key") << QStringLiteral("circuitBreaker.failureTreshold=1:5:1")
                                  << QStringLiteral("--vary: circuitBreaker.failureTreshold: not a numeric policy field; did you mean "
                                     "'circuitBreaker.failureThreshold'?");
    QTest::addRow("field without its section") << QStringLiteral("maxAttempts=1,2")
                                               << QStringLiteral("--vary: maxAttempts: not a numeric policy field; did you mean "
                                                  "'retry.maxAttempts'?");
    QTest::addRow("not a number") << QStringLiteral("retry.jitter=0,1")
                                  << QStringLiteral("--vary: retry.jitter: not a numeric policy field; expected one of "
                                     "'adaptiveThrottle.k', 'adaptiveThrottle.windowMs', 'bulkhead.maxConcurrent', "
                                     "'bulkhead.maxQueueSize', 'bulkhead.timeout', 'circuitBreaker.failureRateThreshold', "
                                     "'circuitBreaker.failureThreshold', 'circuitBreaker.halfOpenMaxCalls', "
                                     "'circuitBreaker.maxResetTimeout', 'circuitBreaker.resetTimeout', "
                                     "'circuitBreaker.resetTimeoutMultiplier', 'circuitBreaker.slowCallDurationThreshold', "
                                     "'circuitBreaker.slowCallRateThreshold', 'circuitBreaker.successThreshold', "
                                     "'circuitBreaker.timeout', 'circuitBreaker.volumeThreshold', 'circuitBreaker.windowSize', "
                                     "'concurrencyLimit.backoffRatio', 'concurrencyLimit.initialLimit', 'concurrencyLimit.longWindow', "
                                     "'concurrencyLimit.maxLimit', 'concurrencyLimit.minLimit', 'concurrencyLimit.probeMultiplier', "
                                     "'concurrencyLimit.queueSize', 'concurrencyLimit.rttTolerance', 'concurrencyLimit.smoothing', "
                                     "'concurrencyLimit.timeoutMs', 'hedging.delayMs', 'hedging.maxHedgedAttempts', "
                                     "'rateLimiter.limitForPeriod', 'rateLimiter.refreshPeriodMs', 'rateLimiter.timeoutMs', "
                                     "'retry.backoffMultiplier', 'retry.budget.minPerSecond', 'retry.budget.ratio', "
                                     "'retry.initialDelay', 'retry.linearIncrement', 'retry.maxAttempts', 'retry.maxDelay', "
                                     "'retry.quota.capacity', 'retry.quota.retryCost', 'retry.quota.successRefill', "
                                     "'retry.quota.timeoutCost', 'retry.timeout', 'timeout.timeout'");
    QTest::addRow("two parts") << QStringLiteral("retry.maxAttempts=1:5")
                               << QStringLiteral("--vary: retry.maxAttempts: expected FROM:TO:STEP or a list a,b,c, got '1:5'");
    QTest::addRow("four parts") << QStringLiteral("retry.maxAttempts=1:5:1:1")
                                << QStringLiteral("--vary: retry.maxAttempts: expected FROM:TO:STEP or a list a,b,c, got '1:5:1:1'");
    QTest::addRow("range bound not a number") << QStringLiteral("retry.maxAttempts=1:x:1")
                                              << QStringLiteral("--vary: retry.maxAttempts: 'x' is not a number (in '1:x:1')");
    QTest::addRow("infinite bound") << QStringLiteral("retry.maxAttempts=1:inf:1")
                                    << QStringLiteral("--vary: retry.maxAttempts: 'inf' is not a number (in '1:inf:1')");
    QTest::addRow("zero step") << QStringLiteral("retry.maxAttempts=1:5:0")
                               << QStringLiteral("--vary: retry.maxAttempts: STEP must be positive, got '1:5:0'");
    QTest::addRow("negative step") << QStringLiteral("retry.maxAttempts=5:1:-1")
                                   << QStringLiteral("--vary: retry.maxAttempts: STEP must be positive, got '5:1:-1'");
    QTest::addRow("backwards") << QStringLiteral("retry.maxAttempts=5:1:1")
                               << QStringLiteral("--vary: retry.maxAttempts: FROM must not be above TO, got '5:1:1'");
    QTest::addRow("too many values") << QStringLiteral("retry.initialDelay=0:1e9:1")
                                     << QStringLiteral("--vary: retry.initialDelay: '0:1e9:1' has 1000000001 values; a sweep has at "
                                        "most 100000 runs");
    QTest::addRow("list item not a number") << QStringLiteral("retry.maxAttempts=1,two,3")
                                            << QStringLiteral("--vary: retry.maxAttempts: 'two' is not a number (in '1,two,3')");
    QTest::addRow("empty list item") << QStringLiteral("retry.maxAttempts=1,,3")
                                     << QStringLiteral("--vary: retry.maxAttempts: '' is not a number (in '1,,3')");
    QTest::addRow("duplicate") << QStringLiteral("retry.maxAttempts=1,2,2.0")
                               << QStringLiteral("--vary: retry.maxAttempts: 2.0 is listed twice (in '1,2,2.0')");
}

void tst_SweepGrid::badSpecs()
{
    QFETCH(QString, text);
    QFETCH(QString, message);
    LoadError error;
    QVERIFY(!parseSweepParameter(text, &error));
    QCOMPARE(error.toString(), message);
}

void tst_SweepGrid::pathsAreTheNumericFieldsOfThePolicyFormat()
{
    const QStringList paths = sweepablePaths();
    // 24 of the guide's patterns, then issue 14's: the retry quota 4, the rate limiter 3, hedging 2,
    // the adaptive throttle 2, the concurrency limit 10 (every algorithm's).
    QCOMPARE(paths.size(), 45);
    for (const char *path : { "circuitBreaker.failureThreshold", "retry.maxAttempts", "bulkhead.maxConcurrent",
             "retry.budget.ratio", "timeout.timeout", "circuitBreaker.windowSize", "retry.quota.capacity",
             "retry.quota.retryCost", "rateLimiter.limitForPeriod", "rateLimiter.refreshPeriodMs", "hedging.delayMs",
             "hedging.maxHedgedAttempts", "adaptiveThrottle.k", "adaptiveThrottle.windowMs", "concurrencyLimit.maxLimit",
             "concurrencyLimit.rttTolerance", "concurrencyLimit.backoffRatio", "concurrencyLimit.probeMultiplier" })
        QVERIFY2(paths.contains(QLatin1StringView(path)), path);
    // Not numbers: an enum, a flag, lists, the name.
    for (const char *path : { "circuitBreaker.windowType", "retry.jitter", "retry.retryableErrors", "name" })
        QVERIFY2(!paths.contains(QLatin1StringView(path)), path);
}

void tst_SweepGrid::pointsVaryTheLastKeyFastest()
{
    const SweepGrid grid = gridOf({ QStringLiteral("retry.maxAttempts=1,2"),
        QStringLiteral("circuitBreaker.failureThreshold=3:7:2") });
    QCOMPARE(grid.keys(), QStringList({ QStringLiteral("retry.maxAttempts"), QStringLiteral("circuitBreaker.failureThreshold") }));
    QCOMPARE(grid.size(), 6.0);
    const QList<QList<double>> expected { { 1, 3 }, { 1, 5 }, { 1, 7 }, { 2, 3 }, { 2, 5 }, { 2, 7 } };
    for (qsizetype point = 0; point < 6; ++point)
        QCOMPARE(grid.settings(point), expected[point]);
    QCOMPARE(SweepGrid().size(), 1.0); // no parameter: the base policy, once
}

void tst_SweepGrid::sameKeyTwiceRefused()
{
    SweepGrid grid = gridOf({ QStringLiteral("timeout.timeout=100,200") });
    LoadError error;
    std::optional<SweepParameter> again = parseSweepParameter(QStringLiteral("timeout=300"), &error);
    QVERIFY(again);
    QVERIFY(!grid.add(*again, &error));
    QCOMPARE(error.toString(), QStringLiteral("--vary: timeout: varied twice"));
    QCOMPARE(grid.size(), 2.0);
}

void tst_SweepGrid::pointPolicyHasTheValues()
{
    const SweepGrid grid = gridOf({ QStringLiteral("circuitBreaker.failureThreshold=2,9"),
        QStringLiteral("timeout=750"), QStringLiteral("retry.maxDelay=1500") });
    LoadError error;
    const std::optional<PolicyConfig> policy = grid.policyAt(checkout(), 1, &error);
    QVERIFY2(policy, qPrintable(error.toString()));
    QCOMPARE(policy->name, QStringLiteral("checkout"));
    QCOMPARE(policy->circuitBreaker->failureThreshold, 9);
    QCOMPARE(policy->timeout->timeout, fromMs(750));
    QCOMPARE(policy->retry->maxDelay, fromMs(1500));
    // Everything else as it was.
    QCOMPARE(policyChanges(checkout(), *policy),
        QStringList({ QStringLiteral("circuitBreaker.failureThreshold 5 → 9"), QStringLiteral("retry.maxDelay 2000 → 1500"),
            QStringLiteral("timeout.timeout 1000 → 750") }));
}

void tst_SweepGrid::baseValuesGiveTheBasePolicy()
{
    const SweepGrid grid = gridOf({ QStringLiteral("circuitBreaker.failureThreshold=5"), QStringLiteral("retry.maxAttempts=3") });
    LoadError error;
    const std::optional<PolicyConfig> policy = grid.policyAt(checkout(), 0, &error);
    QVERIFY2(policy, qPrintable(error.toString()));
    QCOMPARE(policyChanges(checkout(), *policy), QStringList()); // as the JSON says: the same behaviour
}

void tst_SweepGrid::loaderRefusesABadValue_data()
{
    QTest::addColumn<QString>("spec");
    QTest::addColumn<QString>("message");
    QTest::addRow("fraction for a count") << QStringLiteral("circuitBreaker.failureThreshold=2.5")
                                          << QStringLiteral("--vary: circuitBreaker.failureThreshold: expected a non-negative "
                                             "integer, got 2.5");
    QTest::addRow("below the minimum") << QStringLiteral("retry.maxAttempts=0:2:1")
                                       << QStringLiteral("--vary: retry.maxAttempts: expected a positive integer, got 0");
    QTest::addRow("rate above 1") << QStringLiteral("circuitBreaker.failureRateThreshold=0.5,1.5")
                                  << QStringLiteral("--vary: circuitBreaker.failureRateThreshold: expected a rate between 0 and 1, got 1.5");
    QTest::addRow("beyond the limits") << QStringLiteral("retry.maxAttempts=2000000")
                                       << QStringLiteral("--vary: retry.maxAttempts: expected at most 1000000, got 2000000");
    QTest::addRow("negative duration, by its shorthand") << QStringLiteral("timeout=-5")
                                                          << QStringLiteral("--vary: timeout: expected a duration in milliseconds (a "
                                                             "non-negative number), got -5");
}

void tst_SweepGrid::loaderRefusesABadValue()
{
    QFETCH(QString, spec);
    QFETCH(QString, message);
    const SweepGrid grid = gridOf({ spec });
    LoadError error;
    std::optional<PolicyConfig> policy;
    for (qsizetype point = 0; point < qsizetype(grid.size()) && (point == 0 || policy); ++point)
        policy = grid.policyAt(checkout(), point, &error);
    QVERIFY(!policy);
    QCOMPARE(error.toString(), message);
}

void tst_SweepGrid::sectionThatIsOffRefused()
{
    for (const char *spec : { "bulkhead.maxConcurrent=5", "retry.budget.ratio=0.1" }) {
        const SweepGrid grid = gridOf({ QLatin1StringView(spec) });
        LoadError error;
        QVERIFY(!grid.policyAt(checkout(), 0, &error));
        const QString key = QString::fromLatin1(spec).section(u'=', 0, 0);
        QCOMPARE(error.toString(),
            QStringLiteral("--vary: %1: the policy 'checkout' has no %2; turn it on in the scenario to sweep it")
                .arg(key, key.section(u'.', 0, -2)));
    }
}

// Issue 14's strategies sweep like the rest: each number of theirs at its path; a key of another
// concurrency-limit algorithm is the loader's refusal.
void tst_SweepGrid::newerStrategiesVary()
{
    PolicyConfig base = checkout();
    base.retry->quota.emplace();
    base.adaptiveThrottle.emplace();
    base.concurrencyLimit.emplace();
    base.rateLimiter.emplace();
    const SweepGrid grid = gridOf({ QStringLiteral("concurrencyLimit.maxLimit=100,300"), QStringLiteral("adaptiveThrottle.k=1.5"),
        QStringLiteral("retry.quota.retryCost=2"), QStringLiteral("rateLimiter.limitForPeriod=7") });
    LoadError error;
    const std::optional<PolicyConfig> policy = grid.policyAt(base, 1, &error);
    QVERIFY2(policy, qPrintable(error.toString()));
    QCOMPARE(policyChanges(base, *policy),
        QStringList({ QStringLiteral("adaptiveThrottle.k 2 → 1.5"), QStringLiteral("concurrencyLimit.maxLimit 200 → 300"),
            QStringLiteral("rateLimiter.limitForPeriod 50 → 7"), QStringLiteral("retry.quota.retryCost 5 → 2") }));

    QVERIFY(!gridOf({ QStringLiteral("concurrencyLimit.backoffRatio=0.8") }).policyAt(base, 0, &error));
    QCOMPARE(error.toString(),
        QStringLiteral("--vary: concurrencyLimit.backoffRatio: applies to algorithm 'aimd', not 'gradient2'"));
}

QTEST_GUILESS_MAIN(tst_SweepGrid)
#include "tst_sweepgrid.moc"
