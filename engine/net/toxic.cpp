#include "toxic.h"

#include "../resilience/jsonreader.h"

namespace bw {

namespace {

constexpr double MaxDelayMs = 3600000; // an hour: far beyond any test or demo

class ToxicReader : public JsonReader
{
public:
    using JsonReader::JsonReader;

    bool read(const QJsonObject &o, const Toxic *base, Toxic *out)
    {
        const QString root;
        if (!checkKeys(o, root,
                { QStringLiteral("name"), QStringLiteral("type"), QStringLiteral("stream"), QStringLiteral("toxicity"),
                    QStringLiteral("attributes") }))
            return false;
        Toxic t = base ? *base : Toxic {};
        if (!base && !o.contains(QStringLiteral("type")))
            return missing(root, QStringLiteral("type"), QStringLiteral("one of ") + quotedList(Toxic::typeNames()));
        QList<Toxic::Type> types;
        for (int i = 0; i < Toxic::typeNames().size(); ++i)
            types << Toxic::Type(i);
        Toxic::Type type = t.type;
        if (!readEnum<Toxic::Type>(o, root, QStringLiteral("type"), Toxic::typeNames(), types, &type))
            return false;
        if (base && type != base->type)
            return valueFail(QStringLiteral("type"),
                QStringLiteral("a toxic's type cannot change (it is '") + Toxic::typeName(base->type)
                    + QStringLiteral("'); delete it and add a new one"));
        t.type = type;
        if (!readEnum<Toxic::Stream>(o, root, QStringLiteral("stream"),
                { QStringLiteral("upstream"), QStringLiteral("downstream") },
                { Toxic::Stream::Upstream, Toxic::Stream::Downstream }, &t.stream)
            || !readRate(o, root, QStringLiteral("toxicity"), &t.toxicity)
            || !readString(o, root, QStringLiteral("name"), true, &t.name))
            return false;
        if (base && t.name != base->name)
            return valueFail(QStringLiteral("name"), QStringLiteral("a toxic's name cannot change"));
        if (t.name.isEmpty())
            t.name = Toxic::typeName(t.type) + (t.stream == Toxic::Stream::Upstream ? QStringLiteral("_upstream")
                                                                                     : QStringLiteral("_downstream"));
        if (t.name.contains(u'/'))
            return valueFail(QStringLiteral("name"), QStringLiteral("a toxic's name cannot contain '/'"));
        if (o.contains(QStringLiteral("attributes"))) {
            QJsonObject a;
            if (!object(o.value(QStringLiteral("attributes")), QStringLiteral("attributes"), &a)
                || !attributes(a, &t))
                return false;
        }
        if (t.type == Toxic::Type::Bandwidth && t.rateKBps <= 0)
            return missing(QStringLiteral("attributes"), QStringLiteral("rate"),
                QStringLiteral("the bandwidth in KB/s (a positive number)"));
        if (t.type == Toxic::Type::Slicer && t.averageSize <= 0)
            return missing(QStringLiteral("attributes"), QStringLiteral("average_size"),
                QStringLiteral("the average piece size in bytes (a positive integer)"));
        if (t.type == Toxic::Type::LimitData && t.bytes <= 0)
            return missing(QStringLiteral("attributes"), QStringLiteral("bytes"),
                QStringLiteral("how many bytes go through before the close (a positive integer)"));
        *out = t;
        return true;
    }

private:
    bool attributes(const QJsonObject &a, Toxic *t)
    {
        const QString p = QStringLiteral("attributes");
        const QStringList keys = Toxic::attributeKeys(t->type);
        for (const QString &key : keysInFileOrder(a, p))
            if (!keys.contains(key))
                return keyFail(keyPath(p, key),
                    QStringLiteral("not an attribute of a ") + Toxic::typeName(t->type) + QStringLiteral(" toxic; ")
                        + suggestion(key, keys));
        switch (t->type) {
        case Toxic::Type::Latency:
            return readDuration(a, p, QStringLiteral("latency"), false, MaxDelayMs, &t->latency)
                && readDuration(a, p, QStringLiteral("jitter"), false, MaxDelayMs, &t->jitter);
        case Toxic::Type::Bandwidth:
            // 1 byte/s at the least: a rate of 0 would be a timeout toxic.
            return readNumber(a, p, QStringLiteral("rate"), 0.001, 1e9,
                QStringLiteral("a rate in KB/s (a positive number)"), &t->rateKBps);
        case Toxic::Type::SlowClose:
            return readDuration(a, p, QStringLiteral("delay"), false, MaxDelayMs, &t->delay);
        case Toxic::Type::Timeout:
        case Toxic::Type::ResetPeer:
            return readDuration(a, p, QStringLiteral("timeout"), false, MaxDelayMs, &t->timeout);
        case Toxic::Type::Slicer: {
            double delayUs = double(t->delay.count()) / 1000.0;
            if (!readInt(a, p, QStringLiteral("average_size"), 1, &t->averageSize)
                || !readInt(a, p, QStringLiteral("size_variation"), 0, &t->sizeVariation)
                || !readNumber(a, p, QStringLiteral("delay"), 0, MaxDelayMs * 1000,
                    QStringLiteral("a delay in microseconds (a non-negative number)"), &delayUs))
                return false;
            t->delay = Duration(std::int64_t(delayUs * 1000.0));
            if (t->sizeVariation >= t->averageSize && t->averageSize > 0)
                return valueFail(keyPath(p, QStringLiteral("size_variation")),
                    QStringLiteral("expected less than average_size (") + QString::number(t->averageSize) + u')');
            return true;
        }
        case Toxic::Type::LimitData: {
            double bytes = double(t->bytes);
            if (!readNumber(a, p, QStringLiteral("bytes"), 1, 1e15, QStringLiteral("a positive whole number of bytes"),
                    &bytes))
                return false;
            if (bytes != double(qint64(bytes)))
                return expected(keyPath(p, QStringLiteral("bytes")), QStringLiteral("a positive whole number of bytes"),
                    a.value(QStringLiteral("bytes")));
            t->bytes = qint64(bytes);
            return true;
        }
        }
        return true;
    }
};

} // namespace

QStringList Toxic::typeNames()
{
    return { QStringLiteral("latency"), QStringLiteral("bandwidth"), QStringLiteral("slow_close"),
        QStringLiteral("timeout"), QStringLiteral("reset_peer"), QStringLiteral("slicer"), QStringLiteral("limit_data") };
}

QString Toxic::typeName(Type type)
{
    return typeNames().at(int(type));
}

QStringList Toxic::attributeKeys(Type type)
{
    switch (type) {
    case Type::Latency:
        return { QStringLiteral("latency"), QStringLiteral("jitter") };
    case Type::Bandwidth:
        return { QStringLiteral("rate") };
    case Type::SlowClose:
        return { QStringLiteral("delay") };
    case Type::Timeout:
    case Type::ResetPeer:
        return { QStringLiteral("timeout") };
    case Type::Slicer:
        return { QStringLiteral("average_size"), QStringLiteral("size_variation"), QStringLiteral("delay") };
    case Type::LimitData:
        return { QStringLiteral("bytes") };
    }
    return {};
}

std::optional<Toxic> Toxic::fromJson(const QByteArray &json, LoadError *error, const Toxic *base)
{
    const JsonSource source(json, QStringLiteral("toxic"));
    const std::optional<QJsonObject> object = parseJsonObject(source, error);
    if (!object)
        return std::nullopt;
    Toxic toxic;
    ToxicReader reader(source, error);
    if (!reader.read(*object, base, &toxic))
        return std::nullopt;
    return toxic;
}

QJsonObject Toxic::toJson() const
{
    QJsonObject a;
    switch (type) {
    case Type::Latency:
        a.insert(QStringLiteral("latency"), toMs(latency));
        a.insert(QStringLiteral("jitter"), toMs(jitter));
        break;
    case Type::Bandwidth:
        a.insert(QStringLiteral("rate"), rateKBps);
        break;
    case Type::SlowClose:
        a.insert(QStringLiteral("delay"), toMs(delay));
        break;
    case Type::Timeout:
    case Type::ResetPeer:
        a.insert(QStringLiteral("timeout"), toMs(timeout));
        break;
    case Type::Slicer:
        a.insert(QStringLiteral("average_size"), averageSize);
        a.insert(QStringLiteral("size_variation"), sizeVariation);
        a.insert(QStringLiteral("delay"), double(delay.count()) / 1000.0);
        break;
    case Type::LimitData:
        a.insert(QStringLiteral("bytes"), double(bytes));
        break;
    }
    return QJsonObject { { QStringLiteral("name"), name }, { QStringLiteral("type"), typeName(type) },
        { QStringLiteral("stream"), stream == Stream::Upstream ? QStringLiteral("upstream") : QStringLiteral("downstream") },
        { QStringLiteral("toxicity"), toxicity }, { QStringLiteral("attributes"), a } };
}

} // namespace bw
