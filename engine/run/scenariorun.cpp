#include "scenariorun.h"

#include "recordedservice.h"

#include "../net/httpservice.h"
#include "../telemetry/eventlog.h"
#include "../telemetry/summary.h"

#include <QEventLoop>

#include <cmath>

namespace bw {

namespace {
// Stream numbers: operations' arrivals and services' requests never share a stream.
constexpr std::uint64_t ArrivalStream = 0x4172726976616c73ull;
constexpr std::uint64_t ServiceStream = 0x5365727669636573ull;
constexpr std::uint64_t JitterStream = 0x4a69747465725f5full;
} // namespace

bool ScenarioRun::needsRealTime(const ScenarioConfig &scenario)
{
    for (const ServiceConfig &s : scenario.services)
        if (!s.url.isEmpty())
            return true;
    return false;
}

ScenarioRun::ScenarioRun(ScenarioConfig scenario, std::optional<std::uint64_t> seed)
    : m_scenario(std::move(scenario))
    , m_seed(seed.value_or(m_scenario.seed))
{
    if (needsRealTime(m_scenario))
        m_wall = std::make_unique<WallScheduler>();
    m_scheduler = m_wall ? static_cast<Scheduler *>(m_wall.get()) : &m_virtual;
    for (const ServiceConfig &s : m_scenario.services) {
        const std::uint64_t serviceSeed = Random::streamSeed(m_seed, ServiceStream ^ stableHash(s.name));
        if (s.url.isEmpty())
            m_services.push_back(std::make_unique<SimulatedService>(s, *m_scheduler, serviceSeed));
        else
            m_services.push_back(std::make_unique<HttpService>(s, *m_scheduler, serviceSeed));
    }
    // Each trace operation's recorded backend, after the scenario's own services.
    for (const OperationConfig &config : std::as_const(m_scenario.operations))
        if (config.trace)
            m_services.push_back(std::make_unique<RecordedService>(config, *m_scheduler));
    for (int i = 0; i < m_scenario.operations.size(); ++i) {
        const OperationConfig &config = m_scenario.operations[i];
        auto op = std::make_unique<OperationState>();
        op->index = i;
        PolicyConfig policy = config.policy;
        policy.name = config.name; // the operation's breaker and bulkhead carry its name
        const std::uint64_t name = stableHash(config.name);
        op->pipeline = std::make_unique<Pipeline>(policy, *m_scheduler, Random::streamSeed(m_seed, JitterStream ^ name));
        op->arrivals.reseed(Random::streamSeed(m_seed, ArrivalStream ^ name));
        const int service = serviceIndex(config.service);
        Q_ASSERT(service >= 0); // the loader checks it
        op->port = &m_services[size_t(service)]->port(config);
        m_operations.push_back(std::move(op));
    }
}

ScenarioRun::~ScenarioRun() = default;

void ScenarioRun::addSink(TelemetrySink *sink)
{
    const bool first = m_sinks.isEmpty();
    m_sinks.add(sink);
    // A pipeline has one observer and a breaker a listener list: the fanout serves them all.
    // Bulkhead events (several per call) go to the event log only; everyone else reads the
    // bulkhead's own counters.
    if (first) {
        for (auto &op : m_operations) {
            op->pipeline->setObserver(&m_sinks);
            if (CircuitBreaker *b = op->pipeline->circuitBreaker())
                b->addListener(&m_sinks);
        }
    }
}

void ScenarioRun::setEventLog(EventLog *log)
{
    Q_ASSERT(!m_eventLog);
    m_eventLog = log;
    addSink(log);
    for (auto &op : m_operations) {
        Pipeline &p = *op->pipeline;
        if (Bulkhead *b = p.bulkhead())
            b->addListener(log);
        log->bindOperation(p.name(), p.bulkhead());
    }
}

void ScenarioRun::setSummary(Summary *summary)
{
    Q_ASSERT(!m_summary);
    m_summary = summary;
    summary->setSeed(m_seed);
    summary->setInfo(QStringLiteral("scenario"), m_scenario.name);
    for (auto &op : m_operations) {
        Pipeline &p = *op->pipeline;
        summary->addOperation(p.name());
        if (CircuitBreaker *b = p.circuitBreaker())
            summary->addBreaker(b->name(), b->state(), m_scheduler->now());
        if (Bulkhead *b = p.bulkhead())
            summary->addBulkhead(b->name());
    }
    for (auto &service : m_services)
        summary->service(service->name());
    addSink(summary);
}

int ScenarioRun::serviceIndex(const QString &name) const
{
    for (std::size_t i = 0; i < m_services.size(); ++i)
        if (m_services[i]->name() == name)
            return int(i);
    return -1;
}

int ScenarioRun::operationIndex(const QString &name) const
{
    for (int i = 0; i < m_scenario.operations.size(); ++i)
        if (m_scenario.operations[i].name == name)
            return i;
    return -1;
}

void ScenarioRun::start()
{
    if (m_started)
        return;
    m_started = true;
    for (int s = 0; s < m_scenario.services.size(); ++s) {
        QList<FaultConfig> own;
        for (const FaultConfig &f : m_scenario.faults)
            if (f.service == m_scenario.services[s].name)
                own.append(f);
        m_services[size_t(s)]->setFaults(own);
        for (const FaultConfig &f : own)
            scheduleFault(s, f);
    }
    for (auto &op : m_operations)
        scheduleArrival(*op, toSeconds(m_scheduler->now()));
}

void ScenarioRun::scheduleFault(int service, const FaultConfig &fault)
{
    // Boundaries re-read the service's fault list, so a fault cleared meanwhile has no effect.
    // Faults are few: a shared copy keeps the timer task small.
    auto shared = std::make_shared<const FaultConfig>(fault);
    m_scheduler->scheduleAt(fault.at, [this, service, shared] { faultBoundary(service, *shared, true); });
    if (fault.until != Duration::max())
        m_scheduler->scheduleAt(fault.until, [this, service, shared] { faultBoundary(service, *shared, false); });
}

void ScenarioRun::faultBoundary(int service, const FaultConfig &fault, bool starts)
{
    BackendService &s = *m_services[size_t(service)];
    if (!s.faults().contains(fault))
        return; // cleared before this boundary
    s.refreshFaults();
    writeFault(fault, starts);
}

void ScenarioRun::writeFault(const FaultConfig &fault, bool starts)
{
    if (!m_eventLog)
        return;
    EventLog::Fields fields { { QStringLiteral("service"), fault.service },
                              { QStringLiteral("fault"), QString(faultKindName(fault.kind)) },
                              { QStringLiteral("phase"), starts ? QStringLiteral("start") : QStringLiteral("end") } };
    // In a fixed order, so that the file is the same bytes every run.
    for (const char *key : { "rate", "code", "addMs", "jitterMs", "rps", "retryAfterMs", "upMs", "downMs", "capacity" }) {
        const QJsonValue v = faultParameters(fault).value(QLatin1StringView(key));
        if (!v.isUndefined())
            fields.append({ QString::fromLatin1(key), v });
    }
    m_eventLog->write(m_scheduler->now(), u"fault", fields);
}

void ScenarioRun::writeControl(const ControlCommand &command)
{
    if (!m_eventLog)
        return;
    EventLog::Fields fields { { QStringLiteral("action"), command.action() }, { QStringLiteral("target"), command.target() } };
    const QJsonObject parameters = command.parameters();
    for (auto it = parameters.constBegin(); it != parameters.constEnd(); ++it) // QJsonObject: sorted keys, stable bytes
        fields.append({ it.key(), it.value() });
    m_eventLog->write(m_scheduler->now(), u"control", fields);
}

void ScenarioRun::scheduleArrival(OperationState &op, double from)
{
    if (const Trace *trace = m_scenario.operations[op.index].trace.get()) {
        scheduleRecordedArrival(op, *trace);
        return;
    }
    op.countedFrom = from;
    // Poisson: an Exp(1) count between arrivals on the rescaled clock (the count in [a, b) is
    // then Poisson with mean ∫ rate); constant: one call, so the n-th arrives when the rate has
    // accumulated n calls.
    op.callsToNext = m_scenario.operations[op.index].arrival == ArrivalKind::Poisson ? -std::log(1.0 - op.arrivals.uniform()) : 1.0;
    scheduleArrival(op);
}

void ScenarioRun::scheduleArrival(OperationState &op)
{
    op.due = m_scenario.operations[op.index].rate.whenAccumulated(op.countedFrom, op.callsToNext);
    if (!(op.due < toSeconds(end())))
        return; // after the end, or never (the rate stays 0)
    const TimePoint next = std::max(TimePoint(Duration(std::llround(op.due * 1e9))), m_scheduler->now());
    if (next >= end())
        return;
    OperationState *p = &op;
    op.nextArrival = m_scheduler->scheduleAt(next, [this, p] {
        p->nextArrival = 0;
        arrive(*p);
    });
}

void ScenarioRun::scheduleRecordedArrival(OperationState &op, const Trace &trace)
{
    // One row at a time, so memory is the rows plus the calls in flight, whatever the trace's
    // length. A row at or after a durationMs the file gives is not offered; with the traces'
    // own end, every row is.
    if (std::size_t(op.offered) >= trace.rows.size())
        return;
    const TimePoint next = std::max(trace.rows[std::size_t(op.offered)].start, m_scheduler->now());
    if (!m_scenario.untilTracesEnd && next >= end())
        return;
    OperationState *p = &op;
    op.nextArrival = m_scheduler->scheduleAt(next, [this, p] {
        p->nextArrival = 0;
        arrive(*p);
    });
}

void ScenarioRun::arrive(OperationState &op)
{
    const TimePoint now = m_scheduler->now();
    const std::uint64_t tag = std::uint64_t(op.offered++); // a trace operation's: its row
    scheduleArrival(op, op.due); // first: the call below may end at once
    if (!m_sinks.isEmpty())
        m_sinks.onCallOffered(m_scenario.operations[op.index].name, tag, now);
    op.pipeline->execute(*op.port, {}, tag);
}

std::size_t ScenarioRun::advanceTo(TimePoint until)
{
    start();
    const TimePoint target = std::min(until, end());
    if (!m_wall)
        return m_virtual.advanceTo(target);
    // Wall time cannot be skipped: the event loop runs (real replies, timers) until it is there.
    if (m_wall->now() < target) {
        QEventLoop loop;
        const TimerId stop = m_wall->scheduleAt(target, [&loop] { loop.quit(); });
        loop.exec();
        m_wall->cancel(stop);
    }
    return 0; // the wall scheduler does not count its tasks
}

void ScenarioRun::runToEnd()
{
    advanceTo(end());
    finish();
}

void ScenarioRun::finish()
{
    if (m_finished)
        return;
    m_finished = true;
    // At the traces' own end, the calls still in flight finish (no call arrives any more), so
    // that every recorded call has its own outcome, as in a replay.
    if (m_scenario.untilTracesEnd && !m_wall && atEnd()) {
        const auto inFlight = [this] {
            for (const auto &op : m_operations)
                if (op->pipeline->callsInFlight() > 0)
                    return true;
            return false;
        };
        while (inFlight() && m_virtual.runNext()) { }
    }
    // Read before the calls still in flight are cut off: the run's end is not a caller giving up.
    if (m_summary) {
        for (auto &service : m_services) {
            const BackendService::Stats &stats = service->stats();
            ServiceSummary &s = m_summary->service(service->name());
            s.requestsReceived = stats.received;
            s.errorsServed = stats.errorsServed;
            s.abandoned = stats.abandoned;
            s.served = stats.completed;
            s.wasted = stats.wasted;
        }
    }
    for (auto &op : m_operations) {
        m_scheduler->cancel(std::exchange(op->nextArrival, 0));
        op->pipeline->cancelAll();
    }
    if (m_summary) {
        for (auto &op : m_operations)
            if (Bulkhead *b = op->pipeline->bulkhead())
                m_summary->setBulkhead(b->name(), b->metrics());
        m_summary->finish(m_scheduler->now());
    }
}

bool ScenarioRun::apply(const ControlCommand &command)
{
    using namespace ControlCommands;
    return std::visit(
        [this](const auto &c) {
            using Command = std::decay_t<decltype(c)>;
            if constexpr (std::is_same_v<Command, UpdatePolicy>)
                return updatePolicy(c.operation, c.policy);
            else if constexpr (std::is_same_v<Command, Breaker>)
                return breakerAction(c.operation, c.action);
            else if constexpr (std::is_same_v<Command, ResizeBulkhead>)
                return resizeBulkhead(c.operation, c.maxConcurrent, c.maxQueueSize);
            else if constexpr (std::is_same_v<Command, InjectFault>)
                return injectFault(c.fault, c.length);
            else if constexpr (std::is_same_v<Command, ClearFaults>)
                return clearFaults(c.service, c.kind);
            else
                return setArrivalRate(c.operation, c.callsPerSecond);
        },
        command.command);
}

bool ScenarioRun::updatePolicy(const QString &operation, const PolicyConfig &policy)
{
    const int i = operationIndex(operation);
    if (i < 0)
        return false;
    PolicyConfig named = policy;
    named.name = operation;
    Pipeline &p = *m_operations[size_t(i)]->pipeline;
    const bool hadBreaker = p.circuitBreaker(), hadBulkhead = p.bulkhead();
    p.setPolicy(named);
    // A breaker or bulkhead turned on now reports like the others: breakers to every sink,
    // bulkheads to the event log only (see addSink).
    if (!hadBreaker && p.circuitBreaker() && !m_sinks.isEmpty())
        p.circuitBreaker()->addListener(&m_sinks);
    if (!hadBulkhead && p.bulkhead() && m_eventLog) {
        p.bulkhead()->addListener(m_eventLog);
        m_eventLog->bindOperation(p.name(), p.bulkhead());
    }
    m_scenario.operations[i].policy = named;
    writeControl({ ControlCommands::UpdatePolicy { operation, named, {} } });
    return true;
}

bool ScenarioRun::breakerAction(const QString &operation, BreakerAction action)
{
    const int i = operationIndex(operation);
    if (i < 0)
        return false;
    CircuitBreaker *b = m_operations[size_t(i)]->pipeline->circuitBreaker();
    if (!b)
        return false;
    // Written before acting, so the control event precedes the state change it causes.
    writeControl({ ControlCommands::Breaker { operation, action } });
    b->perform(action);
    return true;
}

bool ScenarioRun::resizeBulkhead(const QString &operation, int maxConcurrent, int maxQueueSize)
{
    const int i = operationIndex(operation);
    if (i < 0 || !m_operations[size_t(i)]->pipeline->bulkhead())
        return false;
    PolicyConfig policy = m_operations[size_t(i)]->pipeline->policy();
    policy.bulkhead->maxConcurrent = maxConcurrent;
    policy.bulkhead->maxQueueSize = maxQueueSize;
    writeControl({ ControlCommands::ResizeBulkhead { operation, maxConcurrent, maxQueueSize } });
    m_operations[size_t(i)]->pipeline->setPolicy(policy);
    m_scenario.operations[i].policy = policy;
    return true;
}

bool ScenarioRun::injectFault(FaultConfig fault, Duration length)
{
    const int s = m_scenario.serviceIndex(fault.service); // a recorded backend takes no faults
    if (s < 0)
        return false;
    start();
    fault.at = m_scheduler->now();
    fault.until = length == Duration::max() ? Duration::max() : fault.at + length;
    writeControl({ ControlCommands::InjectFault { fault, length } });
    QList<FaultConfig> faults = m_services[size_t(s)]->faults();
    faults.append(fault);
    m_services[size_t(s)]->setFaults(faults);
    writeFault(fault, true);
    if (fault.until != Duration::max()) {
        auto shared = std::make_shared<const FaultConfig>(fault);
        m_scheduler->scheduleAt(fault.until, [this, s, shared] { faultBoundary(s, *shared, false); });
    }
    return true;
}

bool ScenarioRun::clearFaults(const QString &service, std::optional<FaultKind> kind)
{
    const int s = m_scenario.serviceIndex(service);
    if (s < 0)
        return false;
    const TimePoint now = m_scheduler->now();
    writeControl({ ControlCommands::ClearFaults { service, kind } });
    QList<FaultConfig> kept;
    for (const FaultConfig &f : m_services[size_t(s)]->faults()) {
        if (kind && f.kind != *kind) {
            kept.append(f);
            continue;
        }
        if (f.at <= now && now < f.until)
            writeFault(f, false); // it ends now; its scheduled end will find it gone
    }
    m_services[size_t(s)]->setFaults(kept);
    return true;
}

bool ScenarioRun::setArrivalRate(const QString &operation, double callsPerSecond)
{
    const int i = operationIndex(operation);
    if (i < 0 || callsPerSecond < 0 || m_scenario.operations[i].trace)
        return false; // a trace's calls arrive when they were recorded
    writeControl({ ControlCommands::SetArrivalRate { operation, callsPerSecond } });
    RateConfig &rate = m_scenario.operations[i].rate;
    OperationState &op = *m_operations[size_t(i)];
    if (m_started) {
        // The rate function changes from now on: what the next call has accumulated so far
        // under the old rate counts, the rest accumulates at the new one.
        const double now = toSeconds(m_scheduler->now());
        op.callsToNext = std::max(0.0, op.callsToNext - rate.callsBetween(op.countedFrom, now));
        op.countedFrom = now;
    }
    rate = RateConfig {};
    rate.rate = callsPerSecond;
    m_scheduler->cancel(std::exchange(op.nextArrival, 0));
    if (m_started)
        scheduleArrival(op);
    return true;
}

} // namespace bw
