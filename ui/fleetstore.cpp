#include "fleetstore.h"

#include <algorithm>
#include <cmath>
#include <iterator>
#include <set>

namespace bw {

namespace {

float figure(double value)
{
    return hasFigure(value) ? float(value) : NAN;
}

FleetPoint pointOf(const BreakerReading &r, qint64 wallMs)
{
    FleetPoint p;
    p.timeMs = wallMs;
    p.state = r.state ? std::int8_t(*r.state) : std::int8_t(-1);
    p.failureRate = figure(r.failureRatePercent);
    p.slowCallRate = figure(r.slowCallRatePercent);
    p.calls = figure(r.callsPerSecond);
    p.rejected = figure(r.rejectedPerSecond);
    // Failed: errors and timeouts, where the library counts them.
    const double failed = r.callsPerSecondByOutcome[std::size_t(Outcome::Failure)];
    const double timedOut = r.callsPerSecondByOutcome[std::size_t(Outcome::Timeout)];
    if (hasFigure(failed) || hasFigure(timedOut))
        p.failures = float((hasFigure(failed) ? failed : 0) + (hasFigure(timedOut) ? timedOut : 0));
    p.bulkheadUsed = figure(r.bulkheadUsed);
    p.bulkheadMax = figure(r.bulkheadMax);
    return p;
}

FleetPoint pointOf(const HistoryPoint &h)
{
    FleetPoint p;
    p.timeMs = h.timeMs;
    p.state = h.state ? std::int8_t(*h.state) : std::int8_t(-1);
    p.failureRate = figure(h.failureRatePercent);
    p.slowCallRate = figure(h.slowCallRatePercent);
    p.calls = figure(h.callsPerSecond);
    p.failures = figure(h.failuresPerSecond);
    p.rejected = figure(h.rejectedPerSecond);
    p.bulkheadUsed = figure(h.bulkheadUsed);
    p.bulkheadMax = figure(h.bulkheadMax);
    return p;
}

// A stretch of one breaker in one state (-1: unknown).
struct Run
{
    qint64 from, to;
    int state;
};

// The breaker's runs inside [fromMs, toMs]: a point holds until the next one, or 2.5 steps at
// most; the last one for a step.
std::vector<Run> runsOf(const FleetStore::Breaker &b, qint64 stepMs, qint64 fromMs, qint64 toMs)
{
    std::vector<Run> runs;
    const qint64 hold = stepMs * 5 / 2;
    const FleetStore::StateRun *previous = nullptr;
    const auto close = [&](const FleetStore::StateRun &r, qint64 next) {
        const qint64 a = std::max(r.fromMs, fromMs), z = std::min({ next, r.lastPointMs + hold, toMs });
        if (z > a)
            runs.push_back({ a, z, r.state });
    };
    b.runs.forEach([&](const FleetStore::StateRun &r) {
        if (previous)
            close(*previous, r.fromMs);
        previous = &r;
    });
    if (previous)
        close(*previous, previous->lastPointMs + stepMs);
    return runs;
}

// The bands of several breakers' runs together: at each moment, how many are in each state.
QList<FleetBand> mergeRuns(const std::vector<const std::vector<Run> *> &members)
{
    struct Edge
    {
        qint64 at;
        int state, delta;
    };
    // A breaker's runs follow each other without overlap, so its edges come sorted: merged in one
    // breaker at a time, they cost less than a sort of all (a service's header has ten breakers'
    // runs, and every lane is made at every refresh).
    std::size_t total = 0;
    for (const std::vector<Run> *runs : members)
        total += 2 * runs->size();
    std::vector<Edge> edges, merged, one;
    edges.reserve(total);
    merged.reserve(total);
    for (const std::vector<Run> *runs : members) {
        one.clear();
        for (const Run &r : *runs)
            if (r.state >= 0) {
                one.push_back({ r.from, r.state, +1 });
                one.push_back({ r.to, r.state, -1 });
            }
        merged.clear();
        std::merge(edges.begin(), edges.end(), one.begin(), one.end(), std::back_inserter(merged),
            [](const Edge &a, const Edge &b) { return a.at < b.at; });
        edges.swap(merged);
    }
    QList<FleetBand> bands;
    std::array<int, CircuitStateCount> counts {};
    for (std::size_t i = 0; i < edges.size();) {
        const qint64 at = edges[i].at;
        for (; i < edges.size() && edges[i].at == at; ++i)
            counts[std::size_t(edges[i].state)] += edges[i].delta;
        if (i == edges.size())
            break;
        const qint64 until = edges[i].at;
        if (std::all_of(counts.begin(), counts.end(), [](int c) { return c == 0; }))
            continue;
        if (!bands.isEmpty() && bands.back().toMs == at && bands.back().counts == counts)
            bands.back().toMs = until;
        else
            bands.append({ at, until, counts });
    }
    return bands;
}

int latestState(const FleetStore::Breaker &b)
{
    return b.points.isEmpty() ? -1 : b.points.last().state;
}

QString stateText(int state)
{
    return state < 0 ? QStringLiteral("state not known yet") : QString(circuitStateName(CircuitState(state)));
}

// "3 of 8 replicas OPEN", in the model's words.
QString replicaSummary(const std::vector<std::size_t> &members, const FleetStore &store)
{
    ReplicaGroup group;
    group.members = members;
    for (std::size_t m : members) {
        const int s = latestState(store.breakers()[m]);
        if (s < 0) {
            ++group.replicasWithoutState;
            continue;
        }
        ++group.replicasInState[std::size_t(s)];
        const auto state = CircuitState(s);
        group.merged.state = group.merged.state ? moreSevere(*group.merged.state, state) : state;
    }
    return group.stateSummary();
}

bool sameReplicaGroup(const BreakerId &a, const BreakerId &b)
{
    return a.source == b.source && a.library == b.library && a.service == b.service && a.name == b.name;
}

bool shown(const FleetStore &store, const FleetStore::Breaker &b, const FleetFilter &filter, qint64 fromMs, qint64 toMs)
{
    if (!filter.service.isEmpty() && b.id.service != filter.service)
        return false;
    if (!filter.notClosedOnly)
        return true;
    // Only the state filter needs the states over time. Unknown counts as not CLOSED, as the
    // model's notClosed() has it.
    const std::vector<Run> runs = runsOf(b, store.stepMs(), fromMs, toMs);
    return std::any_of(runs.begin(), runs.end(), [](const Run &r) { return r.state != int(CircuitState::Closed); });
}

QString keyOf(const std::vector<std::size_t> &members)
{
    QStringList parts;
    for (std::size_t m : members)
        parts.append(QString::number(m));
    return QStringLiteral("breakers:") + parts.join(u',');
}

QString tipOf(const FleetStore &store, const std::vector<std::size_t> &members)
{
    if (members.empty())
        return {};
    const BreakerId &id = store.breakers()[members.front()].id;
    QString tip = QStringLiteral("%1 (%2)\nservice %3, from %4")
                      .arg(id.name, QString(fleetLibraryName(id.library)), id.service, id.source);
    for (std::size_t m : members) {
        const FleetStore::Breaker &b = store.breakers()[m];
        tip += QStringLiteral("\n%1: %2").arg(b.id.instance.isEmpty() ? QStringLiteral("(one instance)") : b.id.instance,
            stateText(latestState(b)));
        if (!b.points.isEmpty() && !std::isnan(b.points.last().failureRate))
            tip += QStringLiteral(", failure rate %1 %").arg(double(b.points.last().failureRate), 0, 'f', 1);
    }
    return tip;
}

} // namespace

void FleetStore::push(Breaker &b, const FleetPoint &p)
{
    b.points.push(p);
    const qint64 hold = m_stepMs * 5 / 2;
    if (!b.runs.isEmpty() && b.runs.last().state == p.state && p.timeMs - b.runs.last().lastPointMs <= hold)
        b.runs.last().lastPointMs = p.timeMs;
    else
        b.runs.push({ p.timeMs, p.timeMs, p.state });
}

void FleetStore::addTotals(const QString &source, const std::vector<FleetPoint> &points, qint64 timeMs)
{
    auto it = std::find_if(m_totals.begin(), m_totals.end(), [&source](const Breaker &b) { return b.id.source == source; });
    if (it == m_totals.end()) {
        m_totals.emplace_back();
        m_totals.back().id.source = source;
        it = m_totals.end() - 1;
    }
    // Sums, and rates weighted by calls (a plain mean where no breaker has calls).
    double calls = 0, failures = 0, rejected = 0, used = 0, limit = 0;
    double failure[3] {}, slow[3] {}; // Σ rate × calls, Σ calls, Σ rate … and count below
    int failureCount = 0, slowCount = 0;
    bool anyCalls = false, anyFailures = false, anyRejected = false;
    for (const FleetPoint &p : points) {
        const double weight = std::isnan(p.calls) ? 0 : p.calls;
        if (!std::isnan(p.calls)) {
            calls += p.calls;
            anyCalls = true;
        }
        if (!std::isnan(p.failures)) {
            failures += p.failures;
            anyFailures = true;
        }
        if (!std::isnan(p.rejected)) {
            rejected += p.rejected;
            anyRejected = true;
        }
        if (!std::isnan(p.failureRate)) {
            failure[0] += p.failureRate * weight;
            failure[1] += weight;
            failure[2] += p.failureRate;
            ++failureCount;
        }
        if (!std::isnan(p.slowCallRate)) {
            slow[0] += p.slowCallRate * weight;
            slow[1] += weight;
            slow[2] += p.slowCallRate;
            ++slowCount;
        }
        if (!std::isnan(p.bulkheadUsed) && !std::isnan(p.bulkheadMax) && p.bulkheadMax > 0) {
            used += p.bulkheadUsed;
            limit += p.bulkheadMax;
        }
    }
    FleetPoint total;
    total.timeMs = timeMs;
    total.calls = anyCalls ? float(calls) : NAN;
    total.failures = anyFailures ? float(failures) : NAN;
    total.rejected = anyRejected ? float(rejected) : NAN;
    if (failureCount)
        total.failureRate = float(failure[1] > 0 ? failure[0] / failure[1] : failure[2] / failureCount);
    if (slowCount)
        total.slowCallRate = float(slow[1] > 0 ? slow[0] / slow[1] : slow[2] / slowCount);
    if (limit > 0) {
        total.bulkheadUsed = float(used);
        total.bulkheadMax = float(limit);
    }
    it->points.push(total);
}

FleetStore::Breaker &FleetStore::entry(const BreakerId &id)
{
    const auto [it, added] = m_index.try_emplace(id, m_breakers.size());
    if (added) {
        m_breakers.emplace_back();
        m_breakers.back().id = id;
    }
    return m_breakers[it->second];
}

void FleetStore::ingest(const FleetSnapshot &snapshot, qint64 wallMs)
{
    // The monitor calls back once per source: each source's readings are appended once per
    // refresh of its own, not again when another source answers.
    std::vector<QString> fresh;
    for (const SourceStatus &s : snapshot.sources) {
        const auto before = std::find_if(m_sources.begin(), m_sources.end(), [&s](const SourceStatus &o) { return o.url == s.url; });
        if (s.lastGoodRefresh && (before == m_sources.end() || before->lastGoodRefresh != s.lastGoodRefresh))
            fresh.push_back(s.url);
    }
    m_sources = snapshot.sources;
    for (const QString &source : fresh) {
        std::vector<FleetPoint> added;
        // A source names the same breakers in the same order refresh after refresh: the last
        // refresh's order finds them without searching.
        std::vector<std::size_t> &order = m_lastOrder[source];
        std::size_t k = 0;
        for (const BreakerReading &r : snapshot.breakers) {
            if (r.id.source != source)
                continue;
            if (k >= order.size() || !(m_breakers[order[k]].id == r.id)) {
                order.resize(k + 1);
                order[k] = std::size_t(&entry(r.id) - m_breakers.data());
            }
            Breaker &b = m_breakers[order[k++]];
            push(b, pointOf(r, wallMs));
            added.push_back(b.points.last());
            b.latest = r;
            b.hasLatest = true;
        }
        order.resize(k);
        addTotals(source, added, wallMs);
        m_latestMs = std::max(m_latestMs, wallMs);
    }
}

void FleetStore::setHistory(const FleetHistory &history, bool keepOthers)
{
    // Breakers (and sources' totals) the history does not name, kept when asked: live, a Hystrix
    // stream's breakers have no history but must not vanish when Prometheus's arrives.
    std::vector<Breaker> kept;
    std::vector<Breaker> keptTotals;
    if (keepOthers) {
        QSet<QString> sources;
        std::set<BreakerId> named;
        for (const BreakerSeries &series : history.series) {
            sources.insert(series.id.source);
            named.insert(series.id);
        }
        for (Breaker &b : m_breakers)
            if (!named.count(b.id) && !sources.contains(b.id.source))
                kept.push_back(std::move(b));
        for (Breaker &t : m_totals)
            if (!sources.contains(t.id.source))
                keptTotals.push_back(std::move(t));
    }
    m_lastOrder.clear();
    m_order.clear();
    m_breakers.clear();
    m_index.clear();
    m_latestMs = 0;
    m_totals = std::move(keptTotals);
    m_stepMs = std::max<qint64>(1, qint64(toMs(history.step)));
    // Each source's steps, for its totals.
    std::map<std::pair<QString, qint64>, std::vector<FleetPoint>> steps;
    for (const BreakerSeries &series : history.series) {
        Breaker &b = entry(series.id);
        for (const HistoryPoint &h : series.points) {
            push(b, pointOf(h));
            steps[{ series.id.source, h.timeMs }].push_back(b.points.last());
            m_latestMs = std::max(m_latestMs, qint64(h.timeMs));
        }
    }
    for (const auto &[at, points] : steps)
        addTotals(at.first, points, at.second);
    for (Breaker &b : kept) {
        if (!b.points.isEmpty())
            m_latestMs = std::max(m_latestMs, b.points.last().timeMs);
        m_index.emplace(b.id, m_breakers.size());
        m_breakers.push_back(std::move(b));
    }
}

void FleetStore::clear()
{
    m_lastOrder.clear();
    m_totals.clear();
    m_order.clear();
    m_breakers.clear();
    m_index.clear();
    m_sources.clear();
    m_latestMs = 0;
}

const std::vector<std::size_t> &FleetStore::laneOrder() const
{
    if (m_order.size() != m_breakers.size()) {
        m_order.resize(m_breakers.size());
        for (std::size_t i = 0; i < m_order.size(); ++i)
            m_order[i] = i;
        std::sort(m_order.begin(), m_order.end(), [this](std::size_t x, std::size_t y) {
            const BreakerId &p = m_breakers[x].id, &q = m_breakers[y].id;
            return std::tie(p.service, p.name, p.source, p.library, p.instance)
                < std::tie(q.service, q.name, q.source, q.library, q.instance);
        });
    }
    return m_order;
}

QStringList FleetStore::services() const
{
    QStringList out;
    for (const Breaker &b : m_breakers)
        out.append(b.id.service);
    out.sort();
    out.removeDuplicates();
    return out;
}

QList<FleetLane> fleetLanes(const FleetStore &store, const FleetFilter &filter, qint64 fromMs, qint64 toMs)
{
    const auto &breakers = store.breakers();
    const std::vector<std::size_t> &order = store.laneOrder();
    QList<FleetLane> lanes;
    for (std::size_t at = 0; at < order.size();) {
        const QString service = breakers[order[at]].id.service;
        std::size_t end = at;
        while (end < order.size() && breakers[order[end]].id.service == service)
            ++end;
        // The service's breakers the filter keeps, in replica groups (or one each).
        std::vector<std::vector<std::size_t>> groups;
        for (std::size_t k = at; k < end; ++k) {
            const std::size_t i = order[k];
            if (!shown(store, breakers[i], filter, fromMs, toMs))
                continue;
            if (filter.replicasTogether && !groups.empty()
                && sameReplicaGroup(breakers[groups.back().front()].id, breakers[i].id))
                groups.back().push_back(i);
            else
                groups.push_back({ i });
        }
        at = end;
        if (groups.empty())
            continue;

        FleetLane header;
        int notClosed = 0;
        for (const auto &g : groups)
            for (std::size_t i : g) {
                header.members.push_back(i);
                notClosed += latestState(breakers[i]) != int(CircuitState::Closed);
            }
        const std::size_t count = header.members.size();
        header.kind = FleetLane::Kind::Service;
        header.service = service;
        header.label = service;
        header.summary = QStringLiteral("%1 breaker%2, %3 not CLOSED")
                             .arg(count)
                             .arg(count == 1 ? QString() : QStringLiteral("s"))
                             .arg(notClosed);
        header.key = QStringLiteral("service:") + service;
        header.collapsed = filter.collapsed.contains(service);
        lanes.append(header);
        if (header.collapsed)
            continue;

        for (const auto &g : groups) {
            const BreakerId &id = breakers[g.front()].id;
            FleetLane lane;
            lane.service = service;
            lane.key = keyOf(g);
            lane.members = g;
            if (g.size() == 1) {
                lane.label = id.instance.isEmpty() ? id.name : id.name + QStringLiteral(" · ") + id.instance;
                lane.summary = stateText(latestState(breakers[g.front()]));
            } else {
                lane.label = id.name;
                lane.summary = replicaSummary(g, store);
            }
            lanes.append(lane);
        }
    }
    return lanes;
}

QList<FleetBand> fleetLaneBands(const FleetStore &store, const FleetLane &lane, qint64 fromMs, qint64 toMs)
{
    const auto &breakers = store.breakers();
    std::vector<std::vector<Run>> runs;
    for (std::size_t i : lane.members)
        if (i < breakers.size()) // the store may have been replaced since the lanes were made
            runs.push_back(runsOf(breakers[i], store.stepMs(), fromMs, toMs));
    if (runs.size() == 1) {
        QList<FleetBand> bands;
        for (const Run &r : runs.front()) {
            if (r.state < 0)
                continue;
            FleetBand band { r.from, r.to, {} };
            band.counts[std::size_t(r.state)] = 1;
            bands.append(band);
        }
        return bands;
    }
    std::vector<const std::vector<Run> *> members;
    for (const std::vector<Run> &r : runs)
        members.push_back(&r);
    return mergeRuns(members);
}

QString fleetLaneTip(const FleetStore &store, const FleetLane &lane)
{
    if (lane.kind == FleetLane::Kind::Service)
        return QStringLiteral("Service %1: %2").arg(lane.service, lane.summary);
    return tipOf(store, fleetSelection(store, FleetFilter {}, lane.key, 0, 0));
}

std::vector<std::size_t> fleetSelection(
    const FleetStore &store, const FleetFilter &filter, const QString &key, qint64 fromMs, qint64 toMs)
{
    std::vector<std::size_t> out;
    const auto &breakers = store.breakers();
    if (key.startsWith(QStringLiteral("breakers:"))) {
        for (const QString &part : key.mid(9).split(u',')) {
            bool ok = false;
            const std::size_t i = part.toULongLong(&ok);
            if (ok && i < breakers.size())
                out.push_back(i);
        }
        return out;
    }
    const QString service = key.startsWith(QStringLiteral("service:")) ? key.mid(8) : QString();
    for (std::size_t i = 0; i < breakers.size(); ++i) {
        if (!service.isEmpty() && breakers[i].id.service != service)
            continue;
        if (shown(store, breakers[i], filter, fromMs, toMs))
            out.push_back(i);
    }
    return out;
}

FleetChartPoints fleetChartPoints(
    const std::vector<const FleetStore::Breaker *> &selection, qint64 fromMs, qint64 toMs, int maxPoints)
{
    const int columns = std::max(1, maxPoints);
    const double width = double(std::max<qint64>(1, toMs - fromMs)) / columns;
    const double perColumn = 1 / width;
    struct Column
    {
        double calls = 0, failed = 0, rejected = 0;
        double weightedFailure = 0, failureWeight = 0, failureSum = 0;
        int failureCount = 0;
        double weightedSlow = 0, slowWeight = 0, slowSum = 0;
        int slowCount = 0;
        double used = 0, limit = 0;
        bool any = false;
    };
    std::vector<Column> cols(std::size_t(columns), Column {});
    // One breaker's points in one column, averaged before they join the column's sums.
    struct Partial
    {
        double sum[7] {};
        int n[7] {};
        void add(int k, float v)
        {
            if (!std::isnan(v)) {
                sum[k] += v;
                ++n[k];
            }
        }
        double mean(int k) const { return n[k] ? sum[k] / n[k] : NAN; }
    };
    const auto flush = [&cols](int column, const Partial &p) {
        Column &c = cols[std::size_t(column)];
        c.any = true;
        const double calls = p.mean(0), failed = p.mean(1), rejected = p.mean(2);
        const double failure = p.mean(3), slow = p.mean(4), used = p.mean(5), limit = p.mean(6);
        if (!std::isnan(calls))
            c.calls += calls;
        if (!std::isnan(failed))
            c.failed += failed;
        if (!std::isnan(rejected))
            c.rejected += rejected;
        const double weight = std::isnan(calls) ? 0 : calls;
        if (!std::isnan(failure)) {
            c.weightedFailure += failure * weight;
            c.failureWeight += weight;
            c.failureSum += failure;
            ++c.failureCount;
        }
        if (!std::isnan(slow)) {
            c.weightedSlow += slow * weight;
            c.slowWeight += weight;
            c.slowSum += slow;
            ++c.slowCount;
        }
        if (!std::isnan(used) && !std::isnan(limit) && limit > 0) {
            c.used += used;
            c.limit += limit;
        }
    };
    for (const FleetStore::Breaker *b : selection) {
        int column = -1;
        Partial partial;
        b->points.forEach([&](const FleetPoint &p) {
            if (p.timeMs < fromMs || p.timeMs > toMs)
                return;
            const int c = std::min(columns - 1, int(double(p.timeMs - fromMs) * perColumn));
            if (c != column) {
                if (column >= 0)
                    flush(column, partial);
                column = c;
                partial = Partial {};
            }
            partial.add(0, p.calls);
            partial.add(1, p.failures);
            partial.add(2, p.rejected);
            partial.add(3, p.failureRate);
            partial.add(4, p.slowCallRate);
            partial.add(5, p.bulkheadUsed);
            partial.add(6, p.bulkheadMax);
        });
        if (column >= 0)
            flush(column, partial);
    }
    FleetChartPoints out;
    for (int k = 0; k < columns; ++k) {
        const Column &c = cols[std::size_t(k)];
        if (!c.any)
            continue;
        const double x = double(fromMs) + k * width;
        const double succeeded = std::max(0.0, c.calls - c.failed - c.rejected);
        out.succeeded.append({ x, succeeded });
        out.failed.append({ x, succeeded + c.failed });
        out.rejected.append({ x, succeeded + c.failed + c.rejected });
        if (c.failureCount)
            out.failureRate.append(
                { x, c.failureWeight > 0 ? c.weightedFailure / c.failureWeight : c.failureSum / c.failureCount });
        if (c.slowCount)
            out.slowCallRate.append({ x, c.slowWeight > 0 ? c.weightedSlow / c.slowWeight : c.slowSum / c.slowCount });
        if (c.limit > 0) {
            out.bulkheadPercent.append({ x, 100 * c.used / c.limit });
            out.hasBulkhead = true;
        }
    }
    return out;
}

FleetHealth fleetHealth(const FleetStore &store)
{
    FleetHealth h;
    QStringList open;
    for (const FleetStore::Breaker &b : store.breakers()) {
        ++h.breakers;
        const int s = latestState(b);
        if (s >= 0 && s != int(CircuitState::Closed)) {
            ++h.notClosed;
            open.append(b.id.displayName() + u' ' + circuitStateName(CircuitState(s)));
        }
        if (b.points.isEmpty())
            continue;
        const FleetPoint &p = b.points.last();
        if (p.bulkheadMax > 0 && p.bulkheadUsed >= 0.9f * p.bulkheadMax)
            h.issues.append(QStringLiteral("bulkhead %1 %2 % busy")
                                .arg(b.id.displayName())
                                .arg(double(100 * p.bulkheadUsed / p.bulkheadMax), 0, 'f', 0));
    }
    if (!open.isEmpty()) {
        constexpr int Named = 5;
        QString text = QStringLiteral("%1 of %2 breakers not CLOSED: ").arg(h.notClosed).arg(h.breakers)
            + QStringList(open.mid(0, Named)).join(QStringLiteral(", "));
        if (open.size() > Named)
            text += QStringLiteral(" and %1 more").arg(open.size() - Named);
        h.issues.prepend(text);
    }
    for (const SourceStatus &s : store.sources())
        if (!s.reachable)
            h.issues.append(QStringLiteral("source %1: %2").arg(s.url, s.error.isEmpty() ? QStringLiteral("no answer yet") : s.error));
    h.healthy = h.issues.isEmpty();
    return h;
}

} // namespace bw
