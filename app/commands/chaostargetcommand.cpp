#include "chaostargetcommand.h"

#include "optionparsers.h"
#include "subcommand.h"

#include "net/chaostarget.h"
#include "runtime/wallscheduler.h"

#include <QCoreApplication>

namespace bw::cli {

int runChaosTarget(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Serves HTTP that fails on demand, for real network mode: every path but /_chaos answers per\n"
        "the settings, which change live:\n"
        "  GET /_chaos, PUT /_chaos   the settings (JSON: errorRate, status, latencyMs, jitterMs,\n"
        "                             hangRate, retryAfterMs, resetRate); a PUT changes the keys given\n"
        "  GET /_chaos/stats          what it served (DELETE zeroes it)\n"
        "Runs until interrupted."));
    const QCommandLineOption portOption(QStringLiteral("port"),
        QStringLiteral("The port to listen on (0: any free port, printed at start)."), QStringLiteral("P"),
        QStringLiteral("8080"));
    const QCommandLineOption hostOption(QStringLiteral("host"),
        QStringLiteral("The address to listen on (default 127.0.0.1: this machine only)."),
        QStringLiteral("ADDRESS"), QStringLiteral("127.0.0.1"));
    const QCommandLineOption settingsOption(QStringLiteral("settings"),
        QStringLiteral("Initial settings, as the JSON of PUT /_chaos."), QStringLiteral("JSON"));
    const QCommandLineOption seedOption(QStringLiteral("seed"),
        QStringLiteral("Seed of the draws deciding which requests fail (default 1)."), QStringLiteral("N"),
        QStringLiteral("1"));
    parser.addOption(portOption);
    parser.addOption(hostOption);
    parser.addOption(settingsOption);
    parser.addOption(seedOption);
    const Subcommand command(parser, arguments, QStringLiteral("chaos-target"));
    if (const std::optional<int> done = command.parse())
        return *done;
    if (!parser.positionalArguments().isEmpty())
        return command.badUsage(
            QStringLiteral("unexpected argument '") + parser.positionalArguments().constFirst() + u'\'');

    const std::optional<quint16> port = parsePort(parser.value(portOption));
    if (!port)
        return command.badUsage(QStringLiteral("--port: expected a port from 0 to 65535, got '")
            + parser.value(portOption) + u'\'');
    const QHostAddress host(parser.value(hostOption));
    if (host.isNull())
        return command.badUsage(
            QStringLiteral("--host: expected an IP address, got '") + parser.value(hostOption) + u'\'');
    QString problem;
    const std::optional<std::uint64_t> seed = parseSeed(parser.value(seedOption), &problem);
    if (!seed)
        return command.badUsage(problem);
    ChaosSettings settings;
    if (parser.isSet(settingsOption)) {
        LoadError error;
        std::optional<ChaosSettings> s
            = ChaosSettings::fromJson(parser.value(settingsOption).toUtf8(), &error);
        if (!s) {
            error.file = QStringLiteral("--settings");
            printErr(error.toString() + u'\n');
            return BadInput;
        }
        settings = *s;
    }

    WallScheduler scheduler;
    ChaosTarget target(scheduler, *seed);
    target.setSettings(settings);
    if (target.start(host, *port) == 0) {
        printErr(QStringLiteral("breakwater chaos-target: cannot listen on ") + host.toString() + u':'
            + QString::number(*port) + QStringLiteral(" (in use, or not an address of this machine)\n"));
        return RunFailed;
    }
    const QString hostText
        = host.protocol() == QAbstractSocket::IPv6Protocol ? u'[' + host.toString() + u']' : host.toString();
    printOut(QStringLiteral("chaos target listening on http://") + hostText + u':'
        + QString::number(target.port())
        + QStringLiteral("\n  settings: PUT/GET /_chaos   stats: GET /_chaos/stats\n"));
    return QCoreApplication::exec();
}

} // namespace bw::cli
