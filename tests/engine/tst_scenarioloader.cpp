#include "resilience/limits.h"
#include "scenario/builtinscenarios.h"
#include "scenario/scenarioloader.h"
#include "scenario/scenariowriter.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QTemporaryDir>
#include <QTest>

#include <cmath>
#include <limits>

using namespace bw;

namespace {

std::optional<ScenarioConfig> parse(const QByteArray &json, LoadError *error = nullptr)
{
    LoadError local;
    auto s = parseScenario(json, QStringLiteral("scenario.json"), error ? error : &local);
    if (!s && !error)
        qWarning().noquote() << local.toString();
    return s;
}

// A valid scenario around the given fragments, for tests that vary one part.
QByteArray scenario(const char *services, const char *operations, const char *extra = "")
{
    return QByteArray("{\n\"services\": ") + services + ",\n\"operations\": " + operations + extra + "\n}";
}

Duration ms(int v)
{
    return fromMs(v);
}

} // namespace

class tst_ScenarioLoader : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void formatsExample();
    void defaults();
    void everyServiceKey();
    void latencyDistributions();
    void rateShapes();
    void rateIntegral();
    void policyForms();
    void everyFaultType();
    void faultDefaults();
    void badScenario_data();
    void badScenario();
    void limits_data();
    void limits();
    void urlService();
    void traceOperation();
    void traceOperationBadInput_data();
    void traceOperationBadInput();
    void urlServiceBadInput_data();
    void urlServiceBadInput();
    void syntaxAndDuplicateKeys();
    void loadByFileAndName();
    void unknownName();
};

void tst_ScenarioLoader::formatsExample()
{
    // The example of docs/formats.md, verbatim.
    const auto s = parse(R"({
  "name": "outage-and-recovery",
  "description": "Payments goes down for 20 s, then recovers.",
  "durationMs": 120000,
  "seed": 42,
  "services": [
    {"name": "payments", "capacity": 100, "latency": {"dist": "lognormal", "medianMs": 40, "p99Ms": 250},
     "errorRate": 0.01}
  ],
  "operations": [
    {"name": "checkout", "service": "payments", "rate": 50, "arrival": "poisson", "policy": "api"}
  ],
  "policies": {"strict": {"circuitBreaker": {"failureThreshold": 3}}},
  "faults": [
    {"service": "payments", "type": "outage", "atMs": 30000, "untilMs": 50000},
    {"service": "payments", "type": "latency", "atMs": 70000, "untilMs": 80000, "addMs": 3000}
  ]
})");
    QVERIFY(s);
    QCOMPARE(s->name, QStringLiteral("outage-and-recovery"));
    QCOMPARE(s->description, QStringLiteral("Payments goes down for 20 s, then recovers."));
    QCOMPARE(s->duration, ms(120000));
    QCOMPARE(s->seed, 42u);
    QCOMPARE(s->services.size(), 1);
    const ServiceConfig &payments = s->services.first();
    QCOMPARE(payments.name, QStringLiteral("payments"));
    QCOMPARE(payments.capacity, 100);
    QCOMPARE(payments.latency.kind, LatencyKind::Lognormal);
    QCOMPARE(payments.latency.median, ms(40));
    QCOMPARE(payments.latency.p99, ms(250));
    QCOMPARE(payments.errorRate, 0.01);
    QCOMPARE(s->operations.size(), 1);
    const OperationConfig &checkout = s->operations.first();
    QCOMPARE(checkout.name, QStringLiteral("checkout"));
    QCOMPARE(checkout.service, QStringLiteral("payments"));
    QCOMPARE(checkout.rate.shape, RateConfig::Shape::Constant);
    QCOMPARE(checkout.rate.rate, 50.0);
    QCOMPARE(checkout.arrival, ArrivalKind::Poisson);
    QCOMPARE(checkout.policyName, QStringLiteral("api"));
    QVERIFY(checkout.policy.circuitBreaker);
    QCOMPARE(checkout.policy.circuitBreaker->failureThreshold, 5); // api(), not strict
    QVERIFY(s->policies.contains(QStringLiteral("strict")));
    QCOMPARE(s->policies.value(QStringLiteral("strict")).circuitBreaker->failureThreshold, 3);
    QCOMPARE(s->faults.size(), 2);
    QCOMPARE(s->faults[0].kind, FaultKind::Outage);
    QCOMPARE(s->faults[0].at, ms(30000));
    QCOMPARE(s->faults[0].until, ms(50000));
    QCOMPARE(s->faults[1].kind, FaultKind::Latency);
    QCOMPARE(s->faults[1].add, ms(3000));
    QCOMPARE(s->faults[1].jitter, Duration::zero());
}

void tst_ScenarioLoader::defaults()
{
    LoadError error;
    const auto s
        = parseScenario(scenario(R"([{"name": "db"}])", R"([{"name": "read", "service": "db", "rate": 5}])"),
            QStringLiteral("dir/my-scenario.json"), &error);
    QVERIFY2(s, qPrintable(error.toString()));
    QCOMPARE(s->name, QStringLiteral("my-scenario")); // the file's base name
    QCOMPARE(s->description, QString());
    QCOMPARE(s->lookFor, QString());
    QCOMPARE(s->duration, ms(60000));
    QCOMPARE(s->seed, 1u);
    const ServiceConfig &db = s->services.first();
    QCOMPARE(db.capacity, 100);
    QVERIFY(!db.queueLimit); // unbounded
    QCOMPARE(db.abandoned, AbandonedRequests::Served);
    QCOMPARE(db.latency.kind, LatencyKind::Fixed);
    QCOMPARE(db.latency.fixed, ms(10));
    QCOMPARE(db.errorRate, 0.0);
    QCOMPARE(db.errorCode, QStringLiteral("500"));
    const OperationConfig &read = s->operations.first();
    QCOMPARE(read.arrival, ArrivalKind::Poisson);
    QCOMPARE(read.policyName, QStringLiteral("none")); // no policy: straight to the service
    QVERIFY(!read.policy.circuitBreaker && !read.policy.retry && !read.policy.timeout && !read.policy.bulkhead
        && !read.policy.fallback);
    QVERIFY(s->policies.isEmpty());
    QVERIFY(s->faults.isEmpty());
}

void tst_ScenarioLoader::everyServiceKey()
{
    const auto s = parse(R"({
  "name": "n", "description": "d", "lookFor": "l", "durationMs": 1500.5, "seed": 9007199254740992,
  "services": [{"name": "a", "capacity": 3, "queueLimit": 7, "abandoned": "dropped", "latency": 25,
                "errorRate": 0.25, "errorCode": "503"}, {"name": "b", "queueLimit": 0}],
  "operations": [{"name": "o", "service": "a", "rate": 0, "arrival": "constant"}]
})");
    QVERIFY(s);
    QCOMPARE(s->lookFor, QStringLiteral("l"));
    QCOMPARE(s->duration, fromMs(1500.5));
    QCOMPARE(s->seed, std::uint64_t(1) << 53);
    const ServiceConfig &a = s->services.first();
    QCOMPARE(a.capacity, 3);
    QCOMPARE(a.queueLimit.value_or(-1), 7);
    QCOMPARE(a.abandoned, AbandonedRequests::Dropped);
    QCOMPARE(s->services[1].queueLimit.value_or(-1), 0); // no waiting room, not unbounded
    QCOMPARE(a.latency.kind, LatencyKind::Fixed); // a number is a fixed latency
    QCOMPARE(a.latency.fixed, ms(25));
    QCOMPARE(a.errorRate, 0.25);
    QCOMPARE(a.errorCode, QStringLiteral("503"));
    QCOMPARE(s->operations.first().arrival, ArrivalKind::Constant);
    QCOMPARE(s->operations.first().rate.rate, 0.0);
}

