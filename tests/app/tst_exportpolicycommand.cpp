#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSet>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

#include "commandrunner.h"

namespace {

// Each target's documented keys, as key paths: a list item is "[]", the instance or section name
// "*". An export may use these and nothing else.
// Resilience4j: resilience4j.readme.io, "Getting Started" for Spring Boot 3 and the pages of the
// CircuitBreaker, Retry, Bulkhead, TimeLimiter and RateLimiter (their configuration tables).
const QStringList Resilience4jKeys = [] {
    QStringList keys;
    for (const char *k : { "slidingWindowType", "slidingWindowSize", "minimumNumberOfCalls", "failureRateThreshold",
             "slowCallRateThreshold", "slowCallDurationThreshold", "permittedNumberOfCallsInHalfOpenState",
             "maxWaitDurationInHalfOpenState", "waitDurationInOpenState", "automaticTransitionFromOpenToHalfOpenEnabled",
             "enableExponentialBackoff", "exponentialBackoffMultiplier", "exponentialMaxWaitDurationInOpenState",
             "enableRandomizedWait", "randomizedWaitFactor", "recordExceptions", "ignoreExceptions",
             "registerHealthIndicator", "eventConsumerBufferSize" })
        keys.append(QStringLiteral("resilience4j.circuitbreaker.instances.*.") + QLatin1String(k));
    for (const char *k : { "maxAttempts", "waitDuration", "enableExponentialBackoff", "exponentialBackoffMultiplier",
             "exponentialMaxWaitDuration", "enableRandomizedWait", "randomizedWaitFactor", "retryExceptions",
             "ignoreExceptions" })
        keys.append(QStringLiteral("resilience4j.retry.instances.*.") + QLatin1String(k));
    for (const char *k : { "maxConcurrentCalls", "maxWaitDuration" })
        keys.append(QStringLiteral("resilience4j.bulkhead.instances.*.") + QLatin1String(k));
    for (const char *k : { "timeoutDuration", "cancelRunningFuture" })
        keys.append(QStringLiteral("resilience4j.timelimiter.instances.*.") + QLatin1String(k));
    for (const char *k : { "limitForPeriod", "limitRefreshPeriod", "timeoutDuration" })
        keys.append(QStringLiteral("resilience4j.ratelimiter.instances.*.") + QLatin1String(k));
    return keys;
}();

// Polly v8 through Microsoft.Extensions.Http.Resilience: learn.microsoft.com, the
// HttpStandardResilienceOptions class and the option classes of its properties
// (HttpRateLimiterStrategyOptions/ConcurrencyLimiterOptions, HttpTimeoutStrategyOptions,
// HttpRetryStrategyOptions, HttpCircuitBreakerStrategyOptions).
const QStringList PollyKeys { QStringLiteral("*.RateLimiter.DefaultRateLimiterOptions.PermitLimit"),
    QStringLiteral("*.RateLimiter.DefaultRateLimiterOptions.QueueLimit"),
    QStringLiteral("*.RateLimiter.DefaultRateLimiterOptions.QueueProcessingOrder"),
    QStringLiteral("*.TotalRequestTimeout.Timeout"), QStringLiteral("*.AttemptTimeout.Timeout"),
    QStringLiteral("*.Retry.MaxRetryAttempts"), QStringLiteral("*.Retry.BackoffType"), QStringLiteral("*.Retry.UseJitter"),
    QStringLiteral("*.Retry.Delay"), QStringLiteral("*.Retry.MaxDelay"), QStringLiteral("*.Retry.ShouldRetryAfterHeader"),
    QStringLiteral("*.CircuitBreaker.FailureRatio"), QStringLiteral("*.CircuitBreaker.MinimumThroughput"),
    QStringLiteral("*.CircuitBreaker.SamplingDuration"), QStringLiteral("*.CircuitBreaker.BreakDuration"),
    // HttpStandardHedgingResilienceOptions.Hedging (HttpHedgingStrategyOptions).
    QStringLiteral("*.Hedging.MaxHedgedAttempts"), QStringLiteral("*.Hedging.Delay") };

// opossum: its README and the CircuitBreaker constructor's options (nodeshift.dev/opossum).
const QStringList OpossumKeys { QStringLiteral("name"), QStringLiteral("timeout"), QStringLiteral("resetTimeout"),
    QStringLiteral("errorThresholdPercentage"), QStringLiteral("volumeThreshold"), QStringLiteral("rollingCountTimeout"),
    QStringLiteral("rollingCountBuckets"), QStringLiteral("rollingPercentilesEnabled"), QStringLiteral("capacity"),
    QStringLiteral("enabled"), QStringLiteral("allowWarmUp"), QStringLiteral("group") };

// Envoy v3: envoyproxy.io, config.cluster.v3.Cluster (name), CircuitBreakers and its Thresholds
// and RetryBudget, OutlierDetection; config.route.v3.RouteAction (timeout, retry_policy) and
// RetryPolicy with RetryBackOff, RateLimitedRetryBackOff and ResetHeader.
const QStringList EnvoyKeys = [] {
    QStringList keys { QStringLiteral("cluster.name"), QStringLiteral("route.timeout") };
    for (const char *k : { "priority", "max_connections", "max_pending_requests", "max_requests", "max_retries",
             "retry_budget.budget_percent.value", "retry_budget.min_retry_concurrency" })
        keys.append(QStringLiteral("cluster.circuit_breakers.thresholds.[].") + QLatin1String(k));
    for (const char *k : { "consecutive_5xx", "interval", "base_ejection_time", "max_ejection_percent",
             "enforcing_consecutive_5xx", "enforcing_success_rate", "consecutive_gateway_failure",
             "enforcing_consecutive_gateway_failure", "failure_percentage_threshold", "enforcing_failure_percentage",
             "failure_percentage_minimum_hosts", "failure_percentage_request_volume", "max_ejection_time" })
        keys.append(QStringLiteral("cluster.outlier_detection.") + QLatin1String(k));
    for (const char *k : { "retry_on", "num_retries", "per_try_timeout", "retriable_status_codes",
             "retry_back_off.base_interval", "retry_back_off.max_interval",
             "rate_limited_retry_back_off.reset_headers.[].name", "rate_limited_retry_back_off.reset_headers.[].format",
             "rate_limited_retry_back_off.max_interval" })
        keys.append(QStringLiteral("route.retry_policy.") + QLatin1String(k));
    return keys;
}();

// Every setting away from the presets' values, so that every row of every table and most notes
// are written: a count window, a linear retry with a budget and Retry-After, a timeout around
// the retry, a fallback.
const QByteArray Everything = R"({"name": "everything",
  "circuitBreaker": {"failureThreshold": 3, "failureRateThreshold": 0.255, "volumeThreshold": 1,
    "slowCallDurationThreshold": 700, "slowCallRateThreshold": 0.8, "successThreshold": 2, "halfOpenMaxCalls": 4,
    "timeout": 900, "resetTimeout": 1500, "resetTimeoutMultiplier": 2, "maxResetTimeout": 60000,
    "windowType": "count", "windowSize": 20, "recordErrors": ["503", "TIMEOUT"]},
  "retry": {"maxAttempts": 4, "initialDelay": 250, "maxDelay": 2000, "backoff": "linear", "linearIncrement": 100,
    "jitter": true, "retryableErrors": ["503", "429", "TIMEOUT"], "timeout": 400, "respectRetryAfter": true,
    "budget": {"ratio": 0.1, "minPerSecond": 2.5}},
  "timeout": 5000,
  "bulkhead": {"maxConcurrent": 8, "maxQueueSize": 4, "timeout": 100},
  "fallback": {"value": "cached"},
  "order": ["fallback", "timeout", "retry", "circuitBreaker", "bulkhead"]})";

