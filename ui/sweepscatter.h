#pragma once

#include "lab/sweep.h"

#include <QChartView>

class QScatterSeries;
class QValueAxis;

namespace bw {

// The Sweep dialog's Pareto scatter: every point of a sweep on two of its ranked figures, the
// Pareto front (over all four figures) highlighted and the best point starred. Hovering a point
// shows its settings and every figure; a click emits pointClicked(). A figure that never
// recovered has no place on a recovery axis: such points are left out, and the title says so.
class SweepScatter final : public QChartView
{
    Q_OBJECT

public:
    explicit SweepScatter(QWidget *parent = nullptr);

    void setResult(const SweepResult &result);
    void setFigures(SweepObjective x, SweepObjective y);
    SweepObjective xFigure() const { return m_x; }
    SweepObjective yFigure() const { return m_y; }

    QScatterSeries *frontSeries() const { return m_front; }
    QScatterSeries *otherSeries() const { return m_others; }
    QScatterSeries *bestSeries() const { return m_best; }
    // The sweep point drawn as `series`' point `index`.
    qsizetype pointOf(const QScatterSeries *series, qsizetype index) const;

Q_SIGNALS:
    void pointClicked(qsizetype point);

private:
    void rebuild();
    // The sweep point at `value` in `series`; -1 when none is.
    qsizetype pointAt(const QScatterSeries *series, QPointF value) const;

    SweepResult m_result;
    SweepObjective m_x = SweepObjective::P99, m_y = SweepObjective::Success;
    QScatterSeries *m_front, *m_others, *m_best;
    QHash<const QScatterSeries *, QList<qsizetype>> m_points; // per series, the sweep point of each of its points
    QValueAxis *m_xAxis, *m_yAxis;
};

} // namespace bw
