#include "replaycommand.h"

#include "cli.h"
#include "optionparsers.h"
#include "subcommand.h"

#include "resilience/policyloader.h"
#include "run/scenariorun.h"
#include "scenario/tracereader.h"
#include "telemetry/eventlog.h"
#include "telemetry/summary.h"

#include <QFileInfo>

namespace bw::cli {

int runReplay(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Replays a recorded trace through a policy in virtual time: each row is offered at its start_ms,\n"
        "the backend answers with the recorded outcome after duration_ms, retries see what the backend\n"
        "was doing at their own time. Prints the summary JSON unless --summary is given."));
    parser.addPositionalArgument(QStringLiteral("trace"),
        QStringLiteral("The trace CSV: start_ms,duration_ms,outcome[,code]."), QStringLiteral("TRACE.csv"));
    const QCommandLineOption policyOption({ QStringLiteral("p"), QStringLiteral("policy") },
        QStringLiteral("A policy JSON file, or a preset name: api, ai, database, external, critical."),
        QStringLiteral("POLICY"));
    const QCommandLineOption eventsOption({ QStringLiteral("e"), QStringLiteral("events") },
        QStringLiteral("Writes the events (JSON Lines) to this file."), QStringLiteral("OUT.jsonl"));
    const QCommandLineOption summaryOption({ QStringLiteral("s"), QStringLiteral("summary") },
        QStringLiteral("Writes the summary JSON to this file instead of standard output."),
        QStringLiteral("OUT.json"));
    const QCommandLineOption seedOption(QStringLiteral("seed"),
        QStringLiteral("Seed for the retry jitter (default 0)."), QStringLiteral("N"), QStringLiteral("0"));
    parser.addOption(policyOption);
    parser.addOption(eventsOption);
    parser.addOption(summaryOption);
    parser.addOption(seedOption);
    const Subcommand command(parser, arguments, QStringLiteral("replay"));
    if (const std::optional<int> done = command.parse())
        return *done;
    const QStringList positional = parser.positionalArguments();
    if (positional.isEmpty())
        return command.badUsage(QStringLiteral("missing the trace file"));
    if (positional.size() > 1)
        return command.badUsage(
            QStringLiteral("expected one trace file, got ") + QString::number(positional.size()));
    if (!parser.isSet(policyOption))
        return command.badUsage(QStringLiteral("missing --policy POLICY.json|PRESET"));
    QString problem;
    const std::optional<std::uint64_t> seed = parseSeed(parser.value(seedOption), &problem);
    if (!seed)
        return command.badUsage(problem);

    LoadError error;
    const std::optional<PolicyConfig> policy = loadPolicy(parser.value(policyOption), &error);
    if (!policy) {
        printErr(error.toString() + u'\n');
        return BadInput;
    }
    const QString tracePath = positional.constFirst();
    std::optional<Trace> trace = TraceReader::loadFile(tracePath, &error);
    if (!trace) {
        printErr(error.toString() + u'\n');
        return BadInput;
    }

    // Open both outputs before the run, so a bad path fails at once; nothing appears at either
    // path until its content is complete.
    QString message;
    EventLog events;
    if (parser.isSet(eventsOption) && !events.open(parser.value(eventsOption), &message)) {
        printErr(message + u'\n');
        return BadInput;
    }
    SummaryOutput summaryOutput;
    if (parser.isSet(summaryOption) && !summaryOutput.open(parser.value(summaryOption)))
        return BadInput;

    Summary summary;
    summary.setInfo(QStringLiteral("trace"), QFileInfo(tracePath).fileName());
    summary.setInfo(QStringLiteral("policy"), policy->name);
    // The scenario of one trace operation: what a scenario with "arrival": "trace" runs.
    ScenarioRun run(traceScenario(std::make_shared<const Trace>(std::move(*trace)), *policy), *seed);
    run.setEventLog(&events);
    run.setSummary(&summary);
    run.runToEnd();

    if (!events.finish(&message)) {
        printErr(message + u'\n');
        return RunFailed;
    }
    summary.setEvents(events.count(), events.sha256Hex());
    const QByteArray bytes = summary.toJsonBytes();
    return summaryOutput.write(bytes);
}

} // namespace bw::cli
