#pragma once

#include "../resilience/loaderror.h"
#include "../resilience/policy.h"

#include <QList>
#include <QString>
#include <QStringList>

#include <optional>

namespace bw {

namespace Limits {
// Runs in one sweep (points × seeds): a day of one core for a two-minute scenario, a job file of
// 100,000 lines; a bigger grid is a typo in a range (0:1e9:1), refused before anything is built.
constexpr int MaxSweepRuns = 100'000;
} // namespace Limits

// One `--vary KEY=SPEC` of `breakwater sweep` (docs/formats.md, "Sweep"): a numeric field of a
// policy, by its JSON path, and the values it takes, in the order given.
struct SweepParameter
{
    QString key; // as written on the command line: the CSV column and the JSON settings key
    QString path; // the policy JSON path it sets: the key, or "timeout.timeout" for "timeout"
    QList<double> values;
};

// Reads KEY=SPEC, SPEC being FROM:TO:STEP (TO included when a step lands on it) or a list a,b,c.
// KEY must be one of sweepablePaths(), or "timeout" (a policy file's shorthand for
// timeout.timeout). On bad input, empty, with *error saying what is wrong:
// "--vary: retry.maxAttemps: unknown policy path; did you mean 'retry.maxAttempts'?".
// The values are checked as numbers only: whether the policy takes them is the loader's say,
// when SweepGrid::policyAt() builds a point.
std::optional<SweepParameter> parseSweepParameter(const QString &text, LoadError *error);

// The paths --vary takes: every numeric field of every section of the policy format, as
// policyToJson() writes it ("circuitBreaker.failureThreshold", "retry.budget.ratio", ...).
QStringList sweepablePaths();

// The grid of a sweep: every combination of the parameters' values, the first parameter varying
// slowest (nested loops in command-line order).
class SweepGrid
{
public:
    SweepGrid() = default;
    explicit SweepGrid(QList<SweepParameter> parameters);

    // Adds a parameter; false, with the message in *error, when its key is already there.
    bool add(SweepParameter parameter, LoadError *error);

    const QList<SweepParameter> &parameters() const { return m_parameters; }
    QStringList keys() const;
    // The number of points: the product of the parameters' value counts (1 with none), as a
    // double, so that a product beyond any integer still compares with a limit.
    double size() const;

    // The values of point `point` (0 <= point < size()), one per parameter.
    QList<double> settings(qsizetype point) const;

    // `base` with point `point`'s values: written to JSON (policyToJson), the values set at their
    // paths and read back by the policy loader, so that every point is checked as a policy file
    // is. Empty on a value the loader refuses, or on a path inside a section `base` does not
    // have (a sweep varies a strategy the policy uses; it does not switch one on), with *error
    // naming the key: "--vary: circuitBreaker.failureThreshold: expected an integer ..., got 2.5".
    std::optional<PolicyConfig> policyAt(const PolicyConfig &base, qsizetype point, LoadError *error) const;

private:
    QList<SweepParameter> m_parameters;
};

} // namespace bw
