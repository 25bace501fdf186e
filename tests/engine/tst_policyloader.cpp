#include "resilience/limits.h"
#include "resilience/pipeline.h"
#include "resilience/policyloader.h"
#include "resilience/policywriter.h"
#include "runtime/virtualscheduler.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QTemporaryDir>
#include <QTest>

using namespace bw;

namespace {

std::optional<PolicyConfig> parse(const char *json, LoadError *error = nullptr)
{
    LoadError local;
    auto p = parsePolicy(QByteArray(json), QStringLiteral("policy.json"), error ? error : &local);
    if (!p && !error)
        qWarning().noquote() << local.toString();
    return p;
}

Duration ms(int v)
{
    return fromMs(v);
}

} // namespace

class tst_PolicyLoader : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void formatsExample();
    void everyCircuitBreakerKey();
    void everyRetryKey();
    void retryQuotaAndRateLimiter();
    void hedging();
    void adaptiveThrottle();
    void concurrencyLimit();
    void timeoutForms();
    void bulkheadAndFallback();
    void sectionsTrueFalseAbsent();
    void sectionPresets();
    void presetBaseWithOverrides();
    void presetSectionTurnedOff();
    void order();
    void nameDefaultsToFileName();
    void loadPolicyByPresetName();
    void loadPolicyFile();
    void shippedPoliciesLoad();
    void badPolicy_data();
    void badPolicy();
    void limits_data();
    void limits();
    void hugeCountWindowRefused();
    void loadErrorFormat();
    void embeddedPolicyPaths();
    void nearestName();
    void policyChangesNameEachField();
};

void tst_PolicyLoader::formatsExample()
{
    // The example of docs/formats.md, verbatim.
    const auto p = parse(R"({
  "name": "payments",
  "circuitBreaker": {"failureThreshold": 5, "failureRateThreshold": 0.5, "volumeThreshold": 10,
                     "successThreshold": 2, "timeout": 1000, "resetTimeout": 5000,
                     "slowCallDurationThreshold": 500, "slowCallRateThreshold": 0.5,
                     "windowType": "time", "windowSize": 60000},
  "retry": {"maxAttempts": 3, "initialDelay": 100, "maxDelay": 2000, "backoffMultiplier": 2,
            "jitter": true, "retryableErrors": ["503", "TIMEOUT"]},
  "timeout": 800,
  "bulkhead": {"maxConcurrent": 10, "maxQueueSize": 20, "timeout": 200},
  "fallback": {"value": "cached"}
})");
    QVERIFY(p);
    QCOMPARE(p->name, QStringLiteral("payments"));
    QVERIFY(p->circuitBreaker);
    QCOMPARE(p->circuitBreaker->successThreshold, 2);
    QCOMPARE(p->circuitBreaker->resetTimeout, ms(5000));
    QCOMPARE(p->circuitBreaker->slowCallRateThreshold, 0.5);
    QVERIFY(p->retry);
    QCOMPARE(p->retry->maxAttempts, 3);
    QCOMPARE(p->retry->retryableErrors, QStringList({ QStringLiteral("503"), QStringLiteral("TIMEOUT") }));
    QVERIFY(p->timeout);
    QCOMPARE(p->timeout->timeout, ms(800));
    QVERIFY(!p->timeout->fallback);
    QVERIFY(p->bulkhead);
    QCOMPARE(p->bulkhead->maxConcurrent, 10);
    QCOMPARE(p->bulkhead->maxQueueSize, 20);
    QCOMPARE(p->bulkhead->timeout, ms(200));
    QVERIFY(p->fallback);
    QCOMPARE(p->fallback->value, QVariant(QStringLiteral("cached")));
    QCOMPARE(p->order, PolicyConfig::defaultOrder());

    // The example file shipped in resources/ is the same policy.
    const QString shipped
        = qEnvironmentVariable("BREAKWATER_SOURCE_DIR") + QStringLiteral("/resources/policies/payments.json");
    if (QFile::exists(shipped)) {
        LoadError error;
        const auto file = bw::loadPolicyFile(shipped, &error);
        QVERIFY2(file, qPrintable(error.toString()));
        QCOMPARE(*file->circuitBreaker, *p->circuitBreaker);
    }
}

void tst_PolicyLoader::everyCircuitBreakerKey()
{
    // Every value differs from its default, so a key that is read into the wrong field shows.
    const auto p = parse(R"({"circuitBreaker": {
        "failureThreshold": 7, "failureRateThreshold": 0.25, "volumeThreshold": 33,
        "slowCallDurationThreshold": 1234, "slowCallRateThreshold": 0.75, "successThreshold": 4,
        "halfOpenMaxCalls": 6, "timeout": 2500, "resetTimeout": 45000, "resetTimeoutMultiplier": 1.5,
        "maxResetTimeout": 300000, "windowType": "count", "windowSize": 50,
        "recordErrors": ["500", "503", "ECONNRESET"], "ignoreErrors": ["404"]}})");
    QVERIFY(p);
    const CircuitBreakerConfig &c = *p->circuitBreaker;
    QCOMPARE(c.failureThreshold, 7);
    QCOMPARE(c.failureRateThreshold, 0.25);
    QCOMPARE(c.volumeThreshold, 33);
    QCOMPARE(c.slowCallDurationThreshold, ms(1234));
    QCOMPARE(c.slowCallRateThreshold, 0.75);
    QCOMPARE(c.successThreshold, 4);
    QCOMPARE(c.halfOpenMaxCalls, 6);
    QCOMPARE(c.timeout, ms(2500));
    QCOMPARE(c.resetTimeout, ms(45000));
    QCOMPARE(c.resetTimeoutMultiplier, 1.5);
    QCOMPARE(c.maxResetTimeout, ms(300000));
    QCOMPARE(c.windowType, WindowType::Count);
    QCOMPARE(c.windowSize, 50);
    QCOMPARE(c.recordErrors,
        (QList<ErrorCode> {
            ErrorCode::httpStatus(500), ErrorCode::httpStatus(503), ErrorCode::ConnectionReset }));
    QCOMPARE(c.ignoreErrors, QList<ErrorCode> { ErrorCode::httpStatus(404) });
    // Only the breaker is on.
    QVERIFY(!p->retry && !p->timeout && !p->bulkhead && !p->fallback);

    // Fractional milliseconds are kept to the nanosecond.
    const auto q = parse(R"({"circuitBreaker": {"slowCallDurationThreshold": 0.5, "windowType": "time"}})");
    QVERIFY(q);
    QCOMPARE(q->circuitBreaker->slowCallDurationThreshold, Duration(500000));
    QCOMPARE(q->circuitBreaker->windowType, WindowType::Time);
}

