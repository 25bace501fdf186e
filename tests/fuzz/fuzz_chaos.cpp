// libFuzzer target: the chaos target's control API body (PUT /_chaos, ChaosSettings::fromJson),
// read over the defaults and as an update of other settings. Any body gives settings or a
// LoadError with a message; settings read survive toJson and a read back unchanged (what
// GET /_chaos answers must be accepted by PUT /_chaos).
#include "net/chaossettings.h"

#include <QJsonDocument>

#include <cstdint>
#include <cstdlib>

namespace {

void check(const QByteArray &body, const bw::ChaosSettings &base)
{
    using namespace bw;
    LoadError error;
    const std::optional<ChaosSettings> settings = ChaosSettings::fromJson(body, &error, base);
    if (!settings) {
        if (error.message.isEmpty())
            std::abort(); // a refusal must say why
        return;
    }
    const QByteArray written = QJsonDocument(settings->toJson()).toJson();
    LoadError backError;
    const std::optional<ChaosSettings> back = ChaosSettings::fromJson(written, &backError);
    if (!back || QJsonDocument(back->toJson()).toJson() != written)
        std::abort(); // GET's answer refused by PUT, or changed on the way
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QByteArray body = QByteArray::fromRawData(reinterpret_cast<const char *>(data), qsizetype(size));
    check(body, bw::ChaosSettings());
    bw::ChaosSettings base;
    base.errorRate = 0.25;
    base.status = 503;
    base.latency = bw::fromMs(40);
    base.retryAfter = bw::fromMs(1500);
    check(body, base);
    return 0;
}
