#include "accesslog/accesslogimporter.h"
#include "resilience/policyloader.h"
#include "run/scenariorun.h"
#include "scenario/tracereader.h"
#include "telemetry/summary.h"

#include <QJsonObject>

#include <QBuffer>
#include <QTest>

using namespace bw;

// Access logs of each format to trace rows, row by row (docs/formats.md, "Access-log import").
class tst_AccessLogImporter : public QObject
{
    Q_OBJECT

    struct Imported
    {
        QByteArray csv;
        AccessLogImporter::Report report;
        QString error;
    };

    static Imported import(const AccessLogImporter::Options &options, const QByteArray &log)
    {
        Imported result;
        std::optional<AccessLogImporter> importer = AccessLogImporter::create(options, &result.error);
        if (!importer)
            return result;
        QBuffer in;
        in.setData(log);
        in.open(QIODevice::ReadOnly);
        if (!importer->read(in, {}, &result.error))
            return result;
        QBuffer out;
        out.open(QIODevice::WriteOnly);
        importer->writeCsv(out);
        result.csv = out.data();
        result.report = importer->report();
        return result;
    }

    static AccessLogImporter::Options options(LogLineParser::Format format)
    {
        AccessLogImporter::Options o;
        o.format = format;
        return o;
    }

    // The trace reader reads every import back, row for row.
    static void verifyReadsBack(const QByteArray &csv, qsizetype rows)
    {
        LoadError error;
        const std::optional<Trace> trace = TraceReader::parse(csv, QStringLiteral("imported.csv"), &error);
        QVERIFY2(trace, qPrintable(error.toString()));
        QCOMPARE(qsizetype(trace->rows.size()), rows);
    }

private Q_SLOTS:
    void nginxCombinedWithTimes()
    {
        // Logged as each response ends: the start is $time_local minus $request_time, and the
        // duration is the upstream's time (the request's when no upstream answered).
        const auto line = [](const char *time, int status, const char *requestTime, const char *upstreamTime,
                              const char *upstreamStatus) {
            return QByteArray(R"(10.1.2.3 - - [06/Dec/2026:)") + time + R"( +0000] "GET /pay HTTP/1.1" )"
                + QByteArray::number(status) + R"( 12 "-" "curl/8.0" )" + requestTime + ' ' + upstreamTime + ' '
                + upstreamStatus + '\n';
        };
        const QByteArray log = line("10:00:01", 200, "0.250", "0.248", "200")
            + line("10:00:01", 503, "0.100", "0.100", "503") + line("10:00:02", 504, "1.000", "1.001", "504")
            + line("10:00:02", 429, "0.010", "0.010", "429") + line("10:00:03", 502, "0.001", "-", "502")
            + line("10:00:03", 499, "0.500", "0.499", "-") + "not a log line\n"
            + line("10:00:04", 404, "0.002", "0.002, 0.001", "404, 404");
        const Imported r = import(options(LogLineParser::Format::Nginx), log);
        QVERIFY2(r.error.isEmpty(), qPrintable(r.error));
        QCOMPARE(r.csv,
            QByteArray("start_ms,duration_ms,outcome,code\n"
                       "0,248,success,\n"
                       "150,100,failure,503\n"
                       "250,1001,failure,ETIMEDOUT\n"
                       "1240,10,failure,429\n"
                       "1750,499,failure,CANCELLED\n"
                       "2249,1,failure,502\n"
                       "3248,3,success,\n"));
        QCOMPARE(r.report.lines, 8);
        QCOMPARE(r.report.imported, 7);
        QCOMPARE(r.report.failures, 5);
        QCOMPARE(r.report.bad, 1);
        QCOMPARE(r.report.firstBad.constFirst().number, 7);
        QCOMPARE(r.report.firstBad.constFirst().reason, QStringLiteral("does not match the log format (too few fields)"));
        verifyReadsBack(r.csv, 7);
    }

