#include "scenario/builtinscenarios.h"
#include "run/scenariorun.h"
#include "scenario/scenarioloader.h"
#include "telemetry/eventlog.h"
#include "telemetry/summary.h"

#include <QBuffer>
#include <QDir>
#include <QFile>
#include <QTest>

#include <algorithm>

using namespace bw;

namespace {

// What the summary does not keep: when each call was offered and ended, and each retry's wait.
struct Recorder final : TelemetrySink
{
    struct Call
    {
        QString operation;
        double endMs = 0;
        double latencyMs = 0;
        int attempts = 0;
        Outcome outcome = Outcome::Success;
    };
    struct RetryWait
    {
        double delayMs = 0;
        QString code;
    };
    QList<std::pair<QString, double>> offered; // operation, time
    QList<Call> calls;
    QList<RetryWait> retries;

    void onCallOffered(const QString &operation, std::uint64_t, TimePoint at) override
    {
        offered.append({ operation, toMs(at) });
    }
    void onCallFinished(const CallReport &r) override { calls.append({ r.pipeline, toMs(r.at), toMs(r.latency), r.attempts, r.outcome }); }
    void onRetry(const RetryReport &r) override
    {
        retries.append({ toMs(r.delay), r.error.code.toString() });
    }

    // The share of `operation`'s calls ending in [fromMs, untilMs) that ended with `outcome`.
    double share(const QString &operation, Outcome outcome, double fromMs, double untilMs) const
    {
        int ended = 0, matching = 0;
        for (const Call &c : calls) {
            if (c.operation != operation || c.endMs < fromMs || c.endMs >= untilMs)
                continue;
            ++ended;
            matching += c.outcome == outcome;
        }
        return ended ? double(matching) / ended : -1;
    }

    // The median latency of `operation`'s successes ending in [fromMs, untilMs).
    double medianSuccessMs(const QString &operation, double fromMs, double untilMs) const
    {
        QList<double> latencies;
        for (const Call &c : calls)
            if (c.operation == operation && c.endMs >= fromMs && c.endMs < untilMs && c.outcome == Outcome::Success)
                latencies.append(c.latencyMs);
        if (latencies.isEmpty())
            return -1;
        std::sort(latencies.begin(), latencies.end());
        return latencies[latencies.size() / 2];
    }

    // The share of `operation`'s calls ending in [fromMs, untilMs) that succeeded.
    double successRate(const QString &operation, double fromMs, double untilMs) const
    {
        int ended = 0, succeeded = 0;
        for (const Call &c : calls) {
            if (c.operation != operation || c.endMs < fromMs || c.endMs >= untilMs)
                continue;
            ++ended;
            succeeded += c.outcome == Outcome::Success;
        }
        return ended ? double(succeeded) / ended : -1;
    }

    // The first call of `operation` ending at or after `fromMs` that `matches`, or -1.
    template<typename Match>
    double firstEnd(const QString &operation, double fromMs, Match matches) const
    {
        for (const Call &c : calls)
            if (c.operation == operation && c.endMs >= fromMs && matches(c))
                return c.endMs;
        return -1;
    }
};

struct Run
{
    std::unique_ptr<Summary> summary = std::make_unique<Summary>();
    Recorder recorder;
    QByteArray events;
    QByteArray summaryBytes;
};

ScenarioConfig load(const QString &name)
{
    LoadError error;
    auto s = loadScenario(name, &error);
    if (!s)
        qFatal("%s", qPrintable(error.toString()));
    return *s;
}

// Runs a scenario to its end with a summary and a recorder, and the events file when asked.
std::unique_ptr<Run> runScenario(
    const ScenarioConfig &scenario, bool withEvents = false, std::optional<std::uint64_t> seed = std::nullopt)
{
    auto run = std::make_unique<Run>();
    ScenarioRun sim(scenario, seed);
    QBuffer buffer(&run->events);
    EventLog log;
    if (withEvents) {
        buffer.open(QIODevice::WriteOnly);
        log.open(&buffer);
        sim.setEventLog(&log);
    }
    sim.setSummary(run->summary.get());
    sim.addSink(&run->recorder);
    sim.runToEnd();
    if (withEvents) {
        log.finish();
        run->summary->setEvents(log.count(), log.sha256Hex());
    }
    run->summaryBytes = run->summary->toJsonBytes();
    return run;
}

// The promises of the built-ins hold on every seed: each is checked on the scenario's own seed
// (row "own", seed 0 here) and four others.
void addSeedRows()
{
    QTest::addColumn<qint64>("seed");
    QTest::addRow("own") << qint64(0);
    for (qint64 seed = 1; seed <= 4; ++seed)
        QTest::addRow("seed %lld", seed) << seed;
}

std::unique_ptr<Run> runBuiltin(const char *name, qint64 seed = 0)
{
    return runScenario(load(QString::fromLatin1(name)), false,
        seed ? std::optional<std::uint64_t>(std::uint64_t(seed)) : std::nullopt);
}

bool within(double value, double low, double high)
{
    if (value >= low && value <= high)
        return true;
    qWarning("%g is outside [%g, %g]", value, low, high);
    return false;
}

const OperationSummary &op(const Run &run, const char *name)
{
    return run.summary->operations().at(QString::fromLatin1(name));
}

const BreakerSummary &breaker(const Run &run, const char *name)
{
    return run.summary->breakers().at(QString::fromLatin1(name));
}

const ServiceSummary &service(const Run &run, const char *name)
{
    return run.summary->services().at(QString::fromLatin1(name));
}

double share(std::int64_t part, std::int64_t whole)
{
    return whole ? double(part) / double(whole) : 0;
}

QList<const BreakerTransition *> transitionsTo(const BreakerSummary &b, CircuitState to)
{
    QList<const BreakerTransition *> list;
    for (const BreakerTransition &t : b.transitions)
        if (t.to == to)
            list.append(&t);
    return list;
}

} // namespace

