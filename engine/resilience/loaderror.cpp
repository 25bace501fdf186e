#include "loaderror.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QJsonParseError>

#include <algorithm>
#include <vector>

namespace bw {

QString LoadError::toString() const
{
    QString s = file.isEmpty() ? QStringLiteral("<input>") : file;
    if (line > 0) {
        s += u':' + QString::number(line);
        if (column > 0)
            s += u':' + QString::number(column);
    }
    s += QStringLiteral(": ");
    if (!key.isEmpty())
        s += key + QStringLiteral(": ");
    s += message;
    return s;
}

TextPosition textPosition(const QByteArray &utf8, qsizetype offset)
{
    offset = std::clamp<qsizetype>(offset, 0, utf8.size());
    TextPosition p { 1, 1 };
    for (qsizetype i = 0; i < offset; ++i) {
        const auto c = static_cast<unsigned char>(utf8[i]);
        if (c == '\n') {
            ++p.line;
            p.column = 1;
        } else if ((c & 0xC0) != 0x80) { // continuation bytes belong to the previous character
            ++p.column;
        }
    }
    return p;
}

int editDistance(QStringView a, QStringView b)
{
    // Optimal string alignment: Levenshtein plus adjacent transpositions ("retires" → "retries").
    const qsizetype n = a.size(), m = b.size();
    std::vector<int> prev2(size_t(m + 1)), prev(size_t(m + 1)), cur(size_t(m + 1));
    for (qsizetype j = 0; j <= m; ++j)
        prev[size_t(j)] = int(j);
    for (qsizetype i = 1; i <= n; ++i) {
        cur[0] = int(i);
        for (qsizetype j = 1; j <= m; ++j) {
            const int cost = a[i - 1] == b[j - 1] ? 0 : 1;
            int d = std::min({ prev[size_t(j)] + 1, cur[size_t(j - 1)] + 1, prev[size_t(j - 1)] + cost });
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                d = std::min(d, prev2[size_t(j - 2)] + 1);
            cur[size_t(j)] = d;
        }
        std::swap(prev2, prev);
        std::swap(prev, cur);
    }
    return prev[size_t(m)];
}

QString nearestName(const QString &word, const QStringList &candidates)
{
    const QString lower = word.toLower();
    const int limit = std::clamp(int(word.size()) / 3, 1, 3);
    QString best;
    int bestDistance = limit + 1;
    for (const QString &c : candidates) {
        const int d = editDistance(lower, c.toLower());
        if (d < bestDistance) {
            bestDistance = d;
            best = c;
        }
    }
    return best;
}

QString describeJsonValue(const QJsonValue &value)
{
    switch (value.type()) {
    case QJsonValue::Null:
        return QStringLiteral("null");
    case QJsonValue::Bool:
        return value.toBool() ? QStringLiteral("true") : QStringLiteral("false");
    case QJsonValue::Double: {
        const QJsonArray wrapped { value };
        const QByteArray json = QJsonDocument(wrapped).toJson(QJsonDocument::Compact);
        return QString::fromUtf8(json.mid(1, json.size() - 2));
    }
    case QJsonValue::String:
        return u'"' + value.toString() + u'"';
    case QJsonValue::Array:
        return QStringLiteral("an array");
    case QJsonValue::Object:
        return QStringLiteral("an object");
    case QJsonValue::Undefined:
        break;
    }
    return QStringLiteral("nothing");
}

namespace {

// Walks text that QJsonDocument already accepted, so it checks nothing but structure.
class Indexer
{
public:
    struct Entry
    {
        qsizetype keyOffset = -1;
        qsizetype valueOffset = -1;
    };
    Indexer(const QByteArray &text, QHash<QString, Entry> &out, QString &duplicate)
        : m_s(text)
        , m_out(out)
        , m_duplicate(duplicate)
    { }

    void run() { value(QString()); }

private:
    char peek() const { return m_i < m_s.size() ? m_s[m_i] : '\0'; }
    void skipSpace()
    {
        while (
            m_i < m_s.size() && (m_s[m_i] == ' ' || m_s[m_i] == '\t' || m_s[m_i] == '\n' || m_s[m_i] == '\r'))
            ++m_i;
    }

    QString string()
    {
        ++m_i; // opening quote
        QString out;
        qsizetype chunk = m_i;
        while (m_i < m_s.size() && m_s[m_i] != '"') {
            if (m_s[m_i] != '\\') {
                ++m_i;
                continue;
            }
            out += QString::fromUtf8(m_s.constData() + chunk, m_i - chunk);
            const char e = m_i + 1 < m_s.size() ? m_s[m_i + 1] : '\0';
            m_i += 2;
            switch (e) {
            case 'b':
                out += u'\b';
                break;
            case 'f':
                out += u'\f';
                break;
            case 'n':
                out += u'\n';
                break;
            case 'r':
                out += u'\r';
                break;
            case 't':
                out += u'\t';
                break;
            case 'u': {
                bool ok = false;
                const ushort unit = m_s.mid(m_i, 4).toUShort(&ok, 16);
                out += QChar(unit);
                m_i += 4;
                break;
            }
            default:
                out += QLatin1Char(e);
                break;
            }
            chunk = m_i;
        }
        out += QString::fromUtf8(m_s.constData() + chunk, m_i - chunk);
        ++m_i; // closing quote
        return out;
    }

