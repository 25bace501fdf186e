#pragma once

#include "loaderror.h"
#include "policy.h"

#include <QJsonObject>

#include <optional>

namespace bw {

// Reads the policy JSON of docs/formats.md into a PolicyConfig, strictly: every key of the guide's
// config with its exact name, and nothing else. Rules, in short:
// - "policy": "api" at the top level takes that preset as the base; every other section given
//   overrides the preset's, field by field when it is an object.
// - A section absent keeps the base (off without a preset); false turns it off; true keeps the
//   preset's section or takes the defaults (the breaker's slowCallRateThreshold stays 0, off,
//   unless set); a string names a preset: a policy preset for any section ("circuitBreaker":
//   "api" takes api's breaker), a RetryPolicies name for retry ("network"), a TimeoutManager name
//   for timeout ("api.ai"). An object starts from the base section, or the defaults.
// - Durations are milliseconds; rates are in [0, 1]; "order" lists every stage that is on.
// - "name" defaults to the preset's name, else to the given default name (the file's base name).
// The first problem found ends the read with a LoadError naming the file, line, column, key
// path, what was expected and, for a misspelt key, the nearest valid one.
class PolicyLoader
{
public:
    explicit PolicyLoader(const JsonSource &source)
        : m_source(source)
    { }

    // Reads the policy object found at `path` in the source: "" for a policy file, or for
    // example "policies.strict" inside a scenario, so errors name the full path and position.
    std::optional<PolicyConfig> read(
        const QJsonObject &object, const QString &path, const QString &defaultName, LoadError *error) const;

    static QStringList topLevelKeys();
    static QStringList circuitBreakerKeys();
    static QStringList retryKeys();
    static QStringList retryQuotaKeys();
    static QStringList bulkheadKeys();
    static QStringList rateLimiterKeys();
    static QStringList hedgingKeys();
    static QStringList adaptiveThrottleKeys();
    // The keys the section takes with that algorithm (Netflix concurrency-limits' names).
    static QStringList concurrencyLimitKeys(LimitAlgorithm algorithm);

private:
    const JsonSource &m_source;
};

// Parses policy JSON; `fileName` is used in messages and gives the default name.
std::optional<PolicyConfig> parsePolicy(const QByteArray &json, const QString &fileName, LoadError *error);
// Reads a policy file.
std::optional<PolicyConfig> loadPolicyFile(const QString &path, LoadError *error);
// A path to an existing file is read as a policy file; otherwise a preset name ("api") gives
// that preset; anything else is an error listing the presets.
std::optional<PolicyConfig> loadPolicy(const QString &fileOrPreset, LoadError *error);

} // namespace bw
