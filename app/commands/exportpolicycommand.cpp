#include "exportpolicycommand.h"

#include "cli.h"
#include "optionparsers.h"
#include "subcommand.h"

#include "policyexport/policyexport.h"
#include "resilience/loaderror.h"
#include "runtime/atomicfile.h"

namespace bw::cli {

int exportPolicyCommand(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Writes a policy as the configuration of the library your service runs: Resilience4j's Spring Boot\n"
        "application.yml, Polly v8's options for Microsoft.Extensions.Http.Resilience, opossum's options, or\n"
        "Envoy's cluster circuit_breakers/outlier_detection and route retry_policy/timeout. Every setting that\n"
        "does not map exactly is said, with what the library does instead: as comments in YAML, and for JSON\n"
        "in F.notes.txt beside --out F (on stderr without --out)."));
    parser.addPositionalArgument(QStringLiteral("policy"),
        QStringLiteral("A policy file, a preset name (") + ResiliencePolicies::names().join(QStringLiteral(", "))
            + QStringLiteral("), or inline policy JSON."),
        QStringLiteral("POLICY"));
    const QCommandLineOption toOption(QStringLiteral("to"),
        QStringLiteral("The library: ") + exportTargetNames().join(QStringLiteral(", ")) + u'.', QStringLiteral("TARGET"));
    const QCommandLineOption nameOption(QStringLiteral("name"),
        QStringLiteral("The instance, options section, breaker or cluster name (default: the policy's name)."),
        QStringLiteral("NAME"));
    const QCommandLineOption outOption(QStringLiteral("out"),
        QStringLiteral("Writes the export to this file, atomically (default: standard output)."), QStringLiteral("F"));
    for (const QCommandLineOption &o : { toOption, nameOption, outOption })
        parser.addOption(o);
    const Subcommand command(parser, arguments, QStringLiteral("export-policy"));
    if (const std::optional<int> status = command.parse())
        return *status;

    const QStringList positional = parser.positionalArguments();
    if (positional.size() != 1)
        return command.badUsage(positional.isEmpty()
                ? QStringLiteral("missing the policy (a file, a preset name or inline JSON)")
                : QStringLiteral("expected one policy, got %1").arg(positional.size()));
    if (!parser.isSet(toOption))
        return command.badUsage(QStringLiteral("missing --to (one of: %1)").arg(exportTargetNames().join(QStringLiteral(", "))));
    const std::optional<ExportTarget> target = exportTargetFromName(parser.value(toOption));
    if (!target) {
        const QString nearest = nearestName(parser.value(toOption), exportTargetNames());
        return command.badUsage(QStringLiteral("--to: unknown library '%1'; %2")
                                    .arg(parser.value(toOption),
                                        nearest.isEmpty()
                                            ? QStringLiteral("expected one of: ") + exportTargetNames().join(QStringLiteral(", "))
                                            : QStringLiteral("did you mean '%1'?").arg(nearest)));
    }
    QString problem;
    const std::optional<PolicyConfig> policy = parsePolicyArgument(QStringLiteral("policy"), positional.constFirst(), &problem);
    if (!policy) {
        printErr(QStringLiteral("breakwater export-policy: ") + problem + u'\n');
        return BadInput;
    }
    const QString name = parser.isSet(nameOption) ? parser.value(nameOption) : policy->name;
    if (const QString error = exportNameError(name); !error.isEmpty())
        return command.badUsage((parser.isSet(nameOption) ? QStringLiteral("--name: ")
                                                          : QStringLiteral("the policy's name cannot name an instance (give --name): "))
            + error);

    const PolicyExport exported = exportPolicy(*policy, *target, name);
    if (!parser.isSet(outOption)) {
        printOut(exported.text);
        if (!exported.sideNotes.isEmpty())
            printErr(QString::fromUtf8(exported.sideNotes));
        return Ok;
    }
    const QString out = parser.value(outOption);
    QString error;
    if (!writeFileAtomically(out, exported.text, &error)
        || (!exported.sideNotes.isEmpty() && !writeFileAtomically(out + QStringLiteral(".notes.txt"), exported.sideNotes, &error))) {
        printErr(QStringLiteral("breakwater export-policy: ") + error + u'\n');
        return RunFailed;
    }
    return Ok;
}

} // namespace bw::cli
