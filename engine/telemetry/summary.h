#pragma once

#include "latencyhistogram.h"
#include "telemetrysink.h"

#include <QJsonObject>

#include <array>
#include <map>
#include <vector>

namespace bw {

struct OperationSummary
{
    std::int64_t offered = 0;
    std::array<std::int64_t, OutcomeCount> outcomes {};
    std::int64_t attempts = 0; // operation starts, first attempts included
    std::int64_t retries = 0;
    std::int64_t hedgedAttempts = 0; // attempts the hedging stage started in parallel (in `attempts` too)
    // Of the cancelled calls, those still in flight when the run ended: their latency is only
    // how long they had run, so it is not in `latency`.
    std::int64_t cutOff = 0;
    LatencyHistogram latency; // every call that ended, whatever its outcome, but those cut off

    std::int64_t ended() const;
    std::int64_t count(Outcome o) const { return outcomes[std::size_t(o)]; }
};

struct BreakerTransition
{
    TimePoint at;
    CircuitState from, to;
    TransitionReason reason;
};

struct BreakerSummary
{
    std::vector<BreakerTransition> transitions;
    std::array<Duration, CircuitStateCount> timeInState {};
    CircuitState state = CircuitState::Closed;
    TimePoint since {};
    std::int64_t rejected = 0;
};

struct BulkheadSummary
{
    int peakActive = 0, peakQueued = 0;
    std::int64_t rejected = 0, timeouts = 0;
};

// Counted by the backend itself: only it sees every request, retries included.
struct ServiceSummary
{
    std::int64_t requestsReceived = 0;
    std::int64_t errorsServed = 0;
    // Requests whose caller gave up while they were at the service; nullopt where not counted
    // (a replayed trace), and then not written.
    std::optional<std::int64_t> abandoned;
    // Wasted work: requests served to their end (throughput), and those of them served after
    // their caller had given up. nullopt wasted: not seen (a real server); neither is written.
    std::int64_t served = 0;
    std::optional<std::int64_t> wasted;
};

// Builds the summary JSON of docs/formats.md for any number of operations, breakers, bulkheads and
// backend services, keyed by name (the replay has one of each; `breakwater run` has many). It is
// a TelemetrySink: attach it to pipelines, breakers and bulkheads, and let backends count into
// service(). Memory is bounded by the number of names and breaker transitions, not by calls:
// latencies go to a LatencyHistogram (≤ 0.4 % error), never a list.
//
// Layout: {seed, durationMs, events, eventsSha256, operations{name: {offered, outcomes{one per outcome},
// cutOff, attempts, retries, hedgedAttempts, latencyMs{p50,p95,p99,max}}}, breakers{name: {transitions[{t_ms,from,to,
// reason}], timeInStateMs{...}, rejected}}, bulkheads{name: {peakActive, peakQueued, rejected,
// timeouts}}, services{name: {requestsReceived, errorsServed, abandoned, and when wasted work
// is known served, wasted, wastedShare}}, totals{offered, outcomes, cutOff,
// attempts, retries, hedgedAttempts, conserved}} plus whatever setInfo() adds. Milliseconds carry at most three
// decimals; keys are sorted (QJsonDocument), so the same run gives the same bytes.
//
// Confined to one thread, the one that runs the scheduler.
class Summary final : public TelemetrySink
{
public:
    explicit Summary(TimePoint origin = TimePoint::zero());

    // Registering makes an entry appear (with zeros) even if nothing happens to it.
    OperationSummary &addOperation(const QString &name);
    // A breaker's time in state counts from `since` (the origin by default) in `initial`.
    BreakerSummary &addBreaker(const QString &name, CircuitState initial = CircuitState::Closed,
        std::optional<TimePoint> since = std::nullopt);
    BulkheadSummary &addBulkhead(const QString &name);
    // A bulkhead's figures, from the counters it keeps itself (peaks, rejections, queue
    // timeouts): cheaper than following its events, which happen several times per call.
    void setBulkhead(const QString &name, const BulkheadMetrics &metrics);
    // A stable reference a backend may keep and count into.
    ServiceSummary &service(const QString &name);

    void setSeed(std::uint64_t seed) { m_seed = seed; }
    void setEvents(std::int64_t count, const QByteArray &sha256Hex);
    // Extra top-level fields ("trace", "policy", "scenario").
    void setInfo(const QString &key, const QJsonValue &value) { m_info.insert(key, value); }
    // Closes the run at `end`: durationMs and the last period of each breaker's time in state.
    void finish(TimePoint end);

    const std::map<QString, OperationSummary> &operations() const { return m_operations; }
    const std::map<QString, BreakerSummary> &breakers() const { return m_breakers; }
    const std::map<QString, BulkheadSummary> &bulkheads() const { return m_bulkheads; }
    const std::map<QString, ServiceSummary> &services() const { return m_services; }
    // offered == the sum of outcomes, for every operation.
    bool isConserved() const;

    QJsonObject toJson() const;
    QByteArray toJsonBytes() const; // indented, trailing newline
    // Through an AtomicFile: the file appears complete or not at all.
    bool write(const QString &path, QString *error) const;

    // Milliseconds rounded to the microsecond, as a JSON number: 12.5, 800, 0.001.
    static double roundedMs(Duration d);

    // TelemetrySink
    void onCallOffered(const QString &operation, std::uint64_t tag, TimePoint at) override;
    void onCallFinished(const CallReport &report) override;
    void onRetry(const RetryReport &report) override;
    void onHedge(const QString &pipeline, std::uint64_t tag, int hedge, TimePoint at) override;
    void onStateChange(const CircuitStateChange &change) override;
    void onRejected(const QString &name, CircuitState state, TimePoint at) override;

private:
    OperationSummary &operation(const QString &name);

    TimePoint m_origin;
    TimePoint m_end {};
    std::uint64_t m_seed = 0;
    std::int64_t m_events = 0;
    QByteArray m_eventsSha256;
    QJsonObject m_info;
    std::map<QString, OperationSummary> m_operations;
    std::map<QString, BreakerSummary> m_breakers;
    std::map<QString, BulkheadSummary> m_bulkheads;
    std::map<QString, ServiceSummary> m_services;
    // Most calls come from the same operation as the previous one: skip the map lookup.
    QString m_lastName;
    OperationSummary *m_last = nullptr;
};

} // namespace bw