void tst_PolicyLoader::everyRetryKey()
{
    const auto p = parse(R"({"retry": {
        "maxAttempts": 6, "initialDelay": 250, "maxDelay": 9000, "backoffMultiplier": 3,
        "backoff": "linear", "linearIncrement": 125, "jitter": false,
        "retryableErrors": ["429", "timeout"], "timeout": 1500, "respectRetryAfter": true,
        "budget": {"ratio": 0.1, "minPerSecond": 5}}})");
    QVERIFY(p);
    const RetryConfig &r = *p->retry;
    QCOMPARE(r.maxAttempts, 6);
    QCOMPARE(r.initialDelay, ms(250));
    QCOMPARE(r.maxDelay, ms(9000));
    QCOMPARE(r.backoffMultiplier, 3.0);
    QCOMPARE(r.backoff, Backoff::Linear);
    QCOMPARE(r.linearIncrement, ms(125));
    QCOMPARE(r.jitter, false);
    QCOMPARE(r.retryableErrors, QStringList({ QStringLiteral("429"), QStringLiteral("timeout") }));
    QCOMPARE(r.timeout, ms(1500));
    QCOMPARE(r.respectRetryAfter, true);
    QVERIFY(r.budget);
    QCOMPARE(r.budget->ratio, 0.1);
    QCOMPARE(r.budget->minPerSecond, 5.0);

    const auto b = parse(R"({"retry": {"budget": true}})");
    QVERIFY(b && b->retry->budget);
    QCOMPARE(*b->retry->budget, RetryBudgetConfig {});
    const auto e = parse(R"({"retry": {"backoff": "exponential"}})");
    QVERIFY(e);
    QCOMPARE(e->retry->backoff, Backoff::Exponential);
    QVERIFY(!e->retry->retryableErrors); // absent: the defaults of docs/semantics.md
    QVERIFY(!e->retry->budget);
}

// The issue's keys and defaults (issue 14): the AWS SDKs' quota and Resilience4j's rate limiter.
void tst_PolicyLoader::retryQuotaAndRateLimiter()
{
    const auto p = parse(R"({"retry": {"quota": {"capacity": 100, "retryCost": 2, "timeoutCost": 4, "successRefill": 3}},
        "rateLimiter": {"limitForPeriod": 20, "refreshPeriodMs": 500, "timeoutMs": 250}})");
    QVERIFY(p);
    QCOMPARE(*p->retry->quota, (RetryQuotaConfig { 100, 2, 4, 3 }));
    QCOMPARE(*p->rateLimiter, (RateLimiterConfig { 20, ms(500), ms(250) }));
    QCOMPARE(p->order, PolicyConfig::defaultOrder());

    const auto defaults = parse(R"({"retry": {"quota": true}, "rateLimiter": true})");
    QVERIFY(defaults);
    QCOMPARE(*defaults->retry->quota, (RetryQuotaConfig { 500, 5, 10, 1 }));
    QCOMPARE(*defaults->rateLimiter, (RateLimiterConfig { 50, ms(1000), ms(0) }));
    // A partial object starts from the defaults.
    const auto partial = parse(R"({"retry": {"quota": {"retryCost": 1}}, "rateLimiter": {"limitForPeriod": 7}})");
    QVERIFY(partial);
    QCOMPARE(*partial->retry->quota, (RetryQuotaConfig { 500, 1, 10, 1 }));
    QCOMPARE(*partial->rateLimiter, (RateLimiterConfig { 7, ms(1000), ms(0) }));
    const auto off = parse(R"({"retry": {"quota": false}, "rateLimiter": false})");
    QVERIFY(off && !off->retry->quota && !off->rateLimiter);
    // The stage name in "order".
    const auto ordered = parse(R"({"rateLimiter": true, "retry": true, "order": ["rateLimiter", "retry"]})");
    QVERIFY(ordered);
    QCOMPARE(ordered->order, (QList<StageKind> { StageKind::RateLimiter, StageKind::Retry }));

    // Written and read back: the same settings, and edits named by their keys.
    const QByteArray written = QJsonDocument(policyToJson(*p)).toJson();
    const auto back = parse(written);
    QVERIFY(back);
    QCOMPARE(policyToJson(*back), policyToJson(*p));
    PolicyConfig edited = *p;
    edited.retry->quota->retryCost = 5;
    edited.rateLimiter->limitForPeriod = 10;
    QCOMPARE(policyChanges(*p, edited), (QStringList { QStringLiteral("rateLimiter.limitForPeriod 20 → 10"),
                                                       QStringLiteral("retry.quota.retryCost 2 → 5") }));
    edited.rateLimiter.reset();
    QVERIFY(policyChanges(*p, edited).contains(QStringLiteral("rateLimiter off")));
}

// Issue 14's hedging with Polly's defaults (1 hedged attempt, 2 s delay), innermost in the order.
void tst_PolicyLoader::hedging()
{
    const auto p = parse(R"({"hedging": {"maxHedgedAttempts": 2, "delayMs": 50}, "timeout": 500})");
    QVERIFY(p);
    QCOMPARE(*p->hedging, (HedgingConfig { 2, ms(50) }));
    const auto defaults = parse(R"({"hedging": true})");
    QVERIFY(defaults);
    QCOMPARE(*defaults->hedging, (HedgingConfig { 1, ms(2000) }));
    const auto partial = parse(R"({"hedging": {"delayMs": 0}})");
    QVERIFY(partial);
    QCOMPARE(*partial->hedging, (HedgingConfig { 1, ms(0) }));
    const auto ordered = parse(R"({"hedging": true, "retry": true, "order": ["retry", "hedging"]})");
    QVERIFY(ordered);
    QCOMPARE(ordered->order, (QList<StageKind> { StageKind::Retry, StageKind::Hedging }));
    // A stage after hedging that is off does not count.
    QVERIFY(parse(R"({"hedging": true, "order": ["hedging", "timeout"]})"));

    const auto back = parse(QJsonDocument(policyToJson(*p)).toJson());
    QVERIFY(back);
    QCOMPARE(policyToJson(*back), policyToJson(*p));
    PolicyConfig edited = *p;
    edited.hedging->delay = ms(120);
    QCOMPARE(policyChanges(*p, edited), QStringList { QStringLiteral("hedging.delayMs 50 → 120") });
    edited.hedging.reset();
    QVERIFY(policyChanges(*p, edited).contains(QStringLiteral("hedging off")));
}

// The Google SRE book's adaptive throttle: its keys, its defaults (k 2, two minutes), its stage.
void tst_PolicyLoader::adaptiveThrottle()
{
    const auto p = parse(R"({"adaptiveThrottle": {"k": 1.5, "windowMs": 30000}})");
    QVERIFY(p);
    QCOMPARE(*p->adaptiveThrottle, (AdaptiveThrottleConfig { 1.5, ms(30000) }));
    QCOMPARE(p->order, PolicyConfig::defaultOrder());
    const auto defaults = parse(R"({"adaptiveThrottle": true})");
    QVERIFY(defaults);
    QCOMPARE(*defaults->adaptiveThrottle, (AdaptiveThrottleConfig { 2.0, ms(120000) }));
    const auto partial = parse(R"({"adaptiveThrottle": {"windowMs": 10000}})");
    QVERIFY(partial);
    QCOMPARE(*partial->adaptiveThrottle, (AdaptiveThrottleConfig { 2.0, ms(10000) }));
    const auto off = parse(R"({"adaptiveThrottle": false})");
    QVERIFY(off && !off->adaptiveThrottle);
    const auto ordered = parse(R"({"adaptiveThrottle": true, "retry": true, "order": ["adaptiveThrottle", "retry"]})");
    QVERIFY(ordered);
    QCOMPARE(ordered->order, (QList<StageKind> { StageKind::AdaptiveThrottle, StageKind::Retry }));

    const auto back = parse(QJsonDocument(policyToJson(*p)).toJson());
    QVERIFY(back);
    QCOMPARE(*back->adaptiveThrottle, *p->adaptiveThrottle);
    PolicyConfig edited = *p;
    edited.adaptiveThrottle->k = 3;
    QCOMPARE(policyChanges(*p, edited), (QStringList { QStringLiteral("adaptiveThrottle.k 1.5 → 3") }));
    edited.adaptiveThrottle.reset();
    QVERIFY(policyChanges(*p, edited).contains(QStringLiteral("adaptiveThrottle off")));
}

