#include "net/chaostarget.h"
#include "net/httpservice.h"
#include "resilience/retry.h"
#include "run/scenariorun.h"
#include "scenario/scenarioloader.h"
#include "telemetry/summary.h"

#include "chaoshelper.h"

#include <QtTest>

using namespace bw;

namespace {

// Counts the error codes calls ended with.
class ErrorCounter final : public TelemetrySink
{
public:
    void onCallFinished(const CallReport &r) override
    {
        if (r.error) {
            ++codes[r.error->code.toString()];
            last = *r.error;
        }
    }
    QMap<QString, int> codes;
    Error last;
};

} // namespace

// Scenarios with a URL service: the same engine and pipelines, on the wall clock, over real
// requests to a chaos target on 127.0.0.1, with the scenario's faults injected client-side.
class TestRealScenario : public QObject
{
    Q_OBJECT

    std::unique_ptr<WallScheduler> m_targetClock;
    std::unique_ptr<ChaosTarget> m_target;

    ScenarioConfig scenario(const QByteArray &policy, const QByteArray &faults, int durationMs = 1000)
    {
        const QByteArray json = scenarioJson(policy, faults, durationMs);
        LoadError error;
        auto s = parseScenario(json, QStringLiteral("real.json"), &error);
        if (!s)
            qFatal("%s", qPrintable(error.toString()));
        return *s;
    }
    QByteArray scenarioJson(const QByteArray &policy, const QByteArray &faults, int durationMs)
    {
        return QByteArray("{\"name\": \"real\", \"durationMs\": ") + QByteArray::number(durationMs)
            + ", \"services\": [{\"name\": \"api\", \"url\": \"http:/"
              "/127.0.0.1:"
            + QByteArray::number(m_target->port())
            + "/v1\"}], \"operations\": [{\"name\": \"checkout\", \"service\": \"api\", \"rate\": 40, "
              "\"arrival\": \"constant\",\n"
              "                 \"request\": {\"method\": \"POST\", \"path\": \"/orders\", \"body\": "
              "{\"item\": 1}}, \"policy\": "
            + policy + "}], \"faults\": " + faults + "}";
    }
    void setChaos(const QByteArray &json) { bw::test::setChaos(*m_target, json); }

private Q_SLOTS:
    void init()
    {
        m_targetClock = std::make_unique<WallScheduler>();
        m_target = std::make_unique<ChaosTarget>(*m_targetClock);
        QVERIFY(m_target->start() != 0);
    }
    void cleanup()
    {
        m_target.reset();
        m_targetClock.reset();
    }

    void exampleInTheReadmeLoads()
    {
        LoadError error;
        const auto s = loadScenarioFile(qEnvironmentVariable("BREAKWATER_SOURCE_DIR")
                + QStringLiteral("/resources/real/checkout-http.json"),
            &error);
        QVERIFY2(s, qPrintable(error.toString()));
        QCOMPARE(s->services[0].url, QStringLiteral("http://127.0.0.1:8080/payments"));
        QCOMPARE(s->operations[0].request.method, QByteArray("POST"));
        QVERIFY(ScenarioRun::needsRealTime(*s));
    }

