#pragma once

#include <QStringList>

namespace bw::cli {

// `breakwater run SCENARIO.json|NAME [--seed N] [--events OUT.jsonl] [--summary OUT.json]
// [--html OUT.html] [--progress]` (docs/formats.md): runs a scenario file or a built-in scenario to
// its end in virtual time. `arguments` starts with the program name. Prints the summary JSON on
// stdout unless --summary is given; --progress draws a progress bar on stderr; --html writes the
// run's report (reportoutput.h). Bad input: one message on
// stderr, status 2. Outputs appear complete or not at all.
int runScenario(const QStringList &arguments);

} // namespace bw::cli
