#pragma once

#include <QStringList>

namespace bw::cli {

// `breakwater sweep SCENARIO --operation OP --vary KEY=SPEC ... [--seeds N] [--jobs N] [--csv F]
// [--json F] [--objective success|amplification|p99|recovery] [--write-policy F]`
// (docs/formats.md, "Sweep"): runs the operation's policy over the grid of settings, every point
// on the same seeds, in parallel, and prints the Pareto front and the best point. The outputs are
// the same bytes whatever --jobs. Bad input: one message on stderr, status 2, before any run.
int sweepScenario(const QStringList &arguments);

} // namespace bw::cli
