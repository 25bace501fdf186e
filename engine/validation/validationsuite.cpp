#include "validationsuite.h"

#include "../run/scenariorun.h"
#include "../resilience/policyloader.h"
#include "../runtime/parallelfor.h"
#include "../runtime/random.h"
#include "../scenario/scenarioloader.h"
#include "../sim/latency.h"
#include "../telemetry/latencyhistogram.h"
#include "../telemetry/telemetrysink.h"
#include "queueing.h"

#include <QJsonArray>

#include <cmath>
#include <functional>

namespace bw {

bool ValidationCheck::passed() const
{
    return error.isEmpty() && measured.samples > 0 && std::abs(measured.mean - expected) <= tolerance
        && measured.halfWidth <= tolerance;
}

namespace {

// What one replication measured, over the calls offered inside its window.
struct Tally
{
    double offered = 0;
    double waited = 0; // arrivals that found every server of the service busy
    double finished = 0, succeeded = 0, failed = 0;
    double refused = 0; // by a full bulkhead or the concurrency limit: the loss system's losses
    double responseMs = 0; // summed over successful calls
    double received = 0;   // requests the service received during the window, retries included
    double retries = 0;    // retries started in the window
    LatencyHistogram successLatency;
};

struct Window
{
    Duration from, to;
    bool contains(TimePoint t) const { return t >= TimePoint(from) && t < TimePoint(to); }
};

class Collector final : public TelemetrySink
{
public:
    Collector(ScenarioRun &sim, Window window)
        : m_service(sim.service(0))
        , m_window(window)
    { }

    void onCallOffered(const QString &, std::uint64_t, TimePoint at) override
    {
        if (!m_window.contains(at))
            return;
        ++tally.offered;
        // Read before the call reaches the service: what this arrival finds (PASTA).
        if (m_service.stats().inService >= m_service.effectiveCapacity())
            ++tally.waited;
    }

    void onCallFinished(const CallReport &r) override
    {
        if (!m_window.contains(r.at - r.latency))
            return;
        ++tally.finished;
        switch (r.outcome) {
        case Outcome::Success:
            ++tally.succeeded;
            tally.responseMs += toMs(r.latency);
            tally.successLatency.record(r.latency);
            break;
        case Outcome::BulkheadFull:
        case Outcome::LimitExceeded:
            ++tally.refused;
            break;
        default:
            ++tally.failed;
            break;
        }
    }

    void onRetry(const RetryReport &r) override
    {
        if (m_window.contains(r.at))
            ++tally.retries;
    }