// Netflix concurrency-limits' names and defaults; the algorithm picks its own defaults.
void tst_PolicyLoader::concurrencyLimit()
{
    const auto defaults = parse(R"({"concurrencyLimit": true})");
    QVERIFY(defaults);
    QCOMPARE(*defaults->concurrencyLimit, ConcurrencyLimitConfig {});
    QCOMPARE(defaults->order, PolicyConfig::defaultOrder());
    const auto vegas = parse(R"({"concurrencyLimit": {"algorithm": "vegas"}})");
    QVERIFY(vegas);
    QCOMPARE(*vegas->concurrencyLimit, ConcurrencyLimitConfig::defaultsFor(LimitAlgorithm::Vegas));
    const auto aimd = parse(R"({"concurrencyLimit": {"algorithm": "aimd", "initialLimit": 30, "backoffRatio": 0.8,
        "timeoutMs": 1000}})");
    QVERIFY(aimd);
    ConcurrencyLimitConfig expected = ConcurrencyLimitConfig::defaultsFor(LimitAlgorithm::Aimd);
    expected.initialLimit = 30;
    expected.backoffRatio = 0.8;
    expected.timeout = ms(1000);
    QCOMPARE(*aimd->concurrencyLimit, expected);
    const auto gradient = parse(R"({"concurrencyLimit": {"algorithm": "gradient2", "minLimit": 5, "maxLimit": 50,
        "smoothing": 0.5, "rttTolerance": 2, "longWindow": 100, "queueSize": 2}})");
    QVERIFY(gradient);
    QCOMPARE(gradient->concurrencyLimit->rttTolerance, 2.0);
    QCOMPARE(gradient->concurrencyLimit->longWindow, 100);

    // Written back with the algorithm's keys only, and read back the same.
    for (const auto &p : { *defaults, *vegas, *aimd, *gradient }) {
        const QJsonObject written = policyToJson(p).value(QStringLiteral("concurrencyLimit")).toObject();
        QCOMPARE(written.keys().size(), PolicyLoader::concurrencyLimitKeys(p.concurrencyLimit->algorithm).size());
        const auto back = parse(QJsonDocument(policyToJson(p)).toJson());
        QVERIFY(back);
        QCOMPARE(*back->concurrencyLimit, *p.concurrencyLimit);
    }
    PolicyConfig edited = *gradient;
    edited.concurrencyLimit->maxLimit = 80;
    QCOMPARE(policyChanges(*gradient, edited), (QStringList { QStringLiteral("concurrencyLimit.maxLimit 50 → 80") }));
    edited.concurrencyLimit.reset();
    QVERIFY(policyChanges(*gradient, edited).contains(QStringLiteral("concurrencyLimit off")));
}

void tst_PolicyLoader::timeoutForms()
{
    auto p = parse(R"({"timeout": 800})");
    QVERIFY(p && p->timeout);
    QCOMPARE(p->timeout->timeout, ms(800));
    p = parse(R"({"timeout": {"timeout": 1200}})");
    QVERIFY(p && p->timeout);
    QCOMPARE(p->timeout->timeout, ms(1200));
    QVERIFY(!p->timeout->fallback);
    p = parse(R"({"timeout": {"timeout": 1200, "fallback": {"status": "degraded"}}})");
    QVERIFY(p && p->timeout && p->timeout->fallback);
    QCOMPARE(
        p->timeout->fallback->toMap().value(QStringLiteral("status")), QVariant(QStringLiteral("degraded")));
    p = parse(R"({"timeout": true})");
    QVERIFY(p && p->timeout);
    QCOMPARE(p->timeout->timeout, ms(30000));
    p = parse(R"({"timeout": {}})");
    QVERIFY(p && p->timeout);
    QCOMPARE(p->timeout->timeout, ms(30000));
    // Preset names: a policy preset's timeout, or a TimeoutManager name.
    p = parse(R"({"timeout": "ai"})");
    QVERIFY(p && p->timeout);
    QCOMPARE(p->timeout->timeout, ms(120000));
    p = parse(R"({"timeout": "external.weather"})");
    QVERIFY(p && p->timeout);
    QCOMPARE(p->timeout->timeout, ms(10000));
    p = parse(R"({"timeout": 0.25})");
    QVERIFY(p && p->timeout);
    QCOMPARE(p->timeout->timeout, Duration(250000));
}

void tst_PolicyLoader::bulkheadAndFallback()
{
    auto p = parse(R"({"bulkhead": {"maxConcurrent": 3, "maxQueueSize": 0, "timeout": 50},
                       "fallback": {"value": {"items": [1, 2], "cached": true}}})");
    QVERIFY(p && p->bulkhead && p->fallback);
    QCOMPARE(p->bulkhead->maxConcurrent, 3);
    QCOMPARE(p->bulkhead->maxQueueSize, 0);
    QCOMPARE(p->bulkhead->timeout, ms(50));
    const QVariantMap value = p->fallback->value.toMap();
    QCOMPARE(value.value(QStringLiteral("cached")), QVariant(true));
    QCOMPARE(value.value(QStringLiteral("items")).toList().size(), 2);

    p = parse(R"({"fallback": {"value": null}})");
    QVERIFY(p && p->fallback);
    QVERIFY(p->fallback->value.isNull());
    p = parse(R"({"fallback": {"value": 42}})");
    QVERIFY(p && p->fallback);
    QCOMPARE(p->fallback->value.toInt(), 42);
}

void tst_PolicyLoader::sectionsTrueFalseAbsent()
{
    // Absent or false: off.
    auto p = parse(
        R"({"circuitBreaker": false, "retry": false, "timeout": false, "bulkhead": false, "fallback": false})");
    QVERIFY(p);
    QVERIFY(!p->circuitBreaker && !p->retry && !p->timeout && !p->bulkhead && !p->fallback);
    p = parse("{}");
    QVERIFY(p);
    QVERIFY(!p->circuitBreaker && !p->retry && !p->timeout && !p->bulkhead && !p->fallback);

    // True: the defaults; the breaker's slow-call rate stays off unless set.
    p = parse(
        R"({"circuitBreaker": true, "retry": true, "timeout": true, "bulkhead": true, "fallback": true})");
    QVERIFY(p);
    CircuitBreakerConfig expected;
    expected.slowCallRateThreshold = 0;
    QCOMPARE(*p->circuitBreaker, expected);
    QCOMPARE(p->retry->maxAttempts, RetryConfig {}.maxAttempts);
    QCOMPARE(p->retry->initialDelay, RetryConfig {}.initialDelay);
    QCOMPARE(p->retry->maxDelay, RetryConfig {}.maxDelay);
    QCOMPARE(p->retry->jitter, true);
    QCOMPARE(p->timeout->timeout, ms(30000));
    QCOMPARE(p->bulkhead->maxConcurrent, BulkheadConfig {}.maxConcurrent);
    QCOMPARE(p->bulkhead->maxQueueSize, BulkheadConfig {}.maxQueueSize);
    QCOMPARE(p->bulkhead->timeout, BulkheadConfig {}.timeout);
    QVERIFY(p->fallback && p->fallback->value.isNull());

    // An object starts from the same defaults.
    p = parse(R"({"circuitBreaker": {"failureThreshold": 2}})");
    QVERIFY(p);
    expected.failureThreshold = 2;
    QCOMPARE(*p->circuitBreaker, expected);
}