class tst_BuiltinScenarios : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void listing();
    void everyBuiltinRuns_data();
    void everyBuiltinRuns();
    void sameSeedSameBytes_data();
    void sameSeedSameBytes();
    void differentSeedDifferentRun();
    void commonRandomNumbers();
    void textsQuoteTheCheckedFigures_data();
    void textsQuoteTheCheckedFigures();

    void outageAndRecovery_data() { addSeedRows(); }
    void outageAndRecovery();
    void latencySpike_data() { addSeedRows(); }
    void latencySpike();
    void flappingService_data() { addSeedRows(); }
    void flappingService();
    void retryStormAndBudget_data() { addSeedRows(); }
    void retryStormAndBudget();
    void retryQuotaOutage_data() { addSeedRows(); }
    void retryQuotaOutage();
    void hedgingTail_data() { addSeedRows(); }
    void hedgingTail();
    void rateLimiterSmoothing_data() { addSeedRows(); }
    void rateLimiterSmoothing();
    void adaptiveThrottle_data() { addSeedRows(); }
    void adaptiveThrottle();
    void adaptiveConcurrency_data() { addSeedRows(); }
    void adaptiveConcurrency();
    void rateLimitedApi_data() { addSeedRows(); }
    void rateLimitedApi();
    void bulkheadIsolation_data() { addSeedRows(); }
    void bulkheadIsolation();
    void slowAiBackend_data() { addSeedRows(); }
    void slowAiBackend();
    void brownout_data() { addSeedRows(); }
    void brownout();
};

void tst_BuiltinScenarios::listing()
{
    const QList<BuiltinScenario> &all = builtinScenarios();
    QVERIFY(all.size() >= 8);
    QStringList names;
    for (const BuiltinScenario &s : all) {
        QVERIFY2(!names.contains(s.name), qPrintable(s.name));
        names << s.name;
        QVERIFY2(!s.description.isEmpty(), qPrintable(s.name));
        QVERIFY2(!s.lookFor.isEmpty(), qPrintable(s.name));
        QCOMPARE(builtinScenarioPath(s.name), s.path);
    }
    QCOMPARE(builtinScenarioNames(), names);
    QVERIFY(names.contains(QString(DefaultScenarioName)));
    QCOMPARE(names.first(), QString(DefaultScenarioName));
    QCOMPARE(builtinScenarioPath(QStringLiteral("no-such-scenario")), QString());

    // Every file shipped in the sources is embedded, and nothing else.
    const QString source = qEnvironmentVariable("BREAKWATER_SOURCE_DIR");
    if (!source.isEmpty()) {
        QStringList files = QDir(source + QStringLiteral("/resources/scenarios"))
                                .entryList({ QStringLiteral("*.json") }, QDir::Files, QDir::Name);
        for (QString &f : files)
            f.chop(5);
        files.sort();
        QStringList sorted = names;
        sorted.sort();
        QCOMPARE(sorted, files);
    }
}

void tst_BuiltinScenarios::everyBuiltinRuns_data()
{
    QTest::addColumn<QString>("name");
    for (const BuiltinScenario &s : builtinScenarios())
        QTest::addRow("%s", qPrintable(s.name)) << s.name;
}

void tst_BuiltinScenarios::everyBuiltinRuns()
{
    QFETCH(QString, name);
    const ScenarioConfig scenario = load(name);
    QCOMPARE(scenario.name, name);
    QCOMPARE(scenario.description, builtinScenarios().at(builtinScenarioNames().indexOf(name)).description);
    QVERIFY(!scenario.lookFor.isEmpty());
    QVERIFY(scenario.duration >= fromMs(60000) && scenario.duration <= fromMs(300000));

    // How fast it runs is the benchmarks' business (BM_SimulatedCalls, make bench): a bound on
    // elapsed time here failed under the sanitizers (13 s for retry-storm) and said nothing new.
    ScenarioRun sim(scenario);
    Summary summary;
    sim.setSummary(&summary);
    sim.runToEnd();

    QVERIFY(sim.finished());
    QCOMPARE(sim.now(), sim.end());
    QVERIFY(summary.isConserved());
    for (int i = 0; i < sim.operationCount(); ++i) {
        const OperationSummary &o = summary.operations().at(sim.operationConfig(i).name);
        QVERIFY(o.offered > 0);
        QCOMPARE(o.offered, sim.offered(i));
        QCOMPARE(o.ended(), o.offered);
        QCOMPARE(sim.pipeline(i).callsInFlight(), 0);
    }
    for (const auto &[serviceName, s] : summary.services())
        QVERIFY2(s.requestsReceived > 0, qPrintable(serviceName));
}

