#pragma once

#include "lab/sweep.h"

#include <QString>

namespace bw {

struct PolicyField;

// A ranked figure of a sweep as the Sweep dialog's plots show it: in the unit people read it in
// (success in %, recovery in s), with which way is better.
struct SweepFigureView
{
    SweepObjective objective;
    QString title; // "Success rate"
    QString unit; // "%": the axis and the legend say it
    bool higherIsBetter;
    int decimals;

    // The figure of `f` in `unit`; infinity for a recovery that never came.
    double value(const SweepFigures &f) const;
    // "84.9 %", "1.000 requests/call", "not recovered".
    QString text(const SweepFigures &f) const;
    QString axisTitle() const { return title + QStringLiteral(" (") + unit + u')'; }
};

const SweepFigureView &sweepFigureView(SweepObjective objective);

// What a field's sweep values are written in: the policy file's unit, as `breakwater sweep
// --vary` takes them ("ms", "rate, 0–1"; empty for a count).
QString sweepFieldUnit(const PolicyField &field, const PolicyConfig &policy);
// The plots' axis titles for a sweep's keys: "Max attempts — retry.maxAttempts", with the unit.
QStringList sweepAxisTitles(const QStringList &keys, const PolicyConfig &policy);

// A point's settings and all its figures, one per line, for the plots' tooltips.
QString sweepPointText(const SweepResult &result, qsizetype point);

} // namespace bw
