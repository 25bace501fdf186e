#pragma once

#include "../resilience/circuitbreaker.h"
#include "../resilience/loaderror.h"
#include "../resilience/policy.h"
#include "../scenario/scenario.h"

#include <QJsonObject>
#include <QMetaType>
#include <QStringList>

#include <optional>
#include <variant>

namespace bw {

// The live changes to a run (the GUI's edits, a control script's lines), one type each. A run
// applies them at its current virtual time through ScenarioRun::apply and writes each to its
// events as a `control` event (docs/formats.md, "Control events"); every name and field of that
// format is spelt here, and nowhere else.
namespace ControlCommands {
struct UpdatePolicy
{
    static constexpr QLatin1StringView Action { "updatePolicy" };
    QString operation;
    PolicyConfig policy;
    // What the edit changed, for people: "circuitBreaker.failureThreshold 5 → 3". Not in the events.
    QString change;
};
// Its action is the breaker action's own name ("forceOpen", ...).
struct Breaker
{
    QString operation;
    BreakerAction action = BreakerAction::ForceOpen;
};
struct ResizeBulkhead
{
    static constexpr QLatin1StringView Action { "resizeBulkhead" };
    QString operation;
    int maxConcurrent = 0, maxQueueSize = 0;
};
struct InjectFault
{
    static constexpr QLatin1StringView Action { "injectFault" };
    FaultConfig fault; // at and until are ignored: it starts now
    Duration length = Duration::max(); // Duration::max(): until cleared
};
struct ClearFaults
{
    static constexpr QLatin1StringView Action { "clearFaults" };
    QString service;
    std::optional<FaultKind> kind; // nullopt: every kind
};
struct SetArrivalRate
{
    static constexpr QLatin1StringView Action { "setArrivalRate" };
    QString operation;
    double callsPerSecond = 0;
};
} // namespace ControlCommands

// How a command reads for people, in parts: the event log shows them in its columns, a status
// line joins them (toString).
struct ControlDescription
{
    QString action; // "resizeBulkhead"
    QString subject; // what it acts on, with its figures: "checkout 2/1", "payments (outage)"
    QString change; // an UpdatePolicy's change, else empty

    // "resizeBulkhead checkout 2/1", "updatePolicy checkout: circuitBreaker.failureThreshold 5 → 3".
    QString toString() const;
};

struct ControlCommand
{
    std::variant<ControlCommands::UpdatePolicy, ControlCommands::Breaker, ControlCommands::ResizeBulkhead,
        ControlCommands::InjectFault, ControlCommands::ClearFaults, ControlCommands::SetArrivalRate>
        command;

    // Every `action` a control event may name: the name table.
    static QStringList actionNames();

    QString action() const; // "updatePolicy", "forceOpen", ...
    QString target() const; // the operation, or the service for faults
    // Its own fields, as its control event carries them after action and target: a policy edit
    // the whole policy, an injected fault all its parameters.
    QJsonObject parameters() const;
    // The control event without t_ms and type: action, target and the parameters.
    QJsonObject toJson() const;
    // Reads what toJson() writes. A bad value (an unknown action, a number past docs/formats.md's
    // limits) fills error->key and error->message; the caller knows the file and line.
    static std::optional<ControlCommand> fromJson(const QJsonObject &json, LoadError *error);

    ControlDescription description() const;
    QString describe() const { return description().toString(); } // for a status line
};

// A live edit with the virtual time it applies at: a control event.
struct TimedCommand
{
    TimePoint at {};
    ControlCommand command;

    // Reads a control event: t_ms, then the command (ControlCommand::fromJson).
    static std::optional<TimedCommand> fromJson(const QJsonObject &event, LoadError *error);
};

} // namespace bw

Q_DECLARE_METATYPE(bw::ControlCommand)
