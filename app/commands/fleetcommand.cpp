#include "fleetcommand.h"

#include "cli.h"
#include "optionparsers.h"
#include "progressbar.h"
#include "subcommand.h"

#include "fleet/credentials.h"
#include "fleet/fleetmonitor.h"
#include "fleet/fleettwin.h"
#include "scenario/scenariowriter.h"
#include "fleet/hystrixsource.h"
#include "fleet/prometheussource.h"
#include "resilience/policywriter.h"
#include "runtime/atomicfile.h"
#include "runtime/wallscheduler.h"

#include <QDateTime>
#include <QDir>
#include <QEventLoop>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLocale>


namespace bw::cli {

namespace {

// How long a one-shot `fleet` keeps a Hystrix stream open after its first message, so that every
// command has sent one (Hystrix sends each every 0.5 s, opossum-hystrix every second).
constexpr Duration HystrixSettle = std::chrono::milliseconds(1500);

QString figure(double value, int decimals = 1)
{
    return hasFigure(value) ? QLocale::c().toString(value, 'f', decimals) : QStringLiteral("-");
}

QJsonValue jsonFigure(double value)
{
    return hasFigure(value) ? QJsonValue(value) : QJsonValue(QJsonValue::Null);
}

QString stateText(const std::optional<CircuitState> &state)
{
    return state ? QString(circuitStateName(*state)) : QStringLiteral("UNKNOWN");
}

// The rows to show: each reading, or each replica group's merged reading with its summary.
struct Row
{
    BreakerReading reading;
    QString replicas; // "3 of 8 replicas OPEN" when merged
};

std::vector<Row> rows(const FleetSnapshot &snapshot, bool merged)
{
    std::vector<Row> out;
    if (!merged) {
        for (const BreakerReading &r : snapshot.breakers)
            out.push_back({ r, {} });
        return out;
    }
    for (const ReplicaGroup &g : groupReplicas(snapshot.breakers))
        out.push_back({ g.merged, g.stateSummary() });
    return out;
}

// A `URL` option's values: http or https URLs with a host, else the usage error.
std::optional<QList<QUrl>> urls(const QCommandLineParser &parser, const QCommandLineOption &option, QString *error)
{
    QList<QUrl> out;
    for (const QString &text : parser.values(option)) {
        const QUrl url(text, QUrl::StrictMode);
        if (!url.isValid() || url.host().isEmpty() || (url.scheme() != u"http" && url.scheme() != u"https")) {
            *error = QStringLiteral("--") + option.names().constFirst()
                + QStringLiteral(": expected an http:// or https:// URL, got '") + text + u'\'';
            return std::nullopt;
        }
        out.append(url);
    }
    return out;
}

// SERVICE/NAME or SERVICE/NAME@INSTANCE.
struct TwinTarget
{
    QString service, name, instance;
    bool matches(const BreakerId &id) const
    {
        return id.service == service && id.name == name && (instance.isEmpty() || id.instance == instance);
    }
};

std::optional<TwinTarget> parseTwinTarget(const QString &text, QString *error)
{
    TwinTarget t;
    QString rest = text;
    const qsizetype at = rest.indexOf(u'@');
    if (at >= 0) {
        t.instance = rest.mid(at + 1);
        rest.truncate(at);
    }
    const qsizetype slash = rest.indexOf(u'/');
    if (slash <= 0 || slash == rest.size() - 1) {
        *error = QStringLiteral("--twin: expected SERVICE/NAME or SERVICE/NAME@INSTANCE, got '") + text + u'\'';
        return std::nullopt;
    }
    t.service = rest.left(slash);
    t.name = rest.mid(slash + 1);
    return t;
}

// Writes the twin's trace and policy; prints what it wrote. The exit status.
int writeTwin(const BreakerSeries &series, Duration step, const QString &dir)
{
    if (!QDir().mkpath(dir)) {
        printErr(AtomicFile::cannotWrite(dir, QStringLiteral("cannot create the folder")) + u'\n');
        return RunFailed;
    }
    const QString tracePath = QDir(dir).filePath(QStringLiteral("trace.csv"));
    const QString policyPath = QDir(dir).filePath(QStringLiteral("policy.json"));
    const QString scenarioPath = QDir(dir).filePath(QStringLiteral("scenario.json"));
    TwinReport report;
    const PolicyConfig policy = libraryDefaultPolicy(series.id.library, series.id.name);
    const ScenarioConfig scenario = twinScenario(series, step, QStringLiteral("trace.csv"), policy, &report);
    QString error;
    if (!writeFileAtomically(tracePath, traceCsv(*scenario.operations.front().trace), &error)
        || !writeFileAtomically(policyPath, QJsonDocument(policyToJson(policy)).toJson(), &error)
        || !writeFileAtomically(scenarioPath, scenarioToJsonBytes(scenario), &error)) {
        printErr(error + u'\n');
        return RunFailed;
    }
    printErr(QStringLiteral("%1: %L2 steps (%L3 without data), %L4 calls, %L5 failures, %L6 refused by the real breaker\n"
                            "  %7: the trace\n  %8: %9's default breaker\n  %10: the trace through that breaker\n"
                            "replay it:   breakwater replay %7 --policy %8\n"
                            "compare:     breakwater compare %10 --candidate known=%8 --candidate other=OTHER.json\n"
                            "             (OTHER.json: a copy of %8 with other thresholds)\n"
                            "sweep:       breakwater sweep %10 --vary circuitBreaker.failureRateThreshold=0.1:0.9:0.1\n")
                 .arg(series.id.displayName())
                 .arg(report.steps)
                 .arg(report.stepsWithoutData)
                 .arg(report.calls)
                 .arg(report.failures)
                 .arg(report.rejectedCalls)
                 .arg(tracePath, policyPath, fleetLibraryName(series.id.library), scenarioPath));
    return Ok;
}

} // namespace

QString fleetTable(const FleetSnapshot &snapshot, bool merged)
{
    QList<QStringList> table;
    table.append({ QStringLiteral("SOURCE"), QStringLiteral("SERVICE"), merged ? QStringLiteral("REPLICAS") : QStringLiteral("INSTANCE"),
        QStringLiteral("NAME"), QStringLiteral("LIBRARY"), QStringLiteral("STATE"), QStringLiteral("FAILURE%"),
        QStringLiteral("CALLS/S"), QStringLiteral("REJECTED/S") });
    for (const Row &row : rows(snapshot, merged)) {
        const BreakerReading &r = row.reading;
        table.append({ r.id.source, r.id.service, merged ? row.replicas : r.id.instance, r.id.name,
            QString(fleetLibraryName(r.id.library)), stateText(r.state), figure(r.failureRatePercent),
            figure(r.callsPerSecond), figure(r.rejectedPerSecond) });
    }
    QList<qsizetype> widths(table.front().size(), 0);
    for (const QStringList &line : table)
        for (qsizetype i = 0; i < line.size(); ++i)
            widths[i] = std::max(widths[i], line[i].size());
    QString out;
    for (const QStringList &line : table) {
        QString text;
        for (qsizetype i = 0; i < line.size(); ++i) {
            const bool number = i >= 6; // the figures align right
            const QString cell = number ? line[i].rightJustified(widths[i]) : line[i].leftJustified(widths[i]);
            text += (i ? QStringLiteral("  ") : QString()) + cell;
        }
        while (text.endsWith(u' '))
            text.chop(1);
        out += text + u'\n';
    }
    return out;
}

QByteArray fleetJson(const FleetSnapshot &snapshot, bool merged)
{
    QJsonArray breakers;
    for (const Row &row : rows(snapshot, merged)) {
        const BreakerReading &r = row.reading;
        QJsonObject byOutcome;
        for (const Outcome o : AllOutcomes)
            if (hasFigure(r.callsPerSecondByOutcome[std::size_t(o)]))
                byOutcome.insert(QString(outcomeName(o)), r.callsPerSecondByOutcome[std::size_t(o)]);
        QJsonObject b { { QStringLiteral("source"), r.id.source },
            { QStringLiteral("library"), QString(fleetLibraryName(r.id.library)) },
            { QStringLiteral("service"), r.id.service }, { QStringLiteral("instance"), r.id.instance },
            { QStringLiteral("name"), r.id.name },
            { QStringLiteral("state"), r.state ? QJsonValue(QString(circuitStateName(*r.state))) : QJsonValue(QJsonValue::Null) },
            { QStringLiteral("failureRatePercent"), jsonFigure(r.failureRatePercent) },
            { QStringLiteral("slowCallRatePercent"), jsonFigure(r.slowCallRatePercent) },
            { QStringLiteral("callsPerSecond"), jsonFigure(r.callsPerSecond) },
            { QStringLiteral("rejectedPerSecond"), jsonFigure(r.rejectedPerSecond) },
            { QStringLiteral("retriedCallsPerSecond"), jsonFigure(r.retriedCallsPerSecond) },
            { QStringLiteral("meanLatencyMs"), jsonFigure(r.meanLatencyMs) },
            { QStringLiteral("bulkheadUsed"), jsonFigure(r.bulkheadUsed) },
            { QStringLiteral("bulkheadMax"), jsonFigure(r.bulkheadMax) },
            { QStringLiteral("callsPerSecondByOutcome"), byOutcome } };
        if (merged)
            b.insert(QStringLiteral("replicas"), row.replicas);
        breakers.append(b);
    }
    QJsonArray sources;
    for (const SourceStatus &s : snapshot.sources)
        sources.append(QJsonObject { { QStringLiteral("url"), s.url }, { QStringLiteral("reachable"), s.reachable },
            { QStringLiteral("error"), s.error.isEmpty() ? QJsonValue(QJsonValue::Null) : QJsonValue(s.error) },
            { QStringLiteral("breakers"), s.breakers } });
    return QJsonDocument(QJsonObject { { QStringLiteral("breakers"), breakers }, { QStringLiteral("sources"), sources } })
        .toJson(QJsonDocument::Compact)
        + '\n';
}

int runFleet(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Shows the circuit breakers of real services: every breaker a Prometheus server holds\n"
        "(Resilience4j, opossum, Polly and Breakwater's metric names) and every command of a Hystrix\n"
        "or Turbine stream, one row each, states in Breakwater's names (docs/formats.md, \"Fleet\n"
        "monitoring\"). With --twin, writes a breaker's history as a trace and its library's default\n"
        "breaker as a policy, for replay, compare and sweep."));
    const QCommandLineOption prometheusOption(QStringLiteral("prometheus"),
        QStringLiteral("A Prometheus server to read, e.g. http://127.0.0.1:9090 (several allowed)."), QStringLiteral("URL"));
    const QCommandLineOption hystrixOption(QStringLiteral("hystrix"),
        QStringLiteral("A Hystrix, Turbine, opossum-hystrix or Breakwater /hystrix.stream (several allowed)."),
        QStringLiteral("URL"));
    const QCommandLineOption jsonOption(QStringLiteral("json"),
        QStringLiteral("Prints {\"breakers\": [...], \"sources\": [...]} instead of the table (one line per refresh with --watch)."));
    const QCommandLineOption watchOption(QStringLiteral("watch"), QStringLiteral("Refreshes until interrupted, like top."));
    const QCommandLineOption intervalOption(QStringLiteral("interval"),
        QStringLiteral("With --watch: the time between refreshes (default 5s)."), QStringLiteral("DURATION"));
    const QCommandLineOption countOption(QStringLiteral("count"),
        QStringLiteral("With --watch: stops after N refreshes."), QStringLiteral("N"));
    const QCommandLineOption mergeOption(QStringLiteral("merge-replicas"),
        QStringLiteral("One row per service and breaker, its replicas together (\"3 of 8 replicas OPEN\")."));
    const QCommandLineOption timeoutOption(QStringLiteral("timeout"),
        QStringLiteral("How long a source may take to answer (default 10s)."), QStringLiteral("DURATION"));
    const QCommandLineOption rateWindowOption(QStringLiteral("rate-window"),
        QStringLiteral("Prometheus: the range rates are taken over (default 1m; at least 4 scrape intervals)."),
        QStringLiteral("DURATION"));
    const QCommandLineOption tokenEnvOption(QStringLiteral("token-env"),
        QStringLiteral("Sends the bearer token held in this environment variable."), QStringLiteral("VARIABLE"));
    const QCommandLineOption tokenFileOption(QStringLiteral("token-file"),
        QStringLiteral("Sends the bearer token on this file's first line."), QStringLiteral("FILE"));
    const QCommandLineOption twinOption(QStringLiteral("twin"),
        QStringLiteral("Writes this breaker's history (one --prometheus) as a trace and a policy: SERVICE/NAME[@INSTANCE]."),
        QStringLiteral("SERVICE/NAME"));
    const QCommandLineOption fromOption(QStringLiteral("from"),
        QStringLiteral("With --twin: the history's start (2026-12-06T14:00:00Z or epoch seconds; default an hour before --to)."),
        QStringLiteral("T"));
    const QCommandLineOption toOption(QStringLiteral("to"), QStringLiteral("With --twin: the history's end (default now)."),
        QStringLiteral("T"));
    const QCommandLineOption stepOption(QStringLiteral("step"),
        QStringLiteral("With --twin: the history's step (default 10s)."), QStringLiteral("DURATION"));
    const QCommandLineOption outOption(QStringLiteral("out"),
        QStringLiteral("With --twin: the folder for trace.csv, policy.json and scenario.json."), QStringLiteral("DIR"));
    for (const QCommandLineOption *o : { &prometheusOption, &hystrixOption, &jsonOption, &watchOption, &intervalOption,
             &countOption, &mergeOption, &timeoutOption, &rateWindowOption, &tokenEnvOption, &tokenFileOption, &twinOption,
             &fromOption, &toOption, &stepOption, &outOption })
        parser.addOption(*o);
    const Subcommand command(parser, arguments, QStringLiteral("fleet"));
    if (const std::optional<int> done = command.parse())
        return *done;
    if (!parser.positionalArguments().isEmpty())
        return command.badUsage(QStringLiteral("unexpected argument '") + parser.positionalArguments().constFirst() + u'\'');

    QString problem;
    const std::optional<QList<QUrl>> prometheusUrls = urls(parser, prometheusOption, &problem);
    const std::optional<QList<QUrl>> hystrixUrls = prometheusUrls ? urls(parser, hystrixOption, &problem) : std::nullopt;
    if (!hystrixUrls)
        return command.badUsage(problem);
    if (prometheusUrls->isEmpty() && hystrixUrls->isEmpty())
        return command.badUsage(QStringLiteral("give at least one --prometheus URL or --hystrix URL"));
    const auto duration = [&](const QCommandLineOption &option, Duration fallback) -> std::optional<Duration> {
        if (!parser.isSet(option))
            return fallback;
        const std::optional<Duration> d = parseDuration(QStringLiteral("--") + option.names().constFirst(), parser.value(option), &problem);
        if (d && *d <= Duration::zero()) {
            problem = QStringLiteral("--") + option.names().constFirst() + QStringLiteral(": expected more than 0, got '")
                + parser.value(option) + u'\'';
            return std::nullopt;
        }
        return d;
    };
    const std::optional<Duration> interval = duration(intervalOption, FleetMonitor::DefaultInterval);
    const std::optional<Duration> timeout = interval ? duration(timeoutOption, std::chrono::seconds(10)) : std::nullopt;
    const std::optional<Duration> rateWindow = timeout ? duration(rateWindowOption, std::chrono::minutes(1)) : std::nullopt;
    const std::optional<Duration> step = rateWindow ? duration(stepOption, std::chrono::seconds(10)) : std::nullopt;
    if (!step)
        return command.badUsage(problem);
    std::optional<int> count;
    if (parser.isSet(countOption)) {
        count = parseCount(QStringLiteral("--count"), parser.value(countOption), 1, 1'000'000, &problem);
        if (!count)
            return command.badUsage(problem);
    }
    const bool watch = parser.isSet(watchOption);
    for (const QCommandLineOption *o : { &intervalOption, &countOption })
        if (parser.isSet(*o) && !watch)
            return command.badUsage(QStringLiteral("--") + o->names().constFirst() + QStringLiteral(" needs --watch"));
    const bool twin = parser.isSet(twinOption);
    for (const QCommandLineOption *o : { &fromOption, &toOption, &stepOption, &outOption })
        if (parser.isSet(*o) && !twin)
            return command.badUsage(QStringLiteral("--") + o->names().constFirst() + QStringLiteral(" needs --twin"));
    if (parser.isSet(tokenEnvOption) && parser.isSet(tokenFileOption))
        return command.badUsage(QStringLiteral("give --token-env or --token-file, not both"));

    QByteArray token;
    if (parser.isSet(tokenEnvOption) || parser.isSet(tokenFileOption)) {
        const std::optional<QByteArray> t = parser.isSet(tokenEnvOption)
            ? bearerTokenFromEnvironment(parser.value(tokenEnvOption), &problem)
            : bearerTokenFromFile(parser.value(tokenFileOption), &problem);
        if (!t)
            return command.badUsage(problem);
        token = *t;
    }

    WallScheduler scheduler;
    FleetMonitor monitor(scheduler, *interval);
    for (const QUrl &url : *prometheusUrls) {
        PrometheusSourceOptions options;
        options.url = url;
        options.timeout = *timeout;
        options.rateWindow = *rateWindow;
        options.bearerToken = token;
        monitor.addSource(std::make_unique<PrometheusSource>(scheduler, options));
    }

    if (twin) {
        const std::optional<TwinTarget> target = parseTwinTarget(parser.value(twinOption), &problem);
        if (!target)
            return command.badUsage(problem);
        if (prometheusUrls->size() != 1 || !hystrixUrls->isEmpty())
            return command.badUsage(QStringLiteral("--twin reads one --prometheus (a Hystrix stream keeps no history)"));
        if (!parser.isSet(outOption))
            return command.badUsage(QStringLiteral("--twin needs --out DIR"));
        std::int64_t toMs = QDateTime::currentMSecsSinceEpoch();
        if (parser.isSet(toOption)) {
            const std::optional<std::int64_t> ns = parseLogTimeOption(QStringLiteral("--to"), parser.value(toOption), &problem);
            if (!ns)
                return command.badUsage(problem);
            toMs = *ns / 1'000'000;
        }
        std::int64_t fromMs = toMs - 3'600'000;
        if (parser.isSet(fromOption)) {
            const std::optional<std::int64_t> ns = parseLogTimeOption(QStringLiteral("--from"), parser.value(fromOption), &problem);
            if (!ns)
                return command.badUsage(problem);
            fromMs = *ns / 1'000'000;
        }
        if (toMs <= fromMs)
            return command.badUsage(QStringLiteral("--to must be after --from"));
        const std::int64_t stepMs = std::chrono::duration_cast<std::chrono::milliseconds>(*step).count();
        if ((toMs - fromMs) / std::max<std::int64_t>(1, stepMs) > 11000)
            return command.badUsage(QStringLiteral("--step: Prometheus answers at most 11,000 steps; take a step of at least ")
                + QString::number((toMs - fromMs) / 11000 / 1000 + 1) + u's');
        std::optional<int> status;
        QEventLoop loop;
        monitor.sources().front()->fetchHistory(fromMs, toMs, *step, [&](const FleetHistory &history, const QString &error) {
            loop.quit();
            if (!error.isEmpty()) {
                printErr(QStringLiteral("breakwater fleet: ") + error + u'\n');
                status = BadInput;
                return;
            }
            std::vector<const BreakerSeries *> found;
            QStringList known;
            for (const BreakerSeries &s : history.series) {
                if (target->matches(s.id))
                    found.push_back(&s);
                known.append(s.id.displayName());
            }
            if (found.size() == 1) {
                status = writeTwin(*found.front(), *step, parser.value(outOption));
            } else if (found.empty()) {
                printErr(QStringLiteral("breakwater fleet: --twin: no breaker ") + parser.value(twinOption)
                    + QStringLiteral(" in that range; the breakers are: ")
                    + (known.isEmpty() ? QStringLiteral("none") : known.join(QStringLiteral(", "))) + u'\n');
                status = BadInput;
            } else {
                QStringList replicas;
                for (const BreakerSeries *s : found)
                    replicas.append(s->id.displayName());
                printErr(QStringLiteral("breakwater fleet: --twin: ") + parser.value(twinOption) + QStringLiteral(" has ")
                    + QString::number(found.size()) + QStringLiteral(" replicas; name one: ") + replicas.join(QStringLiteral(", "))
                    + u'\n');
                status = BadInput;
            }
        });
        if (!status)
            loop.exec();
        return *status;
    }

    HystrixSourceOptions hystrixOptions;
    hystrixOptions.connectTimeout = *timeout;
    hystrixOptions.bearerToken = token;
    std::vector<HystrixSource *> streams;
    for (const QUrl &url : *hystrixUrls) {
        hystrixOptions.url = url;
        streams.push_back(static_cast<HystrixSource *>(&monitor.addSource(std::make_unique<HystrixSource>(scheduler, hystrixOptions))));
    }
    const bool json = parser.isSet(jsonOption);
    const bool merged = parser.isSet(mergeOption);
    const auto print = [&](const FleetSnapshot &snapshot) {
        if (json) {
            printOut(fleetJson(snapshot, merged));
            return;
        }
        QString text = fleetTable(snapshot, merged);
        if (watch) {
            QString head = QStringLiteral("breakwater fleet: %L1 breakers, %L2 not CLOSED; every %3 s; %4\n")
                               .arg(snapshot.breakers.size())
                               .arg(snapshot.notClosed().size())
                               .arg(toSeconds(*interval))
                               .arg(QDateTime::currentDateTime().toString(Qt::ISODate));
            for (const SourceStatus &s : snapshot.sources)
                head += s.reachable         ? QStringLiteral("  %1: %L2 breakers\n").arg(s.url).arg(s.breakers)
                    : s.error.isEmpty() ? QStringLiteral("  %1: connecting\n").arg(s.url)
                                        : QStringLiteral("  %1: UNREACHABLE: %2\n").arg(s.url, s.error);
            text = head + u'\n' + text;
            if (isTerminal(stdout))
                text.prepend(QStringLiteral("\x1b[H\x1b[2J")); // redraw in place, like top
        }
        printOut(text);
    };
    const auto sourcesReported = [&] {
        for (const std::unique_ptr<FleetSource> &s : monitor.sources())
            if (!s->status().lastGoodRefresh && s->status().error.isEmpty())
                return false;
        return true;
    };

    QEventLoop loop;
    if (watch) {
        // One frame per round: once every source has called back (answered or failed), or half an
        // interval after the first did, so that a slow source neither hides the others nor
        // splits a frame in two.
        int updates = 0, frames = 0;
        TimerId pending = 0;
        const auto show = [&] {
            scheduler.cancel(pending);
            pending = 0;
            updates = 0;
            print(monitor.snapshot());
            if (count && ++frames >= *count)
                loop.quit();
        };
        monitor.setUpdateCallback([&](const FleetSnapshot &) {
            if (++updates >= int(monitor.sources().size()))
                show();
            else if (pending == 0)
                pending = scheduler.schedule(*interval / 2, [&show] { show(); });
        });
        monitor.start();
        loop.exec();
        return Ok;
    }

    // One snapshot: every source once; Hystrix streams a little longer, to hear every command.
    bool settling = false;
    monitor.setUpdateCallback([&](const FleetSnapshot &) {
        if (settling || !sourcesReported())
            return;
        const bool streaming = std::any_of(streams.begin(), streams.end(), [](const HystrixSource *s) { return s->status().reachable; });
        if (!streaming) {
            loop.quit();
            return;
        }
        settling = true;
        scheduler.schedule(HystrixSettle, [&streams, &loop] {
            for (HystrixSource *s : streams)
                if (s->status().reachable)
                    s->refresh();
            loop.quit();
        });
    });
    monitor.refreshNow();
    loop.exec();
    const FleetSnapshot &snapshot = monitor.snapshot();
    const bool failed = std::any_of(snapshot.sources.begin(), snapshot.sources.end(), [](const SourceStatus &s) { return !s.reachable; });
    if (!snapshot.breakers.empty() || !failed)
        print(snapshot);
    int status = Ok;
    for (const SourceStatus &s : snapshot.sources) {
        if (!s.reachable) {
            printErr(QStringLiteral("breakwater fleet: ") + s.error + u'\n');
            status = BadInput;
        }
    }
    return status;
}

} // namespace bw::cli
