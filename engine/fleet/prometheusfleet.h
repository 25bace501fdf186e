#pragma once

#include "fleetmodel.h"

#include <QByteArray>
#include <QString>

#include <memory>
#include <optional>
#include <vector>

namespace bw {

// The queries a Prometheus source sends and the reading of their answers, apart from the network
// so that tests and the benchmark feed them recorded answers (docs/formats.md, "Fleet
// monitoring" holds the mapping of each library's names). A refresh sends the same fixed set of
// queries whatever the fleet's size: one per figure, never one per breaker.

// What one query asks for.
enum class PrometheusFigure : std::uint8_t {
    Resilience4jState,            // resilience4j_circuitbreaker_state{name,state}
    Resilience4jCalls,            // rate of resilience4j_circuitbreaker_calls_seconds_count / _calls_total{kind}
    Resilience4jNotPermitted,     // rate of resilience4j_circuitbreaker_not_permitted_calls_total
    Resilience4jFailureRate,      // resilience4j_circuitbreaker_failure_rate (-1: not enough calls yet)
    Resilience4jSlowCallRate,     // resilience4j_circuitbreaker_slow_call_rate
    Resilience4jRetryCalls,       // rate of resilience4j_retry_calls_total{kind}
    Resilience4jBulkheadAvailable,// resilience4j_bulkhead_available_concurrent_calls
    Resilience4jBulkheadMax,      // resilience4j_bulkhead_max_allowed_concurrent_calls
    Resilience4jLatency,          // mean of resilience4j_circuitbreaker_calls_seconds (sum / count)
    OpossumEventRates,            // rate of circuit{name,event}
    OpossumStateEvents,           // circuit{event=~"open|halfOpen|close"} samples over the state window
    OpossumLatency,               // mean of circuit_perf{event=~"success|failure"} (sum / count)
    PollyEventRates,              // rate of resilience_polly_strategy_events_total{event_name}
    PollyStateEvents,             // its OnCircuitOpened|OnCircuitHalfOpened|OnCircuitClosed samples
    PollyCalls,                   // rate of resilience_polly_pipeline_duration…_count{exception_type}
    PollyLatency,                 // mean of resilience_polly_pipeline_duration (sum / count)
    BreakwaterState,              // circuit_breaker_state{name,state}
    BreakwaterCalls,              // rate of circuit_breaker_calls_total{name,result}
    BreakwaterFailureRate,        // circuit_breaker_failure_rate{name}, 0..1
    BreakwaterOutcomes,           // rate of resilience_call_duration_seconds_count{name,outcome}
    BreakwaterRetries,            // rate of retry_attempts_total{name}
    BreakwaterLatency,            // mean of resilience_call_duration_seconds (sum / count)
    BreakwaterBulkheadActive,     // bulkhead_active{name}
};
inline constexpr int PrometheusFigureCount = int(PrometheusFigure::BreakwaterBulkheadActive) + 1;

struct PrometheusQuery
{
    PrometheusFigure figure;
    QString promql;
};

// The instant queries of one refresh, in a fixed order: rates over `rateWindow`, state events
// as raw samples over `stateWindow` (every scrape, so their order is the scrapes' order).
std::vector<PrometheusQuery> prometheusRefreshQueries(Duration rateWindow, Duration stateWindow);
// The query_range queries of a history, at `step` (rates over max(step, rateWindow)).
std::vector<PrometheusQuery> prometheusHistoryQueries(Duration step, Duration rateWindow);

// The state an opossum or Polly breaker is in after its open / halfOpen / close events, from
// their counters' samples (docs/formats.md says how exact this is at a scrape interval).
struct StateEventSample
{
    std::int64_t timeMs = 0;
    double opened = 0, halfOpened = 0, closed = 0; // the counters' values at timeMs
};
std::optional<CircuitState> stateFromEventCounters(const std::vector<StateEventSample> &samples);

// Reads a refresh's answers into readings. One builder per refresh; add() each answer in any
// order, then take readings(). Answers are the HTTP API's JSON bodies.
class PrometheusSnapshotBuilder
{
public:
    explicit PrometheusSnapshotBuilder(QString source);
    ~PrometheusSnapshotBuilder();
    PrometheusSnapshotBuilder(PrometheusSnapshotBuilder &&) noexcept;
    PrometheusSnapshotBuilder &operator=(PrometheusSnapshotBuilder &&) noexcept;

    // False, with the reason, when `body` is not a Prometheus API answer ("status":"success"
    // with a vector or matrix result): an error answer's own message is passed on.
    bool add(PrometheusFigure figure, const QByteArray &body, QString *error);
    // The breakers every answer named, sorted by BreakerId. Linear in the samples added.
    std::vector<BreakerReading> readings() const;

private:
    struct Data;
    std::unique_ptr<Data> d;
};

// Reads a history's query_range answers into series.
class PrometheusHistoryBuilder
{
public:
    PrometheusHistoryBuilder(QString source, std::int64_t fromMs, std::int64_t toMs, Duration step);
    ~PrometheusHistoryBuilder();
    PrometheusHistoryBuilder(PrometheusHistoryBuilder &&) noexcept;
    PrometheusHistoryBuilder &operator=(PrometheusHistoryBuilder &&) noexcept;

    bool add(PrometheusFigure figure, const QByteArray &body, QString *error);
    FleetHistory history() const;

private:
    struct Data;
    std::unique_ptr<Data> d;
};

} // namespace bw
