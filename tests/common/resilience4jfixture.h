#pragma once

#include <QByteArray>
#include <QString>

namespace bw::test {

// A Resilience4j service (breaker, retry and bulkhead "paymentGateway") as Micrometer's Prometheus
// registry writes it (label order and the trailing comma as Micrometer writes them), `seconds`
// after its start. Counters grow at fixed rates, so that rate() over them is known: 40
// successful, 10 failed and 5 refused calls/s; the bulkhead holds 10 of its 25 calls.
inline QByteArray resilience4jExposition(double seconds, const QString &state)
{
    QByteArray out;
    out += "# HELP resilience4j_circuitbreaker_state The states of the circuit breaker\n"
           "# TYPE resilience4j_circuitbreaker_state gauge\n";
    for (const char *s : { "closed", "open", "half_open", "forced_open", "disabled", "metrics_only" })
        out += "resilience4j_circuitbreaker_state{name=\"paymentGateway\",state=\"" + QByteArray(s) + "\",} "
            + (state == QLatin1StringView(s) ? "1.0" : "0.0") + "\n";
    out += "# HELP resilience4j_circuitbreaker_calls_seconds Total number of successful calls\n"
           "# TYPE resilience4j_circuitbreaker_calls_seconds summary\n";
    const auto counter = [&](const char *kind, double perSecond, double latency) {
        const QByteArray n = QByteArray::number(perSecond * seconds, 'f', 3);
        out += "resilience4j_circuitbreaker_calls_seconds_count{kind=\"" + QByteArray(kind) + "\",name=\"paymentGateway\",} " + n + "\n";
        out += "resilience4j_circuitbreaker_calls_seconds_sum{kind=\"" + QByteArray(kind) + "\",name=\"paymentGateway\",} "
            + QByteArray::number(perSecond * seconds * latency, 'f', 3) + "\n";
    };
    counter("successful", 40, 0.05);
    counter("failed", 10, 0.05);
    counter("ignored", 0, 0.05);
    out += "# TYPE resilience4j_circuitbreaker_not_permitted_calls_total counter\n"
           "resilience4j_circuitbreaker_not_permitted_calls_total{kind=\"not_permitted\",name=\"paymentGateway\",} "
        + QByteArray::number(5 * seconds, 'f', 3) + "\n";
    out += "# TYPE resilience4j_circuitbreaker_failure_rate gauge\n"
           "resilience4j_circuitbreaker_failure_rate{name=\"paymentGateway\",} 20.0\n"
           "# TYPE resilience4j_circuitbreaker_slow_call_rate gauge\n"
           "resilience4j_circuitbreaker_slow_call_rate{name=\"paymentGateway\",} 5.0\n"
           "# TYPE resilience4j_retry_calls_total counter\n"
           "resilience4j_retry_calls_total{kind=\"successful_with_retry\",name=\"paymentGateway\",} "
        + QByteArray::number(2 * seconds, 'f', 3) + "\n"
        + "resilience4j_retry_calls_total{kind=\"successful_without_retry\",name=\"paymentGateway\",} "
        + QByteArray::number(38 * seconds, 'f', 3) + "\n"
        + "# TYPE resilience4j_bulkhead_available_concurrent_calls gauge\n"
          "resilience4j_bulkhead_available_concurrent_calls{name=\"paymentGateway\",} 15.0\n"
          "# TYPE resilience4j_bulkhead_max_allowed_concurrent_calls gauge\n"
          "resilience4j_bulkhead_max_allowed_concurrent_calls{name=\"paymentGateway\",} 25.0\n";
    return out;
}

} // namespace bw::test
