#include "chaossettings.h"

#include "../resilience/jsonreader.h"

namespace bw {

namespace {

class ChaosSettingsReader : public JsonReader
{
public:
    using JsonReader::JsonReader;

    bool read(const QJsonObject &o, ChaosSettings *out)
    {
        const QStringList keys { QStringLiteral("errorRate"), QStringLiteral("status"), QStringLiteral("latencyMs"),
            QStringLiteral("jitterMs"), QStringLiteral("hangRate"), QStringLiteral("retryAfterMs"),
            QStringLiteral("resetRate") };
        const QString root;
        if (!checkKeys(o, root, keys))
            return false;
        double status = out->status;
        if (!readRate(o, root, QStringLiteral("errorRate"), &out->errorRate)
            || !readNumber(o, root, QStringLiteral("status"), 400, 599,
                QStringLiteral("an HTTP error status from 400 to 599"), &status)
            || !readDuration(o, root, QStringLiteral("latencyMs"), false, ChaosSettings::MaxDelayMs, &out->latency)
            || !readDuration(o, root, QStringLiteral("jitterMs"), false, ChaosSettings::MaxDelayMs, &out->jitter)
            || !readRate(o, root, QStringLiteral("hangRate"), &out->hangRate)
            || !readDuration(
                o, root, QStringLiteral("retryAfterMs"), false, ChaosSettings::MaxDelayMs, &out->retryAfter)
            || !readRate(o, root, QStringLiteral("resetRate"), &out->resetRate))
            return false;
        if (status != double(int(status)))
            return expected(QStringLiteral("status"), QStringLiteral("an HTTP error status from 400 to 599"),
                o.value(QStringLiteral("status")));
        out->status = int(status);
        return true;
    }
};

} // namespace

std::optional<ChaosSettings> ChaosSettings::fromJson(const QByteArray &json, LoadError *error, const ChaosSettings &base)
{
    const JsonSource source(json, QStringLiteral("chaos settings"));
    const std::optional<QJsonObject> object = parseJsonObject(source, error);
    if (!object)
        return std::nullopt;
    ChaosSettings settings = base;
    ChaosSettingsReader reader(source, error);
    if (!reader.read(*object, &settings))
        return std::nullopt;
    return settings;
}

std::optional<ChaosSettings> ChaosSettings::fromJson(const QByteArray &json, LoadError *error)
{
    return fromJson(json, error, ChaosSettings());
}

QJsonObject ChaosSettings::toJson() const
{
    return QJsonObject { { QStringLiteral("errorRate"), errorRate }, { QStringLiteral("status"), status },
        { QStringLiteral("latencyMs"), toMs(latency) }, { QStringLiteral("jitterMs"), toMs(jitter) },
        { QStringLiteral("hangRate"), hangRate }, { QStringLiteral("retryAfterMs"), toMs(retryAfter) },
        { QStringLiteral("resetRate"), resetRate } };
}

} // namespace bw
