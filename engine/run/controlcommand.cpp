#include "controlcommand.h"

#include "../resilience/jsonreader.h"
#include "../resilience/policyloader.h"
#include "../resilience/policywriter.h"
#include "../scenario/scenario.h"

#include <QJsonDocument>

namespace bw {

using namespace ControlCommands;

namespace {

// Reads a control event's values with the loaders' bounds (docs/formats.md, "Limits"), which also
// keep the conversions (to int, to nanoseconds) defined. A bad value fills the error's key and
// message.
class ControlReader
{
public:
    explicit ControlReader(LoadError *error)
        : m_error(error)
    { }

    bool fail(const QString &key, const QString &message)
    {
        m_error->key = key;
        m_error->message = message;
        return false;
    }
    bool string(const QJsonObject &o, const QString &key, QString *out)
    {
        if (!o.value(key).isString() || o.value(key).toString().isEmpty())
            return fail(
                key, QStringLiteral("expected a non-empty string, got ") + describeJsonValue(o.value(key)));
        *out = o.value(key).toString();
        return true;
    }
    // A number in [min, max].
    bool number(const QJsonObject &o, const QString &key, double max, double *out, double min = 0)
    {
        if (!o.value(key).isDouble() || o.value(key).toDouble() < min)
            return fail(key,
                (min == 0 ? QStringLiteral("expected a non-negative number, got ")
                          : QStringLiteral("expected a number >= %1, got ").arg(min))
                    + describeJsonValue(o.value(key)));
        if (o.value(key).toDouble() > max)
            return fail(key,
                QStringLiteral("expected at most %1, got %2")
                    .arg(QString::number(max, 'g', 12), describeJsonValue(o.value(key))));
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

    std::optional<ControlCommand> command(const QJsonObject &o)
    {
        QString action, target;
        if (!string(o, QStringLiteral("action"), &action) || !string(o, QStringLiteral("target"), &target))
            return std::nullopt;
        if (const std::optional<BreakerAction> breaker = breakerActionFromName(action))
            return ControlCommand { Breaker { target, *breaker } };
        if (action == UpdatePolicy::Action)
            return updatePolicy(o, target);
        if (action == ResizeBulkhead::Action)
            return resizeBulkhead(o, target);
        if (action == SetArrivalRate::Action)
            return setArrivalRate(o, target);
        if (action == ClearFaults::Action)
            return clearFaults(o, target);
        if (action == InjectFault::Action)
            return injectFault(o, target);
        fail(QStringLiteral("action"), QStringLiteral("unknown control action '") + action + u'\'');
        return std::nullopt;
    }

private:
    std::optional<ControlCommand> updatePolicy(const QJsonObject &o, const QString &target)
    {
        if (!o.value(u"policy").isObject()) {
            fail(QStringLiteral("policy"), QStringLiteral("expected the policy object"));
            return std::nullopt;
        }
        LoadError inner;
        const QByteArray json = QJsonDocument(o.value(u"policy").toObject()).toJson(QJsonDocument::Compact);
        std::optional<PolicyConfig> policy = parsePolicy(json, QString(), &inner);
        if (!policy) {
            fail(QStringLiteral("policy.") + inner.key, inner.message);
            return std::nullopt;
        }
        return ControlCommand { UpdatePolicy { target, *policy, {} } };
    }

    std::optional<ControlCommand> resizeBulkhead(const QJsonObject &o, const QString &target)
    {
        double concurrent, queue;
        if (!number(o, QStringLiteral("maxConcurrent"), Limits::MaxCount, &concurrent, 1)
            || !number(o, QStringLiteral("maxQueueSize"), Limits::MaxCount, &queue))
            return std::nullopt;
        return ControlCommand { ResizeBulkhead { target, int(concurrent), int(queue) } };
    }

    std::optional<ControlCommand> setArrivalRate(const QJsonObject &o, const QString &target)
    {
        double rate;
        if (!number(o, QStringLiteral("rate"), Limits::MaxRate, &rate))
            return std::nullopt;
        return ControlCommand { SetArrivalRate { target, rate } };
    }

    std::optional<ControlCommand> clearFaults(const QJsonObject &o, const QString &target)
    {
        ClearFaults c { target, std::nullopt };
        if (o.value(u"fault").isString()) {
            c.kind = faultKindFromName(o.value(u"fault").toString());
            if (!c.kind) {
                fail(QStringLiteral("fault"), QStringLiteral("unknown fault type"));
                return std::nullopt;
            }
        }
        return ControlCommand { c };
    }

    std::optional<ControlCommand> injectFault(const QJsonObject &o, const QString &target)
    {
        InjectFault c;
        c.fault.service = target;
        const auto kind = faultKindFromName(o.value(u"fault").toString());
        if (!kind) {
            fail(QStringLiteral("fault"),
                QStringLiteral("expected a fault type, got ") + describeJsonValue(o.value(u"fault")));
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
        if (!optional("rate", 0, 1, &c.fault.rate) || !optional("rps", 0, Limits::MaxRate, &c.fault.rps)
            || !optional("capacity", 1, Limits::MaxCount, &capacity))
            return std::nullopt;
        c.fault.capacity = int(capacity);
        if (!ms("addMs", &c.fault.add) || !ms("jitterMs", &c.fault.jitter)
            || !ms("retryAfterMs", &c.fault.retryAfter) || !ms("upMs", &c.fault.up)
            || !ms("downMs", &c.fault.down)
            || (o.value(u"durationMs").isDouble() && !ms("durationMs", &c.length)))
            return std::nullopt;
        return ControlCommand { c };
    }

    LoadError *m_error;
};

// Each command's target, parameters and description, overloaded by type.

QString target(const UpdatePolicy &c)
{
    return c.operation;
}
QString target(const Breaker &c)
{
    return c.operation;
}
QString target(const ResizeBulkhead &c)
{
    return c.operation;
}
QString target(const InjectFault &c)
{
    return c.fault.service;
}
QString target(const ClearFaults &c)
{
    return c.service;
}
QString target(const SetArrivalRate &c)
{
    return c.operation;
}

QString action(const Breaker &c)
{
    return breakerActionName(c.action);
}
template<class Command> QString action(const Command &)
{
    return Command::Action;
}

// The whole policy, so that a run with this edit can be replayed (ControlScript).
QJsonObject parameters(const UpdatePolicy &c)
{
    return { { QStringLiteral("policy"), policyToJson(c.policy) } };
}
QJsonObject parameters(const Breaker &)
{
    return {};
}
QJsonObject parameters(const ResizeBulkhead &c)
{
    return { { QStringLiteral("maxConcurrent"), c.maxConcurrent },
        { QStringLiteral("maxQueueSize"), c.maxQueueSize } };
}
QJsonObject parameters(const InjectFault &c)
{
    QJsonObject o = faultParameters(c.fault);
    o.insert(QStringLiteral("fault"), QString(faultKindName(c.fault.kind)));
    o.insert(QStringLiteral("durationMs"),
        c.length == Duration::max() ? QJsonValue() : QJsonValue(toMs(c.length)));
    return o;
}
QJsonObject parameters(const ClearFaults &c)
{
    return { { QStringLiteral("fault"),
        c.kind ? QJsonValue(QString(faultKindName(*c.kind))) : QJsonValue() } };
}
QJsonObject parameters(const SetArrivalRate &c)
{
    return { { QStringLiteral("rate"), c.callsPerSecond } };
}

QString subject(const UpdatePolicy &c)
{
    return c.operation;
}
QString subject(const Breaker &c)
{
    return c.operation;
}
QString subject(const ResizeBulkhead &c)
{
    return QStringLiteral("%1 %2/%3").arg(c.operation).arg(c.maxConcurrent).arg(c.maxQueueSize);
}
QString subject(const InjectFault &c)
{
    return QStringLiteral("%1 (%2)").arg(c.fault.service, QString(faultKindName(c.fault.kind)));
}
QString subject(const ClearFaults &c)
{
    return c.kind ? QStringLiteral("%1 (%2)").arg(c.service, QString(faultKindName(*c.kind))) : c.service;
}
QString subject(const SetArrivalRate &c)
{
    return QStringLiteral("%1 %2/s").arg(c.operation).arg(c.callsPerSecond);
}

} // namespace

QString ControlDescription::toString() const
{
    return action + u' ' + subject + (change.isEmpty() ? QString() : QStringLiteral(": ") + change);
}

QStringList ControlCommand::actionNames()
{
    QStringList names { UpdatePolicy::Action, ResizeBulkhead::Action, InjectFault::Action,
        ClearFaults::Action, SetArrivalRate::Action };
    for (int i = 0; i < BreakerActionCount; ++i)
        names.append(breakerActionName(BreakerAction(i)));
    return names;
}

QString ControlCommand::action() const
{
    return std::visit([](const auto &c) { return bw::action(c); }, command);
}

QString ControlCommand::target() const
{
    return std::visit([](const auto &c) { return bw::target(c); }, command);
}

QJsonObject ControlCommand::parameters() const
{
    return std::visit([](const auto &c) { return bw::parameters(c); }, command);
}

QJsonObject ControlCommand::toJson() const
{
    QJsonObject json = parameters();
    json.insert(QStringLiteral("action"), action());
    json.insert(QStringLiteral("target"), target());
    return json;
}

std::optional<ControlCommand> ControlCommand::fromJson(const QJsonObject &json, LoadError *error)
{
    return ControlReader(error).command(json);
}

ControlDescription ControlCommand::description() const
{
    const auto *update = std::get_if<UpdatePolicy>(&command);
    return { action(), std::visit([](const auto &c) { return bw::subject(c); }, command),
        update ? update->change : QString() };
}

std::optional<TimedCommand> TimedCommand::fromJson(const QJsonObject &event, LoadError *error)
{
    Duration at;
    if (!ControlReader(error).milliseconds(event, QStringLiteral("t_ms"), &at))
        return std::nullopt;
    std::optional<ControlCommand> command = ControlCommand::fromJson(event, error);
    if (!command)
        return std::nullopt;
    return TimedCommand { at, std::move(*command) };
}

} // namespace bw
