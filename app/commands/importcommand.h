#pragma once

#include <QStringList>

namespace bw::cli {

// `breakwater import LOG --format nginx|envoy|haproxy|jsonl [--upstream NAME] [--from T --to T]
// [--out trace.csv] [--strict] [--nginx-format '…'] [--map …]` (docs/formats.md, "Access-log
// import"). Writes the trace CSV (to standard output without --out) and a report on stderr: the
// requests imported and the bad lines, the first ten with their numbers. Status 2 on bad input,
// with --strict also when any line is bad, or when no request was imported.
int runImport(const QStringList &arguments);

} // namespace bw::cli
