#include "scenarioloader.h"

#include "../resilience/jsonreader.h"
#include "../resilience/policyloader.h"
#include "builtinscenarios.h"

#include <QDir>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QRegularExpression>
#include <QUrl>

#include <cmath>

namespace bw {

namespace {

// A day: no latency model needs more, and it keeps the lognormal tail far from overflow.
constexpr double MaxLatencyMs = Limits::MaxDurationMs;
// A Pareto tail index: beyond it the tail is lighter than any latency anyone measured.
constexpr double MaxParetoAlpha = 100;
// Calls per second per operation; beyond this a run takes minutes, which is almost surely a typo.
constexpr double MaxRate = Limits::MaxRate;
// JSON numbers are doubles: integers are exact up to 2^53.
constexpr double MaxSeed = 9007199254740992.0;

// "; did you mean 'x'? (label: a, b)" or " (label: a, b)": the nearest name when there is a
// plausible one, and always what exists.
QString suggestAndList(const QString &word, const QStringList &candidates, const QString &list)
{
    const QString nearest = nearestName(word, candidates);
    return (nearest.isEmpty() ? QString()
                              : QStringLiteral("; did you mean '") + nearest + QStringLiteral("'?"))
        + QStringLiteral(" (") + list + u')';
}

const QStringList &commonFaultKeys()
{
    static const QStringList keys { QStringLiteral("service"), QStringLiteral("type"), QStringLiteral("atMs"),
        QStringLiteral("untilMs") };
    return keys;
}

QStringList ownFaultKeys(FaultKind kind)
{
    switch (kind) {
    case FaultKind::Outage:
        return {};
    case FaultKind::Errors:
        return { QStringLiteral("rate"), QStringLiteral("code") };
    case FaultKind::Latency:
        return { QStringLiteral("addMs"), QStringLiteral("jitterMs") };
    case FaultKind::Hang:
        return { QStringLiteral("rate") };
    case FaultKind::RateLimit:
        return { QStringLiteral("rps"), QStringLiteral("retryAfterMs") };
    case FaultKind::Flapping:
        return { QStringLiteral("upMs"), QStringLiteral("downMs") };
    case FaultKind::Brownout:
        return { QStringLiteral("capacity") };
    }
    return {};
}

const QList<FaultKind> &allFaultKinds()
{
    static const QList<FaultKind> kinds { FaultKind::Outage, FaultKind::Errors, FaultKind::Latency,
        FaultKind::Hang, FaultKind::RateLimit, FaultKind::Flapping, FaultKind::Brownout };
    return kinds;
}

QStringList faultKindNames()
{
    QStringList names;
    for (FaultKind k : allFaultKinds())
        names << QString(faultKindName(k));
    return names;
}

class Reader : public JsonReader
{
public:
    using JsonReader::JsonReader;

    bool callRate(const QJsonValue &v, const QString &path, double *out)
    {
        return number(v, path, 0, MaxRate,
            QStringLiteral("calls per second (a number between 0 and ") + QString::number(MaxRate, 'g', 10)
                + u')',
            out);
    }

    static QString requestsPerSecond()
    {
        return QStringLiteral("requests per second (a positive number of at most ")
            + QString::number(MaxRate, 'g', 10) + u')';
    }

    // --- sections -----------------------------------------------------------------------------

