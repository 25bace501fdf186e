#pragma once

#include "controlcommand.h"
#include "scenariorun.h"

#include <QList>

#include <optional>

namespace bw {

// The `control` events of an events file (JSON Lines), as commands: how a run with live edits
// (from the app, or an earlier `breakwater run`) is replayed. Other event types are skipped.
// A malformed control event is a LoadError naming the file, line and key.
std::optional<QList<TimedCommand>> parseControls(const QByteArray &jsonl, const QString &fileName, LoadError *error);
std::optional<QList<TimedCommand>> loadControls(const QString &path, LoadError *error);

// Runs `sim` up to each command's time (everything due by then included) and applies it there,
// as the runner does between its chunks; returns how many were accepted. The rest of the run is
// the caller's (runToEnd, or in chunks for a progress bar).
int applyControls(ScenarioRun &sim, const QList<TimedCommand> &commands);

} // namespace bw