void tst_BuiltinScenarios::sameSeedSameBytes_data()
{
    everyBuiltinRuns_data();
}

void tst_BuiltinScenarios::sameSeedSameBytes()
{
    QFETCH(QString, name);
    const ScenarioConfig scenario = load(name);
    const auto first = runScenario(scenario, true);
    const auto second = runScenario(scenario, true);
    QVERIFY(first->events.size() > 10000);
    QVERIFY(first->events == second->events); // QCOMPARE would print megabytes
    QCOMPARE(first->summaryBytes, second->summaryBytes);
}

void tst_BuiltinScenarios::differentSeedDifferentRun()
{
    const ScenarioConfig scenario = load(QString(DefaultScenarioName));
    const auto a = runScenario(scenario, true);
    const auto b = runScenario(scenario, true, scenario.seed + 1);
    QVERIFY(a->events != b->events);
    QVERIFY(a->summaryBytes != b->summaryBytes);
    QCOMPARE(a->summary->toJson().value(QStringLiteral("seed")).toInteger(), qint64(scenario.seed));
    QCOMPARE(b->summary->toJson().value(QStringLiteral("seed")).toInteger(), qint64(scenario.seed + 1));
    QCOMPARE(a->summary->toJson().value(QStringLiteral("scenario")).toString(), scenario.name);
}

void tst_BuiltinScenarios::commonRandomNumbers()
{
    // Neither policy retries: the same seed must offer the same calls at the same instants,
    // whatever the policy does to them.
    ScenarioConfig scenario = load(QStringLiteral("latency-spike"));
    const auto guarded = runScenario(scenario);
    scenario.operations[0].policy = PolicyConfig {}; // no stage at all
    scenario.operations[0].policy.name = QStringLiteral("none");
    const auto bare = runScenario(scenario);
    QVERIFY(guarded->recorder.offered.size() > 4000);
    QCOMPARE(op(*bare, "query").offered, op(*guarded, "query").offered);
    QVERIFY(guarded->recorder.offered == bare->recorder.offered);
    // The policies really differ: the breaker shed load the bare run sent to the service.
    QVERIFY(service(*bare, "search").requestsReceived > service(*guarded, "search").requestsReceived + 500);

    // Two operations, and two policies that differ (a bulkhead or none): each operation's
    // arrivals are its own stream.
    const auto isolated = runBuiltin("bulkhead-isolation");
    const auto shared = runBuiltin("bulkhead-isolation-off");
    QVERIFY(isolated->recorder.offered == shared->recorder.offered);
    QCOMPARE(op(*isolated, "reports").offered, op(*shared, "reports").offered);
    QCOMPARE(op(*isolated, "profile").offered, op(*shared, "profile").offered);
}

void tst_BuiltinScenarios::textsQuoteTheCheckedFigures_data()
{
    // The figures the tests below check on five seeds, as the texts word them: rewording one
    // means checking the new figure here and below.
    QTest::addColumn<QString>("name");
    QTest::addColumn<QString>("figure");
    const auto row = [](const char *name, const char *figure) {
        QTest::addRow("%s: %s", name, figure) << QString::fromLatin1(name) << QString::fromUtf8(figure);
    };
    row("rate-limited-api", "1.6–1.8 requests per call, against 2.6–2.8");
    row("rate-limited-api-ignored", "1.6× the requests and serves 2.1–2.2× the 429s");
    row("brownout", "hundreds time out, and then the breaker opens");
    row("brownout", "from about 43 s, reach the 2 s timeout");
    row("brownout", "at about 46 s after some 550–650 timeouts");
    row("slow-ai-backend", "takes 20 s longer per request");
    row("slow-ai-backend", "10 in flight and 30–45 waiting");
    row("slow-ai-backend", "up to 60–75 s (p95 50–56 s)");
    row("slow-ai-backend", "clears 40–55 s after the slowdown ends");
    row("retry-storm", "about 81 % of the work");
    row("retry-storm", "from 60 s every call times out after 4 attempts");
    row("retry-storm-budget", "succeed again only at 57–58 s");
    row("retry-storm-budget", "(1.03 here, 3.2 in retry-storm)");
    row("retry-storm-budget", "about 25 % here, 81 % there");
    row("flapping-service", "each of the 13 down phases");
    row("retry-quota-outage", "300 calls of each fail");
    row("retry-quota-outage", "retries every one of them, 600 retries");
    row("retry-quota-outage", "exactly 100 retries, the first 50 failed calls, then none");
    row("retry-quota-outage", "(100 against 600)");
    row("hedging-tail", "its p99 is 410–520 ms");
    row("hedging-tail", "p99 falls to 145–160 ms, about a third, while its p50 stays at 17–19 ms");
    row("hedging-tail", "about 5 % more requests (4.5–6 %");
    row("hedging-tail", "t (t − 120) = 10² · 100^(1/1.2), 151 ms");
    row("rate-limiter-smoothing", "answers 429 to what its bucket cannot take, 240–270 calls in a run");
    row("rate-limiter-smoothing", "no 429 at all and no call rate_limited");
    row("adaptive-throttle", "about 2 × what it accepts (1.8–2.4 ×)");
    row("adaptive-concurrency", "sheds under 0.5 % of the calls, where bulkhead-40 sheds 32–40 %");
    row("adaptive-concurrency", "median latency of 60–72 ms, where bulkhead-80 queues at the backend and doubles it (90–100 ms)");
    row("rate-limiter-smoothing", "a p99 latency of 3.1–4 s against under 0.32 s for bursty");
    row("brownout", "trips again on slowCallRate at about 60 s, then every 6–7.5 s (7–8 round trips)");
    row("bulkhead-isolation", "about 95 % (61–65 % without the bulkhead)");
    row("bulkhead-isolation-off", "within 14–18 s all 30 are held");
    row("bulkhead-isolation-off", "no success from 60 s to 90 s) until the hangs stop at 90 s, and recovers at once");
    // The README's table of built-ins.
    row("README.md", "3.2 requests per call");
    row("README.md", "exactly 100 retries (500 tokens at 5 each), against 600 without it");
    row("README.md", "cuts the p99 from 410–520 ms to 145–160 ms for about 5 % more requests");
    row("README.md", "turns 240–270 429s into none, for a p99 latency of 3.1–4 s");
    row("README.md", "1.03 requests per call, recovers some 17 s after the slowdown ends");
    row("README.md", "(1.6–1.8 requests per call)");
    row("README.md", "1.6× the requests, 2.1–2.2× the 429s");
    row("README.md", "at about 95 % success");
    row("README.md", "starves (61–65 % success)");
    row("README.md", "takes 20 s longer per request");
    row("README.md", "(about 46 s, after 550–650 timeouts)");
}

