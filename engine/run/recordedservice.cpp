#include "recordedservice.h"

namespace bw {

namespace {

ServiceConfig recordedConfig(const OperationConfig &operation)
{
    ServiceConfig config;
    config.name = operation.service;
    config.capacity = 0; // unknown: what it served at once is in the trace, not in a model
    return config;
}

} // namespace

RecordedService::RecordedService(const OperationConfig &operation, Scheduler &scheduler)
    : BackendService(recordedConfig(operation), scheduler, 0)
    , m_trace(operation.trace)
{
    Q_ASSERT(m_trace);
}

RecordedService::~RecordedService()
{
    for (TimerId id : std::as_const(m_pending))
        m_scheduler.cancel(id);
}

Operation &RecordedService::port(const OperationConfig &operation)
{
    Q_ASSERT(operation.trace == m_trace); // a trace answers the calls it recorded, no others
    return *this;
}

void RecordedService::start(const Attempt &attempt, Completion done)
{
    ++m_stats.received;
    qsizetype row = qsizetype(attempt.callTag);
    if (attempt.number > 1) {
        const qsizetype latest = m_trace->latestRowAt(m_scheduler.now());
        if (latest >= 0)
            row = latest;
    }
    const Duration duration = m_trace->rows[std::size_t(row)].duration;
    const std::uint64_t id = attempt.id;
    const TimerId timer = m_scheduler.schedule(duration, [this, id, row, done] { answer(id, row, done); });
    m_pending.insert(id, timer);
    m_stats.inService = int(m_pending.size());
}

void RecordedService::answer(std::uint64_t attemptId, qsizetype row, Completion done)
{
    m_pending.remove(attemptId);
    m_stats.inService = int(m_pending.size());
    ++m_stats.completed;
    const TraceRow &r = m_trace->rows[std::size_t(row)];
    if (r.success) {
        done(Result::success());
        return;
    }
    ++m_stats.errorsServed;
    // The message stays neutral: retryable-error matching also looks at message substrings.
    Error error { r.code, QStringLiteral("recorded failure"), std::nullopt, Stage::Operation, {} };
    if (r.retryAfterMs > 0)
        error.retryAfter = fromMs(std::int64_t(r.retryAfterMs));
    done(Result::failure(std::move(error)));
}

void RecordedService::cancel(const Attempt &attempt)
{
    const auto it = m_pending.constFind(attempt.id);
    if (it == m_pending.cend())
        return;
    m_scheduler.cancel(*it);
    m_pending.erase(it);
    m_stats.inService = int(m_pending.size());
    ++m_stats.abandoned;
}

} // namespace bw
