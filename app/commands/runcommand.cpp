#include "runcommand.h"

#include "cli.h"
#include "subcommand.h"

#include "sim/builtinscenarios.h"
#include "sim/controlscript.h"
#include "sim/scenarioloader.h"
#include "sim/simulation.h"
#include "sim/simulationrunner.h"
#include "telemetry/timeseries.h"
#include "telemetry/eventlog.h"
#include "telemetry/summary.h"

#include <QElapsedTimer>
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

std::int64_t offeredSoFar(const Simulation &sim)
{
    std::int64_t total = 0;
    for (int i = 0; i < sim.operationCount(); ++i)
        total += sim.offered(i);
    return total;
}

// Runs in chunks of virtual time sized so that each takes about 50 ms of wall time, so the bar
// moves a few times a second however fast or slow the scenario runs.
void runWithProgress(Simulation &sim)
{
    Progress progress(sim.end(), sim.isRealTime());
    Duration chunk = std::max(fromMs(1), sim.end() / 1000);
    while (!sim.atEnd()) {
        QElapsedTimer timer;
        timer.start();
        sim.advanceTo(sim.now() + chunk);
        const qint64 took = timer.elapsed();
        if (took < 25)
            chunk *= 2;
        else if (took > 100 && chunk > fromMs(2))
            chunk /= 2;
        progress.update(sim.now(), offeredSoFar(sim));
    }
    sim.finish();
    progress.update(sim.now(), offeredSoFar(sim), true);
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
    std::optional<std::uint64_t> seed;
    if (parser.isSet(seedOption)) {
        bool ok = false;
        seed = parser.value(seedOption).toULongLong(&ok);
        if (!ok)
            return command.badUsage(QStringLiteral("--seed: expected a non-negative integer, got '")
                + parser.value(seedOption) + u'\'');
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

    Simulation sim(std::move(*scenario), seed);
    Summary summary;
    // Writing and hashing the events costs several times the simulation itself, so without
    // --events there is no event log, and the summary leaves out events and eventsSha256 rather
    // than showing a count and hash of nothing.
    const bool withEvents = parser.isSet(eventsOption);
    if (withEvents)
        sim.setEventLog(&events);
    sim.setSummary(&summary);
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

    applyControls(sim, controls); // runs up to the last edit; the rest of the run follows
    if (parser.isSet(progressOption))
        runWithProgress(sim);
    else
        sim.runToEnd();

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
