#pragma once

#include "lab/sweep.h"

#include <QString>

namespace bw {

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

// A point's settings: "retry.maxAttempts=1, timeout.timeout=1200".
QString sweepSettingsText(const SweepResult &result, qsizetype point);

// A point's settings and all its figures, one per line, for the plots' tooltips.
QString sweepPointText(const SweepResult &result, qsizetype point);

} // namespace bw
