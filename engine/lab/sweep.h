#pragma once

#include "candidate.h"
#include "pareto.h"
#include "sweepgrid.h"

#include <QByteArray>
#include <QJsonObject>
#include <QList>
#include <QString>

#include <cstdint>
#include <functional>
#include <optional>
#include <stop_token>

namespace bw {

// `breakwater sweep` (docs/formats.md, "Sweep"): one operation's policy over a grid of settings,
// every point run on the same seeds, ranked into a Pareto front and a best point.

// What a sweep runs: the scenario, the operation whose policy is varied, the grid and the seeds.
struct SweepPlan
{
    ScenarioConfig scenario;
    QString operation;
    SweepGrid grid;
    QList<std::uint64_t> seeds;

    // A double, like SweepGrid::size(), for the check against Limits::MaxSweepRuns.
    double runCount() const { return grid.size() * double(seeds.size()); }
};

// The seeds of a sweep of `count` seeds: `first` and the ones after it.
QList<std::uint64_t> sweepSeeds(std::uint64_t first, int count);

// Every point's policy, checked by the policy loader (SweepGrid::policyAt), in grid order. Empty,
// with the first problem in *error, when a point's policy is refused or the operation is not in
// the scenario.
std::optional<QList<PolicyConfig>> sweepPolicies(const SweepPlan &plan, LoadError *error);

// A run's figures, over every operation of the scenario: a policy on one operation shows in the
// others when they share a service.
SweepFigures sweepFigures(const CandidateMetrics &metrics);
// The mean of each figure; recovery is infinite (not recovered) when it is in one run.
SweepFigures meanFigures(const QList<SweepFigures> &runs);

// Runs every point × seed, run r being point r / seeds and seed r % seeds, on `threads` threads,
// and returns each run's figures by that index, so the result does not depend on `threads` or on
// the order runs finish in. `progress(done, total)`, if set, is called after each run, one call at
// a time, from the worker threads. A stop requested on `stop` (the window's Cancel) is seen
// between runs: no run starts after it, the runs under way finish, and the result is empty, so a
// cancelled sweep is never taken for a finished one.
QList<SweepFigures> runSweep(const SweepPlan &plan, const QList<PolicyConfig> &policies, int threads,
    const std::function<void(qsizetype done, qsizetype total)> &progress = {}, std::stop_token stop = {});

// A finished sweep: each point's settings and mean figures, the front and the best point.
struct SweepResult
{
    QString scenario; // its name
    QString operation;
    QList<std::uint64_t> seeds;
    QStringList keys; // as written on the command line
    QList<QList<double>> settings; // per point, one value per key
    QList<SweepFigures> figures; // per point, the mean over the seeds
    QList<bool> pareto; // per point
    SweepObjective objective = SweepObjective::Success;
    qsizetype best = -1;
};

// Ranks the runs of runSweep() (run r: point r / seeds, seed r % seeds).
SweepResult sweepResult(const SweepPlan &plan, const QList<SweepFigures> &runs, SweepObjective objective);

// The outputs, the same bytes for the same result:
// CSV: a column per key, then successRate, amplification, p99Ms, recoveryMs (empty: not
// recovered), wastedRequests, pareto (1/0), one row per point in grid order.
QByteArray sweepCsv(const SweepResult &result);
// {"scenario", "operation", "seeds", "objective", "points": [{"settings": {KEY: value},
// "successRate", "amplification", "p99Ms", "recoveryMs" (null: not recovered), "wastedRequests",
// "pareto"}], "best": the best point}.
QJsonObject sweepJson(const SweepResult &result);
// A point as sweepJson() writes it, read back: its figures, to the last bit (JSON keeps every
// bit of a double). Empty when a figure is missing or not a number.
std::optional<SweepFigures> figuresFromJson(const QJsonObject &point);
// A point's settings as the command line writes them: "retry.maxAttempts=1 timeout=1200".
QString sweepSettingsText(const SweepResult &result, qsizetype point);
// The Pareto front as rows of text: a header (the keys, then the figures), then each point on
// the front in grid order, as `breakwater sweep` prints it and its --html report shows it.
QList<QStringList> paretoRows(const SweepResult &result);
// What `breakwater sweep` prints: the Pareto front as a table and the best point.
QString sweepTable(const SweepResult &result);

} // namespace bw
