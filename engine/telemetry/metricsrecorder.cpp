#include "metricsrecorder.h"

#include <algorithm>

namespace bw {

namespace {

constexpr std::int64_t SlotCount = 10;
static_assert(MetricsSnapshot::RollingWindow == std::chrono::seconds(SlotCount));

std::int64_t secondOf(TimePoint at)
{
    return std::chrono::floor<std::chrono::seconds>(at).count();
}

int latencyBucket(Duration latency)
{
    const double seconds = double(latency.count()) / 1e9;
    const auto &bounds = MetricsSnapshot::LatencyBounds;
    return int(std::lower_bound(bounds.begin(), bounds.end(), seconds) - bounds.begin());
}

std::int64_t roundMs(Duration d)
{
    return (d.count() + 500000) / 1000000;
}

// Whether a rolling-window slot's second is among the SlotCount seconds ending with `second`.
bool inWindow(std::int64_t slot, std::int64_t second)
{
    return slot >= 0 && slot > second - SlotCount && slot <= second;
}

} // namespace

int MetricsSnapshot::HystrixWindow::errorPercentage() const
{
    const std::int64_t requests = requestCount();
    return requests > 0 ? int(errorCount() * 100 / requests) : 0;
}

MetricsRecorder::MetricsRecorder()
    : m_latest(std::make_shared<MetricsSnapshot>())
{ }

MetricsRecorder::~MetricsRecorder() = default;

void MetricsRecorder::reset()
{
    m_operations.clear();
    m_breakers.clear();
    m_bulkheads.clear();
    m_operationIndex = {};
    m_breakerIndex = {};
    m_bulkheadIndex = {};
    m_listenedBulkheads.clear();
}

void MetricsRecorder::attach(std::unique_ptr<MetricsSource> source)
{
    reset();
    m_source = std::move(source);
    for (int i = 0; i < m_source->pipelineCount(); ++i) {
        Pipeline &p = m_source->pipeline(i);
        addOperation(p.name());
        if (const CircuitBreaker *b = p.circuitBreaker())
            addBreaker(b->name());
        if (const Bulkhead *b = p.bulkhead())
            addBulkhead(b->name());
    }
    listenToBulkheads();
}

// A policy edit may give an operation a bulkhead it did not have: listen to it from then on.
void MetricsRecorder::listenToBulkheads()
{
    for (int i = 0; i < m_source->pipelineCount(); ++i) {
        Bulkhead *b = m_source->pipeline(i).bulkhead();
        if (!b || std::find(m_listenedBulkheads.begin(), m_listenedBulkheads.end(), b) != m_listenedBulkheads.end())
            continue;
        b->addListener(this);
        m_listenedBulkheads.push_back(b);
    }
}

int MetricsRecorder::indexOf(Index &index, const QString &name, int (MetricsRecorder::*add)(const QString &))
{
    if (name.constData() == index.last.constData() && index.lastIndex >= 0) [[likely]]
        return index.lastIndex;
    const auto it = index.byName.constFind(name);
    const int i = it != index.byName.cend() ? *it : (this->*add)(name);
    index.last = name; // shares the data, which pins its address
    index.lastIndex = i;
    return i;
}

int MetricsRecorder::addOperation(const QString &name)
{
    if (const auto it = m_operationIndex.byName.constFind(name); it != m_operationIndex.byName.cend())
        return *it;
    auto op = std::make_unique<OperationLive>();
    op->counters.name = name;
    m_operations.push_back(std::move(op));
    return m_operationIndex.byName[name] = int(m_operations.size()) - 1;
}

int MetricsRecorder::addBreaker(const QString &name)
{
    if (const auto it = m_breakerIndex.byName.constFind(name); it != m_breakerIndex.byName.cend())
        return *it;
    m_breakers.push_back({});
    m_breakers.back().name = name;
    return m_breakerIndex.byName[name] = int(m_breakers.size()) - 1;
}

int MetricsRecorder::addBulkhead(const QString &name)
{
    if (const auto it = m_bulkheadIndex.byName.constFind(name); it != m_bulkheadIndex.byName.cend())
        return *it;
    auto b = std::make_unique<BulkheadLive>();
    b->counters.name = name;
    m_bulkheads.push_back(std::move(b));
    return m_bulkheadIndex.byName[name] = int(m_bulkheads.size()) - 1;
}

MetricsRecorder::OperationSlot &MetricsRecorder::operationSlot(OperationLive &op, TimePoint at)
{
    const std::int64_t second = secondOf(at);
    OperationSlot &slot = op.slots[std::size_t(second % SlotCount)];
    if (slot.second != second) [[unlikely]] {
        slot.second = second;
        slot.counts = {};
        slot.total.clear();
        slot.execute.clear();
        slot.totalSum = slot.executeSum = Duration::zero();
    }
    return slot;
}

MetricsRecorder::BulkheadSlot &MetricsRecorder::bulkheadSlot(BulkheadLive &bulkhead, TimePoint at)
{
    const std::int64_t second = secondOf(at);
    BulkheadSlot &slot = bulkhead.slots[std::size_t(second % SlotCount)];
    if (slot.second != second) [[unlikely]]
        slot = BulkheadSlot { second, 0, 0, 0 };
    return slot;
}

void MetricsRecorder::onCallOffered(const QString &operation, std::uint64_t, TimePoint at)
{
    OperationLive &op = *m_operations[std::size_t(indexOf(m_operationIndex, operation, &MetricsRecorder::addOperation))];
    const int inFlight = ++op.counters.inFlight;
    OperationSlot &slot = operationSlot(op, at);
    slot.counts.maxConcurrent = std::max(slot.counts.maxConcurrent, inFlight);
}

void MetricsRecorder::onCallFinished(const CallReport &r)
{
    OperationLive &op = *m_operations[std::size_t(indexOf(m_operationIndex, r.pipeline, &MetricsRecorder::addOperation))];
    MetricsSnapshot::Operation &c = op.counters;
    const std::size_t o = std::size_t(r.outcome);
    ++c.outcomes[o];
    if (r.cutOff) { // its latency is only how long it had run (docs/semantics.md)
        ++c.cutOff;
    } else {
        ++c.latencyBuckets[o][std::size_t(latencyBucket(r.latency))];
        c.latencySum[o] += r.latency;
    }
    c.inFlight = std::max(0, c.inFlight - 1);

    OperationSlot &slot = operationSlot(op, r.at);
    MetricsSnapshot::HystrixWindow &w = slot.counts;
    // A fallback's value hides its cause from the caller, not from Hystrix's counts.
    Outcome cause = r.outcome;
    if (r.outcome == Outcome::Fallback) {
        ++w.fallbackSuccess;
        cause = r.error ? outcomeOf(*r.error) : Outcome::Failure;
    } else if (r.outcome != Outcome::Success && r.outcome != Outcome::Cancelled) {
        ++w.exceptionsThrown;
    }
    switch (cause) {
    case Outcome::Success: ++w.success; break;
    case Outcome::Timeout: ++w.timeout; break;
    case Outcome::CircuitOpen: ++w.shortCircuited; break;
    case Outcome::BulkheadFull:
    case Outcome::BulkheadTimeout: ++w.threadPoolRejected; break;
    // Hystrix has no rate limiter or adaptive throttle; its other local refusal, the
    // semaphore's, is the nearest. An adaptive concurrency limit is a semaphore whose size moves.
    case Outcome::RateLimited:
    case Outcome::Throttled:
    case Outcome::LimitExceeded: ++w.semaphoreRejected; break;
    case Outcome::Cancelled: break;
    case Outcome::Failure:
    case Outcome::Fallback: ++w.failure; break;
    }
    if (r.outcome == Outcome::Cancelled)
        return;
    slot.total.record(r.latency);
    slot.totalSum += r.latency;
    if (r.attempts > 0) {
        slot.execute.record(r.latency);
        slot.executeSum += r.latency;
    }
}

void MetricsRecorder::onRetry(const RetryReport &r)
{
    ++m_operations[std::size_t(indexOf(m_operationIndex, r.pipeline, &MetricsRecorder::addOperation))]->counters.retries;
}

void MetricsRecorder::onHedge(const QString &pipeline, std::uint64_t, int, TimePoint)
{
    ++m_operations[std::size_t(indexOf(m_operationIndex, pipeline, &MetricsRecorder::addOperation))]->counters.hedgedAttempts;
}

void MetricsRecorder::onTimeout(const QString &pipeline, std::uint64_t, StageKind, Duration, TimePoint)
{
    ++m_operations[std::size_t(indexOf(m_operationIndex, pipeline, &MetricsRecorder::addOperation))]->counters.timeouts;
}

void MetricsRecorder::onStateChange(const CircuitStateChange &change)
{
    MetricsSnapshot::Breaker &b = m_breakers[std::size_t(indexOf(m_breakerIndex, change.name, &MetricsRecorder::addBreaker))];
    ++b.changes[std::size_t(change.previousState)][std::size_t(change.currentState)];
}

void MetricsRecorder::onCall(const CircuitCall &call)
{
    MetricsSnapshot::Breaker &b = m_breakers[std::size_t(indexOf(m_breakerIndex, call.name, &MetricsRecorder::addBreaker))];
    ++(call.success ? b.successes : b.failures);
}

void MetricsRecorder::onRejected(const QString &name, CircuitState, TimePoint)
{
    ++m_breakers[std::size_t(indexOf(m_breakerIndex, name, &MetricsRecorder::addBreaker))].rejected;
}

void MetricsRecorder::onBulkheadEvent(const BulkheadEvent &e)
{
    BulkheadLive &b = *m_bulkheads[std::size_t(indexOf(m_bulkheadIndex, e.name, &MetricsRecorder::addBulkhead))];
    switch (e.kind) {
    case BulkheadEventKind::Started: {
        ++b.counters.started;
        BulkheadSlot &slot = bulkheadSlot(b, e.at);
        ++slot.executed;
        slot.maxActive = std::max(slot.maxActive, e.active);
        break;
    }
    case BulkheadEventKind::Queued: ++b.counters.queuedTotal; break;
    case BulkheadEventKind::Rejected:
    case BulkheadEventKind::Timeout:
        ++b.counters.rejected;
        ++bulkheadSlot(b, e.at).rejected;
        break;
    case BulkheadEventKind::Completed: ++b.counters.completed; break;
    case BulkheadEventKind::QueueCleared: break;
    }
}

void MetricsRecorder::publish()
{
    publishAt(m_source ? m_source->now() : TimePoint::zero());
}

void MetricsRecorder::publishAt(TimePoint now)
{
    auto s = std::make_shared<MetricsSnapshot>();
    s->sequence = ++m_sequence;
    s->at = now;
    if (m_source)
        listenToBulkheads();
    const std::int64_t second = secondOf(now);
    for (const auto &live : m_operations)
        s->operations.push_back(operationAt(*live, second));
    s->breakers = m_breakers;
    for (const auto &live : m_bulkheads)
        s->bulkheads.push_back(bulkheadAt(*live, second));
    if (m_source) {
        addLiveState(*s);
        m_source->appendServices(s->services);
    }

    const std::lock_guard lock(m_mutex);
    m_latest = std::move(s);
}

MetricsSnapshot::Operation MetricsRecorder::operationAt(const OperationLive &live, std::int64_t second)
{
    MetricsSnapshot::Operation op = live.counters;
    MetricsSnapshot::HystrixWindow &w = op.window;
    Duration totalSum {}, executeSum {};
    for (const OperationSlot &slot : live.slots) {
        if (!inWindow(slot.second, second))
            continue;
        const MetricsSnapshot::HystrixWindow &c = slot.counts;
        w.success += c.success;
        w.failure += c.failure;
        w.timeout += c.timeout;
        w.shortCircuited += c.shortCircuited;
        w.threadPoolRejected += c.threadPoolRejected;
        w.semaphoreRejected += c.semaphoreRejected;
        w.fallbackSuccess += c.fallbackSuccess;
        w.exceptionsThrown += c.exceptionsThrown;
        w.maxConcurrent = std::max(w.maxConcurrent, c.maxConcurrent);
        totalSum += slot.totalSum;
        executeSum += slot.executeSum;
    }
    const std::int64_t totalCount = windowPercentiles(live, second, &OperationSlot::total, w.latencyTotal);
    const std::int64_t executeCount = windowPercentiles(live, second, &OperationSlot::execute, w.latencyExecute);
    w.latencyTotalMean = totalCount > 0 ? roundMs(totalSum / totalCount) : 0;
    w.latencyExecuteMean = executeCount > 0 ? roundMs(executeSum / executeCount) : 0;
    return op;
}

// Hystrix's percentiles of one histogram over the window, in milliseconds; returns its count.
std::int64_t MetricsRecorder::windowPercentiles(const OperationLive &live, std::int64_t second,
    BucketHistogram OperationSlot::*histogram,
    std::array<std::int64_t, MetricsSnapshot::HystrixPercentiles.size()> &milliseconds)
{
    m_merged.clear();
    for (const OperationSlot &slot : live.slots)
        if (inWindow(slot.second, second))
            m_merged.merge(slot.*histogram);
    std::array<Duration, MetricsSnapshot::HystrixPercentiles.size()> values {};
    m_merged.percentiles(MetricsSnapshot::HystrixPercentiles.data(), values.data(), int(values.size()));
    values.front() = m_merged.min(); // the histogram keeps both ends exactly
    values.back() = m_merged.max();
    for (std::size_t i = 0; i < values.size(); ++i)
        milliseconds[i] = roundMs(values[i]);
    return m_merged.count();
}

MetricsSnapshot::Bulkhead MetricsRecorder::bulkheadAt(const BulkheadLive &live, std::int64_t second)
{
    MetricsSnapshot::Bulkhead b = live.counters;
    for (const BulkheadSlot &slot : live.slots) {
        if (!inWindow(slot.second, second))
            continue;
        b.rollingExecuted += slot.executed;
        b.rollingRejected += slot.rejected;
        b.rollingMaxActive = std::max(b.rollingMaxActive, slot.maxActive);
    }
    return b;
}

// Gauges, policy properties and health, from the live primitives (this is their thread).
void MetricsRecorder::addLiveState(MetricsSnapshot &s) const
{
    for (int i = 0; i < m_source->pipelineCount(); ++i)
        addPipelineState(m_source->pipeline(i), s);
    summarize(s.health);
}

void MetricsRecorder::addPipelineState(const Pipeline &p, MetricsSnapshot &s) const
{
    const auto op = m_operationIndex.byName.constFind(p.name());
    MetricsSnapshot::Operation *o = op != m_operationIndex.byName.cend() ? &s.operations[std::size_t(*op)] : nullptr;
    if (o) {
        o->inFlight = p.callsInFlight();
        if (p.policy().timeout)
            o->timeout = p.policy().timeout->timeout;
    }
    if (const CircuitBreaker *cb = p.circuitBreaker()) {
        BreakerHealth h = breakerHealth(*cb);
        const auto it = m_breakerIndex.byName.constFind(cb->name());
        if (it != m_breakerIndex.byName.cend()) {
            MetricsSnapshot::Breaker &b = s.breakers[std::size_t(*it)];
            b.state = h.state;
            b.failureRate = h.metrics.failureRate;
        }
        if (o) {
            o->breakerConfig = cb->config();
            o->breakerState = h.state;
        }
        s.health.circuitBreakers.breakers.append(std::move(h));
    }
    if (const Bulkhead *bh = p.bulkhead()) {
        BulkheadHealth h = bulkheadHealth(*bh);
        const auto it = m_bulkheadIndex.byName.constFind(bh->name());
        if (it != m_bulkheadIndex.byName.cend()) {
            MetricsSnapshot::Bulkhead &b = s.bulkheads[std::size_t(*it)];
            b.active = h.state.active;
            b.queued = h.state.queued;
            b.maxConcurrent = h.maxConcurrent;
            b.maxQueueSize = h.maxQueueSize;
        }
        if (o)
            o->bulkheadMaxConcurrent = h.maxConcurrent;
        s.health.bulkheads.append(std::move(h));
    }
}

MetricsSnapshotPtr MetricsRecorder::latest() const
{
    const std::lock_guard lock(m_mutex);
    return m_latest;
}

} // namespace bw