void tst_PolicyLoader::sectionPresets()
{
    auto p = parse(R"({"retry": "network"})");
    QVERIFY(p && p->retry);
    QCOMPARE(p->retry->maxAttempts, 5);
    QCOMPARE(p->retry->initialDelay, ms(500));
    QCOMPARE(p->retry->backoffMultiplier, 1.5);
    p = parse(R"({"retry": "apiRateLimit"})");
    QVERIFY(p && p->retry);
    QVERIFY(p->retry->respectRetryAfter);
    p = parse(R"({"retry": "ai"})"); // a policy preset's retry
    QVERIFY(p && p->retry);
    QCOMPARE(p->retry->initialDelay, ms(2000));
    p = parse(R"({"circuitBreaker": "database", "bulkhead": "ai"})");
    QVERIFY(p && p->circuitBreaker && p->bulkhead);
    QCOMPARE(*p->circuitBreaker, *ResiliencePolicies::database().circuitBreaker);
    QCOMPARE(p->bulkhead->maxConcurrent, 10);
    QCOMPARE(p->bulkhead->maxQueueSize, 50);
    QVERIFY(!p->retry && !p->timeout); // only the sections named
}

void tst_PolicyLoader::presetBaseWithOverrides()
{
    const auto p = parse(R"({"policy": "api",
        "circuitBreaker": {"failureThreshold": 3},
        "retry": {"maxAttempts": 2},
        "timeout": 5000})");
    QVERIFY(p);
    const PolicyConfig api = ResiliencePolicies::api();
    QCOMPARE(p->name, QStringLiteral("api")); // the preset's name when none is given
    // Field by field: the breaker keeps api's resetTimeout, the retry api's delays.
    QCOMPARE(p->circuitBreaker->failureThreshold, 3);
    QCOMPARE(p->circuitBreaker->resetTimeout, api.circuitBreaker->resetTimeout);
    QCOMPARE(p->retry->maxAttempts, 2);
    QCOMPARE(p->retry->initialDelay, api.retry->initialDelay);
    QCOMPARE(p->retry->maxDelay, api.retry->maxDelay);
    QCOMPARE(p->timeout->timeout, ms(5000));
    // Untouched sections are the preset's.
    QCOMPARE(p->bulkhead->maxConcurrent, api.bulkhead->maxConcurrent);
    QCOMPARE(p->bulkhead->maxQueueSize, api.bulkhead->maxQueueSize);
    QVERIFY(!p->fallback);

    // true keeps the preset's section, a name replaces it, and "name" wins over the preset's.
    const auto q = parse(R"({"policy": "ai", "name": "llm", "circuitBreaker": true, "retry": "fixed"})");
    QVERIFY(q);
    QCOMPARE(q->name, QStringLiteral("llm"));
    QCOMPARE(*q->circuitBreaker, *ResiliencePolicies::ai().circuitBreaker);
    QCOMPARE(q->retry->maxAttempts, 3);
    QCOMPARE(q->retry->initialDelay, ms(1000));
    QCOMPARE(q->retry->backoffMultiplier, 1.0);

    // Every preset loads.
    for (const QString &name : ResiliencePolicies::names()) {
        const QByteArray json = "{\"policy\": \"" + name.toUtf8() + "\"}";
        LoadError error;
        const auto r = parsePolicy(json, QStringLiteral("p.json"), &error);
        QVERIFY2(r, qPrintable(error.toString()));
        QCOMPARE(r->name, name);
        QCOMPARE(r->has(StageKind::CircuitBreaker),
            ResiliencePolicies::byName(name)->has(StageKind::CircuitBreaker));
    }
}

void tst_PolicyLoader::presetSectionTurnedOff()
{
    const auto p = parse(R"({"policy": "external", "bulkhead": false, "retry": false})");
    QVERIFY(p);
    QVERIFY(p->circuitBreaker && p->timeout);
    QVERIFY(!p->bulkhead && !p->retry);
    // critical has no breaker: true gives the defaults.
    const auto q = parse(R"({"policy": "critical", "circuitBreaker": true})");
    QVERIFY(q && q->circuitBreaker);
    QCOMPARE(q->circuitBreaker->failureThreshold, 5);
}

void tst_PolicyLoader::order()
{
    auto p = parse(R"({"policy": "api", "fallback": {"value": 1},
                       "order": ["fallback", "circuitBreaker", "retry", "bulkhead", "timeout"]})");
    QVERIFY(p);
    QCOMPARE(p->order,
        (QList<StageKind> { StageKind::Fallback, StageKind::CircuitBreaker, StageKind::Retry,
            StageKind::Bulkhead, StageKind::Timeout }));
    // A subset is fine when it lists every stage that is on.
    p = parse(R"({"retry": true, "timeout": 100, "order": ["timeout", "retry"]})");
    QVERIFY(p);
    QCOMPARE(p->order, (QList<StageKind> { StageKind::Timeout, StageKind::Retry }));
    // Listing a stage that is off is harmless: the pipeline skips it.
    p = parse(R"({"timeout": 100, "order": ["bulkhead", "timeout"]})");
    QVERIFY(p);
    QCOMPARE(p->order, (QList<StageKind> { StageKind::Bulkhead, StageKind::Timeout }));
}

void tst_PolicyLoader::nameDefaultsToFileName()
{
    LoadError error;
    auto p = parsePolicy("{}", QStringLiteral("/some/dir/checkout-strict.json"), &error);
    QVERIFY(p);
    QCOMPARE(p->name, QStringLiteral("checkout-strict"));
    p = parsePolicy("{}", QString(), &error);
    QVERIFY(p);
    QCOMPARE(p->name, QStringLiteral("policy"));
}

void tst_PolicyLoader::loadPolicyByPresetName()
{
    LoadError error;
    const auto p = loadPolicy(QStringLiteral("database"), &error);
    QVERIFY(p);
    QCOMPARE(p->name, QStringLiteral("database"));
    QCOMPARE(*p->circuitBreaker, *ResiliencePolicies::database().circuitBreaker);

    QVERIFY(!loadPolicy(QStringLiteral("databse"), &error));
    QCOMPARE(error.toString(),
        QStringLiteral("databse: no such file, and not a preset name; did you mean 'database'? "
                       "(presets: api, ai, database, external, critical)"));
    QVERIFY(!loadPolicy(QStringLiteral("/no/such/policy.json"), &error));
    QCOMPARE(error.file, QStringLiteral("/no/such/policy.json"));
    QVERIFY(error.message.startsWith(QStringLiteral("no such file, and not a preset name")));
}

void tst_PolicyLoader::loadPolicyFile()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString path
        = dir.filePath(QStringLiteral("api.json")); // a file wins over the preset of the same name
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write(R"({"name": "mine", "timeout": 42})");
    f.close();
    LoadError error;
    auto p = loadPolicy(path, &error);
    QVERIFY2(p, qPrintable(error.toString()));
    QCOMPARE(p->name, QStringLiteral("mine"));
    QCOMPARE(p->timeout->timeout, ms(42));
    QVERIFY(!p->circuitBreaker);

    QVERIFY(!bw::loadPolicyFile(dir.filePath(QStringLiteral("missing.json")), &error));
    QCOMPARE(error.file, dir.filePath(QStringLiteral("missing.json")));
    QVERIFY(error.message.startsWith(QStringLiteral("cannot read: ")));
}

