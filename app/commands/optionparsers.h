#pragma once

#include "accesslog/logline.h"
#include "resilience/policy.h"
#include "runtime/duration.h"

#include <QCommandLineParser>
#include <QHostAddress>
#include <QString>

#include <cstdint>
#include <optional>
#include <utility>

namespace bw::cli {

// The values of the options that several commands take, one parser each, so that `run`,
// `replay`, `chaos-target` and the window accept the same spellings and say the same thing about
// a bad one. On bad input each returns nullopt and sets `*error` to a message naming the option:
// "--seed: expected a non-negative integer, got 'x'".

// --seed: a non-negative 64-bit integer.
std::optional<std::uint64_t> parseSeed(const QString &text, QString *error);

// A count option (--seeds, --jobs): an integer from `min` to `max`; `option` names it in the
// message ("--jobs: expected an integer from 1 to 256, got 'x'"), and `what` says what it counts
// ("--seeds: expected a number of seeds from 1 to 1000, got '0'").
std::optional<int> parseCount(const QString &option, const QString &text, int min, int max, QString *error,
    const QString &what = QStringLiteral("an integer"));

// --jobs N, as sweep and compare take it: N runs at once, 1 to 256; one per core when the
// option is not given.
std::optional<int> parseJobs(const QCommandLineParser &parser, const QCommandLineOption &option, QString *error);

// --speed: "max" (0: as fast as possible) or N × real time, 1..1000, with an optional "x" or "×"
// (the window's speed box writes "10×").
std::optional<double> parseSpeed(const QString &text, QString *error);

// A duration option: "60s", "60000ms", "2m", "1h", "1.5s", "90" (seconds).
std::optional<Duration> parseDuration(const QString &option, const QString &text, QString *error);
// --run-for, in virtual time.
std::optional<Duration> parseRunFor(const QString &text, QString *error);

// A TCP port number, 0..65535; empty when `text` is not one (the caller words the message).
std::optional<quint16> parsePort(const QString &text);

// Where the monitoring endpoints listen, from --metrics-port and --metrics-host.
struct MetricsEndpoint
{
    QHostAddress address { QHostAddress::LocalHost };
    quint16 port = 0;
};
// `port` 0..65535 (empty: 0, any free port); `host` an IP address or "localhost" (empty:
// 127.0.0.1).
std::optional<MetricsEndpoint> parseMetricsEndpoint(const QString &port, const QString &host, QString *error);

// --candidate NAME=POLICY (compare's and the window's): the name and the policy as written.
std::optional<std::pair<QString, QString>> splitCandidate(const QString &text, QString *error);

// A policy argument (compare's --candidate, export-policy's POLICY): inline JSON, a policy file or
// a preset, read by the policy loaders. `option` starts the message: "--candidate x:1:11:
// retry.maxAttempt: unknown key; …" for inline JSON (its line and column), "--candidate x: apii:
// no such file, and not a preset name; …" otherwise.
std::optional<PolicyConfig> parsePolicyArgument(const QString &option, const QString &policy, QString *message);

// --format of `import`: nginx, envoy, haproxy or jsonl.
std::optional<LogLineParser::Format> parseLogFormat(const QString &text, QString *error);

// --from and --to of `import`: an access log's timestamp (ISO 8601, nginx's $time_local, epoch
// seconds or milliseconds; parseLogTime), as Unix epoch nanoseconds. `option` names it in the message.
std::optional<std::int64_t> parseLogTimeOption(const QString &option, const QString &text, QString *error);

} // namespace bw::cli