void tst_BuiltinScenarios::textsQuoteTheCheckedFigures()
{
    QFETCH(QString, name);
    QFETCH(QString, figure);
    QString text;
    if (name == QStringLiteral("README.md")) {
        const QString source = qEnvironmentVariable("BREAKWATER_SOURCE_DIR");
        if (source.isEmpty())
            QSKIP("BREAKWATER_SOURCE_DIR is not set");
        QFile readme(source + QStringLiteral("/README.md"));
        QVERIFY(readme.open(QIODevice::ReadOnly));
        text = QString::fromUtf8(readme.readAll());
    } else {
        const ScenarioConfig scenario = load(name);
        text = scenario.description + u' ' + scenario.lookFor;
    }
    QVERIFY2(text.contains(figure), qPrintable(figure));
}

// The AWS SDKs' quota: a full bucket of 500 at cost 5 allows exactly 100 retries, against 600
// without the quota; the same on every seed (constant arrivals, no jitter).
void tst_BuiltinScenarios::retryQuotaOutage()
{
    QFETCH(qint64, seed);
    const auto run = runBuiltin("retry-quota-outage", seed);
    const OperationSummary &quota = op(*run, "with-quota");
    const OperationSummary &unlimited = op(*run, "without-quota");
    QCOMPARE(quota.retries, 100);
    QCOMPARE(unlimited.retries, 600);
    QCOMPARE(quota.count(Outcome::Failure), 300);
    QCOMPARE(unlimited.count(Outcome::Failure), 300);
    QCOMPARE(quota.attempts, quota.offered + 100);
    QCOMPARE(unlimited.attempts, unlimited.offered + 600);
    // The retries go to the first 50 failed calls, two each; the other 250 fail at once.
    QList<int> failedAttempts;
    for (const auto &c : run->recorder.calls)
        if (c.operation == u"with-quota" && c.outcome == Outcome::Failure)
            failedAttempts.append(c.attempts);
    QCOMPARE(failedAttempts.size(), 300);
    QCOMPARE(failedAttempts.mid(0, 50), QList<int>(50, 3));
    QCOMPARE(failedAttempts.mid(50), QList<int>(250, 1));
    // Every call succeeds before and after the outage.
    QCOMPARE(run->recorder.successRate(QStringLiteral("with-quota"), 0, 20000), 1.0);
    QCOMPARE(run->recorder.successRate(QStringLiteral("with-quota"), 50000, 60000), 1.0);
}

// A bursty caller against a partner's 20 per second: without a limiter the partner answers 429
// to part of every burst; with one, nothing is refused anywhere, at the price of a wait.
void tst_BuiltinScenarios::rateLimiterSmoothing()
{
    QFETCH(qint64, seed);
    const auto run = runBuiltin("rate-limiter-smoothing", seed);
    const OperationSummary &bursty = op(*run, "bursty");
    const OperationSummary &smoothed = op(*run, "smoothed");
    const ServiceSummary &a = service(*run, "partner-a");
    const ServiceSummary &b = service(*run, "partner-b");
    QVERIFY(within(double(a.errorsServed), 240, 270));
    QCOMPARE(bursty.count(Outcome::Failure), a.errorsServed); // every failure is a 429
    QCOMPARE(b.errorsServed, 0);
    QCOMPARE(smoothed.count(Outcome::RateLimited), 0);
    // Every call succeeds, but for one the end of the run may cut off.
    QCOMPARE(smoothed.count(Outcome::Success) + smoothed.cutOff, smoothed.offered);
    QVERIFY(within(toMs(smoothed.latency.percentile(99)), 3100, 4000));
    QVERIFY(toMs(bursty.latency.percentile(99)) < 320);
}

