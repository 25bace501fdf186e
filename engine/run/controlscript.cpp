#include "controlscript.h"

#include "../resilience/jsonreader.h"
#include "../resilience/policyloader.h"

#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>

namespace bw {

namespace {

class ControlParser
{
public:
    ControlParser(const QString &fileName, int line, LoadError *error) : m_fileName(fileName), m_line(line), m_error(error) { }

    bool fail(const QString &key, const QString &message)
    {
        *m_error = LoadError { m_fileName, m_line, 0, key, message };
        return false;
    }
    bool string(const QJsonObject &o, const QString &key, QString *out)
    {
        if (!o.value(key).isString() || o.value(key).toString().isEmpty())
            return fail(key, QStringLiteral("expected a non-empty string, got ") + describeJsonValue(o.value(key)));
        *out = o.value(key).toString();
        return true;
    }
    // A number in [min, max]: the same bounds as the loaders (Limits), which also keep the
    // conversions (to int, to nanoseconds) defined.
    bool number(const QJsonObject &o, const QString &key, double max, double *out, double min = 0)
    {
        if (!o.value(key).isDouble() || o.value(key).toDouble() < min)
            return fail(key,
                (min == 0 ? QStringLiteral("expected a non-negative number, got ")
                          : QStringLiteral("expected a number >= %1, got ").arg(min))
                    + describeJsonValue(o.value(key)));
        if (o.value(key).toDouble() > max)
            return fail(key, QStringLiteral("expected at most %1, got %2").arg(QString::number(max, 'g', 12), describeJsonValue(o.value(key))));
        *out = o.value(key).toDouble();
        return true;
    }
    bool milliseconds(const QJsonObject &o, const QString &key, Duration *out)
    {
        double ms;
        if (!number(o, key, JsonReader::MaxDurationMs, &ms))
            return false;
        *out = fromMs(ms);
        return true;
    }

