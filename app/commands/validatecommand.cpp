#include "validatecommand.h"

#include "cli.h"
#include "subcommand.h"

#include "validation/validationsuite.h"

#include <QElapsedTimer>
#include <QJsonDocument>

namespace bw::cli {

int runValidate(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Runs the simulator on scenarios whose answers are known from outside Breakwater (Erlang B and C,\n"
        "Pollaczek-Khinchine, M/M/1/K, retry amplification, metastable failures) and prints, per check,\n"
        "the expected value, the measured one with its 95 % confidence interval over several seeds, the\n"
        "tolerance and PASS or FAIL. Exit status 0 only when every check passes."));
    const QCommandLineOption jsonOption(
        QStringLiteral("json"), QStringLiteral("Print the checks as JSON instead of a table."));
    const QCommandLineOption threadsOption(QStringLiteral("threads"),
        QStringLiteral("Replications run in parallel (default: one per core)."), QStringLiteral("N"));
    parser.addOption(jsonOption);
    parser.addOption(threadsOption);
    const Subcommand command(parser, arguments, QStringLiteral("validate"));
    if (const std::optional<int> done = command.parse())
        return *done;
    if (!parser.positionalArguments().isEmpty())
        return command.badUsage(QStringLiteral("unexpected argument '") + parser.positionalArguments().constFirst()
            + u'\'');
    ValidationOptions options;
    if (parser.isSet(threadsOption)) {
        bool ok = false;
        options.threads = parser.value(threadsOption).toInt(&ok);
        if (!ok || options.threads < 1 || options.threads > 256)
            return command.badUsage(QStringLiteral("--threads: expected a number of threads from 1 to 256, got '")
                + parser.value(threadsOption) + u'\'');
    }

    QElapsedTimer wall;
    wall.start();
    const QList<ValidationCheck> checks = runValidationSuite(options);
    if (parser.isSet(jsonOption))
        printOut(QJsonDocument(validationJson(checks)).toJson(QJsonDocument::Indented));
    else
        printOut(validationTable(checks));
    // On stderr: the table on stdout stays the same from run to run.
    printErr(QStringLiteral("validate: %1 s wall\n").arg(double(wall.elapsed()) / 1000, 0, 'f', 1));
    for (const ValidationCheck &c : checks) {
        if (!c.passed())
            return RunFailed;
    }
    return Ok;
}

} // namespace bw::cli
