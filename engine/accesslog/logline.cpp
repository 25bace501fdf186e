#include "logline.h"

#include "../resilience/loaderror.h"

#include <QStringList>

#include <cstring>

namespace bw {

namespace {

using namespace std::string_view_literals;

struct NamedField
{
    std::string_view name;
    LogField field;
};

// nginx's variables that the import reads; any other variable is matched and ignored.
constexpr NamedField NginxVariables[] = {
    { "time_local"sv, LogField::TimeLocal },
    { "msec"sv, LogField::Msec },
    { "time_iso8601"sv, LogField::TimeLocal },
    { "status"sv, LogField::Status },
    { "request_time"sv, LogField::RequestTime },
    { "upstream_response_time"sv, LogField::UpstreamResponseTime },
    { "upstream_status"sv, LogField::UpstreamStatus },
    { "upstream_addr"sv, LogField::Upstream },
    { "upstream_http_retry_after"sv, LogField::RetryAfter },
    { "sent_http_retry_after"sv, LogField::RetryAfter },
};

// Envoy's command operators that the import reads (the name before any "(...)").
constexpr NamedField EnvoyOperators[] = {
    { "START_TIME"sv, LogField::StartTime },
    { "RESPONSE_CODE"sv, LogField::Status },
    { "RESPONSE_FLAGS"sv, LogField::Flags },
    { "DURATION"sv, LogField::DurationMs },
    { "UPSTREAM_HOST"sv, LogField::Upstream },
    { "RESP(RETRY-AFTER)"sv, LogField::RetryAfter },
};

// The JSONL map's targets, as --map names them.
constexpr NamedField MapTargets[] = {
    { "start"sv, LogField::StartTime },
    { "duration"sv, LogField::DurationMs },
    { "status"sv, LogField::Status },
    { "flags"sv, LogField::Flags },
    { "upstream"sv, LogField::Upstream },
    { "retry_after"sv, LogField::RetryAfter },
};

template<std::size_t N>
int fieldNamed(const NamedField (&table)[N], std::string_view name)
{
    for (const NamedField &f : table)
        if (f.name == name)
            return int(f.field);
    return -1;
}

template<std::size_t N>
QStringList namesOf(const NamedField (&table)[N])
{
    QStringList names;
    for (const NamedField &f : table)
        names.append(QString::fromLatin1(f.name.data(), qsizetype(f.name.size())));
    return names;
}

bool isNameChar(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

std::string_view orEmpty(std::string_view v)
{
    return v == "-"sv ? std::string_view() : v;
}

// A non-negative integer of at most 12 digits, or -1.
std::int64_t parseInt(std::string_view text)
{
    if (text.empty() || text.size() > 12)
        return -1;
    std::int64_t v = 0;
    for (const char c : text) {
        if (c < '0' || c > '9')
            return -1;
        v = v * 10 + (c - '0');
    }
    return v;
}

} // namespace

const char *LogLineParser::nginxDefaultFormat()
{
    return R"($remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent )"
           R"("$http_referer" "$http_user_agent" $request_time $upstream_response_time $upstream_status)";
}

const char *LogLineParser::envoyDefaultFormat()
{
    return R"([%START_TIME%] "%REQ(:METHOD)% %REQ(X-ENVOY-ORIGINAL-PATH?:PATH)% %PROTOCOL%" )"
           R"(%RESPONSE_CODE% %RESPONSE_FLAGS% %BYTES_RECEIVED% %BYTES_SENT% %DURATION% )"
           R"(%RESP(X-ENVOY-UPSTREAM-SERVICE-TIME)% "%REQ(X-FORWARDED-FOR)%" "%REQ(USER-AGENT)%" )"
           R"("%REQ(X-REQUEST-ID)%" "%REQ(:AUTHORITY)%" "%UPSTREAM_HOST%")";
}

const char *LogLineParser::defaultJsonMap()
{
    return "start=start_time,duration=duration,status=response_code,flags=response_flags,upstream=upstream_host";
}

std::optional<LogLineParser> LogLineParser::create(
    Format format, const QString &nginxFormat, const QString &map, QString *error)
{
    LogLineParser p;
    p.m_format = format;
    if (format == Format::Haproxy)
        return p;
    if (format == Format::Jsonl) {
        const QString spec = map.isEmpty() ? QString::fromLatin1(defaultJsonMap()) : map;
        for (const QString &pair : spec.split(u',', Qt::SkipEmptyParts)) {
            const qsizetype eq = pair.indexOf(u'=');
            const QString target = pair.left(eq).trimmed();
            const QString key = eq < 0 ? QString() : pair.mid(eq + 1).trimmed();
            if (eq < 0 || key.isEmpty()) {
                *error = QStringLiteral("--map: expected TARGET=KEY pairs separated by commas, got '%1'").arg(pair);
                return std::nullopt;
            }
            const int field = fieldNamed(MapTargets, target.toStdString());
            if (field < 0) {
                const QString nearest = nearestName(target, namesOf(MapTargets));
                *error = QStringLiteral("--map: %1: unknown target; %2").arg(target,
                    nearest.isEmpty() ? QStringLiteral("expected one of ") + namesOf(MapTargets).join(u", ")
                                      : QStringLiteral("did you mean '%1'?").arg(nearest));
                return std::nullopt;
            }
            p.m_keys.push_back({ key.toStdString(), LogField(field) });
        }
        for (int required = 0; required < 3; ++required) { // MapTargets' first three
            bool mapped = false;
            for (const JsonKey &k : p.m_keys)
                mapped = mapped || k.field == MapTargets[required].field;
            if (!mapped) {
                *error = QStringLiteral("--map: missing %1=KEY (start, duration and status are required)")
                             .arg(QLatin1StringView(MapTargets[required].name));
                return std::nullopt;
            }
        }
        return p;
    }

    // nginx ($name, ${name}) and Envoy (%NAME%, %NAME(args)%, %NAME(args):LENGTH%) templates.
    const bool nginx = format == Format::Nginx;
    const std::string text = (nginx && !nginxFormat.isEmpty() ? nginxFormat.toStdString()
                                                               : std::string(nginx ? nginxDefaultFormat()
                                                                                   : envoyDefaultFormat()));
    const QString option = nginx ? QStringLiteral("--nginx-format") : QStringLiteral("envoy format");
    std::string literal;
    bool haveTime = false, haveStatus = false;
    for (std::size_t i = 0; i < text.size();) {
        std::string name;
        std::size_t next = i;
        if (nginx && text[i] == '$') {
            if (i + 1 < text.size() && text[i + 1] == '{') {
                const std::size_t close = text.find('}', i + 2);
                if (close == std::string::npos) {
                    *error = QStringLiteral("%1: column %2: '${' without its '}'").arg(option).arg(i + 1);
                    return std::nullopt;
                }
                name = text.substr(i + 2, close - i - 2);
                next = close + 1;
            } else {
                next = i + 1;
                while (next < text.size() && isNameChar(text[next]))
                    ++next;
                name = text.substr(i + 1, next - i - 1);
            }
        } else if (!nginx && text[i] == '%') {
            const std::size_t close = text.find('%', i + 1);
            if (close == std::string::npos) {
                *error = QStringLiteral("%1: column %2: '%' without its closing '%'").arg(option).arg(i + 1);
                return std::nullopt;
            }
            name = text.substr(i + 1, close - i - 1);
            next = close + 1;
        } else {
            literal += text[i++];
            continue;
        }
        if (name.empty()) {
            *error = QStringLiteral("%1: column %2: a variable without a name").arg(option).arg(i + 1);
            return std::nullopt;
        }
        if (!p.m_segments.empty() && literal.empty()) {
            *error = QStringLiteral("%1: column %2: two variables with nothing between them cannot be told apart")
                         .arg(option)
                         .arg(i + 1);
            return std::nullopt;
        }
        int field;
        if (nginx) {
            field = fieldNamed(NginxVariables, name);
        } else {
            const std::size_t colon = name.rfind(':');
            if (colon != std::string::npos && name.find(')') != std::string::npos && colon > name.rfind(')'))
                name.resize(colon); // %REQ(...):LENGTH%
            field = fieldNamed(EnvoyOperators, name);
            if (field < 0 && name.rfind("START_TIME", 0) == 0)
                field = int(LogField::StartTime);
        }
        haveTime = haveTime || field == int(LogField::TimeLocal) || field == int(LogField::Msec)
            || field == int(LogField::StartTime);
        haveStatus = haveStatus || field == int(LogField::Status);
        p.m_segments.push_back({ std::move(literal), field });
        literal.clear();
        i = next;
    }
    p.m_tail = std::move(literal);
    if (!haveTime || !haveStatus) {
        *error = QStringLiteral("%1: needs %2 to import a request").arg(option,
            nginx ? QStringLiteral("$status and $time_local or $msec")
                  : QStringLiteral("%START_TIME% and %RESPONSE_CODE%"));
        return std::nullopt;
    }
    return p;
}

bool LogLineParser::hasUpstream() const
{
    if (m_format == Format::Haproxy)
        return true;
    for (const Segment &s : m_segments)
        if (s.field == int(LogField::Upstream))
            return true;
    for (const JsonKey &k : m_keys)
        if (k.field == LogField::Upstream)
            return true;
    return false;
}

bool LogLineParser::parse(std::string_view line, LogLine *out, const char **reason) const
{
    *out = LogLine();
    switch (m_format) {
    case Format::Nginx:
    case Format::Envoy:
        return parseTemplate(line, out, reason);
    case Format::Haproxy:
        return parseHaproxy(line, out, reason);
    case Format::Jsonl:
        return parseJson(line, out, reason);
    }
    return false;
}

bool LogLineParser::parseTemplate(std::string_view line, LogLine *out, const char **reason) const
{
    std::size_t pos = 0;
    const std::size_t n = m_segments.size();
    for (std::size_t i = 0; i < n; ++i) {
        const Segment &s = m_segments[i];
        if (line.compare(pos, s.literal.size(), s.literal) != 0) {
            *reason = "does not match the log format";
            return false;
        }
        pos += s.literal.size();
        std::size_t end;
        if (i + 1 < n) {
            const std::string &next = m_segments[i + 1].literal;
            end = line.find(next, pos);
            // nginx's upstream variables list one value per upstream tried, separated by ", " or
            // " : ": a literal inside that list does not end the value.
            if (s.field == int(LogField::UpstreamResponseTime) || s.field == int(LogField::UpstreamStatus)
                || s.field == int(LogField::Upstream)) {
                while (end != std::string_view::npos && end > pos
                    && (line[end - 1] == ',' || line[end - 1] == ':' || line.compare(end, 2, " :") == 0))
                    end = line.find(next, end + 1);
            }
            if (end == std::string_view::npos) {
                *reason = "does not match the log format (too few fields)";
                return false;
            }
        } else {
            if (line.size() < pos + m_tail.size() || line.substr(line.size() - m_tail.size()) != m_tail) {
                *reason = "does not match the log format (its end)";
                return false;
            }
            end = line.size() - m_tail.size();
        }
        if (s.field >= 0)
            out->fields[std::size_t(s.field)] = orEmpty(line.substr(pos, end - pos));
        pos = end;
    }
    return true;
}

bool LogLineParser::parseHaproxy(std::string_view line, LogLine *out, const char **reason) const
{
    // [syslog header] CLIENT:PORT [ACCEPT_DATE] FRONTEND BACKEND/SERVER TR/Tw/Tc/Tr/Ta STATUS BYTES
    // REQ_COOKIE RESP_COOKIE TERMINATION_STATE ...
    std::size_t open = line.find('[');
    while (open != std::string_view::npos
        && !(open + 3 < line.size() && line[open + 3] == '/' && line[open + 1] >= '0' && line[open + 1] <= '9'))
        open = line.find('[', open + 1);
    const std::size_t close = open == std::string_view::npos ? open : line.find(']', open);
    if (close == std::string_view::npos) {
        *reason = "no [accept date] (expected HAProxy's HTTP log format)";
        return false;
    }
    (*out)[LogField::StartTime] = line.substr(open + 1, close - open - 1);
    std::string_view tokens[8];
    std::size_t pos = close + 1;
    for (std::string_view &t : tokens) {
        while (pos < line.size() && line[pos] == ' ')
            ++pos;
        const std::size_t end = std::min(line.find(' ', pos), line.size());
        t = line.substr(pos, end - pos);
        pos = end;
    }
    if (tokens[7].size() < 2) {
        *reason = "too few fields after the accept date (expected HAProxy's HTTP log format)";
        return false;
    }
    (*out)[LogField::Upstream] = tokens[1]; // backend/server; the importer also matches the backend alone
    std::int64_t timers[5];
    std::string_view t = tokens[2];
    for (int i = 0; i < 5; ++i) {
        const std::size_t end = std::min(t.find('/'), t.size());
        std::string_view v = t.substr(0, end);
        if (!v.empty() && v.front() == '+') // option logasap
            v.remove_prefix(1);
        timers[i] = v == "-1"sv ? -1 : parseInt(v);
        if (timers[i] < 0 && v != "-1"sv) {
            *reason = "bad timers (expected TR/Tw/Tc/Tr/Ta in milliseconds)";
            return false;
        }
        t.remove_prefix(std::min(end + 1, t.size()));
    }
    if (timers[4] < 0) {
        *reason = "no total time Ta";
        return false;
    }
    const std::int64_t waited = std::max<std::int64_t>(timers[0], 0);
    out->startOffsetNs = waited * 1'000'000;
    out->durationNs = std::max<std::int64_t>(timers[4] - waited, 0) * 1'000'000;
    (*out)[LogField::Status] = tokens[3];
    out->termination = tokens[7];
    return true;
}

bool LogLineParser::parseJson(std::string_view line, LogLine *out, const char **reason) const
{
    // A flat scan of one object: the mapped keys' values (strings without their quotes, numbers as
    // written); nested values are skipped whole.
    std::size_t i = 0;
    const std::size_t n = line.size();
    auto skipSpace = [&] {
        while (i < n && (line[i] == ' ' || line[i] == '\t' || line[i] == '\r'))
            ++i;
    };
    auto scanString = [&](std::string_view *value) { // at the opening quote
        const std::size_t start = ++i;
        while (i < n && line[i] != '"')
            i += line[i] == '\\' ? 2 : 1;
        if (i >= n)
            return false;
        *value = line.substr(start, i - start);
        ++i;
        return true;
    };
    skipSpace();
    if (i >= n || line[i] != '{') {
        *reason = "not a JSON object";
        return false;
    }
    ++i;
    skipSpace();
    if (i < n && line[i] == '}')
        return true;
    while (i < n) {
        skipSpace();
        std::string_view key, value;
        if (i >= n || line[i] != '"' || !scanString(&key)) {
            *reason = "bad JSON: expected a key";
            return false;
        }
        skipSpace();
        if (i >= n || line[i] != ':') {
            *reason = "bad JSON: expected ':'";
            return false;
        }
        ++i;
        skipSpace();
        if (i >= n) {
            *reason = "bad JSON: expected a value";
            return false;
        }
        if (line[i] == '"') {
            if (!scanString(&value)) {
                *reason = "bad JSON: unterminated string";
                return false;
            }
        } else if (line[i] == '{' || line[i] == '[') {
            int depth = 0;
            do {
                if (line[i] == '"') {
                    std::string_view skipped;
                    if (!scanString(&skipped))
                        break;
                    continue;
                }
                depth += (line[i] == '{' || line[i] == '[') ? 1 : (line[i] == '}' || line[i] == ']') ? -1 : 0;
                ++i;
            } while (i < n && depth > 0);
            if (depth != 0) {
                *reason = "bad JSON: unclosed object or array";
                return false;
            }
        } else {
            const std::size_t start = i;
            while (i < n && line[i] != ',' && line[i] != '}' && line[i] != ' ')
                ++i;
            value = line.substr(start, i - start);
            if (value == "null"sv)
                value = {};
        }
        for (const JsonKey &k : m_keys)
            if (k.key == key)
                (*out)[k.field] = orEmpty(value);
        skipSpace();
        if (i < n && line[i] == ',') {
            ++i;
            continue;
        }
        if (i < n && line[i] == '}')
            return true;
        *reason = "bad JSON: expected ',' or '}'";
        return false;
    }
    *reason = "bad JSON: unclosed object";
    return false;
}

} // namespace bw
