#pragma once

#include "../resilience/loaderror.h"
#include "scenario.h"

#include <QJsonObject>

#include <optional>

namespace bw {

// Reads the scenario JSON of docs/formats.md into a ScenarioConfig, strictly, with the same messages
// as PolicyLoader: the first problem ends the read with a LoadError naming the file, line,
// column, key path, what was expected and, for a misspelt key or name, the nearest valid one.
//
// Top level: name (default: the file's base name), description, lookFor (free text: what to look
// for), durationMs (> 0, default 60000), seed (default 1), services[] (at least one),
// operations[] (at least one), policies {name: policy object}, faults[].
//
// services[i]: name, capacity (>= 1, default 100), queueLimit (>= 0; 0 = no waiting room;
//   absent = unbounded), abandoned ("served" | "dropped", default "served"), latency, errorRate
//   (0..1, default 0), errorCode (default "500"); or, for a real HTTP
//   service (real network mode), name and url (http:// or https://, no query) and nothing else.
// latency: a number (fixed ms), or {"dist": "fixed", "ms"} | {"dist": "uniform", "minMs",
//   "maxMs"} | {"dist": "normal", "meanMs", "stddevMs"} | {"dist": "lognormal", "medianMs",
//   "p99Ms"} | {"dist": "exponential", "meanMs" > 0} | {"dist": "pareto", "minMs" > 0, "alpha"
//   in (0, 100]} | {"dist": "percentiles", "p50", "p90"?, "p99", "p999"?} (non-decreasing);
//   every parameter of the chosen dist is required unless marked "?", no other key is allowed.
//   Default: fixed 10 ms.
// operations[i]: name, service (must exist), rate (required), arrival ("constant" | "poisson",
//   default "poisson"), policy (default none: calls go straight to the service), request (URL
//   services only: {"method" (default GET), "path" (appended to the url), "headers" {name:
//   value}, "body" (a string, or JSON sent as JSON)}); or, with "arrival": "trace", name, trace
//   (a replay trace file, relative to the scenario file, read by TraceReader) and policy, and
//   nothing else: its backend is the recorded one, a service named after the trace file that
//   must not be one of services. services may be left out when every operation replays a trace;
//   durationMs left out of a scenario with a trace is where its traces end (untilTracesEnd).
// rate: calls per second, one of
//   - a number: constant;
//   - {"ramp": {"from": R0, "to": R1, "atMs": T0, "untilMs": T1}}: R0 until T0, linear to R1 at
//     T1, R1 after; from and to are required, atMs defaults to 0, untilMs to durationMs;
//   - [[atMs, rate], ...]: steps with strictly increasing atMs; no calls before the first.
// policy: the name of a key of "policies", a preset (api, ai, database, external, critical),
//   "none", or an inline policy object (read by PolicyLoader at "operations[i].policy"; its
//   policyName is its "name", else the operation's). The scenario's own policies win over
//   presets of the same name.
// faults[i]: service (must exist), type, atMs (default 0), untilMs (> atMs; absent: until the
//   end), then only the keys of its type, with FaultConfig's defaults:
//   outage: -; errors: rate (1), code ("500"); latency: addMs (0), jitterMs (0), one of them > 0;
//   hang: rate (1); rateLimit: rps (> 0, 10), retryAfterMs (1000); flapping: upMs (5000),
//   downMs (5000), both > 0; brownout: capacity (1), below the service's own capacity.
class ScenarioLoader
{
public:
    explicit ScenarioLoader(const JsonSource &source)
        : m_source(source)
    { }

    std::optional<ScenarioConfig> read(
        const QJsonObject &root, const QString &defaultName, LoadError *error) const;

    static QStringList topLevelKeys();
    static QStringList serviceKeys();
    static QStringList operationKeys();
    static QStringList faultKeys(FaultKind kind); // the common keys plus those of the type

private:
    const JsonSource &m_source;
};

// Parses scenario JSON; `fileName` is used in messages and gives the default name.
std::optional<ScenarioConfig> parseScenario(
    const QByteArray &json, const QString &fileName, LoadError *error);
// Reads a scenario file.
std::optional<ScenarioConfig> loadScenarioFile(const QString &path, LoadError *error);
// A path to an existing file is read as a scenario file; otherwise the name of a built-in
// scenario ("outage-and-recovery") gives that scenario; anything else is an error listing the
// built-ins, with the nearest name.
std::optional<ScenarioConfig> loadScenario(const QString &fileOrName, LoadError *error);

} // namespace bw