void tst_ScenarioLoader::latencyDistributions()
{
    const auto s = parse(scenario(R"([
  {"name": "f", "latency": {"dist": "fixed", "ms": 12}},
  {"name": "u", "latency": {"dist": "uniform", "minMs": 5, "maxMs": 15}},
  {"name": "n", "latency": {"dist": "normal", "meanMs": 50, "stddevMs": 10}},
  {"name": "l", "latency": {"dist": "lognormal", "medianMs": 40, "p99Ms": 40}},
  {"name": "e", "latency": {"dist": "exponential", "meanMs": 25}},
  {"name": "p", "latency": {"dist": "pareto", "minMs": 6, "alpha": 2.5}},
  {"name": "q", "latency": {"dist": "percentiles", "p50": 20, "p90": 50, "p99": 200, "p999": 1000}},
  {"name": "r", "latency": {"dist": "percentiles", "p50": 20, "p99": 20}}
])",
        R"([{"name": "o", "service": "f", "rate": 1}])"));
    QVERIFY(s);
    QCOMPARE(s->services[0].latency.kind, LatencyKind::Fixed);
    QCOMPARE(s->services[0].latency.fixed, ms(12));
    QCOMPARE(s->services[1].latency.kind, LatencyKind::Uniform);
    QCOMPARE(s->services[1].latency.min, ms(5));
    QCOMPARE(s->services[1].latency.max, ms(15));
    QCOMPARE(s->services[2].latency.kind, LatencyKind::Normal);
    QCOMPARE(s->services[2].latency.mean, ms(50));
    QCOMPARE(s->services[2].latency.stddev, ms(10));
    QCOMPARE(s->services[3].latency.kind, LatencyKind::Lognormal);
    QCOMPARE(s->services[3].latency.median, ms(40));
    QCOMPARE(s->services[3].latency.p99, ms(40)); // p99 == median: no spread, allowed
    QCOMPARE(s->services[4].latency.kind, LatencyKind::Exponential);
    QCOMPARE(s->services[4].latency.mean, ms(25));
    QCOMPARE(s->services[5].latency.kind, LatencyKind::Pareto);
    QCOMPARE(s->services[5].latency.min, ms(6));
    QCOMPARE(s->services[5].latency.alpha, 2.5);
    QCOMPARE(s->services[6].latency.kind, LatencyKind::Percentiles);
    QCOMPARE(s->services[6].latency.median, ms(20));
    QCOMPARE(s->services[6].latency.p90, ms(50));
    QCOMPARE(s->services[6].latency.p99, ms(200));
    QCOMPARE(s->services[6].latency.p999, ms(1000));
    // p90 and p999 are optional; equal points are allowed (no spread there).
    QCOMPARE(s->services[7].latency.median, ms(20));
    QCOMPARE(s->services[7].latency.p90, Duration::zero());
    QCOMPARE(s->services[7].latency.p99, ms(20));
    QCOMPARE(s->services[7].latency.p999, Duration::zero());
}

void tst_ScenarioLoader::rateShapes()
{
    const auto s = parse(R"({
  "durationMs": 90000,
  "services": [{"name": "a"}],
  "operations": [
    {"name": "constant", "service": "a", "rate": 12.5},
    {"name": "ramp", "service": "a", "rate": {"ramp": {"from": 10, "to": 100, "atMs": 20000, "untilMs": 40000}}},
    {"name": "ramp-defaults", "service": "a", "rate": {"ramp": {"from": 0, "to": 30}}},
    {"name": "steps", "service": "a", "rate": [[1000, 5], [30000, 50], [60000, 0]]}
  ]
})");
    QVERIFY(s);
    const RateConfig &constant = s->operations[0].rate;
    QCOMPARE(constant.shape, RateConfig::Shape::Constant);
    QCOMPARE(constant.at(ms(5000)), 12.5);

    const RateConfig &ramp = s->operations[1].rate;
    QCOMPARE(ramp.shape, RateConfig::Shape::Ramp);
    QCOMPARE(ramp.from, 10.0);
    QCOMPARE(ramp.to, 100.0);
    QCOMPARE(ramp.rampStart, ms(20000));
    QCOMPARE(ramp.rampEnd, ms(40000));
    QCOMPARE(ramp.at(ms(0)), 10.0);
    QCOMPARE(ramp.at(ms(30000)), 55.0);
    QCOMPARE(ramp.at(ms(80000)), 100.0);

    const RateConfig &defaults = s->operations[2].rate;
    QCOMPARE(defaults.rampStart, Duration::zero());
    QCOMPARE(defaults.rampEnd, ms(90000)); // untilMs defaults to durationMs
    QCOMPARE(defaults.at(ms(45000)), 15.0);

    const RateConfig &steps = s->operations[3].rate;
    QCOMPARE(steps.shape, RateConfig::Shape::Steps);
    QCOMPARE(steps.steps.size(), 3);
    QCOMPARE(steps.at(ms(500)), 0.0); // before the first step
    QCOMPARE(steps.at(ms(1000)), 5.0);
    QCOMPARE(steps.at(ms(45000)), 50.0);
    QCOMPARE(steps.at(ms(70000)), 0.0);
}

