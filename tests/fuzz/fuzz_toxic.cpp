// libFuzzer target: the proxy's toxic API body (Toxic::fromJson), as a new toxic and as an
// update of an existing one. Any body gives a toxic or a LoadError with a message; a toxic read
// survives toJson and a read back unchanged (what the API lists, it accepts).
#include "net/toxic.h"

#include <QJsonDocument>

#include <cstdint>
#include <cstdlib>

namespace {

void check(const QByteArray &body, const bw::Toxic *base)
{
    using namespace bw;
    LoadError error;
    const std::optional<Toxic> toxic = Toxic::fromJson(body, &error, base);
    if (!toxic) {
        if (error.message.isEmpty())
            std::abort(); // a refusal must say why
        return;
    }
    const QByteArray written = QJsonDocument(toxic->toJson()).toJson();
    LoadError backError;
    const std::optional<Toxic> back = Toxic::fromJson(written, &backError);
    if (!back || QJsonDocument(back->toJson()).toJson() != written)
        std::abort(); // the API lists what it refuses, or it changed on the way
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QByteArray body = QByteArray::fromRawData(reinterpret_cast<const char *>(data), qsizetype(size));
    check(body, nullptr);
    bw::Toxic latency;
    latency.name = QStringLiteral("slow");
    latency.latency = bw::fromMs(100);
    latency.jitter = bw::fromMs(10);
    check(body, &latency);
    return 0;
}
