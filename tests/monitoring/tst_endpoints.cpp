// The monitoring endpoints over real HTTP on 127.0.0.1: a run on a worker thread (as in the app)
// publishes snapshots that MetricsServer serves; promtool and a real Prometheus server read them.

#include "commandrunner.h"
#include "monitoringtest.h"

#include "run/runmetrics.h"
#include "run/scenariorun.h"
#include "run/scenariorunner.h"
#include "scenario/builtinscenarios.h"
#include "scenario/scenarioloader.h"
#include "telemetry/hystrixstream.h"
#include "telemetry/metricsrecorder.h"
#include "telemetry/metricsserver.h"
#include "telemetry/summary.h"

#include <QJsonArray>
#include <QTemporaryDir>
#include <QThread>
#include <QUrlQuery>

#include <atomic>

using namespace bw;
using namespace bw::test;

namespace {

// A ScenarioRunner on its own thread, followed by a recorder, served on a free port.
class MonitoredRunner
{
public:
    explicit MonitoredRunner(const ScenarioConfig &config, double speed = 0)
        : m_server([this] { return m_recorder.latest(); })
    {
        RunnerOptions options;
        options.speed = speed;
        m_runner = new ScenarioRunner(config, std::nullopt, options);
        monitorRunner(m_recorder, *m_runner);
        QObject::connect(m_runner, &ScenarioRunner::finished, m_runner, [this] { m_finished = true; },
            Qt::DirectConnection);
        m_runner->moveToThread(&m_thread);
        m_thread.start();
        QString error;
        if (!m_server.start(QHostAddress::LocalHost, 0, &error))
            qFatal("%s", qPrintable(error));
    }
    ~MonitoredRunner()
    {
        m_runner->deleteLater();
        m_thread.quit();
        m_thread.wait();
    }

    ScenarioRunner &runner() { return *m_runner; }
    bool finished() const { return m_finished; }
    MetricsRecorder &recorder() { return m_recorder; }
    MetricsServer &server() { return m_server; }
    QUrl url(const QString &path) const { return QUrl(m_server.baseUrl() + path); }

private:
    MetricsRecorder m_recorder; // outlives the runner, whose simulations it listens to
    QThread m_thread;
    ScenarioRunner *m_runner = nullptr;
    std::atomic<bool> m_finished { false };
    MetricsServer m_server;
};

} // namespace