// What arrivals sample: the calls each rate shape supplies over an interval, and its inverse.
void tst_ScenarioLoader::rateIntegral()
{
    const auto s = parse(R"({
  "durationMs": 90000,
  "services": [{"name": "a"}],
  "operations": [
    {"name": "ramp", "service": "a", "rate": {"ramp": {"from": 10, "to": 100, "atMs": 20000, "untilMs": 40000}}},
    {"name": "down", "service": "a", "rate": {"ramp": {"from": 10, "to": 0}}},
    {"name": "steps", "service": "a", "rate": [[1000, 5], [30000, 50], [60000, 0]]}
  ]
})");
    QVERIFY(s);
    constexpr double never = std::numeric_limits<double>::infinity();
    const auto near = [](double actual, double expected) { return std::abs(actual - expected) < 1e-9 * std::max(1.0, expected); };

    const RateConfig &ramp = s->operations[0].rate;
    QVERIFY(near(ramp.callsBetween(0, 20), 200));
    QVERIFY(near(ramp.callsBetween(20, 40), 1100)); // 20 s × (10 + 100) / 2
    QVERIFY(near(ramp.callsBetween(30, 90), 5000 + 775));
    QVERIFY(near(ramp.whenAccumulated(0, 200), 20));
    QVERIFY(near(ramp.whenAccumulated(20, 1100), 40));
    QVERIFY(near(ramp.whenAccumulated(20, 12.25), 21)); // 10 + 4.5 x per second: 10 x + 2.25 x²
    QVERIFY(near(ramp.whenAccumulated(39, 97.75 + 500), 45)); // 95.5 → 100 in the last second, then 100/s

    // Falling to 0 at the end: it never supplies more than its 450 calls.
    const RateConfig &down = s->operations[1].rate;
    QVERIFY(near(down.callsBetween(0, 90), 450));
    QVERIFY(near(down.whenAccumulated(0, 450), 90));
    QCOMPARE(down.whenAccumulated(0, 451), never);

    const RateConfig &steps = s->operations[2].rate;
    QCOMPARE(steps.callsBetween(0, 90), 29 * 5 + 30 * 50.0);
    QVERIFY(near(steps.whenAccumulated(0.5, 1), 1.2)); // nothing before 1 s
    QVERIFY(near(steps.whenAccumulated(0, 145), 30));
    QVERIFY(near(steps.whenAccumulated(0, 1645), 60));
    QCOMPARE(steps.whenAccumulated(0, 1645.5), never);
    QCOMPARE(steps.whenAccumulated(70, 0), 70.0);
}

void tst_ScenarioLoader::policyForms()
{
    const auto s = parse(R"({
  "services": [{"name": "a"}],
  "policies": {
    "strict": {"circuitBreaker": {"failureThreshold": 2}, "timeout": 700},
    "api": {"timeout": 123}
  },
  "operations": [
    {"name": "own", "service": "a", "rate": 1, "policy": "strict"},
    {"name": "shadowed", "service": "a", "rate": 1, "policy": "api"},
    {"name": "preset", "service": "a", "rate": 1, "policy": "external"},
    {"name": "none", "service": "a", "rate": 1, "policy": "none"},
    {"name": "inline", "service": "a", "rate": 1, "policy": {"policy": "database", "timeout": 250}},
    {"name": "inline-unnamed", "service": "a", "rate": 1, "policy": {"retry": "network"}}
  ]
})");
    QVERIFY(s);
    QCOMPARE(s->policies.size(), 2);
    const auto &ops = s->operations;
    QCOMPARE(ops[0].policyName, QStringLiteral("strict"));
    QCOMPARE(ops[0].policy.circuitBreaker->failureThreshold, 2);
    QCOMPARE(ops[0].policy.timeout->timeout, ms(700));
    // The scenario's own policies win over a preset of the same name.
    QCOMPARE(ops[1].policyName, QStringLiteral("api"));
    QCOMPARE(ops[1].policy.timeout->timeout, ms(123));
    QVERIFY(!ops[1].policy.circuitBreaker);
    QCOMPARE(ops[2].policyName, QStringLiteral("external"));
    QCOMPARE(ops[2].policy.circuitBreaker->failureRateThreshold, 0.5);
    QCOMPARE(ops[3].policyName, QStringLiteral("none"));
    QVERIFY(!ops[3].policy.circuitBreaker && !ops[3].policy.retry && !ops[3].policy.timeout);
    QCOMPARE(ops[4].policy.timeout->timeout, ms(250));
    QCOMPARE(ops[4].policy.bulkhead->maxConcurrent, 100); // database() underneath
    QCOMPARE(ops[5].policyName, QStringLiteral("inline-unnamed")); // named after the operation
    QCOMPARE(ops[5].policy.retry->maxAttempts, 5);
}

void tst_ScenarioLoader::everyFaultType()
{
    const auto s = parse(R"({
  "services": [{"name": "a", "capacity": 10}],
  "operations": [{"name": "o", "service": "a", "rate": 1}],
  "faults": [
    {"service": "a", "type": "outage", "atMs": 1000, "untilMs": 2000},
    {"service": "a", "type": "errors", "atMs": 0, "untilMs": 10, "rate": 0.3, "code": "503"},
    {"service": "a", "type": "latency", "atMs": 5, "addMs": 300, "jitterMs": 50},
    {"service": "a", "type": "hang", "rate": 0.2},
    {"service": "a", "type": "rateLimit", "rps": 7.5, "retryAfterMs": 250},
    {"service": "a", "type": "flapping", "upMs": 3000, "downMs": 1000},
    {"service": "a", "type": "brownout", "capacity": 4}
  ]
})");
    QVERIFY(s);
    const auto &f = s->faults;
    QCOMPARE(f.size(), 7);
    QCOMPARE(f[0].kind, FaultKind::Outage);
    QCOMPARE(f[0].service, QStringLiteral("a"));
    QCOMPARE(f[0].at, ms(1000));
    QCOMPARE(f[0].until, ms(2000));
    QCOMPARE(f[1].kind, FaultKind::Errors);
    QCOMPARE(f[1].rate, 0.3);
    QCOMPARE(f[1].code, QStringLiteral("503"));
    QCOMPARE(f[2].kind, FaultKind::Latency);
    QCOMPARE(f[2].add, ms(300));
    QCOMPARE(f[2].jitter, ms(50));
    QCOMPARE(f[2].until, Duration::max()); // open-ended
    QCOMPARE(f[3].kind, FaultKind::Hang);
    QCOMPARE(f[3].rate, 0.2);
    QCOMPARE(f[4].kind, FaultKind::RateLimit);
    QCOMPARE(f[4].rps, 7.5);
    QCOMPARE(f[4].retryAfter, ms(250));
    QCOMPARE(f[5].kind, FaultKind::Flapping);
    QCOMPARE(f[5].up, ms(3000));
    QCOMPARE(f[5].down, ms(1000));
    QCOMPARE(f[6].kind, FaultKind::Brownout);
    QCOMPARE(f[6].capacity, 4);
}

void tst_ScenarioLoader::faultDefaults()
{
    const auto s = parse(R"({
  "services": [{"name": "a", "capacity": 10}],
  "operations": [{"name": "o", "service": "a", "rate": 1}],
  "faults": [
    {"service": "a", "type": "errors"},
    {"service": "a", "type": "latency", "jitterMs": 5},
    {"service": "a", "type": "hang"},
    {"service": "a", "type": "rateLimit"},
    {"service": "a", "type": "flapping"},
    {"service": "a", "type": "brownout"}
  ]
})");
    QVERIFY(s);
    const FaultConfig defaults;
    const auto &f = s->faults;
    QCOMPARE(f[0].at, Duration::zero());
    QCOMPARE(f[0].until, Duration::max());
    QCOMPARE(f[0].rate, defaults.rate);
    QCOMPARE(f[0].code, defaults.code);
    QCOMPARE(f[1].add, Duration::zero());
    QCOMPARE(f[2].rate, defaults.rate);
    QCOMPARE(f[3].rps, defaults.rps);
    QCOMPARE(f[3].retryAfter, defaults.retryAfter);
    QCOMPARE(f[4].up, defaults.up);
    QCOMPARE(f[4].down, defaults.down);
    QCOMPARE(f[5].capacity, defaults.capacity);
}

