#pragma once

#include "statetimeline.h"

#include <QChartView>

class QXYSeries;

namespace bw {

// A chart view that draws the dashboard's time markers (faults, control actions) across its plot,
// in the foreground, each with its label along the line: no series per marker, nothing to
// update when markers come and go. Hovering the plot shows every series' value at that time
// (stacked bands as their own share), with a crosshair.
class MarkedChartView final : public QChartView
{
public:
    // `markers` points to the dashboard's pointer to its markers, which may be set later.
    MarkedChartView(QChart *chart, const QList<TimeMarker> *const *markers, QWidget *parent);

    // What the hover tooltip says at plot position `pos`; empty outside the plot or without data.
    QString valuesAt(const QPointF &pos) const;

protected:
    void mouseMoveEvent(QMouseEvent *event) override;
    void leaveEvent(QEvent *event) override;
    void drawForeground(QPainter *painter, const QRectF &rect) override;

private:
    // The index of the point nearest `x`; points are in increasing x.
    static int nearest(const QXYSeries *s, double x);

    const QList<TimeMarker> *const *m_markers;
    double m_hoverX = -1;
};

} // namespace bw
