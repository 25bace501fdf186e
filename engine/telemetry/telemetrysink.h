#pragma once

#include "../resilience/bulkhead.h"
#include "../resilience/circuitbreaker.h"
#include "../resilience/pipeline.h"

#include <vector>

namespace bw {

// Everything a run tells its recorders, in one interface: the pipeline's calls, the breakers'
// transitions, the bulkheads' events, plus the one thing no primitive sees: that a call was
// offered. Called on the thread that runs the scheduler (replay, simulation worker).
class TelemetrySink : public PipelineObserver, public CircuitBreakerListener, public BulkheadListener
{
public:
    // A call is about to be offered to `operation`'s pipeline (before execute(), which may end
    // it at once).
    virtual void onCallOffered(const QString &operation, std::uint64_t tag, TimePoint at)
    {
        Q_UNUSED(operation);
        Q_UNUSED(tag);
        Q_UNUSED(at);
    }
    void onBulkheadEvent(const BulkheadEvent &event) override { Q_UNUSED(event); }
};

// Forwards to several sinks, in the order they were added: a pipeline has one observer slot,
// and a run usually has an event log and a summary.
class TelemetryFanout final : public TelemetrySink
{
public:
    void add(TelemetrySink *sink) { m_sinks.push_back(sink); }
    bool isEmpty() const { return m_sinks.empty(); }

    void onCallOffered(const QString &operation, std::uint64_t tag, TimePoint at) override
    {
        for (TelemetrySink *s : m_sinks)
            s->onCallOffered(operation, tag, at);
    }
    void onCallFinished(const CallReport &r) override
    {
        for (TelemetrySink *s : m_sinks)
            s->onCallFinished(r);
    }
    void onRetry(const RetryReport &r) override
    {
        for (TelemetrySink *s : m_sinks)
            s->onRetry(r);
    }
    void onRetryFinished(
        const QString &pipeline, std::uint64_t tag, bool succeeded, int attempts, TimePoint at) override
    {
        for (TelemetrySink *s : m_sinks)
            s->onRetryFinished(pipeline, tag, succeeded, attempts, at);
    }
    void onFallback(const QString &pipeline, std::uint64_t tag, const Error &error, TimePoint at) override
    {
        for (TelemetrySink *s : m_sinks)
            s->onFallback(pipeline, tag, error, at);
    }
    void onTimeout(
        const QString &pipeline, std::uint64_t tag, StageKind stage, Duration elapsed, TimePoint at) override
    {
        for (TelemetrySink *s : m_sinks)
            s->onTimeout(pipeline, tag, stage, elapsed, at);
    }
    void onHedge(const QString &pipeline, std::uint64_t tag, int hedge, TimePoint at) override
    {
        for (TelemetrySink *s : m_sinks)
            s->onHedge(pipeline, tag, hedge, at);
    }
    void onStateChange(const CircuitStateChange &c) override
    {
        for (TelemetrySink *s : m_sinks)
            s->onStateChange(c);
    }
    void onCall(const CircuitCall &c) override
    {
        for (TelemetrySink *s : m_sinks)
            s->onCall(c);
    }
    void onRejected(const QString &name, CircuitState state, TimePoint at) override
    {
        for (TelemetrySink *s : m_sinks)
            s->onRejected(name, state, at);
    }
    void onReset(const QString &name, TimePoint at) override
    {
        for (TelemetrySink *s : m_sinks)
            s->onReset(name, at);
    }
    void onConfigChanged(const QString &name, const CircuitBreakerConfig &config) override
    {
        for (TelemetrySink *s : m_sinks)
            s->onConfigChanged(name, config);
    }
    void onBulkheadEvent(const BulkheadEvent &event) override
    {
        for (TelemetrySink *s : m_sinks)
            s->onBulkheadEvent(event);
    }

private:
    std::vector<TelemetrySink *> m_sinks;
};

} // namespace bw
