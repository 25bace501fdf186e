#include "prometheusexposition.h"

#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>
#include <prometheus/text_serializer.h>

namespace bw {

namespace {

std::string stateLabel(CircuitState state)
{
    return circuitStateName(state).toString().toLower().toStdString();
}

} // namespace

// A fresh registry per scrape: the snapshot holds the run's truth (counters restart with a
// restarted run), and a scrape a few times a minute costs microseconds.
QByteArray prometheusExposition(const MetricsSnapshot &s)
{
    using namespace prometheus;
    Registry registry;
    auto &changes = BuildCounter()
                        .Name("circuit_breaker_state_changes_total")
                        .Help("Circuit breaker state transitions, by breaker and from/to state.")
                        .Register(registry);
    auto &calls = BuildCounter()
                      .Name("circuit_breaker_calls_total")
                      .Help("Calls through a circuit breaker: recorded successes and failures, and rejections.")
                      .Register(registry);
    auto &state = BuildGauge()
                      .Name("circuit_breaker_state")
                      .Help("1 for the circuit breaker's current state, 0 for the others.")
                      .Register(registry);
    auto &failureRate = BuildGauge()
                            .Name("circuit_breaker_failure_rate")
                            .Help("Failure rate over the circuit breaker's sliding window, 0 to 1.")
                            .Register(registry);
    auto &retries = BuildCounter()
                        .Name("retry_attempts_total")
                        .Help("Retries scheduled (first attempts not included).")
                        .Register(registry);
    auto &hedged = BuildCounter()
                       .Name("hedging_attempts_total")
                       .Help("Hedged attempts started in parallel (first attempts not included).")
                       .Register(registry);
    auto &timeouts = BuildCounter()
                         .Name("timeout_operations_total")
                         .Help("Time limits that expired: timeout stage and breaker call limit, every attempt.")
                         .Register(registry);
    auto &executions = BuildCounter()
                           .Name("bulkhead_executions_total")
                           .Help("Bulkhead admissions: started (active), queued, and rejected (queue full or queue timeout).")
                           .Register(registry);
    auto &active = BuildGauge().Name("bulkhead_active").Help("Calls running in the bulkhead.").Register(registry);
    auto &queued = BuildGauge().Name("bulkhead_queued").Help("Calls waiting in the bulkhead's queue.").Register(registry);
    auto &cutOff = BuildCounter()
                       .Name("resilience_calls_cut_off_total")
                       .Help("Calls still in flight when the run ended: cancelled, and not in "
                             "resilience_call_duration_seconds.")
                       .Register(registry);
    auto &duration = BuildHistogram()
                         .Name("resilience_call_duration_seconds")
                         .Help("Latency of calls through a resilience pipeline, as the caller saw it, by outcome.")
                         .Register(registry);
    auto &served = BuildCounter()
                       .Name("backend_requests_served_total")
                       .Help("Requests a simulated backend service served to their end (its throughput).")
                       .Register(registry);
    auto &wasted = BuildCounter()
                       .Name("backend_requests_wasted_total")
                       .Help("Requests a simulated backend service served after their caller had given up (wasted work).")
                       .Register(registry);

    for (const MetricsSnapshot::Breaker &b : s.breakers) {
        const std::string name = b.name.toStdString();
        for (int from = 0; from < CircuitStateCount; ++from) {
            for (int to = 0; to < CircuitStateCount; ++to) {
                // Every pair that can happen, at 0 until it does: a query on a series that
                // appears only at its first increment misses that increment (rate, increase).
                if (isPossibleTransition(CircuitState(from), CircuitState(to))) {
                    changes
                        .Add({ { "name", name }, { "from", stateLabel(CircuitState(from)) },
                            { "to", stateLabel(CircuitState(to)) } })
                        .Increment(double(b.changes[std::size_t(from)][std::size_t(to)]));
                }
            }
        }
        calls.Add({ { "name", name }, { "result", "success" } }).Increment(double(b.successes));
        calls.Add({ { "name", name }, { "result", "failure" } }).Increment(double(b.failures));
        calls.Add({ { "name", name }, { "result", "rejected" } }).Increment(double(b.rejected));
        for (int st = 0; st < CircuitStateCount; ++st)
            state.Add({ { "name", name }, { "state", stateLabel(CircuitState(st)) } })
                .Set(CircuitState(st) == b.state ? 1 : 0);
        failureRate.Add({ { "name", name } }).Set(b.failureRate);
    }

    const Histogram::BucketBoundaries bounds(
        MetricsSnapshot::LatencyBounds.begin(), MetricsSnapshot::LatencyBounds.end());
    for (const MetricsSnapshot::Operation &op : s.operations) {
        const std::string name = op.name.toStdString();
        retries.Add({ { "name", name } }).Increment(double(op.retries));
        hedged.Add({ { "name", name } }).Increment(double(op.hedgedAttempts));
        timeouts.Add({ { "name", name } }).Increment(double(op.timeouts));
        cutOff.Add({ { "name", name } }).Increment(double(op.cutOff));
        for (Outcome outcome : AllOutcomes) {
            const std::size_t o = std::size_t(outcome);
            const std::vector<double> increments(op.latencyBuckets[o].begin(), op.latencyBuckets[o].end());
            duration.Add({ { "name", name }, { "outcome", outcomeName(outcome).toString().toStdString() } }, bounds)
                .ObserveMultiple(increments, double(op.latencySum[o].count()) / 1e9);
        }
    }

    for (const MetricsSnapshot::Bulkhead &b : s.bulkheads) {
        const std::string name = b.name.toStdString();
        executions.Add({ { "name", name }, { "state", "active" } }).Increment(double(b.started));
        executions.Add({ { "name", name }, { "state", "queued" } }).Increment(double(b.queuedTotal));
        executions.Add({ { "name", name }, { "state", "rejected" } }).Increment(double(b.rejected));
        active.Add({ { "name", name } }).Set(b.active);
        queued.Add({ { "name", name } }).Set(b.queued);
    }

    for (const MetricsSnapshot::Service &service : s.services) {
        const std::string name = service.name.toStdString();
        served.Add({ { "name", name } }).Increment(double(service.served));
        wasted.Add({ { "name", name } }).Increment(double(service.wasted));
    }

    const std::string text = TextSerializer().Serialize(registry.Collect());
    return QByteArray(text.data(), qsizetype(text.size()));
}

} // namespace bw
