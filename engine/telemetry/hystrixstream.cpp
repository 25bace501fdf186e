#include "hystrixstream.h"

#include <QJsonDocument>

namespace bw {

namespace {

QJsonObject latencies(const std::array<std::int64_t, MetricsSnapshot::HystrixPercentiles.size()> &values)
{
    QJsonObject o;
    for (std::size_t i = 0; i < values.size(); ++i)
        o.insert(QString::number(MetricsSnapshot::HystrixPercentiles[i]), double(values[i]));
    return o;
}

} // namespace

QJsonObject hystrixCommand(const MetricsSnapshot::Operation &op, qint64 currentTimeMs)
{
    const MetricsSnapshot::HystrixWindow &w = op.window;
    const std::optional<CircuitBreakerConfig> &cb = op.breakerConfig;
    const bool open = cb
        && (op.breakerState == CircuitState::Open || op.breakerState == CircuitState::ForcedOpen
            || op.breakerState == CircuitState::HalfOpen);
    const double timeoutMs = op.timeout ? toMs(*op.timeout) : (cb ? toMs(cb->timeout) : 0.0);
    return QJsonObject {
        { QStringLiteral("type"), QStringLiteral("HystrixCommand") },
        { QStringLiteral("name"), op.name },
        { QStringLiteral("group"), QStringLiteral("breakwater") },
        { QStringLiteral("currentTime"), double(currentTimeMs) },
        { QStringLiteral("isCircuitBreakerOpen"), open },
        { QStringLiteral("errorPercentage"), w.errorPercentage() },
        { QStringLiteral("errorCount"), double(w.errorCount()) },
        { QStringLiteral("requestCount"), double(w.requestCount()) },
        { QStringLiteral("rollingCountBadRequests"), 0 },
        { QStringLiteral("rollingCountCollapsedRequests"), 0 },
        { QStringLiteral("rollingCountEmit"), 0 },
        { QStringLiteral("rollingCountExceptionsThrown"), double(w.exceptionsThrown) },
        { QStringLiteral("rollingCountFailure"), double(w.failure) },
        { QStringLiteral("rollingCountFallbackEmit"), 0 },
        { QStringLiteral("rollingCountFallbackFailure"), 0 },
        { QStringLiteral("rollingCountFallbackMissing"), 0 },
        { QStringLiteral("rollingCountFallbackRejection"), 0 },
        { QStringLiteral("rollingCountFallbackSuccess"), double(w.fallbackSuccess) },
        { QStringLiteral("rollingCountResponsesFromCache"), 0 },
        { QStringLiteral("rollingCountSemaphoreRejected"), double(w.semaphoreRejected) },
        { QStringLiteral("rollingCountShortCircuited"), double(w.shortCircuited) },
        { QStringLiteral("rollingCountSuccess"), double(w.success) },
        { QStringLiteral("rollingCountThreadPoolRejected"), double(w.threadPoolRejected) },
        { QStringLiteral("rollingCountTimeout"), double(w.timeout) },
        { QStringLiteral("currentConcurrentExecutionCount"), op.inFlight },
        { QStringLiteral("rollingMaxConcurrentExecutionCount"), w.maxConcurrent },
        { QStringLiteral("latencyExecute_mean"), double(w.latencyExecuteMean) },
        { QStringLiteral("latencyExecute"), latencies(w.latencyExecute) },
        { QStringLiteral("latencyTotal_mean"), double(w.latencyTotalMean) },
        { QStringLiteral("latencyTotal"), latencies(w.latencyTotal) },
        { QStringLiteral("propertyValue_circuitBreakerRequestVolumeThreshold"), cb ? cb->volumeThreshold : 0 },
        { QStringLiteral("propertyValue_circuitBreakerSleepWindowInMilliseconds"), cb ? toMs(cb->resetTimeout) : 0.0 },
        { QStringLiteral("propertyValue_circuitBreakerErrorThresholdPercentage"),
            cb ? int(std::lround(cb->failureRateThreshold * 100)) : 0 },
        { QStringLiteral("propertyValue_circuitBreakerForceOpen"), op.breakerState == CircuitState::ForcedOpen },
        { QStringLiteral("propertyValue_circuitBreakerForceClosed"), op.breakerState == CircuitState::Disabled },
        { QStringLiteral("propertyValue_circuitBreakerEnabled"), cb.has_value() },
        { QStringLiteral("propertyValue_executionIsolationStrategy"),
            op.bulkheadMaxConcurrent > 0 ? QStringLiteral("THREAD") : QStringLiteral("SEMAPHORE") },
        { QStringLiteral("propertyValue_executionIsolationThreadTimeoutInMilliseconds"), timeoutMs },
        { QStringLiteral("propertyValue_executionTimeoutInMilliseconds"), timeoutMs },
        { QStringLiteral("propertyValue_executionIsolationThreadInterruptOnTimeout"), true },
        { QStringLiteral("propertyValue_executionIsolationThreadPoolKeyOverride"), QJsonValue::Null },
        { QStringLiteral("propertyValue_executionIsolationSemaphoreMaxConcurrentRequests"), op.bulkheadMaxConcurrent },
        { QStringLiteral("propertyValue_fallbackIsolationSemaphoreMaxConcurrentRequests"), op.bulkheadMaxConcurrent },
        { QStringLiteral("propertyValue_metricsRollingStatisticalWindowInMilliseconds"),
            toMs(MetricsSnapshot::RollingWindow) },
        { QStringLiteral("propertyValue_requestCacheEnabled"), false },
        { QStringLiteral("propertyValue_requestLogEnabled"), false },
        { QStringLiteral("reportingHosts"), 1 },
        { QStringLiteral("threadPool"), op.name },
    };
}

QJsonObject hystrixThreadPool(const MetricsSnapshot::Bulkhead &b, qint64 currentTimeMs)
{
    return QJsonObject {
        { QStringLiteral("type"), QStringLiteral("HystrixThreadPool") },
        { QStringLiteral("name"), b.name },
        { QStringLiteral("currentTime"), double(currentTimeMs) },
        { QStringLiteral("currentActiveCount"), b.active },
        { QStringLiteral("currentCompletedTaskCount"), double(b.completed) },
        { QStringLiteral("currentCorePoolSize"), b.maxConcurrent },
        { QStringLiteral("currentLargestPoolSize"), b.maxConcurrent },
        { QStringLiteral("currentMaximumPoolSize"), b.maxConcurrent },
        { QStringLiteral("currentPoolSize"), b.maxConcurrent },
        { QStringLiteral("currentQueueSize"), b.queued },
        { QStringLiteral("currentTaskCount"), double(b.started) },
        { QStringLiteral("rollingCountThreadsExecuted"), double(b.rollingExecuted) },
        { QStringLiteral("rollingMaxActiveThreads"), b.rollingMaxActive },
        { QStringLiteral("rollingCountCommandRejections"), double(b.rollingRejected) },
        { QStringLiteral("propertyValue_queueSizeRejectionThreshold"), b.maxQueueSize },
        { QStringLiteral("propertyValue_metricsRollingStatisticalWindowInMilliseconds"),
            toMs(MetricsSnapshot::RollingWindow) },
        { QStringLiteral("reportingHosts"), 1 },
    };
}

QByteArray hystrixEvents(const MetricsSnapshot &s, qint64 currentTimeMs)
{
    QByteArray out;
    const auto append = [&out](const QJsonObject &o) {
        out += "data: ";
        out += QJsonDocument(o).toJson(QJsonDocument::Compact);
        out += "\n\n";
    };
    for (const MetricsSnapshot::Operation &op : s.operations)
        append(hystrixCommand(op, currentTimeMs));
    for (const MetricsSnapshot::Bulkhead &b : s.bulkheads)
        append(hystrixThreadPool(b, currentTimeMs));
    return out;
}

} // namespace bw
