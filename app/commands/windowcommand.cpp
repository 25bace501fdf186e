#include "windowcommand.h"

#include "cli.h"

#include "compareview.h"

#include "lab/sweepgrid.h"
#include "scenario/scenarioloader.h"
#include "telemetry/metricsrecorder.h"
#include "telemetry/metricsserver.h"

#include <QCommandLineParser>
#include <QRegularExpression>

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
    const QCommandLineOption prometheus(QStringLiteral("prometheus"),
        QStringLiteral("Open in Fleet mode on this Prometheus server's circuit breakers."), QStringLiteral("URL"));
    const QCommandLineOption hystrix(QStringLiteral("hystrix"),
        QStringLiteral("Open in Fleet mode on this Hystrix or Turbine stream (several allowed)."), QStringLiteral("URL"));
    const QCommandLineOption tokenEnv(QStringLiteral("token-env"),
        QStringLiteral("Send the bearer token this environment variable holds to the fleet's sources."),
        QStringLiteral("NAME"));
    const QCommandLineOption tokenFile(QStringLiteral("token-file"),
        QStringLiteral("Send the bearer token this file holds to the fleet's sources."), QStringLiteral("PATH"));
    const QCommandLineOption refresh(QStringLiteral("refresh"),
        QStringLiteral("Fleet mode's refresh interval in seconds (default 5)."), QStringLiteral("SECONDS"));
    const QCommandLineOption range(QStringLiteral("range"),
        QStringLiteral("Fleet mode's time range: live (default), 15m, 1h, 6h or 24h."), QStringLiteral("RANGE"));
    parser.addOptions({ scenario, speed, seed, runFor, screenshot, compare, candidate, operation, metricsPort, metricsHost,
        sweep, prometheus, hystrix, tokenEnv, tokenFile, refresh, range });
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
    FleetConnection &fleet = desktop.fleet;
    fleet.prometheus = parser.value(prometheus);
    fleet.hystrix = parser.values(hystrix);
    fleet.tokenVariable = parser.value(tokenEnv);
    fleet.tokenFile = parser.value(tokenFile);
    if (parser.isSet(refresh)) {
        const std::optional<int> seconds = parseCount(QStringLiteral("--refresh"), parser.value(refresh), 1,
            FleetConnection::MaxRefreshSeconds, error, QStringLiteral("a number of seconds"));
        if (!seconds)
            return std::nullopt;
        fleet.refreshSeconds = *seconds;
    }
    if (parser.isSet(range)) {
        static const QList<std::pair<QString, FleetView::Range>> ranges { { QStringLiteral("live"), FleetView::Range::Live },
            { QStringLiteral("15m"), FleetView::Range::Last15Minutes }, { QStringLiteral("1h"), FleetView::Range::LastHour },
            { QStringLiteral("6h"), FleetView::Range::Last6Hours }, { QStringLiteral("24h"), FleetView::Range::Last24Hours } };
        const auto it = std::find_if(ranges.begin(), ranges.end(), [&](const auto &r) { return r.first == parser.value(range); });
        if (it == ranges.end()) {
            *error = QStringLiteral("--range: expected live, 15m, 1h, 6h or 24h, got '%1'").arg(parser.value(range));
            return std::nullopt;
        }
        desktop.fleetRange = it->second;
    }
    const bool fleetOptions = parser.isSet(tokenEnv) || parser.isSet(tokenFile) || parser.isSet(refresh) || parser.isSet(range);
    if (fleet.isEmpty() && fleetOptions) {
        *error = QStringLiteral("--token-env, --token-file, --refresh and --range need --prometheus or --hystrix");
        return std::nullopt;
    }
    if (!fleet.isEmpty() && !fleet.check(error)) {
        // Named as the command line spells them.
        static const QRegularExpression what(QStringLiteral("^(Prometheus|Hystrix stream \\d+|bearer token|refresh interval): "));
        const QRegularExpressionMatch m = what.match(*error);
        const QString option = m.captured(1).startsWith(u'P') ? QStringLiteral("--prometheus")
            : m.captured(1).startsWith(u'H')                 ? QStringLiteral("--hystrix")
            : m.captured(1).startsWith(u'b')                 ? QStringLiteral("--token-env/--token-file")
                                                             : QStringLiteral("--refresh");
        *error = option + QStringLiteral(": ") + error->mid(m.capturedLength());
        return std::nullopt;
    }
    desktop.screenshot = parser.value(screenshot);
    if (!desktop.screenshot.isEmpty() && !desktop.runFor && desktop.sweep.isEmpty() && fleet.isEmpty()) {
        *error = QStringLiteral("--screenshot needs --run-for, --sweep, --prometheus or --hystrix");
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
    if (!fleet.isEmpty() && desktop.compare) {
        *error = QStringLiteral("--prometheus and --hystrix open Fleet mode: not with --compare or --candidate");
        return std::nullopt;
    }
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
    // A token that cannot be read is bad input, as the options are.
    if (!options->desktop.fleet.isEmpty() && !options->desktop.fleet.bearerToken(&error)) {
        printErr(QStringLiteral("breakwater: ") + error + u'\n');
        return BadInput;
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
