#include "runcommand.h"

#include "cli.h"
#include "optionparsers.h"
#include "progressbar.h"
#include "reportoutput.h"
#include "subcommand.h"

#include "run/controlscript.h"
#include "run/runmetrics.h"
#include "run/runsession.h"
#include "scenario/scenarioloader.h"
#include "telemetry/metricsrecorder.h"
#include "telemetry/metricsserver.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QTimer>

namespace bw::cli {

namespace {

QString seconds(Duration d)
{
    return QString::number(toMs(d) / 1000.0, 'f', 1) + QStringLiteral(" s");
}

// The run's progress: virtual (or wall-clock) time and the calls per second of wall time.
class Progress
{
public:
    Progress(Duration total, bool wallClock)
        : m_total(total)
        , m_timeline(wallClock ? QStringLiteral(" wall clock  ") : QStringLiteral(" virtual  "))
    { }

    void update(Duration now, std::int64_t offered, bool final = false)
    {
        if (!final && !m_bar.due())
            return;
        const double fraction = m_total.count() > 0 ? double(now.count()) / double(m_total.count()) : 1.0;
        const double wallSeconds = std::max(0.001, double(m_bar.elapsedMs()) / 1000.0);
        m_bar.draw(fraction,
            seconds(now) + QStringLiteral(" / ") + seconds(m_total) + m_timeline
                + QString::number(std::llround(double(offered) / wallSeconds)) + QStringLiteral(" calls/s"),
            final);
    }

private:
    Duration m_total;
    QString m_timeline;
    ProgressBar m_bar;
};

std::int64_t offeredSoFar(const ScenarioRun &sim)
{
    std::int64_t total = 0;
    for (int i = 0; i < sim.operationCount(); ++i)
        total += sim.offered(i);
    return total;
}

// How a watched run goes: a progress bar, a pace, monitoring endpoints; any of them.
struct LiveOptions
{
    bool progress = false;
    double speed = 0; // 0: as fast as possible; else N × real time
    MetricsRecorder *metrics = nullptr; // published between chunks, for the endpoints
};

// Sleeps `ms` of wall time while the event loop serves the endpoints.
void serveFor(int ms)
{
    QEventLoop loop;
    QTimer::singleShot(ms, &loop, &QEventLoop::quit);
    loop.exec();
}

// Runs to the end in chunks (the session applies the live edits at their times), with the event
// loop served between chunks so the endpoints answer while the run goes.
// As fast as possible, chunks are sized to take 10-40 ms of wall time; paced, each step goes to
// speed × the wall time since the anchor, re-anchoring where it got when it falls behind.
void runLive(RunSession &session, const LiveOptions &options)
{
    ScenarioRun &sim = session.run();
    std::optional<Progress> progress;
    if (options.progress)
        progress.emplace(session.until(), sim.isRealTime());
    QElapsedTimer wall;
    wall.start();
    Duration anchorWall {};
    TimePoint anchorVirtual = sim.now();
    Duration chunk = std::max(fromMs(1), session.until() / 1000);
    while (!session.atEnd()) {
        const Duration wallNow(wall.nsecsElapsed());
        if (options.speed > 0) {
            const TimePoint target = anchorVirtual
                + Duration(std::int64_t(options.speed * double((wallNow - anchorWall).count())));
            // At most 100 ms of wall time's worth per step; behind: go on from here, not in a burst.
            const TimePoint capped = std::min(target, sim.now() + Duration(std::int64_t(options.speed * 1e8)));
            session.advanceTo(capped);
            if (capped < target) {
                anchorWall = Duration(wall.nsecsElapsed());
                anchorVirtual = sim.now();
            }
        } else {
            QElapsedTimer took;
            took.start();
            session.advanceTo(sim.now() + chunk);
            if (took.elapsed() < 10)
                chunk *= 2;
            else if (took.elapsed() > 40 && chunk > fromMs(2))
                chunk /= 2;
        }
        if (options.metrics)
            options.metrics->publish();
        if (progress)
            progress->update(sim.now(), offeredSoFar(sim));
        if (options.speed > 0)
            serveFor(10);
        else if (options.metrics)
            QCoreApplication::processEvents();
    }
    sim.finish(); // the calls still in flight end now, so that the last figures count them
    if (options.metrics)
        options.metrics->publish();
    if (progress)
        progress->update(sim.now(), offeredSoFar(sim), true);
}

// Serves the run's monitoring endpoints while it runs; false, with the reason printed, when
// they cannot listen.
bool serveMonitoring(ScenarioRun &sim, const MetricsEndpoint &endpoint, MetricsRecorder &metrics,
    std::optional<MetricsServer> &server)
{
    attachMetrics(metrics, sim);
    // The endpoints read the recorder's snapshots; the run publishes one between chunks.
    server.emplace([&metrics] { return metrics.latest(); });
    QString message;
    if (!server->start(endpoint.address, endpoint.port, &message)) {
        printErr(QStringLiteral("breakwater run: --metrics-port: ") + message + u'\n');
        return false;
    }
    printErr(QStringLiteral("breakwater run: monitoring on ") + server->baseUrl()
        + QStringLiteral(" (/metrics, /health, /hystrix.stream)\n"));
    return true;
}

// What `breakwater run` was asked to do.
struct RunRequest
{
    QString scenario; // a file or a built-in's name
    std::optional<std::uint64_t> seed;
    QString controls; // an events file whose control events are replayed
    RunOutputPaths outputs;
    LiveOptions live;
    std::optional<MetricsEndpoint> endpoint;
    ReportOutput report;
};

// Empty to carry on with *request filled; otherwise the exit status (help printed, bad usage).
std::optional<int> parseRunArguments(const QStringList &arguments, RunRequest *request)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Runs a scenario to its end in virtual time: its operations call simulated services through\n"
        "their policies while the scenario's faults come and go. Same scenario and seed, same bytes.\n"
        "A scenario with a URL service (real network mode) runs in wall-clock time instead: its\n"
        "operations send real HTTP requests, with the scenario's faults injected client-side.\n"
        "Prints the summary JSON unless --summary is given. 'breakwater scenarios' lists the built-ins."));
    addScenarioArgument(parser);
    const QCommandLineOption seedOption(QStringLiteral("seed"),
        QStringLiteral("Seed for every random draw (default: the scenario's \"seed\")."),
        QStringLiteral("N"));
    const QCommandLineOption eventsOption({ QStringLiteral("e"), QStringLiteral("events") },
        QStringLiteral("Writes the events (JSON Lines) to this file, and their count and SHA-256 to the "
                       "summary (left out without it: logging costs several times the run)."),
        QStringLiteral("OUT.jsonl"));
    const QCommandLineOption summaryOption({ QStringLiteral("s"), QStringLiteral("summary") },
        QStringLiteral("Writes the summary JSON to this file instead of standard output."),
        QStringLiteral("OUT.json"));
    const QCommandLineOption progressOption(QStringLiteral("progress"),
        QStringLiteral(
            "Draws a progress bar on standard error: virtual time, percentage, calls per second."));
    parser.addOption(seedOption);
    parser.addOption(eventsOption);
    parser.addOption(summaryOption);
    parser.addOption(progressOption);
    const QCommandLineOption csvOption(QStringLiteral("csv"),
        QStringLiteral("Writes the time series (one row per second and operation: calls by outcome, retries, "
                       "timeouts, latency percentiles, breaker state, bulkhead and backend load) to this file."),
        QStringLiteral("OUT.csv"));
    parser.addOption(csvOption);
    const QCommandLineOption controlsOption(QStringLiteral("controls"),
        QStringLiteral("Replays the live edits (control events) of an earlier run's events file, each at its "
                       "virtual time: the same scenario and seed then give the same run again."),
        QStringLiteral("EVENTS.jsonl"));
    parser.addOption(controlsOption);
    const QCommandLineOption speedOption(QStringLiteral("speed"),
        QStringLiteral("Paces the run at N × real time (1..1000) so that it can be watched; max (the default) "
                       "runs as fast as possible. The results do not depend on it."),
        QStringLiteral("N|max"));
    parser.addOption(speedOption);
    const QCommandLineOption metricsPortOption(QStringLiteral("metrics-port"),
        QStringLiteral("Serves the run's monitoring endpoints while it runs: /metrics (Prometheus), /health "
                       "and /hystrix.stream. 0 picks a free port; the address is printed on standard error."),
        QStringLiteral("PORT"));
    parser.addOption(metricsPortOption);
    const QCommandLineOption metricsHostOption(QStringLiteral("metrics-host"),
        QStringLiteral("The address the endpoints listen on (default 127.0.0.1)."), QStringLiteral("ADDRESS"));
    parser.addOption(metricsHostOption);
    parser.addOption(ReportOutput::option());
    const Subcommand command(parser, arguments, QStringLiteral("run"));
    if (const std::optional<int> done = command.parse())
        return *done;
    const std::optional<QString> scenario = command.scenarioArgument();
    if (!scenario)
        return BadInput;
    QString problem;
    std::optional<std::uint64_t> seed;
    if (parser.isSet(seedOption)) {
        seed = parseSeed(parser.value(seedOption), &problem);
        if (!seed)
            return command.badUsage(problem);
    }

    LiveOptions live;
    live.progress = parser.isSet(progressOption);
    if (parser.isSet(speedOption)) {
        const std::optional<double> speed = parseSpeed(parser.value(speedOption), &problem);
        if (!speed)
            return command.badUsage(problem);
        live.speed = *speed;
    }
    std::optional<MetricsEndpoint> endpoint;
    if (parser.isSet(metricsPortOption) || parser.isSet(metricsHostOption)) {
        endpoint = parseMetricsEndpoint(parser.value(metricsPortOption), parser.value(metricsHostOption), &problem);
        if (!endpoint)
            return command.badUsage(problem);
    }

    if (const std::optional<int> done = request->report.open(parser, QStringLiteral("run")))
        return *done;
    request->scenario = *scenario;
    request->seed = seed;
    request->controls = parser.value(controlsOption);
    request->outputs = { parser.value(eventsOption), parser.value(summaryOption), parser.value(csvOption) };
    request->live = live;
    request->endpoint = endpoint;
    return std::nullopt;
}

} // namespace

