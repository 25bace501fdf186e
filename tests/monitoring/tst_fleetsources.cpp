// The fleet's sources against servers on 127.0.0.1 that behave and misbehave: Hystrix streams
// that send, drop, fall silent or send something else, and Prometheus look-alikes that are
// slow, answer garbage, truncate or answer too much. Each failure is reported for its source;
// the others keep working and nothing waits for the slow one.
#include "fleet/fleetmonitor.h"
#include "fleet/hystrixsource.h"
#include "fleet/prometheussource.h"
#include "runtime/wallscheduler.h"

#include "fixtureserver.h"

#include <QElapsedTimer>
#include <QJsonDocument>
#include <QTest>

using namespace bw;
using namespace bw::test;

namespace {

QByteArray command(const char *name, bool open, int requests, int shortCircuited)
{
    return "data: " + QJsonDocument(QJsonObject { { QStringLiteral("type"), QStringLiteral("HystrixCommand") },
                                        { QStringLiteral("name"), QString::fromLatin1(name) },
                                        { QStringLiteral("group"), QStringLiteral("orders") },
                                        { QStringLiteral("isCircuitBreakerOpen"), open },
                                        { QStringLiteral("errorPercentage"), 40 },
                                        { QStringLiteral("requestCount"), requests },
                                        { QStringLiteral("rollingCountSuccess"), requests / 2 },
                                        { QStringLiteral("rollingCountFailure"), requests / 2 },
                                        { QStringLiteral("rollingCountShortCircuited"), shortCircuited },
                                        { QStringLiteral("propertyValue_metricsRollingStatisticalWindowInMilliseconds"), 10000 },
                                        { QStringLiteral("threadPool"), QStringLiteral("ordersPool") } })
                         .toJson(QJsonDocument::Compact)
        + "\n\n";
}

QByteArray threadPool()
{
    return R"(data: {"type":"HystrixThreadPool","name":"ordersPool","currentActiveCount":3,"currentMaximumPoolSize":10})"
           "\n\n";
}

FixtureReply stream(const QByteArray &)
{
    return { FixtureReply::Behaviour::Stream, 200, "text/event-stream;charset=UTF-8", ": hello\n\n" };
}

HystrixSourceOptions fastOptions(const QString &url)
{
    HystrixSourceOptions o;
    o.url = QUrl(url + QStringLiteral("/hystrix.stream"));
    o.connectTimeout = std::chrono::milliseconds(2000);
    o.idleTimeout = std::chrono::milliseconds(600);
    o.firstBackoff = std::chrono::milliseconds(100);
    o.maxBackoff = std::chrono::milliseconds(400);
    return o;
}

// A Prometheus look-alike: one Breakwater breaker, OPEN; every other query answers nothing.
FixtureReply prometheusLike(const QByteArray &path)
{
    const QByteArray type = path.endsWith("%5D") ? "matrix" : "vector";
    const QByteArray result = path.contains("circuit_breaker_state%20")
        ? R"([{"metric":{"job":"svc","instance":"i:1","name":"checkout","state":"open"},"value":[1700000000,"1"]}])"
        : "[]";
    return { FixtureReply::Behaviour::Answer, 200, "application/json",
        R"({"status":"success","data":{"resultType":")" + type + R"(","result":)" + result + "}}" };
}

} // namespace

class tst_FleetSources : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void streamParser_data();
    void streamParser();
    void hystrixStreamReadings();
    void hystrixStreamDropsAndReconnects();
    void hystrixStreamSilentOrForeign_data();
    void hystrixStreamSilentOrForeign();
    void misbehavingPrometheusKeepsTheOthers();
};

void tst_FleetSources::streamParser_data()
{
    QTest::addColumn<QList<QByteArray>>("chunks");
    QTest::addColumn<int>("messages");
    QTest::addColumn<QString>("error");
    QTest::addRow("one") << QList<QByteArray> { "data: {\"a\":1}\n\n" } << 1 << "";
    QTest::addRow("split anywhere, CRLF") << QList<QByteArray> { "da", "ta: {\"a\"", ":1}\r", "\n\r\ndata:{}\n", "\n" } << 2 << "";
    QTest::addRow("ping and comments") << QList<QByteArray> { "ping: \n\n: keep-alive\n\nevent: x\ndata: {}\n\n" } << 1 << "";
    QTest::addRow("not JSON") << QList<QByteArray> { "data: <html>\n\n" } << 0 << "an event whose data is not a JSON object";
    QTest::addRow("an array") << QList<QByteArray> { "data: [1]\n\n" } << 0 << "an event whose data is not a JSON object";
    QTest::addRow("endless line") << QList<QByteArray> { QByteArray(HystrixStreamParser::MaxLineBytes + 1, 'x') } << 0
                                  << "a line longer than 1024 KiB";
    QTest::addRow("incomplete event waits") << QList<QByteArray> { "data: {}\n" } << 0 << "";
}

