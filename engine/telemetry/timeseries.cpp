#include "timeseries.h"

#include "../runtime/atomicfile.h"
#include "../runtime/scheduler.h"
#include "eventlog.h"

#include <algorithm>
#include <bit>
#include <cmath>

namespace bw {

// ---- BucketHistogram ----

int BucketHistogram::binOf(std::int64_t value)
{
    if (value < 2 * Sub)
        return int(value < 0 ? 0 : value);
    const int msb = int(std::bit_width(std::uint64_t(value))) - 1;
    if (msb >= MaxBits)
        return Bins - 1;
    const int shift = msb - SubBits;
    return (shift + 1) * Sub + int(value >> shift) - Sub;
}

std::int64_t BucketHistogram::binLow(int bin)
{
    if (bin < 2 * Sub)
        return bin;
    const int shift = bin / Sub - 1;
    return std::int64_t(bin % Sub + Sub) << shift;
}

std::int64_t BucketHistogram::binHigh(int bin)
{
    if (bin < 2 * Sub)
        return bin;
    const int shift = bin / Sub - 1;
    return binLow(bin) + (std::int64_t(1) << shift) - 1;
}

void BucketHistogram::merge(const BucketHistogram &other)
{
    if (!other.m_count)
        return;
    for (int b = other.m_low; b <= other.m_high; ++b)
        m_counts[std::size_t(b)] += other.m_counts[std::size_t(b)];
    m_low = std::min(m_low, other.m_low);
    m_high = std::max(m_high, other.m_high);
    m_min = std::min(m_min, other.m_min);
    m_max = std::max(m_max, other.m_max);
    m_count += other.m_count;
}

void BucketHistogram::clear()
{
    if (m_high >= m_low)
        std::fill(m_counts.begin() + m_low, m_counts.begin() + m_high + 1, 0u);
    m_low = Bins;
    m_high = -1;
    m_count = 0;
    m_min = INT64_MAX;
    m_max = 0;
}

void BucketHistogram::percentiles(const double *p, Duration *out, int n) const
{
    if (!m_count) {
        std::fill(out, out + n, Duration::zero());
        return;
    }
    int k = 0;
    std::int64_t seen = 0;
    for (int b = m_low; b <= m_high && k < n; ++b) {
        seen += m_counts[std::size_t(b)];
        while (k < n) {
            const double wanted = std::ceil(std::clamp(p[k], 0.0, 100.0) / 100.0 * double(m_count) - 1e-9);
            const std::int64_t rank = std::clamp<std::int64_t>(std::int64_t(wanted), 1, m_count);
            if (seen < rank)
                break;
            const std::int64_t mid = binLow(b) + (binHigh(b) - binLow(b)) / 2;
            out[k++] = Duration(std::clamp(mid, m_min, m_max));
        }
    }
    for (; k < n; ++k)
        out[k] = Duration(m_max);
}

Duration BucketHistogram::percentile(double p) const
{
    Duration d;
    percentiles(&p, &d, 1);
    return d;
}

// ---- points ----

std::int64_t OperationPoint::ended() const
{
    std::int64_t n = 0;
    for (std::int64_t c : outcomes)
        n += c;
    return n;
}

std::int64_t OperationPoint::timeoutsTotal() const
{
    std::int64_t n = 0;
    for (std::int64_t c : timeouts)
        n += c;
    return n;
}

double OperationPoint::attemptsPerCall() const
{
    const std::int64_t n = ended();
    return n ? double(attempts) / double(n) : 0.0;
}

namespace {

double percentOf(int value, int limit)
{
    if (limit < 0)
        return -1;
    if (limit == 0)
        return 0;
    return 100.0 * double(value) / double(limit);
}

} // namespace

double BulkheadPoint::utilizationPercent() const
{
    return percentOf(active, maxConcurrent);
}

double BulkheadPoint::queuePercent() const
{
    return percentOf(queued, maxQueueSize);
}

// ---- TimeSeriesRecorder ----

void TimeSeriesRecorder::NameCache::clear()
{
    lastData = nullptr;
    lastIndex = -1;
    aliases.clear();
}

TimeSeriesRecorder::TimeSeriesRecorder(Config config)
    : m_config(config)
{
    if (m_config.bucketWidth <= Duration::zero())
        m_config.bucketWidth = std::chrono::seconds(1);
    m_config.coarseFactor = std::max(1, m_config.coarseFactor);
    // The CSV and takeSince() rely on every fine bucket being in one tier or the other.
    m_config.recentCapacity = std::max({ 1, m_config.recentCapacity, m_config.coarseFactor });
    m_config.coarseCapacity = std::max(1, m_config.coarseCapacity);
    m_config.maxChangesPerBucket = std::max(0, m_config.maxChangesPerBucket);
    m_config.gaugeSamplesPerBucket = std::max(1, m_config.gaugeSamplesPerBucket);
    m_sampleStep = std::max(Duration(1), m_config.bucketWidth / m_config.gaugeSamplesPerBucket);
    m_coarse.spans = 0;
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
    if (m_scheduler && m_boundaryTimer)
        m_scheduler->cancel(m_boundaryTimer);
    m_boundaryTimer = 0;
    m_scheduler = nullptr;
    resetLive();
    std::vector<TimeBucketPtr> recent, coarse; // released outside the lock
    {
        std::lock_guard lock(m_mutex);
        ++m_generation;
        m_published = 0;
        recent.swap(m_recent);
        coarse.swap(m_coarseRing);
        m_recentHead = m_coarseHead = 0;
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

int TimeSeriesRecorder::addOperation(const QString &name, const QString &service)
{
    int i = int(m_operationNames.indexOf(name));
    if (i >= 0) {
        if (!service.isEmpty() && m_operationServices[i] != service) {
            m_operationServices[i] = service;
            layoutChanged();
        }
        return i;
    }
    i = int(m_operationNames.size());
    m_operationNames.append(name);
    m_operationServices.append(service);
    m_operations.emplace_back();
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

TimeBucket TimeSeriesRecorder::liveBucket(
    TimePoint end, std::vector<std::pair<std::int64_t, std::int64_t>> *counters) const
{
    TimeBucket b;
    b.seq = m_seq;
    b.start = m_start;
    b.end = end;
    b.operations.reserve(m_operations.size());
    for (const OperationLive &o : m_operations) {
        OperationPoint p = o.point;
        fillOperation(p, o.latency);
        p.minOffered = p.maxOffered = p.offered;
        p.minEnded = p.maxEnded = p.ended();
        p.maxP99 = p.p99;
        b.operations.push_back(p);
    }
    b.breakers.reserve(m_breakers.size());
    for (const BreakerLive &l : m_breakers) {
        BreakerPoint p = l.point;
        p.state = l.state;
        if (l.sampler)
            if (const std::optional<BreakerSample> s = l.sampler()) {
                p.failureRate = s->failureRate;
                p.slowCallRate = s->slowCallRate;
                p.windowCalls = s->windowCalls;
            }
        p.timeInState[std::size_t(l.state)] += std::max(Duration::zero(), end - std::max(l.since, m_start));
        b.breakers.push_back(p);
    }
    b.changes = m_changes;
    b.bulkheads.reserve(m_bulkheads.size());
    for (const BulkheadLive &l : m_bulkheads) {
        BulkheadPoint p = l.point;
        if (l.sampler) {
            const auto s = l.sampler();
            if (s) {
                p.active = s->active;
                p.queued = s->queued;
                p.maxConcurrent = s->maxConcurrent;
                p.maxQueueSize = s->maxQueueSize;
                // Counters that went down belong to a new bulkhead (a policy change): from zero.
                p.rejected = s->rejected - (s->rejected >= l.lastRejected ? l.lastRejected : 0);
                p.timeouts = s->timeouts - (s->timeouts >= l.lastTimeouts ? l.lastTimeouts : 0);
            } else {
                p.maxConcurrent = p.maxQueueSize = -1;
                p.rejected = p.timeouts = 0;
            }
            if (counters)
                counters->emplace_back(s ? s->rejected : 0, s ? s->timeouts : 0);
        } else if (counters) {
            counters->emplace_back(0, 0);
        }
        p.peakActive = std::max(p.peakActive, p.active);
        p.peakQueued = std::max(p.peakQueued, p.queued);
        b.bulkheads.push_back(p);
    }
    b.services.reserve(m_services.size());
    for (const ServiceLive &l : m_services) {
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
        b.services.push_back(p);
    }
    return b;
}

namespace {

template<typename T, typename Merge>
void mergeVector(std::vector<T> &into, const std::vector<T> &from, Merge merge)
{
    for (std::size_t i = 0; i < from.size(); ++i) {
        if (i < into.size())
            merge(into[i], from[i]);
        else
            into.push_back(from[i]); // registered during this coarse bucket
    }
}

} // namespace

void TimeSeriesRecorder::closeBucket(TimePoint end)
{
    std::vector<std::pair<std::int64_t, std::int64_t>> counters;
    auto bucket = std::make_shared<TimeBucket>(liveBucket(end, &counters));

    // Into the coarse bucket in progress: sums, extremes, the latest gauges.
    if (m_coarse.spans == 0) {
        m_coarse = *bucket;
        m_coarse.seq = bucket->seq / m_config.coarseFactor;
    } else {
        m_coarse.end = bucket->end;
        ++m_coarse.spans;
        mergeVector(m_coarse.operations, bucket->operations, [](OperationPoint &a, const OperationPoint &b) {
            a.offered += b.offered;
            for (std::size_t k = 0; k < a.outcomes.size(); ++k)
                a.outcomes[k] += b.outcomes[k];
            a.attempts += b.attempts;
            a.retries += b.retries;
            for (std::size_t k = 0; k < a.timeouts.size(); ++k)
                a.timeouts[k] += b.timeouts[k];
            a.minOffered = std::min(a.minOffered, b.minOffered);
            a.maxOffered = std::max(a.maxOffered, b.maxOffered);
            a.minEnded = std::min(a.minEnded, b.minEnded);
            a.maxEnded = std::max(a.maxEnded, b.maxEnded);
            a.maxP99 = std::max(a.maxP99, b.maxP99);
        });
        mergeVector(m_coarse.breakers, bucket->breakers, [](BreakerPoint &a, const BreakerPoint &b) {
            a.state = b.state;
            a.failureRate = b.failureRate;
            a.slowCallRate = b.slowCallRate;
            a.windowCalls = b.windowCalls;
            a.changes += b.changes;
            for (std::size_t k = 0; k < a.timeInState.size(); ++k)
                a.timeInState[k] += b.timeInState[k];
            a.rejected += b.rejected;
        });
        for (const BreakerChange &c : bucket->changes) {
            if (int(m_coarse.changes.size()) >= m_config.maxChangesPerBucket)
                break;
            m_coarse.changes.push_back(c);
        }
        mergeVector(m_coarse.bulkheads, bucket->bulkheads, [](BulkheadPoint &a, const BulkheadPoint &b) {
            a.active = b.active;
            a.queued = b.queued;
            a.peakActive = std::max(a.peakActive, b.peakActive);
            a.peakQueued = std::max(a.peakQueued, b.peakQueued);
            a.maxConcurrent = b.maxConcurrent;
            a.maxQueueSize = b.maxQueueSize;
            a.rejected += b.rejected;
            a.timeouts += b.timeouts;
        });
        mergeVector(m_coarse.services, bucket->services, [](ServicePoint &a, const ServicePoint &b) {
            a.received += b.received;
            a.errorsServed += b.errorsServed;
            a.served += b.served;
            a.wasted = a.wasted < 0 || b.wasted < 0 ? -1 : a.wasted + b.wasted;
            a.inService = b.inService;
            a.queued = b.queued;
            a.capacity = b.capacity;
            a.peakInService = std::max(a.peakInService, b.peakInService);
            a.peakQueued = std::max(a.peakQueued, b.peakQueued);
        });
    }

    // The next bucket starts from the state this one ended in.
    for (OperationLive &o : m_operations) {
        o.coarseLatency.merge(o.latency);
        o.latency.clear();
        o.point = OperationPoint {};
    }
    for (std::size_t i = 0; i < m_breakers.size(); ++i) {
        BreakerLive &l = m_breakers[i];
        l.point = BreakerPoint {};
        l.point.state = l.state;
    }
    m_changes.clear();
    for (std::size_t i = 0; i < m_bulkheads.size(); ++i) {
        const BulkheadPoint &last = bucket->bulkheads[i];
        BulkheadLive &l = m_bulkheads[i];
        std::tie(l.lastRejected, l.lastTimeouts) = counters[i];
        BulkheadPoint &p = l.point;
        p = BulkheadPoint {};
        p.active = p.peakActive = last.active;
        p.queued = p.peakQueued = last.queued;
        p.maxConcurrent = last.maxConcurrent;
        p.maxQueueSize = last.maxQueueSize;
    }
    for (std::size_t i = 0; i < m_services.size(); ++i) {
        ServiceLive &l = m_services[i];
        const ServicePoint &last = bucket->services[i];
        l.lastReceived += last.received;
        l.lastErrors += last.errorsServed;
        l.lastServed += last.served;
        l.lastWasted += std::max<std::int64_t>(0, last.wasted);
        l.point = ServicePoint {};
        l.point.inService = l.point.peakInService = last.inService;
        l.point.queued = l.point.peakQueued = last.queued;
        l.point.capacity = last.capacity;
    }

    TimeBucketPtr dropped;
    {
        std::lock_guard lock(m_mutex);
        const std::size_t cap = std::size_t(m_config.recentCapacity);
        if (m_recent.size() < cap) {
            m_recent.push_back(std::move(bucket));
        } else {
            dropped = std::exchange(m_recent[m_recentHead], std::move(bucket));
            m_recentHead = (m_recentHead + 1) % cap;
        }
        ++m_published;
    }

    ++m_seq;
    m_start = end;
    m_end = end + m_config.bucketWidth;
    updateRollAt();
    if (m_seq % m_config.coarseFactor == 0)
        closeCoarse();
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
    TimeBucketPtr dropped;
    std::lock_guard lock(m_mutex);
    const std::size_t cap = std::size_t(m_config.coarseCapacity);
    if (m_coarseRing.size() < cap) {
        m_coarseRing.push_back(std::move(bucket));
    } else {
        dropped = std::exchange(m_coarseRing[m_coarseHead], std::move(bucket));
        m_coarseHead = (m_coarseHead + 1) % cap;
    }
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

namespace {

template<typename T> QList<T> ringToList(const std::vector<T> &ring, std::size_t head)
{
    QList<T> out;
    out.reserve(qsizetype(ring.size()));
    for (std::size_t k = 0; k < ring.size(); ++k)
        out.append(ring[(head + k) % ring.size()]);
    return out;
}

} // namespace

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
            s.buckets.append(m_recent[(m_recentHead + std::size_t(seq - oldest)) % std::size_t(held)]);
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
    return ringToList(m_recent, m_recentHead);
}

QList<TimeBucketPtr> TimeSeriesRecorder::coarse() const
{
    std::lock_guard lock(m_mutex);
    return ringToList(m_coarseRing, m_coarseHead);
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

namespace {

QByteArray latin1(QLatin1StringView s)
{
    return QByteArray(s.data(), s.size());
}

} // namespace

QByteArray TimeSeriesRecorder::csvHeader()
{
    QByteArray h = "start_ms,end_ms,operation,offered";
    for (Outcome o : AllOutcomes) {
        h += ',';
        h += latin1(outcomeName(o));
    }
    h += ",attempts,retries,timeouts,latency_p50_ms,latency_p95_ms,latency_p99_ms,latency_max_ms"
         ",breaker_state,breaker_changes"
         ",bulkhead_active,bulkhead_peak_active,bulkhead_max_concurrent"
         ",bulkhead_queued,bulkhead_peak_queued,bulkhead_max_queue_size"
         ",service,service_received,service_in_service,service_queued,service_capacity"
         ",service_served,service_wasted\n";
    return h;
}

namespace {

void appendCsvString(QByteArray &out, const QString &s)
{
    const QByteArray utf8 = s.toUtf8();
    if (!utf8.contains(',') && !utf8.contains('"') && !utf8.contains('\n') && !utf8.contains('\r')) {
        out += utf8;
        return;
    }
    out += '"';
    for (char c : utf8) {
        if (c == '"')
            out += '"';
        out += c;
    }
    out += '"';
}

void appendInt(QByteArray &out, std::int64_t v)
{
    out += ',';
    out += QByteArray::number(qint64(v));
}

void appendMsField(QByteArray &out, Duration d)
{
    out += ',';
    EventLog::appendMs(out, d);
}

} // namespace

QByteArray TimeSeriesRecorder::toCsv() const
{
    QList<TimeBucketPtr> fine, coarse;
    std::shared_ptr<const TimeSeriesLayout> layout;
    {
        std::lock_guard lock(m_mutex);
        fine = ringToList(m_recent, m_recentHead);
        coarse = ringToList(m_coarseRing, m_coarseHead);
        layout = m_layout;
    }
    const int factor = layout->coarseFactor;
    // Fine rows from the first coarse boundary the fine ring holds; coarse rows before it. The
    // coarse bucket straddling the ring's start stands for the fine buckets it merged.
    std::int64_t boundary = 0;
    if (!fine.isEmpty() && fine.first()->seq > 0)
        boundary = (fine.first()->seq + factor - 1) / factor * factor;

    const qsizetype ops = layout->operations.size();
    std::vector<int> breakerOf(static_cast<std::size_t>(ops)), bulkheadOf(breakerOf), serviceOf(breakerOf);
    for (qsizetype i = 0; i < ops; ++i) {
        const QString &name = layout->operations[i];
        breakerOf[std::size_t(i)] = int(layout->breakers.indexOf(name));
        bulkheadOf[std::size_t(i)] = int(layout->bulkheads.indexOf(name));
        const QString &service = layout->operationServices[i];
        serviceOf[std::size_t(i)] = service.isEmpty() ? -1 : int(layout->services.indexOf(service));
    }

    QByteArray out = csvHeader();
    const auto writeBucket = [&](const TimeBucket &b) {
        for (std::size_t i = 0; i < b.operations.size() && qsizetype(i) < ops; ++i) {
            const OperationPoint &p = b.operations[i];
            EventLog::appendMs(out, b.start);
            appendMsField(out, b.end);
            out += ',';
            appendCsvString(out, layout->operations[qsizetype(i)]);
            appendInt(out, p.offered);
            for (std::int64_t c : p.outcomes)
                appendInt(out, c);
            appendInt(out, p.attempts);
            appendInt(out, p.retries);
            appendInt(out, p.timeoutsTotal());
            if (p.latencyCount > 0) {
                appendMsField(out, p.p50);
                appendMsField(out, p.p95);
                appendMsField(out, p.p99);
                appendMsField(out, p.max);
            } else {
                out += ",,,,";
            }
            const int br = breakerOf[i];
            if (br >= 0 && std::size_t(br) < b.breakers.size()) {
                out += ',';
                out += latin1(circuitStateName(b.breakers[std::size_t(br)].state));
                appendInt(out, b.breakers[std::size_t(br)].changes);
            } else {
                out += ",,";
            }
            const int bh = bulkheadOf[i];
            if (bh >= 0 && std::size_t(bh) < b.bulkheads.size()) {
                const BulkheadPoint &q = b.bulkheads[std::size_t(bh)];
                appendInt(out, q.active);
                appendInt(out, q.peakActive);
                if (q.maxConcurrent >= 0)
                    appendInt(out, q.maxConcurrent);
                else
                    out += ',';
                appendInt(out, q.queued);
                appendInt(out, q.peakQueued);
                if (q.maxQueueSize >= 0)
                    appendInt(out, q.maxQueueSize);
                else
                    out += ',';
            } else {
                out += ",,,,,,";
            }
            const int sv = serviceOf[i];
            if (sv >= 0 && std::size_t(sv) < b.services.size()) {
                const ServicePoint &s = b.services[std::size_t(sv)];
                out += ',';
                appendCsvString(out, layout->services[sv]);
                appendInt(out, s.received);
                appendInt(out, s.inService);
                appendInt(out, s.queued);
                appendInt(out, s.capacity);
                appendInt(out, s.served);
                if (s.wasted >= 0)
                    appendInt(out, s.wasted);
                else
                    out += ',';
            } else {
                out += ",,,,,,,";
            }
            out += '\n';
        }
    };
    for (const TimeBucketPtr &b : std::as_const(coarse))
        if ((b->seq + 1) * factor <= boundary)
            writeBucket(*b);
    for (const TimeBucketPtr &b : std::as_const(fine))
        if (b->seq >= boundary)
            writeBucket(*b);
    return out;
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
    if (!r.cutOff) // its latency is only how long it had run (semantics.md)
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