    bool latency(const QJsonValue &v, const QString &p, LatencyConfig *out)
    {
        LatencyConfig c;
        if (v.isDouble()) { // shorthand: a fixed latency
            c.kind = LatencyKind::Fixed;
            if (!duration(v, p, false, MaxLatencyMs, &c.fixed))
                return false;
            *out = c;
            return true;
        }
        if (!v.isObject())
            return expected(
                p, QStringLiteral("an object with \"dist\", or a fixed latency in milliseconds"), v);
        const QJsonObject o = v.toObject();
        static const QStringList dists { QStringLiteral("fixed"), QStringLiteral("uniform"),
            QStringLiteral("normal"), QStringLiteral("lognormal"), QStringLiteral("exponential"),
            QStringLiteral("pareto"), QStringLiteral("percentiles") };
        static const QList<LatencyKind> kinds { LatencyKind::Fixed, LatencyKind::Uniform, LatencyKind::Normal,
            LatencyKind::Lognormal, LatencyKind::Exponential, LatencyKind::Pareto, LatencyKind::Percentiles };
        static const QList<QStringList> params { { QStringLiteral("ms") },
            { QStringLiteral("minMs"), QStringLiteral("maxMs") },
            { QStringLiteral("meanMs"), QStringLiteral("stddevMs") },
            { QStringLiteral("medianMs"), QStringLiteral("p99Ms") }, { QStringLiteral("meanMs") },
            { QStringLiteral("minMs"), QStringLiteral("alpha") },
            { QStringLiteral("p50"), QStringLiteral("p90"), QStringLiteral("p99"), QStringLiteral("p999") } };
        const QString distNames = QStringLiteral(
            "\"fixed\", \"uniform\", \"normal\", \"lognormal\", \"exponential\", \"pareto\" or \"percentiles\"");
        if (!o.contains(QStringLiteral("dist"))) {
            // Check the keys first: a misspelt "dist" is the likelier mistake.
            QStringList all { QStringLiteral("dist") };
            for (const QStringList &ps : params)
                all += ps;
            all.removeDuplicates();
            if (!checkKeys(o, p, all))
                return false;
            return missing(p, QStringLiteral("dist"), distNames);
        }
        LatencyKind kind = LatencyKind::Fixed;
        if (!readEnum<LatencyKind>(o, p, QStringLiteral("dist"), dists, kinds, &kind))
            return false;
        const QString dist = dists.at(kinds.indexOf(kind));
        const QStringList own = params.at(kinds.indexOf(kind));
        // Keys of another dist are a likely mix-up: say which dist takes them.
        for (const QString &key : keysInFileOrder(o, p)) {
            if (key == u"dist" || own.contains(key))
                continue;
            QStringList takers;
            for (int d = 0; d < params.size(); ++d) {
                if (params.at(d).contains(key))
                    takers << u'"' + dists.at(d) + u'"';
            }
            if (!takers.isEmpty())
                return keyFail(keyPath(p, key),
                    QStringLiteral("does not apply to dist \"") + dist + QStringLiteral("\" (it takes ")
                        + quotedList(own) + QStringLiteral("; '") + key + QStringLiteral("' belongs to ")
                        + takers.join(QStringLiteral(", ")) + u')');
        }
        if (!checkKeys(o, p, QStringList { QStringLiteral("dist") } + own))
            return false;
        c.kind = kind;
        const QString what = QStringLiteral("a duration in milliseconds");
        switch (kind) {
        case LatencyKind::Fixed:
            if (!requireDuration(o, p, QStringLiteral("ms"), false, MaxLatencyMs, what, &c.fixed))
                return false;
            break;
        case LatencyKind::Uniform:
            if (!requireDuration(o, p, QStringLiteral("minMs"), false, MaxLatencyMs, what, &c.min)
                || !requireDuration(o, p, QStringLiteral("maxMs"), false, MaxLatencyMs, what, &c.max))
                return false;
            if (c.max < c.min)
                return valueFail(
                    keyPath(p, QStringLiteral("maxMs")), QStringLiteral("expected maxMs >= minMs"));
            break;
        case LatencyKind::Normal:
            if (!requireDuration(o, p, QStringLiteral("meanMs"), false, MaxLatencyMs, what, &c.mean)
                || !requireDuration(o, p, QStringLiteral("stddevMs"), false, MaxLatencyMs, what, &c.stddev))
                return false;
            break;
        case LatencyKind::Lognormal:
            if (!requireDuration(o, p, QStringLiteral("medianMs"), true, MaxLatencyMs,
                    QStringLiteral("the median latency in milliseconds"), &c.median)
                || !requireDuration(o, p, QStringLiteral("p99Ms"), true, MaxLatencyMs,
                    QStringLiteral("the 99th percentile latency in milliseconds"), &c.p99))
                return false;
            if (c.p99 < c.median)
                return valueFail(keyPath(p, QStringLiteral("p99Ms")),
                    QStringLiteral("expected p99Ms >= medianMs (") + QString::number(toMs(c.median))
                        + QStringLiteral(")"));
            break;
        case LatencyKind::Exponential:
            if (!requireDuration(o, p, QStringLiteral("meanMs"), true, MaxLatencyMs,
                    QStringLiteral("the mean latency in milliseconds"), &c.mean))
                return false;
            break;
        case LatencyKind::Pareto:
            if (!requireDuration(o, p, QStringLiteral("minMs"), true, MaxLatencyMs,
                    QStringLiteral("the smallest latency (the scale) in milliseconds"), &c.min))
                return false;
        {
            const QString alphaText = QStringLiteral("the tail index, a number above 0 and at most ")
                + QString::number(MaxParetoAlpha);
            const QJsonValue alpha = o.value(QStringLiteral("alpha"));
            if (alpha.isUndefined())
                return missing(p, QStringLiteral("alpha"), alphaText);
            if (!number(alpha, keyPath(p, QStringLiteral("alpha")), 0, MaxParetoAlpha, alphaText, &c.alpha))
                return false;
            if (c.alpha <= 0)
                return expected(keyPath(p, QStringLiteral("alpha")), alphaText, alpha);
            break;
        }
        case LatencyKind::Percentiles:
            if (!percentiles(o, p, &c))
                return false;
            break;
        }
        *out = c;
        return true;
    }

