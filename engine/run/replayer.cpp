#include "replayer.h"

#include "../telemetry/eventlog.h"
#include "../telemetry/summary.h"

#include <QFileInfo>

namespace bw {

ReplayBackend::ReplayBackend(const Trace &trace, Scheduler &scheduler)
    : m_trace(trace)
    , m_scheduler(scheduler)
{ }

ReplayBackend::~ReplayBackend()
{
    for (TimerId id : std::as_const(m_pending))
        m_scheduler.cancel(id);
}

void ReplayBackend::start(const Attempt &attempt, Completion done)
{
    ++m_received;
    qsizetype row = qsizetype(attempt.callTag);
    if (attempt.number > 1) {
        const qsizetype latest = m_trace.latestRowAt(m_scheduler.now());
        if (latest >= 0)
            row = latest;
    }
    const Duration duration = m_trace.rows[std::size_t(row)].duration;
    const std::uint64_t id = attempt.id;
    const TimerId timer = m_scheduler.schedule(duration, [this, id, row, done] { answer(id, row, done); });
    m_pending.insert(id, timer);
}

void ReplayBackend::answer(std::uint64_t attemptId, qsizetype row, Completion done)
{
    m_pending.remove(attemptId);
    const TraceRow &r = m_trace.rows[std::size_t(row)];
    if (r.success) {
        done(Result::success());
        return;
    }
    ++m_errorsServed;
    // The message stays neutral: retryable-error matching also looks at message substrings.
    Error error { r.code, QStringLiteral("recorded failure"), std::nullopt, Stage::Operation, {} };
    if (r.retryAfterMs > 0)
        error.retryAfter = fromMs(std::int64_t(r.retryAfterMs));
    done(Result::failure(std::move(error)));
}

void ReplayBackend::cancel(const Attempt &attempt)
{
    const auto it = m_pending.constFind(attempt.id);
    if (it == m_pending.cend())
        return;
    m_scheduler.cancel(*it);
    m_pending.erase(it);
}

namespace {

PolicyConfig named(PolicyConfig policy)
{
    if (policy.name.isEmpty())
        policy.name = QStringLiteral("replay");
    return policy;
}

} // namespace

Replayer::Replayer(const Trace &trace, PolicyConfig policy, std::uint64_t seed)
    : m_trace(trace)
    , m_seed(seed)
    , m_backend(trace, m_scheduler)
    , m_pipeline(std::make_unique<Pipeline>(named(std::move(policy)), m_scheduler, seed))
{
    m_serviceName = QFileInfo(trace.fileName).completeBaseName();
    if (m_serviceName.isEmpty())
        m_serviceName = QStringLiteral("backend");
}

Replayer::~Replayer()
{
    // Calls still in flight (only if run() was never called to the end) go before the backend.
    m_pipeline.reset();
}

void Replayer::setSummary(Summary *summary)
{
    m_summary = summary;
    addSink(summary);
}

void Replayer::setEventLog(EventLog *events)
{
    events->bindOperation(operationName(), m_pipeline->bulkhead());
    addSink(events);
}

void Replayer::addSink(TelemetrySink *sink)
{
    m_sinks.add(sink);
}

void Replayer::run()
{
    Q_ASSERT(!m_ran);
    m_ran = true;
    if (m_summary) {
        m_summary->setSeed(m_seed);
        m_summary->addOperation(operationName());
        if (CircuitBreaker *b = m_pipeline->circuitBreaker())
            m_summary->addBreaker(b->name(), b->state(), m_scheduler.now());
        if (Bulkhead *b = m_pipeline->bulkhead())
            m_summary->addBulkhead(b->name());
        m_summary->service(m_serviceName);
    }
    if (!m_sinks.isEmpty()) {
        m_pipeline->setObserver(&m_sinks);
        if (CircuitBreaker *b = m_pipeline->circuitBreaker())
            b->addListener(&m_sinks);
        if (Bulkhead *b = m_pipeline->bulkhead())
            b->addListener(&m_sinks);
    }

    scheduleNextArrival();
    while (m_next < m_trace.rows.size() || m_pipeline->callsInFlight() > 0) {
        if (!m_scheduler.runNext())
            break; // nothing can move any more; cannot happen while a call waits on a timer
    }
    m_end = m_scheduler.now();

    if (m_summary) {
        ServiceSummary &service = m_summary->service(m_serviceName);
        service.requestsReceived += m_backend.requestsReceived();
        service.errorsServed += m_backend.errorsServed();
        if (Bulkhead *b = m_pipeline->bulkhead())
            m_summary->setBulkhead(b->name(), b->metrics());
        m_summary->finish(m_end);
    }
    m_pipeline->setObserver(nullptr);
    if (CircuitBreaker *b = m_pipeline->circuitBreaker())
        b->removeListener(&m_sinks);
    if (Bulkhead *b = m_pipeline->bulkhead())
        b->removeListener(&m_sinks);
}

void Replayer::scheduleNextArrival()
{
    if (m_next >= m_trace.rows.size())
        return;
    m_scheduler.schedule(m_trace.rows[m_next].start - m_scheduler.now(), [this] { offerDue(); });
}

void Replayer::offerDue()
{
    const TimePoint now = m_scheduler.now();
    const QString &name = m_pipeline->name();
    while (m_next < m_trace.rows.size() && m_trace.rows[m_next].start <= now) {
        const std::uint64_t tag = m_next++;
        ++m_offered;
        m_sinks.onCallOffered(name, tag, now);
        m_pipeline->execute(m_backend, CallCallback(), tag);
    }
    scheduleNextArrival();
}

} // namespace bw
