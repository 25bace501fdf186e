#include "chartpoints.h"

#include <cmath>

namespace bw {

TimeWindow visibleWindow(const TelemetryHistory &history)
{
    const double endS = toMs(history.end()) / 1000.0;
    const double nowS = toMs(history.now()) / 1000.0;
    const double spanS
        = double(history.buckets().capacity()) * std::max(0.001, toMs(history.layout().bucketWidth) / 1000.0);
    TimeWindow w { 0, endS > 0 ? endS : 60 };
    if (w.to > spanS) {
        const double step = spanS / 10;
        w.to = std::max(spanS, std::ceil(nowS / step) * step);
        w.from = w.to - spanS;
    }
    return w;
}

ChartPoints chartPoints(
    const TelemetryHistory &history, const TimeWindow &window, const QString &operation, qsizetype maxPoints)
{
    const TimeSeriesLayout &layout = history.layout();
    const auto &buckets = history.buckets();
    const int opIndex = operation.isEmpty() ? -1 : int(layout.operations.indexOf(operation));
    const QString service = opIndex >= 0 ? layout.operationServices.value(opIndex) : QString();
    const int serviceIndex = service.isEmpty() ? -1 : int(layout.services.indexOf(service));
    const int bulkheadIndex = opIndex >= 0 ? int(layout.bulkheads.indexOf(operation)) : -1;

    const qsizetype n = buckets.size();
    qsizetype first = 0;
    while (first < n && toMs(buckets.at(first)->start) / 1000.0 < window.from)
        ++first;
    const qsizetype k = std::max<qsizetype>(1, (n - first + maxPoints - 1) / maxPoints);
    const qsizetype count = (n - first + k - 1) / k;

    ChartPoints out;
    for (auto &l : out.outcomes)
        l.reserve(count);
    for (QList<QPointF> *l :
        { &out.retries, &out.attemptsPerCall, &out.timeouts, &out.activePercent, &out.queuedPercent, &out.p50,
            &out.p95, &out.p99, &out.received, &out.served, &out.inService, &out.capacity, &out.goodput,
            &out.concurrencyLimit })
        l->reserve(count);

    for (qsizetype g = first; g < n; g += k) {
        const double x = toMs(buckets.at(g)->start) / 1000.0;
        double width = 0;
        std::array<std::int64_t, OutcomeCount> counts {};
        std::int64_t retried = 0, attempted = 0, ended = 0, timedOut = 0;
        Duration l50 {}, l95 {}, l99 {};
        double act = -1, que = -1;
        double rec = 0, busy = 0, cap = 0, srv = 0, wasted = 0;
        int limit = -1; // at the span's end
        bool wasteKnown = true; // no goodput where a URL service's is out of sight
        for (qsizetype i = g; i < std::min(n, g + k); ++i) {
            const TimeBucket &b = *buckets.at(i);
            width += toMs(b.end - b.start) / 1000.0;
            limit = -1;
            for (std::size_t o = 0; o < b.operations.size(); ++o) {
                if (opIndex >= 0 && int(o) != opIndex)
                    continue;
                const OperationPoint &p = b.operations[o];
                if (p.concurrencyLimit >= 0)
                    limit = std::max(limit, 0) + p.concurrencyLimit;
                for (int c = 0; c < OutcomeCount; ++c)
                    counts[std::size_t(c)] += p.outcomes[std::size_t(c)];
                retried += p.retries;
                attempted += p.attempts;
                ended += p.ended();
                timedOut += p.timeoutsTotal();
                l50 = std::max(l50, p.p50);
                l95 = std::max(l95, p.p95);
                l99 = std::max(l99, p.p99);
            }
            if (opIndex < 0 || bulkheadIndex >= 0) {
                for (std::size_t h = 0; h < b.bulkheads.size(); ++h) {
                    if (bulkheadIndex >= 0 && int(h) != bulkheadIndex)
                        continue;
                    act = std::max(act, b.bulkheads[h].utilizationPercent());
                    que = std::max(que, b.bulkheads[h].queuePercent());
                }
            }
            if (opIndex < 0 || serviceIndex >= 0) {
                double busyNow = 0, capNow = 0;
                for (std::size_t v = 0; v < b.services.size(); ++v) {
                    if (serviceIndex >= 0 && int(v) != serviceIndex)
                        continue;
                    rec += double(b.services[v].received);
                    srv += double(b.services[v].served);
                    wasted += double(b.services[v].wasted);
                    wasteKnown &= b.services[v].wasted >= 0;
                    busyNow += b.services[v].inService;
                    capNow += b.services[v].capacity;
                }
                busy = std::max(busy, busyNow);
                cap = std::max(cap, capNow);
            }
        }
        width = std::max(1e-6, width);
        double stacked = 0;
        for (int c = 0; c < OutcomeCount; ++c) {
            stacked += double(counts[std::size_t(c)]) / width;
            out.outcomes[std::size_t(c)].append({ x, stacked });
        }
        out.retries.append({ x, double(retried) / width });
        out.attemptsPerCall.append({ x, ended > 0 ? double(attempted) / double(ended) : 0 });
        out.timeouts.append({ x, double(timedOut) / width });
        if (ended > 0) {
            out.p50.append({ x, toMs(l50) });
            out.p95.append({ x, toMs(l95) });
            out.p99.append({ x, toMs(l99) });
        }
        out.hasBulkhead |= act >= 0;
        out.activePercent.append({ x, std::max(0.0, act) });
        out.queuedPercent.append({ x, std::max(0.0, que) });
        out.received.append({ x, rec / width });
        out.served.append({ x, srv / width });
        if (wasteKnown)
            out.goodput.append({ x, (srv - wasted) / width });
        out.inService.append({ x, busy });
        out.capacity.append({ x, cap });
        if (limit >= 0)
            out.concurrencyLimit.append({ x, double(limit) });
    }
    return out;
}

QList<QPointF> successPercent(const ChartPoints &points)
{
    // The stack's second edge is success + fallback, its top every call that ended.
    const QList<QPointF> &good = points.outcomes[1], &ended = points.outcomes.back();
    QList<QPointF> out;
    out.reserve(ended.size());
    for (qsizetype i = 0; i < ended.size(); ++i)
        if (ended[i].y() > 0)
            out.append({ ended[i].x(), 100 * good[i].y() / ended[i].y() });
    return out;
}

} // namespace bw