void tst_PolicyLoader::shippedPoliciesLoad()
{
    const QString source = qEnvironmentVariable("BREAKWATER_SOURCE_DIR");
    if (source.isEmpty())
        QSKIP("BREAKWATER_SOURCE_DIR is not set (run through ctest)");
    const QDir dir(source + QStringLiteral("/resources/policies"));
    const QStringList files = dir.entryList({ QStringLiteral("*.json") }, QDir::Files);
    QVERIFY(!files.isEmpty());
    for (const QString &file : files) {
        LoadError error;
        const auto p = bw::loadPolicyFile(dir.filePath(file), &error);
        QVERIFY2(p, qPrintable(error.toString()));
        QCOMPARE(p->name, QFileInfo(file).completeBaseName()); // names match file names
    }
}

void tst_PolicyLoader::badPolicy_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<QString>("expected");

    QTest::addRow("misspelt key") << QByteArray(R"({
  "name": "p",
  "circuitBreaker": {
    "failureTreshold": 5
  }
})")
                                  << QStringLiteral("policy.json:4:5: circuitBreaker.failureTreshold: "
                                                    "unknown key; did you mean 'failureThreshold'?");

    QTest::addRow("misspelt top-level key")
        << QByteArray(R"({"fallbak": true})")
        << QStringLiteral("policy.json:1:2: fallbak: unknown key; did you mean 'fallback'?");

    QTest::addRow("unknown key, nothing close")
        << QByteArray("{\n  \"bulkhead\": {\"maxConcurrent\": 2, \"zzz\": 1}\n}")
        << QStringLiteral("policy.json:2:36: bulkhead.zzz: unknown key; expected one of "
                          "'maxConcurrent', 'maxQueueSize', 'timeout'");

    QTest::addRow("wrong type") << QByteArray(
        "{\n  \"circuitBreaker\": {\n    \"failureThreshold\": \"5\"\n  }\n}")
                                << QStringLiteral("policy.json:3:25: circuitBreaker.failureThreshold: "
                                                  "expected a non-negative integer, got \"5\"");

    QTest::addRow("negative duration")
        << QByteArray("{\"circuitBreaker\": {\"resetTimeout\": -1}}")
        << QStringLiteral("policy.json:1:37: circuitBreaker.resetTimeout: expected a duration in "
                          "milliseconds (a non-negative number), got -1");

    QTest::addRow("rate above 1") << QByteArray("{\n\"circuitBreaker\": {\"failureRateThreshold\": 1.5}}")
                                  << QStringLiteral("policy.json:2:44: circuitBreaker.failureRateThreshold: "
                                                    "expected a rate between 0 and 1, got 1.5");

    QTest::addRow("negative rate") << QByteArray("{\"circuitBreaker\": {\"slowCallRateThreshold\": -0.1}}")
                                   << QStringLiteral(
                                          "policy.json:1:46: circuitBreaker.slowCallRateThreshold: expected "
                                          "a rate between 0 and 1, got -0.1");

    QTest::addRow("maxAttempts 0")
        << QByteArray("{\n  \"retry\": {\"maxAttempts\": 0}\n}")
        << QStringLiteral("policy.json:2:28: retry.maxAttempts: expected a positive integer, got 0");

    QTest::addRow("maxAttempts not whole")
        << QByteArray("{\"retry\": {\"maxAttempts\": 2.5}}")
        << QStringLiteral("policy.json:1:27: retry.maxAttempts: expected a positive integer, got 2.5");

    QTest::addRow("maxConcurrent 0")
        << QByteArray("{\"bulkhead\": {\"maxConcurrent\": 0}}")
        << QStringLiteral("policy.json:1:32: bulkhead.maxConcurrent: expected a positive integer, got 0");

    QTest::addRow("unknown preset")
        << QByteArray("{\n  \"policy\": \"apii\"\n}")
        << QStringLiteral("policy.json:2:13: policy: unknown preset 'apii'; did you mean 'api'? "
                          "(presets: api, ai, database, external, critical)");

    QTest::addRow("unknown retry preset")
        << QByteArray("{\"retry\": \"netwrk\"}")
        << QStringLiteral("policy.json:1:11: retry: unknown preset 'netwrk'; did you mean 'network'? "
                          "(presets: none, fixed, exponential, linear, apiRateLimit, network, "
                          "api, ai, database, external, critical)");

    QTest::addRow("preset without the section")
        << QByteArray("{\"circuitBreaker\": \"critical\"}")
        << QStringLiteral("policy.json:1:20: circuitBreaker: preset 'critical' has no "
                          "circuitBreaker section; use false to turn it off");

    QTest::addRow("bad enum")
        << QByteArray("{\"circuitBreaker\": {\"windowType\": \"tim\"}}")
        << QStringLiteral(
               "policy.json:1:35: circuitBreaker.windowType: expected \"time\" or \"count\", got \"tim\"; "
               "did you mean 'time'?");

    QTest::addRow("bad section type")
        << QByteArray("{\"bulkhead\": 10}")
        << QStringLiteral(
               "policy.json:1:14: bulkhead: expected an object, true, false or a preset name, got 10");

    QTest::addRow("bool expected")
        << QByteArray("{\"retry\": {\"jitter\": \"yes\"}}")
        << QStringLiteral("policy.json:1:22: retry.jitter: expected true or false, got \"yes\"");

    QTest::addRow("error list not an array")
        << QByteArray("{\"retry\": {\"retryableErrors\": \"503\"}}")
        << QStringLiteral(
               "policy.json:1:31: retry.retryableErrors: expected an array of error codes, got \"503\"");

    QTest::addRow("error code not a string")
        << QByteArray("{\"retry\": {\"retryableErrors\": [\"503\", 429]}}")
        << QStringLiteral("policy.json:1:39: retry.retryableErrors[1]: expected a non-empty string, got 429");

    QTest::addRow("duplicate stage in order")
        << QByteArray("{\"retry\": true,\n \"order\": [\"retry\", \"timeout\", \"retry\"]}")
        << QStringLiteral("policy.json:2:32: order[2]: duplicate stage 'retry'");

    QTest::addRow("unknown stage in order")
        << QByteArray("{\"order\": [\"circuitbreaker\"]}")
        << QStringLiteral("policy.json:1:12: order[0]: unknown stage \"circuitbreaker\"; did you mean "
                          "'circuitBreaker'?");

    QTest::addRow("stage on but not ordered")
        << QByteArray("{\"retry\": true, \"timeout\": 10, \"order\": [\"retry\"]}")
        << QStringLiteral("policy.json:1:41: order: stage 'timeout' is on but not listed; "
                          "list it or set \"timeout\": false");

    QTest::addRow("duplicate key") << QByteArray("{\n  \"timeout\": 10,\n  \"timeout\": 20\n}")
                                   << QStringLiteral("policy.json:3:3: timeout: duplicate key");

    QTest::addRow("missing comma")
        << QByteArray("{\n  \"name\": \"p\"\n  \"retry\": true\n}")
        << QStringLiteral("policy.json:3:3: invalid JSON: expected ',' or '}' (a missing comma?)");

    QTest::addRow("unterminated")
        << QByteArray("{\n  \"retry\": {\"maxAttempts\": 3}\n")
        << QStringLiteral(
               "policy.json:3:1: invalid JSON: unterminated object: the text ends before its closing '}'");

    QTest::addRow("empty file") << QByteArray("")
                                << QStringLiteral("policy.json:1:1: empty file; expected a JSON object");

    QTest::addRow("trailing comma")
        << QByteArray("{\"retry\": true,}")
        << QStringLiteral("policy.json:1:16: invalid JSON: expected a value after ',' (a trailing comma?)");

    QTest::addRow("missing colon") << QByteArray("{\n  \"retry\" true\n}")
                                   << QStringLiteral(
                                          "policy.json:2:11: invalid JSON: expected ':' after the key");

    QTest::addRow("missing comma in array")
        << QByteArray("{\"order\": [\"retry\" \"timeout\"]}")
        << QStringLiteral("policy.json:1:20: invalid JSON: expected ',' (a missing comma?)");

    QTest::addRow("top level array") << QByteArray(
        "[1, 2]") << QStringLiteral("policy.json:1:1: expected a JSON object at the top level");

    QTest::addRow("name not a string") << QByteArray(
        "{\"name\": 7}") << QStringLiteral("policy.json:1:10: name: expected a non-empty string, got 7");

    QTest::addRow("huge duration")
        << QByteArray("{\"timeout\": 1e15}")
        << QStringLiteral(
               "policy.json:1:13: timeout: expected a duration of at most 86400000 ms, got 1000000000000000");

    QTest::addRow("multiplier below 1")
        << QByteArray("{\"retry\": {\"backoffMultiplier\": 0.5}}")
        << QStringLiteral("policy.json:1:33: retry.backoffMultiplier: expected a number >= 1, got 0.5");

    QTest::addRow("budget key")
        << QByteArray("{\"retry\": {\"budget\": {\"ration\": 0.1}}}")
        << QStringLiteral("policy.json:1:23: retry.budget.ration: unknown key; did you mean 'ratio'?");

    QTest::addRow("quota key")
        << QByteArray("{\"retry\": {\"quota\": {\"retryCots\": 5}}}")
        << QStringLiteral("policy.json:1:22: retry.quota.retryCots: unknown key; did you mean 'retryCost'?");
    QTest::addRow("quota negative")
        << QByteArray("{\"retry\": {\"quota\": {\"capacity\": -1}}}")
        << QStringLiteral("policy.json:1:34: retry.quota.capacity: expected a non-negative integer, got -1");
    QTest::addRow("quota not an object")
        << QByteArray("{\"retry\": {\"quota\": 500}}")
        << QStringLiteral("policy.json:1:21: retry.quota: expected an object, true or false, got 500");
    QTest::addRow("rate limiter key")
        << QByteArray("{\"rateLimiter\": {\"limitPerPeriod\": 5}}")
        << QStringLiteral("policy.json:1:18: rateLimiter.limitPerPeriod: unknown key; did you mean 'limitForPeriod'?");
    // Too far from any key for a guess: the message lists them.
    QTest::addRow("rate limiter Resilience4j's Java name")
        << QByteArray("{\"rateLimiter\": {\"limitRefreshPeriod\": 500}}")
        << QStringLiteral("policy.json:1:18: rateLimiter.limitRefreshPeriod: unknown key; expected one of "
                          "'limitForPeriod', 'refreshPeriodMs', 'timeoutMs'");
    QTest::addRow("rate limiter limit 0")
        << QByteArray("{\"rateLimiter\": {\"limitForPeriod\": 0}}")
        << QStringLiteral("policy.json:1:36: rateLimiter.limitForPeriod: expected a positive integer, got 0");
    QTest::addRow("rate limiter period 0")
        << QByteArray("{\"rateLimiter\": {\"refreshPeriodMs\": 0}}")
        << QStringLiteral("policy.json:1:37: rateLimiter.refreshPeriodMs: expected a duration in milliseconds (a positive number), got 0");
    QTest::addRow("rate limiter period under 1 ns")
        << QByteArray("{\"rateLimiter\": {\"refreshPeriodMs\": 1e-7}}")
        << QStringLiteral("policy.json:1:37: rateLimiter.refreshPeriodMs: expected at least 0.000001 (1 ns), got 1e-07");
    QTest::addRow("rate limiter not an object")
        << QByteArray("{\"rateLimiter\": 50}")
        << QStringLiteral("policy.json:1:17: rateLimiter: expected an object, true or false, got 50");
    QTest::addRow("rate limiter on, not in order")
        << QByteArray("{\"rateLimiter\": true, \"order\": [\"retry\"]}")
        << QStringLiteral("policy.json:1:32: order: stage 'rateLimiter' is on but not listed; list it or set \"rateLimiter\": false");
    QTest::addRow("hedging key")
        << QByteArray("{\"hedging\": {\"maxHedgeAttempts\": 2}}")
        << QStringLiteral("policy.json:1:14: hedging.maxHedgeAttempts: unknown key; did you mean 'maxHedgedAttempts'?");
    QTest::addRow("hedging Polly's Delay")
        << QByteArray("{\"hedging\": {\"delay\": 50}}")
        << QStringLiteral("policy.json:1:14: hedging.delay: unknown key; expected one of 'maxHedgedAttempts', 'delayMs'");
    QTest::addRow("hedging 0 attempts")
        << QByteArray("{\"hedging\": {\"maxHedgedAttempts\": 0}}")
        << QStringLiteral("policy.json:1:35: hedging.maxHedgedAttempts: expected a positive integer, got 0");
    QTest::addRow("hedging 11 attempts")
        << QByteArray("{\"hedging\": {\"maxHedgedAttempts\": 11}}")
        << QStringLiteral("policy.json:1:35: hedging.maxHedgedAttempts: expected an integer from 1 to 10, got 11");
    QTest::addRow("hedging negative delay")
        << QByteArray("{\"hedging\": {\"delayMs\": -1}}")
        << QStringLiteral("policy.json:1:25: hedging.delayMs: expected a duration in milliseconds (a non-negative number), got -1");
    QTest::addRow("hedging not an object")
        << QByteArray("{\"hedging\": 50}")
        << QStringLiteral("policy.json:1:13: hedging: expected an object, true or false, got 50");
    QTest::addRow("hedging not innermost")
        << QByteArray("{\"hedging\": true, \"timeout\": 100, \"order\": [\"hedging\", \"timeout\"]}")
        << QStringLiteral("policy.json:1:45: order[0]: stage 'hedging' must be the innermost stage that is on "
                          "(after 'timeout'): its attempts are the operation's");
    QTest::addRow("adaptive throttle key")
        << QByteArray("{\"adaptiveThrottle\": {\"K\": 2}}")
        << QStringLiteral("policy.json:1:23: adaptiveThrottle.K: unknown key; did you mean 'k'?");
    QTest::addRow("adaptive throttle k under 1")
        << QByteArray("{\"adaptiveThrottle\": {\"k\": 0.5}}")
        << QStringLiteral("policy.json:1:28: adaptiveThrottle.k: expected a number >= 1, got 0.5");
    QTest::addRow("adaptive throttle k a string")
        << QByteArray("{\"adaptiveThrottle\": {\"k\": \"2\"}}")
        << QStringLiteral("policy.json:1:28: adaptiveThrottle.k: expected a number >= 1, got \"2\"");
    QTest::addRow("adaptive throttle window 0")
        << QByteArray("{\"adaptiveThrottle\": {\"windowMs\": 0}}")
        << QStringLiteral("policy.json:1:35: adaptiveThrottle.windowMs: expected a duration in milliseconds (a positive number), got 0");
    QTest::addRow("adaptive throttle not an object")
        << QByteArray("{\"adaptiveThrottle\": 2}")
        << QStringLiteral("policy.json:1:22: adaptiveThrottle: expected an object, true or false, got 2");
    QTest::addRow("concurrency limit algorithm")
        << QByteArray("{\"concurrencyLimit\": {\"algorithm\": \"gradient\"}}")
        << QStringLiteral("policy.json:1:36: concurrencyLimit.algorithm: expected \"vegas\", \"gradient2\" or \"aimd\", got \"gradient\"; did you mean 'gradient2'?");
    QTest::addRow("concurrency limit key of another algorithm")
        << QByteArray("{\"concurrencyLimit\": {\"backoffRatio\": 0.5}}")
        << QStringLiteral("policy.json:1:23: concurrencyLimit.backoffRatio: applies to algorithm 'aimd', not 'gradient2'");
    QTest::addRow("concurrency limit misspelt key")
        << QByteArray("{\"concurrencyLimit\": {\"maxLimt\": 5}}")
        << QStringLiteral("policy.json:1:23: concurrencyLimit.maxLimt: unknown key; did you mean 'maxLimit'?");
    QTest::addRow("concurrency limit min above max")
        << QByteArray("{\"concurrencyLimit\": {\"minLimit\": 50, \"maxLimit\": 40}}")
        << QStringLiteral("policy.json:1:51: concurrencyLimit.maxLimit: minLimit 50 is above maxLimit 40");
    QTest::addRow("concurrency limit initial below min")
        << QByteArray("{\"concurrencyLimit\": {\"initialLimit\": 5}}")
        << QStringLiteral("policy.json:1:39: concurrencyLimit.initialLimit: initialLimit 5 is outside [minLimit 20, maxLimit 200]");
    QTest::addRow("concurrency limit smoothing 0")
        << QByteArray("{\"concurrencyLimit\": {\"smoothing\": 0}}")
        << QStringLiteral("policy.json:1:36: concurrencyLimit.smoothing: expected a number from 0.001 to 1, got 0");
    QTest::addRow("concurrency limit backoff ratio 1")
        << QByteArray("{\"concurrencyLimit\": {\"algorithm\": \"aimd\", \"backoffRatio\": 1}}")
        << QStringLiteral("policy.json:1:60: concurrencyLimit.backoffRatio: expected a number from 0.5 to 0.999, got 1");
    QTest::addRow("concurrency limit not an object")
        << QByteArray("{\"concurrencyLimit\": \"vegas\"}")
        << QStringLiteral("policy.json:1:22: concurrencyLimit: expected an object, true or false, got \"vegas\"");
    QTest::addRow("order misspelt")
        << QByteArray("{\"order\": [\"rateLimitter\"]}")
        << QStringLiteral("policy.json:1:12: order[0]: unknown stage \"rateLimitter\"; did you mean 'rateLimiter'?");

    QTest::addRow("timeout object key")
        << QByteArray("{\"timeout\": {\"timeot\": 5}}")
        << QStringLiteral("policy.json:1:14: timeout.timeot: unknown key; did you mean 'timeout'?");

    QTest::addRow("columns count characters")
        << QByteArray("{\"name\": \"caf\xc3\xa9\", \"retri\": 1}")
        << QStringLiteral("policy.json:1:18: retri: unknown key; did you mean 'retry'?");
}

