#include "optionparsers.h"

#include "accesslog/accesslogimporter.h"
#include "resilience/loaderror.h"
#include "resilience/policyloader.h"
#include "runtime/parallelfor.h"

#include <QStringList>

namespace bw::cli {

std::optional<std::uint64_t> parseSeed(const QString &text, QString *error)
{
    bool ok = false;
    const qulonglong seed = text.toULongLong(&ok);
    if (!ok) {
        *error = QStringLiteral("--seed: expected a non-negative integer, got '%1'").arg(text);
        return std::nullopt;
    }
    return seed;
}

std::optional<int> parseCount(
    const QString &option, const QString &text, int min, int max, QString *error, const QString &what)
{
    bool ok = false;
    const int count = text.toInt(&ok);
    if (!ok || count < min || count > max) {
        *error = QStringLiteral("%1: expected %2 from %3 to %4, got '%5'").arg(option, what).arg(min).arg(max).arg(text);
        return std::nullopt;
    }
    return count;
}

std::optional<int> parseJobs(const QCommandLineParser &parser, const QCommandLineOption &option, QString *error)
{
    if (!parser.isSet(option))
        return defaultThreadCount();
    return parseCount(QStringLiteral("--") + option.names().constFirst(), parser.value(option), 1, 256, error);
}

std::optional<double> parseSpeed(const QString &text, QString *error)
{
    const QString s = text.trimmed().toLower();
    if (s == u"max")
        return 0.0;
    bool ok = false;
    const double speed = (s.endsWith(u'x') || s.endsWith(u'×') ? s.chopped(1) : s).toDouble(&ok);
    if (!ok || speed < 1 || speed > 1000) {
        *error = QStringLiteral("--speed: expected 1..1000 or max, got '%1'").arg(text);
        return std::nullopt;
    }
    return speed;
}

std::optional<Duration> parseRunFor(const QString &text, QString *error)
{
    return parseDuration(QStringLiteral("--run-for"), text, error);
}

std::optional<Duration> parseDuration(const QString &option, const QString &text, QString *error)
{
    QString t = text.trimmed();
    double scaleMs = 1000;
    if (t.endsWith(QStringLiteral("ms"))) {
        scaleMs = 1;
        t.chop(2);
    } else if (t.endsWith(u's')) {
        t.chop(1);
    } else if (t.endsWith(u'm')) {
        scaleMs = 60000;
        t.chop(1);
    } else if (t.endsWith(u'h')) {
        scaleMs = 3600000;
        t.chop(1);
    }
    bool ok = false;
    const double value = t.toDouble(&ok);
    if (!ok || value < 0) {
        *error = QStringLiteral("%1: expected a duration such as 60s or 60000ms, got '%2'").arg(option, text);
        return std::nullopt;
    }
    return fromMs(value * scaleMs);
}

std::optional<quint16> parsePort(const QString &text)
{
    bool ok = false;
    const uint port = text.toUInt(&ok);
    if (!ok || port > 65535)
        return std::nullopt;
    return quint16(port);
}

std::optional<MetricsEndpoint> parseMetricsEndpoint(const QString &port, const QString &host, QString *error)
{
    MetricsEndpoint endpoint;
    if (!port.isEmpty()) {
        const std::optional<quint16> number = parsePort(port);
        if (!number) {
            *error = QStringLiteral("--metrics-port: expected a port number 0..65535, got '%1'").arg(port);
            return std::nullopt;
        }
        endpoint.port = *number;
    }
    const QString h = host.trimmed();
    if (h.compare(u"localhost", Qt::CaseInsensitive) == 0) {
        endpoint.address = QHostAddress(QHostAddress::LocalHost);
    } else if (!h.isEmpty() && !endpoint.address.setAddress(h)) {
        *error = QStringLiteral("--metrics-host: expected an IP address such as 127.0.0.1 or ::1, got '%1'")
                     .arg(host);
        return std::nullopt;
    }
    return endpoint;
}

std::optional<std::pair<QString, QString>> splitCandidate(const QString &text, QString *error)
{
    const qsizetype at = text.indexOf(u'=');
    const QString name = text.left(at).trimmed();
    if (at <= 0 || name.isEmpty() || at + 1 == text.size()) {
        *error = QStringLiteral("--candidate: expected NAME=POLICY, got '%1'").arg(text);
        return std::nullopt;
    }
    return std::pair { name, text.mid(at + 1) };
}

std::optional<PolicyConfig> parsePolicyArgument(const QString &option, const QString &policy, QString *message)
{
    LoadError error;
    std::optional<PolicyConfig> loaded;
    if (policy.trimmed().startsWith(u'{')) {
        loaded = parsePolicy(policy.toUtf8(), option, &error);
        *message = error.toString();
    } else {
        loaded = loadPolicy(policy, &error);
        *message = option + QStringLiteral(": ") + error.toString();
    }
    return loaded;
}

std::optional<LogLineParser::Format> parseLogFormat(const QString &text, QString *error)
{
    static const QStringList names { QStringLiteral("nginx"), QStringLiteral("envoy"), QStringLiteral("haproxy"),
        QStringLiteral("jsonl") };
    const qsizetype index = names.indexOf(text);
    if (index >= 0)
        return LogLineParser::Format(index);
    const QString nearest = nearestName(text, names);
    *error = QStringLiteral("--format: expected nginx, envoy, haproxy or jsonl, got '%1'").arg(text)
        + (nearest.isEmpty() ? QString() : QStringLiteral("; did you mean '%1'?").arg(nearest));
    return std::nullopt;
}

std::optional<std::int64_t> parseLogTimeOption(const QString &option, const QString &text, QString *error)
{
    const QByteArray bytes = text.toUtf8();
    const std::optional<std::int64_t> ns = parseLogTime(std::string_view(bytes.constData(), std::size_t(bytes.size())));
    if (!ns)
        *error = QStringLiteral("%1: expected a time such as 2026-12-06T10:00:00Z, 06/Dec/2026:10:00:00 +0000 "
                                "or epoch seconds, got '%2'")
                     .arg(option, text);
    return ns;
}

} // namespace bw::cli
