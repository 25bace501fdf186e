#pragma once

#include "fleetmodel.h"

#include <QString>

#include <functional>
#include <vector>

namespace bw {

// Where a fleet's readings come from: a Prometheus server or a Hystrix stream. Lives on the
// thread of the event loop that runs its network I/O; refresh() returns at once and never
// blocks; the callback runs on that same thread when the refresh completes or fails.
class FleetSource
{
public:
    using RefreshCallback = std::function<void()>;
    using HistoryCallback = std::function<void(const FleetHistory &history, const QString &error)>;

    virtual ~FleetSource() = default;

    // Starts a refresh (a no-op while one is running). When it ends, readings() and status() hold
    // its result (on a failure: the last good readings, status() saying why) and the callback runs.
    virtual void refresh() = 0;
    virtual bool refreshing() const = 0;
    // The breakers' history over [fromMs, toMs] (Unix epoch ms) at `step`; calls back once, with
    // the error text when the source keeps no history (a Hystrix stream) or the query fails.
    virtual void fetchHistory(std::int64_t fromMs, std::int64_t toMs, Duration step, HistoryCallback done) = 0;

    const QString &url() const { return m_status.url; }
    const std::vector<BreakerReading> &readings() const { return m_readings; }
    const SourceStatus &status() const { return m_status; }
    void setRefreshCallback(RefreshCallback callback) { m_onRefresh = std::move(callback); }

protected:
    explicit FleetSource(const QString &url) { m_status.url = url; }
    // A refresh worked: keeps `readings` (sorted here) and marks the source reachable at `at`.
    void succeed(std::vector<BreakerReading> readings, TimePoint at);
    // A refresh failed: keeps the last good readings, says why, and calls back.
    void fail(const QString &error);

private:
    std::vector<BreakerReading> m_readings;
    SourceStatus m_status;
    RefreshCallback m_onRefresh;
};

} // namespace bw