    std::optional<RunnerCommand> command(const QJsonObject &o)
    {
        using namespace RunnerCommands;
        QString action, target;
        if (!string(o, QStringLiteral("action"), &action) || !string(o, QStringLiteral("target"), &target))
            return std::nullopt;
        static const QList<std::pair<QString, ScenarioRun::BreakerAction>> breakerActions {
            { QStringLiteral("forceOpen"), ScenarioRun::BreakerAction::ForceOpen },
            { QStringLiteral("holdOpen"), ScenarioRun::BreakerAction::HoldOpen },
            { QStringLiteral("forceClose"), ScenarioRun::BreakerAction::ForceClose },
            { QStringLiteral("reset"), ScenarioRun::BreakerAction::Reset },
            { QStringLiteral("disable"), ScenarioRun::BreakerAction::Disable },
            { QStringLiteral("metricsOnly"), ScenarioRun::BreakerAction::MetricsOnly },
        };
        for (const auto &[name, kind] : breakerActions)
            if (action == name)
                return RunnerCommand { Breaker { target, kind } };
        if (action == u"updatePolicy") {
            if (!o.value(u"policy").isObject()) {
                fail(QStringLiteral("policy"), QStringLiteral("expected the policy object"));
                return std::nullopt;
            }
            LoadError inner;
            const QByteArray json = QJsonDocument(o.value(u"policy").toObject()).toJson(QJsonDocument::Compact);
            std::optional<PolicyConfig> policy = parsePolicy(json, m_fileName, &inner);
            if (!policy) {
                fail(QStringLiteral("policy.") + inner.key, inner.message);
                return std::nullopt;
            }
            return RunnerCommand { UpdatePolicy { target, *policy } };
        }
        if (action == u"resizeBulkhead") {
            double concurrent, queue;
            if (!number(o, QStringLiteral("maxConcurrent"), Limits::MaxCount, &concurrent, 1)
                || !number(o, QStringLiteral("maxQueueSize"), Limits::MaxCount, &queue))
                return std::nullopt;
            return RunnerCommand { ResizeBulkhead { target, int(concurrent), int(queue) } };
        }
        if (action == u"setArrivalRate") {
            double rate;
            if (!number(o, QStringLiteral("rate"), Limits::MaxRate, &rate))
                return std::nullopt;
            return RunnerCommand { SetArrivalRate { target, rate } };
        }
        if (action == u"clearFaults") {
            ClearFaults c { target, std::nullopt };
            if (o.value(u"fault").isString()) {
                c.kind = faultKindFromName(o.value(u"fault").toString());
                if (!c.kind) {
                    fail(QStringLiteral("fault"), QStringLiteral("unknown fault type"));
                    return std::nullopt;
                }
            }
            return RunnerCommand { c };
        }
        if (action == u"injectFault") {
            InjectFault c;
            c.fault.service = target;
            const auto kind = faultKindFromName(o.value(u"fault").toString());
            if (!kind) {
                fail(QStringLiteral("fault"), QStringLiteral("expected a fault type, got ") + describeJsonValue(o.value(u"fault")));
                return std::nullopt;
            }
            c.fault.kind = *kind;
            const auto ms = [&](const char *key, Duration *out) {
                return !o.contains(QLatin1StringView(key)) || milliseconds(o, QString::fromLatin1(key), out);
            };
            const auto optional = [&](const char *key, double min, double max, double *out) {
                return !o.contains(QLatin1StringView(key)) || number(o, QString::fromLatin1(key), max, out, min);
            };
            double capacity = c.fault.capacity;
            c.fault.code = o.value(u"code").toString(c.fault.code);
            c.length = Duration::max();
            if (!optional("rate", 0, 1, &c.fault.rate) || !optional("rps", 0, Limits::MaxRate, &c.fault.rps)
                || !optional("capacity", 1, Limits::MaxCount, &capacity))
                return std::nullopt;
            c.fault.capacity = int(capacity);
            if (!ms("addMs", &c.fault.add) || !ms("jitterMs", &c.fault.jitter) || !ms("retryAfterMs", &c.fault.retryAfter)
                || !ms("upMs", &c.fault.up) || !ms("downMs", &c.fault.down)
                || (o.value(u"durationMs").isDouble() && !ms("durationMs", &c.length)))
                return std::nullopt;
            return RunnerCommand { c };
        }
        fail(QStringLiteral("action"), QStringLiteral("unknown control action '") + action + u'\'');
        return std::nullopt;
    }

private:
    QString m_fileName;
    int m_line;
    LoadError *m_error;
};

} // namespace

std::optional<QList<TimedCommand>> parseControls(const QByteArray &jsonl, const QString &fileName, LoadError *error)
{
    QList<TimedCommand> commands;
    int lineNumber = 0;
    for (const QByteArray &line : jsonl.split('\n')) {
        ++lineNumber;
        if (line.trimmed().isEmpty())
            continue;
        QJsonParseError parseError;
        const QJsonDocument doc = QJsonDocument::fromJson(line, &parseError);
        if (parseError.error != QJsonParseError::NoError || !doc.isObject()) {
            *error = LoadError { fileName, lineNumber, int(parseError.offset) + 1, {},
                                 QStringLiteral("not a JSON object: ") + parseError.errorString() };
            return std::nullopt;
        }
        const QJsonObject o = doc.object();
        if (o.value(u"type").toString() != u"control")
            continue;
        ControlParser parser(fileName, lineNumber, error);
        Duration at;
        if (!parser.milliseconds(o, QStringLiteral("t_ms"), &at))
            return std::nullopt;
        std::optional<RunnerCommand> command = parser.command(o);
        if (!command)
            return std::nullopt;
        if (!commands.isEmpty() && at < commands.last().at) {
            *error = LoadError { fileName, lineNumber, 0, QStringLiteral("t_ms"), QStringLiteral("control events are out of time order") };
            return std::nullopt;
        }
        commands.append(TimedCommand { at, std::move(*command) });
    }
    return commands;
}

std::optional<QList<TimedCommand>> loadControls(const QString &path, LoadError *error)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        *error = LoadError { path, 0, 0, {}, QStringLiteral("cannot read: ") + file.errorString() };
        return std::nullopt;
    }
    return parseControls(file.readAll(), path, error);
}

int applyControls(ScenarioRun &sim, const QList<TimedCommand> &commands)
{
    int accepted = 0;
    for (const TimedCommand &c : commands) {
        sim.advanceTo(c.at);
        if (sim.atEnd() && c.at > sim.end())
            break;
        accepted += applyCommand(sim, c.command) ? 1 : 0;
    }
    return accepted;
}

} // namespace bw
