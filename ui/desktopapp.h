#pragma once

#include "runtime/duration.h"
#include "telemetry/metricsserver.h"

#include <QStringList>

#include <optional>

namespace bw::ui {

// The desktop app's command line (formats.md, "Application command line").
struct DesktopOptions
{
    QString scenario;
    std::optional<double> speed; // 0: max; nullopt: the window's default (max with --screenshot)
    std::optional<std::uint64_t> seed;
    std::optional<Duration> runFor; // virtual time
    QString screenshot;
    std::optional<MetricsEndpoint> metrics; // --metrics-port / --metrics-host
};

// True when `arguments` (argv, program first) ask for the desktop app: none, or GUI options only.
bool wantsDesktop(const QStringList &arguments);
// "60s", "60000ms", "2m", "1.5s", "90" (seconds).
std::optional<Duration> parseDuration(const QString &text);
// nullopt and `error` on bad input (help and version are handled by the caller's CLI).
std::optional<DesktopOptions> parseDesktopOptions(const QStringList &arguments, QString *error);

// Opens the main window (a QApplication must exist) and runs the event loop. With --run-for the
// run pauses when that much virtual time has elapsed; with --screenshot too, the window is
// grabbed then, written to the file, and the app quits (0, or 1 if the file cannot be written).
int runDesktop(const QStringList &arguments);

} // namespace bw::ui