    Tally tally;

private:
    const BackendService &m_service;
    Window m_window;
};

Tally runReplication(const ScenarioConfig &scenario, Window window, std::uint64_t seed)
{
    ScenarioRun sim(scenario, seed);
    Collector collector(sim, window);
    sim.addSink(&collector);
    sim.advanceTo(TimePoint(window.from));
    const std::int64_t receivedBefore = sim.service(0).stats().received;
    sim.advanceTo(TimePoint(window.to));
    collector.tally.received = double(sim.service(0).stats().received - receivedBefore);
    sim.runToEnd(); // the window ends early enough for its calls to finish
    return collector.tally;
}

struct Row
{
    ValidationCheck check;
    std::function<double(const Tally &)> measure;
};

// A scenario of the suite, the part of the run it measures, and the rows it gives.
struct Case
{
    std::optional<ScenarioConfig> scenario;
    QString error; // the scenario did not load: its rows fail with this
    Window window;
    int replications = 10;
    QList<Row> rows;
};

Case load(const QString &json, Window window, int replications)
{
    Case c;
    c.window = window;
    c.replications = replications;
    LoadError error;
    c.scenario = parseScenario(json.toUtf8(), QStringLiteral("validation.json"), &error);
    if (!c.scenario)
        c.error = error.toString();
    return c;
}

ValidationCheck check(const QString &model, const QString &measure, const QString &source, const QString &unit,
    double expected, double tolerance, int decimals)
{
    ValidationCheck c;
    c.model = model;
    c.measure = measure;
    c.source = source;
    c.unit = unit;
    c.expected = expected;
    c.tolerance = tolerance;
    c.decimals = decimals;
    return c;
}

double meanServiceMs(const LatencyConfig &l)
{
    switch (l.kind) {
    case LatencyKind::Fixed:
        return toMs(l.fixed);
    case LatencyKind::Exponential:
        return toMs(l.mean);
    case LatencyKind::Pareto:
        return l.alpha * toMs(l.min) / (l.alpha - 1);
    case LatencyKind::Lognormal: {
        const double sigma = std::log(toMs(l.p99) / toMs(l.median)) / LatencySampler::normalQuantile(0.99);
        return toMs(l.median) * std::exp(sigma * sigma / 2);
    }
    default: // not used by the suite
        return NAN;
    }
}

// The queueing parameters of a one-service, one-operation scenario.
struct Queue
{
    double lambdaPerSecond, serviceMs, erlangs;
    int servers;
};

Queue queueOf(const ScenarioConfig &s)
{
    Queue q;
    q.lambdaPerSecond = s.operations[0].rate.rate;
    q.serviceMs = meanServiceMs(s.services[0].latency);
    q.erlangs = q.lambdaPerSecond * q.serviceMs / 1000;
    q.servers = s.services[0].capacity;
    return q;
}

QString rho(double value)
{
    return QStringLiteral("ρ = ") + QString::number(value, 'f', 2);
}

// Poisson arrivals at `rate` per second into one service (`service`: its keys after the name),
// measured from 2 s (past the empty start) to `seconds`, with 2 s more for the last calls to end.
Case queue(const QString &service, double rate, int seconds)
{
    return load(QStringLiteral(R"({"name": "queue", "durationMs": %3,
  "services": [{"name": "server", %1}],
  "operations": [{"name": "arrivals", "service": "server", "rate": %2, "arrival": "poisson"}]})")
                    .arg(service)
                    .arg(rate)
                    .arg((seconds + 2) * 1000),
        { fromMs(2000), fromMs(seconds * 1000.0) }, 10);
}

// One server or several, exponential service: Erlang C for the probability of waiting, and the
// mean response time that follows from it.
Case mmc(int servers, double rate, int seconds)
{
    Case c = queue(QStringLiteral(R"("capacity": %1, "latency": {"dist": "exponential", "meanMs": 10})").arg(servers),
        rate, seconds);
    if (!c.scenario)
        return c;
    const Queue q = queueOf(*c.scenario);
    const QString model = (q.servers == 1 ? QStringLiteral("M/M/1") : QStringLiteral("M/M/%1").arg(q.servers))
        + QStringLiteral(", ") + rho(q.erlangs / q.servers);
    const double pWait = queueing::erlangC(q.servers, q.erlangs);
    const double response = queueing::mmcMeanResponse(q.servers, q.erlangs) * q.serviceMs;
    c.rows = {
        { check(model, QStringLiteral("P(wait)"), QStringLiteral("Erlang C"), QString(), pWait, 0.01 * pWait, 4),
            [](const Tally &t) { return t.waited / t.offered; } },
        { check(model, QStringLiteral("mean response"), QStringLiteral("Erlang C + Little"), QStringLiteral("ms"),
              response, 0.03 * response, 2),
            [](const Tally &t) { return t.responseMs / t.succeeded; } },
    };
    return c;
}

Case md1()
{
    Case c = queue(QStringLiteral(R"("capacity": 1, "latency": {"dist": "fixed", "ms": 10})"), 70, 3000);
    if (!c.scenario)
        return c;
    const Queue q = queueOf(*c.scenario);
    const double wait = queueing::md1MeanWait(q.erlangs) * q.serviceMs;
    const double serviceMs = q.serviceMs;
    c.rows = { { check(QStringLiteral("M/D/1, ") + rho(q.erlangs), QStringLiteral("mean wait"),
                     QStringLiteral("Pollaczek–Khinchine"), QStringLiteral("ms"), wait, 0.03 * wait, 2),
        [serviceMs](const Tally &t) { return t.responseMs / t.succeeded - serviceMs; } } };
    return c;
}

// A service with one server and room for K − 1 waiting (its queueLimit): M/M/1/K.
Case mm1k()
{
    Case c = queue(
        QStringLiteral(R"("capacity": 1, "queueLimit": 4, "latency": {"dist": "exponential", "meanMs": 10})"), 90,
        2000);
    if (!c.scenario)
        return c;
    const Queue q = queueOf(*c.scenario);
    const int k = q.servers + c.scenario->services[0].queueLimit.value_or(0);
    const double blocking = queueing::mm1kBlocking(q.erlangs, k);
    c.rows = { { check(QStringLiteral("M/M/1/%1 (queueLimit %2), ").arg(k).arg(k - 1) + rho(q.erlangs),
                     QStringLiteral("P(blocked: 503)"), QStringLiteral("Kleinrock 1975, M/M/1/K"), QString(),
                     blocking, 0.03 * blocking, 4),
        [](const Tally &t) { return t.failed / t.finished; } } };
    return c;
}

// A client limit of 10 calls in flight without a queue in front of a service that never queues:
// a loss system, M/G/c/c. Pareto service times (heavy tail, same mean) show that Erlang B needs
// only the mean. The limit is a bulkhead, or an adaptive concurrency limit held at 10 (minLimit =
// maxLimit), whose admission must be the same.
Case erlangB(const QString &limit, const QString &what, int durationMs, int replications)
{
    Case c = load(QStringLiteral(R"({"name": "Erlang B", "durationMs": %1,
  "services": [{"name": "server", "capacity": 1000, "latency": {"dist": "pareto", "minMs": 6, "alpha": 2.5}}],
  "operations": [{"name": "arrivals", "service": "server", "rate": 700, "arrival": "poisson",
                  "policy": %2}]})")
                      .arg(durationMs)
                      .arg(limit),
        { fromMs(2000), fromMs(durationMs - 2000) }, replications);
    if (!c.scenario)
        return c;
    const Queue q = queueOf(*c.scenario);
    const double blocking = queueing::erlangB(10, q.erlangs);
    c.rows = { { check(QStringLiteral("%1, Pareto α 2.5, a = %2").arg(what).arg(q.erlangs, 0, 'f', 1),
                     QStringLiteral("P(rejected)"), QStringLiteral("Erlang B (insensitive: Sevastyanov 1957)"),
                     QString(), blocking, 0.03 * blocking, 4),
        [](const Tally &t) { return t.refused / t.finished; } } };
    return c;
}