void tst_PolicyLoader::badPolicy()
{
    QFETCH(QByteArray, json);
    QFETCH(QString, expected);
    LoadError error;
    const auto p = parsePolicy(json, QStringLiteral("policy.json"), &error);
    QVERIFY(!p);
    QCOMPARE(error.toString(), expected);
    QCOMPARE(error.file, QStringLiteral("policy.json"));
}

// Every size, count and duration has an upper bound (docs/formats.md, "Limits"): the limit itself
// is read, and builds its pipeline; one past it, or far past it, is refused at that key.
void tst_PolicyLoader::limits_data()
{
    QTest::addColumn<QByteArray>("json"); // %1 is the value
    QTest::addColumn<QString>("key");
    QTest::addColumn<double>("limit");
    const double count = Limits::MaxCount, ms = Limits::MaxDurationMs, rate = Limits::MaxRate;
    for (const char *key : { "failureThreshold", "volumeThreshold", "successThreshold", "halfOpenMaxCalls" })
        QTest::addRow("circuitBreaker.%s", key)
            << QByteArray("{\"circuitBreaker\": {\"") + key + "\": %1}}"
            << QStringLiteral("circuitBreaker.") + QLatin1StringView(key) << count;
    for (const char *key : { "slowCallDurationThreshold", "timeout", "resetTimeout", "maxResetTimeout" })
        QTest::addRow("circuitBreaker.%s", key)
            << QByteArray("{\"circuitBreaker\": {\"") + key + "\": %1}}"
            << QStringLiteral("circuitBreaker.") + QLatin1StringView(key) << ms;
    QTest::addRow("count window") << QByteArray(R"({"circuitBreaker": {"windowType": "count", "windowSize": %1}})")
                                  << QStringLiteral("circuitBreaker.windowSize") << count;
    QTest::addRow("time window") << QByteArray(R"({"circuitBreaker": {"windowType": "time", "windowSize": %1}})")
                                 << QStringLiteral("circuitBreaker.windowSize") << ms;
    QTest::addRow("retry.maxAttempts") << QByteArray(R"({"retry": {"maxAttempts": %1}})")
                                       << QStringLiteral("retry.maxAttempts") << count;
    for (const char *key : { "initialDelay", "maxDelay", "linearIncrement", "timeout" })
        QTest::addRow("retry.%s", key) << QByteArray("{\"retry\": {\"") + key + "\": %1}}"
                                       << QStringLiteral("retry.") + QLatin1StringView(key) << ms;
    QTest::addRow("retry.budget.minPerSecond") << QByteArray(R"({"retry": {"budget": {"minPerSecond": %1}}})")
                                               << QStringLiteral("retry.budget.minPerSecond") << rate;
    for (const char *key : { "capacity", "retryCost", "timeoutCost", "successRefill" })
        QTest::addRow("retry.quota.%s", key) << QByteArray("{\"retry\": {\"quota\": {\"") + key + "\": %1}}}"
                                             << QStringLiteral("retry.quota.") + QLatin1StringView(key) << count;
    QTest::addRow("rateLimiter.limitForPeriod") << QByteArray(R"({"rateLimiter": {"limitForPeriod": %1}})")
                                                << QStringLiteral("rateLimiter.limitForPeriod") << count;
    for (const char *key : { "refreshPeriodMs", "timeoutMs" })
        QTest::addRow("rateLimiter.%s", key) << QByteArray("{\"rateLimiter\": {\"") + key + "\": %1}}"
                                             << QStringLiteral("rateLimiter.") + QLatin1StringView(key) << ms;
    QTest::addRow("hedging.delayMs") << QByteArray(R"({"hedging": {"delayMs": %1}})")
                                     << QStringLiteral("hedging.delayMs") << ms;
    QTest::addRow("timeout") << QByteArray(R"({"timeout": %1})") << QStringLiteral("timeout") << ms;
    QTest::addRow("timeout.timeout") << QByteArray(R"({"timeout": {"timeout": %1}})")
                                     << QStringLiteral("timeout.timeout") << ms;
    for (const char *key : { "maxConcurrent", "maxQueueSize" })
        QTest::addRow("bulkhead.%s", key) << QByteArray("{\"bulkhead\": {\"") + key + "\": %1}}"
                                          << QStringLiteral("bulkhead.") + QLatin1StringView(key) << count;
    QTest::addRow("bulkhead.timeout") << QByteArray(R"({"bulkhead": {"timeout": %1}})")
                                      << QStringLiteral("bulkhead.timeout") << ms;
}