class TestEndpoints : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void metricsPassPromtoolWhileRunning()
    {
        MonitoredRunner run(scenario(QStringLiteral("slow-ai-backend"))); // ai(): breaker and bulkhead
        run.runner().start();
        // Scrape while the run goes at full speed, then once it has ended.
        QTRY_VERIFY_WITH_TIMEOUT(run.recorder().latest()->sequence > 0, 20000);
        for (int i = 0; i < 2; ++i) {
            const HttpReply reply = httpGet(run.url(QStringLiteral("/metrics")));
            QCOMPARE(reply.status, 200);
            QVERIFY(reply.contentType.startsWith("text/plain; version=0.0.4"));
            for (const char *name : { "circuit_breaker_calls_total{", "circuit_breaker_state{",
                     "circuit_breaker_failure_rate{", "retry_attempts_total{", "timeout_operations_total{",
                     "bulkhead_executions_total{", "bulkhead_active{", "bulkhead_queued{",
                     "resilience_call_duration_seconds_bucket{" })
                QVERIFY2(reply.body.contains(name), name);
            const auto [code, said] = promtoolCheck(reply.body);
            QVERIFY2(code == 0, said.constData());
            if (i == 0)
                QTRY_VERIFY_WITH_TIMEOUT(run.finished(), 60000);
        }
        QCOMPARE(httpGet(run.url(QStringLiteral("/nothing"))).status, 404);
    }

    void prometheusScrapesTheBreakerState()
    {
        const QString prometheus = prometheusTool(QStringLiteral("prometheus"));
        QVERIFY2(!prometheus.isEmpty(), "prometheus is not installed");
        MonitoredRunner run(scenario(QStringLiteral("outage-and-recovery")));
        run.runner().start();
        QTRY_VERIFY_WITH_TIMEOUT(run.finished(), 60000);

        QTemporaryDir dir;
        const quint16 port = freePort();
        const QByteArray config = "global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\n"
                                  "scrape_configs:\n  - job_name: breakwater\n    static_configs:\n"
                                  "      - targets: ['127.0.0.1:"
            + QByteArray::number(run.server().port()) + "']\n";
        writeFile(dir.filePath(QStringLiteral("prometheus.yml")), config);
        QProcess server;
        server.setProcessChannelMode(QProcess::MergedChannels);
        server.start(prometheus,
            { QStringLiteral("--config.file=") + dir.filePath(QStringLiteral("prometheus.yml")),
                QStringLiteral("--storage.tsdb.path=") + dir.filePath(QStringLiteral("data")),
                QStringLiteral("--web.listen-address=127.0.0.1:") + QString::number(port) });
        QVERIFY(server.waitForStarted(10000));

        QUrl query(QStringLiteral("http://127.0.0.1:%1/api/v1/query").arg(port));
        query.setQuery(QUrlQuery { { QStringLiteral("query"), QStringLiteral("circuit_breaker_state") } });
        QJsonArray result;
        for (int i = 0; i < 60 && result.isEmpty() && server.state() == QProcess::Running; ++i) {
            QTest::qWait(500);
            const HttpReply reply = httpGet(query, 2000);
            if (reply.status == 200)
                result = QJsonDocument::fromJson(reply.body)[QStringLiteral("data")][QStringLiteral("result")].toArray();
        }
        // Every query of the Grafana dashboard is valid PromQL for this Prometheus.
        QStringList failed;
        for (const QString &expr : dashboardExpressions()) {
            QUrl url(QStringLiteral("http://127.0.0.1:%1/api/v1/query").arg(port));
            // Percent-encoded in full: a bare '+' would reach Prometheus as a space.
            url.setQuery(QStringLiteral("query=") + QString::fromLatin1(QUrl::toPercentEncoding(expr)), QUrl::StrictMode);
            const QJsonObject answer = QJsonDocument::fromJson(httpGet(url, 5000).body).object();
            if (answer[QStringLiteral("status")].toString() != u"success")
                failed.append(expr + QStringLiteral(": ") + answer[QStringLiteral("error")].toString());
        }
        server.terminate();
        if (!server.waitForFinished(10000))
            server.kill();
        QVERIFY2(!result.isEmpty(), server.readAll().right(2000).constData());
        QVERIFY2(failed.isEmpty(), qPrintable(failed.join(u'\n')));
        // One series per state; the breaker is closed again at the end of this scenario.
        QCOMPARE(result.size(), CircuitStateCount);
        QMap<QString, QString> values;
        for (const QJsonValue &series : result) {
            const QJsonObject metric = series[QStringLiteral("metric")].toObject();
            QCOMPARE(metric[QStringLiteral("name")].toString(), QStringLiteral("checkout"));
            QCOMPARE(metric[QStringLiteral("job")].toString(), QStringLiteral("breakwater"));
            values.insert(metric[QStringLiteral("state")].toString(), series[QStringLiteral("value")][1].toString());
        }
        QCOMPARE(values.value(QStringLiteral("closed")), QStringLiteral("1"));
        QCOMPARE(values.value(QStringLiteral("open")), QStringLiteral("0"));
    }

    void healthFlipsWhenABreakerIsForcedOpen()
    {
        MonitoredRunner run(scenario(QStringLiteral("outage-and-recovery")));
        run.runner().step(fromMs(1000)); // paused at 1 s, before the outage
        const QUrl health = run.url(QStringLiteral("/health"));
        QTRY_VERIFY_WITH_TIMEOUT(run.recorder().latest()->sequence > 0, 20000);
        QTRY_COMPARE_WITH_TIMEOUT(httpGet(health).status, 200, 20000);
        QJsonObject body = QJsonDocument::fromJson(httpGet(health).body).object();
        QCOMPARE(body[QStringLiteral("status")].toString(), QStringLiteral("healthy"));
        QCOMPARE(body[QStringLiteral("circuitBreakers")][QStringLiteral("total")].toInt(), 1);
        QVERIFY(body[QStringLiteral("summary")][QStringLiteral("issues")].toArray().isEmpty());

        run.runner().post({ ControlCommands::Breaker { QStringLiteral("checkout"), BreakerAction::HoldOpen } });
        QTRY_COMPARE_WITH_TIMEOUT(httpGet(health).status, 503, 20000);
        body = QJsonDocument::fromJson(httpGet(health).body).object();
        QCOMPARE(body[QStringLiteral("status")].toString(), QStringLiteral("degraded"));
        QCOMPARE(body[QStringLiteral("circuitBreakers")][QStringLiteral("byState")][QStringLiteral("FORCED_OPEN")].toInt(), 1);
        QCOMPARE(body[QStringLiteral("circuitBreakers")][QStringLiteral("open")].toInt(), 1); // as the issue counts it
        QCOMPARE(body[QStringLiteral("issues")].toArray(), QJsonArray { QStringLiteral("1 circuit breakers are open") });
        QCOMPARE(body[QStringLiteral("summary")][QStringLiteral("issues")].toArray(),
            QJsonArray { QStringLiteral("1 circuit breakers are open") });

        run.runner().post({ ControlCommands::Breaker { QStringLiteral("checkout"), BreakerAction::ForceClose } });
        QTRY_COMPARE_WITH_TIMEOUT(httpGet(health).status, 200, 20000);
    }

    // A run shorter than Hystrix's 10 s window: the stream's rolling counts are the whole run's.
    void hystrixStreamCarriesEveryKeyAndAgreesWithTheSummary()
    {
        const QByteArray json = R"({"name": "short-flaps", "durationMs": 9000, "seed": 7,
            "services": [{"name": "inventory", "capacity": 100, "latency": {"dist": "uniform", "minMs": 10, "maxMs": 60}}],
            "operations": [{"name": "stock-check", "service": "inventory", "rate": 50, "policy": "stock"}],
            "policies": {"stock": {"circuitBreaker": {"failureThreshold": 3, "resetTimeout": 800, "successThreshold": 2},
                                   "retry": {"maxAttempts": 2, "initialDelay": 50, "retryableErrors": ["ECONNREFUSED"]},
                                   "timeout": 500, "bulkhead": {"maxConcurrent": 4, "maxQueueSize": 2}}},
            "faults": [{"service": "inventory", "type": "flapping", "atMs": 1000, "untilMs": 8000, "upMs": 1500, "downMs": 1500}]})";
        LoadError error;
        std::optional<ScenarioConfig> config = parseScenario(json, QStringLiteral("short-flaps.json"), &error);
        QVERIFY2(config, qPrintable(error.toString()));

        MetricsRecorder recorder;
        ScenarioRun sim(*config);
        Summary summary;
        attachMetrics(recorder, sim);
        sim.setSummary(&summary);
        sim.runToEnd();
        recorder.publish();
        MetricsServer server([&recorder] { return recorder.latest(); });
        server.setStreamInterval(fromMs(200));
        QString message;
        QVERIFY2(server.start(QHostAddress::LocalHost, 0, &message), qPrintable(message));

        const QList<QJsonObject> messages = readHystrixStream(server.port(), 1000);
        QVERIFY2(messages.size() >= 4, "expected a batch at once and more every 200 ms"); // 2 per batch
        QCOMPARE(server.streamClients(), 1);
        int commands = 0, pools = 0;
        for (const QJsonObject &m : messages) {
            const QString type = m[QStringLiteral("type")].toString();
            const QStringList &required = type == u"HystrixCommand" ? HystrixCommandKeys : HystrixThreadPoolKeys;
            QVERIFY2(type == u"HystrixCommand" || type == u"HystrixThreadPool", qPrintable(type));
            for (const QString &key : required)
                QVERIFY2(m.contains(key), qPrintable(type + u' ' + key));
            QCOMPARE(m[QStringLiteral("name")].toString(), QStringLiteral("stock-check"));
            QCOMPARE(m[QStringLiteral("reportingHosts")].toInt(), 1);
            if (type == u"HystrixThreadPool") {
                ++pools;
                const BulkheadSummary &b = summary.bulkheads().at(QStringLiteral("stock-check"));
                QCOMPARE(m[QStringLiteral("rollingCountCommandRejections")].toInteger(), b.rejected + b.timeouts);
                QCOMPARE(m[QStringLiteral("currentCorePoolSize")].toInt(), 4);
                QCOMPARE(m[QStringLiteral("propertyValue_queueSizeRejectionThreshold")].toInt(), 2);
                continue;
            }
            ++commands;
            for (const char *latency : { "latencyExecute", "latencyTotal" })
                for (const QString &p : HystrixPercentileKeys)
                    QVERIFY(m[QLatin1StringView(latency)].toObject().contains(p));
            const OperationSummary &op = summary.operations().at(QStringLiteral("stock-check"));
            const auto count = [&m](const char *key) { return m[QLatin1StringView(key)].toInteger(); };
            QCOMPARE(count("rollingCountSuccess"), op.count(Outcome::Success));
            QCOMPARE(count("rollingCountFailure"), op.count(Outcome::Failure));
            QCOMPARE(count("rollingCountTimeout"), op.count(Outcome::Timeout));
            QCOMPARE(count("rollingCountShortCircuited"), op.count(Outcome::CircuitOpen));
            QCOMPARE(count("rollingCountThreadPoolRejected"),
                op.count(Outcome::BulkheadFull) + op.count(Outcome::BulkheadTimeout));
            QCOMPARE(count("rollingCountFallbackSuccess"), op.count(Outcome::Fallback));
            QCOMPARE(count("requestCount"), op.ended() - op.count(Outcome::Cancelled) - op.count(Outcome::Fallback));
            QCOMPARE(count("errorCount"), count("requestCount") - count("rollingCountSuccess"));
            QCOMPARE(count("errorPercentage"), count("errorCount") * 100 / count("requestCount"));
            // The scenario must exercise the counts it checks.
            QVERIFY(count("rollingCountFailure") > 0 && count("rollingCountShortCircuited") > 0);
            QVERIFY(m[QStringLiteral("propertyValue_circuitBreakerEnabled")].toBool());
            QCOMPARE(m[QStringLiteral("propertyValue_executionTimeoutInMilliseconds")].toInt(), 500);
            QCOMPARE(m[QStringLiteral("propertyValue_circuitBreakerSleepWindowInMilliseconds")].toInt(), 800);
        }
        QCOMPARE(commands, pools);
        QTRY_COMPARE_WITH_TIMEOUT(server.streamClients(), 0, 5000); // the client went away
    }
};

QTEST_GUILESS_MAIN(TestEndpoints)
#include "tst_endpoints.moc"
