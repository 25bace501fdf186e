#include "httpservice.h"

#include <unordered_map>

namespace bw {

class HttpService::Port final : public Operation, private CompletionTarget
{
public:
    Port(HttpService &service, const QString &operation, HttpRequest request)
        : m_service(service)
        , m_operationKey(stableHash(operation))
        , m_http(service.m_client, std::move(request))
    { }

    // Ends what is still pending without completing it (the run is over).
    ~Port()
    {
        for (auto &[id, entry] : m_entries)
            m_service.m_scheduler.cancel(entry.timer);
    }

    const HttpOperation &http() const { return m_http; }

    void start(const Attempt &attempt, Completion done) override
    {
        BackendService::Stats &stats = m_service.m_stats;
        const FaultEffects &effects = m_service.m_effects;
        const TimePoint now = m_service.m_scheduler.now();
        if (effects.isDown(now)) {
            m_service.answer(done, ErrorCode::ConnectionRefused, std::nullopt);
            return;
        }
        if (m_service.rateLimited(now)) {
            m_service.answer(done, ErrorCode::httpStatus(429), effects.retryAfter);
            return;
        }
        // The same draws, in the same order, as a simulated service's request.
        Random random = m_service.requestRandom(m_operationKey, attempt);
        const double errorDraw = random.uniform();
        const double hangDraw = random.uniform();
        const double jitterDraw = random.uniform();

        Entry entry;
        entry.done = done;
        entry.attempt = attempt;
        if (hangDraw < effects.hangRate)
            entry.state = State::Hung;
        else if (errorDraw < effects.errorRate)
            entry.error = effects.errorCode;
        const Duration delay = m_service.addedLatency(jitterDraw);
        ++stats.inService;
        const std::uint64_t id = attempt.id;
        Entry &stored = m_entries.emplace(id, std::move(entry)).first->second;
        if (stored.state == State::Hung)
            return; // holds on until the caller gives up
        if (delay > Duration::zero())
            stored.timer = m_service.m_scheduler.scheduleAt(now + delay, [this, id] { delayElapsed(id); });
        else
            delayElapsed(id);
    }

    void cancel(const Attempt &attempt) override
    {
        const auto it = m_entries.find(attempt.id);
        if (it == m_entries.end())
            return;
        Entry entry = std::move(it->second);
        m_entries.erase(it);
        m_service.m_scheduler.cancel(entry.timer);
        if (entry.state == State::Sending) {
            m_http.cancel(entry.attempt);
            --m_service.m_sending;
        }
        if (entry.state == State::Waiting)
            --m_service.m_stats.queued;
        else
            --m_service.m_stats.inService;
        ++m_service.m_stats.abandoned;
        m_service.startWaiting();
    }

    // Sends the request of a waiting attempt (a brownout slot came free).
    void send(std::uint64_t id)
    {
        const auto it = m_entries.find(id);
        if (it == m_entries.end())
            return;
        it->second.state = State::Sending;
        ++m_service.m_sending;
        m_http.start(it->second.attempt, Completion(this, id));
    }

private:
    enum class State : std::uint8_t
    {
        Delayed,
        Hung,
        Waiting,
        Sending
    };
    struct Entry
    {
        Completion done;
        Attempt attempt;
        TimerId timer = 0;
        ErrorCode error; // an injected error: answered without a request
        State state = State::Delayed;
    };

    void delayElapsed(std::uint64_t id)
    {
        const auto it = m_entries.find(id);
        if (it == m_entries.end())
            return;
        it->second.timer = 0;
        if (!it->second.error.isNull()) {
            const Completion done = it->second.done;
            const ErrorCode error = it->second.error;
            m_entries.erase(it);
            --m_service.m_stats.inService;
            ++m_service.m_stats.completed;
            m_service.answer(done, error, std::nullopt);
            return;
        }
        const int capacity = m_service.m_effects.capacity;
        if (capacity > 0 && m_service.m_sending >= capacity) {
            it->second.state = State::Waiting;
            --m_service.m_stats.inService;
            ++m_service.m_stats.queued;
            m_service.m_waiting.emplace_back(this, id);
            return;
        }
        send(id);
    }

    // The real request ended.
    void complete(std::uint64_t attemptId, Result &&result) override
    {
        const auto it = m_entries.find(attemptId);
        Q_ASSERT(it != m_entries.end()); // cancel() aborts the request, so no late completion
        const Completion done = it->second.done;
        m_entries.erase(it);
        --m_service.m_sending;
        --m_service.m_stats.inService;
        ++m_service.m_stats.completed;
        if (!result.ok())
            ++m_service.m_stats.errorsServed;
        m_service.startWaiting();
        done(std::move(result)); // last: it may start new requests at once
    }

    friend class HttpService;
    HttpService &m_service;
    std::uint64_t m_operationKey;
    HttpOperation m_http;
    std::unordered_map<std::uint64_t, Entry> m_entries;
};

HttpService::HttpService(const ServiceConfig &config, Scheduler &scheduler, std::uint64_t seed)
    : BackendService(config, scheduler, seed)
    , m_client(&m_stats.received) // what went on the wire, not what the faults answered
{ }

HttpService::~HttpService() = default;

HttpRequest HttpService::requestFor(const ServiceConfig &service, const HttpRequestConfig &request)
{
    HttpRequest r;
    r.method = request.method;
    QString url = service.url;
    if (!request.path.isEmpty()) {
        if (url.endsWith(u'/') && request.path.startsWith(u'/'))
            url.chop(1);
        else if (!url.endsWith(u'/') && !request.path.startsWith(u'/'))
            url += u'/';
        url += request.path;
    }
    r.url = QUrl(url);
    r.headers = request.headers;
    r.body = request.body;
    return r;
}

Operation &HttpService::port(const OperationConfig &operation)
{
    m_ports.push_back(std::make_unique<Port>(*this, operation.name, requestFor(m_config, operation.request)));
    return *m_ports.back();
}

HttpOperation::Stats HttpService::requestStats() const
{
    HttpOperation::Stats total;
    for (const auto &p : m_ports) {
        total.started += p->http().stats().started;
        total.completed += p->http().stats().completed;
        total.aborted += p->http().stats().aborted;
    }
    return total;
}

void HttpService::onEffectsChanged()
{
    startWaiting(); // a brownout's end frees slots at once
}

void HttpService::startWaiting()
{
    while (!m_waiting.empty() && (m_effects.capacity <= 0 || m_sending < m_effects.capacity)) {
        const auto [port, id] = m_waiting.front();
        m_waiting.pop_front();
        if (!port->m_entries.count(id))
            continue; // cancelled while waiting
        --m_stats.queued;
        ++m_stats.inService;
        port->send(id);
    }
}

} // namespace bw