    // p50 and p99 are required (what every dashboard shows), p90 and p999 optional; each at least
    // the one before it.
    bool percentiles(const QJsonObject &o, const QString &p, LatencyConfig *c)
    {
        if (!requireDuration(o, p, QStringLiteral("p50"), true, MaxLatencyMs,
                QStringLiteral("the median latency in milliseconds"), &c->median)
            || !readDuration(o, p, QStringLiteral("p90"), true, MaxLatencyMs, &c->p90)
            || !requireDuration(o, p, QStringLiteral("p99"), true, MaxLatencyMs,
                QStringLiteral("the 99th percentile latency in milliseconds"), &c->p99)
            || !readDuration(o, p, QStringLiteral("p999"), true, MaxLatencyMs, &c->p999))
            return false;
        const std::pair<QString, Duration> points[] = { { QStringLiteral("p50"), c->median },
            { QStringLiteral("p90"), c->p90 }, { QStringLiteral("p99"), c->p99 }, { QStringLiteral("p999"), c->p999 } };
        const std::pair<QString, Duration> *previous = nullptr;
        for (const auto &point : points) {
            if (point.second == Duration::zero())
                continue; // an optional point left out
            if (previous && point.second < previous->second)
                return valueFail(keyPath(p, point.first),
                    QStringLiteral("expected ") + point.first + QStringLiteral(" >= ") + previous->first
                        + QStringLiteral(" (") + QString::number(toMs(previous->second)) + u')');
            previous = &point;
        }
        return true;
    }

    bool service(const QJsonValue &v, const QString &p, ServiceConfig *out)
    {
        QJsonObject o;
        if (!object(v, p, &o))
            return false;
        if (o.contains(QStringLiteral("url")))
            return urlService(o, p, out);
        if (!checkKeys(o, p, ScenarioLoader::serviceKeys()))
            return false;
        ServiceConfig s;
        if (!requireString(o, p, QStringLiteral("name"), QStringLiteral("the service's name"), &s.name)
            || !readInt(o, p, QStringLiteral("capacity"), 1, &s.capacity)
            || !readRate(o, p, QStringLiteral("errorRate"), &s.errorRate)
            || !readString(o, p, QStringLiteral("errorCode"), true, &s.errorCode))
            return false;
        if (o.contains(QStringLiteral("queueLimit"))) {
            int limit = 0;
            if (!readInt(o, p, QStringLiteral("queueLimit"), 0, &limit))
                return false;
            s.queueLimit = limit;
        }
        if (!readEnum<AbandonedRequests>(o, p, QStringLiteral("abandoned"),
                { QString(abandonedRequestsName(AbandonedRequests::Served)),
                    QString(abandonedRequestsName(AbandonedRequests::Dropped)) },
                { AbandonedRequests::Served, AbandonedRequests::Dropped }, &s.abandoned))
            return false;
        if (o.contains(QStringLiteral("latency"))
            && !latency(
                o.value(QStringLiteral("latency")), keyPath(p, QStringLiteral("latency")), &s.latency))
            return false;
        *out = s;
        return true;
    }

    // A real HTTP service (real network mode): a name and a URL, no model.
    bool urlService(const QJsonObject &o, const QString &p, ServiceConfig *out)
    {
        for (const QString &key : keysInFileOrder(o, p)) {
            if (key == u"name" || key == u"url")
                continue;
            if (ScenarioLoader::serviceKeys().contains(key))
                return keyFail(keyPath(p, key),
                    QStringLiteral("a service with a \"url\" is a real HTTP server and has no model; remove \"")
                        + key + QStringLiteral("\" (or remove \"url\" to simulate the service)"));
            return keyFail(keyPath(p, key),
                QStringLiteral("unknown key; ") + suggestion(key, { QStringLiteral("name"), QStringLiteral("url") }));
        }
        ServiceConfig s;
        if (!requireString(o, p, QStringLiteral("name"), QStringLiteral("the service's name"), &s.name)
            || !requireString(o, p, QStringLiteral("url"), QStringLiteral("an http:// URL"), &s.url))
            return false;
        const QUrl url(s.url, QUrl::StrictMode);
        if (!url.isValid() || (url.scheme() != u"http" && url.scheme() != u"https") || url.host().isEmpty()
            || url.hasQuery() || url.hasFragment())
            return expected(keyPath(p, QStringLiteral("url")),
                QStringLiteral("an http:// or https:// URL with a host, and no query or fragment"),
                o.value(QStringLiteral("url")));
        *out = s;
        return true;
    }

