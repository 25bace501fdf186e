#include "jsonreader.h"

#include <QFile>

#include <algorithm>
#include <cmath>

namespace bw {

QString keyPath(const QString &path, const QString &key)
{
    return path.isEmpty() ? key : path + u'.' + key;
}

QString indexPath(const QString &path, qsizetype index)
{
    return path + u'[' + QString::number(index) + u']';
}

QString quotedList(const QStringList &names)
{
    QStringList quoted;
    for (const QString &n : names)
        quoted << u'\'' + n + u'\'';
    return quoted.join(QStringLiteral(", "));
}

QString suggestion(const QString &word, const QStringList &valid)
{
    const QString nearest = nearestName(word, valid);
    if (!nearest.isEmpty())
        return QStringLiteral("did you mean '") + nearest + QStringLiteral("'?");
    return QStringLiteral("expected one of ") + quotedList(valid);
}

std::optional<QByteArray> readJsonFile(const QString &path, LoadError *error)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        if (error)
            *error
                = LoadError { path, 0, 0, QString(), QStringLiteral("cannot read: ") + file.errorString() };
        return std::nullopt;
    }
    return file.readAll();
}

std::optional<QJsonObject> parseJsonObject(const JsonSource &source, LoadError *error)
{
    const auto doc = source.parse(error);
    if (!doc)
        return std::nullopt;
    if (!doc->isObject()) {
        if (error)
            *error = source.valueError(QString(), QStringLiteral("expected a JSON object at the top level"));
        return std::nullopt;
    }
    return doc->object();
}

bool JsonReader::fail(const LoadError &e)
{
    if (m_error)
        *m_error = e;
    return false;
}

bool JsonReader::valueFail(const QString &path, const QString &message)
{
    return fail(m_src.valueError(path, message));
}

bool JsonReader::keyFail(const QString &path, const QString &message)
{
    return fail(m_src.keyError(path, message));
}

bool JsonReader::expected(const QString &path, const QString &what, const QJsonValue &got)
{
    return valueFail(
        path, QStringLiteral("expected ") + what + QStringLiteral(", got ") + describeJsonValue(got));
}

bool JsonReader::missing(const QString &objectPath, const QString &key, const QString &what)
{
    const TextPosition p = m_src.valuePosition(objectPath);
    return fail(LoadError { m_src.fileName(), p.line, p.column, keyPath(objectPath, key),
        QStringLiteral("missing; expected ") + what });
}

QStringList JsonReader::keysInFileOrder(const QJsonObject &object, const QString &path) const
{
    QStringList keys = object.keys();
    std::stable_sort(keys.begin(), keys.end(), [&](const QString &a, const QString &b) {
        const TextPosition pa = m_src.keyPosition(keyPath(path, a)), pb = m_src.keyPosition(keyPath(path, b));
        return std::pair(pa.line, pa.column) < std::pair(pb.line, pb.column);
    });
    return keys;
}

bool JsonReader::checkKeys(const QJsonObject &object, const QString &path, const QStringList &allowed)
{
    for (const QString &key : keysInFileOrder(object, path)) {
        if (allowed.contains(key))
            continue;
        return keyFail(keyPath(path, key), QStringLiteral("unknown key; ") + suggestion(key, allowed));
    }
    return true;
}

bool JsonReader::object(const QJsonValue &v, const QString &path, QJsonObject *out)
{
    if (!v.isObject())
        return expected(path, QStringLiteral("an object"), v);
    *out = v.toObject();
    return true;
}

bool JsonReader::readString(
    const QJsonObject &o, const QString &path, const QString &key, bool nonEmpty, QString *out)
{
    const QJsonValue v = o.value(key);
    if (v.isUndefined())
        return true;
    if (!v.isString() || (nonEmpty && v.toString().isEmpty()))
        return expected(keyPath(path, key),
            nonEmpty ? QStringLiteral("a non-empty string") : QStringLiteral("a string"), v);
    *out = v.toString();
    return true;
}

bool JsonReader::requireString(
    const QJsonObject &o, const QString &path, const QString &key, const QString &what, QString *out)
{
    if (!o.contains(key))
        return missing(path, key, what);
    return readString(o, path, key, true, out);
}