// Every attempt fails at once (an outage); the backend sees what the clients' retries send.
Case outage(const QString &retry, const QString &model, const QString &source,
    const std::function<double(const ScenarioConfig &)> &expected)
{
    Case c = load(QStringLiteral(R"({"name": "outage", "durationMs": 62000,
  "services": [{"name": "backend", "capacity": 100, "latency": 10}],
  "operations": [{"name": "clients", "service": "backend", "rate": 200, "arrival": "poisson",
                  "policy": {"retry": %1}}],
  "faults": [{"service": "backend", "type": "outage"}]})")
                      .arg(retry),
        { fromMs(10000), fromMs(60000) }, 5);
    if (!c.scenario)
        return c;
    const double load = expected(*c.scenario);
    c.rows = { { check(model, QStringLiteral("backend load"), source, QStringLiteral("× offered"), load, 0.02 * load, 3),
        [](const Tally &t) { return t.received / t.offered; } } };
    return c;
}

// A full outage against the AWS SDKs' retry quota: the bucket starts full and nothing refills it,
// so exactly capacity / retryCost retries happen, whatever the traffic, then none.
Case retryQuotaOutage()
{
    Case c = load(QStringLiteral(R"({"name": "outage", "durationMs": 12000,
  "services": [{"name": "backend", "capacity": 100, "latency": 10}],
  "operations": [{"name": "clients", "service": "backend", "rate": 200, "arrival": "poisson",
                  "policy": {"retry": {"maxAttempts": 4, "initialDelay": 10, "backoffMultiplier": 1, "jitter": false,
                                       "quota": {"capacity": 500, "retryCost": 5}}}}],
  "faults": [{"service": "backend", "type": "outage"}]})"),
        { TimePoint {}, fromMs(10000) }, 5);
    if (!c.scenario)
        return c;
    const RetryQuotaConfig &quota = *c.scenario->operations[0].policy.retry->quota;
    c.rows = { { check(QStringLiteral("outage, retry ×3, quota %1 / cost %2").arg(quota.capacity).arg(quota.retryCost),
                     QStringLiteral("retries"), QStringLiteral("AWS SDKs, standard retry mode: capacity / retryCost"),
                     QString(), double(quota.capacity / quota.retryCost), 0, 0),
        [](const Tally &t) { return t.retries; } } };
    return c;
}

