#pragma once

#include "scenario/scenarioloader.h"

#include "freeport.h"

#include <QEventLoop>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkProxy>
#include <QNetworkReply>
#include <QProcess>
#include <QStandardPaths>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTest>
#include <QUrl>

namespace bw::test {

// A built-in scenario (or a scenario file); a bad name ends the test executable.
inline ScenarioConfig scenario(const QString &name)
{
    LoadError error;
    std::optional<ScenarioConfig> s = loadScenario(name, &error);
    if (!s)
        qFatal("%s", qPrintable(error.toString()));
    return *s;
}

struct HttpReply
{
    int status = 0; // 0: no answer
    QByteArray body;
    QByteArray contentType;
};

// A GET over a real socket, waiting in an event loop (which also serves an in-process server),
// bounded by `timeoutMs`. Never through a proxy.
inline HttpReply httpGet(const QUrl &url, int timeoutMs = 10000)
{
    QNetworkAccessManager nam;
    nam.setProxy(QNetworkProxy::NoProxy);
    QNetworkRequest request(url);
    request.setTransferTimeout(timeoutMs);
    QNetworkReply *reply = nam.get(request);
    QEventLoop loop;
    QObject::connect(reply, &QNetworkReply::finished, &loop, &QEventLoop::quit);
    loop.exec();
    HttpReply r;
    r.status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    r.body = reply->readAll();
    r.contentType = reply->header(QNetworkRequest::ContentTypeHeader).toByteArray();
    reply->deleteLater();
    return r;
}

// The Hystrix messages a stream sends within `ms`: the JSON after each "data: ".
inline QList<QJsonObject> readHystrixStream(quint16 port, int ms)
{
    QTcpSocket socket;
    socket.setProxy(QNetworkProxy::NoProxy);
    socket.connectToHost(QStringLiteral("127.0.0.1"), port);
    if (!socket.waitForConnected(5000))
        return {};
    socket.write("GET /hystrix.stream HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
    QByteArray bytes;
    QObject::connect(&socket, &QTcpSocket::readyRead, &socket, [&] { bytes += socket.readAll(); });
    QTest::qWait(ms);
    bytes += socket.readAll();
    QList<QJsonObject> messages;
    const qsizetype bodyStart = bytes.indexOf("\r\n\r\n");
    if (bodyStart < 0 || !bytes.startsWith("HTTP/1.1 200") || !bytes.contains("text/event-stream"))
        return {};
    for (const QByteArray &event : bytes.mid(bodyStart + 4).split('\n')) {
        if (event.startsWith("data: "))
            messages.append(QJsonDocument::fromJson(event.mid(6)).object());
    }
    return messages;
}

// A Prometheus tool from the `prometheus` Debian package; empty (and the test fails) without it.
inline QString prometheusTool(const QString &name)
{
    const QString path = QStandardPaths::findExecutable(name);
    if (path.isEmpty())
        qWarning("%s is missing: install the Debian package 'prometheus' (make test does)", qPrintable(name));
    return path;
}

// `promtool check metrics` on `exposition`: its exit code and what it said.
inline std::pair<int, QByteArray> promtoolCheck(const QByteArray &exposition)
{
    QProcess p;
    p.start(prometheusTool(QStringLiteral("promtool")), { QStringLiteral("check"), QStringLiteral("metrics") });
    if (!p.waitForStarted(10000))
        return { -1, "promtool did not start" };
    p.write(exposition);
    p.closeWriteChannel();
    if (!p.waitForFinished(30000)) {
        p.kill();
        p.waitForFinished();
        return { -1, "promtool did not finish" };
    }
    return { p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1,
        p.readAllStandardOutput() + p.readAllStandardError() };
}

// Every query of the Grafana dashboard (resources/grafana), in panel order.
inline QStringList dashboardExpressions()
{
    QFile file(qEnvironmentVariable("BREAKWATER_SOURCE_DIR") + QStringLiteral("/resources/grafana/breakwater-dashboard.json"));
    if (!file.open(QIODevice::ReadOnly))
        qFatal("cannot read %s", qPrintable(file.fileName()));
    QStringList exprs;
    const QJsonArray panels = QJsonDocument::fromJson(file.readAll())[QStringLiteral("panels")].toArray();
    for (const QJsonValue &panel : panels)
        for (const QJsonValue &target : panel[QStringLiteral("targets")].toArray())
            exprs.append(target[QStringLiteral("expr")].toString());
    return exprs;
}

// The keys HystrixMetricsStreamServlet writes (Hystrix's SerialHystrixDashboardData), which the
// dashboard reads.
inline const QStringList HystrixCommandKeys { QStringLiteral("type"), QStringLiteral("name"), QStringLiteral("group"), QStringLiteral("currentTime"), QStringLiteral("isCircuitBreakerOpen"),
    QStringLiteral("errorPercentage"), QStringLiteral("errorCount"), QStringLiteral("requestCount"), QStringLiteral("rollingCountBadRequests"), QStringLiteral("rollingCountCollapsedRequests"),
    QStringLiteral("rollingCountEmit"), QStringLiteral("rollingCountExceptionsThrown"), QStringLiteral("rollingCountFailure"), QStringLiteral("rollingCountFallbackEmit"),
    QStringLiteral("rollingCountFallbackFailure"), QStringLiteral("rollingCountFallbackMissing"), QStringLiteral("rollingCountFallbackRejection"),
    QStringLiteral("rollingCountFallbackSuccess"), QStringLiteral("rollingCountResponsesFromCache"), QStringLiteral("rollingCountSemaphoreRejected"),
    QStringLiteral("rollingCountShortCircuited"), QStringLiteral("rollingCountSuccess"), QStringLiteral("rollingCountThreadPoolRejected"), QStringLiteral("rollingCountTimeout"),
    QStringLiteral("currentConcurrentExecutionCount"), QStringLiteral("rollingMaxConcurrentExecutionCount"), QStringLiteral("latencyExecute_mean"),
    QStringLiteral("latencyExecute"), QStringLiteral("latencyTotal_mean"), QStringLiteral("latencyTotal"), QStringLiteral("propertyValue_circuitBreakerRequestVolumeThreshold"),
    QStringLiteral("propertyValue_circuitBreakerSleepWindowInMilliseconds"), QStringLiteral("propertyValue_circuitBreakerErrorThresholdPercentage"),
    QStringLiteral("propertyValue_circuitBreakerForceOpen"), QStringLiteral("propertyValue_circuitBreakerForceClosed"),
    QStringLiteral("propertyValue_circuitBreakerEnabled"), QStringLiteral("propertyValue_executionIsolationStrategy"),
    QStringLiteral("propertyValue_executionIsolationThreadTimeoutInMilliseconds"), QStringLiteral("propertyValue_executionTimeoutInMilliseconds"),
    QStringLiteral("propertyValue_executionIsolationThreadInterruptOnTimeout"), QStringLiteral("propertyValue_executionIsolationThreadPoolKeyOverride"),
    QStringLiteral("propertyValue_executionIsolationSemaphoreMaxConcurrentRequests"),
    QStringLiteral("propertyValue_fallbackIsolationSemaphoreMaxConcurrentRequests"),
    QStringLiteral("propertyValue_metricsRollingStatisticalWindowInMilliseconds"), QStringLiteral("propertyValue_requestCacheEnabled"),
    QStringLiteral("propertyValue_requestLogEnabled"), QStringLiteral("reportingHosts"), QStringLiteral("threadPool") };
inline const QStringList HystrixPercentileKeys { QStringLiteral("0"), QStringLiteral("25"), QStringLiteral("50"), QStringLiteral("75"), QStringLiteral("90"), QStringLiteral("95"), QStringLiteral("99"), QStringLiteral("99.5"), QStringLiteral("100") };
inline const QStringList HystrixThreadPoolKeys { QStringLiteral("type"), QStringLiteral("name"), QStringLiteral("currentTime"), QStringLiteral("currentActiveCount"),
    QStringLiteral("currentCompletedTaskCount"), QStringLiteral("currentCorePoolSize"), QStringLiteral("currentLargestPoolSize"), QStringLiteral("currentMaximumPoolSize"),
    QStringLiteral("currentPoolSize"), QStringLiteral("currentQueueSize"), QStringLiteral("currentTaskCount"), QStringLiteral("rollingCountThreadsExecuted"),
    QStringLiteral("rollingMaxActiveThreads"), QStringLiteral("rollingCountCommandRejections"), QStringLiteral("propertyValue_queueSizeRejectionThreshold"),
    QStringLiteral("propertyValue_metricsRollingStatisticalWindowInMilliseconds"), QStringLiteral("reportingHosts") };

} // namespace bw::test