    void value(const QString &path)
    {
        skipSpace();
        Entry &entry = m_out[path];
        if (entry.valueOffset < 0 || m_duplicate == path)
            entry.valueOffset = m_i;
        const char c = peek();
        if (c == '{') {
            ++m_i;
            skipSpace();
            if (peek() == '}') {
                ++m_i;
                return;
            }
            while (m_i < m_s.size()) {
                skipSpace();
                const qsizetype keyOffset = m_i;
                const QString key = string();
                const QString child = path.isEmpty() ? key : path + u'.' + key;
                Entry &e = m_out[child];
                if (e.keyOffset >= 0 && m_duplicate.isEmpty()) {
                    m_duplicate = child; // point at the second occurrence
                    e.keyOffset = keyOffset;
                    e.valueOffset = -1;
                } else if (e.keyOffset < 0) {
                    e.keyOffset = keyOffset;
                }
                skipSpace();
                ++m_i; // ':'
                value(child);
                skipSpace();
                if (peek() == ',') {
                    ++m_i;
                    continue;
                }
                ++m_i; // '}'
                return;
            }
        } else if (c == '[') {
            ++m_i;
            skipSpace();
            if (peek() == ']') {
                ++m_i;
                return;
            }
            for (int index = 0; m_i < m_s.size(); ++index) {
                value(path + u'[' + QString::number(index) + u']');
                skipSpace();
                if (peek() == ',') {
                    ++m_i;
                    continue;
                }
                ++m_i; // ']'
                return;
            }
        } else if (c == '"') {
            string();
        } else {
            while (m_i < m_s.size() && !QByteArrayView(",]} \t\r\n").contains(m_s[m_i]))
                ++m_i;
        }
    }

    const QByteArray &m_s;
    qsizetype m_i = 0;
    QHash<QString, Entry> &m_out;
    QString &m_duplicate;
};

} // namespace

JsonSource::JsonSource(QByteArray text, QString fileName)
    : m_text(std::move(text))
    , m_fileName(std::move(fileName))
{ }

void JsonSource::index() const
{
    if (m_indexed)
        return;
    m_indexed = true;
    QHash<QString, Indexer::Entry> entries;
    Indexer(m_text, entries, m_duplicatePath).run();
    for (auto it = entries.cbegin(); it != entries.cend(); ++it)
        m_entries.insert(it.key(), Entry { it->keyOffset, it->valueOffset });
}

std::optional<QJsonDocument> JsonSource::parse(LoadError *error) const
{
    if (m_text.trimmed().isEmpty()) {
        if (error)
            *error = LoadError { m_fileName, 1, 1, QString(),
                QStringLiteral("empty file; expected a JSON object") };
        return std::nullopt;
    }
    QJsonParseError parseError;
    QJsonDocument doc = QJsonDocument::fromJson(m_text, &parseError);
    if (parseError.error != QJsonParseError::NoError) {
        if (error)
            *error = syntaxError(parseError);
        return std::nullopt;
    }
    index(); // small files, one extra pass: the only way to see duplicate keys
    if (!m_duplicatePath.isEmpty()) {
        if (error)
            *error = keyError(m_duplicatePath, QStringLiteral("duplicate key"));
        return std::nullopt;
    }
    return doc;
}

LoadError JsonSource::syntaxError(const QJsonParseError &e) const
{
    // Qt's offset is just past the character it choked on; point at that character, as a
    // compiler would, and say what was expected in the words people use ("a missing comma?").
    qsizetype offset = std::clamp<qsizetype>(e.offset, 0, m_text.size());
    const bool afterToken = offset > 0 && !QByteArrayView(" \t\r\n").contains(m_text[offset - 1]);
    if (afterToken)
        --offset;
    QString message;
    switch (e.error) {
    case QJsonParseError::UnterminatedObject:
        message = afterToken ? QStringLiteral("expected ',' or '}' (a missing comma?)")
                             : QStringLiteral("unterminated object: the text ends before its closing '}'");
        break;
    case QJsonParseError::UnterminatedArray:
        message = afterToken ? QStringLiteral("expected ',' or ']' (a missing comma?)")
                             : QStringLiteral("unterminated array: the text ends before its closing ']'");
        break;
    case QJsonParseError::MissingValueSeparator:
        message = QStringLiteral("expected ',' (a missing comma?)");
        break;
    case QJsonParseError::MissingNameSeparator:
        message = QStringLiteral("expected ':' after the key");
        break;
    case QJsonParseError::MissingObject:
        message = QStringLiteral("expected a value after ',' (a trailing comma?)");
        break;
    case QJsonParseError::GarbageAtEnd:
        message = QStringLiteral("unexpected text after the end of the document");
        break;
    default:
        message = e.errorString();
        break;
    }
    const TextPosition p = textPosition(m_text, offset);
    return LoadError { m_fileName, p.line, p.column, QString(), QStringLiteral("invalid JSON: ") + message };
}

TextPosition JsonSource::keyPosition(const QString &path) const
{
    index();
    const auto it = m_entries.constFind(path);
    if (it == m_entries.cend())
        return {};
    const qsizetype offset = it->keyOffset >= 0 ? it->keyOffset : it->valueOffset;
    return offset >= 0 ? textPosition(m_text, offset) : TextPosition {};
}

TextPosition JsonSource::valuePosition(const QString &path) const
{
    index();
    const auto it = m_entries.constFind(path);
    if (it == m_entries.cend())
        return {};
    const qsizetype offset = it->valueOffset >= 0 ? it->valueOffset : it->keyOffset;
    return offset >= 0 ? textPosition(m_text, offset) : TextPosition {};
}

LoadError JsonSource::keyError(const QString &path, const QString &message) const
{
    const TextPosition p = keyPosition(path);
    return LoadError { m_fileName, p.line, p.column, path, message };
}

LoadError JsonSource::valueError(const QString &path, const QString &message) const
{
    const TextPosition p = valuePosition(path);
    return LoadError { m_fileName, p.line, p.column, path, message };
}

} // namespace bw