    void runsOnTheWallClockThroughThePipeline()
    {
        setChaos("{\"errorRate\":0.3,\"status\":503}");
        ScenarioRun sim(scenario(
            "{\"retry\": {\"maxAttempts\": 3, \"initialDelay\": 5, \"retryableErrors\": [\"503\"]}}", "[]"));
        QVERIFY(sim.isRealTime());
        Summary summary;
        sim.setSummary(&summary);
        QElapsedTimer clock;
        clock.start();
        sim.runToEnd();
        QVERIFY2(clock.elapsed() >= 990, qPrintable(QString::number(clock.elapsed()))); // real time passed
        const OperationSummary &op = summary.operations().at(QStringLiteral("checkout"));
        QVERIFY2(op.offered >= 35 && op.offered <= 40, qPrintable(QString::number(op.offered)));
        QCOMPARE(op.ended(), op.offered);
        QVERIFY(op.retries > 0);
        auto &service = static_cast<HttpService &>(sim.service(0));
        // Every attempt the engine made reached the server: its count is theirs, retries included
        // (but for a request the end of the run cut off, which may or may not have got there).
        const HttpOperation::Stats requests = service.requestStats();
        QCOMPARE(requests.inFlight(), 0);
        QCOMPARE(requests.started, op.attempts);
        QVERIFY(requests.aborted <= 1);
        QVERIFY2(m_target->stats().requests >= requests.completed
                && m_target->stats().requests <= requests.started,
            qPrintable(QStringLiteral("%1 %2 %3")
                           .arg(m_target->stats().requests)
                           .arg(requests.completed)
                           .arg(requests.started)));
        QCOMPARE(m_target->stats().ok, op.count(Outcome::Success));
    }

    // Issue 14 on real requests: the retry quota counts the same on the wall clock. Every
    // request fails, and 20 tokens at 5 per retry are exactly 4 retries.
    void retryQuotaOnTheWallClock()
    {
        setChaos("{\"errorRate\":1,\"status\":503}");
        ScenarioRun sim(scenario("{\"retry\": {\"maxAttempts\": 3, \"initialDelay\": 5, \"retryableErrors\": [\"503\"], "
                                 "\"quota\": {\"capacity\": 20, \"retryCost\": 5}}}",
            "[]"));
        Summary summary;
        sim.setSummary(&summary);
        sim.runToEnd();
        const OperationSummary &op = summary.operations().at(QStringLiteral("checkout"));
        QVERIFY(op.offered >= 35);
        QCOMPARE(op.retries, 4);
        QCOMPARE(static_cast<HttpService &>(sim.service(0)).requestStats().started, op.offered + 4);
        QCOMPARE(sim.pipeline(0).retryQuota()->tokens(), 0);
    }

    // The rate limiter's periods run on the wall clock: 10 per 500 ms over a 1 s run at 40 calls
    // per second lets 20 to 30 calls through (two or three periods), the rest end rate_limited
    // without a request.
    void rateLimiterOnTheWallClock()
    {
        ScenarioRun sim(scenario("{\"rateLimiter\": {\"limitForPeriod\": 10, \"refreshPeriodMs\": 500}}", "[]"));
        Summary summary;
        sim.setSummary(&summary);
        sim.runToEnd();
        const OperationSummary &op = summary.operations().at(QStringLiteral("checkout"));
        const std::int64_t passed = op.offered - op.count(Outcome::RateLimited);
        QVERIFY2(passed >= 20 && passed <= 30, qPrintable(QString::number(passed)));
        QVERIFY(op.count(Outcome::RateLimited) >= op.offered - 30);
        QCOMPARE(static_cast<HttpService &>(sim.service(0)).requestStats().started, passed);
    }

    // Hedging on real requests: every answer takes 200 ms, so every call sends a second request
    // after 50 ms; the first answer wins and the other request is aborted on the wire.
    void hedgingAbortsTheLoser()
    {
        setChaos("{\"latencyMs\":200}");
        ScenarioRun sim(scenario("{\"hedging\": {\"maxHedgedAttempts\": 1, \"delayMs\": 50}}", "[]"));
        Summary summary;
        sim.setSummary(&summary);
        sim.runToEnd();
        const OperationSummary &op = summary.operations().at(QStringLiteral("checkout"));
        const HttpOperation::Stats requests = static_cast<HttpService &>(sim.service(0)).requestStats();
        // Every call but those offered in the run's last 50 ms was hedged.
        QVERIFY2(op.hedgedAttempts >= op.offered - 3 && op.hedgedAttempts <= op.offered,
            qPrintable(QStringLiteral("%1 of %2").arg(op.hedgedAttempts).arg(op.offered)));
        QCOMPARE(op.attempts, op.offered + op.hedgedAttempts);
        QCOMPARE(requests.started, op.attempts);
        QCOMPARE(requests.inFlight(), 0);
        // Each success aborted the other request; the run's end aborted what was left.
        QVERIFY(op.count(Outcome::Success) >= op.offered - 10);
        QVERIFY2(requests.aborted >= op.count(Outcome::Success),
            qPrintable(QStringLiteral("%1 aborted, %2 succeeded").arg(requests.aborted).arg(op.count(Outcome::Success))));
        QCOMPARE(requests.completed, op.count(Outcome::Success));
    }

