#include "fleet/prometheusfleet.h"

#include <benchmark/benchmark.h>

#include <QList>

using namespace bw;

namespace {

// Prometheus's answer to one refresh query over a generated fleet: 100 services × 10 Resilience4j
// breakers, each on one instance, one labelled value per breaker and `extraLabel` value (a state
// or a kind of call).
QByteArray answer(PrometheusFigure figure, const QList<QByteArray> &extraLabel, const QByteArray &key)
{
    QByteArray out = R"({"status":"success","data":{"resultType":"vector","result":[)";
    bool first = true;
    for (int service = 0; service < 100; ++service) {
        for (int breaker = 0; breaker < 10; ++breaker) {
            for (const QByteArray &extra : extraLabel) {
                if (!first)
                    out += ',';
                first = false;
                const double value = figure == PrometheusFigure::Resilience4jState ? 1.0 : double((service * 10 + breaker) % 97);
                out += R"({"metric":{"job":"service-)" + QByteArray::number(service) + R"(","instance":"10.0.)"
                    + QByteArray::number(service) + R"(.1:8080","name":"breaker-)" + QByteArray::number(breaker) + '"';
                if (!key.isEmpty())
                    out += ",\"" + key + "\":\"" + extra + '"';
                out += R"(},"value":[1796551201.25,")" + QByteArray::number(value) + R"("]})";
            }
        }
    }
    return out + "]}}";
}

// Building the snapshot of 1,000 breakers across 100 services from a refresh's answers: the
// work each refresh does beside the network (docs/performance.md).
void BM_FleetSnapshot(benchmark::State &state)
{
    const QList<std::pair<PrometheusFigure, QByteArray>> answers {
        { PrometheusFigure::Resilience4jState, answer(PrometheusFigure::Resilience4jState, { "closed" }, "state") },
        { PrometheusFigure::Resilience4jCalls, answer(PrometheusFigure::Resilience4jCalls, { "successful", "failed", "ignored" }, "kind") },
        { PrometheusFigure::Resilience4jNotPermitted, answer(PrometheusFigure::Resilience4jNotPermitted, { "" }, {}) },
        { PrometheusFigure::Resilience4jFailureRate, answer(PrometheusFigure::Resilience4jFailureRate, { "" }, {}) },
        { PrometheusFigure::Resilience4jSlowCallRate, answer(PrometheusFigure::Resilience4jSlowCallRate, { "" }, {}) },
        { PrometheusFigure::Resilience4jBulkheadAvailable, answer(PrometheusFigure::Resilience4jBulkheadAvailable, { "" }, {}) },
        { PrometheusFigure::Resilience4jBulkheadMax, answer(PrometheusFigure::Resilience4jBulkheadMax, { "" }, {}) },
        { PrometheusFigure::Resilience4jLatency, answer(PrometheusFigure::Resilience4jLatency, { "" }, {}) },
    };
    for (auto _ : state) {
        PrometheusSnapshotBuilder builder(QStringLiteral("http://prometheus:9090"));
        QString error;
        for (const auto &[figure, body] : answers)
            if (!builder.add(figure, body, &error))
                state.SkipWithError("an answer was not read");
        const std::vector<BreakerReading> readings = builder.readings();
        if (readings.size() != 1000)
            state.SkipWithError("not 1,000 breakers");
        benchmark::DoNotOptimize(readings.data());
    }
    state.SetItemsProcessed(state.iterations() * 1000);
}
BENCHMARK(BM_FleetSnapshot); // nanoseconds, as the yardstick, for the ratio

} // namespace