// The strategies added after the first exports (docs/semantics.md): a rate limiter, hedging and a
// retry quota, the quota at the AWS SDKs' defaults.
const QByteArray Newer = R"({"rateLimiter": {"limitForPeriod": 40, "refreshPeriodMs": 500, "timeoutMs": 250},
  "hedging": {"maxHedgedAttempts": 2, "delayMs": 120},
  "adaptiveThrottle": {"k": 1.5, "windowMs": 60000}, "concurrencyLimit": {"algorithm": "aimd", "maxLimit": 80},
  "retry": {"maxAttempts": 3, "quota": {"capacity": 500, "retryCost": 5, "timeoutCost": 10, "successRefill": 1}}})";

QString goldenDir() { return qEnvironmentVariable("BREAKWATER_SOURCE_DIR") + QStringLiteral("/tests/app/golden/export-policy/"); }

// Every key path of a parsed document, in the notation of the key lists.
void keyPaths(const QJsonValue &v, const QString &path, QStringList &out)
{
    if (v.isObject()) {
        const QJsonObject o = v.toObject();
        for (auto it = o.begin(); it != o.end(); ++it)
            keyPaths(it.value(), path.isEmpty() ? it.key() : path + u'.' + it.key(), out);
    } else if (v.isArray() && !v.toArray().isEmpty() && v.toArray().first().isObject()) {
        for (const QJsonValue &item : v.toArray())
            keyPaths(item, path + QStringLiteral(".[]"), out);
    } else {
        out.append(path);
    }
}

} // namespace

