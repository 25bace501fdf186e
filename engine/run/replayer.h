#pragma once

#include "../resilience/pipeline.h"
#include "../runtime/virtualscheduler.h"
#include "../scenario/tracereader.h"
#include "../telemetry/telemetrysink.h"

#include <QHash>

#include <memory>

namespace bw {

class EventLog;
class Summary;

// The recorded backend of a trace (docs/formats.md, "Replay trace"). An attempt that starts at time t
// gets, after that row's duration, the outcome of a row: for a call's first attempt, the call's
// own row (the attempt's callTag); for a retry, the latest row that started at or before t, that
// is, what the backend was doing then. Answers are scheduler timers; cancel() drops one.
class ReplayBackend final : public Operation
{
public:
    ReplayBackend(const Trace &trace, Scheduler &scheduler);
    ~ReplayBackend() override;

    void start(const Attempt &attempt, Completion done) override;
    void cancel(const Attempt &attempt) override;

    // Every attempt that reached the backend, retries included (retry amplification).
    std::int64_t requestsReceived() const { return m_received; }
    // Failure answers actually delivered (an answer dropped by a time limit was never served).
    std::int64_t errorsServed() const { return m_errorsServed; }
    int pending() const { return int(m_pending.size()); }

private:
    void answer(std::uint64_t attemptId, qsizetype row, Completion done);

    const Trace &m_trace;
    Scheduler &m_scheduler;
    QHash<std::uint64_t, TimerId> m_pending; // attempts in flight only
    std::int64_t m_received = 0;
    std::int64_t m_errorsServed = 0;
};

// Runs a trace through a policy's pipeline in virtual time. Row i is offered at its start_ms
// with tag (and events "index") i. Arrivals are fed one timer at a time, so memory is the rows
// plus the calls in flight, whatever the trace's length. The run ends when every row has been
// offered and every call has ended; timers still pending then (an OPEN breaker's reset timer)
// do not run, so durationMs is the end of the last call.
//
// Names: the operation, breaker and bulkhead take the policy's name ("replay" if it has none);
// the backend service is named after the trace file ("example-incident").
class Replayer
{
public:
    Replayer(const Trace &trace, PolicyConfig policy, std::uint64_t seed = 0);
    ~Replayer();
    Replayer(const Replayer &) = delete;
    Replayer &operator=(const Replayer &) = delete;

    // Records into these; call before run(). The summary gets its entries registered, the seed,
    // the backend's counters and the end time; the event log is told which breaker and bulkhead
    // the operation uses. Neither is finished or written: the caller does that.
    void setSummary(Summary *summary);
    void setEventLog(EventLog *events);
    void addSink(TelemetrySink *sink);

    // Runs the whole trace; call once.
    void run();

    TimePoint end() const { return m_end; }
    std::int64_t offered() const { return m_offered; }
    const QString &operationName() const { return m_pipeline->name(); }
    const QString &serviceName() const { return m_serviceName; }
    VirtualScheduler &scheduler() { return m_scheduler; }
    Pipeline &pipeline() { return *m_pipeline; }
    const ReplayBackend &backend() const { return m_backend; }

private:
    void scheduleNextArrival();
    void offerDue();

    const Trace &m_trace;
    std::uint64_t m_seed;
    VirtualScheduler m_scheduler;
    TelemetryFanout m_sinks; // outlives the pipeline, whose breaker and bulkhead call it
    ReplayBackend m_backend;
    std::unique_ptr<Pipeline> m_pipeline;
    Summary *m_summary = nullptr;
    QString m_serviceName;
    std::size_t m_next = 0;
    std::int64_t m_offered = 0;
    TimePoint m_end {};
    bool m_ran = false;
};

} // namespace bw
