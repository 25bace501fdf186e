#pragma once

#include "../runtime/statistics.h"

#include <QJsonObject>
#include <QList>
#include <QString>

namespace bw {

// One row of `breakwater validate`: a value the simulator measures in a scenario whose answer is
// known from outside the project (queueing theory, published experiments), with the answer
// computed from the scenario's own parameters.
struct ValidationCheck
{
    QString model;   // "M/M/1, ρ = 0.70"
    QString measure; // "P(wait)"
    QString source;  // where the expected value comes from
    QString unit;    // "ms", "× offered", or empty
    double expected = 0;
    double tolerance = 0; // absolute, in the unit
    int decimals = 3;     // as printed
    Estimate measured;
    QString error; // the row's scenario did not load (then it fails)

    // The measured mean is within the tolerance of the expected value, and measured precisely
    // enough to say so (its 95 % confidence half-width is within the tolerance too).
    bool passed() const;
};

struct ValidationOptions
{
    int threads = 0; // replications run in parallel; 0: one per core
};

// Runs every scenario of the suite on its seeds (independent replications, seeds 1..n) and
// returns one check per row, in the order of the table. Deterministic: the same rows whatever the
// number of threads.
QList<ValidationCheck> runValidationSuite(const ValidationOptions &options = {});

// The table `breakwater validate` prints (and the README shows): one row per check, then a line
// saying how many pass.
QString validationTable(const QList<ValidationCheck> &checks);
// {"checks": [{model, measure, source, unit, expected, measured, ciHalfWidth, replications,
// tolerance, pass}], "passed": n, "failed": n}
QJsonObject validationJson(const QList<ValidationCheck> &checks);

} // namespace bw
