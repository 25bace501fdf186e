#include "scenario.h"

#include <algorithm>

namespace bw {

double RateConfig::at(Duration t) const
{
    switch (shape) {
    case Shape::Constant:
        return rate;
    case Shape::Ramp:
        if (t <= rampStart)
            return from;
        if (t >= rampEnd)
            return to;
        return from + (to - from) * double((t - rampStart).count()) / double((rampEnd - rampStart).count());
    case Shape::Steps: {
        double current = 0;
        for (const auto &[when, value] : steps) {
            if (when > t)
                break;
            current = value;
        }
        return current;
    }
    }
    return rate;
}

Duration RateConfig::nextChange(Duration t) const
{
    switch (shape) {
    case Shape::Constant:
        return Duration::max();
    case Shape::Ramp:
        // A ramp changes continuously; arrivals re-read the rate at every arrival, and a ramp
        // from zero is re-checked at its start.
        if (t < rampStart)
            return rampStart;
        return Duration::max();
    case Shape::Steps:
        for (const auto &step : steps)
            if (step.first > t)
                return step.first;
        return Duration::max();
    }
    return Duration::max();
}

QLatin1StringView faultKindName(FaultKind kind)
{
    switch (kind) {
    case FaultKind::Outage: return QLatin1StringView("outage");
    case FaultKind::Errors: return QLatin1StringView("errors");
    case FaultKind::Latency: return QLatin1StringView("latency");
    case FaultKind::Hang: return QLatin1StringView("hang");
    case FaultKind::RateLimit: return QLatin1StringView("rateLimit");
    case FaultKind::Flapping: return QLatin1StringView("flapping");
    case FaultKind::Brownout: return QLatin1StringView("brownout");
    }
    return QLatin1StringView("outage");
}

std::optional<FaultKind> faultKindFromName(QStringView name)
{
    for (FaultKind k : { FaultKind::Outage, FaultKind::Errors, FaultKind::Latency, FaultKind::Hang, FaultKind::RateLimit,
                         FaultKind::Flapping, FaultKind::Brownout })
        if (name == faultKindName(k))
            return k;
    return std::nullopt;
}

QLatin1StringView abandonedRequestsName(AbandonedRequests abandoned)
{
    return abandoned == AbandonedRequests::Served ? QLatin1StringView("served") : QLatin1StringView("dropped");
}

int ScenarioConfig::serviceIndex(const QString &service) const
{
    for (int i = 0; i < services.size(); ++i)
        if (services[i].name == service)
            return i;
    return -1;
}

} // namespace bw