// Runs the real `breakwater export-policy` (BREAKWATER_BINARY, set by ctest).
class tst_ExportPolicyCommand : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void presetsMatchTheGoldenFiles_data();
    void presetsMatchTheGoldenFiles();
    void everyExportParsesWithDocumentedKeys_data();
    void everyExportParsesWithDocumentedKeys();
    void notesSayWhatDoesNotMap();
    void nothingToMapIsAnEmptyDocument();
    void newerStrategiesAreExportedOrNamed();
    void jsonNotesGoToStderrWithoutOut();
    void badInput_data();
    void badInput();
    void unwritableOutputLeavesNothing();

private:
    bw::test::CommandResult run(const QStringList &arguments);
    // The document as JSON: JSON read by Qt, YAML by a real YAML parser (python3's yaml module).
    QJsonDocument parse(const QString &target, const QByteArray &text);

    QString m_binary, m_python;
    QTemporaryDir m_dir;
};

void tst_ExportPolicyCommand::initTestCase()
{
    m_binary = qEnvironmentVariable("BREAKWATER_BINARY");
    if (m_binary.isEmpty())
        QSKIP("BREAKWATER_BINARY is set by ctest");
    QVERIFY(m_dir.isValid());
    m_python = QStandardPaths::findExecutable(QStringLiteral("python3"));
    QVERIFY2(!m_python.isEmpty(), "python3 with its yaml module reads the YAML exports (make test installs python3-yaml)");
    const bw::test::CommandResult yaml = bw::test::runCommand(m_python, { QStringLiteral("-c"), QStringLiteral("import yaml") }, m_dir.path());
    QVERIFY2(yaml.exitCode == 0, "python3's yaml module is missing (Debian: python3-yaml; make test installs it)");
}

bw::test::CommandResult tst_ExportPolicyCommand::run(const QStringList &arguments)
{
    return bw::test::runCommand(m_binary, QStringList { QStringLiteral("export-policy") } + arguments, m_dir.path());
}

QJsonDocument tst_ExportPolicyCommand::parse(const QString &target, const QByteArray &text)
{
    if (target == u"polly" || target == u"opossum") {
        QJsonParseError error;
        const QJsonDocument doc = QJsonDocument::fromJson(text, &error);
        if (error.error != QJsonParseError::NoError)
            qWarning("%s", qPrintable(error.errorString()));
        return doc;
    }
    const QString file = bw::test::writeFile(m_dir.filePath(QStringLiteral("export.yml")), text);
    const bw::test::CommandResult r = bw::test::runCommand(m_python,
        { QStringLiteral("-c"), QStringLiteral("import json, sys, yaml; print(json.dumps(yaml.safe_load(open(sys.argv[1]))))"), file },
        m_dir.path());
    if (r.exitCode != 0)
        qWarning("%s", r.err.constData());
    return QJsonDocument::fromJson(r.out);
}

void tst_ExportPolicyCommand::presetsMatchTheGoldenFiles_data()
{
    QTest::addColumn<QString>("target");
    QTest::addColumn<QString>("golden");
    QTest::newRow("resilience4j") << QStringLiteral("resilience4j") << QStringLiteral("api.resilience4j.yml");
    QTest::newRow("polly") << QStringLiteral("polly") << QStringLiteral("api.polly.json");
    QTest::newRow("opossum") << QStringLiteral("opossum") << QStringLiteral("api.opossum.json");
    QTest::newRow("envoy") << QStringLiteral("envoy") << QStringLiteral("api.envoy.yml");
}

