#pragma once

#include "../resilience/loaderror.h"
#include "../runtime/duration.h"

#include <QByteArray>
#include <QJsonObject>

#include <optional>

namespace bw {

// How the chaos target answers (its `GET/PUT /_chaos` JSON). Every request draws, in order: a
// reset (the connection is reset, no answer), a hang (no answer until the client leaves), an
// error (`status`); then the answer waits latency + uniform jitter. Retry-After is sent with
// errors when retryAfterMs > 0, in whole seconds rounded up (the only form HTTP has for a delay).
struct ChaosSettings
{
    double errorRate = 0;
    int status = 500; // the status of the errors: 400..599
    Duration latency {};
    Duration jitter {};
    double hangRate = 0;
    Duration retryAfter {}; // 0: no Retry-After header
    double resetRate = 0;

    // Longest delay the API accepts: an hour is already far beyond any test or demo.
    static constexpr double MaxDelayMs = 3600000;

    // Reads a control-API body. Keys absent keep their value from `base`, so a PUT can change
    // one setting. A bad body fills *error (key, what was expected, the nearest valid key).
    static std::optional<ChaosSettings> fromJson(
        const QByteArray &json, LoadError *error, const ChaosSettings &base);
    // The same over the defaults.
    static std::optional<ChaosSettings> fromJson(const QByteArray &json, LoadError *error);
    QJsonObject toJson() const;

    friend bool operator==(const ChaosSettings &, const ChaosSettings &) = default;
};

} // namespace bw