// Hedging against a Pareto tail, P(X > x) = (m / x)^α. A call hedged after d is the faster of
// its first attempt and a second one started at d, each drawing its own latency, so for t > d
// P(T > t) = P(X > t) · P(X > t − d) = (m² / (t (t − d)))^α, and the p99 solves
// t (t − d) = m² · 100^(1/α): t = (d + √(d² + 4 m² 100^(1/α))) / 2. The backend receives a
// second request from every call whose first has not answered by d: 1 + (m / d)^α per call.
Case hedgingTail()
{
    Case c = load(QStringLiteral(R"({"name": "hedging tail", "durationMs": 72000,
  "services": [{"name": "backend", "capacity": 100000, "abandoned": "dropped",
                "latency": {"dist": "pareto", "minMs": 10, "alpha": 1.2}}],
  "operations": [{"name": "clients", "service": "backend", "rate": 200, "arrival": "poisson",
                  "policy": {"hedging": {"maxHedgedAttempts": 1, "delayMs": 120}}}]})"),
        { fromMs(2000), fromMs(62000) }, 10);
    if (!c.scenario)
        return c;
    const double m = toMs(c.scenario->services[0].latency.min), alpha = c.scenario->services[0].latency.alpha;
    const double d = toMs(c.scenario->operations[0].policy.hedging->delay);
    const double unhedged = m * std::pow(100, 1 / alpha);
    const double p99 = (d + std::sqrt(d * d + 4 * m * unhedged)) / 2;
    const double load = 1 + std::pow(m / d, alpha);
    const QString model = QStringLiteral("Pareto %1 ms, α %2, hedged at %3 ms (p99 unhedged %4 ms)")
                              .arg(m).arg(alpha).arg(d).arg(unhedged, 0, 'f', 0);
    const QString source = QStringLiteral("independent attempts: P(T > t) = P(X > t) · P(X > t − d); "
                                          "Dean & Barroso, \"The Tail at Scale\", 2013");
    c.rows = { { check(model, QStringLiteral("p99 latency"), source, QStringLiteral("ms"), p99, 0.03 * p99, 1),
                   [](const Tally &t) { return toMs(t.successLatency.percentile(99)); } },
        { check(model, QStringLiteral("backend load"), source, QStringLiteral("× offered"), load, 0.005, 4),
            [](const Tally &t) { return t.received / t.offered; } } };
    return c;
}

// Demand at 10 × what the backend can take (10 servers of 100 ms, no queue: 100 a second, the
// rest answered 503 at once): the Google SRE book's adaptive throttle lets out about k × the
// requests the backend accepts, (k · accepts + 1) / (requests + 1) of the offered ones.
Case adaptiveThrottle(double k)
{
    Case c = load(QStringLiteral(R"({"name": "overload", "durationMs": 62000,
  "services": [{"name": "backend", "capacity": 10, "queueLimit": 0, "latency": 100}],
  "operations": [{"name": "clients", "service": "backend", "rate": 1000, "arrival": "poisson",
                  "policy": {"adaptiveThrottle": {"k": %1, "windowMs": 10000}}}]})")
                      .arg(k),
        { fromMs(20000), fromMs(60000) }, 5);
    if (!c.scenario)
        return c;
    c.rows = { { check(QStringLiteral("demand 10 × capacity, adaptive throttle k = %1").arg(k),
                     QStringLiteral("backend load"), QStringLiteral("Google SRE book, \"Handling Overload\": k × accepts"),
                     QStringLiteral("× accepts"), k, 0.03 * k, 3),
        [](const Tally &t) { return t.received / t.succeeded; } } };
    return c;
}