    // operations[i].request: what an operation of a URL service sends.
    bool request(const QJsonValue &v, const QString &p, HttpRequestConfig *out)
    {
        QJsonObject o;
        if (!object(v, p, &o)
            || !checkKeys(o, p,
                { QStringLiteral("method"), QStringLiteral("path"), QStringLiteral("headers"),
                    QStringLiteral("body") }))
            return false;
        HttpRequestConfig r;
        QString method = QString::fromLatin1(r.method);
        if (!readString(o, p, QStringLiteral("method"), true, &method)
            || !readString(o, p, QStringLiteral("path"), false, &r.path))
            return false;
        static const QRegularExpression token(QStringLiteral("^[A-Za-z]+$"));
        if (!token.match(method).hasMatch())
            return expected(keyPath(p, QStringLiteral("method")),
                QStringLiteral("an HTTP method such as \"GET\" or \"POST\""), o.value(QStringLiteral("method")));
        r.method = method.toUpper().toLatin1();
        if (!r.path.isEmpty() && (r.path.contains(u' ') || !QUrl(r.path, QUrl::StrictMode).isValid()))
            return expected(keyPath(p, QStringLiteral("path")),
                QStringLiteral("a URL path such as \"/orders\""), o.value(QStringLiteral("path")));
        if (o.contains(QStringLiteral("headers"))) {
            const QString hp = keyPath(p, QStringLiteral("headers"));
            QJsonObject headers;
            if (!object(o.value(QStringLiteral("headers")), hp, &headers))
                return false;
            static const QRegularExpression name(QStringLiteral("^[!#$%&'*+.^_`|~0-9A-Za-z-]+$"));
            for (const QString &key : keysInFileOrder(headers, hp)) {
                if (!name.match(key).hasMatch())
                    return keyFail(keyPath(hp, key), QStringLiteral("not a valid HTTP header name"));
                QString value;
                if (!readString(headers, hp, key, false, &value))
                    return false;
                if (value.contains(u'\n') || value.contains(u'\r'))
                    return valueFail(keyPath(hp, key), QStringLiteral("a header value cannot span lines"));
                r.headers.append({ key.toLatin1(), value.toUtf8() });
            }
        }
        const QJsonValue body = o.value(QStringLiteral("body"));
        if (body.isString()) {
            r.body = body.toString().toUtf8();
        } else if (body.isObject() || body.isArray()) {
            // JSON given as JSON is sent as JSON.
            r.body = body.isObject() ? QJsonDocument(body.toObject()).toJson(QJsonDocument::Compact)
                                     : QJsonDocument(body.toArray()).toJson(QJsonDocument::Compact);
            bool typed = false;
            for (const auto &h : r.headers)
                typed = typed || h.first.compare("content-type", Qt::CaseInsensitive) == 0;
            if (!typed)
                r.headers.append({ QByteArrayLiteral("Content-Type"), QByteArrayLiteral("application/json") });
        } else if (!body.isUndefined()) {
            return expected(keyPath(p, QStringLiteral("body")), QStringLiteral("a string, or a JSON object or array"), body);
        }
        *out = r;
        return true;
    }

    bool rate(const QJsonValue &v, const QString &p, Duration scenarioEnd, RateConfig *out)
    {
        RateConfig r;
        if (v.isDouble()) {
            r.shape = RateConfig::Shape::Constant;
            if (!callRate(v, p, &r.rate))
                return false;
            *out = r;
            return true;
        }
        if (v.isArray()) {
            const QJsonArray steps = v.toArray();
            if (steps.isEmpty())
                return expected(p, QStringLiteral("at least one [atMs, rate] step"), v);
            r.shape = RateConfig::Shape::Steps;
            for (qsizetype i = 0; i < steps.size(); ++i) {
                const QString sp = indexPath(p, i);
                const QJsonValue step = steps.at(i);
                if (!step.isArray() || step.toArray().size() != 2)
                    return expected(sp, QStringLiteral("a step [atMs, rate]"), step);
                Duration when {};
                double perSecond = 0;
                if (!duration(step.toArray().at(0), indexPath(sp, 0), false, MaxDurationMs, &when)
                    || !callRate(step.toArray().at(1), indexPath(sp, 1), &perSecond))
                    return false;
                if (!r.steps.isEmpty() && when <= r.steps.constLast().first)
                    return valueFail(indexPath(sp, 0),
                        QStringLiteral("expected steps in increasing time: ") + QString::number(toMs(when))
                            + QStringLiteral(" is not after ")
                            + QString::number(toMs(r.steps.constLast().first)));
                r.steps.append({ when, perSecond });
            }
            *out = r;
            return true;
        }
        if (!v.isObject())
            return expected(p,
                QStringLiteral(
                    "calls per second: a number, {\"ramp\": {\"from\", \"to\", \"atMs\", \"untilMs\"}} or "
                    "[[atMs, rate], ...] steps"),
                v);
        const QJsonObject o = v.toObject();
        if (!checkKeys(o, p, { QStringLiteral("ramp") }))
            return false;
        if (!o.contains(QStringLiteral("ramp")))
            return missing(
                p, QStringLiteral("ramp"), QStringLiteral("{\"from\", \"to\", \"atMs\", \"untilMs\"}"));
        const QString rp = keyPath(p, QStringLiteral("ramp"));
        QJsonObject ramp;
        if (!object(o.value(QStringLiteral("ramp")), rp, &ramp))
            return false;
        if (!checkKeys(ramp, rp,
                { QStringLiteral("from"), QStringLiteral("to"), QStringLiteral("atMs"),
                    QStringLiteral("untilMs") }))
            return false;
        r.shape = RateConfig::Shape::Ramp;
        r.rampStart = Duration::zero();
        r.rampEnd = scenarioEnd;
        for (const char *key : { "from", "to" }) {
            const QString k = QLatin1StringView(key);
            if (!ramp.contains(k))
                return missing(rp, k, QStringLiteral("calls per second"));
            if (!callRate(ramp.value(k), keyPath(rp, k), k == u"from" ? &r.from : &r.to))
                return false;
        }
        if (!readDuration(ramp, rp, QStringLiteral("atMs"), false, MaxDurationMs, &r.rampStart)
            || !readDuration(ramp, rp, QStringLiteral("untilMs"), false, MaxDurationMs, &r.rampEnd))
            return false;
        if (r.rampEnd <= r.rampStart)
            return valueFail(ramp.contains(QStringLiteral("untilMs")) ? keyPath(rp, QStringLiteral("untilMs"))
                                                                      : keyPath(rp, QStringLiteral("atMs")),
                QStringLiteral("expected untilMs > atMs (the ramp ends after it starts; untilMs defaults to "
                               "durationMs)"));
        *out = r;
        return true;
    }

