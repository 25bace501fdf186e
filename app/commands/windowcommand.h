#pragma once

#include "optionparsers.h"

#include "desktopapp.h"

#include <QStringList>

#include <optional>

namespace bw::cli {

// The window's command line (docs/formats.md, "Application command line"): what the desktop app opens
// with, and where it serves its monitoring endpoints.
struct WindowOptions
{
    ui::DesktopSettings desktop; // its `monitoring` is openWindow's to set
    std::optional<MetricsEndpoint> metrics; // --metrics-port / --metrics-host
};

// `arguments` starts with the program name. nullopt, and `*error`, on bad input.
std::optional<WindowOptions> parseWindowOptions(const QStringList &arguments, QString *error);

// `breakwater [--scenario FILE|NAME] [--speed N|max] …` (a QApplication must exist): checks the
// options and the scenario, serves the monitoring endpoints when asked, and runs the window.
// Returns the exit status; bad input: one message on stderr, status 2.
int openWindow(const QStringList &arguments);

} // namespace bw::cli