void tst_PolicyLoader::limits()
{
    QFETCH(QByteArray, json);
    QFETCH(QString, key);
    QFETCH(double, limit);
    const auto with = [&](double v) { return QByteArray(json).replace("%1", QByteArray::number(v, 'g', 17)); };

    LoadError error;
    const auto atLimit = parsePolicy(with(limit), QStringLiteral("policy.json"), &error);
    QVERIFY2(atLimit, qPrintable(error.toString()));
    VirtualScheduler scheduler;
    const Pipeline pipeline(*atLimit, scheduler);

    for (const double past : { limit + 1, 1e12 }) {
        error = LoadError {};
        QVERIFY(!parsePolicy(with(past), QStringLiteral("policy.json"), &error));
        QCOMPARE(error.key, key);
        QVERIFY2(error.message.contains(QStringLiteral("at most ") + QString::number(limit, 'g', 12)),
            qPrintable(error.toString()));
        QVERIFY(error.line == 1 && error.column > 1);
    }
}

// The issue's report: a count window of 1e12 calls ended in std::bad_alloc.
void tst_PolicyLoader::hugeCountWindowRefused()
{
    LoadError error;
    QVERIFY(!parsePolicy(R"({"circuitBreaker": {"windowType": "count", "windowSize": 1e12}})",
        QStringLiteral("policy.json"), &error));
    QCOMPARE(error.toString(),
        QStringLiteral("policy.json:1:58: circuitBreaker.windowSize: expected a positive integer of at most "
                       "1000000 (calls, a count window), got 1000000000000"));
}

