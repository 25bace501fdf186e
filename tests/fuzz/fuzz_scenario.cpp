// libFuzzer target: scenario JSON (docs/formats.md, "Scenario"), including the inline policies it
// hands to PolicyLoader. Any input gives a scenario or a LoadError with a message; a simulated
// scenario read must build its simulation (services, pipelines) within memory (docs/formats.md,
// "Limits").
#include "run/scenariorun.h"
#include "scenario/scenarioloader.h"

#include <cstdint>
#include <cstdlib>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    using namespace bw;
    const QByteArray json = QByteArray::fromRawData(reinterpret_cast<const char *>(data), qsizetype(size));
    LoadError error;
    const std::optional<ScenarioConfig> scenario = parseScenario(json, QStringLiteral("fuzz.json"), &error);
    if (!scenario) {
        if (error.message.isEmpty())
            std::abort(); // a refusal must say why
        return 0;
    }
    if (!ScenarioRun::needsRealTime(*scenario)) { // a URL service would open sockets
        const ScenarioRun simulation(*scenario);
    }
    return 0;
}
