#include "cli.h"

#include "chaostargetcommand.h"
#include "comparecommand.h"
#include "exportpolicycommand.h"
#include "fleetcommand.h"
#include "proxycommand.h"
#include "importcommand.h"
#include "replaycommand.h"
#include "runcommand.h"
#include "scenarioscommand.h"
#include "sweepcommand.h"
#include "validatecommand.h"

#include <QCoreApplication>
#include <QFileInfo>

#include <cstdio>

namespace bw::cli {

namespace {

const QStringList WindowOptions { QStringLiteral("--scenario"), QStringLiteral("--speed"), QStringLiteral("--seed"),
    QStringLiteral("--run-for"), QStringLiteral("--screenshot"), QStringLiteral("--metrics-port"),
    QStringLiteral("--metrics-host"), QStringLiteral("--sweep"), QStringLiteral("--prometheus"), QStringLiteral("--hystrix"),
    QStringLiteral("--token-env"), QStringLiteral("--token-file"), QStringLiteral("--refresh"),
    QStringLiteral("--range") };

// What a bare `breakwater` does in this build.
QString windowUsage()
{
#if BREAKWATER_GUI
    return QStringLiteral("With no command, or with only these options, opens the desktop app:\n"
                          "  --scenario FILE|NAME --speed N|max --seed N --run-for DURATION --screenshot OUT.png\n"
                          "  --metrics-port PORT --metrics-host ADDRESS --sweep KEY=SPEC\n"
                          "  --prometheus URL --hystrix URL… --token-env NAME|--token-file PATH\n"
                          "  --refresh SECONDS --range live|15m|1h|6h|24h (Fleet mode)\n");
#else
    return QStringLiteral("This build has the commands only, no desktop app (it was built with -DBREAKWATER_GUI=OFF).\n");
#endif
}

} // namespace

bool wantsWindow(const QStringList &arguments)
{
    if (arguments.size() < 2)
        return true;
    const QString &first = arguments.at(1);
    for (const QString &option : WindowOptions)
        if (first == option || first.startsWith(option + u'='))
            return true;
    return false;
}

QString version()
{
    return QStringLiteral(BREAKWATER_VERSION);
}

QString usage()
{
    return QStringLiteral("Usage: breakwater [COMMAND] [OPTIONS]\n"
                          "\n"
                          "Breakwater, a resilience lab: circuit breakers, retries, timeouts, bulkheads and "
                          "fallbacks.\n"
                          "\n")
        + windowUsage()
        + QStringLiteral(
            "\n"
            "Commands:\n"
            "  run SCENARIO.json|NAME [--seed N] [--events OUT.jsonl] [--summary OUT.json] [--html OUT.html] [--progress]\n"
            "      Runs a scenario (a file or a built-in) to its end in virtual time.\n"
            "  compare SCENARIO.json|NAME --candidate NAME=POLICY ... [--operation OP] [--seeds N] [--json OUT.json]\n"
            "          [--csv OUT.csv] [--html OUT.html]\n"
            "      Runs 2 to 8 policies on the same traffic and failures and compares them figure by figure.\n"
            "  export-policy POLICY --to resilience4j|polly|opossum|envoy [--name NAME] [--out F]\n"
            "      Writes a policy as the configuration of Resilience4j, Polly, opossum or Envoy.\n"
            "  scenarios [NAME]\n"
            "      Lists the built-in scenarios with their descriptions.\n"
            "  replay TRACE.csv --policy POLICY.json|PRESET [--events OUT.jsonl] [--summary OUT.json] "
            "[--seed N]\n"
            "      Replays a recorded trace through a policy in virtual time.\n"
            "  import LOG --format nginx|envoy|haproxy|jsonl [--upstream NAME] [--from T --to T] [--out TRACE.csv]\n"
            "         [--strict] [--nginx-format FORMAT] [--map MAP]\n"
            "      Turns an access log into a trace that replay reads.\n"
            "  fleet --prometheus URL | --hystrix URL ... [--json] [--watch [--interval 5s]] [--merge-replicas]\n"
            "        [--twin SERVICE/NAME --from T --to T --out DIR]\n"
            "      Shows the circuit breakers of real services, read from Prometheus or Hystrix streams.\n"
            "  chaos-target [--port P] [--host ADDRESS] [--settings JSON]\n"
            "      Serves HTTP that fails on demand (settings live at /_chaos), for real network mode.\n"
            "  sweep SCENARIO.json|NAME --operation OP --vary KEY=SPEC... [--seeds N] [--jobs N] [--csv OUT.csv]\n"
            "        [--json OUT.json] [--objective success|amplification|p99|recovery] [--write-policy OUT.json]\n"
            "        [--html OUT.html]\n"
            "      Runs an operation's policy over a grid of settings; prints the Pareto front and the best.\n"
            "  validate [--json] [--threads N]\n"
            "      Checks the simulator against queueing theory and published results (exit 0: all pass).\n"
            "  proxy --listen HOST:PORT --upstream HOST:PORT [--api HOST:PORT] [--toxic JSON]\n"
            "      A TCP proxy with Toxiproxy's toxics, set live through its HTTP API.\n"
            "\n"
            "Options:\n"
            "  -h, --help     Displays this help.\n"
            "  -v, --version  Displays version information.\n"
            "\n"
            "Run 'breakwater COMMAND --help' for a command's options.\n");
}

void printOut(const QByteArray &bytes)
{
    std::fwrite(bytes.constData(), 1, size_t(bytes.size()), stdout);
    std::fflush(stdout);
}

void printOut(const QString &text)
{
    printOut(text.toUtf8());
}

void printErr(const QString &text)
{
    const QByteArray bytes = text.toUtf8();
    std::fwrite(bytes.constData(), 1, size_t(bytes.size()), stderr);
    std::fflush(stderr);
}

QString subcommandHelp(const QCommandLineParser &parser, const QString &program, const QString &command)
{
    QString help = parser.helpText();
    const qsizetype at = help.indexOf(program);
    if (at >= 0)
        help.replace(at, program.size(), QStringLiteral("breakwater ") + command);
    return help;
}

int dispatch(const QStringList &arguments)
{
    if (wantsWindow(arguments)) {
        printErr(QStringLiteral("breakwater: this build has no window; give it one of the commands below\n\n")
            + usage());
        return BadInput;
    }
    const QString &command = arguments.at(1);
    if (command == u"-h" || command == u"--help" || command == u"help") {
        printOut(usage());
        return Ok;
    }
    if (command == u"-v" || command == u"--version") {
        printOut(QStringLiteral("breakwater ") + version() + u'\n');
        return Ok;
    }
    QStringList rest = arguments.mid(1);
    rest[0] = arguments.at(0); // the parser skips the program name
    if (command == u"chaos-target")
        return runChaosTarget(rest);
    if (command == u"compare")
        return runCompare(rest);
    if (command == u"export-policy")
        return exportPolicyCommand(rest);
    if (command == u"fleet")
        return runFleet(rest);
    if (command == u"import")
        return runImport(rest);
    if (command == u"proxy")
        return runProxy(rest);
    if (command == u"replay")
        return runReplay(rest);
    if (command == u"run")
        return runScenario(rest);
    if (command == u"scenarios")
        return listScenarios(rest);
    if (command == u"sweep")
        return sweepScenario(rest);
    if (command == u"validate")
        return runValidate(rest);
    if (command.startsWith(u'-'))
        printErr(
            QStringLiteral("breakwater: unknown option '") + command + QStringLiteral("'\n\n") + usage());
    else
        printErr(
            QStringLiteral("breakwater: unknown command '") + command + QStringLiteral("'\n\n") + usage());
    return BadInput;
}

} // namespace bw::cli
