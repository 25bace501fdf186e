#pragma once

#include "scenario.h"

#include <QList>

namespace bw {

// What the faults active on a service add up to at one instant. Recomputed only when a fault
// starts, ends or changes, so a request reads a handful of fields, not the fault list.
struct FaultEffects
{
    bool outage = false;
    // Flapping: down (as an outage) for `down` of every up + down, from `since`.
    bool flapping = false;
    Duration flapSince {}, flapUp {}, flapDown {};
    double errorRate = 0;
    ErrorCode errorCode;
    Duration addLatency {}, jitter {};
    double hangRate = 0;
    double rateLimitRps = 0; // 0: no limit
    Duration retryAfter {};
    int capacity = 0;        // 0: the service's own

    bool isDown(TimePoint now) const
    {
        if (outage)
            return true;
        if (!flapping)
            return false;
        const auto period = (flapUp + flapDown).count();
        return period > 0 && (now - flapSince).count() % period >= flapUp.count();
    }

    // Combines every fault active at `now`: the worst of each kind wins.
    static FaultEffects combine(const QList<FaultConfig> &faults, TimePoint now);
};

} // namespace bw
