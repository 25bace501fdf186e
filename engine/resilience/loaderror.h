#pragma once

#include <QByteArray>
#include <QHash>
#include <QJsonDocument>
#include <QJsonParseError>
#include <QString>
#include <QStringList>

#include <optional>

namespace bw {

// One clear message about a bad input file (docs/formats.md): where, which key, what was expected.
// Loaders stop at the first error, so a user fixes one thing at a time in file order.
struct LoadError
{
    QString file;
    int line = 0; // 1-based; 0 when unknown
    int column = 0; // 1-based, in characters; 0 when unknown
    QString key; // a JSON path ("circuitBreaker.failureThreshold", "order[2]") or a CSV column
    QString message;

    // Compiler style: "policy.json:4:22: circuitBreaker.failureTreshold: unknown key; did you mean
    // 'failureThreshold'?". Parts that are unknown are left out.
    QString toString() const;
};

struct TextPosition
{
    int line = 0;
    int column = 0;
};

// The line and column of a byte offset into UTF-8 text; columns count characters, not bytes.
TextPosition textPosition(const QByteArray &utf8, qsizetype offset);

// The nearest of `candidates` to `word` by edit distance (with transpositions), if it is close
// enough to be a plausible misspelling; empty otherwise. Case differences count as half an edit.
QString nearestName(const QString &word, const QStringList &candidates);
int editDistance(QStringView a, QStringView b);

// A JSON file with positions. QJsonDocument keeps none, so parse() rescans the (already valid)
// text once to map each JSON path to where its key and value start: one linear pass over a small
// hand-written file. The same pass catches what QJsonDocument silently accepts: duplicate keys.
class JsonSource
{
public:
    JsonSource(QByteArray text, QString fileName);

    const QByteArray &text() const { return m_text; }
    const QString &fileName() const { return m_fileName; }

    // Parses the text; on a syntax error fills *error with the line and column of the problem.
    // Duplicate keys are an error too ("duplicate key"), reported at the second occurrence.
    std::optional<QJsonDocument> parse(LoadError *error) const;

    // Where the key of `path` ("a.b[2].c") starts (its opening quote), or its value starts.
    // Paths without a key (array elements, the root) give the value's position. {0,0} if unknown.
    TextPosition keyPosition(const QString &path) const;
    TextPosition valuePosition(const QString &path) const;

    // An error about the key itself (unknown key) or about its value (wrong type, out of range).
    LoadError keyError(const QString &path, const QString &message) const;
    LoadError valueError(const QString &path, const QString &message) const;

private:
    LoadError syntaxError(const QJsonParseError &error) const;
    struct Entry
    {
        qsizetype keyOffset = -1;
        qsizetype valueOffset = -1;
    };
    void index() const;

    QByteArray m_text;
    QString m_fileName;
    mutable bool m_indexed = false;
    mutable QHash<QString, Entry> m_entries;
    mutable QString m_duplicatePath; // the first duplicate key found while indexing
};

// How a JSON value reads in a message: "a string (\"fast\")", "the number -3", "an array", ...
QString describeJsonValue(const QJsonValue &value);

} // namespace bw
