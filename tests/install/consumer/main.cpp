// Lists the built-in scenarios as a project using the installed engine sees them: read from the
// engine's resources (":/scenarios/NAME.json"), which only a complete install links in.
#include <scenario/builtinscenarios.h>

#include <QCoreApplication>
#include <QTextStream>

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QTextStream out(stdout);
    for (const bw::BuiltinScenario &scenario : bw::builtinScenarios())
        out << scenario.path << ": " << scenario.description << '\n';
    return bw::builtinScenarios().isEmpty() ? 1 : 0;
}
