#include "timeoutmanager.h"

#include "wrappers.h"

namespace bw {

QMap<QString, int> TimeoutManager::guideDefaults()
{
    return {
        { QStringLiteral("api.default"), 30000 },      { QStringLiteral("api.ai"), 120000 },
        { QStringLiteral("api.upload"), 300000 },      { QStringLiteral("db.query"), 30000 },
        { QStringLiteral("db.transaction"), 60000 },   { QStringLiteral("db.migration"), 300000 },
        { QStringLiteral("external.weather"), 10000 }, { QStringLiteral("external.carbon"), 15000 },
        { QStringLiteral("external.regulatory"), 20000 }, { QStringLiteral("cache.get"), 1000 },
        { QStringLiteral("cache.set"), 2000 },         { QStringLiteral("queue.enqueue"), 5000 },
        { QStringLiteral("queue.process"), 60000 },
    };
}

TimeoutManager::TimeoutManager(Scheduler &scheduler)
    : m_scheduler(scheduler)
{
    reset();
}

TimeoutManager::~TimeoutManager() = default;

void TimeoutManager::registerTimeout(const QString &name, TimeoutConfig config)
{
    QMutexLocker lock(&m_mutex);
    m_configs.insert(name, std::move(config));
}

std::optional<TimeoutConfig> TimeoutManager::get(const QString &name) const
{
    QMutexLocker lock(&m_mutex);
    const auto it = m_configs.constFind(name);
    if (it == m_configs.constEnd())
        return std::nullopt;
    return *it;
}

TimeoutConfig TimeoutManager::getOrDefault(const QString &name) const
{
    if (auto config = get(name))
        return *config;
    TimeoutConfig fallback;
    fallback.timeout = fromMs(DefaultTimeoutMs);
    return fallback;
}

bool TimeoutManager::update(const QString &name, Duration timeout)
{
    QMutexLocker lock(&m_mutex);
    auto it = m_configs.find(name);
    if (it == m_configs.end())
        return false;
    it->timeout = timeout;
    return true;
}

QMap<QString, Duration> TimeoutManager::getAll() const
{
    QMutexLocker lock(&m_mutex);
    QMap<QString, Duration> all;
    for (auto it = m_configs.constBegin(); it != m_configs.constEnd(); ++it)
        all.insert(it.key(), it->timeout);
    return all;
}

void TimeoutManager::reset()
{
    QMutexLocker lock(&m_mutex);
    m_configs.clear();
    const auto defaults = guideDefaults();
    for (auto it = defaults.constBegin(); it != defaults.constEnd(); ++it) {
        TimeoutConfig config;
        config.timeout = fromMs(it.value());
        m_configs.insert(it.key(), config);
    }
}

void TimeoutManager::execute(const QString &name, Operation &operation, CallCallback done)
{
    withTimeout(m_scheduler, operation, getOrDefault(name), std::move(done));
}

} // namespace bw
