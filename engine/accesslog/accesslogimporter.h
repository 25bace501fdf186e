#pragma once

#include "logline.h"

#include "../scenario/tracereader.h"

#include <QIODevice>
#include <QList>
#include <QString>

#include <cstdint>
#include <functional>
#include <optional>
#include <vector>

namespace bw {

// Turns an access log into a replay trace (docs/formats.md, "Access-log import"): each request a
// row (start, duration, outcome, code), start_ms counted from the first imported request or from
// `from`, rows in start order. Lines that cannot be read are counted, the first ten kept with
// their numbers; none is dropped silently.
class AccessLogImporter
{
public:
    struct Options
    {
        LogLineParser::Format format = LogLineParser::Format::Nginx;
        QString nginxFormat; // empty: LogLineParser::nginxDefaultFormat()
        QString map;         // JSONL; empty: LogLineParser::defaultJsonMap()
        QString upstream;    // only the requests this upstream served; empty: all
        std::optional<std::int64_t> fromNs, toNs; // Unix epoch nanoseconds: from ≤ start < to
    };
    struct BadLine
    {
        std::int64_t number = 0;
        QString reason;
    };
    struct Report
    {
        std::int64_t lines = 0, imported = 0, failures = 0, outsideWindow = 0, otherUpstream = 0, bad = 0;
        QList<BadLine> firstBad; // at most ten
    };

    // The most requests one import holds (24 bytes each, so at most 240 MB): a larger log is
    // narrowed with --from/--to or --upstream.
    static constexpr std::int64_t MaxRequests = 10'000'000;
    // A longer line is a bad line, read past without being held.
    static constexpr qsizetype MaxLineBytes = 64 * 1024;

    static std::optional<AccessLogImporter> create(const Options &options, QString *error);

    // Imports one line (without its line end); blank lines are skipped. Allocates only to keep
    // the row (amortised) or one of the first ten bad lines.
    void addLine(std::string_view line);
    // Reads `device` to its end in 1 MiB chunks, calling `progress(bytesRead)` after each; false,
    // with the reason, when reading fails or the log holds more than MaxRequests.
    bool read(QIODevice &device, const std::function<void(qint64)> &progress, QString *error);

    const Report &report() const { return m_report; }
    // The report as `breakwater import` and the window show it: "LOG: 11 lines, 10 requests
    // imported (5 failures), 1 bad lines", then "LOG:LINE: reason" for the first ten bad lines.
    QString describe(const QString &logName) const;
    // The imported rows as the trace file holds them: sorted by start, from the origin.
    Trace trace(const QString &fileName);
    // Writes the trace CSV (start_ms,duration_ms,outcome,code), sorted by start.
    void writeCsv(QIODevice &out);

private:
    explicit AccessLogImporter(const Options &options, LogLineParser parser);
    void bad(const char *reason);
    void sortRows();

    Options m_options;
    LogLineParser m_parser;
    Report m_report;
    std::vector<TraceRow> m_rows; // start: Unix epoch, until sortRows() makes it relative
    bool m_sorted = false;
    std::string m_carry; // a line split across two chunks
    bool m_skippingLongLine = false;
};

// Unix epoch nanoseconds from an access log's timestamps: ISO 8601 ("2026-12-06T10:00:01.250Z",
// "+01:00", none: UTC), nginx's $time_local and HAProxy's accept date ("06/Dec/2026:10:00:01
// +0000", "06/Dec/2026:10:00:01.250": UTC), and epoch seconds or milliseconds ("1796551201.25",
// "1796551201250": 10^11 and above are milliseconds). Nullopt when `text` is none of these.
std::optional<std::int64_t> parseLogTime(std::string_view text);

} // namespace bw
