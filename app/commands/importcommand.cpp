#include "importcommand.h"

#include "cli.h"
#include "optionparsers.h"
#include "progressbar.h"
#include "subcommand.h"

#include "accesslog/accesslogimporter.h"

#include <QBuffer>
#include <QFile>
#include <QLocale>

namespace bw::cli {

int runImport(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Turns an access log into a replay trace: one row per request (start, duration, outcome, code),\n"
        "start_ms from the first imported request (or --from), in start order. 5xx, 429, upstream\n"
        "timeouts and resets become failures with their codes (docs/formats.md, \"Access-log import\").\n"
        "Bad lines are counted and the first ten shown with their numbers."));
    parser.addPositionalArgument(QStringLiteral("log"), QStringLiteral("The access log."), QStringLiteral("LOG"));
    const QCommandLineOption formatOption(QStringLiteral("format"),
        QStringLiteral("The log's format: nginx, envoy, haproxy or jsonl."), QStringLiteral("FORMAT"));
    const QCommandLineOption upstreamOption(QStringLiteral("upstream"),
        QStringLiteral("Only the requests this upstream served (nginx $upstream_addr, Envoy's upstream host, "
                       "HAProxy's backend or backend/server)."),
        QStringLiteral("NAME"));
    const QCommandLineOption fromOption(QStringLiteral("from"),
        QStringLiteral("Only requests that started at or after T (ISO 8601, 06/Dec/2026:10:00:00 +0000, epoch "
                       "seconds); start_ms counts from it."),
        QStringLiteral("T"));
    const QCommandLineOption toOption(
        QStringLiteral("to"), QStringLiteral("Only requests that started before T."), QStringLiteral("T"));
    const QCommandLineOption outOption({ QStringLiteral("o"), QStringLiteral("out") },
        QStringLiteral("Writes the trace CSV to this file instead of standard output."), QStringLiteral("TRACE.csv"));
    const QCommandLineOption strictOption(
        QStringLiteral("strict"), QStringLiteral("Fails (status 2) when any line cannot be read."));
    const QCommandLineOption nginxFormatOption(QStringLiteral("nginx-format"),
        QStringLiteral("The log_format the nginx log was written with, in nginx's variable syntax."),
        QStringLiteral("FORMAT"));
    const QCommandLineOption mapOption(QStringLiteral("map"),
        QStringLiteral("JSONL: which keys hold start, duration (ms), status, and optionally flags, upstream and retry_after, "
                       "e.g. start=ts,duration=latency_ms,status=code."),
        QStringLiteral("MAP"));
    for (const QCommandLineOption *o : { &formatOption, &upstreamOption, &fromOption, &toOption, &outOption,
             &strictOption, &nginxFormatOption, &mapOption })
        parser.addOption(*o);
    const Subcommand command(parser, arguments, QStringLiteral("import"));
    if (const std::optional<int> done = command.parse())
        return *done;
    const QStringList positional = parser.positionalArguments();
    if (positional.size() != 1)
        return command.badUsage(positional.isEmpty()
                ? QStringLiteral("missing the access log")
                : QStringLiteral("expected one access log, got ") + QString::number(positional.size()));
    if (!parser.isSet(formatOption))
        return command.badUsage(QStringLiteral("missing --format nginx|envoy|haproxy|jsonl"));

    QString problem;
    AccessLogImporter::Options options;
    const std::optional<LogLineParser::Format> format = parseLogFormat(parser.value(formatOption), &problem);
    if (!format)
        return command.badUsage(problem);
    options.format = *format;
    if (parser.isSet(nginxFormatOption) && options.format != LogLineParser::Format::Nginx)
        return command.badUsage(QStringLiteral("--nginx-format needs --format nginx"));
    if (parser.isSet(mapOption) && options.format != LogLineParser::Format::Jsonl)
        return command.badUsage(QStringLiteral("--map needs --format jsonl"));
    options.nginxFormat = parser.value(nginxFormatOption);
    options.map = parser.value(mapOption);
    options.upstream = parser.value(upstreamOption);
    for (const auto &[option, bound] :
        { std::pair { &fromOption, &options.fromNs }, std::pair { &toOption, &options.toNs } }) {
        if (!parser.isSet(*option))
            continue;
        *bound = parseLogTimeOption(QStringLiteral("--") + option->names().constFirst(), parser.value(*option), &problem);
        if (!*bound)
            return command.badUsage(problem);
    }
    if (options.fromNs && options.toNs && *options.toNs <= *options.fromNs)
        return command.badUsage(QStringLiteral("--to must be after --from"));
    std::optional<AccessLogImporter> importer = AccessLogImporter::create(options, &problem);
    if (!importer)
        return command.badUsage(problem);

    const QString logPath = positional.constFirst();
    QFile log(logPath);
    if (!log.open(QIODevice::ReadOnly)) {
        printErr(logPath + QStringLiteral(": cannot read: ") + log.errorString() + u'\n');
        return BadInput;
    }
    SummaryOutput output;
    if (parser.isSet(outOption) && !output.open(parser.value(outOption)))
        return BadInput;

    ProgressBar bar(true);
    const qint64 size = log.size();
    const auto progress = [&](qint64 read) {
        if (bar.due())
            bar.draw(size > 0 ? double(read) / double(size) : 1.0,
                QStringLiteral("%L1 lines").arg(importer->report().lines));
    };
    if (!importer->read(log, progress, &problem)) {
        printErr(logPath + QStringLiteral(": ") + problem + u'\n');
        return BadInput;
    }
    const AccessLogImporter::Report &report = importer->report();
    bar.draw(1.0, QStringLiteral("%L1 lines").arg(report.lines), true);

    printErr(importer->describe(logPath));
    if (parser.isSet(strictOption) && report.bad > 0) {
        printErr(QStringLiteral("breakwater import: --strict: %L1 bad lines; nothing written\n").arg(report.bad));
        return BadInput;
    }
    if (report.imported == 0) {
        printErr(QStringLiteral("breakwater import: no request imported; nothing written\n"));
        return BadInput;
    }
    QBuffer csv;
    csv.open(QIODevice::WriteOnly);
    importer->writeCsv(csv);
    return output.write(csv.data());
}

} // namespace bw::cli
