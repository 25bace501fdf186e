#include "fleetclient.h"

#include "fleet/fleetmonitor.h"
#include "fleet/hystrixsource.h"
#include "fleet/prometheussource.h"
#include "runtime/wallscheduler.h"

#include <QTimer>

namespace bw {

// What lives on the worker thread.
struct FleetClient::Worker
{
    WallScheduler scheduler;
    std::unique_ptr<FleetMonitor> monitor;
    int historyFetches = 0; // asked and not answered yet

    // A source is only dropped between its requests: the replies of one destroyed with
    // requests in flight finish (aborted) while it and its monitor are half gone.
    bool busy() const
    {
        return historyFetches > 0
            || std::any_of(monitor->sources().begin(), monitor->sources().end(),
                [](const std::unique_ptr<FleetSource> &s) { return s->refreshing(); });
    }
};

void FleetClient::dropRetired()
{
    std::erase_if(m_retired, [](const std::shared_ptr<Worker> &w) { return !w->busy(); });
    if (!m_retired.empty())
        QTimer::singleShot(200, m_context, [this] { dropRetired(); });
}

FleetClient::FleetClient(QObject *parent)
    : QObject(parent)
{
    qRegisterMetaType<FleetSnapshot>();
    qRegisterMetaType<FleetHistory>();
    m_thread.setObjectName(QStringLiteral("fleet sources"));
    m_context = new QObject;
    m_context->moveToThread(&m_thread);
    QObject::connect(&m_thread, &QThread::finished, m_context, &QObject::deleteLater);
    m_thread.start();
}

FleetClient::~FleetClient()
{
    m_open = false;
    // The sources' sockets and timers go on their own thread, before it ends.
    QMetaObject::invokeMethod(m_context, [this] {
        m_worker.reset();
        m_retired.clear();
    }, Qt::BlockingQueuedConnection);
    m_thread.quit();
    m_thread.wait();
}

bool FleetClient::open(const FleetConnection &connection, QString *error)
{
    if (!connection.check(error))
        return false;
    const std::optional<QString> token = connection.bearerToken(error);
    if (!token)
        return false;
    close();
    m_connection = connection;
    m_open = true;
    const std::uint64_t generation = ++m_generation;
    QMetaObject::invokeMethod(m_context, [this, connection, token = token->toUtf8(), generation] {
        auto worker = std::make_shared<Worker>();
        worker->monitor = std::make_unique<FleetMonitor>(
            worker->scheduler, std::chrono::seconds(connection.refreshSeconds));
        if (!connection.prometheus.isEmpty()) {
            PrometheusSourceOptions options;
            options.url = QUrl(connection.prometheus);
            options.bearerToken = token;
            worker->monitor->addSource(std::make_unique<PrometheusSource>(worker->scheduler, options));
        }
        for (const QString &url : connection.hystrix) {
            HystrixSourceOptions options;
            options.url = QUrl(url);
            options.bearerToken = token;
            worker->monitor->addSource(std::make_unique<HystrixSource>(worker->scheduler, options));
        }
        worker->monitor->setUpdateCallback([this, generation](const FleetSnapshot &snapshot) {
            QMetaObject::invokeMethod(this, [this, generation, snapshot] {
                if (generation == m_generation && m_open)
                    Q_EMIT snapshotReady(snapshot);
            }, Qt::QueuedConnection);
        });
        worker->monitor->start();
        m_worker = std::move(worker);
    }, Qt::QueuedConnection);
    return true;
}

void FleetClient::close()
{
    if (!m_open)
        return;
    m_open = false;
    ++m_generation;
    // Stopped now, dropped on its own thread (where its sockets and timers live) once its
    // requests are over; nothing waits for it.
    QMetaObject::invokeMethod(m_context, [this] {
        if (!m_worker)
            return;
        m_worker->monitor->stop();
        m_retired.push_back(std::move(m_worker));
        dropRetired();
    }, Qt::QueuedConnection);
}

void FleetClient::setRefreshSeconds(int seconds)
{
    m_connection.refreshSeconds = seconds;
    QMetaObject::invokeMethod(m_context, [this, seconds] {
        if (m_worker)
            m_worker->monitor->setInterval(std::chrono::seconds(seconds));
    }, Qt::QueuedConnection);
}

void FleetClient::refreshNow()
{
    QMetaObject::invokeMethod(m_context, [this] {
        if (m_worker)
            m_worker->monitor->refreshNow();
    }, Qt::QueuedConnection);
}

void FleetClient::fetchHistory(qint64 fromMs, qint64 toMs, Duration step)
{
    const std::uint64_t generation = m_generation;
    QMetaObject::invokeMethod(m_context, [this, fromMs, toMs, step, generation] {
        if (!m_worker)
            return;
        // Every source answers once; the last answer posts the merged history.
        struct Pending
        {
            FleetHistory history;
            QStringList errors;
            std::size_t waiting = 0;
        };
        auto pending = std::make_shared<Pending>();
        pending->history.fromMs = fromMs;
        pending->history.toMs = toMs;
        pending->history.step = step;
        const auto &sources = m_worker->monitor->sources();
        pending->waiting = sources.size();
        Worker *worker = m_worker.get();
        worker->historyFetches += int(sources.size());
        const auto post = [this, generation, pending] {
            std::sort(pending->history.series.begin(), pending->history.series.end(),
                [](const BreakerSeries &a, const BreakerSeries &b) { return a.id < b.id; });
            QMetaObject::invokeMethod(this, [this, generation, history = pending->history, errors = pending->errors] {
                if (generation == m_generation && m_open)
                    Q_EMIT historyReady(history, errors);
            }, Qt::QueuedConnection);
        };
        if (sources.empty())
            post();
        for (const auto &source : sources) {
            source->fetchHistory(fromMs, toMs, step,
                [pending, post, worker](const FleetHistory &history, const QString &error) {
                    --worker->historyFetches;
                    if (!error.isEmpty()) // it names its source already
                        pending->errors.append(error);
                    for (const BreakerSeries &s : history.series)
                        pending->history.series.push_back(s);
                    if (--pending->waiting == 0)
                        post();
                });
        }
    }, Qt::QueuedConnection);
}

} // namespace bw
