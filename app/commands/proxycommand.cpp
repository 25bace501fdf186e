#include "proxycommand.h"

#include "subcommand.h"

#include "net/toxicproxy.h"
#include "net/toxicproxyapi.h"
#include "runtime/wallscheduler.h"

#include <QCoreApplication>

namespace bw::cli {

int runProxy(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "A TCP proxy that degrades connections with Toxiproxy's toxics (latency, bandwidth, slow_close,\n"
        "timeout, reset_peer, slicer, limit_data), set live through its HTTP API:\n"
        "  GET /proxy, GET|POST /toxics, GET|POST|DELETE /toxics/NAME, POST /reset\n"
        "Runs until interrupted."));
    const QCommandLineOption listenOption(QStringLiteral("listen"),
        QStringLiteral("Where the proxy accepts connections (port 0: any free port)."),
        QStringLiteral("HOST:PORT"));
    const QCommandLineOption upstreamOption(
        QStringLiteral("upstream"), QStringLiteral("Where it forwards them."), QStringLiteral("HOST:PORT"));
    const QCommandLineOption apiOption(QStringLiteral("api"),
        QStringLiteral("Where the toxics API listens (default 127.0.0.1:8474, as Toxiproxy)."),
        QStringLiteral("HOST:PORT"), QStringLiteral("127.0.0.1:8474"));
    const QCommandLineOption toxicOption(QStringLiteral("toxic"),
        QStringLiteral("A toxic to start with, as the JSON of POST /toxics (repeatable)."),
        QStringLiteral("JSON"));
    parser.addOption(listenOption);
    parser.addOption(upstreamOption);
    parser.addOption(apiOption);
    parser.addOption(toxicOption);
    const Subcommand command(parser, arguments, QStringLiteral("proxy"));
    if (const std::optional<int> done = command.parse())
        return *done;
    if (!parser.positionalArguments().isEmpty())
        return command.badUsage(
            QStringLiteral("unexpected argument '") + parser.positionalArguments().constFirst() + u'\'');
    QHostAddress listenHost, upstreamHost, apiHost;
    quint16 listenPort = 0, upstreamPort = 0, apiPort = 0;
    for (const auto &[option, host, port] : { std::tuple { &listenOption, &listenHost, &listenPort },
             std::tuple { &upstreamOption, &upstreamHost, &upstreamPort },
             std::tuple { &apiOption, &apiHost, &apiPort } }) {
        if (!parser.isSet(*option) && option != &apiOption)
            return command.badUsage(QStringLiteral("missing --") + option->names().constFirst());
        if (!parseHostPort(parser.value(*option), host, port))
            return command.badUsage(QStringLiteral("--") + option->names().constFirst()
                + QStringLiteral(
                    ": expected HOST:PORT with a numeric address (127.0.0.1:8080, [::1]:8080), got '")
                + parser.value(*option) + u'\'');
    }

    WallScheduler scheduler;
    ToxicProxy proxy(scheduler, upstreamHost, upstreamPort);
    const QStringList toxics = parser.values(toxicOption);
    for (qsizetype i = 0; i < toxics.size(); ++i) {
        LoadError error;
        const std::optional<Toxic> t = Toxic::fromJson(toxics[i].toUtf8(), &error);
        if (!t) {
            error.file = QStringLiteral("--toxic #") + QString::number(i + 1);
            printErr(error.toString() + u'\n');
            return BadInput;
        }
        if (!proxy.addToxic(*t)) {
            printErr(QStringLiteral("--toxic #") + QString::number(i + 1)
                + QStringLiteral(": a toxic named '") + t->name + QStringLiteral("' is given twice\n"));
            return BadInput;
        }
    }
    if (proxy.listen(listenHost, listenPort) == 0) {
        printErr(QStringLiteral("breakwater proxy: cannot listen on ") + parser.value(listenOption)
            + QStringLiteral(": ") + proxy.errorString() + u'\n');
        return RunFailed;
    }
    ToxicProxyApi api(proxy);
    const quint16 apiBound = api.listen(apiHost, apiPort);
    if (apiBound == 0) {
        printErr(QStringLiteral("breakwater proxy: cannot listen on ") + parser.value(apiOption)
            + QStringLiteral(" for the API (in use? choose another with --api)\n"));
        return RunFailed;
    }
    printOut(QStringLiteral("proxy listening on ") + proxy.listenAddress()
        + QStringLiteral(", forwarding to ") + proxy.upstreamAddress()
        + QStringLiteral("\n  toxics API on http://") + apiHost.toString() + u':' + QString::number(apiBound)
        + QStringLiteral("/toxics\n"));
    return QCoreApplication::exec();
}

} // namespace bw::cli
