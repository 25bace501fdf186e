// libFuzzer target: scenario JSON (formats.md, "Scenario"), including the inline policies it
// hands to PolicyLoader. Any input gives a scenario or a LoadError with a message.
#include "sim/scenarioloader.h"

#include <cstdint>
#include <cstdlib>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    using namespace bw;
    const QByteArray json = QByteArray::fromRawData(reinterpret_cast<const char *>(data), qsizetype(size));
    LoadError error;
    const std::optional<ScenarioConfig> scenario = parseScenario(json, QStringLiteral("fuzz.json"), &error);
    if (!scenario && error.message.isEmpty())
        std::abort(); // a refusal must say why
    return 0;
}