    void nginxFormatVariables()
    {
        // $msec is the log time to the millisecond; ${name} is the same variable as $name;
        // quoted multi-upstream values hold their ", ".
        AccessLogImporter::Options o = options(LogLineParser::Format::Nginx);
        o.nginxFormat = QStringLiteral("$msec ${status} $request_time \"$upstream_response_time\" \"$upstream_addr\" $bytes_sent");
        const QByteArray log = "1796551201.500 200 0.100 \"0.090\" \"10.0.0.1:80\" 512\n"
                               "1796551201.600 502 0.050 \"0.010, 0.040\" \"10.0.0.2:80, 10.0.0.1:80\" 0\n"
                               "1796551201.700 200 0.001 \"0.001\" \"10.0.0.2:80\" 9\n";
        Imported r = import(o, log);
        QCOMPARE(r.csv,
            QByteArray("start_ms,duration_ms,outcome,code\n"
                       "0,90,success,\n"
                       "150,50,failure,502\n"
                       "299,1,success,\n"));
        o.upstream = QStringLiteral("10.0.0.2:80");
        r = import(o, log);
        QCOMPARE(r.csv, QByteArray("start_ms,duration_ms,outcome,code\n0,1,success,\n"));
        QCOMPARE(r.report.otherUpstream, 2);
        o.upstream.clear();
        o.fromNs = std::int64_t(1796551201) * 1'000'000'000;
        o.toNs = std::int64_t(1796551201'600) * 1'000'000;
        r = import(o, log);
        QCOMPARE(r.csv, QByteArray("start_ms,duration_ms,outcome,code\n400,90,success,\n550,50,failure,502\n"));
        QCOMPARE(r.report.outsideWindow, 1);
    }

    void retryAfter()
    {
        // A failure's Retry-After (seconds) becomes the trace's retry_after_ms, which the replay's
        // retries wait for; a success's is dropped, and one that is not a number is a bad line.
        AccessLogImporter::Options o = options(LogLineParser::Format::Nginx);
        o.nginxFormat = QStringLiteral(R"($msec $status $request_time "$upstream_http_retry_after")");
        const QByteArray log = "1796551201.500 429 0.010 \"2\"\n"
                               "1796551201.600 200 0.010 \"5\"\n"
                               "1796551201.700 503 0.010 \"0.5\"\n"
                               "1796551201.800 429 0.010 \"soon\"\n";
        const Imported r = import(o, log);
        QCOMPARE(r.csv,
            QByteArray("start_ms,duration_ms,outcome,code,retry_after_ms\n"
                       "0,10,failure,429,2000\n"
                       "100,10,success,,\n"
                       "200,10,failure,503,500\n"));
        QCOMPARE(r.report.firstBad.constFirst().number, 4);
        QCOMPARE(r.report.firstBad.constFirst().reason, QStringLiteral("Retry-After is not a number of seconds up to a day"));
        LoadError error;
        const std::optional<Trace> trace = TraceReader::parse(r.csv, QStringLiteral("imported.csv"), &error);
        QVERIFY2(trace, qPrintable(error.toString()));
        QCOMPARE(trace->rows[0].retryAfterMs, 2000u);
        QCOMPARE(trace->rows[1].retryAfterMs, 0u);
        QCOMPARE(trace->rows[2].retryAfterMs, 500u);

        o = options(LogLineParser::Format::Jsonl);
        o.map = QStringLiteral("start=ts,duration=ms,status=code,retry_after=wait");
        QCOMPARE(import(o, "{\"ts\":1796551200,\"ms\":4,\"code\":429,\"wait\":\"30\"}\n").csv,
            QByteArray("start_ms,duration_ms,outcome,code,retry_after_ms\n0,4,failure,429,30000\n"));
    }

    void replayedRetriesWaitForRetryAfter()
    {
        // A 429 that asked for 2 s: the replay's retry (respectRetryAfter) waits 2 s, not its
        // 100 ms back-off, so the call takes over 2 s; without the header it takes well under 1 s.
        LoadError error;
        const std::optional<PolicyConfig> policy = parsePolicy(
            "{\"name\":\"pay\",\"retry\":{\"maxAttempts\":2,\"initialDelay\":100,\"jitter\":false,\"respectRetryAfter\":true,\"retryableErrors\":[\"429\"]}}",
            QStringLiteral("policy.json"), &error);
        QVERIFY2(policy, qPrintable(error.toString()));
        const auto slowest = [&](const QByteArray &csv) {
            const std::optional<Trace> trace = TraceReader::parse(csv, QStringLiteral("t.csv"), &error);
            Summary summary;
            ScenarioRun run(traceScenario(std::make_shared<const Trace>(*trace), *policy), 0);
            run.setSummary(&summary);
            run.runToEnd();
            return summary.toJson()[QLatin1String("operations")][QLatin1String("pay")][QLatin1String("latencyMs")]
                                   [QLatin1String("max")]
                                       .toDouble();
        };
        QVERIFY(slowest("start_ms,duration_ms,outcome,code,retry_after_ms\n0,10,failure,429,2000\n5,10,success,,\n")
            >= 2000);
        QVERIFY(slowest("start_ms,duration_ms,outcome,code\n0,10,failure,429\n5,10,success,\n") < 1000);
    }

    void envoyDefaultFormat()
    {
        const auto line = [](const char *time, const char *status, const char *flags, const char *duration) {
            return QByteArray("[2026-12-06T10:00:00.") + time + R"(Z] "GET /pay HTTP/1.1" )" + status + ' ' + flags
                + ' ' + "0 12 " + duration + R"( - "-" "curl/8.0" "5b1c-ad" "pay.local" "10.0.0.1:80")" + '\n';
        };
        const QByteArray log = line("000", "200", "-", "25") + line("100", "504", "UT", "15000")
            + line("200", "503", "UF", "3") + line("300", "503", "UO", "0") + line("400", "503", "URX", "40")
            + line("500", "0", "UC", "7") + line("600", "0", "DC", "9") + line("700", "503", "UF,URX", "12");
        const Imported r = import(options(LogLineParser::Format::Envoy), log);
        QVERIFY2(r.error.isEmpty(), qPrintable(r.error));
        QCOMPARE(r.csv,
            QByteArray("start_ms,duration_ms,outcome,code\n"
                       "0,25,success,\n"
                       "100,15000,failure,ETIMEDOUT\n"
                       "200,3,failure,ECONNREFUSED\n"
                       "300,0,failure,503\n"
                       "400,40,failure,503\n"
                       "500,7,failure,ECONNRESET\n"
                       "600,9,failure,CANCELLED\n"
                       "700,12,failure,ECONNREFUSED\n"));
        QCOMPARE(r.report.bad, 0);
        verifyReadsBack(r.csv, 8);
    }

    void envoyJson()
    {
        // Envoy's JSON access log: the JSONL format with its default map.
        const QByteArray log
            = "{\"start_time\":\"2026-12-06T10:00:00.000Z\",\"response_code\":200,\"response_flags\":\"-\",\"duration\":12,\"upstream_host\":\"10.0.0.1:80\"}"
              "\n"
              "{\"upstream_host\":\"10.0.0.1:80\",\"duration\":15000,\"response_flags\":\"UT\",\"response_code\":504,\"start_time\":\"2026-12-06T11:00:00.5+01:00\"}"
              "\n";
        const Imported r = import(options(LogLineParser::Format::Jsonl), log);
        QCOMPARE(r.csv, QByteArray("start_ms,duration_ms,outcome,code\n0,12,success,\n500,15000,failure,ETIMEDOUT\n"));
    }

    void haproxyTerminationStates()
    {
        const auto line = [](const char *time, const char *server, const char *timers, int status, const char *state) {
            return QByteArray("Dec  6 10:00:00 lb haproxy[812]: 10.0.0.9:51234 [06/Dec/2026:10:00:00.") + time
                + "] www~ pay/" + server + ' ' + timers + ' ' + QByteArray::number(status) + " 194 - - " + state
                + R"( 3/3/1/1/0 0/0 "GET /pay HTTP/1.1")" + '\n';
        };
        const QByteArray log = line("000", "s1", "0/0/1/20/21", 200, "----")
            + line("100", "s1", "5/0/1/-1/30005", 504, "sH--") + line("200", "s2", "0/0/-1/-1/3001", 503, "SC--")
            + line("300", "s1", "0/0/0/-1/8", 502, "SH--") + line("400", "s1", "0/0/0/5/9", 200, "CD--")
            + line("500", "<NOSRV>", "0/2000/-1/-1/2000", 503, "sQ--") + line("600", "s2", "0/0/0/3/3", 429, "----")
            + line("700", "s2", "0/0/0/3/+3", 500, "----");
        AccessLogImporter::Options o = options(LogLineParser::Format::Haproxy);
        Imported r = import(o, log);
        QVERIFY2(r.error.isEmpty(), qPrintable(r.error));
        QCOMPARE(r.csv,
            QByteArray("start_ms,duration_ms,outcome,code\n"
                       "0,21,success,\n"
                       "105,30000,failure,ETIMEDOUT\n"
                       "200,3001,failure,ECONNREFUSED\n"
                       "300,8,failure,ECONNRESET\n"
                       "400,9,failure,CANCELLED\n"
                       "500,2000,failure,503\n"
                       "600,3,failure,429\n"
                       "700,3,failure,500\n"));
        o.upstream = QStringLiteral("pay/s2"); // a server, or its backend alone
        QCOMPARE(import(o, log).report.imported, 3);
        o.upstream = QStringLiteral("pay");
        QCOMPARE(import(o, log).report.imported, 8);
    }

    void jsonlMap()
    {
        AccessLogImporter::Options o = options(LogLineParser::Format::Jsonl);
        o.map = QStringLiteral("start=ts,duration=latency_ms,status=code");
        const QByteArray log = "{\"ts\":1796551200.5,\"latency_ms\":12.5,\"code\":200,\"meta\":{\"path\":\"/a,b}\",\"tags\":[1,{\"x\":2}]}}"
                               "\n"
                               "{\"ts\":\"2026-12-06T10:00:01Z\",\"latency_ms\":3,\"code\":503}"
                               "\n"
                               "{\"ts\":1796551202000,\"latency_ms\":0.25,\"code\":429}"
                               "\n"
                               "{\"ts\":1796551203,\"code\":200}"
                               "\n"
                               "{\"ts\":1796551203,\"latency_ms\":1,\"code\":\"OK\"}"
                               "\n"
                               "{\"ts\":1796551203,\"latency_ms\":1,\"code\":200"
                               "\n";
        const Imported r = import(o, log);
        QCOMPARE(r.csv,
            QByteArray("start_ms,duration_ms,outcome,code\n"
                       "0,12.5,success,\n"
                       "500,3,failure,503\n"
                       "1500,0.25,failure,429\n"));
        QCOMPARE(r.report.bad, 3);
        QCOMPARE(r.report.firstBad[0].number, 4);
        QCOMPARE(r.report.firstBad[0].reason, QStringLiteral("the duration is missing or not a number"));
        QCOMPARE(r.report.firstBad[1].reason, QStringLiteral("the status is not a number from 0 to 999"));
        QCOMPARE(r.report.firstBad[2].reason, QStringLiteral("bad JSON: expected ',' or '}'"));
    }

    void badOptions_data()
    {
        QTest::addColumn<int>("format");
        QTest::addColumn<QString>("nginxFormat");
        QTest::addColumn<QString>("map");
        QTest::addColumn<QString>("upstream");
        QTest::addColumn<QString>("message");
        const int nginx = int(LogLineParser::Format::Nginx), jsonl = int(LogLineParser::Format::Jsonl);
        QTest::addRow("map target") << jsonl << QString() << "strat=ts,duration=d,status=s" << QString()
                                    << "--map: strat: unknown target; did you mean 'start'?";
        QTest::addRow("map pair") << jsonl << QString() << "start" << QString()
                                  << "--map: expected TARGET=KEY pairs separated by commas, got 'start'";
        QTest::addRow("map required") << jsonl << QString() << "start=ts,status=s" << QString()
                                      << "--map: missing duration=KEY (start, duration and status are required)";
        QTest::addRow("adjacent variables") << nginx << "$msec$status" << QString() << QString()
                                            << "--nginx-format: column 6: two variables with nothing between them "
                                               "cannot be told apart";
        QTest::addRow("unclosed brace") << nginx << "$msec ${status" << QString() << QString()
                                        << "--nginx-format: column 7: '${' without its '}'";
        QTest::addRow("no status") << nginx << "$msec $request_time" << QString() << QString()
                                   << "--nginx-format: needs $status and $time_local or $msec to import a request";
        QTest::addRow("no upstream") << nginx << QString() << QString() << "10.0.0.1:80"
                                     << "--upstream: the log format has no $upstream_addr; add it and pass "
                                        "--nginx-format";
    }

    void badOptions()
    {
        QFETCH(int, format);
        QFETCH(QString, nginxFormat);
        QFETCH(QString, map);
        QFETCH(QString, upstream);
        QFETCH(QString, message);
        AccessLogImporter::Options o = options(LogLineParser::Format(format));
        o.nginxFormat = nginxFormat;
        o.map = map;
        o.upstream = upstream;
        QString error;
        QVERIFY(!AccessLogImporter::create(o, &error));
        QCOMPARE(error, message);
    }

    void badLinesFirstTenLongOnesAndNoNewlineAtEnd()
    {
        QByteArray log;
        for (int i = 0; i < 12; ++i)
            log += "junk\n";
        log += QByteArray(200 * 1024, 'x') + '\n'; // line 13: read past, never held
        log += "{\"start_time\":\"2026-12-06T10:00:00Z\",\"response_code\":200,\"duration\":1}"; // line 14, no newline
        const Imported r = import(options(LogLineParser::Format::Jsonl), log);
        QCOMPARE(r.report.lines, 14);
        QCOMPARE(r.report.bad, 13);
        QCOMPARE(r.report.firstBad.size(), 10);
        QCOMPARE(r.report.firstBad.constLast().number, 10);
        QCOMPARE(r.report.imported, 1);
        QCOMPARE(r.csv, QByteArray("start_ms,duration_ms,outcome,code\n0,1,success,\n"));
    }

    void boundsTheTraceReaderKeeps()
    {
        // A request over a day is a bad line; requests spread over more than 31 years are refused
        // (the trace reader's start_ms bound), rather than written as a trace replay cannot read.
        AccessLogImporter::Options o = options(LogLineParser::Format::Jsonl);
        o.map = QStringLiteral("start=ts,duration=ms,status=code");
        Imported r = import(o, "{\"ts\":1796551200,\"ms\":86400001,\"code\":200}\n");
        QCOMPARE(r.report.firstBad.constFirst().reason, QStringLiteral("the duration is longer than a day"));
        r = import(o, "{\"ts\":1,\"ms\":1,\"code\":200}\n{\"ts\":1796551200,\"ms\":1,\"code\":200}\n");
        QCOMPARE(r.error, QStringLiteral("the requests span more than 31 years: narrow the import with --from/--to"));
    }

    void times_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<qint64>("ms"); // -1: not a time
        const qint64 base = 1796551200000;
        QTest::addRow("iso") << "2026-12-06T10:00:00Z" << base;
        QTest::addRow("iso fraction offset") << "2026-12-06T11:00:00.250+01:00" << base + 250;
        QTest::addRow("nginx") << "06/Dec/2026:10:00:00 +0000" << base;
        QTest::addRow("nginx zone") << "06/Dec/2026:05:00:00 -0500" << base;
        QTest::addRow("haproxy") << "06/Dec/2026:10:00:00.125" << base + 125;
        QTest::addRow("epoch seconds") << "1796551200.5" << base + 500;
        QTest::addRow("epoch ms") << "1796551200500" << base + 500;
        QTest::addRow("bad month") << "06/Dex/2026:10:00:00 +0000" << qint64(-1);
        QTest::addRow("words") << "yesterday" << qint64(-1);
    }

    void times()
    {
        QFETCH(QString, text);
        QFETCH(qint64, ms);
        const QByteArray bytes = text.toUtf8();
        const std::optional<std::int64_t> ns = parseLogTime(std::string_view(bytes.constData(), std::size_t(bytes.size())));
        QCOMPARE(ns ? qint64(*ns / 1'000'000) : qint64(-1), ms);
    }
};

QTEST_GUILESS_MAIN(tst_AccessLogImporter)
#include "tst_accesslogimporter.moc"