void tst_ScenarioLoader::badScenario_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<QString>("expected");

    const char *ok = R"([{"name": "o", "service": "a", "rate": 1}])";

    QTest::addRow("misspelt top-level key")
        << QByteArray("{\n  \"durationMS\": 1000,\n  \"services\": []\n}")
        << QStringLiteral("scenario.json:2:3: durationMS: unknown key; did you mean 'durationMs'?");

    QTest::addRow("misspelt service key")
        << scenario(R"([{"name": "a", "capasity": 3}])", ok)
        << QStringLiteral("scenario.json:2:28: services[0].capasity: unknown "
                          "key; did you mean 'capacity'?");

    QTest::addRow("no services") << QByteArray("{\"operations\": []}")
                                 << QStringLiteral(
                                        "scenario.json:1:1: services: missing; expected an array of at "
                                        "least one service");

    QTest::addRow("empty services") << scenario("[]", ok)
                                    << QStringLiteral(
                                           "scenario.json:2:13: services: expected an array of at least "
                                           "one service, got an array");

    QTest::addRow("wrong type") << scenario(R"([{"name": "a", "capacity": "10"}])", ok)
                                << QStringLiteral(
                                       "scenario.json:2:40: services[0].capacity: expected a positive "
                                       "integer, got \"10\"");

    QTest::addRow("capacity 0") << scenario(R"([{"name": "a", "capacity": 0}])", ok)
                                << QStringLiteral(
                                       "scenario.json:2:40: services[0].capacity: expected a positive "
                                       "integer, got 0");

    QTest::addRow("error rate above 1")
        << scenario(R"([{"name": "a", "errorRate": 1.5}])", ok)
        << QStringLiteral("scenario.json:2:41: services[0].errorRate: expected a "
                          "rate between 0 and 1, got 1.5");

    QTest::addRow("negative queue limit")
        << scenario(R"([{"name": "a", "queueLimit": -1}])", ok)
        << QStringLiteral("scenario.json:2:42: services[0].queueLimit: expected a non-negative "
                          "integer, got -1");

    QTest::addRow("unknown abandoned")
        << scenario(R"([{"name": "a", "abandoned": "droped"}])", ok)
        << QStringLiteral("scenario.json:2:41: services[0].abandoned: expected \"served\" or \"dropped\", "
                          "got \"droped\"; did you mean 'dropped'?");

    QTest::addRow("duplicate service")
        << scenario(R"([{"name": "a"}, {"name": "a"}])", ok)
        << QStringLiteral("scenario.json:2:38: services[1].name: duplicate service "
                          "name 'a' (also services[0])");

    QTest::addRow("unknown dist") << scenario(R"([{"name": "a", "latency": {"dist": "lognormall"}}])", ok)
                                  << QStringLiteral(
                                         "scenario.json:2:48: services[0].latency.dist: expected "
                                         "\"fixed\", \"uniform\", \"normal\", \"lognormal\", "
                                         "\"exponential\", \"pareto\" or \"percentiles\", got "
                                         "\"lognormall\"; did you mean 'lognormal'?");

    QTest::addRow("key of another dist")
        << scenario(R"([{"name": "a", "latency": {"dist": "lognormal", "medianMs": 40, "maxMs": 9}}])", ok)
        << QStringLiteral(
               "scenario.json:2:77: services[0].latency.maxMs: does not apply to dist \"lognormal\" (it "
               "takes 'medianMs', 'p99Ms'; 'maxMs' belongs to \"uniform\")");

    QTest::addRow("missing dist parameter")
        << scenario(R"([{"name": "a", "latency": {"dist": "lognormal", "medianMs": 40}}])", ok)
        << QStringLiteral(
               "scenario.json:2:39: services[0].latency.p99Ms: missing; expected the 99th percentile "
               "latency in milliseconds");

    QTest::addRow("p99 below median")
        << scenario(R"([{"name": "a", "latency": {"dist": "lognormal", "medianMs": 40, "p99Ms": 30}}])", ok)
        << QStringLiteral("scenario.json:2:86: services[0].latency.p99Ms: expected p99Ms >= medianMs (40)");

    QTest::addRow("key of two other dists")
        << scenario(R"([{"name": "a", "latency": {"dist": "fixed", "ms": 4, "meanMs": 9}}])", ok)
        << QStringLiteral(
               "scenario.json:2:66: services[0].latency.meanMs: does not apply to dist \"fixed\" (it "
               "takes 'ms'; 'meanMs' belongs to \"normal\", \"exponential\")");

    QTest::addRow("exponential mean 0")
        << scenario(R"([{"name": "a", "latency": {"dist": "exponential", "meanMs": 0}}])", ok)
        << QStringLiteral("scenario.json:2:73: services[0].latency.meanMs: expected a duration in milliseconds (a "
                          "positive number), got 0");

    QTest::addRow("pareto without alpha")
        << scenario(R"([{"name": "a", "latency": {"dist": "pareto", "minMs": 5}}])", ok)
        << QStringLiteral("scenario.json:2:39: services[0].latency.alpha: missing; expected the tail index, "
                          "a number above 0 and at most 100");

    QTest::addRow("pareto alpha 0")
        << scenario(R"([{"name": "a", "latency": {"dist": "pareto", "minMs": 5, "alpha": 0}}])", ok)
        << QStringLiteral("scenario.json:2:79: services[0].latency.alpha: expected the tail index, "
                          "a number above 0 and at most 100, got 0");

    QTest::addRow("pareto alpha too large")
        << scenario(R"([{"name": "a", "latency": {"dist": "pareto", "minMs": 5, "alpha": 1000}}])", ok)
        << QStringLiteral("scenario.json:2:79: services[0].latency.alpha: expected the tail index, "
                          "a number above 0 and at most 100, got 1000");

    QTest::addRow("pareto without a scale")
        << scenario(R"([{"name": "a", "latency": {"dist": "pareto", "alpha": 2}}])", ok)
        << QStringLiteral("scenario.json:2:39: services[0].latency.minMs: missing; expected the smallest "
                          "latency (the scale) in milliseconds");

    QTest::addRow("percentiles without p99")
        << scenario(R"([{"name": "a", "latency": {"dist": "percentiles", "p50": 5, "p90": 9}}])", ok)
        << QStringLiteral("scenario.json:2:39: services[0].latency.p99: missing; expected the 99th "
                          "percentile latency in milliseconds");

    QTest::addRow("percentiles decreasing")
        << scenario(R"([{"name": "a", "latency": {"dist": "percentiles", "p50": 20, "p90": 50, "p99": 40}}])", ok)
        << QStringLiteral("scenario.json:2:92: services[0].latency.p99: expected p99 >= p90 (50)");

    QTest::addRow("percentiles p999 below p99, p90 absent")
        << scenario(R"([{"name": "a", "latency": {"dist": "percentiles", "p50": 20, "p99": 40, "p999": 30}}])", ok)
        << QStringLiteral("scenario.json:2:93: services[0].latency.p999: expected p999 >= p99 (40)");

    QTest::addRow("misspelt percentile")
        << scenario(R"([{"name": "a", "latency": {"dist": "percentiles", "p50": 20, "p95": 40, "p99": 60}}])", ok)
        << QStringLiteral("scenario.json:2:74: services[0].latency.p95: unknown key; did you mean 'p90'?");

    QTest::addRow("unknown operation service")
        << scenario(R"([{"name": "payments"}])", R"([{"name": "o", "service": "paymens", "rate": 1}])")
        << QStringLiteral(
               "scenario.json:3:41: operations[0].service: unknown service 'paymens'; did you mean "
               "'payments'? (services: payments)");

    QTest::addRow("service nothing close")
        << scenario(R"([{"name": "payments"}])", R"([{"name": "o", "service": "zzz", "rate": 1}])")
        << QStringLiteral(
               "scenario.json:3:41: operations[0].service: unknown service 'zzz' (services: payments)");

    QTest::addRow("missing rate") << scenario(R"([{"name": "a"}])", R"([{"name": "o", "service": "a"}])")
                                  << QStringLiteral(
                                         "scenario.json:3:16: operations[0].rate: missing; expected calls "
                                         "per second: a number, a {\"ramp\": ...} or [[atMs, rate], ...] "
                                         "steps");

    QTest::addRow("negative rate") << scenario(
        R"([{"name": "a"}])", R"([{"name": "o", "service": "a", "rate": -5}])")
                                   << QStringLiteral(
                                          "scenario.json:3:54: operations[0].rate: expected calls per "
                                          "second (a number between 0 and 1000000), got -5");

    QTest::addRow("steps out of order")
        << scenario(R"([{"name": "a"}])",
               R"([{"name": "o", "service": "a", "rate": [[0, 5], [2000, 9], [1000, 1]]}])")
        << QStringLiteral(
               "scenario.json:3:75: operations[0].rate[2][0]: expected steps in increasing time: 1000 is "
               "not after 2000");

    QTest::addRow("step not a pair")
        << scenario(R"([{"name": "a"}])", R"([{"name": "o", "service": "a", "rate": [[0, 5, 7]]}])")
        << QStringLiteral(
               "scenario.json:3:55: operations[0].rate[0]: expected a step [atMs, rate], got an array");

    QTest::addRow("misspelt ramp key")
        << scenario(R"([{"name": "a"}])",
               R"([{"name": "o", "service": "a", "rate": {"ramp": {"from": 1, "too": 5}}}])")
        << QStringLiteral("scenario.json:3:75: operations[0].rate.ramp.too: unknown key; did you mean 'to'?");

    QTest::addRow("ramp ends before it starts") << scenario(R"([{"name": "a"}])",
        R"([{"name": "o", "service": "a", "rate": {"ramp": {"from": 1, "to": 5, "atMs": 9000, "untilMs": 9000}}}])")
                                                << QStringLiteral("scenario.json:3:109: "
                                                                  "operations[0].rate.ramp.untilMs: expected "
                                                                  "untilMs > atMs (the ramp "
                                                                  "ends after it starts; untilMs defaults to "
                                                                  "durationMs)");

    QTest::addRow("unknown arrival")
        << scenario(
               R"([{"name": "a"}])", R"([{"name": "o", "service": "a", "rate": 1, "arrival": "poison"}])")
        << QStringLiteral(
               "scenario.json:3:68: operations[0].arrival: expected \"constant\", \"poisson\" or \"trace\", got "
               "\"poison\"; did you mean 'poisson'?");

    QTest::addRow("unknown policy name")
        << scenario(R"([{"name": "a"}])", R"([{"name": "o", "service": "a", "rate": 1, "policy": "strcit"}])",
               ",\n\"policies\": {\"strict\": {\"timeout\": 100}}")
        << QStringLiteral(
               "scenario.json:3:67: operations[0].policy: unknown policy 'strcit'; did you mean "
               "'strict'? (this scenario's policies: strict; presets: api, ai, database, external, "
               "critical, none)");

    QTest::addRow("bad inline policy")
        << scenario(R"([{"name": "a"}])",
               R"([{"name": "o", "service": "a", "rate": 1, "policy": {"retry": {"maxAttempts": 0}}}])")
        << QStringLiteral(
               "scenario.json:3:93: operations[0].policy.retry.maxAttempts: expected a positive integer, "
               "got 0");

    QTest::addRow("bad named policy")
        << scenario(R"([{"name": "a"}])", ok,
               ",\n\"policies\": {\"strict\": {\"circuitBreaker\": {\"failureTreshold\": 3}}}")
        << QStringLiteral(
               "scenario.json:4:44: policies.strict.circuitBreaker.failureTreshold: unknown key; did you "
               "mean 'failureThreshold'?");

    QTest::addRow("duplicate operation")
        << scenario(R"([{"name": "a"}])",
               R"([{"name": "o", "service": "a", "rate": 1}, {"name": "o", "service": "a", "rate": 2}])")
        << QStringLiteral(
               "scenario.json:3:67: operations[1].name: duplicate operation name 'o' (also operations[0])");

    QTest::addRow("unknown fault type")
        << scenario(R"([{"name": "a"}])", ok, ",\n\"faults\": [{\"service\": \"a\", \"type\": \"outtage\"}]")
        << QStringLiteral(
               "scenario.json:4:37: faults[0].type: expected \"outage\", \"errors\", \"latency\", \"hang\", "
               "\"rateLimit\", \"flapping\" or \"brownout\", got \"outtage\"; did you mean 'outage'?");

    QTest::addRow("key of another fault type")
        << scenario(R"([{"name": "a"}])", ok,
               ",\n\"faults\": [{\"service\": \"a\", \"type\": \"outage\", \"addMs\": 5}]")
        << QStringLiteral(
               "scenario.json:4:47: faults[0].addMs: does not apply to a \"outage\" fault (it takes "
               "'service', 'type', 'atMs', 'untilMs')");

    QTest::addRow("misspelt fault key")
        << scenario(R"([{"name": "a"}])", ok,
               ",\n\"faults\": [{\"service\": \"a\", \"type\": \"latency\", \"addMS\": 5}]")
        << QStringLiteral("scenario.json:4:48: faults[0].addMS: unknown key; did you mean 'addMs'?");

    QTest::addRow("fault ends before it starts") << scenario(R"([{"name": "a"}])", ok,
        ",\n\"faults\": [{\"service\": \"a\", \"type\": \"outage\", \"atMs\": 5000, \"untilMs\": 4000}]")
                                                 << QStringLiteral(
                                                        "scenario.json:4:72: faults[0].untilMs: expected "
                                                        "untilMs > atMs (5000): a fault ends after "
                                                        "it starts");

    QTest::addRow("fault on unknown service")
        << scenario(R"([{"name": "a"}, {"name": "search"}])", ok,
               ",\n\"faults\": [{\"service\": \"serch\", \"type\": \"outage\"}]")
        << QStringLiteral(
               "scenario.json:4:24: faults[0].service: unknown service 'serch'; did you mean 'search'? "
               "(services: a, search)");

    QTest::addRow("fault without type")
        << scenario(R"([{"name": "a"}])", ok, ",\n\"faults\": [{\"service\": \"a\"}]")
        << QStringLiteral("scenario.json:4:12: faults[0].type: missing; expected one of 'outage', 'errors', "
                          "'latency', 'hang', 'rateLimit', 'flapping', 'brownout'");

    QTest::addRow("brownout not below capacity")
        << scenario(R"([{"name": "a", "capacity": 8}])", ok,
               ",\n\"faults\": [{\"service\": \"a\", \"type\": \"brownout\", \"capacity\": 8}]")
        << QStringLiteral(
               "scenario.json:4:61: faults[0].capacity: a brownout reduces capacity: expected less than "
               "the service's capacity (8), got 8");

    QTest::addRow("rate limit of 0 rps")
        << scenario(R"([{"name": "a"}])", ok,
               ",\n\"faults\": [{\"service\": \"a\", \"type\": \"rateLimit\", \"rps\": 0}]")
        << QStringLiteral(
               "scenario.json:4:57: faults[0].rps: expected requests per second (a positive number of at most 1000000), got 0");

    QTest::addRow("hang rate above 1")
        << scenario(R"([{"name": "a"}])", ok,
               ",\n\"faults\": [{\"service\": \"a\", \"type\": \"hang\", \"rate\": 2}]")
        << QStringLiteral("scenario.json:4:53: faults[0].rate: expected a rate between 0 and 1, got 2");

    QTest::addRow("latency fault adding nothing")
        << scenario(R"([{"name": "a"}])", ok, ",\n\"faults\": [{\"service\": \"a\", \"type\": \"latency\"}]")
        << QStringLiteral(
               "scenario.json:4:12: faults[0].addMs: missing; expected the latency added in milliseconds "
               "(a latency fault needs addMs or jitterMs above 0)");

    QTest::addRow("zero duration")
        << QByteArray("{\"durationMs\": 0}")
        << QStringLiteral(
               "scenario.json:1:16: durationMs: expected a duration in milliseconds (a positive number), "
               "got 0");

    QTest::addRow("negative seed") << QByteArray("{\"seed\": -1}")
                                   << QStringLiteral(
                                          "scenario.json:1:10: seed: expected a non-negative integer (at "
                                          "most 2^53), got -1");

    QTest::addRow("not an object") << QByteArray(
        "[1, 2]") << QStringLiteral("scenario.json:1:1: expected a JSON object at the top level");
}

