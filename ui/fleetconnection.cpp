#include "fleetconnection.h"

#include "fleet/credentials.h"

#include <QSettings>
#include <QUrl>

namespace bw {

namespace {

bool checkUrl(const QString &what, const QString &text, QString *error)
{
    const QUrl url(text, QUrl::StrictMode);
    const QString scheme = url.scheme();
    if (url.isValid() && (scheme == u"http" || scheme == u"https") && !url.host().isEmpty())
        return true;
    *error = QStringLiteral("%1: expected an http or https URL with a host, got '%2'").arg(what, text);
    return false;
}

} // namespace

bool FleetConnection::check(QString *error) const
{
    if (isEmpty()) {
        *error = QStringLiteral("expected a Prometheus URL or a Hystrix stream URL");
        return false;
    }
    if (!prometheus.isEmpty() && !checkUrl(QStringLiteral("Prometheus"), prometheus, error))
        return false;
    for (qsizetype i = 0; i < hystrix.size(); ++i)
        if (!checkUrl(QStringLiteral("Hystrix stream %1").arg(i + 1), hystrix[i], error))
            return false;
    if (!tokenVariable.isEmpty() && !tokenFile.isEmpty()) {
        *error = QStringLiteral("bearer token: expected an environment variable or a file, not both");
        return false;
    }
    if (refreshSeconds < 1 || refreshSeconds > MaxRefreshSeconds) {
        *error = QStringLiteral("refresh interval: expected 1 to %1 seconds, got %2")
                     .arg(MaxRefreshSeconds)
                     .arg(refreshSeconds);
        return false;
    }
    return true;
}

std::optional<QString> FleetConnection::bearerToken(QString *error) const
{
    std::optional<QByteArray> token = QByteArray();
    if (!tokenVariable.isEmpty())
        token = bearerTokenFromEnvironment(tokenVariable, error);
    else if (!tokenFile.isEmpty())
        token = bearerTokenFromFile(tokenFile, error);
    if (!token) {
        *error = QStringLiteral("bearer token: ") + *error;
        return std::nullopt;
    }
    return QString::fromUtf8(*token);
}

FleetConnection FleetConnection::load(const QSettings &settings)
{
    FleetConnection c;
    c.prometheus = settings.value(QStringLiteral("fleet/prometheus")).toString();
    c.hystrix = settings.value(QStringLiteral("fleet/hystrix")).toStringList();
    c.tokenVariable = settings.value(QStringLiteral("fleet/tokenVariable")).toString();
    c.tokenFile = settings.value(QStringLiteral("fleet/tokenFile")).toString();
    c.refreshSeconds = settings.value(QStringLiteral("fleet/refreshSeconds"), DefaultRefreshSeconds).toInt();
    return c;
}

void FleetConnection::save(QSettings &settings) const
{
    settings.setValue(QStringLiteral("fleet/prometheus"), prometheus);
    settings.setValue(QStringLiteral("fleet/hystrix"), hystrix);
    settings.setValue(QStringLiteral("fleet/tokenVariable"), tokenVariable);
    settings.setValue(QStringLiteral("fleet/tokenFile"), tokenFile);
    settings.setValue(QStringLiteral("fleet/refreshSeconds"), refreshSeconds);
}

} // namespace bw
