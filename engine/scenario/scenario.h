#pragma once

#include "../resilience/policy.h"
#include "tracereader.h"

#include <QJsonObject>
#include <QList>
#include <QMap>
#include <QString>

#include <cstdint>
#include <memory>
#include <optional>

namespace bw {

// The scenario JSON of docs/formats.md, as the loader reads it. Durations are Durations here,
// milliseconds in the file.

enum class LatencyKind : std::uint8_t { Fixed, Uniform, Normal, Lognormal, Exponential, Pareto, Percentiles };

struct LatencyConfig
{
    LatencyKind kind = LatencyKind::Fixed;
    Duration fixed = fromMs(10);             // fixed: ms
    Duration min {}, max {};                 // uniform: minMs, maxMs; pareto: minMs
    Duration mean {}, stddev {};             // normal: meanMs, stddevMs (clamped at 0); exponential: meanMs
    Duration median {}, p99 {};              // lognormal: medianMs, p99Ms; percentiles: p50, p99
    Duration p90 {}, p999 {};                // percentiles: p90, p999 (optional; 0 when absent)
    double alpha = 0;                        // pareto: the tail index
};

// What a service does with a request whose caller gave up (docs/semantics.md, "Simulated services").
enum class AbandonedRequests : std::uint8_t {
    Served,  // the server does not know: it serves the request in its turn, nobody reads the answer
    Dropped, // the server notices: the request leaves the queue, or frees its worker, at once
};
QLatin1StringView abandonedRequestsName(AbandonedRequests abandoned);

struct ServiceConfig
{
    QString name;
    int capacity = 100;          // requests served at once; the rest wait in the service's queue
    std::optional<int> queueLimit; // requests that may wait: absent unbounded, 0 none; beyond, 503 at once
    AbandonedRequests abandoned = AbandonedRequests::Served;
    LatencyConfig latency;
    double errorRate = 0;        // baseline, before faults
    QString errorCode = QStringLiteral("500");
    QString url;                 // a real HTTP service (real network mode) instead of a model
};

// Trace: the calls of a recorded trace, each at its start_ms, answered as recorded (the
// operation's `trace`).
enum class ArrivalKind : std::uint8_t { Constant, Poisson, Trace };

// Calls per second over time: a constant, a linear ramp, or steps [atMs, rate].
struct RateConfig
{
    enum class Shape : std::uint8_t { Constant, Ramp, Steps } shape = Shape::Constant;
    double rate = 10;
    double from = 0, to = 0;      // ramp
    Duration rampStart {}, rampEnd {};
    QList<std::pair<Duration, double>> steps; // sorted by time; before the first: 0

    double at(Duration t) const;

    // Arrivals sample this function as a non-homogeneous process by time rescaling, so both
    // work in seconds since the run's start (doubles: exact enough, and no drift from rounding
    // each arrival to a nanosecond).
    // The calls expected in [from, to): the rate's integral.
    double callsBetween(double from, double to) const;
    // When `calls` calls will have accumulated since `from` (the inverse of callsBetween);
    // infinity when the rate never supplies that many. Walks the pieces in between, so a long
    // stretch at rate 0 costs one step.
    double whenAccumulated(double from, double calls) const;

private:
    // The rate from t on: rate + slope × (seconds after t), until `end` seconds.
    struct Piece
    {
        double rate, slope, end;
    };
    Piece pieceAt(double t) const;
};

// What an operation of a URL service sends (real network mode): a request to the service's URL
// with `path` appended.
struct HttpRequestConfig
{
    QByteArray method = QByteArrayLiteral("GET");
    QString path;
    QList<std::pair<QByteArray, QByteArray>> headers;
    QByteArray body;
};

struct OperationConfig
{
    QString name;
    QString service;
    RateConfig rate;
    ArrivalKind arrival = ArrivalKind::Poisson;
    QString policyName;           // as written: a preset or a key of the scenario's policies
    PolicyConfig policy;          // resolved
    HttpRequestConfig request;    // URL services only
    // Trace arrivals only: the trace as the file names it (relative to the scenario file), and
    // its rows, shared by every copy of the scenario (a compare or sweep runs many at once, read
    // only). Its backend is the recorded one, a service named `service` that the scenario's
    // services do not list.
    QString tracePath;
    std::shared_ptr<const Trace> trace;
};

enum class FaultKind : std::uint8_t { Outage, Errors, Latency, Hang, RateLimit, Flapping, Brownout };
QLatin1StringView faultKindName(FaultKind kind);
std::optional<FaultKind> faultKindFromName(QStringView name);

struct FaultConfig
{
    QString service;
    FaultKind kind = FaultKind::Outage;
    Duration at {};
    Duration until = Duration::max(); // open-ended when absent
    double rate = 1.0;                // errors, hang: share of requests
    QString code = QStringLiteral("500"); // errors
    Duration add {}, jitter {};       // latency
    double rps = 10;                  // rateLimit: requests per second admitted
    Duration retryAfter = fromMs(1000); // rateLimit: Retry-After sent with 429
    Duration up = fromMs(5000), down = fromMs(5000); // flapping
    int capacity = 1;                 // brownout: capacity while it lasts

    friend bool operator==(const FaultConfig &, const FaultConfig &) = default;
};

// A fault's own parameters as the scenario format names them (rate, code, addMs, ...).
QJsonObject faultParameters(const FaultConfig &fault);

struct ScenarioConfig
{
    QString name;
    QString description;
    QString lookFor;              // what the scenario demonstrates: what to look for
    Duration duration = fromMs(60000);
    // durationMs was left out of a scenario with a trace operation: `duration` is where its
    // traces end (the latest start + duration), and calls still in flight there finish instead
    // of being cut off, so that every recorded call has its outcome, as in a replay.
    bool untilTracesEnd = false;
    std::uint64_t seed = 1;
    QList<ServiceConfig> services;
    QList<OperationConfig> operations;
    QMap<QString, PolicyConfig> policies;
    QList<FaultConfig> faults;

    int serviceIndex(const QString &name) const;
};

// The policy a scenario's operation names: a key of the scenario's policies, else a preset.
std::optional<PolicyConfig> resolvePolicy(const ScenarioConfig &scenario, const QString &name);

// The recorded backend of a trace operation: named after the trace file ("incident" for
// incident.csv), "backend" if it has no name.
QString recordedServiceName(const Trace &trace);

// A trace replayed through one policy (`breakwater replay`, the incident import, the fleet's
// twin): one trace operation, named after the policy ("replay" if it has none), whose recorded
// backend and the scenario are named after the trace file, lasting until the trace ends. Its
// "trace" as a file would name it is the trace's fileName.
ScenarioConfig traceScenario(std::shared_ptr<const Trace> trace, PolicyConfig policy);

// A stable 64-bit hash of a name (FNV-1a over UTF-16), for deriving random streams from the
// names of services and operations that do not change with Qt's hash seed or version.
std::uint64_t stableHash(QStringView name);

} // namespace bw
