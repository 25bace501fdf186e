#include "fleettwin.h"

#include <cmath>

namespace bw {

Trace twinTrace(const BreakerSeries &series, Duration step, const QString &fileName, TwinReport *report)
{
    TwinReport r;
    Trace trace;
    trace.fileName = fileName;
    if (series.points.empty() || step <= Duration::zero()) {
        if (report)
            *report = r;
        return trace;
    }
    const double stepSeconds = toSeconds(step);
    // A query_range point at t holds the rates over the step that ends at t: its calls go in
    // [t - step, t), and the trace starts one step before the first point.
    const std::int64_t originMs = series.points.front().timeMs - std::chrono::duration_cast<std::chrono::milliseconds>(step).count();
    double carryCalls = 0, carryFailures = 0;
    double lastFailureRatio = 0; // of the calls the breaker let through, in the latest step that had some
    for (const HistoryPoint &p : series.points) {
        ++r.steps;
        if (!hasFigure(p.callsPerSecond)) {
            ++r.stepsWithoutData;
            continue;
        }
        const double rejected = hasFigure(p.rejectedPerSecond) ? p.rejectedPerSecond : 0.0;
        const double failed = hasFigure(p.failuresPerSecond) ? p.failuresPerSecond : 0.0;
        const double permitted = std::max(0.0, p.callsPerSecond - rejected);
        if (permitted > 0)
            lastFailureRatio = std::min(1.0, failed / permitted);
        const double wanted = p.callsPerSecond * stepSeconds + carryCalls;
        const std::int64_t calls = std::max<std::int64_t>(0, std::llround(std::floor(wanted + 0.5)));
        carryCalls = wanted - double(calls);
        const double wantedFailures = (failed + rejected * lastFailureRatio) * stepSeconds + carryFailures;
        const std::int64_t failures = std::clamp<std::int64_t>(std::llround(std::floor(wantedFailures + 0.5)), 0, calls);
        carryFailures = wantedFailures - double(failures);
        r.calls += calls;
        r.failures += failures;
        r.rejectedCalls += std::llround(rejected * stepSeconds);
        const Duration latency = hasFigure(p.meanLatencyMs) && p.meanLatencyMs > 0 ? fromMs(p.meanLatencyMs) : Duration::zero();
        const Duration stepStart = fromMs(p.timeMs - originMs) - step;
        for (std::int64_t j = 0; j < calls; ++j) {
            TraceRow row;
            row.start = stepStart + Duration(std::llround((double(j) + 0.5) * double(step.count()) / double(calls)));
            row.duration = latency;
            // Failures spread evenly among the step's calls (Bresenham): the j-th call fails when
            // the running share of failures passes a whole one.
            row.success = (j + 1) * failures / calls == j * failures / calls;
            if (!row.success)
                row.code = ErrorCode::httpStatus(500);
            trace.rows.push_back(row);
        }
    }
    if (report)
        *report = r;
    return trace;
}

ScenarioConfig twinScenario(const BreakerSeries &series, Duration step, const QString &tracePath, const PolicyConfig &policy,
    TwinReport *report)
{
    ScenarioConfig scenario = traceScenario(std::make_shared<const Trace>(twinTrace(series, step, tracePath, report)), policy);
    scenario.name = QStringLiteral("twin of ") + series.id.displayName();
    scenario.description = QStringLiteral("The observed history of %1 (%2) replayed through a breaker's settings")
                               .arg(series.id.displayName(), fleetLibraryName(series.id.library));
    return scenario;
}

namespace {

// Milliseconds with up to six decimals and no trailing zeros, as the trace reader reads them.
void appendMs(QByteArray &out, Duration d)
{
    QByteArray text = QByteArray::number(toMs(d), 'f', 6);
    while (text.endsWith('0'))
        text.chop(1);
    if (text.endsWith('.'))
        text.chop(1);
    out += text;
}

} // namespace

QByteArray traceCsv(const Trace &trace)
{
    QByteArray out = "start_ms,duration_ms,outcome,code\n";
    out.reserve(qsizetype(trace.rows.size()) * 24 + out.size());
    for (const TraceRow &row : trace.rows) {
        appendMs(out, row.start);
        out += ',';
        appendMs(out, row.duration);
        out += row.success ? QByteArray(",success,\n") : ",failure," + row.code.toString().toUtf8() + '\n';
    }
    return out;
}

PolicyConfig libraryDefaultPolicy(FleetLibrary library, const QString &name)
{
    PolicyConfig policy;
    policy.name = name;
    CircuitBreakerConfig b;
    b.failureThreshold = 0; // none of the libraries trips on consecutive failures
    b.timeout = Duration::zero();
    switch (library) {
    case FleetLibrary::Resilience4j:
        // CircuitBreakerConfig.ofDefaults(): 50 % of a 100-call count window, once 100 calls are in
        // it; slow calls (60 s) at 100 %; 60 s open; 10 trial calls.
        b.failureRateThreshold = 0.5;
        b.windowType = WindowType::Count;
        b.windowSize = 100;
        b.volumeThreshold = 100;
        b.slowCallDurationThreshold = fromMs(60000);
        b.slowCallRateThreshold = 1.0;
        b.resetTimeout = fromMs(60000);
        b.halfOpenMaxCalls = 10;
        b.successThreshold = 5; // closes when under 50 % of the 10 trials failed
        break;
    case FleetLibrary::Opossum:
        // opossum's options: errorThresholdPercentage 50 over rollingCountTimeout 10 s, no
        // volumeThreshold (0), resetTimeout 30 s, one trial call, its own timeout 10 s.
        b.failureRateThreshold = 0.5;
        b.windowType = WindowType::Time;
        b.windowSize = 10000;
        b.volumeThreshold = 1;
        b.slowCallRateThreshold = 0;
        b.resetTimeout = fromMs(30000);
        b.successThreshold = 1;
        b.halfOpenMaxCalls = 1;
        b.timeout = fromMs(10000);
        break;
    case FleetLibrary::Polly:
        // CircuitBreakerStrategyOptions: FailureRatio 0.1 over SamplingDuration 30 s, once
        // MinimumThroughput 100 calls; BreakDuration 5 s; one trial call.
        b.failureRateThreshold = 0.1;
        b.windowType = WindowType::Time;
        b.windowSize = 30000;
        b.volumeThreshold = 100;
        b.slowCallRateThreshold = 0;
        b.resetTimeout = fromMs(5000);
        b.successThreshold = 1;
        b.halfOpenMaxCalls = 1;
        break;
    case FleetLibrary::Hystrix:
        // HystrixCommandProperties: 50 % errors over 10 s once 20 requests came; 5 s sleep
        // window; one trial; execution timeout 1 s.
        b.failureRateThreshold = 0.5;
        b.windowType = WindowType::Time;
        b.windowSize = 10000;
        b.volumeThreshold = 20;
        b.slowCallRateThreshold = 0;
        b.resetTimeout = fromMs(5000);
        b.successThreshold = 1;
        b.halfOpenMaxCalls = 1;
        b.timeout = fromMs(1000);
        break;
    case FleetLibrary::Breakwater:
        b = CircuitBreakerConfig {}; // the engine's own defaults (docs/semantics.md)
        break;
    }
    policy.circuitBreaker = b;
    return policy;
}

} // namespace bw