int runScenario(const QStringList &arguments)
{
    RunRequest request;
    if (const std::optional<int> done = parseRunArguments(arguments, &request))
        return *done;
    LoadError error;
    std::optional<ScenarioConfig> scenario = loadScenario(request.scenario, &error);
    std::optional<QList<TimedCommand>> controls;
    if (scenario) // the first bad input is the one reported
        controls = request.controls.isEmpty() ? QList<TimedCommand>() : loadControls(request.controls, &error);
    if (!controls) {
        printErr(error.toString() + u'\n');
        return BadInput;
    }

    // The report's charts come from this run's own time series, not a second run: a real HTTP
    // run cannot be made again, and this way the charts are the run whose summary is printed.
    std::optional<ScenarioConfig> reported;
    if (request.report.wanted())
        reported = *scenario;
    MetricsRecorder metrics; // before the run: it listens to the run's primitives until they go
    RunSession session(std::move(*scenario), request.seed, *controls);
    if (reported)
        session.recordSeries();
    QString message;
    if (!session.open(request.outputs, &message)) {
        printErr(message + u'\n');
        return BadInput;
    }
    std::optional<MetricsServer> server;
    if (request.endpoint) {
        if (!serveMonitoring(session.run(), *request.endpoint, metrics, server))
            return BadInput;
        request.live.metrics = &metrics;
    }

    if (request.live.progress || request.live.speed > 0 || request.live.metrics)
        runLive(session, request.live);
    if (!session.finish(&message)) {
        printErr(message + u'\n');
        return RunFailed;
    }
    if (request.outputs.summary.isEmpty())
        printOut(session.summaryJson());
    if (!reported)
        return Ok;
    const std::uint64_t seed = session.run().seed();
    ReportRequest report = runReport(*reported, seed, *controls, RunRecord { session.summaryJson(), session.series() });
    // What reproduces the run: its inputs, with the seed spelt out; the outputs are the reader's choice.
    report.commandLine = { QStringLiteral("breakwater"), QStringLiteral("run"), request.scenario,
        QStringLiteral("--seed"), QString::number(seed) };
    if (!request.controls.isEmpty())
        report.commandLine << QStringLiteral("--controls") << request.controls;
    return request.report.write(report);
}

} // namespace bw::cli
