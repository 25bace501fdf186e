#include "timeseriescsv.h"

#include "eventlog.h"

#include <vector>

namespace bw {

namespace {

QByteArray latin1(QLatin1StringView s)
{
    return QByteArray(s.data(), s.size());
}

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

// An empty field for a negative value (unknown).
void appendKnownInt(QByteArray &out, std::int64_t v)
{
    if (v >= 0)
        appendInt(out, v);
    else
        out += ',';
}

void appendMsField(QByteArray &out, Duration d)
{
    out += ',';
    EventLog::appendMs(out, d);
}

// Per operation, the breaker, bulkhead and service its row shows (-1: none).
struct RowSources
{
    std::vector<int> breaker, bulkhead, service;

    explicit RowSources(const TimeSeriesLayout &layout)
    {
        for (qsizetype i = 0; i < layout.operations.size(); ++i) {
            const QString &name = layout.operations[i];
            breaker.push_back(int(layout.breakers.indexOf(name)));
            bulkhead.push_back(int(layout.bulkheads.indexOf(name)));
            const QString &s = layout.operationServices[i];
            service.push_back(s.isEmpty() ? -1 : int(layout.services.indexOf(s)));
        }
    }
};

void appendOperation(QByteArray &out, const OperationPoint &p)
{
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
}

// The item of `points` at `index`, or null when absent (none, or registered after the bucket).
template<typename T> const T *pointAt(const std::vector<T> &points, int index)
{
    return index >= 0 && std::size_t(index) < points.size() ? &points[std::size_t(index)] : nullptr;
}

void appendBreaker(QByteArray &out, const BreakerPoint *p)
{
    if (!p) {
        out += ",,";
        return;
    }
    out += ',';
    out += latin1(circuitStateName(p->state));
    appendInt(out, p->changes);
}

void appendBulkhead(QByteArray &out, const BulkheadPoint *p)
{
    if (!p) {
        out += ",,,,,,";
        return;
    }
    appendInt(out, p->active);
    appendInt(out, p->peakActive);
    appendKnownInt(out, p->maxConcurrent);
    appendInt(out, p->queued);
    appendInt(out, p->peakQueued);
    appendKnownInt(out, p->maxQueueSize);
}

void appendService(QByteArray &out, const QString &name, const ServicePoint *p)
{
    if (!p) {
        out += ",,,,,,,";
        return;
    }
    out += ',';
    appendCsvString(out, name);
    appendInt(out, p->received);
    appendInt(out, p->inService);
    appendInt(out, p->queued);
    appendInt(out, p->capacity);
    appendInt(out, p->served);
    appendKnownInt(out, p->wasted);
}

void appendBucket(
    QByteArray &out, const TimeBucket &b, const TimeSeriesLayout &layout, const RowSources &sources)
{
    const qsizetype ops = layout.operations.size();
    for (std::size_t i = 0; i < b.operations.size() && qsizetype(i) < ops; ++i) {
        EventLog::appendMs(out, b.start);
        appendMsField(out, b.end);
        out += ',';
        appendCsvString(out, layout.operations[qsizetype(i)]);
        appendOperation(out, b.operations[i]);
        appendBreaker(out, pointAt(b.breakers, sources.breaker[i]));
        appendBulkhead(out, pointAt(b.bulkheads, sources.bulkhead[i]));
        const int service = sources.service[i];
        appendService(out, service >= 0 ? layout.services[service] : QString(), pointAt(b.services, service));
        appendKnownInt(out, b.operations[i].concurrencyLimit);
        out += '\n';
    }
}

} // namespace

QByteArray timeSeriesCsvHeader()
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
         ",service_served,service_wasted,concurrency_limit\n";
    return h;
}

QByteArray timeSeriesCsv(
    const TimeSeriesLayout &layout, const QList<TimeBucketPtr> &coarse, const QList<TimeBucketPtr> &fine)
{
    const int factor = layout.coarseFactor;
    // Fine rows from the first coarse boundary the fine ring holds; coarse rows before it. The
    // coarse bucket straddling the ring's start stands for the fine buckets it merged.
    std::int64_t boundary = 0;
    if (!fine.isEmpty() && fine.first()->seq > 0)
        boundary = (fine.first()->seq + factor - 1) / factor * factor;

    const RowSources sources(layout);
    QByteArray out = timeSeriesCsvHeader();
    for (const TimeBucketPtr &b : coarse)
        if ((b->seq + 1) * factor <= boundary)
            appendBucket(out, *b, layout, sources);
    for (const TimeBucketPtr &b : fine)
        if (b->seq >= boundary)
            appendBucket(out, *b, layout, sources);
    return out;
}

} // namespace bw