// The api preset's export, byte for byte (and its notes beside a JSON export). To renew a golden
// file after a deliberate change: breakwater export-policy api --to T --out tests/app/golden/export-policy/FILE.
void tst_ExportPolicyCommand::presetsMatchTheGoldenFiles()
{
    QFETCH(QString, target);
    QFETCH(QString, golden);
    const QString out = m_dir.filePath(golden);
    const bw::test::CommandResult r = run({ QStringLiteral("api"), QStringLiteral("--to"), target, QStringLiteral("--out"), out });
    QVERIFY2(r.exitCode == 0, r.err.constData());
    QVERIFY(r.out.isEmpty());
    QStringList files { golden };
    if (golden.endsWith(u".json"))
        files.append(golden + QStringLiteral(".notes.txt"));
    for (const QString &f : files) {
        QFile written(m_dir.filePath(f)), expected(goldenDir() + f);
        QVERIFY2(written.open(QIODevice::ReadOnly), qPrintable(f));
        QVERIFY2(expected.open(QIODevice::ReadOnly), qPrintable(expected.fileName()));
        QCOMPARE(QString::fromUtf8(written.readAll()), QString::fromUtf8(expected.readAll()));
    }
}

void tst_ExportPolicyCommand::everyExportParsesWithDocumentedKeys_data()
{
    QTest::addColumn<QString>("policy");
    QTest::addColumn<QString>("target");
    QStringList policies { QStringLiteral("api"), QStringLiteral("ai"), QStringLiteral("database"),
        QStringLiteral("external"), QStringLiteral("critical"), QString::fromUtf8(Everything),
        QString::fromUtf8(Newer) };
    for (const QString &policy : policies)
        for (const char *target : { "resilience4j", "polly", "opossum", "envoy" }) {
            if (policy == QString::fromUtf8(Newer) && qstrcmp(target, "opossum") == 0)
                continue; // nothing of it maps: nothingToMapIsAnEmptyDocument's case
            QTest::addRow("%s %s",
                policy == QString::fromUtf8(Newer) ? "newer"
                    : policy.startsWith(u'{')      ? "everything"
                                                   : qPrintable(policy),
                target)
                << policy << QString::fromLatin1(target);
        }
}

void tst_ExportPolicyCommand::everyExportParsesWithDocumentedKeys()
{
    QFETCH(QString, policy);
    QFETCH(QString, target);
    const bw::test::CommandResult r = run({ policy, QStringLiteral("--to"), target, QStringLiteral("--name"), QStringLiteral("orders") });
    QVERIFY2(r.exitCode == 0, r.err.constData());
    const QJsonDocument doc = parse(target, r.out);
    QVERIFY2(doc.isObject() && !doc.object().isEmpty(), r.out.constData());
    QStringList paths;
    keyPaths(doc.object(), QString(), paths);
    const QStringList &documented = target == u"resilience4j" ? Resilience4jKeys
        : target == u"polly"                                  ? PollyKeys
        : target == u"opossum"                                ? OpossumKeys
                                                              : EnvoyKeys;
    QVERIFY(!paths.isEmpty());
    for (QString path : paths) {
        // The instance name sits at the fourth level in Resilience4j, the first in Polly.
        QStringList parts = path.split(u'.');
        if (target == u"resilience4j" && parts.size() > 3) {
            QCOMPARE(parts[3], QStringLiteral("orders"));
            parts[3] = QStringLiteral("*");
        } else if (target == u"polly") {
            QCOMPARE(parts[0], QStringLiteral("orders"));
            parts[0] = QStringLiteral("*");
        }
        path = parts.join(u'.');
        QVERIFY2(documented.contains(path), qPrintable(QStringLiteral("%1: undocumented key %2").arg(target, path)));
    }
}

// The settings that differ are said, each where it belongs.
void tst_ExportPolicyCommand::notesSayWhatDoesNotMap()
{
    const QString everything = QString::fromUtf8(Everything);
    const QString out = m_dir.filePath(QStringLiteral("everything.json"));
    bw::test::CommandResult r = run({ everything, QStringLiteral("--to"), QStringLiteral("opossum"), QStringLiteral("--out"), out });
    QVERIFY2(r.exitCode == 0, r.err.constData());
    QFile notes(out + QStringLiteral(".notes.txt"));
    QVERIFY(notes.open(QIODevice::ReadOnly));
    const QString text = QString::fromUtf8(notes.readAll());
    for (const char *said : { "3 consecutive failures; opossum has no consecutive-failure trip",
             "the last 20 calls; opossum's is time only", "opossum does not retry", "rejects every call beyond capacity",
             "breaker.fallback(fn)", "errorFilter" })
        QVERIFY2(text.contains(QLatin1String(said)), qPrintable(QString::fromUtf8(said) + QStringLiteral(" not in:\n") + text));

    r = run({ everything, QStringLiteral("--to"), QStringLiteral("resilience4j") });
    QVERIFY2(r.exitCode == 0, r.err.constData());
    for (const char *said : { "# circuitBreaker.failureThreshold 3: Breakwater opens after 3 consecutive failures",
             "Resilience4j's Spring aspects nest Retry > CircuitBreaker", "Resilience4j has no retry budget",
             "grows by 100 ms a retry" })
        QVERIFY2(r.out.contains(said), qPrintable(QString::fromUtf8(said) + QStringLiteral(" not in:\n") + QString::fromUtf8(r.out)));

    r = run({ everything, QStringLiteral("--to"), QStringLiteral("envoy") });
    QVERIFY2(r.exitCode == 0, r.err.constData());
    for (const char *said : { "ejects a failing host", "retry_on: \"5xx,reset,connect-failure,refused-stream,retriable-status-codes\"",
             "timeout: \"5s\"", "per_try_timeout: \"0.4s\"" })
        QVERIFY2(r.out.contains(said), qPrintable(QString::fromUtf8(said) + QStringLiteral(" not in:\n") + QString::fromUtf8(r.out)));
}

