#pragma once

#include "fleetconnection.h"
#include "fleetview.h"

#include "lab/candidate.h"
#include "runtime/duration.h"

#include <QString>
#include <QStringList>

#include <cstdint>
#include <optional>

namespace bw {
class MetricsRecorder;
}

namespace bw::ui {

// What the desktop app opens with. app/ reads it from the command line (docs/formats.md,
// "Application command line") and checks it; the window takes it as it is.
struct DesktopSettings
{
    QString scenario; // a built-in's name or a file; empty: the last one used, else the default
    std::optional<double> speed; // 0: max; nullopt: the last one used, else MainWindow::DefaultSpeed
    std::optional<std::uint64_t> seed;
    std::optional<Duration> runFor; // virtual time; the run stops there
    QString screenshot; // written when runFor elapses (or the sweep is done); then the app quits
    QStringList sweep; // KEY=SPEC, one or two: the Sweep dialog opens on them and runs; a screenshot is of it
    MetricsRecorder *monitoring = nullptr; // follows every run the window loads; outlives the window
    bool compare = false; // opens in Compare mode
    QList<Candidate> candidates; // Compare mode's first candidates; empty: the window's defaults
    FleetConnection fleet; // not empty: opens in Fleet mode on it
    FleetView::Range fleetRange = FleetView::Range::Live;
};

// Opens the main window (a QApplication must exist) and runs the event loop; returns its exit
// status. With runFor the run pauses when that much virtual time has elapsed; with a screenshot
// too, the window is grabbed then (in Compare mode once the verdict table is measured), written
// to the file, and the app quits: 0, or 1 with `*error` set when the file cannot be written. With
// a sweep, the Sweep dialog opens and runs it, and the screenshot is of the dialog once the sweep
// is done; a sweep the dialog refuses returns 2. In Fleet mode the screenshot is taken once every
// source has answered (or failed) and the range's history has arrived.
int runDesktop(const DesktopSettings &settings, QString *error);

} // namespace bw::ui