    // The adaptive throttle on real requests: every request is answered 503, so none is
    // accepted; the throttle rejects locally, and exactly the attempts it let out reach the
    // server (the n-th goes with probability 1 / n: a handful of the run's calls).
    void adaptiveThrottleOnTheWallClock()
    {
        setChaos("{\"errorRate\":1,\"status\":503}");
        ScenarioRun sim(scenario("{\"adaptiveThrottle\": {\"k\": 2, \"windowMs\": 60000}}", "[]"));
        Summary summary;
        sim.setSummary(&summary);
        sim.runToEnd();
        const OperationSummary &op = summary.operations().at(QStringLiteral("checkout"));
        const std::int64_t throttled = op.count(Outcome::Throttled);
        QVERIFY(op.offered >= 35);
        QVERIFY2(throttled >= op.offered / 2, qPrintable(QString::number(throttled)));
        QCOMPARE(static_cast<HttpService &>(sim.service(0)).requestStats().started, op.offered - throttled);
        QCOMPARE(sim.pipeline(0).adaptiveThrottle()->accepts(), 0);
    }

    // The adaptive concurrency limit on real requests: every answer takes 200 ms and AIMD may not
    // pass 2, so at most 2 requests are on the wire at once: of 40 calls 25 ms apart about one in
    // four goes, the rest end limit_exceeded without a request.
    void concurrencyLimitOnTheWallClock()
    {
        setChaos("{\"latencyMs\":200}");
        ScenarioRun sim(scenario("{\"concurrencyLimit\": {\"algorithm\": \"aimd\", \"initialLimit\": 2, "
                                 "\"minLimit\": 1, \"maxLimit\": 2}}",
            "[]"));
        Summary summary;
        sim.setSummary(&summary);
        sim.runToEnd();
        const OperationSummary &op = summary.operations().at(QStringLiteral("checkout"));
        const std::int64_t sent = op.offered - op.count(Outcome::LimitExceeded);
        QVERIFY2(sent >= 8 && sent <= 14, qPrintable(QStringLiteral("%1 of %2").arg(sent).arg(op.offered)));
        QCOMPARE(static_cast<HttpService &>(sim.service(0)).requestStats().started, sent);
        QCOMPARE(sim.pipeline(0).limitInFlight(), 0);
        QCOMPARE(sim.pipeline(0).concurrencyLimit()->limit(), 2);
    }

    void clientSideOutageSendsNothing()
    {
        ScenarioRun sim(scenario(
            "\"none\"", "[{\"service\": \"api\", \"type\": \"outage\", \"atMs\": 0, \"untilMs\": 500}]"));
        ErrorCounter errors;
        sim.addSink(&errors);
        Summary summary;
        sim.setSummary(&summary);
        sim.runToEnd();
        const OperationSummary &op = summary.operations().at(QStringLiteral("checkout"));
        const int refused = errors.codes.value(QStringLiteral("ECONNREFUSED"));
        // About half the run was down: those calls were refused without a request.
        QVERIFY2(refused >= 15 && refused <= 22, qPrintable(QString::number(refused)));
        QVERIFY(m_target->stats().requests <= op.offered - refused);
        QCOMPARE(m_target->stats().ok, op.count(Outcome::Success));
        QVERIFY(op.count(Outcome::Success) >= op.offered - refused - 1); // the last may end with the run
        // A URL service's requestsReceived is what went on the wire: the target's count, not the
        // attempts the client-side outage refused (a request the end of the run aborted may have
        // been written and never read).
        const std::int64_t received = summary.services().at(QStringLiteral("api")).requestsReceived;
        const std::int64_t aborted = static_cast<HttpService &>(sim.service(0)).requestStats().aborted;
        QVERIFY2(received >= m_target->stats().requests && received <= m_target->stats().requests + aborted,
            qPrintable(QStringLiteral("%1 %2 %3").arg(received).arg(m_target->stats().requests).arg(aborted)));
    }

