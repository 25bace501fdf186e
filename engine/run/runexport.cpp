#include "runexport.h"

#include "../telemetry/eventlog.h"
#include "../telemetry/summary.h"

#include <QSaveFile>

namespace bw {

namespace {

bool fail(QString *error, const QString &message)
{
    if (error)
        *error = message;
    return false;
}

} // namespace

bool exportRun(const ScenarioConfig &scenario, std::optional<std::uint64_t> seed,
    const QList<TimedCommand> &commands, TimePoint until, const RunExportPaths &paths, QString *error,
    const std::function<bool(double fraction)> &progress)
{
    ScenarioRun sim(scenario, seed);
    until = std::min(until, sim.end());

    // Open every output first, so a bad path fails before the run.
    EventLog events;
    QString message;
    if (!paths.events.isEmpty()) {
        if (!events.open(paths.events, &message))
            return fail(error, message);
        sim.setEventLog(&events);
    }
    QSaveFile summaryFile(paths.summary);
    if (!paths.summary.isEmpty() && !summaryFile.open(QIODevice::WriteOnly))
        return fail(error, QStringLiteral("cannot write %1: %2").arg(paths.summary, summaryFile.errorString()));
    Summary summary;
    sim.setSummary(&summary);
    std::optional<TimeSeriesRecorder> series;
    if (!paths.csv.isEmpty()) {
        TimeSeriesRecorder::Config config;
        config.recentCapacity = std::max<int>(config.coarseFactor,
            int(std::chrono::ceil<std::chrono::seconds>(until).count()) + 1);
        series.emplace(config);
        recordSimulation(*series, sim);
    }
    sim.start();
    if (series) // the export ends at `until`: its last row is the state then, not the teardown after
        series->attach(sim.scheduler(), until);

    // The edits made by `until` (a later one belongs to a later part of the run).
    QList<TimedCommand> due;
    for (const TimedCommand &c : commands)
        if (c.at <= until)
            due.append(c);
    applyControls(sim, due);

    // Chunks of virtual time, so that progress moves evenly whatever the traffic.
    const Duration total = until;
    const Duration chunk = std::max(fromMs(1), total / 200);
    while (sim.now() < until) {
        sim.advanceTo(std::min(until, sim.now() + chunk));
        if (progress && !progress(total.count() > 0 ? double(sim.now().count()) / double(total.count()) : 1.0))
            return fail(error, QStringLiteral("cancelled"));
    }
    sim.finish();

    if (series) {
        series->finish(sim.now());
        series->detach();
        if (!series->writeCsv(paths.csv, &message))
            return fail(error, message);
    }
    if (!paths.events.isEmpty()) {
        if (!events.finish(&message))
            return fail(error, message);
        summary.setEvents(events.count(), events.sha256Hex());
    }
    if (!paths.summary.isEmpty()) {
        summaryFile.write(summary.toJsonBytes());
        if (!summaryFile.commit())
            return fail(error, QStringLiteral("cannot write %1: %2").arg(paths.summary, summaryFile.errorString()));
    }
    return true;
}

} // namespace bw
