#include "credentials.h"

#include <QFile>

namespace bw {

std::optional<QByteArray> bearerTokenFromEnvironment(const QString &variable, QString *error)
{
    const QByteArray token = qgetenv(variable.toLocal8Bit().constData()).trimmed();
    if (token.isEmpty()) {
        *error = QStringLiteral("the environment variable ") + variable + QStringLiteral(" holds no token");
        return std::nullopt;
    }
    return token;
}

std::optional<QByteArray> bearerTokenFromFile(const QString &path, QString *error)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        *error = path + QStringLiteral(": ") + file.errorString();
        return std::nullopt;
    }
    // A token file holds one line; more is not a token (and is not read into memory).
    const QByteArray token = file.readLine(64 * 1024).trimmed();
    if (token.isEmpty()) {
        *error = path + QStringLiteral(": holds no token on its first line");
        return std::nullopt;
    }
    return token;
}

} // namespace bw