void tst_ScenarioLoader::badScenario()
{
    QFETCH(QByteArray, json);
    QFETCH(QString, expected);
    LoadError error;
    QVERIFY(!parse(json, &error));
    QCOMPARE(error.toString(), expected);
    QCOMPARE(error.file, QStringLiteral("scenario.json"));
}

// Every size, count, rate and duration has an upper bound (docs/formats.md, "Limits"): the limit
// itself is read, one past it or far past it is refused at that key.
void tst_ScenarioLoader::limits_data()
{
    QTest::addColumn<QByteArray>("json"); // %1 is the value
    QTest::addColumn<QString>("key");
    QTest::addColumn<double>("limit");
    const double count = Limits::MaxCount, ms = Limits::MaxDurationMs, rate = Limits::MaxRate;
    const char *service = R"([{"name": "a"}])", *operation = R"([{"name": "o", "service": "a", "rate": 1}])";
    QTest::addRow("durationMs") << scenario(service, operation, R"(, "durationMs": %1)")
                                << QStringLiteral("durationMs") << ms;
    QTest::addRow("capacity") << scenario(R"([{"name": "a", "capacity": %1}])", operation)
                              << QStringLiteral("services[0].capacity") << count;
    QTest::addRow("queueLimit") << scenario(R"([{"name": "a", "queueLimit": %1}])", operation)
                                << QStringLiteral("services[0].queueLimit") << count;
    QTest::addRow("latency") << scenario(R"([{"name": "a", "latency": %1}])", operation)
                             << QStringLiteral("services[0].latency") << ms;
    QTest::addRow("latency.maxMs")
        << scenario(R"([{"name": "a", "latency": {"dist": "uniform", "minMs": 0, "maxMs": %1}}])", operation)
        << QStringLiteral("services[0].latency.maxMs") << ms;
    QTest::addRow("rate") << scenario(service, R"([{"name": "o", "service": "a", "rate": %1}])")
                          << QStringLiteral("operations[0].rate") << rate;
    QTest::addRow("rate step time") << scenario(service, R"([{"name": "o", "service": "a", "rate": [[%1, 1]]}])")
                                    << QStringLiteral("operations[0].rate[0][0]") << ms;
    QTest::addRow("policy") << scenario(service,
        R"([{"name": "o", "service": "a", "rate": 1, "policy": {"bulkhead": {"maxQueueSize": %1}}}])")
                            << QStringLiteral("operations[0].policy.bulkhead.maxQueueSize") << count;
    const auto fault = [&](const char *name, const char *json, const char *key, double limit) {
        QTest::addRow("%s", name) << scenario(service, operation, (QByteArray(", \"faults\": [") + json + "]").constData())
                                  << QStringLiteral("faults[0].") + QLatin1StringView(key) << limit;
    };
    fault("atMs", R"({"service": "a", "type": "outage", "atMs": %1})", "atMs", ms);
    fault("untilMs", R"({"service": "a", "type": "outage", "untilMs": %1})", "untilMs", ms);
    fault("addMs", R"({"service": "a", "type": "latency", "addMs": %1})", "addMs", ms);
    fault("rps", R"({"service": "a", "type": "rateLimit", "rps": %1})", "rps", rate);
    fault("retryAfterMs", R"({"service": "a", "type": "rateLimit", "rps": 1, "retryAfterMs": %1})", "retryAfterMs", ms);
    fault("upMs", R"({"service": "a", "type": "flapping", "upMs": %1, "downMs": 1})", "upMs", ms);
}

