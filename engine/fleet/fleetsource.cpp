#include "fleetsource.h"

#include <algorithm>

namespace bw {

void FleetSource::succeed(std::vector<BreakerReading> readings, TimePoint at)
{
    std::sort(readings.begin(), readings.end(),
        [](const BreakerReading &a, const BreakerReading &b) { return a.id < b.id; });
    m_readings = std::move(readings);
    m_status.reachable = true;
    m_status.error.clear();
    m_status.lastGoodRefresh = at;
    m_status.breakers = int(m_readings.size());
    if (m_onRefresh)
        m_onRefresh();
}

void FleetSource::fail(const QString &error)
{
    m_status.reachable = false;
    m_status.error = error;
    if (m_onRefresh)
        m_onRefresh();
}

} // namespace bw
