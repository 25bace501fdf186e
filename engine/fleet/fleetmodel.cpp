#include "fleetmodel.h"

#include <algorithm>
#include <map>
#include <tuple>

namespace bw {

QLatin1StringView fleetLibraryName(FleetLibrary library)
{
    switch (library) {
    case FleetLibrary::Resilience4j:
        return QLatin1StringView("resilience4j");
    case FleetLibrary::Opossum:
        return QLatin1StringView("opossum");
    case FleetLibrary::Polly:
        return QLatin1StringView("polly");
    case FleetLibrary::Breakwater:
        return QLatin1StringView("breakwater");
    case FleetLibrary::Hystrix:
        return QLatin1StringView("hystrix");
    }
    return QLatin1StringView("breakwater");
}

std::optional<FleetLibrary> fleetLibraryFromName(QStringView name)
{
    for (int i = 0; i < FleetLibraryCount; ++i)
        if (name == fleetLibraryName(FleetLibrary(i)))
            return FleetLibrary(i);
    return std::nullopt;
}

QString BreakerId::displayName() const
{
    QString text = service + u'/' + name;
    if (!instance.isEmpty())
        text += u'@' + instance;
    return text;
}

bool operator<(const BreakerId &a, const BreakerId &b)
{
    return std::tie(a.source, a.service, a.name, a.instance, a.library)
        < std::tie(b.source, b.service, b.name, b.instance, b.library);
}

CircuitState moreSevere(CircuitState a, CircuitState b)
{
    // Higher is more severe: a refusing breaker first, then one probing, then the rest.
    const auto severity = [](CircuitState s) {
        switch (s) {
        case CircuitState::ForcedOpen:
            return 5;
        case CircuitState::Open:
            return 4;
        case CircuitState::HalfOpen:
            return 3;
        case CircuitState::Closed:
            return 2;
        case CircuitState::MetricsOnly:
            return 1;
        case CircuitState::Disabled:
            return 0;
        }
        return 0;
    };
    return severity(b) > severity(a) ? b : a;
}

namespace {

// Adds b to a where b has a figure; a NaN sum takes b's value.
void addFigure(double &sum, double value)
{
    if (!hasFigure(value))
        return;
    sum = hasFigure(sum) ? sum + value : value;
}

} // namespace

QString ReplicaGroup::stateSummary() const
{
    const int total = replicas();
    const QString replicaWord = total == 1 ? QStringLiteral("replica") : QStringLiteral("replicas");
    if (!merged.state)
        return QString::number(total) + u' ' + replicaWord + QStringLiteral(" without a state");
    const int inState = replicasInState[std::size_t(*merged.state)];
    const QString name = circuitStateName(*merged.state);
    if (inState == total)
        return QString::number(total) + u' ' + replicaWord + u' ' + name;
    return QString::number(inState) + QStringLiteral(" of ") + QString::number(total) + u' ' + replicaWord
        + u' ' + name;
}

std::vector<ReplicaGroup> groupReplicas(const std::vector<BreakerReading> &readings)
{
    std::map<BreakerId, ReplicaGroup> groups;
    for (std::size_t i = 0; i < readings.size(); ++i) {
        const BreakerReading &r = readings[i];
        BreakerId key = r.id;
        key.instance.clear();
        auto [it, fresh] = groups.try_emplace(key);
        ReplicaGroup &g = it->second;
        if (fresh)
            g.merged.id = key;
        g.members.push_back(i);
        if (r.state) {
            ++g.replicasInState[std::size_t(*r.state)];
            g.merged.state = g.merged.state ? moreSevere(*g.merged.state, *r.state) : *r.state;
        } else {
            ++g.replicasWithoutState;
        }
        addFigure(g.merged.callsPerSecond, r.callsPerSecond);
        addFigure(g.merged.rejectedPerSecond, r.rejectedPerSecond);
        addFigure(g.merged.retriedCallsPerSecond, r.retriedCallsPerSecond);
        for (std::size_t o = 0; o < r.callsPerSecondByOutcome.size(); ++o)
            addFigure(g.merged.callsPerSecondByOutcome[o], r.callsPerSecondByOutcome[o]);
        addFigure(g.merged.bulkheadUsed, r.bulkheadUsed);
        addFigure(g.merged.bulkheadMax, r.bulkheadMax);
    }
    // Rates over the replicas' windows: weighted by calls, so an idle replica's 0 % does not hide
    // a busy one's 80 %; a plain mean when none has calls.
    const auto mergedRate = [&](const ReplicaGroup &g, double BreakerReading::*rate) {
        double weighted = 0, weights = 0, plain = 0;
        int counted = 0;
        for (std::size_t i : g.members) {
            const BreakerReading &r = readings[i];
            if (!hasFigure(r.*rate))
                continue;
            plain += r.*rate;
            ++counted;
            if (hasFigure(r.callsPerSecond) && r.callsPerSecond > 0) {
                weighted += r.*rate * r.callsPerSecond;
                weights += r.callsPerSecond;
            }
        }
        if (counted == 0)
            return NoFigure;
        return weights > 0 ? weighted / weights : plain / counted;
    };
    std::vector<ReplicaGroup> out;
    out.reserve(groups.size());
    for (auto &[key, g] : groups) {
        g.merged.failureRatePercent = mergedRate(g, &BreakerReading::failureRatePercent);
        g.merged.slowCallRatePercent = mergedRate(g, &BreakerReading::slowCallRatePercent);
        out.push_back(std::move(g));
    }
    return out;
}

std::vector<const BreakerReading *> FleetSnapshot::notClosed() const
{
    std::vector<const BreakerReading *> out;
    for (const BreakerReading &r : breakers)
        if (!r.state || *r.state != CircuitState::Closed)
            out.push_back(&r);
    return out;
}

const BreakerReading *FleetSnapshot::find(const BreakerId &id) const
{
    const auto it = std::lower_bound(breakers.begin(), breakers.end(), id,
        [](const BreakerReading &r, const BreakerId &key) { return r.id < key; });
    return it != breakers.end() && it->id == id ? &*it : nullptr;
}

const BreakerSeries *FleetHistory::find(const BreakerId &id) const
{
    const auto it = std::lower_bound(series.begin(), series.end(), id,
        [](const BreakerSeries &s, const BreakerId &key) { return s.id < key; });
    return it != series.end() && it->id == id ? &*it : nullptr;
}

} // namespace bw
