#pragma once

#include <QByteArray>
#include <QString>

#include <optional>

namespace bw {

// A bearer token for a source, read from where the user keeps it: an environment variable or a
// file (its first line, trimmed). Never from or to settings. Nullopt, with the reason, when the
// variable is unset or empty, or the file cannot be read or is empty.
std::optional<QByteArray> bearerTokenFromEnvironment(const QString &variable, QString *error);
std::optional<QByteArray> bearerTokenFromFile(const QString &path, QString *error);

} // namespace bw
