#include "accesslogimporter.h"

#include "../resilience/limits.h"

#include <algorithm>
#include <cstring>
#include <limits>

namespace bw {

namespace {

using namespace std::string_view_literals;

std::int64_t digits(std::string_view text, std::size_t at, std::size_t count)
{
    if (at + count > text.size())
        return -1;
    std::int64_t v = 0;
    for (std::size_t i = at; i < at + count; ++i) {
        if (text[i] < '0' || text[i] > '9')
            return -1;
        v = v * 10 + (text[i] - '0');
    }
    return v;
}

// Days since 1970-01-01 of a civil date (Howard Hinnant's days_from_civil).
std::int64_t daysFromCivil(std::int64_t y, std::int64_t m, std::int64_t d)
{
    y -= m <= 2;
    const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
    const std::int64_t yoe = y - era * 400;
    const std::int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    const std::int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

// ".250" → 250 000 000 ns; advances `at` past the fraction.
std::int64_t fractionNs(std::string_view text, std::size_t *at)
{
    std::int64_t ns = 0, scale = 100'000'000;
    if (*at < text.size() && (text[*at] == '.' || text[*at] == ',')) {
        ++*at;
        while (*at < text.size() && text[*at] >= '0' && text[*at] <= '9') {
            ns += (text[*at] - '0') * scale;
            scale /= 10;
            ++*at;
        }
    }
    return ns;
}

// "+0100", "+01:00", "Z" or nothing (UTC): the offset in seconds; nullopt when malformed.
std::optional<std::int64_t> zoneSeconds(std::string_view zone)
{
    while (!zone.empty() && zone.front() == ' ')
        zone.remove_prefix(1);
    if (zone.empty() || zone == "Z"sv)
        return 0;
    if (zone[0] != '+' && zone[0] != '-')
        return std::nullopt;
    const std::int64_t h = digits(zone, 1, 2);
    const std::int64_t m = digits(zone, zone.size() == 6 ? 4 : 3, 2);
    if (h < 0 || m < 0 || (zone.size() != 5 && zone.size() != 6))
        return std::nullopt;
    return (zone[0] == '-' ? -1 : 1) * (h * 3600 + m * 60);
}

std::optional<std::int64_t> civilNs(std::int64_t y, std::int64_t mo, std::int64_t d, std::int64_t h,
    std::int64_t mi, std::int64_t s, std::int64_t fraction, std::int64_t offset)
{
    if (y < 1970 || mo < 1 || mo > 12 || d < 1 || d > 31 || h < 0 || h > 23 || mi < 0 || mi > 59 || s < 0
        || s > 60)
        return std::nullopt;
    // Nanoseconds in an int64 end in April 2262: a later time is no time a trace can hold (and
    // its product below would overflow).
    if (y > 2262)
        return std::nullopt;
    const std::int64_t seconds = daysFromCivil(y, mo, d) * 86400 + h * 3600 + mi * 60 + s - offset;
    if (seconds >= std::numeric_limits<std::int64_t>::max() / 1'000'000'000)
        return std::nullopt;
    return seconds * 1'000'000'000 + fraction;
}

// A non-negative decimal ("0.250") in units of `unitNs` nanoseconds (1e9: seconds, 1e6:
// milliseconds), exact to the nanosecond; -1 when not a number or beyond 2262 (int64 nanoseconds).
std::int64_t decimalNs(std::string_view text, std::int64_t unitNs)
{
    std::size_t i = 0;
    std::int64_t whole = 0;
    while (i < text.size() && text[i] >= '0' && text[i] <= '9') {
        whole = whole * 10 + (text[i++] - '0');
        if (whole >= std::numeric_limits<std::int64_t>::max() / unitNs - 1)
            return -1;
    }
    if (i == 0)
        return -1;
    std::int64_t fraction = 0;
    if (i < text.size() && text[i] == '.') {
        std::int64_t scale = unitNs / 10;
        for (++i; i < text.size() && text[i] >= '0' && text[i] <= '9'; ++i, scale /= 10)
            fraction += (text[i] - '0') * scale;
    }
    return i == text.size() ? whole * unitNs + fraction : -1;
}

std::int64_t secondsNs(std::string_view text)
{
    return decimalNs(text, 1'000'000'000);
}

// The sum of nginx's per-upstream times ("0.010, 0.250" or "0.010 : 0.250"); -1 when none is a number.
std::int64_t upstreamSecondsNs(std::string_view text)
{
    std::int64_t total = -1;
    while (!text.empty()) {
        const std::size_t end = std::min(text.find_first_of(",:"), text.size());
        std::string_view part = text.substr(0, end);
        while (!part.empty() && part.front() == ' ')
            part.remove_prefix(1);
        while (!part.empty() && part.back() == ' ')
            part.remove_suffix(1);
        if (const std::int64_t ns = secondsNs(part); ns >= 0)
            total = std::max<std::int64_t>(total, 0) + ns;
        text.remove_prefix(std::min(end + 1, text.size()));
    }
    return total;
}

int statusOf(std::string_view text)
{
    if (text.empty() || text.size() > 3)
        return -1;
    int v = 0;
    for (const char c : text) {
        if (c < '0' || c > '9')
            return -1;
        v = v * 10 + (c - '0');
    }
    return v;
}

struct Verdict
{
    bool success = true;
    ErrorCode code;
};

Verdict failure(ErrorCode code)
{
    return { false, code };
}

// The mapping table of docs/formats.md, "Access-log import": the proxy's own account of a failure
// (Envoy's response flags, HAProxy's termination state) first, then the status the client got.
Verdict classify(const LogLine &line, int status)
{
    // URX (retries exhausted) and UO (Envoy's own circuit breaker refused it) go by their status.
    std::string_view flags = line[LogField::Flags];
    while (!flags.empty()) {
        const std::size_t end = std::min(flags.find(','), flags.size());
        const std::string_view flag = flags.substr(0, end);
        if (flag == "UT"sv)
            return failure(ErrorCode::TimedOut);
        if (flag == "UF"sv)
            return failure(ErrorCode::ConnectionRefused);
        if (flag == "UC"sv || flag == "UR"sv || flag == "LR"sv)
            return failure(ErrorCode::ConnectionReset);
        if (flag == "DC"sv)
            return failure(ErrorCode::Cancelled);
        flags.remove_prefix(std::min(end + 1, flags.size()));
    }
    const std::string_view t = line.termination;
    if (t.size() >= 2) {
        if (t[0] == 's' && t[1] != 'Q')
            return failure(ErrorCode::TimedOut);
        if (t[0] == 'S')
            return failure(t[1] == 'C' ? ErrorCode::ConnectionRefused : ErrorCode::ConnectionReset);
        if (t[0] == 'C' || t[0] == 'c')
            return failure(ErrorCode::Cancelled);
    }
    if (status == 499)
        return failure(ErrorCode::Cancelled);
    if (status == 504)
        return failure(ErrorCode::TimedOut);
    if (status == 429 || status >= 500)
        return failure(ErrorCode::httpStatus(status));
    if (status == 0)
        return failure(ErrorCode::NetworkError);
    return {};
}

void appendMs(std::string &out, std::int64_t ns)
{
    // Milliseconds with up to six decimals, exact (the trace reader's resolution).
    char buffer[32];
    const std::int64_t whole = ns / 1'000'000, fraction = ns % 1'000'000;
    int n = std::snprintf(buffer, sizeof buffer, "%lld", static_cast<long long>(whole));
    if (fraction != 0) {
        n += std::snprintf(buffer + n, sizeof buffer - std::size_t(n), ".%06lld", static_cast<long long>(fraction));
        while (buffer[n - 1] == '0')
            --n;
    }
    out.append(buffer, std::size_t(n));
}

} // namespace

std::optional<std::int64_t> parseLogTime(std::string_view text)
{
    if (text.size() >= 19 && text[4] == '-') { // ISO 8601
        std::size_t at = 19;
        const std::int64_t fraction = fractionNs(text, &at);
        const std::optional<std::int64_t> zone = zoneSeconds(text.substr(at));
        if (!zone || (text[10] != 'T' && text[10] != ' ') || text[7] != '-' || text[13] != ':' || text[16] != ':')
            return std::nullopt;
        return civilNs(digits(text, 0, 4), digits(text, 5, 2), digits(text, 8, 2), digits(text, 11, 2),
            digits(text, 14, 2), digits(text, 17, 2), fraction, *zone);
    }
    if (text.size() >= 20 && text[2] == '/' && text[6] == '/' && text[11] == ':') { // 06/Dec/2026:10:00:01
        static constexpr std::string_view months = "JanFebMarAprMayJunJulAugSepOctNovDec"sv;
        const std::size_t month = months.find(text.substr(3, 3));
        std::size_t at = 20;
        const std::int64_t fraction = fractionNs(text, &at);
        const std::optional<std::int64_t> zone = zoneSeconds(text.substr(at));
        if (month == std::string_view::npos || month % 3 != 0 || !zone || text[14] != ':' || text[17] != ':')
            return std::nullopt;
        return civilNs(digits(text, 7, 4), std::int64_t(month / 3 + 1), digits(text, 0, 2), digits(text, 12, 2),
            digits(text, 15, 2), digits(text, 18, 2), fraction, *zone);
    }
    // Epoch seconds, or milliseconds from 10^11 (twelve digits and more).
    const std::size_t wholeDigits = std::min(text.find('.'), text.size());
    const std::int64_t ns = decimalNs(text, wholeDigits >= 12 ? 1'000'000 : 1'000'000'000);
    return ns < 0 ? std::nullopt : std::optional<std::int64_t>(ns);
}

AccessLogImporter::AccessLogImporter(const Options &options, LogLineParser parser)
    : m_options(options)
    , m_parser(std::move(parser))
{ }

std::optional<AccessLogImporter> AccessLogImporter::create(const Options &options, QString *error)
{
    std::optional<LogLineParser> parser
        = LogLineParser::create(options.format, options.nginxFormat, options.map, error);
    if (!parser)
        return std::nullopt;
    if (!options.upstream.isEmpty() && !parser->hasUpstream()) {
        *error = options.format == LogLineParser::Format::Nginx
            ? QStringLiteral("--upstream: the log format has no $upstream_addr; add it and pass --nginx-format")
            : QStringLiteral("--upstream: the --map has no upstream=KEY");
        return std::nullopt;
    }
    return AccessLogImporter(options, std::move(*parser));
}

void AccessLogImporter::bad(const char *reason)
{
    ++m_report.bad;
    if (m_report.firstBad.size() < 10)
        m_report.firstBad.append({ m_report.lines, QString::fromLatin1(reason) });
}

void AccessLogImporter::addLine(std::string_view line)
{
    ++m_report.lines;
    if (!line.empty() && line.back() == '\r')
        line.remove_suffix(1);
    if (line.find_first_not_of(" \t") == std::string_view::npos)
        return;
    LogLine fields;
    const char *reason = nullptr;
    if (!m_parser.parse(line, &fields, &reason))
        return bad(reason);

    const int status = statusOf(fields[LogField::Status]);
    if (status < 0)
        return bad("the status is not a number from 0 to 999");
    std::optional<std::int64_t> at;
    std::int64_t duration = -1;
    bool loggedAtEnd = false; // nginx logs when the response ends: the start is that minus the time
    if (!fields[LogField::Msec].empty()) {
        at = parseLogTime(fields[LogField::Msec]);
        loggedAtEnd = true;
    } else if (!fields[LogField::TimeLocal].empty()) {
        at = parseLogTime(fields[LogField::TimeLocal]);
        loggedAtEnd = true;
    } else if (!fields[LogField::StartTime].empty()) {
        at = parseLogTime(fields[LogField::StartTime]);
    }
    if (!at)
        return bad("the time is missing or not a timestamp");
    if (fields.durationNs >= 0) {
        duration = fields.durationNs;
    } else if (!fields[LogField::DurationMs].empty()) {
        duration = decimalNs(fields[LogField::DurationMs], 1'000'000);
    } else {
        const std::int64_t upstream = upstreamSecondsNs(fields[LogField::UpstreamResponseTime]);
        duration = upstream >= 0 ? upstream : secondsNs(fields[LogField::RequestTime]);
    }
    if (duration < 0)
        return bad("the duration is missing or not a number");
    if (duration > std::int64_t(Limits::MaxDurationMs) * 1'000'000)
        return bad("the duration is longer than a day");
    if (loggedAtEnd) {
        const std::int64_t request = secondsNs(fields[LogField::RequestTime]);
        *at -= request >= 0 ? request : duration;
    }
    const std::int64_t start = *at + fields.startOffsetNs;

    if (!m_options.upstream.isEmpty()) {
        const std::string_view upstream = fields[LogField::Upstream];
        const QByteArray wanted = m_options.upstream.toUtf8();
        const std::string_view name(wanted.constData(), std::size_t(wanted.size()));
        // HAProxy's backend/server matches its backend alone too.
        const bool match = upstream == name
            || (upstream.size() > name.size() && upstream.compare(0, name.size(), name) == 0
                && upstream[name.size()] == '/');
        if (!match) {
            ++m_report.otherUpstream;
            return;
        }
    }
    if ((m_options.fromNs && start < *m_options.fromNs) || (m_options.toNs && start >= *m_options.toNs)) {
        ++m_report.outsideWindow;
        return;
    }
    const Verdict verdict = classify(fields, status);
    std::int64_t retryAfter = 0;
    if (!verdict.success && !fields[LogField::RetryAfter].empty()) {
        retryAfter = secondsNs(fields[LogField::RetryAfter]);
        if (retryAfter < 0 || retryAfter > std::int64_t(Limits::MaxDurationMs) * 1'000'000)
            return bad("Retry-After is not a number of seconds up to a day");
    }
    TraceRow row;
    row.retryAfterMs = std::uint32_t(retryAfter / 1'000'000);
    row.start = TimePoint(Duration(start));
    row.duration = Duration(duration);
    row.success = verdict.success;
    row.code = verdict.code;
    m_report.failures += verdict.success ? 0 : 1;
    ++m_report.imported;
    m_rows.push_back(row);
    m_sorted = false;
}

bool AccessLogImporter::read(QIODevice &device, const std::function<void(qint64)> &progress, QString *error)
{
    QByteArray chunk(1 << 20, Qt::Uninitialized);
    qint64 total = 0;
    while (true) {
        const qint64 got = device.read(chunk.data(), chunk.size());
        if (got < 0) {
            *error = device.errorString();
            return false;
        }
        if (got == 0)
            break;
        total += got;
        std::string_view data(chunk.constData(), std::size_t(got));
        while (!data.empty()) {
            const std::size_t newline = data.find('\n');
            const std::string_view piece = data.substr(0, newline);
            const bool complete = newline != std::string_view::npos;
            data.remove_prefix(complete ? newline + 1 : data.size());
            if (m_skippingLongLine) {
                m_skippingLongLine = !complete;
                continue;
            }
            if (m_carry.size() + piece.size() > std::size_t(MaxLineBytes)) {
                ++m_report.lines;
                bad("longer than 64 KiB");
                m_carry.clear();
                m_skippingLongLine = !complete; // the rest of it is read past
                continue;
            }
            if (!complete) {
                m_carry.append(piece);
                continue;
            }
            if (m_carry.empty()) {
                addLine(piece);
            } else {
                m_carry.append(piece);
                addLine(m_carry);
                m_carry.clear();
            }
        }
        if (m_report.imported > MaxRequests) {
            *error = QStringLiteral("more than %L1 requests: narrow the import with --from/--to or --upstream")
                         .arg(MaxRequests);
            return false;
        }
        if (progress)
            progress(total);
    }
    if (!m_carry.empty()) { // the last line, without a newline
        addLine(m_carry);
        m_carry.clear();
    }
    // The trace reader's bound on start_ms (a trillion milliseconds, 31 years).
    constexpr std::int64_t MaxSpanNs = 1'000'000'000'000 * 1'000'000;
    if (!m_rows.empty()) {
        const auto [first, last] = std::minmax_element(m_rows.begin(), m_rows.end(),
            [](const TraceRow &a, const TraceRow &b) { return a.start < b.start; });
        const std::int64_t origin = m_options.fromNs.value_or(first->start.count());
        if (last->start.count() - origin > MaxSpanNs) {
            *error = QStringLiteral("the requests span more than 31 years: narrow the import with --from/--to");
            return false;
        }
    }
    return true;
}

QString AccessLogImporter::describe(const QString &logName) const
{
    const Report &r = m_report;
    QString text = QStringLiteral("%1: %L2 lines, %L3 requests imported (%L4 failures)")
                       .arg(logName)
                       .arg(r.lines)
                       .arg(r.imported)
                       .arg(r.failures);
    if (r.outsideWindow > 0)
        text += QStringLiteral(", %L1 outside --from/--to").arg(r.outsideWindow);
    if (r.otherUpstream > 0)
        text += QStringLiteral(", %L1 from other upstreams").arg(r.otherUpstream);
    text += QStringLiteral(", %L1 bad lines\n").arg(r.bad);
    for (const BadLine &b : r.firstBad)
        text += QStringLiteral("%1:%2: %3\n").arg(logName).arg(b.number).arg(b.reason);
    if (r.bad > r.firstBad.size())
        text += QStringLiteral("… and %L1 more bad lines\n").arg(r.bad - r.firstBad.size());
    return text;
}

void AccessLogImporter::sortRows()
{
    if (m_sorted)
        return;
    // Logs are written as requests end: sorted by start, ties in log order.
    std::stable_sort(m_rows.begin(), m_rows.end(), [](const TraceRow &a, const TraceRow &b) { return a.start < b.start; });
    m_sorted = true;
}

Trace AccessLogImporter::trace(const QString &fileName)
{
    sortRows();
    Trace t;
    t.fileName = fileName;
    t.rows = m_rows;
    const TimePoint origin = m_options.fromNs ? TimePoint(Duration(*m_options.fromNs))
        : t.rows.empty()                      ? TimePoint()
                                              : t.rows.front().start;
    for (TraceRow &row : t.rows)
        row.start = TimePoint(row.start - origin);
    return t;
}

void AccessLogImporter::writeCsv(QIODevice &out)
{
    sortRows();
    const std::int64_t origin
        = m_options.fromNs ? *m_options.fromNs : m_rows.empty() ? 0 : m_rows.front().start.count();
    // The Retry-After column only when a response had one.
    const bool retryAfter = std::any_of(m_rows.begin(), m_rows.end(), [](const TraceRow &r) { return r.retryAfterMs > 0; });
    std::string buffer = retryAfter ? "start_ms,duration_ms,outcome,code,retry_after_ms\n" : "start_ms,duration_ms,outcome,code\n";
    for (const TraceRow &row : m_rows) {
        appendMs(buffer, row.start.count() - origin);
        buffer += ',';
        appendMs(buffer, row.duration.count());
        if (row.success) {
            buffer += ",success,";
        } else {
            buffer += ",failure,";
            buffer += row.code.toString().toStdString();
        }
        if (retryAfter) {
            buffer += ',';
            if (row.retryAfterMs > 0)
                appendMs(buffer, std::int64_t(row.retryAfterMs) * 1'000'000);
        }
        buffer += '\n';
        if (buffer.size() > (1 << 20)) {
            out.write(buffer.data(), qint64(buffer.size()));
            buffer.clear();
        }
    }
    out.write(buffer.data(), qint64(buffer.size()));
}

} // namespace bw