void tst_FleetSources::streamParser()
{
    QFETCH(QList<QByteArray>, chunks);
    QFETCH(int, messages);
    QFETCH(QString, error);
    int seen = 0;
    HystrixStreamParser parser([&](const QJsonObject &) { ++seen; });
    QString said;
    bool ok = true;
    for (const QByteArray &c : chunks)
        ok = ok && parser.feed(c, &said);
    QCOMPARE(seen, messages);
    QCOMPARE(ok, error.isEmpty());
    QVERIFY2(error.isEmpty() ? said.isEmpty() : said.startsWith(error), qPrintable(said));
}

void tst_FleetSources::hystrixStreamReadings()
{
    FixtureServer server(stream);
    WallScheduler scheduler;
    HystrixSource source(scheduler, fastOptions(server.url()));
    int callbacks = 0;
    source.setRefreshCallback([&] { ++callbacks; });
    QTRY_COMPARE_WITH_TIMEOUT(server.openStreams(), 1, 5000);
    server.write(threadPool() + command("placeOrder", true, 100, 50) + "ping: \n\n" + command("cancelOrder", false, 10, 0));
    QTRY_VERIFY_WITH_TIMEOUT(source.status().reachable, 5000); // the first message calls back at once
    source.refresh();
    QCOMPARE(source.readings().size(), 2u);
    const BreakerReading &cancel = source.readings()[0];
    const BreakerReading &place = source.readings()[1];
    QCOMPARE(place.id.name, QStringLiteral("placeOrder"));
    QCOMPARE(place.id.service, QStringLiteral("orders"));
    QCOMPARE(place.id.library, FleetLibrary::Hystrix);
    QCOMPARE(place.state, CircuitState::Open);
    QCOMPARE(place.callsPerSecond, 15.0); // (100 executed + 50 short-circuited) over 10 s
    QCOMPARE(place.rejectedPerSecond, 5.0);
    QCOMPARE(place.failureRatePercent, 40.0);
    QCOMPARE(place.bulkheadUsed, 3.0);
    QCOMPARE(place.bulkheadMax, 10.0);
    QCOMPARE(cancel.state, CircuitState::Closed);
    QVERIFY(callbacks >= 2);
    QVERIFY(source.status().error.isEmpty());
}

void tst_FleetSources::hystrixStreamDropsAndReconnects()
{
    FixtureServer server(stream);
    WallScheduler scheduler;
    HystrixSource source(scheduler, fastOptions(server.url()));
    QTRY_COMPARE_WITH_TIMEOUT(server.openStreams(), 1, 5000);
    server.write(command("placeOrder", false, 10, 0));
    QTRY_VERIFY_WITH_TIMEOUT(source.status().reachable, 5000);

    server.dropStreams();
    QTRY_VERIFY_WITH_TIMEOUT(!source.status().reachable, 5000);
    QVERIFY2(source.status().error.contains(QStringLiteral("the stream ended; reconnecting in 0.1 s")), qPrintable(source.status().error));
    QCOMPARE(source.readings().size(), 1u); // the last good readings stay
    QTRY_COMPARE_WITH_TIMEOUT(source.connections(), 2, 5000);
    QTRY_COMPARE_WITH_TIMEOUT(server.openStreams(), 1, 5000);
    server.write(command("placeOrder", true, 10, 5));
    QTRY_VERIFY_WITH_TIMEOUT(source.status().reachable, 5000);
    source.refresh();
    QCOMPARE(source.readings().front().state, CircuitState::Open);

    // Down for good: the delay doubles up to maxBackoff.
    server.setHandler([](const QByteArray &) { return FixtureReply { FixtureReply::Behaviour::Answer, 503, "text/plain", "down" }; });
    server.dropStreams();
    QTRY_VERIFY_WITH_TIMEOUT(source.connections() >= 5, 10000);
    QCOMPARE(source.nextBackoff(), std::chrono::milliseconds(400));
    QVERIFY2(source.status().error.contains(QStringLiteral("HTTP 503")), qPrintable(source.status().error));
}

void tst_FleetSources::hystrixStreamSilentOrForeign_data()
{
    QTest::addColumn<int>("behaviour");
    QTest::addColumn<QString>("error");
    QTest::addRow("silent after its headers") << 0 << "no data for";
    QTest::addRow("garbage") << 1 << "an event whose data is not a JSON object";
    QTest::addRow("a web page") << 2 << "not a Hystrix stream (Content-Type: text/html)";
    QTest::addRow("truncated answer") << 3 << "not a Hystrix stream (Content-Type: text/plain)";
}