// The same Pareto backend twice: hedging at its p95 cuts the p99 to a third for about 5 %
// more requests, and leaves the median alone.
void tst_BuiltinScenarios::hedgingTail()
{
    QFETCH(qint64, seed);
    const auto run = runBuiltin("hedging-tail", seed);
    const OperationSummary &plain = op(*run, "plain");
    const OperationSummary &hedged = op(*run, "hedged");
    const double extra = double(service(*run, "backend-b").requestsReceived) / double(hedged.offered) - 1;
    QVERIFY(within(toMs(plain.latency.percentile(99)), 410, 520));
    QVERIFY(within(toMs(hedged.latency.percentile(99)), 145, 160));
    QVERIFY(within(toMs(hedged.latency.percentile(50)), 17, 19));
    QVERIFY(within(extra, 0.045, 0.06));
    QCOMPARE(plain.hedgedAttempts, 0);
    QCOMPARE(service(*run, "backend-b").requestsReceived, hedged.offered + hedged.hedgedAttempts);
    QCOMPARE(hedged.attempts, hedged.offered + hedged.hedgedAttempts);
}

// Demand at 10 × capacity: the flood reaches the backend whole; the throttle lets out about
// k = 2 × what the backend accepts, and gets almost as many answers.
void tst_BuiltinScenarios::adaptiveThrottle()
{
    QFETCH(qint64, seed);
    const auto run = runBuiltin("adaptive-throttle", seed);
    const OperationSummary &flood = op(*run, "flood");
    const OperationSummary &throttled = op(*run, "throttled");
    const ServiceSummary &a = service(*run, "backend-a");
    const ServiceSummary &b = service(*run, "backend-b");
    QCOMPARE(flood.count(Outcome::Throttled), 0);
    QCOMPARE(a.requestsReceived, flood.offered);
    // The flood: 1,000 calls a second reach a backend that serves at most 100 a second.
    QVERIFY(double(flood.count(Outcome::Success)) < 0.11 * double(a.requestsReceived));
    // Every call the throttle let out reached the backend; the rest ended throttled.
    QCOMPARE(b.requestsReceived, throttled.offered - throttled.count(Outcome::Throttled));
    const double accepted = double(throttled.count(Outcome::Success));
    QVERIFY(within(double(b.requestsReceived) / accepted, 1.8, 2.4));
    QVERIFY(double(b.requestsReceived) < 0.25 * double(a.requestsReceived));
}

// The backend's capacity halves at 60 s (80 → 40 requests at once, 50 ms each; demand 1,200 a
// second). Before, gradient2 sheds almost nothing where the bulkhead sized for the new capacity
// sheds a third; after, gradient2's median stays within 45 % of the unloaded 50 ms where the
// bulkhead sized for the old capacity queues at the backend and doubles it. Its price is a
// sawtooth: the limit climbs until the queue shows, so it serves fewer calls and its tail is the
// longest of the three.
void tst_BuiltinScenarios::adaptiveConcurrency()
{
    QFETCH(qint64, seed);
    const auto run = runBuiltin("adaptive-concurrency", seed);
    const Recorder &r = run->recorder;
    const QString wide = QStringLiteral("bulkhead-80"), narrow = QStringLiteral("bulkhead-40"),
                  adaptive = QStringLiteral("gradient2");
    QVERIFY(within(r.share(adaptive, Outcome::LimitExceeded, 5000, 60000), 0, 0.005));
    QVERIFY(within(r.share(wide, Outcome::BulkheadFull, 5000, 60000), 0, 0.005));
    QVERIFY(within(r.share(narrow, Outcome::BulkheadFull, 5000, 60000), 0.32, 0.40));
    QVERIFY(within(r.medianSuccessMs(adaptive, 90000, 120000), 60, 72));
    QVERIFY(within(r.medianSuccessMs(wide, 90000, 120000), 90, 100));
    QVERIFY(within(r.medianSuccessMs(narrow, 90000, 120000), 49, 51));
    QVERIFY(within(r.share(wide, Outcome::Success, 90000, 120000), 0.64, 0.69));
    QVERIFY(within(r.share(adaptive, Outcome::Success, 90000, 120000), 0.53, 0.60));
    QVERIFY(toMs(op(*run, "gradient2").latency.percentile(99)) > toMs(op(*run, "bulkhead-80").latency.percentile(99)));
    QCOMPARE(op(*run, "gradient2").count(Outcome::BulkheadFull), 0);
}