    bool operationPolicy(const QJsonValue &v, const QString &p, const QString &operation,
        const QMap<QString, PolicyConfig> &policies, OperationConfig *out)
    {
        if (v.isObject()) {
            const auto policy = PolicyLoader(m_src).read(v.toObject(), p, operation, m_error);
            if (!policy)
                return false;
            out->policy = *policy;
            out->policyName = policy->name;
            return true;
        }
        if (!v.isString())
            return expected(p, QStringLiteral("a policy name or a policy object"), v);
        const QString name = v.toString();
        if (const auto it = policies.constFind(name); it != policies.constEnd()) {
            out->policy = *it;
        } else if (auto preset = ResiliencePolicies::byName(name)) {
            out->policy = *preset;
        } else if (name == u"none") {
            out->policy = noPolicy();
        } else {
            const QStringList own = policies.keys();
            const QStringList all
                = own + ResiliencePolicies::names() + QStringList { QStringLiteral("none") };
            return valueFail(p,
                QStringLiteral("unknown policy '") + name + u'\''
                    + suggestAndList(name, all,
                        QStringLiteral("this scenario's policies: ")
                            + (own.isEmpty() ? QStringLiteral("none defined")
                                             : own.join(QStringLiteral(", ")))
                            + QStringLiteral("; presets: ")
                            + ResiliencePolicies::names().join(QStringLiteral(", "))
                            + QStringLiteral(", none")));
        }
        out->policyName = name;
        return true;
    }

    static PolicyConfig noPolicy()
    {
        PolicyConfig p; // every section off: calls go straight to the service
        p.name = QStringLiteral("none");
        return p;
    }

    bool operation(
        const QJsonValue &v, const QString &p, const ScenarioConfig &scenario, OperationConfig *out)
    {
        QJsonObject o;
        if (!object(v, p, &o) || !checkKeys(o, p, ScenarioLoader::operationKeys()))
            return false;
        OperationConfig op;
        if (!requireString(o, p, QStringLiteral("name"), QStringLiteral("the operation's name"), &op.name)
            || !readEnum<ArrivalKind>(o, p, QStringLiteral("arrival"),
                { QStringLiteral("constant"), QStringLiteral("poisson"), QStringLiteral("trace") },
                { ArrivalKind::Constant, ArrivalKind::Poisson, ArrivalKind::Trace }, &op.arrival))
            return false;
        if (op.arrival == ArrivalKind::Trace) {
            if (!traceOperation(o, p, scenario, &op))
                return false;
        } else if (!modelledOperation(o, p, scenario, &op)) {
            return false;
        }
        if (o.contains(QStringLiteral("policy"))) {
            if (!operationPolicy(o.value(QStringLiteral("policy")), keyPath(p, QStringLiteral("policy")),
                    op.name, scenario.policies, &op))
                return false;
        } else {
            op.policy = noPolicy();
            op.policyName = QStringLiteral("none");
        }
        *out = op;
        return true;
    }

    // An operation whose calls and backend are a recorded trace: the calls arrive at the rows'
    // start_ms, and the backend, a service named after the trace file, answers as recorded.
    bool traceOperation(const QJsonObject &o, const QString &p, const ScenarioConfig &scenario, OperationConfig *op)
    {
        for (const char *key : { "service", "rate", "request" }) {
            const QString k = QLatin1StringView(key);
            if (o.contains(k))
                return keyFail(keyPath(p, k),
                    QStringLiteral("an operation with \"arrival\": \"trace\" replays its trace: its calls arrive "
                                   "and are answered as recorded; remove \"")
                        + k + u'"');
        }
        if (!requireString(o, p, QStringLiteral("trace"),
                QStringLiteral("a trace CSV file (docs/formats.md, \"Replay trace\"), relative to the scenario file"),
                &op->tracePath))
            return false;
        const QString path = QFileInfo(m_src.fileName()).dir().filePath(op->tracePath);
        LoadError problem;
        std::optional<Trace> trace = TraceReader::loadFile(path, &problem);
        if (!trace) {
            if (problem.line > 0) { // in the trace: its own file, line and column
                if (m_error)
                    *m_error = problem;
                return false;
            }
            return valueFail(keyPath(p, QStringLiteral("trace")), path + QStringLiteral(": ") + problem.message);
        }
        op->trace = std::make_shared<const Trace>(std::move(*trace));
        op->service = recordedServiceName(*op->trace);
        if (scenario.serviceIndex(op->service) >= 0)
            return valueFail(keyPath(p, QStringLiteral("trace")),
                QStringLiteral("the trace's recorded backend is named after its file, '") + op->service
                    + QStringLiteral("', like a service of the scenario; rename the trace file or the service"));
        return true;
    }

