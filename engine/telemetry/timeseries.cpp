#include "timeseries.h"

#include "../runtime/atomicfile.h"
#include "../runtime/scheduler.h"
#include "coarsebucket.h"
#include "timeseriescsv.h"

#include <algorithm>

namespace bw {

void TimeSeriesRecorder::NameCache::clear()
{
    lastData = nullptr;
    lastIndex = -1;
    aliases.clear();
}

namespace {

TimeSeriesRecorder::Config sanitized(TimeSeriesRecorder::Config config)
{
    if (config.bucketWidth <= Duration::zero())
        config.bucketWidth = std::chrono::seconds(1);
    config.coarseFactor = std::max(1, config.coarseFactor);
    // The CSV and takeSince() rely on every fine bucket being in one tier or the other.
    config.recentCapacity = std::max({ 1, config.recentCapacity, config.coarseFactor });
    config.coarseCapacity = std::max(1, config.coarseCapacity);
    config.maxChangesPerBucket = std::max(0, config.maxChangesPerBucket);
    config.gaugeSamplesPerBucket = std::max(1, config.gaugeSamplesPerBucket);
    return config;
}

} // namespace

TimeSeriesRecorder::TimeSeriesRecorder(Config config)
    : m_config(sanitized(config))
    , m_sampleStep(std::max(Duration(1), m_config.bucketWidth / m_config.gaugeSamplesPerBucket))
    , m_recent(std::size_t(m_config.recentCapacity))
    , m_coarseRing(std::size_t(m_config.coarseCapacity))
{
    resetLive();
    layoutChanged();
}

TimeSeriesRecorder::~TimeSeriesRecorder()
{
    detach();
}

void TimeSeriesRecorder::resetLive()
{
    m_operations.clear();
    m_breakers.clear();
    m_bulkheads.clear();
    m_services.clear();
    m_changes.clear();
    m_operationNames.clear();
    m_operationServices.clear();
    m_breakerNames.clear();
    m_bulkheadNames.clear();
    m_serviceNames.clear();
    for (NameCache *c : { &m_offeredCache, &m_pipelineCache, &m_breakerCache, &m_bulkheadCache })
        c->clear();
    m_seq = 0;
    m_start = m_config.origin;
    m_end = m_start + m_config.bucketWidth;
    m_runEnd = TimePoint::max();
    m_finished = false;
    m_coarse = TimeBucket {};
    m_coarse.spans = 0;
    updateRollAt();
}

void TimeSeriesRecorder::reset()
{
    detach();
    resetLive();
    std::vector<TimeBucketPtr> recent, coarse; // released outside the lock
    {
        std::lock_guard lock(m_mutex);
        ++m_generation;
        m_published = 0;
        recent = m_recent.release();
        coarse = m_coarseRing.release();
    }
    layoutChanged();
}

void TimeSeriesRecorder::layoutChanged()
{
    auto layout = std::make_shared<TimeSeriesLayout>();
    layout->bucketWidth = m_config.bucketWidth;
    layout->coarseFactor = m_config.coarseFactor;
    layout->operations = m_operationNames;
    layout->operationServices = m_operationServices;
    layout->breakers = m_breakerNames;
    layout->bulkheads = m_bulkheadNames;
    layout->services = m_serviceNames;
    std::lock_guard lock(m_mutex);
    m_layout = std::move(layout);
}

int TimeSeriesRecorder::addOperation(const QString &name, const QString &service, LimitSampler limit)
{
    int i = int(m_operationNames.indexOf(name));
    if (i >= 0) {
        if (limit)
            m_operations[std::size_t(i)].limit = std::move(limit);
        if (!service.isEmpty() && m_operationServices[i] != service) {
            m_operationServices[i] = service;
            layoutChanged();
        }
        return i;
    }
    i = int(m_operationNames.size());
    m_operationNames.append(name);
    m_operationServices.append(service);
    m_operations.emplace_back().limit = std::move(limit);
    layoutChanged();
    return i;
}

int TimeSeriesRecorder::addBreaker(const QString &name, CircuitState initial, BreakerSampler sampler)
{
    int i = int(m_breakerNames.indexOf(name));
    if (i >= 0) {
        if (sampler)
            m_breakers[std::size_t(i)].sampler = std::move(sampler);
        return i;
    }
    i = int(m_breakerNames.size());
    m_breakerNames.append(name);
    BreakerLive b;
    b.sampler = std::move(sampler);
    b.state = initial;
    b.point.state = initial;
    b.since = m_scheduler ? m_scheduler->now() : m_start;
    m_breakers.push_back(b);
    layoutChanged();
    return i;
}

int TimeSeriesRecorder::addBulkhead(const QString &name, BulkheadSampler sampler)
{
    int i = int(m_bulkheadNames.indexOf(name));
    if (i >= 0) {
        if (sampler)
            m_bulkheads[std::size_t(i)].sampler = std::move(sampler);
        return i;
    }
    i = int(m_bulkheadNames.size());
    m_bulkheadNames.append(name);
    BulkheadLive b;
    b.sampler = std::move(sampler);
    if (b.sampler) {
        if (const auto s = b.sampler()) {
            b.point.active = b.point.peakActive = s->active;
            b.point.queued = b.point.peakQueued = s->queued;
            b.point.maxConcurrent = s->maxConcurrent;
            b.point.maxQueueSize = s->maxQueueSize;
            b.lastRejected = s->rejected;
            b.lastTimeouts = s->timeouts;
        }
    }
    m_bulkheads.push_back(std::move(b));
    layoutChanged();
    return i;
}

int TimeSeriesRecorder::addService(const QString &name, ServiceSampler sampler)
{
    int i = int(m_serviceNames.indexOf(name));
    if (i >= 0) {
        if (sampler)
            m_services[std::size_t(i)].sampler = std::move(sampler);
        return i;
    }
    i = int(m_serviceNames.size());
    m_serviceNames.append(name);
    ServiceLive s;
    s.sampler = std::move(sampler);
    if (s.sampler) {
        // Counting starts now: what the service received before registration is not this run's.
        const ServiceSample now = s.sampler();
        s.lastReceived = now.received;
        s.lastErrors = now.errorsServed;
        s.lastServed = now.served;
        s.lastWasted = now.wasted;
        s.point.capacity = now.capacity;
        s.point.inService = s.point.peakInService = now.inService;
        s.point.queued = s.point.peakQueued = now.queued;
    }
    m_services.push_back(std::move(s));
    layoutChanged();
    return i;
}

int TimeSeriesRecorder::resolve(NameCache &cache, Kind kind, const QString &name)
{
    const QChar *data = name.constData();
    for (const auto &[alias, i] : cache.aliases) {
        if (alias.constData() == data) {
            cache.lastData = data;
            cache.lastIndex = i;
            return i;
        }
    }
    int i = -1;
    switch (kind) {
    case Kind::Operation:
        i = addOperation(name);
        break;
    case Kind::Breaker:
        i = addBreaker(name);
        break;
    case Kind::Bulkhead:
        i = addBulkhead(name);
        break;
    }
    // Distinct data pointers per name are few (one per place a name was copied from); the cap
    // only guards against a caller that builds a fresh string per call.
    if (cache.aliases.size() >= 64)
        cache.aliases.clear();
    cache.aliases.emplace_back(name, i);
    cache.lastData = data;
    cache.lastIndex = i;
    return i;
}

void TimeSeriesRecorder::attach(Scheduler &scheduler, TimePoint end)
{
    detach();
    m_scheduler = &scheduler;
    setEnd(end);
    scheduleTick(scheduler.now());
}

void TimeSeriesRecorder::detach()
{
    if (m_scheduler && m_boundaryTimer)
        m_scheduler->cancel(m_boundaryTimer);
    m_boundaryTimer = 0;
    m_scheduler = nullptr;
}

void TimeSeriesRecorder::setEnd(TimePoint end)
{
    m_runEnd = end;
    updateRollAt();
}

void TimeSeriesRecorder::updateRollAt()
{
    m_rollAt = (m_finished || m_end >= m_runEnd) ? TimePoint::max() : m_end;
}

TimePoint TimeSeriesRecorder::nextTick(TimePoint t) const
{
    // Samples at start + k × step within the bucket, then its boundary; the last one at the
    // run's end, which fixes the gauges of the last bucket before the run is torn down.
    const std::int64_t k = t < m_start ? 1 : (t - m_start) / m_sampleStep + 1;
    TimePoint next = m_start + k * m_sampleStep;
    if (next >= m_end)
        next = m_end;
    if (t >= m_runEnd)
        return TimePoint::max();
    return std::min(next, m_runEnd);
}

void TimeSeriesRecorder::scheduleTick(TimePoint after)
{
    if (!m_scheduler || m_boundaryTimer || m_finished)
        return;
    const TimePoint next = nextTick(after);
    // First at its instant: a row describes [start, end), so its gauges are read before
    // anything that happens at `end` (a fault starting on the boundary) changes them.
    if (next != TimePoint::max())
        m_boundaryTimer = m_scheduler->scheduleFirstAt(next, [this] { onTick(); });
}

void TimeSeriesRecorder::onTick()
{
    m_boundaryTimer = 0;
    const TimePoint now = m_scheduler->now();
    const std::int64_t closed = m_seq;
    reach(now);
    if (m_seq == closed) // closing a bucket has just sampled
        sampleGauges();
    if (now >= m_runEnd)
        freezeGauges();
    scheduleTick(now);
}

void TimeSeriesRecorder::freezeGauges()
{
    // The run is over: what follows (calls cut off, queues cleared) is its teardown, not a state
    // the last bucket was in. Its gauges keep the values they had at the end.
    for (BulkheadLive &l : m_bulkheads)
        if (l.sampler)
            l.sampler = [sample = l.sampler()] { return sample; };
    for (ServiceLive &l : m_services)
        if (l.sampler)
            l.sampler = [sample = l.sampler()] { return sample; };
    for (BreakerLive &l : m_breakers)
        if (l.sampler)
            l.sampler = [sample = l.sampler()] { return sample; };
    for (OperationLive &l : m_operations)
        if (l.limit)
            l.limit = [sample = l.limit()] { return sample; };
}

void TimeSeriesRecorder::sampleGauges()
{
    for (BulkheadLive &l : m_bulkheads) {
        if (!l.sampler)
            continue;
        if (const auto s = l.sampler()) {
            BulkheadPoint &p = l.point;
            p.active = s->active;
            p.queued = s->queued;
            p.peakActive = std::max(p.peakActive, s->active);
            p.peakQueued = std::max(p.peakQueued, s->queued);
        }
    }
    for (ServiceLive &l : m_services) {
        if (!l.sampler)
            continue;
        const ServiceSample s = l.sampler();
        ServicePoint &p = l.point;
        p.inService = s.inService;
        p.queued = s.queued;
        p.peakInService = std::max(p.peakInService, s.inService);
        p.peakQueued = std::max(p.peakQueued, s.queued);
    }
}

void TimeSeriesRecorder::advanceTo(TimePoint now)
{
    reach(now);
}

void TimeSeriesRecorder::roll(TimePoint at)
{
    while (at >= m_rollAt)
        closeBucket(m_end);
}

void TimeSeriesRecorder::fillOperation(OperationPoint &p, const BucketHistogram &latency) const
{
    static constexpr double ps[3] = { 50, 95, 99 };
    Duration out[3];
    latency.percentiles(ps, out, 3);
    p.p50 = out[0];
    p.p95 = out[1];
    p.p99 = out[2];
    p.max = latency.max();
    p.latencyCount = latency.count();
}

OperationPoint TimeSeriesRecorder::operationPoint(const OperationLive &o) const
{
    OperationPoint p = o.point;
    fillOperation(p, o.latency);
    p.minOffered = p.maxOffered = p.offered;
    p.minEnded = p.maxEnded = p.ended();
    p.maxP99 = p.p99;
    if (o.limit)
        p.concurrencyLimit = o.limit().value_or(-1);
    return p;
}

BreakerPoint TimeSeriesRecorder::breakerPoint(const BreakerLive &l, TimePoint end) const
{
    BreakerPoint p = l.point;
    p.state = l.state;
    if (l.sampler)
        if (const std::optional<BreakerSample> s = l.sampler()) {
            p.failureRate = s->failureRate;
            p.slowCallRate = s->slowCallRate;
            p.windowCalls = s->windowCalls;
        }
    p.timeInState[std::size_t(l.state)] += std::max(Duration::zero(), end - std::max(l.since, m_start));
    return p;
}

BulkheadPoint TimeSeriesRecorder::bulkheadPoint(const BulkheadLive &l, BulkheadCounters &counters) const
{
    BulkheadPoint p = l.point;
    counters = {};
    if (l.sampler) {
        if (const auto s = l.sampler()) {
            p.active = s->active;
            p.queued = s->queued;
            p.maxConcurrent = s->maxConcurrent;
            p.maxQueueSize = s->maxQueueSize;
            // Counters that went down belong to a new bulkhead (a policy change): from zero.
            p.rejected = s->rejected - (s->rejected >= l.lastRejected ? l.lastRejected : 0);
            p.timeouts = s->timeouts - (s->timeouts >= l.lastTimeouts ? l.lastTimeouts : 0);
            counters = { s->rejected, s->timeouts };
        } else {
            p.maxConcurrent = p.maxQueueSize = -1;
            p.rejected = p.timeouts = 0;
        }
    }
    p.peakActive = std::max(p.peakActive, p.active);
    p.peakQueued = std::max(p.peakQueued, p.queued);
    return p;
}

ServicePoint TimeSeriesRecorder::servicePoint(const ServiceLive &l) const
{
    ServicePoint p = l.point;
    if (l.sampler) {
        const ServiceSample s = l.sampler();
        p.received = s.received - l.lastReceived;
        p.errorsServed = s.errorsServed - l.lastErrors;
        p.served = s.served - l.lastServed;
        p.wasted = s.wasted < 0 ? -1 : s.wasted - l.lastWasted;
        p.inService = s.inService;
        p.queued = s.queued;
        p.capacity = s.capacity;
    }
    p.peakInService = std::max(p.peakInService, p.inService);
    p.peakQueued = std::max(p.peakQueued, p.queued);
    return p;
}

TimeBucket TimeSeriesRecorder::liveBucket(TimePoint end, std::vector<BulkheadCounters> *counters) const
{
    TimeBucket b;
    b.seq = m_seq;
    b.start = m_start;
    b.end = end;
    b.operations.reserve(m_operations.size());
    for (const OperationLive &o : m_operations)
        b.operations.push_back(operationPoint(o));
    b.breakers.reserve(m_breakers.size());
    for (const BreakerLive &l : m_breakers)
        b.breakers.push_back(breakerPoint(l, end));
    b.changes = m_changes;
    b.bulkheads.reserve(m_bulkheads.size());
    for (const BulkheadLive &l : m_bulkheads) {
        BulkheadCounters c;
        b.bulkheads.push_back(bulkheadPoint(l, c));
        if (counters)
            counters->push_back(c);
    }
    b.services.reserve(m_services.size());
    for (const ServiceLive &l : m_services)
        b.services.push_back(servicePoint(l));
    return b;
}

void TimeSeriesRecorder::closeBucket(TimePoint end)
{
    std::vector<BulkheadCounters> counters;
    auto bucket = std::make_shared<const TimeBucket>(liveBucket(end, &counters));
    addToCoarse(m_coarse, *bucket, m_config.coarseFactor, m_config.maxChangesPerBucket);
    carryOver(*bucket, counters);
    publish(std::move(bucket));
    ++m_seq;
    m_start = end;
    m_end = end + m_config.bucketWidth;
    updateRollAt();
    if (m_seq % m_config.coarseFactor == 0)
        closeCoarse();
}

void TimeSeriesRecorder::carryOver(const TimeBucket &closed, const std::vector<BulkheadCounters> &counters)
{
    for (OperationLive &o : m_operations) {
        o.coarseLatency.merge(o.latency);
        o.latency.clear();
        o.point = OperationPoint {};
    }
    for (BreakerLive &l : m_breakers) {
        l.point = BreakerPoint {};
        l.point.state = l.state;
    }
    m_changes.clear();
    for (std::size_t i = 0; i < m_bulkheads.size(); ++i) {
        const BulkheadPoint &last = closed.bulkheads[i];
        BulkheadLive &l = m_bulkheads[i];
        l.lastRejected = counters[i].rejected;
        l.lastTimeouts = counters[i].timeouts;
        BulkheadPoint &p = l.point;
        p = BulkheadPoint {};
        p.active = p.peakActive = last.active;
        p.queued = p.peakQueued = last.queued;
        p.maxConcurrent = last.maxConcurrent;
        p.maxQueueSize = last.maxQueueSize;
    }
    for (std::size_t i = 0; i < m_services.size(); ++i) {
        ServiceLive &l = m_services[i];
        const ServicePoint &last = closed.services[i];
        l.lastReceived += last.received;
        l.lastErrors += last.errorsServed;
        l.lastServed += last.served;
        l.lastWasted += std::max<std::int64_t>(0, last.wasted);
        l.point = ServicePoint {};
        l.point.inService = l.point.peakInService = last.inService;
        l.point.queued = l.point.peakQueued = last.queued;
        l.point.capacity = last.capacity;
    }
}

void TimeSeriesRecorder::publish(TimeBucketPtr bucket)
{
    TimeBucketPtr dropped; // released outside the lock
    std::lock_guard lock(m_mutex);
    dropped = m_recent.push(std::move(bucket));
    ++m_published;
}

void TimeSeriesRecorder::closeCoarse()
{
    if (m_coarse.spans == 0)
        return;
    for (std::size_t i = 0; i < m_coarse.operations.size() && i < m_operations.size(); ++i) {
        fillOperation(m_coarse.operations[i], m_operations[i].coarseLatency);
        m_operations[i].coarseLatency.clear();
    }
    auto bucket = std::make_shared<const TimeBucket>(std::move(m_coarse));
    m_coarse = TimeBucket {};
    m_coarse.spans = 0;
    TimeBucketPtr dropped; // released outside the lock
    std::lock_guard lock(m_mutex);
    dropped = m_coarseRing.push(std::move(bucket));
}

void TimeSeriesRecorder::finish(TimePoint end)
{
    if (m_finished)
        return;
    reach(end);
    bool empty = m_changes.empty();
    for (const OperationLive &o : m_operations)
        empty = empty && o.point.offered == 0 && o.point.ended() == 0 && o.point.retries == 0;
    // A bucket of zero width with nothing in it is no bucket (a run ending on a boundary).
    if (end > m_start || !empty)
        closeBucket(std::max(end, m_start));
    closeCoarse();
    m_finished = true;
    updateRollAt();
    if (m_scheduler && m_boundaryTimer)
        m_scheduler->cancel(std::exchange(m_boundaryTimer, 0));
}

// ---- reading ----

TimeSeriesSnapshot TimeSeriesRecorder::takeSince(const TimeSeriesCursor &cursor) const
{
    TimeSeriesSnapshot s;
    std::lock_guard lock(m_mutex);
    s.generation = m_generation;
    s.layout = m_layout;
    s.reset = cursor.generation != m_generation;
    const std::int64_t from = s.reset ? 0 : cursor.next;
    const std::int64_t held = std::int64_t(m_recent.size());
    const std::int64_t oldest = m_published - held;
    const std::int64_t first = std::max(from, oldest);
    s.gap = from < oldest;
    if (first < m_published) {
        s.buckets.reserve(qsizetype(m_published - first));
        for (std::int64_t seq = first; seq < m_published; ++seq)
            s.buckets.append(m_recent.at(std::size_t(seq - oldest)));
    }
    s.next = TimeSeriesCursor { m_generation, m_published };
    return s;
}

TimeSeriesSnapshot TimeSeriesRecorder::snapshot(const TimeSeriesCursor &cursor) const
{
    TimeSeriesSnapshot s = takeSince(cursor);
    if (!m_finished) {
        const TimePoint now = m_scheduler ? std::clamp(m_scheduler->now(), m_start, m_end) : m_end;
        s.current = std::make_shared<const TimeBucket>(liveBucket(now));
    }
    return s;
}

QList<TimeBucketPtr> TimeSeriesRecorder::recent() const
{
    std::lock_guard lock(m_mutex);
    return m_recent.toList();
}

QList<TimeBucketPtr> TimeSeriesRecorder::coarse() const
{
    std::lock_guard lock(m_mutex);
    return m_coarseRing.toList();
}

std::shared_ptr<const TimeSeriesLayout> TimeSeriesRecorder::layout() const
{
    std::lock_guard lock(m_mutex);
    return m_layout;
}

std::uint64_t TimeSeriesRecorder::generation() const
{
    std::lock_guard lock(m_mutex);
    return m_generation;
}

// ---- CSV ----

QByteArray TimeSeriesRecorder::toCsv() const
{
    QList<TimeBucketPtr> fine, coarse;
    std::shared_ptr<const TimeSeriesLayout> layout;
    {
        std::lock_guard lock(m_mutex);
        fine = m_recent.toList();
        coarse = m_coarseRing.toList();
        layout = m_layout;
    }
    return timeSeriesCsv(*layout, coarse, fine);
}

bool TimeSeriesRecorder::writeCsv(const QString &path, QString *error) const
{
    return writeFileAtomically(path, toCsv(), error);
}

// ---- TelemetrySink ----

void TimeSeriesRecorder::onCallOffered(const QString &operation, std::uint64_t tag, TimePoint at)
{
    Q_UNUSED(tag);
    reach(at);
    ++m_operations[std::size_t(index(m_offeredCache, Kind::Operation, operation))].point.offered;
}

void TimeSeriesRecorder::onCallFinished(const CallReport &r)
{
    reach(r.at);
    OperationLive &o = m_operations[std::size_t(index(m_pipelineCache, Kind::Operation, r.pipeline))];
    ++o.point.outcomes[std::size_t(r.outcome)];
    o.point.attempts += r.attempts;
    if (!r.cutOff) // its latency is only how long it had run (docs/semantics.md)
        o.latency.record(r.latency);
}

void TimeSeriesRecorder::onRetry(const RetryReport &r)
{
    reach(r.at);
    ++m_operations[std::size_t(index(m_pipelineCache, Kind::Operation, r.pipeline))].point.retries;
}

void TimeSeriesRecorder::onTimeout(
    const QString &pipeline, std::uint64_t tag, StageKind stage, Duration elapsed, TimePoint at)
{
    Q_UNUSED(tag);
    Q_UNUSED(elapsed);
    reach(at);
    ++m_operations[std::size_t(index(m_pipelineCache, Kind::Operation, pipeline))]
          .point.timeouts[std::size_t(stage)];
}

void TimeSeriesRecorder::onStateChange(const CircuitStateChange &c)
{
    reach(c.at);
    const qsizetype known = m_breakerNames.size();
    const int i = index(m_breakerCache, Kind::Breaker, c.name);
    BreakerLive &b = m_breakers[std::size_t(i)];
    if (m_breakerNames.size() > known) // first heard of now: it was in the state it leaves
        b.state = b.point.state = c.previousState;
    b.point.timeInState[std::size_t(b.state)]
        += std::max(Duration::zero(), c.at - std::max(b.since, m_start));
    b.state = c.currentState;
    b.since = c.at;
    ++b.point.changes;
    if (int(m_changes.size()) < m_config.maxChangesPerBucket)
        m_changes.push_back(BreakerChange { i, c.at, c.previousState, c.currentState, c.reason });
}

void TimeSeriesRecorder::onRejected(const QString &name, CircuitState state, TimePoint at)
{
    Q_UNUSED(state);
    reach(at);
    ++m_breakers[std::size_t(index(m_breakerCache, Kind::Breaker, name))].point.rejected;
}

void TimeSeriesRecorder::onBulkheadEvent(const BulkheadEvent &e)
{
    reach(e.at);
    BulkheadPoint &p = m_bulkheads[std::size_t(index(m_bulkheadCache, Kind::Bulkhead, e.name))].point;
    p.active = e.active;
    p.queued = e.queued;
    p.peakActive = std::max(p.peakActive, e.active);
    p.peakQueued = std::max(p.peakQueued, e.queued);
    if (e.kind == BulkheadEventKind::Rejected)
        ++p.rejected;
    else if (e.kind == BulkheadEventKind::Timeout)
        ++p.timeouts;
}

} // namespace bw
