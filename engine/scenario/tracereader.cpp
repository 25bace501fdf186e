#include "tracereader.h"

#include "../resilience/limits.h"

#include <QBuffer>
#include <QFile>

#include <algorithm>

namespace bw {

qsizetype Trace::latestRowAt(TimePoint at) const
{
    const auto it = std::upper_bound(
        rows.begin(), rows.end(), at, [](TimePoint t, const TraceRow &r) { return t < r.start; });
    return qsizetype(it - rows.begin()) - 1;
}

TimePoint Trace::end() const
{
    TimePoint latest {};
    for (const TraceRow &row : rows)
        latest = std::max(latest, row.start + row.duration);
    return latest;
}

namespace {

constexpr std::int64_t MaxMs = 1'000'000'000'000; // as the policy loader: far from int64 overflow in ns

enum Column
{
    StartMs,
    DurationMs,
    OutcomeColumn,
    Code,
    RetryAfterMs,
    ColumnCount
};

const QStringList &columnNames()
{
    static const QStringList names { QStringLiteral("start_ms"), QStringLiteral("duration_ms"),
        QStringLiteral("outcome"), QStringLiteral("code"), QStringLiteral("retry_after_ms") };
    return names;
}

const QString &expectedHeader()
{
    static const QString header = QStringLiteral("expected the header start_ms,duration_ms,outcome[,code][,retry_after_ms]");
    return header;
}

struct Field
{
    QByteArray text;
    int column = 1; // 1-based, in characters
};

int columnOf(const QByteArray &line, qsizetype offset)
{
    int column = 1;
    for (qsizetype i = 0; i < offset && i < line.size(); ++i)
        if ((static_cast<unsigned char>(line[i]) & 0xC0) != 0x80)
            ++column;
    return column;
}

// Splits one CSV line; double-quoted fields may hold commas and "" for a quote.
bool splitFields(const QByteArray &line, QList<Field> *fields, int *errorColumn, QString *message)
{
    fields->clear();
    qsizetype i = 0;
    const qsizetype n = line.size();
    while (true) {
        while (i < n && (line[i] == ' ' || line[i] == '\t'))
            ++i;
        Field f;
        f.column = columnOf(line, i);
        if (i < n && line[i] == '"') {
            ++i;
            bool closed = false;
            while (i < n) {
                if (line[i] == '"') {
                    if (i + 1 < n && line[i + 1] == '"') {
                        f.text += '"';
                        i += 2;
                        continue;
                    }
                    ++i;
                    closed = true;
                    break;
                }
                f.text += line[i++];
            }
            if (!closed) {
                *errorColumn = f.column;
                *message = QStringLiteral("unterminated quoted field");
                return false;
            }
            while (i < n && (line[i] == ' ' || line[i] == '\t'))
                ++i;
            if (i < n && line[i] != ',') {
                *errorColumn = columnOf(line, i);
                *message = QStringLiteral("unexpected character after a closing quote");
                return false;
            }
        } else {
            const qsizetype start = i;
            while (i < n && line[i] != ',')
                ++i;
            f.text = line.mid(start, i - start).trimmed();
        }
        fields->append(f);
        if (i >= n)
            return true;
        ++i; // the comma
    }
}

// Exact decimal milliseconds to nanoseconds: "12.5" → 12 500 000, with no binary rounding.
bool parseMs(const QByteArray &text, Duration *out)
{
    if (text.isEmpty())
        return false;
    std::int64_t whole = 0, fraction = 0;
    int fractionDigits = 0;
    bool dot = false, digits = false;
    for (const char c : text) {
        if (c == '.' && !dot) {
            dot = true;
            continue;
        }
        if (c < '0' || c > '9')
            return false;
        digits = true;
        if (!dot) {
            whole = whole * 10 + (c - '0');
            if (whole > MaxMs)
                return false;
        } else if (fractionDigits < 6) { // nanoseconds are the engine's resolution
            fraction = fraction * 10 + (c - '0');
            ++fractionDigits;
        }
    }
    if (!digits)
        return false;
    for (int d = fractionDigits; d < 6; ++d)
        fraction *= 10;
    *out = Duration(whole * 1'000'000 + fraction);
    return true;
}

} // namespace

std::optional<Trace> TraceReader::read(QIODevice &device, const QString &fileName, LoadError *error)
{
    auto fail
        = [&](int line, int column, const QString &key, const QString &message) -> std::optional<Trace> {
        if (error)
            *error = LoadError { fileName, line, column, key, message };
        return std::nullopt;
    };

    Trace trace;
    trace.fileName = fileName;
    int index[ColumnCount] = { -1, -1, -1, -1, -1 };
    int columns = 0;
    bool haveHeader = false;
    const ErrorCode defaultCode = ErrorCode::httpStatus(500);
    QList<Field> fields;
    int lineNumber = 0;
    QByteArray previousStart;
    int previousLine = 0;

    while (!device.atEnd()) {
        QByteArray line = device.readLine();
        ++lineNumber;
        if (lineNumber == 1 && line.startsWith("\xEF\xBB\xBF"))
            line.remove(0, 3);
        while (line.endsWith('\n') || line.endsWith('\r'))
            line.chop(1);
        if (line.trimmed().isEmpty())
            continue;

        int errorColumn = 0;
        QString message;
        if (!splitFields(line, &fields, &errorColumn, &message))
            return fail(lineNumber, errorColumn, QString(), message);

        if (!haveHeader) {
            haveHeader = true;
            columns = int(fields.size());
            for (int c = 0; c < columns; ++c) {
                const QString name = QString::fromUtf8(fields[c].text);
                const int known = int(columnNames().indexOf(name));
                if (known < 0) {
                    const QString nearest = nearestName(name, columnNames());
                    return fail(lineNumber, fields[c].column, name,
                        QStringLiteral("unknown column; ")
                            + (nearest.isEmpty()
                                    ? expectedHeader()
                                    : QStringLiteral("did you mean '") + nearest + QStringLiteral("'?")));
                }
                if (index[known] >= 0)
                    return fail(lineNumber, fields[c].column, name, QStringLiteral("duplicate column"));
                index[known] = c;
            }
            for (int k : { StartMs, DurationMs, OutcomeColumn }) {
                if (index[k] < 0)
                    return fail(lineNumber, 1, QString(),
                        QStringLiteral("missing column '") + columnNames()[k] + QStringLiteral("'; ")
                            + expectedHeader());
            }
            continue;
        }

        // A trailing code may be left out ("0,10,success"), as spreadsheets do with empty last cells.
        if (fields.size() == columns - 1 && index[Code] == columns - 1)
            fields.append(Field { QByteArray(), columnOf(line, line.size()) + 1 });
        if (fields.size() != columns) {
            return fail(lineNumber, 1, QString(),
                QStringLiteral("expected %1 fields, got %2").arg(columns).arg(fields.size()));
        }
        TraceRow row;
        const Field &start = fields[index[StartMs]];
        if (!parseMs(start.text, &row.start))
            return fail(lineNumber, start.column, columnNames()[StartMs],
                QStringLiteral("expected a non-negative number of milliseconds, got '")
                    + QString::fromUtf8(start.text) + u'\'');
        const Field &duration = fields[index[DurationMs]];
        if (!parseMs(duration.text, &row.duration))
            return fail(lineNumber, duration.column, columnNames()[DurationMs],
                QStringLiteral("expected a non-negative number of milliseconds, got '")
                    + QString::fromUtf8(duration.text) + u'\'');
        if (row.duration > fromMs(std::int64_t(Limits::MaxDurationMs)))
            return fail(lineNumber, duration.column, columnNames()[DurationMs],
                QStringLiteral("expected a duration of at most %1 ms, got '").arg(Limits::MaxDurationMs, 0, 'g', 12)
                    + QString::fromUtf8(duration.text) + u'\'');
        const Field &outcome = fields[index[OutcomeColumn]];
        if (outcome.text == "success") {
            row.success = true;
        } else if (outcome.text == "failure") {
            row.success = false;
            row.code = defaultCode;
            if (index[Code] >= 0 && !fields[index[Code]].text.isEmpty())
                row.code = ErrorCode::fromString(QString::fromUtf8(fields[index[Code]].text));
            if (index[RetryAfterMs] >= 0 && !fields[index[RetryAfterMs]].text.isEmpty()) {
                const Field &after = fields[index[RetryAfterMs]];
                Duration delay {};
                if (!parseMs(after.text, &delay) || delay > fromMs(std::int64_t(Limits::MaxDurationMs)))
                    return fail(lineNumber, after.column, columnNames()[RetryAfterMs],
                        QStringLiteral("expected a number of milliseconds from 0 to %1, got '")
                                .arg(Limits::MaxDurationMs, 0, 'g', 12)
                            + QString::fromUtf8(after.text) + u'\'');
                row.retryAfterMs = std::uint32_t(delay.count() / 1'000'000);
            }
        } else {
            const QString got = QString::fromUtf8(outcome.text);
            const QString nearest
                = nearestName(got, { QStringLiteral("success"), QStringLiteral("failure") });
            return fail(lineNumber, outcome.column, columnNames()[OutcomeColumn],
                QStringLiteral("expected 'success' or 'failure', got '") + got + u'\''
                    + (nearest.isEmpty()
                            ? QString()
                            : QStringLiteral("; did you mean '") + nearest + QStringLiteral("'?")));
        }
        if (!trace.rows.empty() && row.start < trace.rows.back().start) {
            return fail(lineNumber, start.column, columnNames()[StartMs],
                QStringLiteral("rows must be sorted by start_ms: ") + QString::fromUtf8(start.text)
                    + QStringLiteral(" comes after ") + QString::fromUtf8(previousStart)
                    + QStringLiteral(" on line ") + QString::number(previousLine));
        }
        trace.rows.push_back(row);
        previousStart = start.text;
        previousLine = lineNumber;
    }
    if (!haveHeader)
        return fail(lineNumber > 0 ? 1 : 0, 0, QString(), QStringLiteral("empty trace; ") + expectedHeader());
    return trace;
}

std::optional<Trace> TraceReader::parse(const QByteArray &csv, const QString &fileName, LoadError *error)
{
    QByteArray copy = csv;
    QBuffer buffer(&copy);
    buffer.open(QIODevice::ReadOnly);
    return read(buffer, fileName, error);
}

std::optional<Trace> TraceReader::loadFile(const QString &path, LoadError *error)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        if (error)
            *error
                = LoadError { path, 0, 0, QString(), QStringLiteral("cannot read: ") + file.errorString() };
        return std::nullopt;
    }
    return read(file, path, error);
}

} // namespace bw
