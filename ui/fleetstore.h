#pragma once

#include "fleetlanes.h"
#include "ringbuffer.h"

#include "fleet/fleetmodel.h"

#include <QHash>
#include <QList>
#include <QPointF>
#include <QSet>

#include <map>
#include <vector>

namespace bw {

// One breaker at one moment, as the fleet view keeps it: a live reading or a history step,
// in floats (a thousand breakers' rings stay a few megabytes). NaN where the library has no figure.
struct FleetPoint
{
    qint64 timeMs = 0; // Unix epoch milliseconds
    float failureRate = NAN, slowCallRate = NAN; // percent
    float calls = NAN, failures = NAN, rejected = NAN; // per second
    float bulkheadUsed = NAN, bulkheadMax = NAN;
    std::int8_t state = -1; // CircuitState, or -1 when unknown
};

// The fleet as the window shows it: per breaker a bounded ring of points (Capacity: 20 minutes at
// the default 5 s, and a history range is read at a step that fits it), its latest reading, and
// every source's status. Live snapshots append; a history replaces everything.
class FleetStore
{
public:
    static constexpr qsizetype Capacity = 240;

    // A stretch of consecutive points in one state, none more than 2.5 steps after the one before.
    struct StateRun
    {
        qint64 fromMs = 0, lastPointMs = 0;
        std::int8_t state = -1;
    };
    struct Breaker
    {
        BreakerId id;
        RingBuffer<FleetPoint> points { Capacity };
        // The points' states, kept as they come: the lanes read a few runs, not every point.
        RingBuffer<StateRun> runs { Capacity };
        BreakerReading latest; // the newest live reading (a history leaves it default)
        bool hasLatest = false;
    };

    // Appends one point per breaker of `snapshot`, taken at `wallMs`; new breakers get a ring.
    void ingest(const FleetSnapshot &snapshot, qint64 wallMs);
    // Replaces every ring with `history`'s steps (the newest Capacity of each); with keepOthers,
    // the breakers of sources the history does not cover (Hystrix streams) stay as they are.
    void setHistory(const FleetHistory &history, bool keepOthers = false);
    void clear();

    const std::vector<Breaker> &breakers() const { return m_breakers; }
    const std::vector<SourceStatus> &sources() const { return m_sources; }
    // Indices into breakers() by service, name, source, library, instance: the lanes' order
    // (sorted again only when breakers came or went).
    const std::vector<std::size_t> &laneOrder() const;
    // Per source, its breakers summed at each of its refreshes (history steps): what the charts
    // show for the whole fleet without reading every breaker's points (id: the source's URL).
    const std::vector<Breaker> &totals() const { return m_totals; }
    // The services, sorted (each once, whatever its sources).
    QStringList services() const;
    // The expected distance between two points: the refresh interval live, the step in a history.
    qint64 stepMs() const { return m_stepMs; }
    void setStepMs(qint64 ms) { m_stepMs = std::max<qint64>(1, ms); }
    // The newest point's time, 0 when empty.
    qint64 latestMs() const { return m_latestMs; }

private:
    Breaker &entry(const BreakerId &id);
    void push(Breaker &b, const FleetPoint &p);
    void addTotals(const QString &source, const std::vector<FleetPoint> &points, qint64 timeMs);

    std::vector<Breaker> m_breakers;
    std::map<BreakerId, std::size_t> m_index;
    mutable std::vector<std::size_t> m_order; // laneOrder()'s cache
    QHash<QString, std::vector<std::size_t>> m_lastOrder; // per source, its last refresh's breakers
    std::vector<SourceStatus> m_sources;
    std::vector<Breaker> m_totals;
    qint64 m_stepMs = 5000;
    qint64 m_latestMs = 0;
};

// What the lanes show: a service or all, everything or only what is not CLOSED, replicas one by one
// or together, and the services folded.
struct FleetFilter
{
    QString service; // empty: every service
    bool notClosedOnly = false; // a breaker not CLOSED (or in no known state) at some point in the window
    bool replicasTogether = true;
    QSet<QString> collapsed; // services whose breakers are hidden
};

// The lanes for `filter` over [fromMs, toMs]: per service (sorted) a header lane (its breakers,
// and a summary), then unless folded its breakers (or replica groups) in BreakerId order. Keys:
// "service:NAME", and for a breaker its rows' indices joined, so that the chart sums exactly the
// lane's breakers. Without their bands: fleetLaneBands makes them for the lanes in sight.
QList<FleetLane> fleetLanes(const FleetStore &store, const FleetFilter &filter, qint64 fromMs, qint64 toMs);
// A lane's bands over [fromMs, toMs]: at each moment, how many of its breakers are in each state
// (a service's header: all of its breakers shown). A point's state holds until the next point, or
// for 2.5 steps at most (then the lane has a gap: the source said nothing).
QList<FleetBand> fleetLaneBands(const FleetStore &store, const FleetLane &lane, qint64 fromMs, qint64 toMs);
// A lane's tooltip: its source, library, instances and their states (made when asked: a
// thousand of them at every refresh would cost more than the lanes).
QString fleetLaneTip(const FleetStore &store, const FleetLane &lane);
// The breakers a lane key names (store indices); every breaker the filter shows for "".
std::vector<std::size_t> fleetSelection(
    const FleetStore &store, const FleetFilter &filter, const QString &key, qint64 fromMs, qint64 toMs);

// The charts' series for a selection of breakers (or of totals()), x in epoch ms, at most `maxPoints` columns over
// [fromMs, toMs]: calls stacked (succeeded, failed, rejected; each band's upper edge), failure and
// slow-call rates weighted by calls, bulkhead use in percent of the limits summed. A column sums
// each breaker's mean over the column, so that rates stay rates at any zoom.
struct FleetChartPoints
{
    QList<QPointF> succeeded, failed, rejected; // stacked upper edges
    QList<QPointF> failureRate, slowCallRate;
    QList<QPointF> bulkheadPercent;
    bool hasBulkhead = false;
};
FleetChartPoints fleetChartPoints(
    const std::vector<const FleetStore::Breaker *> &selection, qint64 fromMs, qint64 toMs, int maxPoints);

// The health dock's summary of the fleet now: breakers not CLOSED, congested bulkheads (≥ 90 %),
// sources down. Healthy when none.
struct FleetHealth
{
    bool healthy = true;
    int breakers = 0, notClosed = 0;
    QStringList issues;
};
FleetHealth fleetHealth(const FleetStore &store);

} // namespace bw
