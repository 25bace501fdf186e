#include "simulatedservice.h"

#include <cmath>

namespace bw {

class SimulatedService::Port final : public Operation
{
public:
    Port(SimulatedService &service, const QString &operation) : m_service(service), m_operationKey(stableHash(operation)) { }
    void start(const Attempt &attempt, Completion done) override { m_service.start(m_operationKey, attempt, done); }
    void cancel(const Attempt &attempt) override { m_service.cancel(attempt); }

private:
    SimulatedService &m_service;
    std::uint64_t m_operationKey;
};

SimulatedService::SimulatedService(const ServiceConfig &config, Scheduler &scheduler, std::uint64_t seed)
    : BackendService(config, scheduler, seed)
    , m_latency(config.latency)
    , m_baselineCode(ErrorCode::fromString(config.errorCode))
{
    m_stats.wasted = 0; // a model sees every request it serves for nobody
}

SimulatedService::~SimulatedService() = default;

Operation &SimulatedService::port(const OperationConfig &operation)
{
    m_ports.push_back(std::make_unique<Port>(*this, operation.name));
    return *m_ports.back();
}

void SimulatedService::onEffectsChanged()
{
    const TimePoint now = m_scheduler.now();
    // A hang that ended (or was lowered) lets its stuck requests go on. Free entries have hang
    // false; the scan runs at fault boundaries only, never per request.
    for (std::uint32_t i = 0; i < m_requests.size(); ++i)
        if (m_requests[i].hang && !m_requests[i].queued)
            serve(i, now);
    startQueued(now); // a brownout's end frees capacity at once
}

void SimulatedService::setBaseline(double errorRate, const LatencyConfig &latency)
{
    m_config.errorRate = errorRate;
    m_config.latency = latency;
    m_latency = LatencySampler(latency);
}

std::uint32_t SimulatedService::allocate()
{
    if (!m_free.empty()) {
        const std::uint32_t i = m_free.back();
        m_free.pop_back();
        return i;
    }
    m_requests.emplace_back();
    return std::uint32_t(m_requests.size() - 1);
}

void SimulatedService::release(std::uint32_t index)
{
    m_byAttempt.erase(m_requests[index].attemptId);
    m_requests[index] = Request {};
    m_free.push_back(index);
}

void SimulatedService::start(std::uint64_t operationKey, const Attempt &attempt, Completion done)
{
    const TimePoint now = m_scheduler.now();
    ++m_stats.received;
    if (m_effects.isDown(now)) {
        answer(done, ErrorCode::ConnectionRefused, std::nullopt);
        return;
    }
    if (rateLimited(now)) {
        answer(done, ErrorCode::httpStatus(429), m_effects.retryAfter);
        return;
    }
    const bool mustWait = m_stats.inService >= effectiveCapacity();
    if (mustWait && m_config.queueLimit && m_stats.queued >= *m_config.queueLimit) {
        answer(done, ErrorCode::httpStatus(503), std::nullopt);
        return;
    }

    // The request's own random stream: the same call and attempt draw the same numbers
    // whatever happened to other requests. The first two draws are an HttpService's too.
    Random random = requestRandom(operationKey, attempt);
    const double faultErrorDraw = random.uniform();
    const double hangDraw = random.uniform();
    const double baselineErrorDraw = random.uniform();
    const Duration serviceTime = m_latency.sample(random);
    const double jitterDraw = random.uniform();

    const std::uint32_t index = allocate();
    Request &r = m_requests[index];
    r.done = done;
    r.attemptId = attempt.id;
    r.serviceTime = serviceTime;
    // Independent causes: an errors fault at rate a and a baseline at rate b fail
    // 1 − (1 − a)(1 − b) of requests. Where several fire, a hang wins (it never answers), then
    // the fault's code, the condition under study: it keeps exactly its rate, and the baseline
    // keeps its rate among the requests the fault spares.
    r.jitterDraw = jitterDraw;
    r.hangDraw = hangDraw;
    if (hangDraw < m_effects.hangRate) {
        r.hang = true;
    } else if (faultErrorDraw < m_effects.errorRate) {
        r.error = m_effects.errorCode;
    } else if (baselineErrorDraw < m_config.errorRate) {
        r.error = m_baselineCode;
    }
    m_byAttempt.insert(attempt.id, index);

    if (!mustWait) {
        beginService(index, now);
    } else {
        r.queued = true;
        r.prev = m_queueTail;
        r.next = NoRequest;
        (m_queueTail != NoRequest ? m_requests[m_queueTail].next : m_queueHead) = index;
        m_queueTail = index;
        ++m_stats.queued;
    }
}

void SimulatedService::beginService(std::uint32_t index, TimePoint now)
{
    ++m_stats.inService;
    serve(index, now);
}

void SimulatedService::serve(std::uint32_t index, TimePoint now)
{
    Request &r = m_requests[index];
    if (r.hang && r.hangDraw < m_effects.hangRate)
        return; // holds its worker, without progress, while the hang lasts
    r.hang = false;
    // A latency fault slows the requests served while it lasts, not those that waited through it.
    const Duration added = addedLatency(r.jitterDraw);
    r.timer = m_scheduler.scheduleAt(now + r.serviceTime + added, [this, index] { finishService(index); });
}

void SimulatedService::finishService(std::uint32_t index)
{
    Request &r = m_requests[index];
    --m_stats.inService;
    ++m_stats.completed;
    if (r.abandoned)
        ++*m_stats.wasted;
    const bool answerIt = !r.abandoned;
    const Completion done = r.done;
    const ErrorCode error = r.error;
    release(index);
    startQueued(m_scheduler.now());
    if (answerIt)
        answer(done, error, std::nullopt); // last: it may start new requests at once
}

void SimulatedService::startQueued(TimePoint now)
{
    while (m_queueHead != NoRequest && m_stats.inService < effectiveCapacity()) {
        const std::uint32_t index = m_queueHead;
        Request &r = m_requests[index];
        m_queueHead = r.next;
        if (m_queueHead != NoRequest)
            m_requests[m_queueHead].prev = NoRequest;
        else
            m_queueTail = NoRequest;
        r.queued = false;
        r.next = r.prev = NoRequest;
        --m_stats.queued;
        beginService(index, now);
    }
}

void SimulatedService::cancel(const Attempt &attempt)
{
    std::uint32_t index;
    if (!m_byAttempt.find(attempt.id, &index))
        return; // already answered
    Request &r = m_requests[index];
    ++m_stats.abandoned;
    if (m_config.abandoned == AbandonedRequests::Served) {
        // The server does not know: the request keeps its place and is served; nobody reads
        // the answer.
        r.abandoned = true;
        m_byAttempt.erase(r.attemptId);
        r.attemptId = 0;
        return;
    }
    if (r.queued) {
        // Never started: the server drops it from its queue unseen.
        (r.prev != NoRequest ? m_requests[r.prev].next : m_queueHead) = r.next;
        (r.next != NoRequest ? m_requests[r.next].prev : m_queueTail) = r.prev;
        --m_stats.queued;
        release(index);
        return;
    }
    // In service (or hung): the worker stops at once and takes the next in line.
    m_scheduler.cancel(r.timer);
    --m_stats.inService;
    release(index);
    startQueued(m_scheduler.now());
}

} // namespace bw