// Each attempt fails with probability p, independently of the others (it draws its own number),
// and is retried at once up to maxAttempts: a call sends 1 + p + … + p^(maxAttempts − 1)
// requests, the `compare` command's amplification.
Case flaky(double p, int maxAttempts)
{
    Case c = load(QStringLiteral(R"({"name": "flaky backend", "durationMs": 62000,
  "services": [{"name": "backend", "capacity": 100, "latency": 10, "errorRate": %1, "errorCode": "ECONNRESET"}],
  "operations": [{"name": "clients", "service": "backend", "rate": 200, "arrival": "poisson",
                  "policy": {"retry": {"maxAttempts": %2, "initialDelay": 10, "backoffMultiplier": 1,
                                       "jitter": false}}}]})")
                      .arg(p)
                      .arg(maxAttempts),
        { fromMs(10000), fromMs(60000) }, 5);
    if (!c.scenario)
        return c;
    double load = 0;
    for (int k = 0; k < maxAttempts; ++k)
        load += std::pow(c.scenario->services[0].errorRate, k);
    c.rows = { { check(QStringLiteral("errors p = %1, retry ×%2 (%3 attempts)").arg(p).arg(maxAttempts - 1).arg(maxAttempts),
                     QStringLiteral("backend load"), QStringLiteral("geometric series: Σ p^k, k < maxAttempts"),
                     QStringLiteral("× offered"), load, 0.02 * load, 3),
        [](const Tally &t) { return t.received / t.offered; } } };
    return c;
}

// A recorded trace (a scenario operation with "arrival": "trace", as `breakwater replay` and the
// fleet's twin run it): rows 10 ms apart and 10 ms long, each a failure with probability p (drawn
// once, when the trace is made: the trace is then fixed, and every seed replays the same run).
// A retry without delay starts when the attempt before it ends, as the next row starts, and
// gets that row's outcome (a retry gets the latest row started at or before it): the attempts
// of a call meet independent rows, so, as against the flaky backend above, a call sends
// Σ p^k requests and fails with p^maxAttempts.
Case recordedFlaky(double p, int maxAttempts)
{
    Case c;
    c.window = { fromMs(10000), fromMs(590000) };
    c.replications = 5;
    auto trace = std::make_shared<Trace>();
    trace->fileName = QStringLiteral("recorded.csv");
    Random draws(2026);
    for (int i = 0; i < 60000; ++i) {
        TraceRow row { fromMs(i * 10), fromMs(10) };
        row.success = draws.uniform() >= p;
        if (!row.success)
            row.code = ErrorCode::httpStatus(503);
        trace->rows.push_back(row);
    }
    LoadError error;
    const std::optional<PolicyConfig> policy = parsePolicy(QStringLiteral(R"({"name": "clients", "retry":
        {"maxAttempts": %1, "initialDelay": 0, "jitter": false, "retryableErrors": ["503"]}})")
                                                               .arg(maxAttempts)
                                                               .toUtf8(),
        QStringLiteral("validation.json"), &error);
    if (!policy) {
        c.error = error.toString();
        return c;
    }
    c.scenario = traceScenario(std::move(trace), *policy);
    double load = 0;
    for (int k = 0; k < maxAttempts; ++k)
        load += std::pow(p, k);
    const QString model = QStringLiteral("recorded trace, errors p = %1, retry ×%2").arg(p).arg(maxAttempts - 1);
    const QString source = QStringLiteral("geometric series over the recorded rows");
    c.rows = { { check(model, QStringLiteral("backend load"), source, QStringLiteral("× offered"), load, 0.02 * load, 3),
                   [](const Tally &t) { return t.received / t.offered; } },
        { check(model, QStringLiteral("calls failed"), source, QString(), std::pow(p, maxAttempts), 0.005, 4),
            [](const Tally &t) { return t.failed / t.finished; } } };
    return c;
}

