#include "scenarioscommand.h"

#include "cli.h"
#include "subcommand.h"

#include "resilience/loaderror.h"
#include "scenario/builtinscenarios.h"

namespace bw::cli {

int listScenarios(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Lists the built-in scenarios with what each demonstrates; with a NAME, shows that one in full.\n"
        "Run one with 'breakwater run NAME'."));
    parser.addPositionalArgument(QStringLiteral("name"),
        QStringLiteral("A built-in scenario to describe in full."), QStringLiteral("[NAME]"));
    const Subcommand command(parser, arguments, QStringLiteral("scenarios"));
    if (const std::optional<int> done = command.parse())
        return *done;
    const QStringList positional = parser.positionalArguments();
    if (positional.size() > 1)
        return command.badUsage(
            QStringLiteral("expected at most one name, got ") + QString::number(positional.size()));

    const QList<BuiltinScenario> &all = builtinScenarios();
    if (positional.size() == 1) {
        const QString &name = positional.constFirst();
        for (const BuiltinScenario &s : all) {
            if (s.name != name)
                continue;
            printOut(s.name + (s.name == DefaultScenarioName ? QStringLiteral(" (default)") : QString())
                + QStringLiteral("\n\n") + s.description + QStringLiteral("\n\nWhat to look for: ")
                + s.lookFor + QStringLiteral("\n\nRun it: breakwater run ") + s.name
                + QStringLiteral(" --events events.jsonl --summary summary.json\n"));
            return Ok;
        }
        const QString nearest = nearestName(name, builtinScenarioNames());
        printErr(QStringLiteral("breakwater scenarios: no built-in scenario '") + name + QStringLiteral("'")
            + (nearest.isEmpty() ? QString()
                                 : QStringLiteral("; did you mean '") + nearest + QStringLiteral("'?"))
            + u'\n');
        return BadInput;
    }

    qsizetype width = 0;
    for (const BuiltinScenario &s : all)
        width = std::max(width, s.name.size());
    QString text;
    for (const BuiltinScenario &s : all)
        text += s.name.leftJustified(width + 2) + s.description + u'\n';
    text += QStringLiteral("\nDefault (the desktop app opens it): ") + DefaultScenarioName
        + QStringLiteral(".\nRun one: breakwater run NAME.  In full: breakwater scenarios NAME.\n");
    printOut(text);
    return Ok;
}

} // namespace bw::cli