    void clientSideErrorsAndHangs()
    {
        ScenarioRun sim(scenario("{\"timeout\": 50}",
            "[{\"service\": \"api\", \"type\": \"errors\", \"rate\": 1, \"code\": \"502\", \"atMs\": 0, "
            "\"untilMs\": 300},\n"
            "                {\"service\": \"api\", \"type\": \"hang\", \"rate\": 1, \"atMs\": 300, "
            "\"untilMs\": 600}]"));
        ErrorCounter errors;
        sim.addSink(&errors);
        Summary summary;
        sim.setSummary(&summary);
        sim.runToEnd();
        const OperationSummary &op = summary.operations().at(QStringLiteral("checkout"));
        const int injected = errors.codes.value(QStringLiteral("502"));
        QVERIFY2(injected >= 9 && injected <= 13, qPrintable(QString::number(injected)));
        QVERIFY(op.count(Outcome::Timeout) >= 9); // hung calls end at the time limit
        QCOMPARE(m_target->stats().ok, op.count(Outcome::Success)); // only the healthy part sent
        QVERIFY(m_target->stats().requests <= op.count(Outcome::Success) + 1);
        QCOMPARE(sim.service(0).stats().inService, 0);
    }

    void clientSideBrownoutAndRateLimit()
    {
        setChaos("{\"latencyMs\":100}");
        ScenarioRun sim(scenario("\"none\"",
            "[{\"service\": \"api\", \"type\": \"brownout\", \"capacity\": 1, \"atMs\": 0, \"untilMs\": 600},"
            " {\"service\": \"api\", \"type\": \"rateLimit\", \"rps\": 5, \"retryAfterMs\": 700, \"atMs\": 600}]"));
        ErrorCounter errors;
        sim.addSink(&errors);
        Summary summary;
        sim.setSummary(&summary);
        sim.advanceTo(fromMs(500));
        // One request at a time reaches the server; the rest wait their turn.
        QCOMPARE(sim.service(0).stats().inService, 1);
        QVERIFY2(sim.service(0).stats().queued >= 5, qPrintable(QString::number(sim.service(0).stats().queued)));
        QVERIFY(m_target->stats().requests <= 6); // 100 ms each, one after the other
        sim.runToEnd();
        const OperationSummary &op = summary.operations().at(QStringLiteral("checkout"));
        QCOMPARE(op.ended(), op.offered);
        // From 600 ms, 5 per second pass (a full bucket of 5 first); the rest get 429 at once.
        const int limited = errors.codes.value(QStringLiteral("429"));
        QVERIFY2(limited >= 8 && limited <= 14, qPrintable(QString::number(limited)));
        QCOMPARE(sim.service(0).stats().queued, 0);
        QCOMPARE(static_cast<HttpService &>(sim.service(0)).requestStats().inFlight(), 0);
    }

    void clientSideLatency()
    {
        ScenarioRun sim(
            scenario("\"none\"", "[{\"service\": \"api\", \"type\": \"latency\", \"addMs\": 80}]", 600));
        Summary summary;
        sim.setSummary(&summary);
        sim.runToEnd();
        const OperationSummary &op = summary.operations().at(QStringLiteral("checkout"));
        QVERIFY(op.count(Outcome::Success) > 10);
        QVERIFY2(op.latency.percentile(50) >= fromMs(80),
            qPrintable(QString::number(toMs(op.latency.percentile(50)))));
        QVERIFY(op.latency.percentile(50) < fromMs(1000));
    }