// A FIFO backend at 60 % load; clients time out after 1 s, and the backend keeps serving what they
// gave up on (a service's default, "abandoned": "served"). Its capacity drops to a fifth from
// 10 s, for a short or a long time; goodput is measured long after the drop ended. With retries,
// a long drop leaves a queue of requests nobody waits for any more, and the retries keep it
// there (the sustaining effect): load below capacity, yet no call succeeds.
Case metastable(const QString &policy, int dropMs, const QString &model, double expected)
{
    Case c = load(QStringLiteral(R"({"name": "metastable", "durationMs": 85000,
  "services": [{"name": "backend", "capacity": 10, "latency": {"dist": "exponential", "meanMs": 50}}],
  "operations": [{"name": "clients", "service": "backend", "rate": 120, "arrival": "poisson", "policy": %1}],
  "faults": [{"service": "backend", "type": "brownout", "atMs": 10000, "untilMs": %2, "capacity": 2}]})")
                      .arg(policy)
                      .arg(10000 + dropMs),
        { fromMs(60000), fromMs(80000) }, 5);
    if (!c.scenario)
        return c;
    c.rows = { { check(model, QStringLiteral("goodput at 60–80 s"),
                     QStringLiteral("Bronson et al., HotOS 2021"), QString(), expected, 0.05, 3),
        [](const Tally &t) { return t.succeeded / t.finished; } } };
    return c;
}

QList<Case> suite()
{
    const QString outageSource = QStringLiteral("Isaev 2023, \"Good Retry, Bad Retry\"");
    const QString immediateRetries = QStringLiteral(
        R"({"retry": {"maxAttempts": 3, "initialDelay": 0, "jitter": false, "timeout": 1000}})");
    const QString budgetRetries = QStringLiteral(R"({"retry": {"maxAttempts": 3, "initialDelay": 0,
        "jitter": false, "timeout": 1000, "budget": {"ratio": 0.1, "minPerSecond": 0}}})");
    const QString noRetries = QStringLiteral(R"({"timeout": 1000})");
    return {
        mmc(1, 70, 3000),
        mmc(4, 300, 1500),
        md1(),
        mm1k(),
        erlangB(QStringLiteral(R"({"bulkhead": {"maxConcurrent": 10, "maxQueueSize": 0}})"),
            QStringLiteral("bulkhead 10, no queue"), 602000, 10),
        erlangB(QStringLiteral(R"({"concurrencyLimit": {"initialLimit": 10, "minLimit": 10, "maxLimit": 10}})"),
            QStringLiteral("concurrency limit held at 10"), 122000, 5),
        outage(QStringLiteral(R"({"maxAttempts": 4, "initialDelay": 10, "backoffMultiplier": 1, "jitter": false})"),
            QStringLiteral("outage, retry ×3 (4 attempts)"), outageSource,
            [](const ScenarioConfig &s) { return double(s.operations[0].policy.retry->maxAttempts); }),
        outage(QStringLiteral(R"({"maxAttempts": 4, "initialDelay": 10, "backoffMultiplier": 1, "jitter": false,
               "budget": {"ratio": 0.1, "minPerSecond": 0}})"),
            QStringLiteral("outage, retry ×3, 10 % budget"),
            outageSource + QStringLiteral("; Google SRE book, \"Handling Overload\""),
            [](const ScenarioConfig &s) {
                const RetryConfig &r = *s.operations[0].policy.retry;
                return std::min(double(r.maxAttempts),
                    1 + r.budget->ratio + r.budget->minPerSecond / s.operations[0].rate.rate);
            }),
        retryQuotaOutage(),
        hedgingTail(),
        adaptiveThrottle(2),
        flaky(0.3, 4),
        recordedFlaky(0.3, 3),
        metastable(immediateRetries, 1000, QStringLiteral("metastable, 1 s drop: timeout + 2 retries"), 1),
        metastable(immediateRetries, 10000, QStringLiteral("metastable, 10 s drop: timeout + 2 retries"), 0),
        metastable(noRetries, 10000, QStringLiteral("metastable, 10 s drop: timeout, no retry"), 1),
        metastable(budgetRetries, 10000, QStringLiteral("metastable, 10 s drop: retries, 10 % budget"), 1),
    };
}

} // namespace