    bool modelledOperation(const QJsonObject &o, const QString &p, const ScenarioConfig &scenario, OperationConfig *out)
    {
        OperationConfig &op = *out;
        if (o.contains(QStringLiteral("trace")))
            return keyFail(keyPath(p, QStringLiteral("trace")),
                QStringLiteral("only an operation with \"arrival\": \"trace\" replays a trace"));
        if (!requireString(o, p, QStringLiteral("service"),
                QStringLiteral("the name of one of the services"), &op.service))
            return false;
        if (scenario.serviceIndex(op.service) < 0) {
            QStringList names;
            for (const ServiceConfig &s : scenario.services)
                names << s.name;
            return valueFail(keyPath(p, QStringLiteral("service")),
                QStringLiteral("unknown service '") + op.service + u'\''
                    + suggestAndList(
                        op.service, names, QStringLiteral("services: ") + names.join(QStringLiteral(", "))));
        }
        if (o.contains(QStringLiteral("request"))) {
            const ServiceConfig &service = scenario.services[scenario.serviceIndex(op.service)];
            if (service.url.isEmpty())
                return keyFail(keyPath(p, QStringLiteral("request")),
                    QStringLiteral("only an operation of a service with a \"url\" sends a request; service '")
                        + service.name + QStringLiteral("' is simulated"));
            if (!request(o.value(QStringLiteral("request")), keyPath(p, QStringLiteral("request")), &op.request))
                return false;
        }
        if (!o.contains(QStringLiteral("rate")))
            return missing(p, QStringLiteral("rate"),
                QStringLiteral("calls per second: a number, a {\"ramp\": ...} or [[atMs, rate], ...] steps"));
        return rate(o.value(QStringLiteral("rate")), keyPath(p, QStringLiteral("rate")), scenario.duration, &op.rate);
    }

    bool fault(const QJsonValue &v, const QString &p, const ScenarioConfig &scenario, FaultConfig *out)
    {
        QJsonObject o;
        if (!object(v, p, &o))
            return false;
        QStringList everyKey = commonFaultKeys();
        for (FaultKind k : allFaultKinds())
            for (const QString &key : ownFaultKeys(k))
                if (!everyKey.contains(key))
                    everyKey << key;
        // Misspelt keys first (file order), before "type" decides which keys apply.
        if (!checkKeys(o, p, everyKey))
            return false;
        FaultConfig f;
        if (!o.contains(QStringLiteral("type")))
            return missing(
                p, QStringLiteral("type"), QStringLiteral("one of ") + quotedList(faultKindNames()));
        if (!readEnum<FaultKind>(o, p, QStringLiteral("type"), faultKindNames(), allFaultKinds(), &f.kind))
            return false;
        const QStringList allowed = ScenarioLoader::faultKeys(f.kind);
        for (const QString &key : keysInFileOrder(o, p)) {
            if (!allowed.contains(key))
                return keyFail(keyPath(p, key),
                    QStringLiteral("does not apply to a \"") + faultKindName(f.kind)
                        + QStringLiteral("\" fault (it takes ") + quotedList(allowed) + u')');
        }
        if (!requireString(o, p, QStringLiteral("service"), QStringLiteral("the name of one of the services"),
                &f.service))
            return false;
        const int service = scenario.serviceIndex(f.service);
        if (service < 0) {
            QStringList names;
            for (const ServiceConfig &s : scenario.services)
                names << s.name;
            return valueFail(keyPath(p, QStringLiteral("service")),
                QStringLiteral("unknown service '") + f.service + u'\''
                    + suggestAndList(
                        f.service, names, QStringLiteral("services: ") + names.join(QStringLiteral(", "))));
        }
        f.at = Duration::zero();
        if (!readDuration(o, p, QStringLiteral("atMs"), false, MaxDurationMs, &f.at)
            || !readDuration(o, p, QStringLiteral("untilMs"), false, MaxDurationMs, &f.until))
            return false;
        if (o.contains(QStringLiteral("untilMs")) && f.until <= f.at)
            return valueFail(keyPath(p, QStringLiteral("untilMs")),
                QStringLiteral("expected untilMs > atMs (") + QString::number(toMs(f.at))
                    + QStringLiteral("): a fault ends after it starts"));
        switch (f.kind) {
        case FaultKind::Outage:
            break;
        case FaultKind::Errors:
            if (!readRate(o, p, QStringLiteral("rate"), &f.rate)
                || !readString(o, p, QStringLiteral("code"), true, &f.code))
                return false;
            break;
        case FaultKind::Latency:
            if (!readDuration(o, p, QStringLiteral("addMs"), false, MaxLatencyMs, &f.add)
                || !readDuration(o, p, QStringLiteral("jitterMs"), false, MaxLatencyMs, &f.jitter))
                return false;
            if (f.add == Duration::zero() && f.jitter == Duration::zero())
                return missing(p, QStringLiteral("addMs"),
                    QStringLiteral(
                        "the latency added in milliseconds (a latency fault needs addMs or jitterMs "
                        "above 0)"));
            break;
        case FaultKind::Hang:
            if (!readRate(o, p, QStringLiteral("rate"), &f.rate))
                return false;
            break;
        case FaultKind::RateLimit:
            if (!readNumber(o, p, QStringLiteral("rps"), 0, MaxRate, requestsPerSecond(), &f.rps)
                || !readDuration(o, p, QStringLiteral("retryAfterMs"), false, MaxDurationMs, &f.retryAfter))
                return false;
            if (f.rps <= 0) // 0 would mean "no limit" to the service: say what was meant instead
                return expected(keyPath(p, QStringLiteral("rps")), requestsPerSecond(), o.value(QStringLiteral("rps")));
            break;
        case FaultKind::Flapping:
            if (!readDuration(o, p, QStringLiteral("upMs"), true, MaxDurationMs, &f.up)
                || !readDuration(o, p, QStringLiteral("downMs"), true, MaxDurationMs, &f.down))
                return false;
            break;
        case FaultKind::Brownout: {
            if (!readInt(o, p, QStringLiteral("capacity"), 1, &f.capacity))
                return false;
            const int own = scenario.services.at(service).capacity;
            if (f.capacity >= own)
                return valueFail(
                    o.contains(QStringLiteral("capacity")) ? keyPath(p, QStringLiteral("capacity")) : p,
                    QStringLiteral("a brownout reduces capacity: expected less than the service's capacity (")
                        + QString::number(own) + QStringLiteral("), got ") + QString::number(f.capacity));
            break;
        }
        }
        *out = f;
        return true;
    }

