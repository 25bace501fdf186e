#include "faults.h"

namespace bw {

FaultEffects FaultEffects::combine(const QList<FaultConfig> &faults, TimePoint now)
{
    FaultEffects e;
    for (const FaultConfig &f : faults) {
        if (now < f.at || now >= f.until)
            continue;
        switch (f.kind) {
        case FaultKind::Outage:
            e.outage = true;
            break;
        case FaultKind::Errors:
            if (f.rate > e.errorRate) {
                e.errorRate = f.rate;
                e.errorCode = ErrorCode::fromString(f.code);
            }
            break;
        case FaultKind::Latency:
            e.addLatency += f.add;
            e.jitter += f.jitter;
            break;
        case FaultKind::Hang:
            e.hangRate = std::max(e.hangRate, f.rate);
            break;
        case FaultKind::RateLimit:
            if (e.rateLimitRps == 0 || f.rps < e.rateLimitRps) {
                e.rateLimitRps = f.rps;
                e.retryAfter = f.retryAfter;
            }
            break;
        case FaultKind::Flapping:
            e.flapping = true;
            e.flapSince = f.at;
            e.flapUp = f.up;
            e.flapDown = f.down;
            break;
        case FaultKind::Brownout:
            e.capacity = e.capacity == 0 ? f.capacity : std::min(e.capacity, f.capacity);
            break;
        }
    }
    return e;
}

} // namespace bw
