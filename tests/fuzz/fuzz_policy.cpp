// libFuzzer target: policy JSON (docs/formats.md, "Policy"). Any input must give a policy or a
// LoadError with a message, never a crash; a policy read must survive a write and a read back
// unchanged (the control events and the app's policy editor rely on that round trip), and must
// build its pipeline: a size the loader lets through must fit in memory (docs/formats.md, "Limits";
// `make fuzz` runs with a 2 GB malloc limit).
#include "resilience/pipeline.h"
#include "resilience/policyloader.h"
#include "resilience/policywriter.h"
#include "runtime/virtualscheduler.h"

#include <QJsonDocument>

#include <cstdint>
#include <cstdlib>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    using namespace bw;
    const QByteArray json = QByteArray::fromRawData(reinterpret_cast<const char *>(data), qsizetype(size));
    LoadError error;
    const std::optional<PolicyConfig> policy = parsePolicy(json, QStringLiteral("fuzz.json"), &error);
    if (!policy) {
        if (error.message.isEmpty())
            std::abort(); // a refusal must say why
        return 0;
    }
    const QByteArray written = QJsonDocument(policyToJson(*policy)).toJson();
    LoadError backError;
    const std::optional<PolicyConfig> back = parsePolicy(written, QStringLiteral("written.json"), &backError);
    if (!back || QJsonDocument(policyToJson(*back)).toJson() != written)
        std::abort(); // the writer wrote what the loader refuses, or it changed on the way
    VirtualScheduler scheduler;
    const Pipeline pipeline(*policy, scheduler);
    return 0;
}
