#include "summary.h"

#include "../runtime/atomicfile.h"

#include <QJsonArray>
#include <QJsonDocument>

#include <cmath>

namespace bw {

std::int64_t OperationSummary::ended() const
{
    std::int64_t n = 0;
    for (std::int64_t c : outcomes)
        n += c;
    return n;
}

Summary::Summary(TimePoint origin)
    : m_origin(origin)
    , m_end(origin)
{ }

double Summary::roundedMs(Duration d)
{
    // Integer microseconds first, so the double is the one nearest a 3-decimal value every time.
    const std::int64_t ns = d.count();
    const std::int64_t us = ns >= 0 ? (ns + 500) / 1000 : -((-ns + 500) / 1000);
    return double(us) / 1000.0;
}

OperationSummary &Summary::addOperation(const QString &name)
{
    return m_operations[name];
}

BreakerSummary &Summary::addBreaker(const QString &name, CircuitState initial, std::optional<TimePoint> since)
{
    auto [it, inserted] = m_breakers.try_emplace(name);
    if (inserted) {
        it->second.state = initial;
        it->second.since = since.value_or(m_origin);
    }
    return it->second;
}

BulkheadSummary &Summary::addBulkhead(const QString &name)
{
    return m_bulkheads[name];
}

ServiceSummary &Summary::service(const QString &name)
{
    return m_services[name];
}

void Summary::setEvents(std::int64_t count, const QByteArray &sha256Hex)
{
    m_events = count;
    m_eventsSha256 = sha256Hex;
}

void Summary::finish(TimePoint end)
{
    m_end = end;
    for (auto &[name, b] : m_breakers) {
        if (end > b.since) {
            b.timeInState[std::size_t(b.state)] += end - b.since;
            b.since = end;
        }
    }
}

bool Summary::isConserved() const
{
    for (const auto &[name, op] : m_operations)
        if (op.offered != op.ended())
            return false;
    return true;
}

OperationSummary &Summary::operation(const QString &name)
{
    // Callers pass the pipeline's own name, the same shared string every time: comparing the
    // data pointers settles it without comparing characters.
    if (m_last && (m_lastName.constData() == name.constData() || m_lastName == name))
        return *m_last;
    m_last = &m_operations[name]; // std::map: references stay valid
    m_lastName = name;
    return *m_last;
}

void Summary::onCallOffered(const QString &name, std::uint64_t tag, TimePoint at)
{
    Q_UNUSED(tag);
    Q_UNUSED(at);
    ++operation(name).offered;
}

void Summary::onCallFinished(const CallReport &r)
{
    OperationSummary &op = operation(r.pipeline);
    ++op.outcomes[std::size_t(r.outcome)];
    op.attempts += r.attempts;
    if (r.cutOff)
        ++op.cutOff;
    else
        op.latency.record(r.latency);
}

void Summary::onRetry(const RetryReport &r)
{
    ++operation(r.pipeline).retries;
}

void Summary::onHedge(const QString &pipeline, std::uint64_t, int, TimePoint)
{
    ++operation(pipeline).hedgedAttempts;
}

void Summary::onStateChange(const CircuitStateChange &c)
{
    BreakerSummary &b = addBreaker(c.name, c.previousState);
    if (c.at > b.since)
        b.timeInState[std::size_t(b.state)] += c.at - b.since;
    b.since = std::max(b.since, c.at);
    b.state = c.currentState;
    b.transitions.push_back(BreakerTransition { c.at, c.previousState, c.currentState, c.reason });
}

void Summary::onRejected(const QString &name, CircuitState state, TimePoint at)
{
    Q_UNUSED(state);
    Q_UNUSED(at);
    ++addBreaker(name).rejected;
}

void Summary::setBulkhead(const QString &name, const BulkheadMetrics &metrics)
{
    BulkheadSummary &b = addBulkhead(name);
    b.peakActive = metrics.peakActive;
    b.peakQueued = metrics.peakQueued;
    b.rejected = metrics.rejected - metrics.timeouts; // the metric counts queue timeouts as rejections too
    b.timeouts = metrics.timeouts;
}

namespace {

QJsonObject outcomesJson(const std::array<std::int64_t, OutcomeCount> &counts)
{
    QJsonObject o;
    for (Outcome outcome : AllOutcomes)
        o.insert(QString(outcomeName(outcome)), qint64(counts[std::size_t(outcome)]));
    return o;
}

} // namespace

QJsonObject Summary::toJson() const
{
    QJsonObject root = m_info;
    root.insert(QStringLiteral("seed"), qint64(m_seed));
    root.insert(QStringLiteral("durationMs"), roundedMs(m_end - m_origin));
    root.insert(QStringLiteral("events"), qint64(m_events));
    root.insert(QStringLiteral("eventsSha256"), QString::fromLatin1(m_eventsSha256));

    std::array<std::int64_t, OutcomeCount> totalOutcomes {};
    std::int64_t totalOffered = 0, totalAttempts = 0, totalRetries = 0, totalHedged = 0, totalCutOff = 0;
    QJsonObject operations;
    for (const auto &[name, op] : m_operations) {
        QJsonObject latency;
        latency.insert(QStringLiteral("p50"), roundedMs(op.latency.percentile(50)));
        latency.insert(QStringLiteral("p95"), roundedMs(op.latency.percentile(95)));
        latency.insert(QStringLiteral("p99"), roundedMs(op.latency.percentile(99)));
        latency.insert(QStringLiteral("max"), roundedMs(op.latency.max()));
        QJsonObject o;
        o.insert(QStringLiteral("offered"), qint64(op.offered));
        o.insert(QStringLiteral("outcomes"), outcomesJson(op.outcomes));
        o.insert(QStringLiteral("cutOff"), qint64(op.cutOff));
        o.insert(QStringLiteral("attempts"), qint64(op.attempts));
        o.insert(QStringLiteral("retries"), qint64(op.retries));
        o.insert(QStringLiteral("hedgedAttempts"), qint64(op.hedgedAttempts));
        o.insert(QStringLiteral("latencyMs"), latency);
        operations.insert(name, o);
        totalOffered += op.offered;
        totalAttempts += op.attempts;
        totalRetries += op.retries;
        totalHedged += op.hedgedAttempts;
        totalCutOff += op.cutOff;
        for (std::size_t i = 0; i < totalOutcomes.size(); ++i)
            totalOutcomes[i] += op.outcomes[i];
    }
    root.insert(QStringLiteral("operations"), operations);

    QJsonObject breakers;
    for (const auto &[name, b] : m_breakers) {
        QJsonArray transitions;
        for (const BreakerTransition &t : b.transitions) {
            QJsonObject o;
            o.insert(QStringLiteral("t_ms"), roundedMs(t.at - m_origin));
            o.insert(QStringLiteral("from"), QString(circuitStateName(t.from)));
            o.insert(QStringLiteral("to"), QString(circuitStateName(t.to)));
            o.insert(QStringLiteral("reason"), QString(transitionReasonName(t.reason)));
            transitions.append(o);
        }
        QJsonObject time;
        for (int s = 0; s < CircuitStateCount; ++s) {
            const auto state = CircuitState(s);
            const bool usual = state == CircuitState::Closed || state == CircuitState::Open
                || state == CircuitState::HalfOpen;
            if (usual || b.timeInState[std::size_t(s)] > Duration::zero())
                time.insert(QString(circuitStateName(state)), roundedMs(b.timeInState[std::size_t(s)]));
        }
        QJsonObject o;
        o.insert(QStringLiteral("transitions"), transitions);
        o.insert(QStringLiteral("timeInStateMs"), time);
        o.insert(QStringLiteral("rejected"), qint64(b.rejected));
        breakers.insert(name, o);
    }
    root.insert(QStringLiteral("breakers"), breakers);

    QJsonObject bulkheads;
    for (const auto &[name, b] : m_bulkheads) {
        QJsonObject o;
        o.insert(QStringLiteral("peakActive"), b.peakActive);
        o.insert(QStringLiteral("peakQueued"), b.peakQueued);
        o.insert(QStringLiteral("rejected"), qint64(b.rejected));
        o.insert(QStringLiteral("timeouts"), qint64(b.timeouts));
        bulkheads.insert(name, o);
    }
    root.insert(QStringLiteral("bulkheads"), bulkheads);

    QJsonObject services;
    for (const auto &[name, s] : m_services) {
        QJsonObject o;
        o.insert(QStringLiteral("requestsReceived"), qint64(s.requestsReceived));
        o.insert(QStringLiteral("errorsServed"), qint64(s.errorsServed));
        if (s.abandoned)
            o.insert(QStringLiteral("abandoned"), qint64(*s.abandoned));
        if (s.wasted) {
            o.insert(QStringLiteral("served"), qint64(s.served));
            o.insert(QStringLiteral("wasted"), qint64(*s.wasted));
            o.insert(QStringLiteral("wastedShare"), s.served > 0 ? double(*s.wasted) / double(s.served) : 0.0);
        }
        services.insert(name, o);
    }
    root.insert(QStringLiteral("services"), services);

    QJsonObject totals;
    totals.insert(QStringLiteral("offered"), qint64(totalOffered));
    totals.insert(QStringLiteral("outcomes"), outcomesJson(totalOutcomes));
    totals.insert(QStringLiteral("cutOff"), qint64(totalCutOff));
    totals.insert(QStringLiteral("attempts"), qint64(totalAttempts));
    totals.insert(QStringLiteral("retries"), qint64(totalRetries));
    totals.insert(QStringLiteral("hedgedAttempts"), qint64(totalHedged));
    totals.insert(QStringLiteral("conserved"), isConserved());
    root.insert(QStringLiteral("totals"), totals);
    return root;
}

QByteArray Summary::toJsonBytes() const
{
    return QJsonDocument(toJson()).toJson(QJsonDocument::Indented);
}

bool Summary::write(const QString &path, QString *error) const
{
    return writeFileAtomically(path, toJsonBytes(), error);
}

} // namespace bw