void tst_BuiltinScenarios::outageAndRecovery()
{
    QFETCH(qint64, seed);
    const auto run = runBuiltin("outage-and-recovery", seed);
    const BreakerSummary &b = breaker(*run, "checkout");
    const auto opened = transitionsTo(b, CircuitState::Open);
    const auto closed = transitionsTo(b, CircuitState::Closed);
    QVERIFY(!opened.isEmpty());
    QVERIFY(!closed.isEmpty());
    // Opens within a second of the outage (30 s), on consecutive failures.
    QVERIFY(toMs(opened.first()->at) >= 30000 && toMs(opened.first()->at) < 31000);
    QCOMPARE(opened.first()->reason, TransitionReason::FailureThreshold);
    // Half-open trials fail while it is down; closes within a few seconds of recovery (50 s).
    QCOMPARE(opened.size(), 4); // at 30 s, then after each failed probe at 35, 40 and 45 s
    for (qsizetype i = 0; i + 1 < b.transitions.size(); ++i)
        if (b.transitions[i].to == CircuitState::Open)
            QCOMPARE(toMs(b.transitions[i + 1].at) - toMs(b.transitions[i].at), 5000.0);
    QVERIFY(toMs(closed.last()->at) > 50000 && toMs(closed.last()->at) < 56000);
    QCOMPARE(b.state, CircuitState::Closed);
    QVERIFY(toMs(b.timeInState[size_t(CircuitState::Open)]) >= 15000);
    const OperationSummary &checkout = op(*run, "checkout");
    QVERIFY(checkout.count(Outcome::CircuitOpen) > 500);
    // Failing fast: the service saw far fewer requests than calls were offered while it was down.
    QVERIFY(service(*run, "payments").requestsReceived < checkout.offered - 500);
    QVERIFY(run->recorder.successRate(QStringLiteral("checkout"), 60000, 120000) > 0.97);
}

void tst_BuiltinScenarios::latencySpike()
{
    QFETCH(qint64, seed);
    const auto run = runBuiltin("latency-spike", seed);
    const OperationSummary &query = op(*run, "query");
    QVERIFY(query.count(Outcome::Timeout) >= 5);
    QVERIFY(query.count(Outcome::CircuitOpen) > 500);
    // The 1 s timeout caps what callers wait, although the service takes up to 2.5 s.
    QVERIFY(query.latency.max() <= fromMs(1001));
    const BreakerSummary &b = breaker(*run, "query");
    const auto opened = transitionsTo(b, CircuitState::Open);
    QVERIFY(!opened.isEmpty());
    QVERIFY(toMs(opened.first()->at) >= 40000 && toMs(opened.first()->at) < 43000);
    for (const BreakerTransition *t : opened)
        QVERIFY(toMs(t->at) < 72000); // only during the spike
    QCOMPARE(b.state, CircuitState::Closed);
    const auto closed = transitionsTo(b, CircuitState::Closed);
    QCOMPARE(closed.size(), 1); // trials keep failing until the spike ends
    QVERIFY(within(toMs(closed.first()->at), 70000, 72000));
    QVERIFY(run->recorder.successRate(QStringLiteral("query"), 0, 40000) > 0.99);
    QVERIFY(run->recorder.successRate(QStringLiteral("query"), 80000, 120000) > 0.99);
}

void tst_BuiltinScenarios::flappingService()
{
    QFETCH(qint64, seed);
    const auto run = runBuiltin("flapping-service", seed);
    const BreakerSummary &b = breaker(*run, "stock-check");
    const auto opened = transitionsTo(b, CircuitState::Open);
    const auto closed = transitionsTo(b, CircuitState::Closed);
    // 80 s of a 6 s cycle: the breaker follows each of the 13 down phases (24-26 s, 30-32 s, ...
    // 96-98 s), tripping a few failures into it.
    QCOMPARE(closed.size(), 13);
    QVERIFY(opened.size() >= closed.size());
    int trips = 0;
    for (const BreakerTransition &t : b.transitions)
        if (t.from == CircuitState::Closed) {
            QCOMPARE(t.reason, TransitionReason::FailureThreshold);
            const double downStart = 24000 + 6000 * trips++;
            QVERIFY(within(toMs(t.at), downStart, downStart + 500));
        }
    QCOMPARE(trips, 13);
    for (const BreakerTransition *t : opened)
        QVERIFY(toMs(t->at) >= 20000 && toMs(t->at) < 102000);
    QCOMPARE(b.state, CircuitState::Closed);
    QVERIFY(op(*run, "stock-check").count(Outcome::CircuitOpen) > 300);
}