bool JsonReader::readInt(const QJsonObject &o, const QString &path, const QString &key, int min, int *out)
{
    const QJsonValue v = o.value(key);
    if (v.isUndefined())
        return true;
    const double d = v.toDouble();
    const QString what = min == 0 ? QStringLiteral("a non-negative integer")
        : min == 1                ? QStringLiteral("a positive integer")
                                  : QStringLiteral("an integer >= ") + QString::number(min);
    if (!v.isDouble() || std::floor(d) != d || d < min)
        return expected(keyPath(path, key), what, v);
    if (d > Limits::MaxCount)
        return expected(keyPath(path, key), QStringLiteral("at most ") + QString::number(Limits::MaxCount), v);
    *out = int(d);
    return true;
}

bool JsonReader::number(
    const QJsonValue &v, const QString &path, double min, double max, const QString &what, double *out)
{
    const double d = v.toDouble();
    if (!v.isDouble() || !std::isfinite(d) || d < min || d > max)
        return expected(path, what, v);
    *out = d;
    return true;
}

bool JsonReader::readNumber(const QJsonObject &o, const QString &path, const QString &key, double min,
    double max, const QString &what, double *out)
{
    const QJsonValue v = o.value(key);
    if (v.isUndefined())
        return true;
    return number(v, keyPath(path, key), min, max, what, out);
}

bool JsonReader::readRate(const QJsonObject &o, const QString &path, const QString &key, double *out)
{
    return readNumber(o, path, key, 0, 1, QStringLiteral("a rate between 0 and 1"), out);
}

bool JsonReader::readBool(const QJsonObject &o, const QString &path, const QString &key, bool *out)
{
    const QJsonValue v = o.value(key);
    if (v.isUndefined())
        return true;
    if (!v.isBool())
        return expected(keyPath(path, key), QStringLiteral("true or false"), v);
    *out = v.toBool();
    return true;
}

bool JsonReader::duration(const QJsonValue &v, const QString &path, bool positive, double max, Duration *out)
{
    const double d = v.toDouble();
    if (!v.isDouble() || !std::isfinite(d) || d < 0 || (positive && d == 0))
        return expected(path,
            positive ? QStringLiteral("a duration in milliseconds (a positive number)")
                     : QStringLiteral("a duration in milliseconds (a non-negative number)"),
            v);
    max = std::min(max, MaxDurationMs);
    if (d > max)
        return expected(path,
            QStringLiteral("a duration of at most ") + QString::number(max, 'g', 12) + QStringLiteral(" ms"), v);
    *out = std::floor(d) == d ? fromMs(std::int64_t(d)) : fromMs(d);
    return true;
}

bool JsonReader::readDuration(const QJsonObject &o, const QString &path, const QString &key, bool positive,
    double max, Duration *out)
{
    const QJsonValue v = o.value(key);
    return v.isUndefined() || duration(v, keyPath(path, key), positive, max, out);
}

bool JsonReader::requireDuration(const QJsonObject &o, const QString &path, const QString &key, bool positive,
    double max, const QString &what, Duration *out)
{
    if (!o.contains(key))
        return missing(path, key, what);
    return duration(o.value(key), keyPath(path, key), positive, max, out);
}

bool JsonReader::readName(
    const QJsonObject &o, const QString &path, const QString &key, const QStringList &names, qsizetype *index)
{
    const QJsonValue v = o.value(key);
    if (v.isUndefined())
        return true;
    const QString p = keyPath(path, key);
    QStringList quoted;
    for (const QString &n : names)
        quoted << u'"' + n + u'"';
    const QString what = quoted.mid(0, quoted.size() - 1).join(QStringLiteral(", ")) + QStringLiteral(" or ")
        + quoted.last();
    if (!v.isString())
        return expected(p, what, v);
    *index = names.indexOf(v.toString());
    if (*index < 0) {
        const QString nearest = nearestName(v.toString(), names);
        return valueFail(p,
            QStringLiteral("expected ") + what + QStringLiteral(", got ") + describeJsonValue(v)
                + (nearest.isEmpty() ? QString()
                                     : QStringLiteral("; did you mean '") + nearest + QStringLiteral("'?")));
    }
    return true;
}

} // namespace bw