// The rate limiter, hedging and the retry quota: exported where the target has them, named in the
// notes where it has not; never dropped without a word.
void tst_ExportPolicyCommand::newerStrategiesAreExportedOrNamed()
{
    const QString newer = QString::fromUtf8(Newer);
    bw::test::CommandResult r = run({ newer, QStringLiteral("--to"), QStringLiteral("resilience4j") });
    QVERIFY2(r.exitCode == 0, r.err.constData());
    QJsonObject limiter = parse(QStringLiteral("resilience4j"), r.out)
                              .object()[QStringLiteral("resilience4j")]
                              .toObject()[QStringLiteral("ratelimiter")]
                              .toObject()[QStringLiteral("instances")]
                              .toObject()[QStringLiteral("policy")]
                              .toObject();
    QCOMPARE(limiter[QStringLiteral("limitForPeriod")].toInt(), 40);
    QCOMPARE(limiter[QStringLiteral("limitRefreshPeriod")].toString(), QStringLiteral("500ms"));
    QCOMPARE(limiter[QStringLiteral("timeoutDuration")].toString(), QStringLiteral("250ms"));
    for (const char *said : { "# hedging: resilience4j has no setting for it here; not exported",
             "# retry.quota (capacity 500, retry cost 5, timeout cost 10, success refill 1" })
        QVERIFY2(r.out.contains(said), qPrintable(QString::fromUtf8(said) + QStringLiteral(" not in:\n") + QString::fromUtf8(r.out)));

    r = run({ newer, QStringLiteral("--to"), QStringLiteral("polly") });
    QVERIFY2(r.exitCode == 0, r.err.constData());
    const QJsonObject hedging = QJsonDocument::fromJson(r.out)
                                    .object()[QStringLiteral("policy")]
                                    .toObject()[QStringLiteral("Hedging")]
                                    .toObject();
    QCOMPARE(hedging[QStringLiteral("MaxHedgedAttempts")].toInt(), 2);
    QCOMPARE(hedging[QStringLiteral("Delay")].toString(), QStringLiteral("00:00:00.120"));
    for (const char *said : { "rateLimiter: polly has no setting for it here; not exported", "standard hedging handler",
             "polly has no retry quota" })
        QVERIFY2(r.err.contains(said), qPrintable(QString::fromUtf8(said) + QStringLiteral(" not in:\n") + QString::fromUtf8(r.err)));

    for (const char *target : { "opossum", "envoy" }) {
        r = run({ newer, QStringLiteral("--to"), QString::fromLatin1(target) });
        QVERIFY2(r.exitCode == 0, r.err.constData());
        const QByteArray said = r.out + r.err;
        for (const QByteArray &section : { QByteArray("rateLimiter"), QByteArray("hedging") })
            QVERIFY2(said.contains(section + ": " + target + " has no setting for it here; not exported"), said.constData());
        QVERIFY2(said.contains(QByteArray(target) + " has no retry quota"), said.constData());
    }

    // No target has the adaptive throttle or an adaptive concurrency limit: each is named with its
    // settings and what the service loses, and Envoy's HTTP filters that come nearest.
    for (const char *target : { "resilience4j", "polly", "opossum", "envoy" }) {
        r = run({ newer, QStringLiteral("--to"), QString::fromLatin1(target) });
        QVERIFY2(r.exitCode == 0, r.err.constData());
        const QByteArray said = r.out + r.err;
        for (const QByteArray &note :
            { "adaptiveThrottle: " + QByteArray(target) + " has no setting for it here; not exported (k 1.5, "
                  "windowMs 60000; the Google SRE book's client-side throttling): no request is rejected locally",
                "concurrencyLimit: " + QByteArray(target) + " has no setting for it here; not exported (aimd, "
                  "limit 20 from 20 to 80; Netflix concurrency-limits): calls in flight are not limited" })
            QVERIFY2(said.contains(note), said.constData());
        QCOMPARE(said.contains("admission_control"), QByteArray(target) == "envoy");
        QCOMPARE(said.contains("adaptive_concurrency"), QByteArray(target) == "envoy");
    }
}