    // Names must be unique: the second one is reported, with where the first one is.
    bool uniqueName(const QStringList &seen, const QString &name, const QString &arrayPath, qsizetype index,
        const QString &what)
    {
        const qsizetype first = seen.indexOf(name);
        if (first < 0)
            return true;
        return valueFail(keyPath(indexPath(arrayPath, index), QStringLiteral("name")),
            QStringLiteral("duplicate ") + what + QStringLiteral(" name '") + name
                + QStringLiteral("' (also ") + indexPath(arrayPath, first) + u')');
    }

    bool array(
        const QJsonObject &root, const QString &key, bool required, const QString &what, QJsonArray *out)
    {
        if (!root.contains(key)) {
            if (required)
                return missing(QString(), key, what);
            return true;
        }
        const QJsonValue v = root.value(key);
        if (!v.isArray() || (required && v.toArray().isEmpty()))
            return expected(key, what, v);
        *out = v.toArray();
        return true;
    }
};

} // namespace

QStringList ScenarioLoader::topLevelKeys()
{
    return { QStringLiteral("name"), QStringLiteral("description"), QStringLiteral("lookFor"),
        QStringLiteral("durationMs"), QStringLiteral("seed"), QStringLiteral("services"),
        QStringLiteral("operations"), QStringLiteral("policies"), QStringLiteral("faults") };
}

QStringList ScenarioLoader::serviceKeys()
{
    return { QStringLiteral("name"), QStringLiteral("capacity"), QStringLiteral("queueLimit"),
        QStringLiteral("abandoned"), QStringLiteral("latency"), QStringLiteral("errorRate"), QStringLiteral("errorCode"),
        QStringLiteral("url") };
}

QStringList ScenarioLoader::operationKeys()
{
    return { QStringLiteral("name"), QStringLiteral("service"), QStringLiteral("rate"),
        QStringLiteral("arrival"), QStringLiteral("policy"), QStringLiteral("request"), QStringLiteral("trace") };
}

QStringList ScenarioLoader::faultKeys(FaultKind kind)
{
    return commonFaultKeys() + ownFaultKeys(kind);
}

std::optional<ScenarioConfig> ScenarioLoader::read(
    const QJsonObject &root, const QString &defaultName, LoadError *error) const
{
    Reader r(m_source, error);
    if (!r.checkKeys(root, QString(), topLevelKeys()))
        return std::nullopt;

    ScenarioConfig s;
    s.name = defaultName;
    if (!r.readString(root, QString(), QStringLiteral("name"), true, &s.name)
        || !r.readString(root, QString(), QStringLiteral("description"), false, &s.description)
        || !r.readString(root, QString(), QStringLiteral("lookFor"), false, &s.lookFor)
        || !r.readDuration(
            root, QString(), QStringLiteral("durationMs"), true, JsonReader::MaxDurationMs, &s.duration))
        return std::nullopt;
    if (root.contains(QStringLiteral("seed"))) {
        const QJsonValue v = root.value(QStringLiteral("seed"));
        const double d = v.toDouble();
        if (!v.isDouble() || std::floor(d) != d || d < 0 || d > MaxSeed) {
            r.expected(QStringLiteral("seed"), QStringLiteral("a non-negative integer (at most 2^53)"), v);
            return std::nullopt;
        }
        s.seed = std::uint64_t(d);
    }

    QJsonArray services, operations, faults;
    // A scenario whose every operation replays a trace calls no modelled service.
    bool onlyTraces = !root.value(QStringLiteral("operations")).toArray().isEmpty();
    for (const QJsonValue op : root.value(QStringLiteral("operations")).toArray())
        onlyTraces = onlyTraces && op.toObject().value(QStringLiteral("arrival")) == QStringLiteral("trace");
    if (!r.array(root, QStringLiteral("services"), !onlyTraces, QStringLiteral("an array of at least one service"),
            &services))
        return std::nullopt;
    QStringList names;
    for (qsizetype i = 0; i < services.size(); ++i) {
        ServiceConfig service;
        if (!r.service(services.at(i), indexPath(QStringLiteral("services"), i), &service)
            || !r.uniqueName(names, service.name, QStringLiteral("services"), i, QStringLiteral("service")))
            return std::nullopt;
        names << service.name;
        s.services.append(service);
    }

    // Policies before operations, which name them.
    if (root.contains(QStringLiteral("policies"))) {
        QJsonObject policies;
        if (!r.object(root.value(QStringLiteral("policies")), QStringLiteral("policies"), &policies))
            return std::nullopt;
        const PolicyLoader loader(m_source);
        for (const QString &name : r.keysInFileOrder(policies, QStringLiteral("policies"))) {
            const QString p = keyPath(QStringLiteral("policies"), name);
            const QJsonValue v = policies.value(name);
            if (name.isEmpty()) {
                r.keyFail(p, QStringLiteral("a policy needs a non-empty name"));
                return std::nullopt;
            }
            if (!v.isObject()) {
                r.expected(p, QStringLiteral("a policy object (for a preset: {\"policy\": \"api\"})"), v);
                return std::nullopt;
            }
            auto policy = loader.read(v.toObject(), p, name, error);
            if (!policy)
                return std::nullopt;
            s.policies.insert(name, *policy);
        }
    }

    if (!r.array(root, QStringLiteral("operations"), true,
            QStringLiteral("an array of at least one operation"), &operations))
        return std::nullopt;
    names.clear();
    for (qsizetype i = 0; i < operations.size(); ++i) {
        OperationConfig op;
        if (!r.operation(operations.at(i), indexPath(QStringLiteral("operations"), i), s, &op)
            || !r.uniqueName(names, op.name, QStringLiteral("operations"), i, QStringLiteral("operation")))
            return std::nullopt;
        names << op.name;
        s.operations.append(op);
    }
    QStringList recorded;
    for (qsizetype i = 0; i < s.operations.size(); ++i) {
        if (!s.operations[i].trace)
            continue;
        const QString p = indexPath(QStringLiteral("operations"), i);
        if (recorded.contains(s.operations[i].service)) {
            r.valueFail(keyPath(p, QStringLiteral("trace")),
                QStringLiteral("another trace operation replays a trace file named '") + s.operations[i].service
                    + QStringLiteral("' (its recorded backend is named after the file); give each trace its own name"));
            return std::nullopt;
        }
        recorded << s.operations[i].service;
        if (!root.contains(QStringLiteral("durationMs"))) {
            s.untilTracesEnd = true;
            s.duration = std::max(recorded.size() == 1 ? Duration::zero() : s.duration,
                s.operations[i].trace->end());
        }
    }

    if (!r.array(root, QStringLiteral("faults"), false, QStringLiteral("an array of faults"), &faults))
        return std::nullopt;
    for (qsizetype i = 0; i < faults.size(); ++i) {
        FaultConfig f;
        if (!r.fault(faults.at(i), indexPath(QStringLiteral("faults"), i), s, &f))
            return std::nullopt;
        s.faults.append(f);
    }
    return s;
}

std::optional<ScenarioConfig> parseScenario(const QByteArray &json, const QString &fileName, LoadError *error)
{
    const JsonSource source(json, fileName);
    const std::optional<QJsonObject> object = parseJsonObject(source, error);
    if (!object)
        return std::nullopt;
    QString defaultName = QFileInfo(fileName).completeBaseName();
    if (defaultName.isEmpty())
        defaultName = QStringLiteral("scenario");
    return ScenarioLoader(source).read(*object, defaultName, error);
}

std::optional<ScenarioConfig> loadScenarioFile(const QString &path, LoadError *error)
{
    const std::optional<QByteArray> json = readJsonFile(path, error);
    if (!json)
        return std::nullopt;
    return parseScenario(*json, path, error);
}

std::optional<ScenarioConfig> loadScenario(const QString &fileOrName, LoadError *error)
{
    const QFileInfo info(fileOrName);
    if (info.exists() && !info.isDir())
        return loadScenarioFile(fileOrName, error);
    const QString builtin = builtinScenarioPath(fileOrName);
    if (!builtin.isEmpty())
        return loadScenarioFile(builtin, error);
    if (error) {
        const QStringList names = builtinScenarioNames();
        *error = LoadError { fileOrName, 0, 0, QString(),
            QStringLiteral("no such file, and not a built-in scenario")
                + suggestAndList(fileOrName, names,
                    QStringLiteral("built-in: ") + names.join(QStringLiteral(", "))
                        + QStringLiteral("; 'breakwater scenarios' describes them")) };
    }
    return std::nullopt;
}

} // namespace bw
