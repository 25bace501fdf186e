#pragma once

#include "net/chaostarget.h"

#include <QtGlobal>

namespace bw::test {

// Sets a chaos target's settings from the JSON of its PUT /_chaos; a test's own JSON that does
// not parse ends the test executable, with the reason.
inline void setChaos(ChaosTarget &target, const QByteArray &json)
{
    LoadError error;
    const std::optional<ChaosSettings> s = ChaosSettings::fromJson(json, &error);
    if (!s)
        qFatal("bad chaos settings in a test: %s", qPrintable(error.toString()));
    target.setSettings(*s);
}

} // namespace bw::test
