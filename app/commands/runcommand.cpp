#include "runcommand.h"

#include "cli.h"
#include "optionparsers.h"
#include "subcommand.h"

#include "run/controlscript.h"
#include "run/runmetrics.h"
#include "run/scenariorun.h"
#include "run/scenariorunner.h"
#include "scenario/builtinscenarios.h"
#include "scenario/scenarioloader.h"
#include "telemetry/eventlog.h"
#include "telemetry/metricsrecorder.h"
#include "telemetry/metricsserver.h"
#include "telemetry/summary.h"
#include "telemetry/timeseries.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QTimer>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSaveFile>

#include <cstdio>
#ifdef Q_OS_WIN
#include <io.h>
#else
#include <unistd.h>
#endif

namespace bw::cli {

namespace {

bool stderrIsTerminal()
{
#ifdef Q_OS_WIN
    return _isatty(_fileno(stderr));
#else
    return isatty(fileno(stderr));
#endif
}

QString seconds(Duration d)
{
    return QString::number(toMs(d) / 1000.0, 'f', 1) + QStringLiteral(" s");
}

// A one-line progress bar on stderr. On a terminal it redraws in place; otherwise (a log file,
// CI) it writes a plain line at most once a second, so the log stays readable.
class Progress
{
public:
    Progress(Duration total, bool wallClock)
        : m_total(total)
        , m_timeline(wallClock ? QStringLiteral(" wall clock  ") : QStringLiteral(" virtual  "))
        , m_terminal(stderrIsTerminal())
    {
        m_wall.start();
    }

    void update(Duration now, std::int64_t offered, bool final = false)
    {
        const qint64 elapsed = m_wall.elapsed();
        // The first draw waits too: a run that ends within it shows only the final line.
        if (!final && elapsed - m_drawn < (m_terminal ? 200 : 1000))
            return;
        m_drawn = elapsed;
        const double fraction
            = m_total.count() > 0 ? std::min(1.0, double(now.count()) / double(m_total.count())) : 1.0;
        constexpr int Width = 30;
        const int filled = int(fraction * Width);
        const double wallSeconds = std::max(0.001, double(elapsed) / 1000.0);
        QString line = QStringLiteral("[") + QString(filled, u'#') + QString(Width - filled, u'-')
            + QStringLiteral("] ") + QString::number(int(fraction * 100)).rightJustified(3)
            + QStringLiteral("%  ") + seconds(now) + QStringLiteral(" / ") + seconds(m_total)
            + m_timeline + QString::number(std::llround(double(offered) / wallSeconds))
            + QStringLiteral(" calls/s");
        if (m_terminal)
            printErr(u'\r' + line + QStringLiteral("\x1b[K") + (final ? QStringLiteral("\n") : QString()));
        else
            printErr(line + u'\n');
    }

private:
    Duration m_total;
    QString m_timeline;
    bool m_terminal;
    QElapsedTimer m_wall;
    qint64 m_drawn = 0;
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

// Runs to the end in chunks, applying the live edits at their times (as applyControls does),
// with the event loop served between chunks so the endpoints answer while the run goes.
// As fast as possible, chunks are sized to take 10-40 ms of wall time; paced, each step goes to
// speed × the wall time since the anchor, re-anchoring where it got when it falls behind.
void runLive(ScenarioRun &sim, const QList<TimedCommand> &controls, const LiveOptions &options)
{
    std::optional<Progress> progress;
    if (options.progress)
        progress.emplace(sim.end(), sim.isRealTime());
    qsizetype next = 0;
    const auto advance = [&](TimePoint target) {
        qsizetype last = next;
        while (last < controls.size() && controls[last].at <= target)
            ++last;
        if (last > next)
            applyControls(sim, controls.mid(next, last - next));
        next = last;
        sim.advanceTo(target);
    };
    QElapsedTimer wall;
    wall.start();
    Duration anchorWall {};
    TimePoint anchorVirtual = sim.now();
    Duration chunk = std::max(fromMs(1), sim.end() / 1000);
    while (!sim.atEnd()) {
        const Duration wallNow(wall.nsecsElapsed());
        if (options.speed > 0) {
            const TimePoint target = anchorVirtual
                + Duration(std::int64_t(options.speed * double((wallNow - anchorWall).count())));
            // At most 100 ms of wall time's worth per step; behind: go on from here, not in a burst.
            const TimePoint capped = std::min(target, sim.now() + Duration(std::int64_t(options.speed * 1e8)));
            advance(capped);
            if (capped < target) {
                anchorWall = Duration(wall.nsecsElapsed());
                anchorVirtual = sim.now();
            }
        } else {
            QElapsedTimer took;
            took.start();
            advance(sim.now() + chunk);
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
    if (next < controls.size())
        applyControls(sim, controls.mid(next)); // past the end: refused, as applyControls does
    sim.finish();
    if (options.metrics)
        options.metrics->publish();
    if (progress)
        progress->update(sim.now(), offeredSoFar(sim), true);
}

} // namespace

int runScenario(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Runs a scenario to its end in virtual time: its operations call simulated services through\n"
        "their policies while the scenario's faults come and go. Same scenario and seed, same bytes.\n"
        "A scenario with a URL service (real network mode) runs in wall-clock time instead: its\n"
        "operations send real HTTP requests, with the scenario's faults injected client-side.\n"
        "Prints the summary JSON unless --summary is given. 'breakwater scenarios' lists the built-ins."));
    parser.addPositionalArgument(QStringLiteral("scenario"),
        QStringLiteral("A scenario JSON file, or the name of a built-in scenario."),
        QStringLiteral("SCENARIO.json|NAME"));
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
    const Subcommand command(parser, arguments, QStringLiteral("run"));
    if (const std::optional<int> done = command.parse())
        return *done;
    const QStringList positional = parser.positionalArguments();
    if (positional.isEmpty())
        return command.badUsage(QStringLiteral("missing the scenario (a file, or one of: ")
            + builtinScenarioNames().join(QStringLiteral(", ")) + u')');
    if (positional.size() > 1)
        return command.badUsage(
            QStringLiteral("expected one scenario, got ") + QString::number(positional.size()));
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

