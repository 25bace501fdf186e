#pragma once

#include "../runtime/scheduler.h"
#include "operation.h"
#include "policy.h"

#include <QMap>
#include <QMutex>
#include <QString>

#include <memory>
#include <optional>

namespace bw {

// The guide's timeoutManager: named time limits, preloaded with the guide's defaults
// (api.default 30000, api.ai 120000, ... queue.process 60000). Thread-safe.
class TimeoutManager
{
public:
    static constexpr int DefaultTimeoutMs = 30000;

    explicit TimeoutManager(Scheduler &scheduler);
    ~TimeoutManager();

    void registerTimeout(const QString &name, TimeoutConfig config);
    std::optional<TimeoutConfig> get(const QString &name) const;
    // The registered config, or a 30000 ms limit.
    TimeoutConfig getOrDefault(const QString &name) const;
    // Changes a registered limit; false if the name is unknown.
    bool update(const QString &name, Duration timeout);
    QMap<QString, Duration> getAll() const;
    // Back to the guide's defaults only.
    void reset();

    // Runs op under the named limit (getOrDefault), as withTimeout does.
    void execute(const QString &name, Operation &operation, CallCallback done);

    static QMap<QString, int> guideDefaults();

private:
    Scheduler &m_scheduler;
    mutable QMutex m_mutex;
    QMap<QString, TimeoutConfig> m_configs;
};

} // namespace bw
