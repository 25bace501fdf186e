#include "candidate.h"

#include "../resilience/loaderror.h"
#include "../run/scenariorun.h"
#include "../run/scenariorunner.h"
#include "../telemetry/summary.h"
#include "../telemetry/timeseries.h"

#include <QStringList>

#include <algorithm>

namespace bw {

namespace {

// docs/semantics.md, "Policy lab": the level before a fault is the success rate of the seconds
// in this span before it starts; recovered means this share of that level for this many seconds.
constexpr Duration BaselineSpan = std::chrono::seconds(10);
constexpr double RecoveredShare = 0.95;
constexpr int RecoveredSeconds = 5;

// One second of one operation (or of all): calls that got an answer, and the good ones.
struct Second
{
    TimePoint start {};
    std::int64_t good = 0, answered = 0;
};

// Calls cut off by the run's end are not answers: they would fail the last second of every run.
void addSecond(Second &s, const OperationPoint &p)
{
    s.good += p.count(Outcome::Success) + p.count(Outcome::Fallback);
    s.answered += p.ended() - p.count(Outcome::Cancelled);
}

std::optional<Duration> recoveryAfter(const std::vector<Second> &seconds, const FaultConfig &fault)
{
    std::int64_t good = 0, answered = 0;
    for (const Second &s : seconds) {
        if (s.start >= fault.at - BaselineSpan && s.start + std::chrono::seconds(1) <= fault.at) {
            good += s.good;
            answered += s.answered;
        }
    }
    // No call answered before the fault (it starts at once): judged against 100 %.
    const double level = answered > 0 ? double(good) / double(answered) : 1.0;
    int running = 0;
    for (std::size_t i = 0; i < seconds.size(); ++i) {
        const Second &s = seconds[i];
        if (s.start < fault.until)
            continue;
        const bool ok = s.answered > 0 && double(s.good) >= RecoveredShare * level * double(s.answered);
        running = ok ? running + 1 : 0;
        if (running == RecoveredSeconds)
            return seconds[i + 1 - RecoveredSeconds].start - fault.until;
    }
    return std::nullopt;
}

void finishFigures(OperationMetrics &m, const LatencyHistogram &latency)
{
    if (m.offered > 0) {
        m.successRate = double(m.count(Outcome::Success) + m.count(Outcome::Fallback)) / double(m.offered);
        m.amplification = double(m.backendRequests) / double(m.offered);
    }
    m.p50 = latency.percentile(50);
    m.p99 = latency.percentile(99);
}

void addBreaker(OperationMetrics &m, const BreakerSummary &b)
{
    m.timeOpen += b.timeInState[std::size_t(CircuitState::Open)];
    m.flaps += int(std::count_if(b.transitions.begin(), b.transitions.end(),
        [](const BreakerTransition &t) { return t.to == CircuitState::Open; }));
}

} // namespace

std::optional<Duration> OperationMetrics::worstRecovery() const
{
    Duration worst {};
    for (const FaultRecovery &r : recoveries) {
        if (!r.recovery)
            return std::nullopt;
        worst = std::max(worst, *r.recovery);
    }
    return worst;
}

std::optional<ScenarioConfig> withCandidate(const ScenarioConfig &scenario, const Candidate &candidate, QString *error)
{
    ScenarioConfig changed = scenario;
    bool found = candidate.operation.isEmpty();
    for (OperationConfig &op : changed.operations) {
        if (candidate.operation.isEmpty() || op.name == candidate.operation) {
            op.policy = candidate.policy;
            op.policyName = candidate.name;
            found = true;
        }
    }
    if (found)
        return changed;
    QStringList names;
    for (const OperationConfig &op : scenario.operations)
        names.append(op.name);
    const QString nearest = nearestName(candidate.operation, names);
    *error = QStringLiteral("unknown operation '%1'; ").arg(candidate.operation)
        + (nearest.isEmpty() ? QStringLiteral("the scenario has: ") + names.join(QStringLiteral(", "))
                             : QStringLiteral("did you mean '%1'?").arg(nearest));
    return std::nullopt;
}

CandidateMetrics runCandidate(const ScenarioConfig &scenario, const Candidate &candidate, std::uint64_t seed)
{
    QString error;
    const std::optional<ScenarioConfig> changed = withCandidate(scenario, candidate, &error);
    Q_ASSERT_X(changed, "runCandidate", qPrintable(error));
    ScenarioRun run(*changed, seed);
    Q_ASSERT(!run.isRealTime());
    Summary summary;
    run.setSummary(&summary);
    // Every second of the run is kept: recovery reads them all.
    TimeSeriesRecorder::Config seriesConfig;
    seriesConfig.recentCapacity = std::max<int>(
        seriesConfig.coarseFactor, int(std::chrono::ceil<std::chrono::seconds>(run.end()).count()) + 1);
    TimeSeriesRecorder series(seriesConfig);
    recordSimulation(series, run);
    run.start();
    series.attach(run.scheduler(), run.end());
    run.runToEnd();
    series.finish(run.now());
    series.detach();

    CandidateMetrics m;
    const int operations = run.operationCount();
    const QList<TimeBucketPtr> buckets = series.recent();
    std::vector<std::vector<Second>> seconds(std::size_t(operations) + 1); // the last: every operation
    for (const TimeBucketPtr &bucket : buckets) {
        if (bucket->width() < seriesConfig.bucketWidth)
            continue; // the run's last, partial second
        for (auto &s : seconds)
            s.push_back(Second { bucket->start });
        for (int i = 0; i < operations && i < int(bucket->operations.size()); ++i) {
            addSecond(seconds[std::size_t(i)].back(), bucket->operations[std::size_t(i)]);
            addSecond(seconds.back().back(), bucket->operations[std::size_t(i)]);
        }
    }
    std::vector<FaultConfig> faults;
    for (const FaultConfig &f : changed->faults)
        if (f.until <= run.end())
            faults.push_back(f);
    std::sort(faults.begin(), faults.end(), [](const FaultConfig &a, const FaultConfig &b) { return a.until < b.until; });

    LatencyHistogram totalLatency;
    m.total.name = QStringLiteral("total");
    for (int i = 0; i < operations; ++i) {
        const OperationConfig &operation = run.operationConfig(i);
        const OperationSummary &s = summary.operations().at(operation.name);
        OperationMetrics o;
        o.name = operation.name;
        o.offered = s.offered;
        o.outcomes = s.outcomes;
        o.backendRequests = s.attempts;
        finishFigures(o, s.latency);
        totalLatency.merge(s.latency);
        if (const auto b = summary.breakers().find(operation.name); b != summary.breakers().end())
            addBreaker(o, b->second);
        for (const FaultConfig &f : faults)
            if (f.service == operation.service)
                o.recoveries.push_back({ f.service, f.kind, f.until, recoveryAfter(seconds[std::size_t(i)], f) });
        m.total.offered += o.offered;
        for (std::size_t k = 0; k < o.outcomes.size(); ++k)
            m.total.outcomes[k] += o.outcomes[k];
        m.total.backendRequests += o.backendRequests;
        m.total.timeOpen += o.timeOpen;
        m.total.flaps += o.flaps;
        m.operations.push_back(std::move(o));
    }
    finishFigures(m.total, totalLatency);
    for (const FaultConfig &f : faults)
        m.total.recoveries.push_back({ f.service, f.kind, f.until, recoveryAfter(seconds.back(), f) });

    for (int i = 0; i < run.serviceCount(); ++i) {
        const ServiceConfig &config = run.service(i).config(); // a trace's recorded backend too
        const ServiceSummary &s = summary.services().at(config.name);
        ServiceMetrics service { config.name, s.requestsReceived, config.capacity, 0, s.wasted.value_or(0) };
        // Requests queue only when every worker is busy, so a bucket's two peaks add up to its
        // peak of both together (docs/semantics.md, "Policy lab").
        for (const TimeBucketPtr &bucket : buckets)
            if (std::size_t(i) < bucket->services.size())
                service.peakLoad = std::max(
                    service.peakLoad, bucket->services[std::size_t(i)].peakInService + bucket->services[std::size_t(i)].peakQueued);
        m.wastedRequests += service.wasted;
        m.peakLoadRatio = std::max(m.peakLoadRatio, service.peakLoadRatio());
        m.services.push_back(std::move(service));
    }
    return m;
}

} // namespace bw
