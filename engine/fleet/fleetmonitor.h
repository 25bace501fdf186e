#pragma once

#include "fleetsource.h"

#include "../runtime/scheduler.h"

#include <functional>
#include <memory>
#include <vector>

namespace bw {

// Refreshes a fleet's sources every `interval` on a scheduler (WallScheduler in the app, a
// VirtualScheduler in tests): no QTimer and no system clock here. After each source's refresh
// completes or fails, the snapshot is rebuilt once and the update callback runs, so a slow or
// dead source never holds the others back. The sources' callbacks are the monitor's.
class FleetMonitor
{
public:
    using UpdateCallback = std::function<void(const FleetSnapshot &snapshot)>;

    static constexpr Duration DefaultInterval = std::chrono::seconds(5);

    explicit FleetMonitor(Scheduler &scheduler, Duration interval = DefaultInterval);
    ~FleetMonitor();
    FleetMonitor(const FleetMonitor &) = delete;
    FleetMonitor &operator=(const FleetMonitor &) = delete;

    // Takes a source; add all before start(). Returns it, for fetchHistory().
    FleetSource &addSource(std::unique_ptr<FleetSource> source);
    const std::vector<std::unique_ptr<FleetSource>> &sources() const { return m_sources; }

    // Refreshes every source now, then every interval until stop() (or the monitor's end).
    void start();
    void stop();
    // Refreshes every source now; the periodic refresh keeps its rhythm.
    void refreshNow();
    void setInterval(Duration interval);
    Duration interval() const { return m_interval; }

    void setUpdateCallback(UpdateCallback callback) { m_onUpdate = std::move(callback); }
    const FleetSnapshot &snapshot() const { return m_snapshot; }
    // How many refresh rounds have started (each refreshes every source once).
    std::uint64_t rounds() const { return m_rounds; }

private:
    void tick();
    void rebuild();

    Scheduler &m_scheduler;
    Duration m_interval;
    std::vector<std::unique_ptr<FleetSource>> m_sources;
    FleetSnapshot m_snapshot;
    UpdateCallback m_onUpdate;
    TimerId m_timer = 0;
    std::uint64_t m_rounds = 0;
};

} // namespace bw
