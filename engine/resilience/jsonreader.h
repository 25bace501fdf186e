#pragma once

#include "../runtime/duration.h"
#include "limits.h"
#include "loaderror.h"

#include <QJsonObject>
#include <QJsonValue>
#include <QList>
#include <QString>
#include <QStringList>

#include <optional>

namespace bw {

// The JSON path of `key` inside the object at `path` ("a.b" + "c" = "a.b.c"; "" + "c" = "c").
QString keyPath(const QString &path, const QString &key);
// The JSON path of element `index` of the array at `path` ("faults" + 2 = "faults[2]").
QString indexPath(const QString &path, qsizetype index);
// "'a', 'b', 'c'".
QString quotedList(const QStringList &names);
// "did you mean 'x'?" when `word` is a plausible misspelling of one of `valid`, else
// "expected one of 'a', 'b'".
QString suggestion(const QString &word, const QStringList &valid);

// The whole file at `path`; a file that cannot be read fills *error ("cannot read: ...").
std::optional<QByteArray> readJsonFile(const QString &path, LoadError *error);
// The top-level object of `source`; a syntax error, or a top level that is not an object, fills
// *error.
std::optional<QJsonObject> parseJsonObject(const JsonSource &source, LoadError *error);

// The strict reading shared by the JSON loaders (policies, scenarios): typed readers for the
// values of a JsonSource that, on a bad value, fill the LoadError with a message naming the path,
// what was expected and what was found, and return false. Loaders derive from it and add their
// own sections. Every reader returns true when it succeeds; readX(object, path, key, ...) also
// succeeds, leaving *out as it was, when the key is absent.
class JsonReader
{
public:
    static constexpr double MaxDurationMs = Limits::MaxDurationMs;

    JsonReader(const JsonSource &source, LoadError *error)
        : m_src(source)
        , m_error(error)
    { }

    bool fail(const LoadError &e);
    bool valueFail(const QString &path, const QString &message);
    bool keyFail(const QString &path, const QString &message);
    // "expected <what>, got <got described>", at the value of `path`.
    bool expected(const QString &path, const QString &what, const QJsonValue &got);
    // A required key that is absent: reported where its object starts, under the key's path.
    bool missing(const QString &objectPath, const QString &key, const QString &what);

    // Keys in file order, so the first one reported is the first one a reader meets.
    QStringList keysInFileOrder(const QJsonObject &object, const QString &path) const;
    // Unknown keys (in file order), with the nearest allowed one or the list of allowed ones.
    bool checkKeys(const QJsonObject &object, const QString &path, const QStringList &allowed);

    bool object(const QJsonValue &v, const QString &path, QJsonObject *out);

    bool readString(
        const QJsonObject &o, const QString &path, const QString &key, bool nonEmpty, QString *out);
    bool requireString(
        const QJsonObject &o, const QString &path, const QString &key, const QString &what, QString *out);

    // An integer >= min and <= Limits::MaxCount: every count a file sets (thresholds, sizes).
    bool readInt(const QJsonObject &o, const QString &path, const QString &key, int min, int *out);

    // A finite number in [min, max]; `what` says what was expected.
    bool number(
        const QJsonValue &v, const QString &path, double min, double max, const QString &what, double *out);
    bool readNumber(const QJsonObject &o, const QString &path, const QString &key, double min, double max,
        const QString &what, double *out);
    bool readRate(const QJsonObject &o, const QString &path, const QString &key, double *out);

    bool readBool(const QJsonObject &o, const QString &path, const QString &key, bool *out);

    // A duration in ms; `positive` excludes 0; at most `max`, and never more than MaxDurationMs.
    bool duration(const QJsonValue &v, const QString &path, bool positive, double max, Duration *out);
    bool readDuration(const QJsonObject &o, const QString &path, const QString &key, bool positive,
        double max, Duration *out);
    bool requireDuration(const QJsonObject &o, const QString &path, const QString &key, bool positive,
        double max, const QString &what, Duration *out);

    // An enum given as one of `names` (mapped to `values`).
    template<typename T>
    bool readEnum(const QJsonObject &o, const QString &path, const QString &key, const QStringList &names,
        const QList<T> &values, T *out)
    {
        qsizetype index = -1;
        if (!readName(o, path, key, names, &index))
            return false;
        if (index >= 0)
            *out = values.at(index);
        return true;
    }

protected:
    const JsonSource &m_src;
    LoadError *m_error;

private:
    // The index of the value of `key` in `names`; -1 when the key is absent.
    bool readName(const QJsonObject &o, const QString &path, const QString &key, const QStringList &names,
        qsizetype *index);
};

} // namespace bw
