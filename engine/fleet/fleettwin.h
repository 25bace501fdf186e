#pragma once

#include "fleetmodel.h"

#include "../resilience/policy.h"
#include "../scenario/scenario.h"
#include "../scenario/tracereader.h"

#include <QByteArray>

namespace bw {

// The twin of a real breaker (docs/formats.md, "Fleet monitoring"): its observed history as a
// replay trace, and its library's default breaker settings as a Breakwater policy, so that
// `breakwater replay`, `compare` and `sweep` ask "what would other settings have done here?".

struct TwinReport
{
    std::int64_t steps = 0, stepsWithoutData = 0;
    std::int64_t calls = 0, failures = 0;
    // Calls the real breaker rejected: their backend outcome is unknown, so they take the
    // failure ratio of the nearest earlier step that let calls through.
    std::int64_t rejectedCalls = 0;
};

// Each step's calls (callsPerSecond × step, rounded, the remainder carried to the next step so
// totals are kept) spread evenly over the step, failuresPerSecond × step of them failures spread
// evenly among them, each lasting the step's mean latency (0 where the library times nothing).
// start_ms counts from the series' first point. Deterministic.
Trace twinTrace(const BreakerSeries &series, Duration step, const QString &fileName, TwinReport *report = nullptr);
// The twin as a scenario `compare` and `sweep` take, and the window's lab opens: one operation,
// named after the breaker, replaying twinTrace() through `policy` (the known settings), with
// "trace": `tracePath` (where the caller writes traceCsv() of it, relative to the scenario file
// or absolute).
ScenarioConfig twinScenario(const BreakerSeries &series, Duration step, const QString &tracePath, const PolicyConfig &policy,
    TwinReport *report = nullptr);
// The trace as the CSV TraceReader reads (start_ms,duration_ms,outcome,code).
QByteArray traceCsv(const Trace &trace);

// The library's documented default circuit breaker as a policy named after the breaker:
// Resilience4j's CircuitBreakerConfig defaults, opossum's options defaults, Polly v8's
// CircuitBreakerStrategyOptions defaults, Hystrix's HystrixCommandProperties defaults, and
// Breakwater's own default breaker.
PolicyConfig libraryDefaultPolicy(FleetLibrary library, const QString &name);

} // namespace bw