    LoadError error;
    std::optional<ScenarioConfig> scenario = loadScenario(positional.constFirst(), &error);
    if (!scenario) {
        printErr(error.toString() + u'\n');
        return BadInput;
    }

    QList<TimedCommand> controls;
    if (parser.isSet(controlsOption)) {
        std::optional<QList<TimedCommand>> loaded = loadControls(parser.value(controlsOption), &error);
        if (!loaded) {
            printErr(error.toString() + u'\n');
            return BadInput;
        }
        controls = std::move(*loaded);
    }

    // Open the outputs before the run, so a bad path fails at once; nothing appears at either
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
    // The time series is written through QSaveFile too; check the path now, before the run.
    if (parser.isSet(csvOption)) {
        QSaveFile probe(parser.value(csvOption));
        if (!probe.open(QIODevice::WriteOnly)) {
            printCannotWrite(probe);
            return BadInput;
        }
        probe.cancelWriting();
    }

    MetricsRecorder metrics; // before the run: it listens to the run's primitives until they go
    ScenarioRun sim(std::move(*scenario), seed);
    Summary summary;
    // Writing and hashing the events costs several times the simulation itself, so without
    // --events there is no event log, and the summary leaves out events and eventsSha256 rather
    // than showing a count and hash of nothing.
    const bool withEvents = parser.isSet(eventsOption);
    if (withEvents)
        sim.setEventLog(&events);
    sim.setSummary(&summary);
    // The endpoints read the recorder's snapshots; the run publishes one between chunks.
    std::optional<MetricsServer> server;
    if (endpoint) {
        attachMetrics(metrics, sim);
        server.emplace([&metrics] { return metrics.latest(); });
        if (!server->start(endpoint->address, endpoint->port, &message)) {
            printErr(QStringLiteral("breakwater run: --metrics-port: ") + message + u'\n');
            return BadInput;
        }
        live.metrics = &metrics;
        printErr(QStringLiteral("breakwater run: monitoring on ") + server->baseUrl()
            + QStringLiteral(" (/metrics, /health, /hystrix.stream)\n"));
    }

    // Every second of the run is kept, so the CSV covers all of it.
    std::optional<TimeSeriesRecorder> series;
    if (parser.isSet(csvOption)) {
        TimeSeriesRecorder::Config config;
        config.recentCapacity = std::max<int>(config.coarseFactor,
            int(std::chrono::ceil<std::chrono::seconds>(sim.end()).count()) + 1);
        series.emplace(config);
        recordSimulation(*series, sim);
        sim.start();
        series->attach(sim.scheduler(), sim.end());
    }

    if (live.progress || live.speed > 0 || live.metrics) {
        runLive(sim, controls, live);
    } else {
        applyControls(sim, controls); // runs up to the last edit; the rest of the run follows
        sim.runToEnd();
    }

    if (withEvents && !events.finish(&message)) {
        printErr(message + u'\n');
        return RunFailed;
    }
    if (series) {
        series->finish(sim.now());
        series->detach();
        if (!series->writeCsv(parser.value(csvOption), &message)) {
            printErr(message + u'\n');
            return RunFailed;
        }
    }
    QByteArray bytes;
    if (withEvents) {
        summary.setEvents(events.count(), events.sha256Hex());
        bytes = summary.toJsonBytes();
    } else {
        QJsonObject json = summary.toJson();
        json.remove(QStringLiteral("events"));
        json.remove(QStringLiteral("eventsSha256"));
        bytes = QJsonDocument(json).toJson(QJsonDocument::Indented); // as Summary::toJsonBytes()
    }
    return summaryOutput.write(bytes);
}

} // namespace bw::cli