void tst_ScenarioLoader::limits()
{
    QFETCH(QByteArray, json);
    QFETCH(QString, key);
    QFETCH(double, limit);
    const auto with = [&](double v) { return QByteArray(json).replace("%1", QByteArray::number(v, 'g', 17)); };
    LoadError error;
    QVERIFY2(parse(with(limit), &error), qPrintable(error.toString()));
    for (const double past : { limit + 1, 1e12 }) {
        error = LoadError {};
        QVERIFY(!parse(with(past), &error));
        QCOMPARE(error.key, key);
        QVERIFY2(error.message.contains(QString::number(limit, 'g', 12)), qPrintable(error.toString()));
        QVERIFY(error.line > 0 && error.column > 0);
    }
}

// A trace operation: its calls and backend are the trace's; the trace file is read relative to
// the scenario file, and durationMs, when left out, is where the trace ends.
void tst_ScenarioLoader::traceOperation()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    QVERIFY(QDir(dir.path()).mkdir(QStringLiteral("traces")));
    QFile trace(dir.filePath(QStringLiteral("traces/orders.csv")));
    QVERIFY(trace.open(QIODevice::WriteOnly));
    trace.write("start_ms,duration_ms,outcome\n0,20,success\n1500,700,failure\n1800,10,success\n");
    trace.close();
    const QByteArray json = R"({"name": "twin", "operations": [{"name": "orders", "arrival": "trace",
        "trace": "traces/orders.csv", "policy": "api"}]})";
    const QString path = dir.filePath(QStringLiteral("twin.json"));
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(json);
    file.close();
    LoadError error;
    const std::optional<ScenarioConfig> s = loadScenarioFile(path, &error);
    QVERIFY2(s, qPrintable(error.toString()));
    QVERIFY(s->services.isEmpty()); // every operation replays a trace: no modelled service needed
    const OperationConfig &op = s->operations.constFirst();
    QCOMPARE(op.arrival, ArrivalKind::Trace);
    QCOMPARE(op.service, QStringLiteral("orders")); // the recorded backend, named after the file
    QCOMPARE(op.tracePath, QStringLiteral("traces/orders.csv"));
    QVERIFY(op.trace);
    QCOMPARE(op.trace->rows.size(), std::size_t(3));
    QCOMPARE(op.policyName, QStringLiteral("api"));
    QVERIFY(s->untilTracesEnd);
    QCOMPARE(s->duration, fromMs(2200)); // the row at 1500 lasting 700 ends last

    // Written back as it was read; durationMs given is kept, and the run then ends there.
    const QJsonObject written = scenarioToJson(*s);
    QVERIFY(!written.contains(QStringLiteral("durationMs")));
    QVERIFY(!written.contains(QStringLiteral("services")));
    const QJsonObject writtenOp = written.value(QStringLiteral("operations")).toArray().at(0).toObject();
    QCOMPARE(writtenOp.value(QStringLiteral("trace")).toString(), QStringLiteral("traces/orders.csv"));
    QCOMPARE(writtenOp.value(QStringLiteral("arrival")).toString(), QStringLiteral("trace"));
    QVERIFY(!writtenOp.contains(QStringLiteral("service")));
    QVERIFY(!writtenOp.contains(QStringLiteral("rate")));
    QFile again(path);
    QVERIFY(again.open(QIODevice::WriteOnly));
    again.write(scenarioToJsonBytes(*s).replace("\"name\": \"twin\"", "\"name\": \"twin\", \"durationMs\": 1000"));
    again.close();
    const std::optional<ScenarioConfig> cut = loadScenarioFile(path, &error);
    QVERIFY2(cut, qPrintable(error.toString()));
    QVERIFY(!cut->untilTracesEnd);
    QCOMPARE(cut->duration, fromMs(1000));
}