void tst_FleetSources::hystrixStreamSilentOrForeign()
{
    QFETCH(int, behaviour);
    QFETCH(QString, error);
    FixtureServer server([behaviour](const QByteArray &) {
        switch (behaviour) {
        case 0:
            return FixtureReply { FixtureReply::Behaviour::Stream, 200, "text/event-stream", {} };
        case 1:
            return FixtureReply { FixtureReply::Behaviour::Stream, 200, "text/event-stream", "data: ok then\n\n" };
        case 2:
            return FixtureReply { FixtureReply::Behaviour::Answer, 200, "text/html", "<html></html>" };
        default:
            return FixtureReply { FixtureReply::Behaviour::Truncated, 200, "text/plain", "data: {\"type\"" };
        }
    });
    WallScheduler scheduler;
    HystrixSourceOptions options = fastOptions(server.url());
    options.connectTimeout = std::chrono::milliseconds(500);
    HystrixSource source(scheduler, options);
    QTRY_VERIFY_WITH_TIMEOUT(!source.status().error.isEmpty(), 5000);
    QVERIFY2(source.status().error.contains(error), qPrintable(source.status().error));
    QVERIFY(!source.status().reachable);
    QVERIFY(source.readings().empty());
}

// One monitor, five Prometheus look-alikes: one answers, the others are slow, answer garbage,
// truncate their answer or answer more than the limit. The good one's readings arrive while the
// slow one is still pending; each failure names its source; every refresh sends one request
// per figure to each source.
void tst_FleetSources::misbehavingPrometheusKeepsTheOthers()
{
    FixtureServer good(prometheusLike);
    FixtureServer slow([](const QByteArray &) { return FixtureReply { FixtureReply::Behaviour::Silent }; });
    FixtureServer garbage([](const QByteArray &) { return FixtureReply { FixtureReply::Behaviour::Answer, 200, "application/json", "{\"status\":" }; });
    FixtureServer truncated([](const QByteArray &path) {
        FixtureReply r = prometheusLike(path);
        r.behaviour = FixtureReply::Behaviour::Truncated;
        return r;
    });
    FixtureServer huge([](const QByteArray &) {
        return FixtureReply { FixtureReply::Behaviour::Answer, 200, "application/json", QByteArray(64 * 1024, ' ') + "{}" };
    });
    WallScheduler scheduler;
    FleetMonitor monitor(scheduler, std::chrono::seconds(60));
    const auto add = [&](const FixtureServer &server) {
        PrometheusSourceOptions o;
        o.url = QUrl(server.url());
        o.timeout = std::chrono::milliseconds(1500);
        o.maxResponseBytes = 16 * 1024;
        return &monitor.addSource(std::make_unique<PrometheusSource>(scheduler, o));
    };
    FleetSource *sources[] = { add(good), add(slow), add(garbage), add(truncated), add(huge) };
    std::vector<FleetSnapshot> updates;
    monitor.setUpdateCallback([&](const FleetSnapshot &s) { updates.push_back(s); });

    QElapsedTimer clock;
    clock.start();
    monitor.start();
    QVERIFY2(clock.elapsed() < 200, "start() waits for nothing"); // refreshing returns at once
    QTRY_VERIFY_WITH_TIMEOUT(std::all_of(std::begin(sources), std::end(sources),
                                 [](FleetSource *s) { return !s->refreshing(); }),
        10000);
    // The good source's update came before the slow one's timeout.
    QVERIFY(!updates.empty());
    const auto goodFirst = std::find_if(updates.begin(), updates.end(), [](const FleetSnapshot &s) { return s.sources[0].reachable; });
    QVERIFY(goodFirst != updates.end());
    QVERIFY(goodFirst->sources[1].error.isEmpty()); // the slow one still pending then
    const FleetSnapshot &last = monitor.snapshot();
    QCOMPARE(last.sources.size(), 5u);
    QVERIFY(last.sources[0].reachable);
    QCOMPARE(last.breakers.size(), 1u);
    QCOMPARE(last.breakers[0].state, CircuitState::Open);
    QCOMPARE(last.breakers[0].id.source, good.url());
    const QString expected[] = { {}, QStringLiteral("no complete answer within 1.5 s"), QStringLiteral("not a Prometheus API answer"),
        QStringLiteral("the answer was cut short"), QStringLiteral("the answer is larger than 0.0156 MiB") };
    for (int i = 1; i < 5; ++i) {
        QVERIFY(!last.sources[std::size_t(i)].reachable);
        QVERIFY2(last.sources[std::size_t(i)].error.contains(expected[i]), qPrintable(last.sources[std::size_t(i)].error));
        QVERIFY(last.sources[std::size_t(i)].error.startsWith(sources[i]->url()));
    }
    QCOMPARE(good.requests(), PrometheusFigureCount);
    monitor.refreshNow();
    QTRY_COMPARE_WITH_TIMEOUT(good.requests(), 2 * PrometheusFigureCount, 5000);
}

QTEST_GUILESS_MAIN(tst_FleetSources)
#include "tst_fleetsources.moc"
