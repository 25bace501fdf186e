#pragma once

#include <QList>
#include <QString>

namespace bw {

// The scenario the desktop app opens when it is given none.
inline constexpr QLatin1StringView DefaultScenarioName { "outage-and-recovery" };

struct BuiltinScenario
{
    QString name;
    QString description;
    QString lookFor;
    QString path; // the Qt resource path, ":/scenarios/NAME.json"
};

// The scenarios shipped in the engine's resources (resources/scenarios/*.json), in teaching
// order: each shows one failure mode and what a policy does about it. Read from the resources
// once and cached; thread-safe.
const QList<BuiltinScenario> &builtinScenarios();
QStringList builtinScenarioNames();
// The resource path of a built-in scenario, or an empty string if there is none by that name.
QString builtinScenarioPath(const QString &name);

} // namespace bw
