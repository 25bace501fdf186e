#include "scenario.h"

#include <QFileInfo>

#include <algorithm>
#include <cmath>
#include <limits>

namespace bw {

double RateConfig::at(Duration t) const
{
    switch (shape) {
    case Shape::Constant:
        return rate;
    case Shape::Ramp:
        if (t <= rampStart)
            return from;
        if (t >= rampEnd)
            return to;
        return from + (to - from) * double((t - rampStart).count()) / double((rampEnd - rampStart).count());
    case Shape::Steps: {
        double current = 0;
        for (const auto &[when, value] : steps) {
            if (when > t)
                break;
            current = value;
        }
        return current;
    }
    }
    return rate;
}

namespace {

// Seconds until a rate of r + k·x calls per second (x in seconds) has supplied `calls`;
// infinity when it never does (r + k·x falls to 0 first). The root of r·x + k·x²/2 = calls,
// written so that it does not cancel when k is small.
double secondsToAccumulate(double r, double k, double calls)
{
    if (k == 0)
        return r > 0 ? calls / r : std::numeric_limits<double>::infinity();
    const double discriminant = r * r + 2 * k * calls;
    if (discriminant < 0)
        return std::numeric_limits<double>::infinity();
    return 2 * calls / (r + std::sqrt(discriminant));
}

} // namespace

RateConfig::Piece RateConfig::pieceAt(double t) const
{
    constexpr double never = std::numeric_limits<double>::infinity();
    switch (shape) {
    case Shape::Constant:
        return { rate, 0, never };
    case Shape::Ramp: {
        const double start = toSeconds(rampStart), end = toSeconds(rampEnd);
        if (t < start)
            return { from, 0, start };
        if (t >= end)
            return { to, 0, never };
        const double slope = (to - from) / (end - start);
        return { from + slope * (t - start), slope, end };
    }
    case Shape::Steps: {
        double current = 0;
        for (const auto &[when, value] : steps) {
            if (toSeconds(when) > t)
                return { current, 0, toSeconds(when) };
            current = value;
        }
        return { current, 0, never };
    }
    }
    return { rate, 0, never };
}

double RateConfig::callsBetween(double from, double to) const
{
    double calls = 0;
    for (double t = from; t < to;) {
        const Piece p = pieceAt(t);
        const double length = std::min(p.end, to) - t;
        calls += length * (p.rate + p.slope * length / 2);
        t = p.end;
    }
    return calls;
}

double RateConfig::whenAccumulated(double from, double calls) const
{
    // A billionth of a call: what is left when rounding puts an arrival a hair past the end of
    // a piece (a step or a ramp's end) instead of on it.
    constexpr double roundingSlack = 1e-9;
    if (calls <= 0)
        return from;
    for (double t = from;;) {
        const Piece p = pieceAt(t);
        const double x = secondsToAccumulate(p.rate, p.slope, calls);
        if (t + x <= p.end)
            return t + x;
        if (std::isinf(p.end))
            return p.end;
        const double length = p.end - t;
        calls -= length * (p.rate + p.slope * length / 2);
        if (calls <= roundingSlack)
            return p.end;
        t = p.end;
    }
}

QLatin1StringView faultKindName(FaultKind kind)
{
    switch (kind) {
    case FaultKind::Outage: return QLatin1StringView("outage");
    case FaultKind::Errors: return QLatin1StringView("errors");
    case FaultKind::Latency: return QLatin1StringView("latency");
    case FaultKind::Hang: return QLatin1StringView("hang");
    case FaultKind::RateLimit: return QLatin1StringView("rateLimit");
    case FaultKind::Flapping: return QLatin1StringView("flapping");
    case FaultKind::Brownout: return QLatin1StringView("brownout");
    }
    return QLatin1StringView("outage");
}

std::optional<FaultKind> faultKindFromName(QStringView name)
{
    for (FaultKind k : { FaultKind::Outage, FaultKind::Errors, FaultKind::Latency, FaultKind::Hang, FaultKind::RateLimit,
                         FaultKind::Flapping, FaultKind::Brownout })
        if (name == faultKindName(k))
            return k;
    return std::nullopt;
}

QJsonObject faultParameters(const FaultConfig &fault)
{
    QJsonObject o;
    switch (fault.kind) {
    case FaultKind::Errors:
        o.insert(QStringLiteral("rate"), fault.rate);
        o.insert(QStringLiteral("code"), fault.code);
        break;
    case FaultKind::Latency:
        o.insert(QStringLiteral("addMs"), toMs(fault.add));
        o.insert(QStringLiteral("jitterMs"), toMs(fault.jitter));
        break;
    case FaultKind::Hang:
        o.insert(QStringLiteral("rate"), fault.rate);
        break;
    case FaultKind::RateLimit:
        o.insert(QStringLiteral("rps"), fault.rps);
        o.insert(QStringLiteral("retryAfterMs"), toMs(fault.retryAfter));
        break;
    case FaultKind::Flapping:
        o.insert(QStringLiteral("upMs"), toMs(fault.up));
        o.insert(QStringLiteral("downMs"), toMs(fault.down));
        break;
    case FaultKind::Brownout:
        o.insert(QStringLiteral("capacity"), fault.capacity);
        break;
    case FaultKind::Outage:
        break;
    }
    return o;
}

std::uint64_t stableHash(QStringView name)
{
    std::uint64_t h = 0xcbf29ce484222325ull;
    for (QChar c : name) {
        h ^= c.unicode();
        h *= 0x100000001b3ull;
    }
    return h;
}

QLatin1StringView abandonedRequestsName(AbandonedRequests abandoned)
{
    return abandoned == AbandonedRequests::Served ? QLatin1StringView("served") : QLatin1StringView("dropped");
}

int ScenarioConfig::serviceIndex(const QString &service) const
{
    for (int i = 0; i < services.size(); ++i)
        if (services[i].name == service)
            return i;
    return -1;
}

QString recordedServiceName(const Trace &trace)
{
    const QString name = QFileInfo(trace.fileName).completeBaseName();
    return name.isEmpty() ? QStringLiteral("backend") : name;
}

ScenarioConfig traceScenario(std::shared_ptr<const Trace> trace, PolicyConfig policy)
{
    OperationConfig op;
    op.name = policy.name.isEmpty() ? QStringLiteral("replay") : policy.name;
    op.arrival = ArrivalKind::Trace;
    op.service = recordedServiceName(*trace);
    op.tracePath = trace->fileName;
    op.policyName = op.name;
    policy.name = op.name;
    op.policy = std::move(policy);
    op.trace = std::move(trace);
    ScenarioConfig scenario;
    scenario.name = op.service;
    scenario.untilTracesEnd = true;
    scenario.duration = op.trace->end();
    scenario.operations.append(std::move(op));
    return scenario;
}

std::optional<PolicyConfig> resolvePolicy(const ScenarioConfig &scenario, const QString &name)
{
    const auto it = scenario.policies.constFind(name);
    if (it != scenario.policies.constEnd())
        return *it;
    return ResiliencePolicies::byName(name);
}

} // namespace bw
