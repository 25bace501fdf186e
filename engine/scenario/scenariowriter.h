#pragma once

#include "scenario.h"

#include <QByteArray>
#include <QJsonObject>

namespace bw {

// A scenario as the JSON of docs/formats.md, so that the scenario loader reads back the same
// ScenarioConfig: what the app's File ▸ Save scenario writes. The scenario's own policies are
// written in full; an operation whose policy is still the one its name resolves to keeps the
// name, and an operation whose policy was edited (live, in the app) gets it inline, so a saved
// scenario runs with the policies it was saved with.
QJsonObject scenarioToJson(const ScenarioConfig &scenario);
QByteArray scenarioToJsonBytes(const ScenarioConfig &scenario); // indented, ends with a newline

} // namespace bw
