#pragma once

#include "../resilience/circuitbreaker.h"
#include "../resilience/outcome.h"
#include "../runtime/duration.h"

#include <QString>

#include <array>
#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>
#include <vector>

namespace bw {

// What the fleet view knows of the breakers of real services (docs/formats.md, "Fleet
// monitoring"): one reading per breaker per refresh, read from a Prometheus server or a Hystrix
// stream. Plain values, copied to the GUI as a snapshot; nothing here talks to the network.

// The library a breaker's figures come from, as its metric family or stream names it.
enum class FleetLibrary : std::uint8_t { Resilience4j, Opossum, Polly, Breakwater, Hystrix };
inline constexpr int FleetLibraryCount = 5;
// "resilience4j", "opossum", "polly", "breakwater", "hystrix": the names --json and the docs use.
QLatin1StringView fleetLibraryName(FleetLibrary library);
std::optional<FleetLibrary> fleetLibraryFromName(QStringView name);

// A figure a library does not report is NaN, never 0: "no figure" and "nothing happened" differ.
inline constexpr double NoFigure = std::numeric_limits<double>::quiet_NaN();
inline bool hasFigure(double value) { return !std::isnan(value); }

// Which breaker a reading or a series is about.
struct BreakerId
{
    QString source;   // the URL the user gave (--prometheus or --hystrix)
    FleetLibrary library = FleetLibrary::Breakwater;
    QString service;  // Prometheus `job`, or the Hystrix command's group
    QString instance; // Prometheus `instance`; empty for a Hystrix stream and when replicas are merged
    QString name;     // the breaker's name in its library

    // "service/name", or "service/name@instance" for one replica: how the command line names one.
    QString displayName() const;
    friend bool operator==(const BreakerId &, const BreakerId &) = default;
    // Source, service, name, then instance: the order rows are listed in.
    friend bool operator<(const BreakerId &a, const BreakerId &b);
};

struct BreakerReading
{
    BreakerId id;
    // Breakwater's vocabulary (circuitStateName: "CLOSED", "HALF_OPEN", ...); nullopt while a
    // library without a state figure has not shown one yet.
    std::optional<CircuitState> state;
    double failureRatePercent = NoFigure;  // over the library's own window, 0..100
    double slowCallRatePercent = NoFigure; // 0..100
    double callsPerSecond = NoFigure;      // every call offered to the breaker, rejected ones included
    double rejectedPerSecond = NoFigure;   // refused because the breaker was not CLOSED
    double retriedCallsPerSecond = NoFigure; // calls that needed a retry (a retry of the same name)
    // Calls per second by how they ended, in Breakwater's outcomes (the mapping of each
    // library's kinds is in docs/formats.md); NoFigure for kinds the library does not count.
    std::array<double, OutcomeCount> callsPerSecondByOutcome = filledWithNoFigure();
    double meanLatencyMs = NoFigure; // of the calls over the rate window, where the library times them
    double bulkheadUsed = NoFigure; // concurrent calls held
    double bulkheadMax = NoFigure;  // the bulkhead's limit

    static constexpr std::array<double, OutcomeCount> filledWithNoFigure()
    {
        std::array<double, OutcomeCount> all {};
        all.fill(NoFigure);
        return all;
    }
};

// How one source's last refresh went.
struct SourceStatus
{
    QString url;
    bool reachable = false;  // the last refresh (or the stream) worked
    QString error;           // why not, when not reachable; empty otherwise
    // When the last good refresh completed, on the monitor's scheduler clock; nullopt before one.
    std::optional<TimePoint> lastGoodRefresh;
    int breakers = 0;        // readings the last good refresh gave
};

// A service's replicas of one breaker together: the same service and name on several instances.
struct ReplicaGroup
{
    // The replicas merged: instance empty; rates and calls summed; failure and slow-call rates
    // weighted by calls (plain mean when no replica has calls); bulkhead figures summed; the
    // state the most severe one present (FORCED_OPEN, OPEN, HALF_OPEN, then the others).
    BreakerReading merged;
    std::vector<std::size_t> members; // indices into the readings the group was made from
    std::array<int, CircuitStateCount> replicasInState {};
    int replicasWithoutState = 0;

    int replicas() const { return int(members.size()); }
    // "3 of 8 replicas OPEN" for the most severe state present, "8 replicas CLOSED" when all
    // share one, "1 replica CLOSED" for a single instance.
    QString stateSummary() const;
};

// Groups readings by (source, library, service, name) across instances, in BreakerId order.
std::vector<ReplicaGroup> groupReplicas(const std::vector<BreakerReading> &readings);

// Every source's readings and status at one moment.
struct FleetSnapshot
{
    std::vector<BreakerReading> breakers; // sorted by BreakerId
    std::vector<SourceStatus> sources;    // in the order the sources were added
    TimePoint takenAt {};                 // the monitor's scheduler clock

    // The breakers that are not CLOSED (state unknown counts as not CLOSED).
    std::vector<const BreakerReading *> notClosed() const;
    const BreakerReading *find(const BreakerId &id) const;
};

// One step of a breaker's history: what query_range gave at that time (figures as in
// BreakerReading; NoFigure where the library has none).
struct HistoryPoint
{
    std::int64_t timeMs = 0; // Unix epoch milliseconds
    std::optional<CircuitState> state;
    double failureRatePercent = NoFigure;
    double slowCallRatePercent = NoFigure;
    double callsPerSecond = NoFigure;
    double failuresPerSecond = NoFigure; // calls the breaker recorded as failed, per second
    double rejectedPerSecond = NoFigure;
    double meanLatencyMs = NoFigure;     // of the calls in the step, where the library times them
    double bulkheadUsed = NoFigure;      // concurrent calls held at the step
    double bulkheadMax = NoFigure;       // the bulkhead's limit at the step
};

struct BreakerSeries
{
    BreakerId id;
    std::vector<HistoryPoint> points; // one per step, time ascending; steps with no data left out
};

// A time range of every breaker's history, at one step.
struct FleetHistory
{
    std::int64_t fromMs = 0, toMs = 0; // Unix epoch milliseconds
    Duration step {};
    std::vector<BreakerSeries> series; // sorted by BreakerId

    const BreakerSeries *find(const BreakerId &id) const;
};

// The most severe of two states, as ReplicaGroup merges them.
CircuitState moreSevere(CircuitState a, CircuitState b);

} // namespace bw
