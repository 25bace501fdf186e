#include "scenariowriter.h"

#include "../resilience/policywriter.h"

#include <QJsonArray>
#include <QJsonDocument>

namespace bw {

namespace {

QJsonValue latencyJson(const LatencyConfig &l)
{
    switch (l.kind) {
    case LatencyKind::Fixed:
        return QJsonObject { { QStringLiteral("dist"), QStringLiteral("fixed") }, { QStringLiteral("ms"), toMs(l.fixed) } };
    case LatencyKind::Uniform:
        return QJsonObject { { QStringLiteral("dist"), QStringLiteral("uniform") },
            { QStringLiteral("minMs"), toMs(l.min) }, { QStringLiteral("maxMs"), toMs(l.max) } };
    case LatencyKind::Normal:
        return QJsonObject { { QStringLiteral("dist"), QStringLiteral("normal") },
            { QStringLiteral("meanMs"), toMs(l.mean) }, { QStringLiteral("stddevMs"), toMs(l.stddev) } };
    case LatencyKind::Lognormal:
        return QJsonObject { { QStringLiteral("dist"), QStringLiteral("lognormal") },
            { QStringLiteral("medianMs"), toMs(l.median) }, { QStringLiteral("p99Ms"), toMs(l.p99) } };
    case LatencyKind::Exponential:
        return QJsonObject { { QStringLiteral("dist"), QStringLiteral("exponential") },
            { QStringLiteral("meanMs"), toMs(l.mean) } };
    case LatencyKind::Pareto:
        return QJsonObject { { QStringLiteral("dist"), QStringLiteral("pareto") },
            { QStringLiteral("minMs"), toMs(l.min) }, { QStringLiteral("alpha"), l.alpha } };
    case LatencyKind::Percentiles: {
        QJsonObject o { { QStringLiteral("dist"), QStringLiteral("percentiles") },
            { QStringLiteral("p50"), toMs(l.median) }, { QStringLiteral("p99"), toMs(l.p99) } };
        if (l.p90 > Duration::zero()) // optional points: written only when given
            o.insert(QStringLiteral("p90"), toMs(l.p90));
        if (l.p999 > Duration::zero())
            o.insert(QStringLiteral("p999"), toMs(l.p999));
        return o;
    }
    }
    return {};
}

QJsonObject serviceJson(const ServiceConfig &s)
{
    QJsonObject o { { QStringLiteral("name"), s.name } };
    if (!s.url.isEmpty()) {
        o.insert(QStringLiteral("url"), s.url);
        return o; // a real service: its behaviour is the server's, not a model's
    }
    o.insert(QStringLiteral("capacity"), s.capacity);
    if (s.queueLimit)
        o.insert(QStringLiteral("queueLimit"), *s.queueLimit); // absent: unbounded
    o.insert(QStringLiteral("abandoned"), QString(abandonedRequestsName(s.abandoned)));
    o.insert(QStringLiteral("latency"), latencyJson(s.latency));
    o.insert(QStringLiteral("errorRate"), s.errorRate);
    o.insert(QStringLiteral("errorCode"), s.errorCode);
    return o;
}

QJsonValue rateJson(const RateConfig &r)
{
    switch (r.shape) {
    case RateConfig::Shape::Constant:
        return r.rate;
    case RateConfig::Shape::Ramp:
        return QJsonObject { { QStringLiteral("ramp"),
            QJsonObject { { QStringLiteral("from"), r.from }, { QStringLiteral("to"), r.to },
                { QStringLiteral("atMs"), toMs(r.rampStart) }, { QStringLiteral("untilMs"), toMs(r.rampEnd) } } } };
    case RateConfig::Shape::Steps: {
        QJsonArray steps;
        for (const auto &[at, rate] : r.steps)
            steps.append(QJsonArray { toMs(at), rate });
        return steps;
    }
    }
    return {};
}

QJsonObject operationJson(const ScenarioConfig &scenario, const OperationConfig &op)
{
    QJsonObject o { { QStringLiteral("name"), op.name } };
    if (op.arrival == ArrivalKind::Trace) {
        o.insert(QStringLiteral("arrival"), QStringLiteral("trace"));
        o.insert(QStringLiteral("trace"), op.tracePath);
    } else {
        o.insert(QStringLiteral("service"), op.service);
        o.insert(QStringLiteral("rate"), rateJson(op.rate));
        o.insert(QStringLiteral("arrival"),
            op.arrival == ArrivalKind::Constant ? QStringLiteral("constant") : QStringLiteral("poisson"));
    }
    // Compared as JSON: what a file can say about a policy is exactly what matters here.
    const QJsonObject policy = policyToJson(op.policy);
    const std::optional<PolicyConfig> named = resolvePolicy(scenario, op.policyName);
    if (named && policyToJson(*named) == policy)
        o.insert(QStringLiteral("policy"), op.policyName);
    else
        o.insert(QStringLiteral("policy"), policy);
    return o;
}

QJsonObject faultJson(const FaultConfig &f)
{
    QJsonObject o { { QStringLiteral("service"), f.service },
        { QStringLiteral("type"), QString(faultKindName(f.kind)) }, { QStringLiteral("atMs"), toMs(f.at) } };
    if (f.until != Duration::max())
        o.insert(QStringLiteral("untilMs"), toMs(f.until));
    const QJsonObject parameters = faultParameters(f);
    for (auto it = parameters.begin(); it != parameters.end(); ++it)
        o.insert(it.key(), it.value());
    return o;
}

} // namespace

QJsonObject scenarioToJson(const ScenarioConfig &scenario)
{
    QJsonObject root { { QStringLiteral("name"), scenario.name },
        { QStringLiteral("seed"), double(scenario.seed) } }; // the loader allows at most 2^53
    if (!scenario.untilTracesEnd) // else the traces say how long it lasts
        root.insert(QStringLiteral("durationMs"), toMs(scenario.duration));
    if (!scenario.description.isEmpty())
        root.insert(QStringLiteral("description"), scenario.description);
    if (!scenario.lookFor.isEmpty())
        root.insert(QStringLiteral("lookFor"), scenario.lookFor);
    QJsonArray services, operations, faults;
    for (const ServiceConfig &s : scenario.services)
        services.append(serviceJson(s));
    for (const OperationConfig &op : scenario.operations)
        operations.append(operationJson(scenario, op));
    for (const FaultConfig &f : scenario.faults)
        faults.append(faultJson(f));
    if (!services.isEmpty()) // none when every operation replays a trace
        root.insert(QStringLiteral("services"), services);
    root.insert(QStringLiteral("operations"), operations);
    if (!scenario.policies.isEmpty()) {
        QJsonObject policies;
        for (auto it = scenario.policies.begin(); it != scenario.policies.end(); ++it)
            policies.insert(it.key(), policyToJson(it.value()));
        root.insert(QStringLiteral("policies"), policies);
    }
    if (!faults.isEmpty())
        root.insert(QStringLiteral("faults"), faults);
    return root;
}

QByteArray scenarioToJsonBytes(const ScenarioConfig &scenario)
{
    return QJsonDocument(scenarioToJson(scenario)).toJson(QJsonDocument::Indented);
}

} // namespace bw
