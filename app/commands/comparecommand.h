#pragma once

#include <QStringList>

namespace bw::cli {

// `breakwater compare SCENARIO --candidate NAME=POLICY … [--operation OP] [--seeds N] [--seed N]
// [--json F] [--csv F]` (docs/formats.md): runs 2–8 candidate policies on the same seeds of one
// scenario in virtual time and prints a table per figure (docs/semantics.md, "Policy lab") with
// the best candidate per row marked, paired differences with their 95 % intervals when there are
// several seeds, and a one-line verdict. `arguments` starts with the program name. Bad input: one
// message on stderr, status 2. Outputs appear complete or not at all.
int runCompare(const QStringList &arguments);

} // namespace bw::cli
