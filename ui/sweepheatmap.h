#pragma once

#include "lab/sweep.h"

#include <QWidget>

namespace bw {

// The Sweep dialog's heat map: a sweep's objective over its one or two parameters, painted. The
// first parameter runs along x, the second (if any) up y; each cell is a point, coloured by the
// objective (yellow is better, whichever way the figure runs), with its value when it fits. A
// title, axis titles with keys and units, a colour scale, the value on hover and the best point
// marked (★). A click on a cell emits pointClicked().
class SweepHeatMap final : public QWidget
{
    Q_OBJECT

public:
    explicit SweepHeatMap(QWidget *parent = nullptr);

    // Shows `result` (nothing when it has no points); `axisTitles`: one per key.
    void setResult(const SweepResult &result, const QStringList &axisTitles);
    void clear();
    const SweepResult &result() const { return m_result; }

    // The cell of `point`, in widget coordinates; empty with no result.
    QRectF cellRect(qsizetype point) const;
    // The point whose cell holds `pos`; -1 when none does.
    qsizetype pointAt(QPointF pos) const;
    // The colour `point`'s cell is painted with.
    QColor cellColor(qsizetype point) const;
    // The figure the cells show, in the objective's unit (SweepFigureView::value).
    double cellValue(qsizetype point) const;

    QSize sizeHint() const override { return { 560, 420 }; }

Q_SIGNALS:
    void pointClicked(qsizetype point);

protected:
    void paintEvent(QPaintEvent *event) override;
    bool event(QEvent *event) override;
    void mouseMoveEvent(QMouseEvent *event) override;
    void mouseReleaseEvent(QMouseEvent *event) override;
    void leaveEvent(QEvent *event) override;

private:
    QRectF plotRect() const;
    QRectF legendRect() const;
    qsizetype columns() const;
    qsizetype rows() const;
    // 0 (worst shown) … 1 (best shown); the scale spans the finite values.
    double goodness(double value) const;
    void paintLegend(QPainter &p) const;
    void paintAxes(QPainter &p, const QRectF &plot) const;

    SweepResult m_result;
    QStringList m_axisTitles;
    double m_low = 0, m_high = 0; // the finite values' range
    qsizetype m_hovered = -1;
};

} // namespace bw
