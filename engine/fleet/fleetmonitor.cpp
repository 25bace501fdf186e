#include "fleetmonitor.h"

#include <algorithm>

namespace bw {

FleetMonitor::FleetMonitor(Scheduler &scheduler, Duration interval)
    : m_scheduler(scheduler)
    , m_interval(interval)
{ }

FleetMonitor::~FleetMonitor()
{
    stop();
}

FleetSource &FleetMonitor::addSource(std::unique_ptr<FleetSource> source)
{
    FleetSource &added = *source;
    added.setRefreshCallback([this] { rebuild(); });
    m_sources.push_back(std::move(source));
    m_snapshot.sources.push_back(added.status());
    return added;
}

void FleetMonitor::start()
{
    stop();
    tick();
}

void FleetMonitor::stop()
{
    if (m_timer != 0)
        m_scheduler.cancel(m_timer);
    m_timer = 0;
}

void FleetMonitor::refreshNow()
{
    ++m_rounds;
    for (const std::unique_ptr<FleetSource> &source : m_sources)
        source->refresh();
}

void FleetMonitor::setInterval(Duration interval)
{
    m_interval = interval;
    if (m_timer == 0)
        return;
    stop(); // the next refresh comes one new interval from now
    m_timer = m_scheduler.schedule(m_interval, [this] { tick(); });
}

void FleetMonitor::tick()
{
    m_timer = m_scheduler.schedule(m_interval, [this] { tick(); });
    refreshNow();
}

void FleetMonitor::rebuild()
{
    FleetSnapshot s;
    s.takenAt = m_scheduler.now();
    std::size_t total = 0;
    for (const std::unique_ptr<FleetSource> &source : m_sources)
        total += source->readings().size();
    s.breakers.reserve(total);
    for (const std::unique_ptr<FleetSource> &source : m_sources) {
        s.breakers.insert(s.breakers.end(), source->readings().begin(), source->readings().end());
        s.sources.push_back(source->status());
    }
    std::sort(s.breakers.begin(), s.breakers.end(),
        [](const BreakerReading &a, const BreakerReading &b) { return a.id < b.id; });
    m_snapshot = std::move(s);
    if (m_onUpdate)
        m_onUpdate(m_snapshot);
}

} // namespace bw
