#pragma once

#include <QStringList>

namespace bw::cli {

// `breakwater replay TRACE.csv --policy POLICY.json|PRESET [--events OUT.jsonl]
// [--summary OUT.json] [--seed N]` (docs/formats.md). `arguments` starts with the program name.
// Bad input: the LoadError on stderr, status 2. Outputs appear complete or not at all.
int runReplay(const QStringList &arguments);

} // namespace bw::cli
