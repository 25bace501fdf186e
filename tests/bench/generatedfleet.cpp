#include "generatedfleet.h"

#include "fixtureserver.h"

#include <QElapsedTimer>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QRegularExpression>

#include <cmath>

#include <pthread.h>

namespace bw::bench {

namespace {

enum class Library { Resilience4j, Opossum, Polly, Breakwater };

constexpr const char *BreakerNames[GeneratedFleet::BreakersPerReplica] = {
    "payments", "inventory", "shipping", "pricing", "search"
};

// A tenth of the breakers (the first of each service) go round a minute from their own phase:
// CLOSED for 49 s, OPEN for 8 s, HALF_OPEN for 3 s; the others stay CLOSED. Every breaker's
// transitions count one full minute before the start, so that opossum's and Polly's state
// counters exist from the first scrape (Polly's breaker appears with its first event).
struct Cycle
{
    double opened = 1, halfOpened = 1, closed = 1;
    const char *state = "closed";
};

Cycle cycleAt(int breaker, double seconds)
{
    Cycle c;
    if (breaker % GeneratedFleet::FlappingEvery != 0)
        return c;
    constexpr double Period = 60, OpensAt = 49, HalfOpensAt = 57;
    const double t = seconds + Period + (breaker * 7) % 60;
    const double minutes = std::floor(t / Period);
    const double phase = t - minutes * Period;
    c.opened = minutes + (phase >= OpensAt);
    c.halfOpened = minutes + (phase >= HalfOpensAt);
    c.closed = minutes;
    c.state = phase >= HalfOpensAt ? "half_open" : phase >= OpensAt ? "open" : "closed";
    return c;
}

QByteArray number(double v)
{
    return QByteArray::number(v, 'f', 3);
}

// One sample line: `labels` without braces.
void sample(QByteArray &out, const char *metric, const QByteArray &labels, double value)
{
    out += metric;
    out += '{' + labels + "} " + number(value) + '\n';
}

void resilience4j(QByteArray &out, const QByteArray &name, const Cycle &c, double callsPerSecond, double seconds, int used)
{
    const QByteArray n = "name=\"" + name + '"';
    for (const char *state : { "closed", "open", "half_open", "forced_open", "disabled", "metrics_only" })
        sample(out, "resilience4j_circuitbreaker_state", n + ",state=\"" + state + '"', qstrcmp(state, c.state) == 0);
    const std::pair<const char *, double> kinds[] = { { "successful", 0.9 }, { "failed", 0.08 }, { "ignored", 0.02 } };
    for (const auto &[kind, share] : kinds) {
        const QByteArray labels = "kind=\"" + QByteArray(kind) + "\"," + n;
        sample(out, "resilience4j_circuitbreaker_calls_seconds_count", labels, share * callsPerSecond * seconds);
        sample(out, "resilience4j_circuitbreaker_calls_seconds_sum", labels, 0.02 * share * callsPerSecond * seconds);
    }
    sample(out, "resilience4j_circuitbreaker_not_permitted_calls_total", "kind=\"not_permitted\"," + n, 2 * c.opened);
    sample(out, "resilience4j_circuitbreaker_failure_rate", n, qstrcmp(c.state, "closed") == 0 ? 8.0 : 55.0);
    sample(out, "resilience4j_circuitbreaker_slow_call_rate", n, 2.0);
    sample(out, "resilience4j_bulkhead_available_concurrent_calls", n, 10 - used);
    sample(out, "resilience4j_bulkhead_max_allowed_concurrent_calls", n, 10);
}

void opossum(QByteArray &out, const QByteArray &name, const Cycle &c, double callsPerSecond, double seconds)
{
    const QByteArray n = "name=\"" + name + '"';
    const std::pair<const char *, double> events[] = { { "fire", callsPerSecond * seconds },
        { "success", 0.9 * callsPerSecond * seconds }, { "failure", 0.08 * callsPerSecond * seconds },
        { "timeout", 0.01 * callsPerSecond * seconds }, { "reject", 0.02 * callsPerSecond * seconds },
        { "open", c.opened }, { "halfOpen", c.halfOpened }, { "close", c.closed } };
    for (const auto &[event, value] : events)
        sample(out, "circuit", n + ",event=\"" + event + '"', value);
    sample(out, "circuit_perf_sum", n + ",event=\"success\"", 25 * 0.9 * callsPerSecond * seconds);
    sample(out, "circuit_perf_count", n + ",event=\"success\"", 0.9 * callsPerSecond * seconds);
}

void polly(QByteArray &out, const QByteArray &name, const Cycle &c, double callsPerSecond, double seconds)
{
    const QByteArray pipeline = "pipeline_name=\"" + name + "\",pipeline_instance=\"\"";
    const std::pair<const char *, double> events[] = { { "OnCircuitOpened", c.opened },
        { "OnCircuitHalfOpened", c.halfOpened }, { "OnCircuitClosed", c.closed }, { "OnRetry", 0.05 * callsPerSecond * seconds } };
    for (const auto &[event, value] : events)
        sample(out, "resilience_polly_strategy_events_total",
            "event_name=\"" + QByteArray(event) + "\"," + pipeline + ",strategy_name=\"\",operation_key=\"\"", value);
    const std::pair<const char *, double> exceptions[] = { { "", 0.9 }, { "System.Net.Http.HttpRequestException", 0.08 },
        { "Polly.CircuitBreaker.BrokenCircuitException", 0.02 } };
    for (const auto &[exception, share] : exceptions) {
        const QByteArray labels = pipeline + ",operation_key=\"\",exception_type=\"" + exception + '"';
        sample(out, "resilience_polly_pipeline_duration_milliseconds_sum", labels, 20 * share * callsPerSecond * seconds);
        sample(out, "resilience_polly_pipeline_duration_milliseconds_count", labels, share * callsPerSecond * seconds);
    }
}

void breakwater(QByteArray &out, const QByteArray &name, const Cycle &c, double callsPerSecond, double seconds, int used)
{
    const QByteArray n = "name=\"" + name + '"';
    for (const char *state : { "closed", "open", "half_open" })
        sample(out, "circuit_breaker_state", n + ",state=\"" + QByteArray(state).toUpper() + '"', qstrcmp(state, c.state) == 0);
    const std::pair<const char *, double> results[] = { { "success", 0.9 }, { "failure", 0.08 }, { "rejected", 0.02 } };
    for (const auto &[result, share] : results)
        sample(out, "circuit_breaker_calls_total", n + ",result=\"" + result + '"', share * callsPerSecond * seconds);
    sample(out, "circuit_breaker_failure_rate", n, qstrcmp(c.state, "closed") == 0 ? 0.08 : 0.55);
    const std::pair<const char *, double> outcomes[] = { { "success", 0.9 }, { "failure", 0.08 }, { "circuit_open", 0.02 } };
    for (const auto &[outcome, share] : outcomes) {
        const QByteArray labels = n + ",outcome=\"" + outcome + '"';
        sample(out, "resilience_call_duration_seconds_sum", labels, 0.02 * share * callsPerSecond * seconds);
        sample(out, "resilience_call_duration_seconds_count", labels, share * callsPerSecond * seconds);
    }
    sample(out, "retry_attempts_total", n, 0.05 * callsPerSecond * seconds);
    sample(out, "bulkhead_active", n, used);
}

} // namespace

CircuitState cycleState(int breaker, double seconds)
{
    const char *state = cycleAt(breaker, seconds).state;
    return qstrcmp(state, "open") == 0 ? CircuitState::Open
        : qstrcmp(state, "half_open") == 0 ? CircuitState::HalfOpen
                                           : CircuitState::Closed;
}

QByteArray generatedExposition(int service, int replica, double seconds)
{
    QByteArray out;
    out.reserve(16 * 1024);
    const auto library = Library(service % 4);
    for (int k = 0; k < GeneratedFleet::BreakersPerReplica; ++k) {
        const int breaker = (service * GeneratedFleet::Replicas + replica) * GeneratedFleet::BreakersPerReplica + k;
        const Cycle c = cycleAt(breaker, seconds);
        const double callsPerSecond = 20 + breaker % 7;
        const int used = 3 + breaker % 5;
        const QByteArray name(BreakerNames[k]);
        switch (library) {
        case Library::Resilience4j: resilience4j(out, name, c, callsPerSecond, seconds, used); break;
        case Library::Opossum: opossum(out, name, c, callsPerSecond, seconds); break;
        case Library::Polly: polly(out, name, c, callsPerSecond, seconds); break;
        case Library::Breakwater: breakwater(out, name, c, callsPerSecond, seconds, used); break;
        }
    }
    return out;
}

// The targets' servers, made, answering and destroyed on the fleet's thread.
struct GeneratedFleet::Targets
{
    QElapsedTimer clock;
    std::vector<std::unique_ptr<test::FixtureServer>> servers; // service × replica
};

GeneratedFleet::GeneratedFleet()
    : m_targets(std::make_unique<Targets>())
{
    m_thread.setObjectName(QStringLiteral("generated targets"));
    m_context = new QObject;
    m_context->moveToThread(&m_thread);
    QObject::connect(&m_thread, &QThread::finished, m_context, &QObject::deleteLater);
    m_thread.start();
    QMetaObject::invokeMethod(m_context, [this, targets = m_targets.get()] {
        pthread_getcpuclockid(pthread_self(), &m_targetsClock);
        targets->clock.start();
        for (int service = 0; service < Services; ++service)
            for (int replica = 0; replica < Replicas; ++replica)
                targets->servers.push_back(std::make_unique<test::FixtureServer>([targets, service, replica](const QByteArray &) {
                    test::FixtureReply reply;
                    reply.body = generatedExposition(service, replica, double(targets->clock.elapsed()) / 1000.0);
                    return reply;
                }));
    }, Qt::BlockingQueuedConnection);
    QList<test::PrometheusServer::Job> jobs;
    for (int service = 0; service < Services; ++service) {
        test::PrometheusServer::Job job;
        job.name = QStringLiteral("service-%1").arg(service, 3, 10, QLatin1Char('0'));
        for (int replica = 0; replica < Replicas; ++replica) {
            const quint16 port = m_targets->servers[std::size_t(service * Replicas + replica)]->port();
            if (port == 0)
                m_error = QStringLiteral("cannot listen on 127.0.0.1 for the generated targets");
            job.targets.append(QStringLiteral("127.0.0.1:") + QString::number(port));
        }
        jobs.append(job);
    }
    m_prometheus = std::make_unique<test::PrometheusServer>(jobs);
}

GeneratedFleet::~GeneratedFleet()
{
    m_prometheus.reset(); // no scrape comes after
    QMetaObject::invokeMethod(m_context, [this] { m_targets->servers.clear(); }, Qt::BlockingQueuedConnection);
    m_thread.quit();
    m_thread.wait();
}

bool GeneratedFleet::waitReady(int timeoutMs)
{
    if (!m_error.isEmpty())
        return false;
    if (!m_prometheus->waitReady(timeoutMs)) {
        m_error = m_prometheus->error();
        return false;
    }
    return true;
}

double cpuMs(clockid_t clock)
{
    timespec t {};
    clock_gettime(clock, &t);
    return double(t.tv_sec) * 1e3 + double(t.tv_nsec) / 1e6;
}

double GeneratedFleet::targetsCpuMs() const
{
    return cpuMs(m_targetsClock);
}

int GeneratedFleet::breakerNumber(const QString &job, const QString &instance, const QString &name) const
{
    bool ok = false;
    const int service = job.mid(job.lastIndexOf(u'-') + 1).toInt(&ok);
    const auto k = std::find_if(std::begin(BreakerNames), std::end(BreakerNames),
                       [&name](const char *n) { return name == QLatin1StringView(n); })
        - std::begin(BreakerNames);
    if (!ok || service < 0 || service >= Services || k == BreakersPerReplica)
        return -1;
    for (int replica = 0; replica < Replicas; ++replica)
        if (instance.endsWith(u':' + QString::number(m_targets->servers[std::size_t(service * Replicas + replica)]->port())))
            return (service * Replicas + replica) * BreakersPerReplica + int(k);
    return -1;
}

double GeneratedFleet::queriesAnswered()
{
    QNetworkAccessManager network;
    network.setProxy(QNetworkProxy::NoProxy);
    QNetworkRequest request(QUrl(prometheusUrl() + QStringLiteral("/metrics")));
    request.setTransferTimeout(10000);
    QNetworkReply *reply = network.get(request);
    if (!QTest::qWaitFor([reply] { return reply->isFinished(); }, 11000)) {
        delete reply;
        m_error = QStringLiteral("%1/metrics did not answer within 11 s").arg(prometheusUrl());
        return -1;
    }
    const QString body = QString::fromUtf8(reply->readAll());
    delete reply;
    // Every status code: a query that failed was sent all the same.
    static const QRegularExpression line(
        QStringLiteral("^prometheus_http_requests_total\\{code=\"\\d+\",handler=\"/api/v1/query\"\\} (\\S+)$"),
        QRegularExpression::MultilineOption);
    double total = 0;
    bool found = false;
    for (auto it = line.globalMatch(body); it.hasNext();) {
        total += it.next().captured(1).toDouble();
        found = true;
    }
    if (!found) {
        m_error = QStringLiteral("%1/metrics has no prometheus_http_requests_total for /api/v1/query").arg(prometheusUrl());
        return -1;
    }
    return total;
}

} // namespace bw::bench