    void runCommandRunsURLScenarios()
    {
        setChaos("{\"errorRate\":0.5,\"status\":500}");
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        QFile file(dir.filePath(QStringLiteral("real.json")));
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(scenarioJson(
            "{\"retry\": {\"maxAttempts\": 2, \"initialDelay\": 5, \"retryableErrors\": [\"500\"]}}", "[]",
            800));
        file.close();
        QVERIFY2(
            !qEnvironmentVariableIsEmpty("BREAKWATER_BINARY"), "run through ctest, which names the binary");
        QProcess run;
        run.start(qEnvironmentVariable("BREAKWATER_BINARY"),
            { QStringLiteral("run"), file.fileName(), QStringLiteral("--summary"),
                dir.filePath(QStringLiteral("s.json")) });
        // The event loop keeps running meanwhile: the chaos target answers from this process.
        QTRY_VERIFY_WITH_TIMEOUT(run.state() == QProcess::NotRunning, 20000);
        QCOMPARE(run.exitCode(), 0);
        QFile out(dir.filePath(QStringLiteral("s.json")));
        QVERIFY(out.open(QIODevice::ReadOnly));
        const QJsonObject op = QJsonDocument::fromJson(out.readAll())
                                   .object()
                                   .value(QStringLiteral("operations"))
                                   .toObject()
                                   .value(QStringLiteral("checkout"))
                                   .toObject();
        QVERIFY(op.value(QStringLiteral("offered")).toInt() >= 25);
        const int attempts = op.value(QStringLiteral("attempts")).toInt();
        QVERIFY(m_target->stats().requests <= attempts && m_target->stats().requests >= attempts - 1);
    }

    // The client-side rateLimit fault answers as a real server's 429 does (tst_httpoperation):
    // code "429", the same message, its Retry-After, retried by default; and nothing is sent.
    void injectedRateLimitIsAReal429()
    {
        ScenarioRun sim(scenario("\"none\"",
            "[{\"service\": \"api\", \"type\": \"rateLimit\", \"rps\": 1, \"retryAfterMs\": 1500, "
            "\"atMs\": 0, \"untilMs\": 1000}]"));
        ErrorCounter errors;
        sim.addSink(&errors);
        sim.runToEnd();
        QVERIFY2(errors.codes.value(QStringLiteral("429")) >= 30, qPrintable(QString::number(errors.codes.value(QStringLiteral("429")))));
        QCOMPARE(errors.codes.size(), 1);
        QCOMPARE(errors.last.code, ErrorCode::httpStatus(429));
        QCOMPARE(errors.last.message, QStringLiteral("429 Too Many Requests"));
        QCOMPARE(errors.last.retryAfter, std::optional<Duration>(fromMs(1500)));
        QVERIFY(isRetryable(RetryConfig {}, errors.last));
        QVERIFY(m_target->stats().requests <= 2); // the bucket's first token or two
    }

    void timeoutsAbortRealRequestsAndNothingLeaks()
    {
        setChaos("{\"hangRate\":0.5,\"latencyMs\":1,\"jitterMs\":10}");
        ScenarioRun sim(scenario("{\"timeout\": 60}", "[]"));
        Summary summary;
        sim.setSummary(&summary);
        sim.runToEnd();
        const OperationSummary &op = summary.operations().at(QStringLiteral("checkout"));
        QCOMPARE(op.ended(), op.offered);
        QVERIFY(op.count(Outcome::Timeout) > 5);
        auto &service = static_cast<HttpService &>(sim.service(0));
        const HttpOperation::Stats requests = service.requestStats();
        QCOMPARE(requests.inFlight(), 0);
        QCOMPARE(requests.started, requests.completed + requests.aborted);
        QVERIFY(requests.aborted >= op.count(Outcome::Timeout) - 1); // the last may end with the run
        QTRY_COMPARE(m_target->stats().inFlight, 0); // the server saw every aborted request go
    }
};

QTEST_GUILESS_MAIN(TestRealScenario)
#include "tst_realscenario.moc"
