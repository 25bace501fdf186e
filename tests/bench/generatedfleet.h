#pragma once

#include "prometheusserver.h"

#include "resilience/circuitbreaker.h"

#include <QString>
#include <QThread>

#include <ctime>

#include <memory>
#include <vector>

namespace bw::bench {

// A generated fleet for the scale benchmark: Services services of Replicas replicas, each replica
// a /metrics target on a port of its own on 127.0.0.1 exposing BreakersPerReplica circuit
// breakers in one library's metric names (docs/formats.md, "Fleet monitoring"): the services take
// Resilience4j, opossum, Polly and Breakwater in turn. Every scrape reads the time since the
// targets started, so counters grow, rates are real, and one breaker in FlappingEvery (the first
// of each service) goes through CLOSED, OPEN and HALF_OPEN once a minute, its phase its own; the
// others stay CLOSED. A real Prometheus scrapes them every second:
// job = the service, instance = the replica's host:port, as Prometheus names them itself.
class GeneratedFleet
{
public:
    static constexpr int Services = 100;
    static constexpr int Replicas = 2;
    static constexpr int BreakersPerReplica = 5;
    static constexpr int Breakers = Services * Replicas * BreakersPerReplica;
    static constexpr int FlappingEvery = Replicas * BreakersPerReplica;

    // Starts the targets (on a thread of their own: the scrapes never run on the caller's thread)
    // and Prometheus; error() says why when it cannot (no prometheus binary, no port).
    GeneratedFleet();
    ~GeneratedFleet();
    GeneratedFleet(const GeneratedFleet &) = delete;
    GeneratedFleet &operator=(const GeneratedFleet &) = delete;

    // Waits (up to `timeoutMs`) until Prometheus answers; false, with error(), if not.
    bool waitReady(int timeoutMs);
    QString prometheusUrl() const { return m_prometheus ? m_prometheus->url() : QString(); }
    QString error() const { return m_error; }
    // The /api/v1/query requests Prometheus has answered so far, from its own
    // prometheus_http_requests_total; -1 with error() when it cannot be read.
    double queriesAnswered();
    // The number of the breaker `name` on the target `instance` of service `job` (the order
    // cycleState() takes), or -1 when the fleet has none such.
    int breakerNumber(const QString &job, const QString &instance, const QString &name) const;
    // The CPU time the targets' thread has used (answering scrapes), in milliseconds.
    double targetsCpuMs() const;

private:
    struct Targets;
    QThread m_thread;
    QObject *m_context = nullptr; // lives on m_thread: the targets' work is queued to it
    std::unique_ptr<Targets> m_targets; // lives on m_thread
    std::unique_ptr<test::PrometheusServer> m_prometheus;
    QString m_error;
    clockid_t m_targetsClock {};
};

// A CPU-time clock (CLOCK_THREAD_CPUTIME_ID, a thread's), in milliseconds.
double cpuMs(clockid_t clock);

// The state breaker number `breaker` of the fleet is in `seconds` after the targets started.
CircuitState cycleState(int breaker, double seconds);

// The exposition of `replica` of `service` after `seconds`, in its library's names.
QByteArray generatedExposition(int service, int replica, double seconds);

} // namespace bw::bench
