#pragma once

#include "../resilience/errorcode.h"
#include "../resilience/loaderror.h"
#include "../runtime/duration.h"

#include <QIODevice>

#include <optional>
#include <vector>

namespace bw {

// One recorded call of a replay trace (docs/formats.md, "Replay trace"). 24 bytes, so a trace of a
// million rows holds 24 MB.
struct TraceRow
{
    TimePoint start {};
    Duration duration {};
    ErrorCode code; // null for a success
    bool success = true;
    std::uint32_t retryAfterMs = 0; // the failure's Retry-After, whole milliseconds; 0: none
};

struct Trace
{
    QString fileName;
    std::vector<TraceRow> rows; // sorted by start, ties in file order

    // The latest row that started at or before `at` (the last of several that started together),
    // or -1 if none had. O(log n).
    qsizetype latestRowAt(TimePoint at) const;
    // When the last recorded call ended: the latest start + duration; 0 for an empty trace. O(n).
    TimePoint end() const;
};

// Reads the CSV trace: a header naming the columns start_ms, duration_ms, outcome and optionally
// code and retry_after_ms (any order, names exact), then one row per recorded call. Strict: numbers are
// non-negative milliseconds (decimals allowed), outcome is "success" or "failure", code defaults
// to "500" (when empty, or left out as the last field) and is ignored on success rows, and a row
// has one field per column (fields may be double-quoted). Rows must be sorted by start_ms: an
// out-of-order row is an error rather than silently re-sorted, because it usually means a
// merged or truncated export. Blank lines, a trailing newline, CRLF line ends and a UTF-8 byte
// order mark are fine. Errors carry the line, the column and the column's name.
class TraceReader
{
public:
    static std::optional<Trace> read(QIODevice &device, const QString &fileName, LoadError *error);
    static std::optional<Trace> parse(const QByteArray &csv, const QString &fileName, LoadError *error);
    static std::optional<Trace> loadFile(const QString &path, LoadError *error);
};

} // namespace bw