void tst_BuiltinScenarios::retryStormAndBudget()
{
    QFETCH(qint64, seed);
    const auto storm = runBuiltin("retry-storm", seed);
    const auto budget = runBuiltin("retry-storm-budget", seed);
    const OperationSummary &s = op(*storm, "checkout");
    const OperationSummary &b = op(*budget, "checkout");
    QCOMPARE(s.offered, b.offered); // same traffic

    // Amplification: retries multiply the load on the database.
    const double stormAmplification = share(service(*storm, "orders-db").requestsReceived, s.offered);
    const double budgetAmplification = share(service(*budget, "orders-db").requestsReceived, b.offered);
    // README: 3.2 and 1.03 requests per call.
    QVERIFY(within(stormAmplification, 3.15, 3.25));
    QVERIFY(within(budgetAmplification, 1.0, 1.035));
    QVERIFY(share(s.count(Outcome::Timeout), s.offered) > 0.5);
    // The budgeted run still times out while its backlog drains: the database serves the requests
    // queued during the slowdown although their callers left (abandoned: served), ~15 s of them.
    QVERIFY(s.count(Outcome::Timeout) > 3 * b.count(Outcome::Timeout));

    // Both are healthy before the slowdown; only the budgeted one recovers after it.
    QVERIFY(storm->recorder.successRate(QStringLiteral("checkout"), 0, 30000) > 0.99);
    QVERIFY(budget->recorder.successRate(QStringLiteral("checkout"), 0, 30000) > 0.99);
    QVERIFY(storm->recorder.successRate(QStringLiteral("checkout"), 60000, 120000) < 0.05);
    // "From 60 s every call times out after 4 attempts"; wasted work about 81 % and 25 %.
    for (const Recorder::Call &c : std::as_const(storm->recorder.calls))
        if (c.endMs >= 60000 && c.outcome != Outcome::Cancelled) {
            QCOMPARE(c.outcome, Outcome::Timeout);
            QCOMPARE(c.attempts, 4);
        }
    const auto wastedShare = [](const ServiceSummary &s) { return share(s.wasted.value_or(-1), s.served); };
    QVERIFY(within(wastedShare(service(*storm, "orders-db")), 0.8, 0.82));
    QVERIFY(within(wastedShare(service(*budget, "orders-db")), 0.23, 0.26));
    QVERIFY(budget->recorder.successRate(QStringLiteral("checkout"), 60000, 120000) > 0.99);
    // "calls succeed again only at 57-58 s" ("some 17 s after the slowdown ends").
    QVERIFY(budget->recorder.successRate(QStringLiteral("checkout"), 45000, 55000) < 0.5);
    QVERIFY(budget->recorder.successRate(QStringLiteral("checkout"), 59000, 120000) > 0.99);
}

void tst_BuiltinScenarios::rateLimitedApi()
{
    QFETCH(qint64, seed);
    const auto polite = runBuiltin("rate-limited-api", seed);
    const auto impatient = runBuiltin("rate-limited-api-ignored", seed);
    QCOMPARE(op(*polite, "quote").offered, op(*impatient, "quote").offered);

    // 429s are served, and every retry after one waits exactly its Retry-After (2 s, no jitter).
    const ServiceSummary &p = service(*polite, "partner-api");
    QVERIFY(p.errorsServed > 500);
    QVERIFY(polite->recorder.retries.size() > 500);
    for (const Recorder::RetryWait &r : std::as_const(polite->recorder.retries)) {
        QCOMPARE(r.code, QStringLiteral("429"));
        QCOMPARE(r.delayMs, 2000.0);
    }
    // The impatient client ignores it, retries within ~100 ms, and hammers the API.
    for (const Recorder::RetryWait &r : std::as_const(impatient->recorder.retries))
        QVERIFY(r.delayMs < 150);
    const ServiceSummary &i = service(*impatient, "partner-api");
    // "1.6-1.8 requests per call, against 2.6-2.8 when 429s are retried at once"; README: the
    // impatient client sends 1.6x the requests and draws 2.1-2.2x the 429s.
    const auto offered = op(*polite, "quote").offered;
    QVERIFY(within(share(p.requestsReceived, offered), 1.6, 1.8));
    QVERIFY(within(share(i.requestsReceived, offered), 2.6, 2.8));
    QVERIFY(within(share(i.requestsReceived, p.requestsReceived), 1.55, 1.65));
    QVERIFY(within(share(i.errorsServed, p.errorsServed), 2.05, 2.25));
    // No 429 before the peak (10/s under a 20/s limit).
    QVERIFY(polite->recorder.successRate(QStringLiteral("quote"), 0, 30000) > 0.99);
}

void tst_BuiltinScenarios::bulkheadIsolation()
{
    QFETCH(qint64, seed);
    const auto isolated = runBuiltin("bulkhead-isolation", seed);
    const auto shared = runBuiltin("bulkhead-isolation-off", seed);
    const OperationSummary &profile = op(*isolated, "profile");
    const OperationSummary &starved = op(*shared, "profile");
    const double isolatedRate = share(profile.count(Outcome::Success), profile.offered);
    const double sharedRate = share(starved.count(Outcome::Success), starved.offered);
    // README: about 95 % with the bulkhead, 61-65 % without.
    QVERIFY(within(isolatedRate, 0.945, 0.955));
    QVERIFY(within(sharedRate, 0.605, 0.655));
    // During the hangs' second half: profile keeps working behind the bulkhead, starves without it
    // ("no success from 60 s to 90 s").
    QVERIFY(isolated->recorder.successRate(QStringLiteral("profile"), 60000, 90000) > 0.85);
    QCOMPARE(shared->recorder.successRate(QStringLiteral("profile"), 60000, 90000), 0.0);
    // "Within 14-18 s all 30 are held": profile still works at 43 s, no longer at 49 s...
    QVERIFY(shared->recorder.successRate(QStringLiteral("profile"), 30000, 43000) > 0.8);
    QVERIFY(shared->recorder.successRate(QStringLiteral("profile"), 49000, 60000) < 0.1);
    // ...and "recovers at once" when the hangs stop at 90 s.
    QVERIFY(shared->recorder.successRate(QStringLiteral("profile"), 90000, 92000) > 0.85);
    // The bulkhead did it: it held reports at 8 connections and turned the rest away.
    const BulkheadSummary &reports = isolated->summary->bulkheads().at(QStringLiteral("reports"));
    QCOMPARE(reports.peakActive, 8);
    QVERIFY(op(*isolated, "reports").count(Outcome::BulkheadFull) > 300);
    QVERIFY(shared->summary->bulkheads().empty());
}