void tst_PolicyLoader::loadErrorFormat()
{
    QCOMPARE((LoadError { QStringLiteral("a.json"), 4, 22, QStringLiteral("k.x"), QStringLiteral("bad") })
                 .toString(),
        QStringLiteral("a.json:4:22: k.x: bad"));
    QCOMPARE(
        (LoadError { QStringLiteral("a.json"), 0, 0, QString(), QStringLiteral("cannot read") }).toString(),
        QStringLiteral("a.json: cannot read"));
    QCOMPARE((LoadError { QStringLiteral("t.csv"), 7, 0, QStringLiteral("outcome"), QStringLiteral("bad") })
                 .toString(),
        QStringLiteral("t.csv:7: outcome: bad"));
}

void tst_PolicyLoader::embeddedPolicyPaths()
{
    // How a scenario file reads its "policies": errors name the full path and the scenario's lines.
    const JsonSource source(QByteArray("{\n  \"name\": \"s\",\n  \"policies\": {\n    \"strict\": "
                                       "{\"circuitBreaker\": {\"failureTreshold\": 3}}\n  }\n}"),
        QStringLiteral("scenario.json"));
    LoadError error;
    const auto doc = source.parse(&error);
    QVERIFY(doc);
    const QJsonObject strict = doc->object()
                                   .value(QStringLiteral("policies"))
                                   .toObject()
                                   .value(QStringLiteral("strict"))
                                   .toObject();
    QVERIFY(!PolicyLoader(source).read(
        strict, QStringLiteral("policies.strict"), QStringLiteral("strict"), &error));
    QCOMPARE(error.toString(),
        QStringLiteral("scenario.json:4:35: policies.strict.circuitBreaker.failureTreshold: unknown key; "
                       "did you mean 'failureThreshold'?"));
    const QJsonObject ok { { QStringLiteral("retry"), QStringLiteral("network") } };
    const auto p
        = PolicyLoader(source).read(ok, QStringLiteral("policies.other"), QStringLiteral("other"), &error);
    QVERIFY(p);
    QCOMPARE(p->name, QStringLiteral("other"));
}

void tst_PolicyLoader::nearestName()
{
    const QStringList keys = PolicyLoader::circuitBreakerKeys();
    QCOMPARE(bw::nearestName(QStringLiteral("failureTreshold"), keys), QStringLiteral("failureThreshold"));
    QCOMPARE(bw::nearestName(QStringLiteral("FailureThreshold"), keys), QStringLiteral("failureThreshold"));
    QCOMPARE(bw::nearestName(QStringLiteral("resetTimout"), keys), QStringLiteral("resetTimeout"));
    QCOMPARE(bw::nearestName(QStringLiteral("windowsize"), keys), QStringLiteral("windowSize"));
    QCOMPARE(bw::nearestName(QStringLiteral("sucessThreshold"), keys), QStringLiteral("successThreshold"));
    QCOMPARE(bw::nearestName(QStringLiteral("banana"), keys), QString());
    QCOMPARE(bw::editDistance(u"retires", u"retries"), 1); // a transposition is one edit
}

// What the app's log and chart markers say about an edit: every changed field, by its JSON path.
void tst_PolicyLoader::policyChangesNameEachField()
{
    const bw::PolicyConfig before = bw::ResiliencePolicies::api();
    QVERIFY(bw::policyChanges(before, before).isEmpty());
    bw::PolicyConfig after = before;
    after.circuitBreaker->failureThreshold = before.circuitBreaker->failureThreshold + 2;
    after.circuitBreaker->slowCallDurationThreshold = bw::fromMs(1500);
    after.retry.reset();
    after.bulkhead.reset();
    const QStringList changes = bw::policyChanges(before, after);
    QVERIFY2(changes.contains(QStringLiteral("circuitBreaker.failureThreshold %1 → %2")
                                  .arg(before.circuitBreaker->failureThreshold)
                                  .arg(after.circuitBreaker->failureThreshold)),
        qPrintable(changes.join(u'|')));
    QVERIFY2(changes.contains(QStringLiteral("circuitBreaker.slowCallDurationThreshold %1 → 1500")
                                  .arg(bw::toMs(before.circuitBreaker->slowCallDurationThreshold))),
        qPrintable(changes.join(u'|')));
    QVERIFY(changes.contains(QStringLiteral("retry off")));
    QVERIFY(changes.contains(QStringLiteral("bulkhead off")));
    QCOMPARE(bw::policyChanges(after, before).filter(QStringLiteral(" on")).size(), 2);
    QVERIFY2(changes.size() == 4, qPrintable(changes.join(u'|'))); // no "order": stages on/off say it
    bw::PolicyConfig moved = before;
    std::swap(moved.order[1], moved.order[2]); // retry and circuitBreaker, both on in api()
    const QStringList reordered = bw::policyChanges(before, moved);
    QCOMPARE(reordered.size(), 1);
    QVERIFY2(reordered.first().startsWith(QStringLiteral("order ")), qPrintable(reordered.first()));
}

QTEST_GUILESS_MAIN(tst_PolicyLoader)
#include "tst_policyloader.moc"
