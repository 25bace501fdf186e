#pragma once

#include "runsession.h"

#include <QString>

#include <functional>
#include <optional>

namespace bw {

// What a re-run leaves besides its files, for a report: the summary and every second of the time
// series.
struct RunRecord
{
    QByteArray summaryJson;
    TimeSeriesSnapshot series;
};

// Exports a run so far, as the app's File ▸ Export run does: runs `scenario` again from zero
// with the same seed and the same live edits (`commands`, each applied at its time), up to
// `until` (capped at the scenario's end), and writes the files through a RunSession. A
// simulation is deterministic, so these are the live run's own events, byte for byte; the summary
// counts the calls still in flight at `until` as cancelled, as a finished run does at its end.
//
// Each file appears whole or not at all; a bad path fails before the run. `progress` (optional)
// gets the fraction done after every chunk; returning false cancels the export, which then
// writes nothing. Confined to the calling thread; it shares no state with a live run, so it may
// run on any thread while one goes on. With `record`, the run's summary and time series are kept
// there too.
bool exportRun(const ScenarioConfig &scenario, std::optional<std::uint64_t> seed,
    const QList<TimedCommand> &commands, TimePoint until, const RunOutputPaths &paths, QString *error,
    const std::function<bool(double fraction)> &progress = {}, RunRecord *record = nullptr);

} // namespace bw
