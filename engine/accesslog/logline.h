#pragma once

#include <QString>

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

namespace bw {

// What one access-log line says about a request, as views into the line (docs/formats.md,
// "Access-log import"). Each format fills the fields it has; an empty view is a field the line
// lacks or left as "-".
enum class LogField : std::uint8_t {
    TimeLocal,            // nginx $time_local, when the response was logged: "06/Dec/2026:10:00:01 +0000"
    Msec,                 // nginx $msec, when the response was logged: "1796551201.123" (epoch seconds)
    StartTime,            // when the request started: ISO 8601, or epoch seconds or milliseconds
    Status,               // the status the client got
    RequestTime,          // nginx $request_time, seconds
    UpstreamResponseTime, // nginx $upstream_response_time, seconds, one per upstream tried
    UpstreamStatus,       // nginx $upstream_status, one per upstream tried
    Upstream,             // the upstream: nginx $upstream_addr, Envoy's host, HAProxy's backend/server
    RetryAfter,           // the response's Retry-After header, in seconds
    Flags,                // Envoy's %RESPONSE_FLAGS%
    DurationMs,           // Envoy's %DURATION%, a JSON line's duration: milliseconds
    Count
};
inline constexpr int LogFieldCount = int(LogField::Count);

struct LogLine
{
    std::array<std::string_view, LogFieldCount> fields {};
    // HAProxy's timers: the request starts `startOffsetNs` after StartTime (its accept date) and
    // lasts `durationNs` (-1: the line's fields say). Its termination state ("sH--").
    std::int64_t startOffsetNs = 0, durationNs = -1;
    std::string_view termination;

    std::string_view operator[](LogField f) const { return fields[std::size_t(f)]; }
    std::string_view &operator[](LogField f) { return fields[std::size_t(f)]; }
};

// Parses one line of a log in one format into a LogLine. Built once per import from the format and
// its options; parse() allocates nothing, so millions of lines go through it at memory speed.
class LogLineParser
{
public:
    enum class Format { Nginx, Envoy, Haproxy, Jsonl };

    // The nginx `log_format` the import expects without --nginx-format: `combined` followed by
    // $request_time $upstream_response_time $upstream_status (README, "Replaying your own incident").
    static const char *nginxDefaultFormat();
    // Envoy's default access-log format (its documentation, "Default format string").
    static const char *envoyDefaultFormat();
    // The JSONL map used without --map: Envoy's JSON access-log keys, its command operators in
    // lower case (start_time, response_code, response_flags, duration, upstream_host).
    static const char *defaultJsonMap();

    // `nginxFormat` replaces the nginx default (nginx's variable syntax: $name or ${name});
    // `map` is a JSONL field map "start=ts,duration=latency_ms,status=code". Nullopt, with the
    // reason in `error`, when either cannot be used (an unknown map key names the nearest valid one).
    static std::optional<LogLineParser> create(Format format, const QString &nginxFormat, const QString &map,
        QString *error);

    // Fills `out` from `line` (no line end); false, with a short reason, when the line does not
    // have the format's shape. Allocates nothing.
    bool parse(std::string_view line, LogLine *out, const char **reason) const;

    Format format() const { return m_format; }
    // Whether a line of this format can say which upstream served it (for --upstream).
    bool hasUpstream() const;

private:
    struct Segment
    {
        std::string literal; // what precedes the variable (or ends the line, for the last)
        int field = -1;      // a LogField, or -1 for a variable the import does not use
    };
    struct JsonKey
    {
        std::string key;
        LogField field;
    };

    bool parseTemplate(std::string_view line, LogLine *out, const char **reason) const;
    bool parseHaproxy(std::string_view line, LogLine *out, const char **reason) const;
    bool parseJson(std::string_view line, LogLine *out, const char **reason) const;

    Format m_format = Format::Nginx;
    std::vector<Segment> m_segments; // nginx and Envoy: the format, compiled
    std::string m_tail;              // the literal after the last variable
    std::vector<JsonKey> m_keys;     // JSONL
};

} // namespace bw