void tst_BuiltinScenarios::slowAiBackend()
{
    QFETCH(qint64, seed);
    const auto run = runBuiltin("slow-ai-backend", seed);
    const OperationSummary &summarize = op(*run, "summarize");
    // ai() waits up to 120 s: the slowness causes neither timeouts nor a breaker trip...
    QCOMPARE(summarize.count(Outcome::Timeout), 0);
    QCOMPARE(summarize.count(Outcome::Failure), 0);
    QVERIFY(breaker(*run, "summarize").transitions.empty());
    // ...calls pile up in the bulkhead (10 active, dozens queued), and those that wait 30 s give
    // up; a queue timeout is not retried, although ai() retries TIMEOUT...
    const BulkheadSummary &b = run->summary->bulkheads().at(QStringLiteral("summarize"));
    QCOMPARE(b.peakActive, 10);
    QVERIFY(within(b.peakQueued, 30, 45)); // "30-45 waiting"
    QVERIFY(b.timeouts > 10);
    QCOMPARE(summarize.count(Outcome::BulkheadTimeout), b.timeouts);
    QCOMPARE(summarize.retries, 0);
    // ...and callers wait tens of seconds.
    QVERIFY(within(toMs(summarize.latency.percentile(95)), 50000, 56000)); // "p95 50-56 s"
    QVERIFY(within(toMs(summarize.latency.max()), 60000, 75000)); // "up to 60-75 s"
    // "The backlog clears 40-55 s after the slowdown ends (200 s)": the last call that waited
    // longer than the 20 s the slowdown adds ends then.
    double lastSlowEnd = 0;
    for (const Recorder::Call &c : std::as_const(run->recorder.calls))
        if (c.latencyMs > 20000)
            lastSlowEnd = c.endMs;
    QVERIFY(within(lastSlowEnd, 240000, 255000));
    QVERIFY(run->recorder.successRate(QStringLiteral("summarize"), 0, 100000) > 0.99);
    QVERIFY(run->recorder.successRate(QStringLiteral("summarize"), 270000, 300000) > 0.95);
}

void tst_BuiltinScenarios::brownout()
{
    QFETCH(qint64, seed);
    const auto run = runBuiltin("brownout", seed);
    const BreakerSummary &b = breaker(*run, "browse");
    const auto opened = transitionsTo(b, CircuitState::Open);
    QVERIFY(!opened.isEmpty());
    // It trips on slowness, before the calls fail.
    QCOMPARE(opened.first()->reason, TransitionReason::SlowCallRate);
    // "Calls pass 500 ms within a second or two and, from about 43 s, reach the 2 s timeout too";
    // it opens "at about 46 s after some 550-650 timeouts".
    const QString browseName = QStringLiteral("browse");
    const double firstSlow = run->recorder.firstEnd(browseName, 40000, [](const Recorder::Call &c) {
        return c.latencyMs > 500;
    });
    QVERIFY(within(firstSlow, 40000, 42000));
    const double firstTimeout = run->recorder.firstEnd(browseName, 0, [](const Recorder::Call &c) {
        return c.outcome == Outcome::Timeout;
    });
    QVERIFY(within(firstTimeout, 42500, 44000));
    const double firstTrip = toMs(opened.first()->at);
    QVERIFY(within(firstTrip, 45500, 47000));
    int timeoutsBeforeTrip = 0;
    for (const Recorder::Call &c : std::as_const(run->recorder.calls))
        timeoutsBeforeTrip += c.operation == browseName && c.endMs < firstTrip && c.outcome == Outcome::Timeout;
    QVERIFY(within(timeoutsBeforeTrip, 550, 650));
    for (const BreakerTransition *t : opened) {
        QVERIFY(toMs(t->at) >= 40000 && toMs(t->at) < 105000);
        QVERIFY(
            t->reason == TransitionReason::SlowCallRate || t->reason == TransitionReason::HalfOpenFailure);
    }
    QCOMPARE(b.state, CircuitState::Closed);
    // "It trips again on slowCallRate at about 60 s, then every 6-7.5 s (7-8 round trips)".
    QVERIFY(within(transitionsTo(b, CircuitState::Closed).size(), 7, 8));
    QList<double> trips;
    for (const BreakerTransition &t : b.transitions)
        if (t.from == CircuitState::Closed) {
            QCOMPARE(t.reason, TransitionReason::SlowCallRate);
            trips.append(toMs(t.at));
        }
    QVERIFY(within(trips.at(1), 59000, 61000));
    for (qsizetype i = 2; i < trips.size(); ++i)
        QVERIFY(within(trips.at(i) - trips.at(i - 1), 6000, 7500));
    const OperationSummary &browse = op(*run, "browse");
    QVERIFY(browse.count(Outcome::CircuitOpen) > 1000);
    QVERIFY(run->recorder.successRate(QStringLiteral("browse"), 0, 40000) > 0.99);
    QVERIFY(run->recorder.successRate(QStringLiteral("browse"), 110000, 150000) > 0.99);
}

QTEST_GUILESS_MAIN(tst_BuiltinScenarios)
#include "tst_builtinscenarios.moc"
