#pragma once

#include "../resilience/policy.h"

#include <QByteArray>
#include <QString>
#include <QStringList>

#include <optional>

namespace bw {

// The libraries a policy exports to (README, "Taking a policy home").
enum class ExportTarget : std::uint8_t { Resilience4j, Polly, Opossum, Envoy };
QLatin1StringView exportTargetName(ExportTarget target); // "resilience4j", "polly", "opossum", "envoy"
std::optional<ExportTarget> exportTargetFromName(QStringView name);
QStringList exportTargetNames();
// "yml" or "json": what the export is written in.
QLatin1StringView exportSuffix(ExportTarget target);

struct PolicyExport
{
    // The target's configuration. YAML carries its notes as comments; JSON cannot, so it is left
    // pure (loadable as it is: JSON.parse, .NET's binder) and its notes go in `notes`.
    QByteArray text;
    // One line per setting that does not map exactly: the setting, and what the target does
    // instead. For YAML the same lines are comments in `text` too.
    QStringList notes;
    // The notes as a text file to keep beside a JSON export (empty for YAML).
    QByteArray sideNotes;
};

// `name` names the instance (Resilience4j), the options section (Polly), the breaker (opossum)
// or the cluster (Envoy); it must be a valid export name (exportNameError).
PolicyExport exportPolicy(const PolicyConfig &policy, ExportTarget target, const QString &name);

// Empty when `name` can name an instance in every target (letters, digits, '_' and '-', at most
// 64); otherwise what is wrong with it.
QString exportNameError(const QString &name);

} // namespace bw