QList<ValidationCheck> runValidationSuite(const ValidationOptions &options)
{
    const QList<Case> cases = suite();
    struct Job
    {
        int caseIndex;
        int replication;
    };
    std::vector<Job> jobs;
    std::vector<std::vector<Tally>> tallies(size_t(cases.size()));
    for (int i = 0; i < cases.size(); ++i) {
        if (!cases[i].scenario)
            continue;
        tallies[size_t(i)].resize(size_t(cases[i].replications));
        for (int r = 0; r < cases[i].replications; ++r)
            jobs.push_back({ i, r });
    }
    const int threads = options.threads > 0 ? options.threads : defaultThreadCount();
    parallelFor(int(jobs.size()), threads, [&](int j) {
        const Job job = jobs[size_t(j)];
        const Case &c = cases[job.caseIndex];
        tallies[size_t(job.caseIndex)][size_t(job.replication)]
            = runReplication(*c.scenario, c.window, std::uint64_t(job.replication) + 1);
    });

    QList<ValidationCheck> checks;
    for (int i = 0; i < cases.size(); ++i) {
        const Case &c = cases[i];
        if (!c.scenario) {
            ValidationCheck failed;
            failed.error = c.error;
            checks.append(failed);
            continue;
        }
        for (const Row &row : c.rows) {
            std::vector<double> values;
            for (const Tally &t : tallies[size_t(i)])
                values.push_back(row.measure(t));
            ValidationCheck done = row.check;
            done.measured = estimate(values);
            checks.append(done);
        }
    }
    return checks;
}

namespace {

QString fixed(double value, int decimals)
{
    return QString::number(value, 'f', decimals);
}

} // namespace

QString validationTable(const QList<ValidationCheck> &checks)
{
    const QStringList header { QStringLiteral("model"), QStringLiteral("measure"), QStringLiteral("expected"),
        QStringLiteral("measured (95 % CI)"), QStringLiteral("tolerance"), QStringLiteral("result"),
        QStringLiteral("source") };
    QList<QStringList> rows { header };
    int passed = 0;
    QStringList errors;
    for (const ValidationCheck &c : checks) {
        passed += c.passed() ? 1 : 0;
        if (!c.error.isEmpty()) {
            errors << c.error;
            rows.append({ QStringLiteral("(scenario error)"), QString(), QString(), QString(), QString(),
                QStringLiteral("FAIL"), QString() });
            continue;
        }
        const QString unit = c.unit.isEmpty() ? QString() : u' ' + c.unit;
        rows.append({ c.model, c.measure, fixed(c.expected, c.decimals) + unit,
            fixed(c.measured.mean, c.decimals) + QStringLiteral(" ± ") + fixed(c.measured.halfWidth, c.decimals)
                + QStringLiteral(" (%1 seeds)").arg(c.measured.samples),
            QStringLiteral("± ") + fixed(c.tolerance, c.decimals), c.passed() ? QStringLiteral("PASS") : QStringLiteral("FAIL"),
            c.source });
    }
    QList<qsizetype> widths(header.size(), 0);
    for (const QStringList &row : rows) {
        for (int i = 0; i < row.size(); ++i)
            widths[i] = std::max(widths[i], row[i].size());
    }
    QString text;
    for (const QStringList &row : rows) {
        QString line;
        for (int i = 0; i < row.size(); ++i)
            line += i + 1 < row.size() ? row[i].leftJustified(widths[i] + 2) : row[i];
        text += line.trimmed() + u'\n';
    }
    text += QStringLiteral("\n%1 of %2 checks pass.\n").arg(passed).arg(checks.size());
    for (const QString &e : errors)
        text += e + u'\n';
    return text;
}

QJsonObject validationJson(const QList<ValidationCheck> &checks)
{
    QJsonArray rows;
    int passed = 0;
    for (const ValidationCheck &c : checks) {
        passed += c.passed() ? 1 : 0;
        QJsonObject row { { QStringLiteral("model"), c.model }, { QStringLiteral("measure"), c.measure },
            { QStringLiteral("source"), c.source }, { QStringLiteral("unit"), c.unit },
            { QStringLiteral("expected"), c.expected }, { QStringLiteral("measured"), c.measured.mean },
            { QStringLiteral("ciHalfWidth"), c.measured.halfWidth },
            { QStringLiteral("replications"), c.measured.samples }, { QStringLiteral("tolerance"), c.tolerance },
            { QStringLiteral("pass"), c.passed() } };
        if (!c.error.isEmpty())
            row.insert(QStringLiteral("error"), c.error);
        rows.append(row);
    }
    return { { QStringLiteral("checks"), rows }, { QStringLiteral("passed"), passed },
        { QStringLiteral("failed"), int(checks.size()) - passed } };
}

} // namespace bw
