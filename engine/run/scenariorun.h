#pragma once

#include "../resilience/pipeline.h"
#include "../runtime/virtualscheduler.h"
#include "../runtime/wallscheduler.h"
#include "../scenario/scenario.h"
#include "../sim/simulatedservice.h"
#include "../telemetry/telemetrysink.h"
#include "controlcommand.h"

#include <QJsonObject>

#include <memory>
#include <vector>

namespace bw {

class EventLog;
class Summary;

// One scenario on virtual time: arrivals per operation, each through its own pipeline (its
// breaker and bulkhead are named after the operation), into simulated services with their
// faults; a trace operation's calls arrive at its rows' start and go to its recorded backend
// (RecordedService, listed after the scenario's services). Deterministic: the same scenario and seed give the same events, byte for byte.
//
// Real network mode: a scenario with a URL service (see isRealTime()) runs on the wall clock
// instead, with a WallScheduler on the thread that builds it; its URL services send real
// requests (HttpService), its simulated ones still simulate, and advanceTo() runs that thread's
// event loop until the wall clock gets there.
//
// Random streams are keyed by names, never by list positions: per operation (arrivals, retry
// jitter) and per service and operation (each request, by call and attempt), so changing a
// policy changes neither the traffic nor the failures, and adding or reordering operations
// changes nothing the others meet.
//
// Live control (the GUI's edits, ControlCommand) goes through the methods below; each is applied
// at the current virtual time and written to the event log as a `control` event, so a run with
// edits can be replayed. Confined to the thread that runs it.
class ScenarioRun
{
public:
    explicit ScenarioRun(ScenarioConfig scenario, std::optional<std::uint64_t> seed = std::nullopt);
    ~ScenarioRun();
    ScenarioRun(const ScenarioRun &) = delete;
    ScenarioRun &operator=(const ScenarioRun &) = delete;

    const ScenarioConfig &scenario() const { return m_scenario; }
    std::uint64_t seed() const { return m_seed; }
    Scheduler &scheduler() { return *m_scheduler; }
    TimePoint now() const { return m_scheduler->now(); }
    // True when the scenario has a URL service: the run is on the wall clock.
    bool isRealTime() const { return bool(m_wall); }
    static bool needsRealTime(const ScenarioConfig &scenario);
    TimePoint end() const { return TimePoint(m_scenario.duration); }

    // Where telemetry goes: pipelines and breakers report to every sink added. Add before start().
    void addSink(TelemetrySink *sink);
    // The events file: a sink that also gets bulkhead, fault and control events.
    void setEventLog(EventLog *log);
    // A summary: a sink that gets every operation, breaker, bulkhead and service registered
    // now, and the figures the primitives and services keep themselves (bulkhead peaks and
    // rejections, requests received) when the run finishes.
    void setSummary(Summary *summary);

    // Schedules arrivals and fault boundaries. Called by the first advance if not before.
    void start();
    // Runs until `until` (capped at the scenario's end); returns the number of events processed.
    std::size_t advanceTo(TimePoint until);
    // Runs to the end, then ends the calls still in flight (cancelled) so that every offered
    // call has exactly one outcome.
    void runToEnd();
    bool atEnd() const { return m_scheduler->now() >= end(); }
    // Ends the calls still in flight and completes the summary, once; runToEnd() does it. At the
    // end of a scenario that lasts until its traces end (untilTracesEnd), those calls first run
    // on to their own end (no call arrives any more), as in a replay, so now() may pass end().
    void finish();
    bool finished() const { return m_finished; }

    int operationCount() const { return int(m_operations.size()); }
    const OperationConfig &operationConfig(int i) const { return m_scenario.operations[i]; }
    Pipeline &pipeline(int operation) { return *m_operations[size_t(operation)]->pipeline; }
    int operationIndex(const QString &name) const;
    std::int64_t offered(int operation) const { return m_operations[size_t(operation)]->offered; }

    int serviceCount() const { return int(m_services.size()); }
    BackendService &service(int i) { return *m_services[size_t(i)]; }
    // The scenario's services, then each trace operation's recorded backend.
    int serviceIndex(const QString &name) const;

    // Live control. Each returns false (and changes nothing) for an unknown name, and writes the
    // command's control event otherwise. apply() takes any command to the method for its type.
    bool apply(const ControlCommand &command);
    bool updatePolicy(const QString &operation, const PolicyConfig &policy);
    bool breakerAction(const QString &operation, BreakerAction action);
    bool resizeBulkhead(const QString &operation, int maxConcurrent, int maxQueueSize);
    // Starts a fault on a service now, for `length` (Duration::max(): until removed).
    bool injectFault(FaultConfig fault, Duration length);
    // Ends every live or scheduled fault of that kind on the service, now.
    bool clearFaults(const QString &service, std::optional<FaultKind> kind = std::nullopt);
    bool setArrivalRate(const QString &operation, double callsPerSecond);

private:
    struct OperationState
    {
        int index = 0;
        std::unique_ptr<Pipeline> pipeline;
        Operation *port = nullptr;
        Random arrivals;
        std::int64_t offered = 0;
        // Time rescaling: the next call arrives when the rate function has accumulated
        // `callsToNext` calls (1 for constant arrivals, an Exp(1) draw for Poisson) since
        // `countedFrom`; `due` is that instant. Seconds, unrounded, so no drift builds up.
        double countedFrom = 0, callsToNext = 0, due = 0;
        TimerId nextArrival = 0;
        CallCallback done;
    };

    // Counts the gap to the next call from `from` seconds and schedules the call.
    void scheduleArrival(OperationState &op, double from);
    void scheduleArrival(OperationState &op);
    void scheduleRecordedArrival(OperationState &op, const Trace &trace);
    void arrive(OperationState &op);
    void scheduleFault(int service, const FaultConfig &fault);
    void faultBoundary(int service, const FaultConfig &fault, bool starts);
    void writeControl(const ControlCommand &command);
    void writeFault(const FaultConfig &fault, bool starts);

    ScenarioConfig m_scenario;
    std::uint64_t m_seed;
    VirtualScheduler m_virtual;
    std::unique_ptr<WallScheduler> m_wall; // real network mode
    Scheduler *m_scheduler = nullptr;      // the one of the two this run is on
    std::vector<std::unique_ptr<BackendService>> m_services;
    std::vector<std::unique_ptr<OperationState>> m_operations;
    TelemetryFanout m_sinks;
    EventLog *m_eventLog = nullptr;
    Summary *m_summary = nullptr;
    bool m_started = false;
    bool m_finished = false;
};

} // namespace bw