void tst_ScenarioLoader::traceOperationBadInput_data()
{
    QTest::addColumn<QByteArray>("operation");
    QTest::addColumn<QString>("expected");
    QTest::addRow("service on a trace operation")
        << QByteArray(R"({"name": "o", "arrival": "trace", "trace": "t.csv", "service": "a"})")
        << QStringLiteral("scenario.json:3:68: operations[0].service: an operation with \"arrival\": \"trace\" replays "
                          "its trace: its calls arrive and are answered as recorded; remove \"service\"");
    QTest::addRow("rate on a trace operation")
        << QByteArray(R"({"name": "o", "arrival": "trace", "trace": "t.csv", "rate": 5})")
        << QStringLiteral("scenario.json:3:68: operations[0].rate: an operation with \"arrival\": \"trace\" replays "
                          "its trace: its calls arrive and are answered as recorded; remove \"rate\"");
    QTest::addRow("no trace")
        << QByteArray(R"({"name": "o", "arrival": "trace"})")
        << QStringLiteral("scenario.json:3:16: operations[0].trace: missing; expected a trace CSV file (docs/formats.md, "
                          "\"Replay trace\"), relative to the scenario file");
    QTest::addRow("trace on a modelled operation")
        << QByteArray(R"({"name": "o", "service": "a", "rate": 1, "trace": "t.csv"})")
        << QStringLiteral("scenario.json:3:57: operations[0].trace: only an operation with \"arrival\": \"trace\" "
                          "replays a trace");
    QTest::addRow("misspelt trace key")
        << QByteArray(R"({"name": "o", "arrival": "trace", "trcae": "t.csv"})")
        << QStringLiteral("scenario.json:3:50: operations[0].trcae: unknown key; did you mean 'trace'?");
    QTest::addRow("no such trace file")
        << QByteArray(R"({"name": "o", "arrival": "trace", "trace": "missing.csv"})")
        << QStringLiteral("scenario.json:3:59: operations[0].trace: DIR/missing.csv: cannot read: No such file or directory");
    QTest::addRow("bad row in the trace")
        << QByteArray(R"({"name": "o", "arrival": "trace", "trace": "bad.csv"})")
        << QStringLiteral("DIR/bad.csv:3:1: start_ms: rows must be sorted by start_ms: 5 comes after 10 on line 2");
    QTest::addRow("recorded backend named like a service")
        << QByteArray(R"({"name": "o", "arrival": "trace", "trace": "a.csv"})")
        << QStringLiteral("scenario.json:3:59: operations[0].trace: the trace's recorded backend is named after its file, "
                          "'a', like a service of the scenario; rename the trace file or the service");
}

void tst_ScenarioLoader::traceOperationBadInput()
{
    QFETCH(QByteArray, operation);
    QFETCH(QString, expected);
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    for (const auto &[name, csv] : { std::pair { "a.csv", "start_ms,duration_ms,outcome\n0,1,success\n" },
             std::pair { "t.csv", "start_ms,duration_ms,outcome\n0,1,success\n" },
             std::pair { "bad.csv", "start_ms,duration_ms,outcome\n10,1,success\n5,1,success\n" } }) {
        QFile f(dir.filePath(QLatin1StringView(name)));
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(csv);
    }
    LoadError error;
    const QByteArray json = scenario(R"([{"name": "a"}])", ("[" + operation + "]").constData());
    QVERIFY(!parseScenario(json, dir.filePath(QStringLiteral("scenario.json")), &error));
    QString message = error.toString().replace(dir.path(), QStringLiteral("DIR"));
    QCOMPARE(message.replace(QStringLiteral("DIR/scenario.json"), QStringLiteral("scenario.json")), expected);
}

