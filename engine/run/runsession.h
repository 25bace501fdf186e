#pragma once

#include "../runtime/atomicfile.h"
#include "../telemetry/eventlog.h"
#include "../telemetry/summary.h"
#include "../telemetry/timeseries.h"
#include "controlcommand.h"
#include "scenariorun.h"

#include <QList>
#include <QString>

#include <optional>

namespace bw {

// The files a run is written to; an empty path is not written.
struct RunOutputPaths
{
    QString events; // events JSON Lines (docs/formats.md, "Events")
    QString summary; // summary JSON
    QString csv; // time series CSV, one row per second and operation
};

// A scenario run and the files it is written to: what `breakwater run` and the app's
// File ▸ Export run share.
//
// open() creates every output before the run, so a bad path fails at once and nothing is
// written, and wires the run: an event log only with an events file (writing and hashing the
// events costs several times the run), a summary, and with a CSV a time series that keeps every
// second up to until(). advanceTo() applies the live edits due by then, each at its own virtual
// time, as the runner does between its chunks. finish() ends the run (the calls still in flight
// are cut off) and writes each file whole or not at all; a session destroyed before it writes
// nothing. Confined to the thread that runs it.
class RunSession
{
public:
    // `until`: where the run stops, at most the scenario's end. Edits after it are not applied.
    RunSession(ScenarioConfig scenario, std::optional<std::uint64_t> seed, QList<TimedCommand> controls,
        TimePoint until = TimePoint::max());
    RunSession(const RunSession &) = delete;
    RunSession &operator=(const RunSession &) = delete;

    // Before open(): keeps every second of the run's time series, as a CSV output does, for
    // series() (a report's charts) even without a CSV file.
    void recordSeries() { m_recordSeries = true; }

    // Opens the outputs and wires the run; once, before the first advance. False, with
    // "PATH: cannot write: REASON", when an output cannot be created.
    bool open(const RunOutputPaths &paths, QString *error);

    // The run itself: add other sinks (monitoring) after open() and before the first advance.
    ScenarioRun &run() { return m_run; }
    TimePoint until() const { return m_until; }
    bool atEnd() const { return m_run.now() >= m_until; }

    // Runs to `target` (until() at most), applying the edits due by then at their times.
    void advanceTo(TimePoint target);
    // Runs to until(), ends the run there and writes the files. False, with the reason, when one
    // cannot be written.
    bool finish(QString *error);

    // The summary as finish() wrote it: without `events` and `eventsSha256` when no events file
    // was written, rather than a count and hash of nothing.
    QByteArray summaryJson() const;
    // After finish(), with a CSV output or recordSeries(): every second of the run, with the
    // layout. Empty otherwise.
    TimeSeriesSnapshot series() const;

private:
    void start();

    ScenarioRun m_run;
    TimePoint m_until;
    QList<TimedCommand> m_controls;
    qsizetype m_nextControl = 0;
    bool m_started = false;
    bool m_recordSeries = false;
    Summary m_summary;
    std::optional<EventLog> m_events;
    std::optional<AtomicFile> m_summaryFile, m_csvFile;
    std::optional<TimeSeriesRecorder> m_series;
};

} // namespace bw