// A policy with nothing a library configures is still a document, with the notes that say why.
void tst_ExportPolicyCommand::nothingToMapIsAnEmptyDocument()
{
    for (const char *target : { "resilience4j", "opossum" }) {
        const bw::test::CommandResult r = run({ QStringLiteral(R"({"name": "plain", "fallback": {"value": 1}})"),
            QStringLiteral("--to"), QString::fromLatin1(target) });
        QCOMPARE(r.exitCode, 0);
        const QJsonDocument doc = parse(QString::fromLatin1(target), r.out);
        QVERIFY2(doc.isObject() && doc.object().isEmpty(), r.out.constData());
        QVERIFY2((r.out + r.err).contains("fallback: Breakwater answers a failed call with its fallback value"), r.out.constData());
    }
}

void tst_ExportPolicyCommand::jsonNotesGoToStderrWithoutOut()
{
    const bw::test::CommandResult r = run({ QStringLiteral("api"), QStringLiteral("--to"), QStringLiteral("polly") });
    QCOMPARE(r.exitCode, 0);
    QVERIFY(QJsonDocument::fromJson(r.out).isObject());
    QVERIFY2(r.err.contains("Polly has no consecutive-failure trip"), r.err.constData());
}

void tst_ExportPolicyCommand::badInput_data()
{
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<QString>("message");
    QTest::newRow("no --to") << QStringList { QStringLiteral("api") } << QStringLiteral("missing --to (one of: resilience4j, polly, opossum, envoy)");
    QTest::newRow("misspelt target") << QStringList { QStringLiteral("api"), QStringLiteral("--to"), QStringLiteral("opposum") } << QStringLiteral("--to: unknown library 'opposum'; did you mean 'opossum'?");
    QTest::newRow("no policy") << QStringList { QStringLiteral("--to"), QStringLiteral("envoy") } << QStringLiteral("missing the policy");
    QTest::newRow("two policies") << QStringList { QStringLiteral("api"), QStringLiteral("ai"), QStringLiteral("--to"), QStringLiteral("envoy") } << QStringLiteral("expected one policy, got 2");
    QTest::newRow("unknown preset") << QStringList { QStringLiteral("apii"), QStringLiteral("--to"), QStringLiteral("envoy") } << QStringLiteral("policy: apii:");
    QTest::newRow("bad inline key") << QStringList { QStringLiteral(R"({"retry": {"maxAttempt": 3}})"), QStringLiteral("--to"), QStringLiteral("polly") }
                                    << QStringLiteral("retry.maxAttempt: unknown key; did you mean 'maxAttempts'?");
    QTest::newRow("bad name") << QStringList { QStringLiteral("api"), QStringLiteral("--to"), QStringLiteral("envoy"), QStringLiteral("--name"), QStringLiteral("a b") }
                              << QStringLiteral("--name: expected 1 to 64 letters, digits, '_' or '-', got 'a b'");
}

void tst_ExportPolicyCommand::badInput()
{
    QFETCH(QStringList, arguments);
    QFETCH(QString, message);
    const bw::test::CommandResult r = run(arguments);
    QCOMPARE(r.exitCode, 2);
    QVERIFY(r.out.isEmpty());
    QVERIFY2(QString::fromUtf8(r.err).contains(message), r.err.constData());
}

void tst_ExportPolicyCommand::unwritableOutputLeavesNothing()
{
    const QString dir = m_dir.filePath(QStringLiteral("missing"));
    const bw::test::CommandResult r = run({ QStringLiteral("api"), QStringLiteral("--to"), QStringLiteral("opossum"),
        QStringLiteral("--out"), dir + QStringLiteral("/x.json") });
    QCOMPARE(r.exitCode, 1);
    QVERIFY(!r.err.isEmpty());
    QVERIFY(!QFileInfo::exists(dir));
}

QTEST_GUILESS_MAIN(tst_ExportPolicyCommand)
#include "tst_exportpolicycommand.moc"