void tst_ScenarioLoader::urlService()
{
    LoadError error;
    const auto s = parse(scenario(R"([{"name": "a", "url": "http://127.0.0.1:8080/api"}, {"name": "m"}])",
                             R"([{"name": "o", "service": "a", "rate": 1, "request": {"method": "post", "path": "/pay",
                                 "headers": {"X-Trace": "1"}, "body": {"amount": 5}}},
                                 {"name": "p", "service": "a", "rate": 1}])"),
        &error);
    QVERIFY2(s, qPrintable(error.toString()));
    QCOMPARE(s->services[0].url, QStringLiteral("http://127.0.0.1:8080/api"));
    QVERIFY(s->services[1].url.isEmpty());
    const HttpRequestConfig &r = s->operations[0].request;
    QCOMPARE(r.method, QByteArray("POST"));
    QCOMPARE(r.path, QStringLiteral("/pay"));
    QCOMPARE(r.body, QByteArray(R"({"amount":5})"));
    QCOMPARE(r.headers.size(), 2); // JSON given as JSON is typed as such
    QCOMPARE(r.headers[0].first, QByteArray("X-Trace"));
    QCOMPARE(r.headers[1].second, QByteArray("application/json"));
    QCOMPARE(s->operations[1].request.method, QByteArray("GET"));
}

void tst_ScenarioLoader::urlServiceBadInput_data()
{
    QTest::addColumn<QByteArray>("services");
    QTest::addColumn<QByteArray>("operations");
    QTest::addColumn<QString>("key");
    QTest::addColumn<QString>("message");
    const QByteArray op = R"([{"name": "o", "service": "a", "rate": 1}])";
    QTest::newRow("model key") << QByteArray(R"([{"name": "a", "url": "http://h/", "capacity": 5}])") << op
                               << "services[0].capacity" << "has no model; remove \"capacity\"";
    QTest::newRow("abandoned") << QByteArray(R"([{"name": "a", "url": "http://h/", "abandoned": "dropped"}])") << op
                               << "services[0].abandoned" << "has no model; remove \"abandoned\"";
    QTest::newRow("misspelt key") << QByteArray(R"([{"name": "a", "url": "http://h/", "nmae": "x"}])") << op
                                  << "services[0].nmae" << "did you mean 'name'?";
    QTest::newRow("not http") << QByteArray(R"([{"name": "a", "url": "ftp://h/x"}])") << op << "services[0].url"
                              << "an http:// or https:// URL";
    QTest::newRow("no host") << QByteArray(R"([{"name": "a", "url": "http://"}])") << op << "services[0].url"
                             << "with a host";
    QTest::newRow("query") << QByteArray(R"([{"name": "a", "url": "http://h/x?y=1"}])") << op << "services[0].url"
                           << "no query";
    QTest::newRow("url not text") << QByteArray(R"([{"name": "a", "url": 5}])") << op << "services[0].url" << "";
    QTest::newRow("no name") << QByteArray(R"([{"url": "http://h/"}])") << op << "services[0].name" << "";
    const QByteArray url = R"([{"name": "a", "url": "http://h/"}, {"name": "m"}])";
    QTest::newRow("request to simulated") << url
                                          << QByteArray(R"([{"name": "o", "service": "m", "rate": 1, "request": {}}])")
                                          << "operations[0].request" << "service 'm' is simulated";
    QTest::newRow("request key") << url
                                 << QByteArray(R"([{"name": "o", "service": "a", "rate": 1, "request": {"methd": "GET"}}])")
                                 << "operations[0].request.methd" << "did you mean 'method'?";
    QTest::newRow("bad method") << url
                                << QByteArray(R"([{"name": "o", "service": "a", "rate": 1, "request": {"method": "GE T"}}])")
                                << "operations[0].request.method" << "an HTTP method";
    QTest::newRow("bad header name") << url
                                     << QByteArray(R"([{"name": "o", "service": "a", "rate": 1, "request": {"headers": {"a b": "1"}}}])")
                                     << "operations[0].request.headers.a b" << "not a valid HTTP header name";
    QTest::newRow("header not text") << url
                                     << QByteArray(R"([{"name": "o", "service": "a", "rate": 1, "request": {"headers": {"X": 1}}}])")
                                     << "operations[0].request.headers.X" << "";
    QTest::newRow("body a number") << url
                                   << QByteArray(R"([{"name": "o", "service": "a", "rate": 1, "request": {"body": 3}}])")
                                   << "operations[0].request.body" << "a string, or a JSON object or array";
}

void tst_ScenarioLoader::urlServiceBadInput()
{
    QFETCH(QByteArray, services);
    QFETCH(QByteArray, operations);
    QFETCH(QString, key);
    QFETCH(QString, message);
    LoadError error;
    QVERIFY(!parse(scenario(services.constData(), operations.constData()), &error));
    QCOMPARE(error.key, key);
    QVERIFY2(error.message.contains(message), qPrintable(error.toString()));
    QVERIFY(error.line > 0);
}

void tst_ScenarioLoader::syntaxAndDuplicateKeys()
{
    LoadError error;
    QVERIFY(!parse("{\n  \"services\": [{\"name\": \"a\", \"name\": \"b\"}]\n}", &error));
    QCOMPARE(error.toString(), QStringLiteral("scenario.json:2:30: services[0].name: duplicate key"));
    QVERIFY(!parse("{\n  \"seed\": 1\n  \"services\": []\n}", &error));
    QCOMPARE(error.line, 3);
    QVERIFY2(error.message.startsWith(QStringLiteral("invalid JSON: ")), qPrintable(error.message));
    QVERIFY(!parse("", &error));
    QCOMPARE(error.toString(), QStringLiteral("scenario.json:1:1: empty file; expected a JSON object"));
}

void tst_ScenarioLoader::loadByFileAndName()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("mine.json"));
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write(scenario(R"([{"name": "a"}])", R"([{"name": "o", "service": "a", "rate": 1}])"));
    f.close();
    LoadError error;
    auto s = loadScenario(path, &error);
    QVERIFY2(s, qPrintable(error.toString()));
    QCOMPARE(s->name, QStringLiteral("mine"));
    s = loadScenarioFile(path, &error);
    QVERIFY(s);

    s = loadScenario(QString(DefaultScenarioName), &error);
    QVERIFY2(s, qPrintable(error.toString()));
    QCOMPARE(s->name, QString(DefaultScenarioName));

    QVERIFY(!loadScenarioFile(dir.filePath(QStringLiteral("absent.json")), &error));
    QVERIFY2(error.message.startsWith(QStringLiteral("cannot read: ")), qPrintable(error.message));
}

void tst_ScenarioLoader::unknownName()
{
    LoadError error;
    QVERIFY(!loadScenario(QStringLiteral("retry-strom"), &error));
    QCOMPARE(error.file, QStringLiteral("retry-strom"));
    QVERIFY2(
        error.message.startsWith(QStringLiteral("no such file, and not a built-in scenario; did you mean "
                                                "'retry-storm'? (built-in: outage-and-recovery, ")),
        qPrintable(error.message));
    QVERIFY(!loadScenario(QStringLiteral("zzzzzzzz"), &error));
    QVERIFY2(
        error.message.startsWith(QStringLiteral("no such file, and not a built-in scenario (built-in: ")),
        qPrintable(error.message));
}

QTEST_GUILESS_MAIN(tst_ScenarioLoader)
#include "tst_scenarioloader.moc"
