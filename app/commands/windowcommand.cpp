#include "windowcommand.h"

#include "cli.h"

#include "compareview.h"

#include "lab/sweepgrid.h"
#include "scenario/scenarioloader.h"
#include "telemetry/metricsrecorder.h"
#include "telemetry/metricsserver.h"

#include <QCommandLineParser>

namespace bw::cli {

std::optional<WindowOptions> parseWindowOptions(const QStringList &arguments, QString *error)
{
    QCommandLineParser parser;
    const QCommandLineOption scenario(QStringLiteral("scenario"),
        QStringLiteral("Scenario file or built-in name."), QStringLiteral("FILE|NAME"));
    const QCommandLineOption speed(QStringLiteral("speed"),
        QStringLiteral(
            "N × real time (1..1000) or max; default: the last used, else 10, and max with --screenshot."),
        QStringLiteral("N|max"));
    const QCommandLineOption seed(
        QStringLiteral("seed"), QStringLiteral("Random seed."), QStringLiteral("N"));
    const QCommandLineOption runFor(QStringLiteral("run-for"),
        QStringLiteral("Virtual time to run, e.g. 60s."), QStringLiteral("DURATION"));
    const QCommandLineOption screenshot(QStringLiteral("screenshot"),
        QStringLiteral("Grab the window when --run-for elapses, write it, quit."), QStringLiteral("OUT.png"));
    const QCommandLineOption compare(QStringLiteral("compare"),
        QStringLiteral("Open in Compare mode (default candidates: the scenario's policy and the api preset)."));
    const QCommandLineOption candidate(QStringLiteral("candidate"),
        QStringLiteral("A Compare mode candidate, up to 4 (implies --compare): a name, '=', and a policy file, "
                       "a preset name or inline JSON."),
        QStringLiteral("NAME=POLICY"));
    const QCommandLineOption operation(QStringLiteral("operation"),
        QStringLiteral("The operation whose policy the --candidate policies replace (default: every operation)."),
        QStringLiteral("OP"));
    const QCommandLineOption metricsPort(QStringLiteral("metrics-port"),
        QStringLiteral("Serve /metrics, /health and /hystrix.stream on this port."), QStringLiteral("PORT"));
    const QCommandLineOption metricsHost(QStringLiteral("metrics-host"),
        QStringLiteral("Address to serve them on."), QStringLiteral("ADDRESS"));
    const QCommandLineOption sweep(QStringLiteral("sweep"),
        QStringLiteral("Open the Sweep dialog on this field of the selected operation's policy and its values "
                       "(as sweep --vary takes them; once or twice) and run it; with --screenshot, grab the "
                       "dialog when the sweep is done, write it, quit."),
        QStringLiteral("KEY=SPEC"));
    parser.addOptions({ scenario, speed, seed, runFor, screenshot, compare, candidate, operation, metricsPort, metricsHost, sweep });
    if (!parser.parse(arguments)) {
        *error = parser.errorText();
        return std::nullopt;
    }
    if (!parser.positionalArguments().isEmpty()) {
        *error = QStringLiteral("unexpected argument '%1'").arg(parser.positionalArguments().constFirst());
        return std::nullopt;
    }
    WindowOptions options;
    ui::DesktopSettings &desktop = options.desktop;
    desktop.scenario = parser.value(scenario);
    if (parser.isSet(speed)) {
        desktop.speed = parseSpeed(parser.value(speed), error);
        if (!desktop.speed)
            return std::nullopt;
    }
    if (parser.isSet(seed)) {
        desktop.seed = parseSeed(parser.value(seed), error);
        if (!desktop.seed)
            return std::nullopt;
    }
    if (parser.isSet(runFor)) {
        desktop.runFor = parseRunFor(parser.value(runFor), error);
        if (!desktop.runFor)
            return std::nullopt;
    }
    desktop.sweep = parser.values(sweep);
    if (desktop.sweep.size() > 2) {
        *error = QStringLiteral("--sweep: the Sweep dialog varies one or two fields, got %1").arg(desktop.sweep.size());
        return std::nullopt;
    }
    for (const QString &vary : std::as_const(desktop.sweep)) {
        LoadError problem;
        if (!parseSweepParameter(vary, &problem)) {
            *error = QStringLiteral("--sweep: ") + (problem.key.isEmpty() ? QString() : problem.key + QStringLiteral(": "))
                + problem.message;
            return std::nullopt;
        }
    }
    desktop.screenshot = parser.value(screenshot);
    if (!desktop.screenshot.isEmpty() && !desktop.runFor && desktop.sweep.isEmpty()) {
        *error = QStringLiteral("--screenshot needs --run-for or --sweep");
        return std::nullopt;
    }
    // A screenshot is stepped exactly to its mark, the same image every time: at max speed
    // unless --speed asks for a paced run.
    if (!desktop.screenshot.isEmpty() && !desktop.speed)
        desktop.speed = 0;
    const QStringList candidates = parser.values(candidate);
    if (candidates.size() > CompareView::MaxCandidates) {
        *error = QStringLiteral("--candidate: expected at most %1 candidates, got %2")
                     .arg(CompareView::MaxCandidates)
                     .arg(candidates.size());
        return std::nullopt;
    }
    for (const QString &text : candidates) {
        const std::optional<std::pair<QString, QString>> written = splitCandidate(text, error);
        if (!written)
            return std::nullopt;
        QString problem; // set even when the policy loads
        const std::optional<PolicyConfig> policy
            = parsePolicyArgument(QStringLiteral("--candidate ") + written->first, written->second, &problem);
        if (!policy) {
            *error = problem;
            return std::nullopt;
        }
        desktop.candidates.append({ written->first, *policy, parser.value(operation) });
    }
    desktop.compare = parser.isSet(compare) || !candidates.isEmpty();
    if (parser.isSet(operation) && candidates.isEmpty()) {
        *error = QStringLiteral("--operation needs --candidate");
        return std::nullopt;
    }
    if (parser.isSet(metricsPort) || parser.isSet(metricsHost)) {
        options.metrics = parseMetricsEndpoint(parser.value(metricsPort), parser.value(metricsHost), error);
        if (!options.metrics)
            return std::nullopt;
    }
    return options;
}

int openWindow(const QStringList &arguments)
{
    QString error;
    std::optional<WindowOptions> options = parseWindowOptions(arguments, &error);
    if (!options) {
        printErr(QStringLiteral("breakwater: ") + error + u'\n');
        return BadInput;
    }
    if (!options->desktop.scenario.isEmpty()) {
        LoadError loadError;
        const std::optional<ScenarioConfig> scenario = loadScenario(options->desktop.scenario, &loadError);
        if (!scenario) {
            printErr(QStringLiteral("breakwater: ") + loadError.toString() + u'\n');
            return BadInput;
        }
        // The candidates' operation must be the scenario's.
        for (const Candidate &candidate : options->desktop.candidates) {
            if (!withCandidate(*scenario, candidate, &error)) {
                printErr(QStringLiteral("breakwater: --operation: ") + error + u'\n');
                return BadInput;
            }
        }
    }
    // Monitoring follows every run the window loads; it must outlive the window's worker thread.
    MetricsRecorder metrics;
    std::optional<MetricsServer> server;
    if (options->metrics) {
        server.emplace([&metrics] { return metrics.latest(); });
        if (!server->start(options->metrics->address, options->metrics->port, &error)) {
            printErr(QStringLiteral("breakwater: --metrics-port: ") + error + u'\n');
            return BadInput;
        }
        printErr(QStringLiteral("breakwater: monitoring on ") + server->baseUrl() + u'\n');
        options->desktop.monitoring = &metrics;
    }
    const int status = ui::runDesktop(options->desktop, &error);
    if (!error.isEmpty())
        printErr(QStringLiteral("breakwater: ") + error + u'\n');
    return status;
}

} // namespace bw::cli
