#include "markedchartview.h"

#include <QAreaSeries>
#include <QDateTimeAxis>
#include <QLineSeries>
#include <QMouseEvent>
#include <QToolTip>
#include <QValueAxis>
#include <QXYSeries>

#include <cmath>

namespace bw {

MarkedChartView::MarkedChartView(QChart *chart, const QList<TimeMarker> *const *markers, QWidget *parent)
    : QChartView(chart, parent)
    , m_markers(markers)
{
    setMouseTracking(true);
}

QString MarkedChartView::valuesAt(const QPointF &pos) const
{
    if (chart()->series().isEmpty() || !chart()->plotArea().contains(pos))
        return {};
    const double x = chart()->mapToValue(pos, chart()->series().first()).x();
    QStringList lines;
    double at = x;
    for (QAbstractSeries *s : chart()->series()) {
        QXYSeries *upper = nullptr, *lower = nullptr;
        if (auto *area = qobject_cast<QAreaSeries *>(s)) {
            upper = area->upperSeries();
            lower = area->lowerSeries();
        } else {
            upper = qobject_cast<QXYSeries *>(s);
        }
        if (!upper || upper->count() == 0)
            continue;
        const int i = nearest(upper, x);
        at = upper->at(i).x();
        double value = upper->at(i).y();
        if (lower && i < lower->count())
            value -= lower->at(i).y();
        QString unit;
        for (QAbstractAxis *axis : s->attachedAxes())
            if (axis->orientation() == Qt::Vertical)
                unit = axis->titleText();
        lines.append(QStringLiteral("%1: %2 %3").arg(s->name(), QString::number(value, 'g', 4), unit));
    }
    if (lines.isEmpty())
        return {};
    // A wall-clock chart's x is Unix epoch milliseconds.
    for (QAbstractAxis *axis : chart()->axes(Qt::Horizontal))
        if (qobject_cast<QDateTimeAxis *>(axis))
            return QDateTime::fromMSecsSinceEpoch(qint64(at)).toString(QStringLiteral("HH:mm:ss\n")) + lines.join(u'\n');
    return QStringLiteral("t = %1 s\n").arg(at, 0, 'f', 0) + lines.join(u'\n');
}

void MarkedChartView::mouseMoveEvent(QMouseEvent *event)
{
    QChartView::mouseMoveEvent(event);
    const QPointF pos = mapToScene(event->position().toPoint());
    const QString text = valuesAt(pos);
    m_hoverX = text.isEmpty() ? -1 : pos.x();
    if (text.isEmpty())
        QToolTip::hideText();
    else
        QToolTip::showText(event->globalPosition().toPoint(), text, this);
    viewport()->update();
}

void MarkedChartView::leaveEvent(QEvent *event)
{
    QChartView::leaveEvent(event);
    m_hoverX = -1;
    viewport()->update();
}

void MarkedChartView::drawForeground(QPainter *painter, const QRectF &rect)
{
    QChartView::drawForeground(painter, rect);
    const QRectF plot = chart()->plotArea();
    if (m_hoverX >= plot.left() && m_hoverX <= plot.right()) {
        painter->setPen(QPen(QColor(0, 0, 0, 90), 0));
        painter->drawLine(QPointF(m_hoverX, plot.top()), QPointF(m_hoverX, plot.bottom()));
    }
    if (!*m_markers || chart()->series().isEmpty())
        return;
    QAbstractSeries *series = chart()->series().first();
    QFont small = font();
    small.setPointSizeF(small.pointSizeF() * 0.8);
    painter->setFont(small);
    const QFontMetrics fm(small);
    for (const TimeMarker &m : **m_markers) {
        const double x = chart()->mapToPosition(QPointF(m.atSeconds, 0), series).x();
        if (x < plot.left() || x > plot.right())
            continue;
        painter->setPen(QPen(m.color, 0, Qt::DashLine));
        painter->drawLine(QPointF(x, plot.top()), QPointF(x, plot.bottom()));
        // The label runs down the line from the plot's top, so neighbours do not collide.
        painter->save();
        painter->translate(x + 2, plot.top() + 2);
        painter->rotate(90);
        painter->setPen(m.color.darker(130));
        painter->drawText(0, -fm.descent(), fm.elidedText(m.label, Qt::ElideRight, int(plot.height()) - 4));
        painter->restore();
    }
}

int MarkedChartView::nearest(const QXYSeries *s, double x)
{
    int lo = 0, hi = int(s->count()) - 1;
    while (lo < hi) {
        const int mid = (lo + hi) / 2;
        if (s->at(mid).x() < x)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo > 0 && std::abs(s->at(lo - 1).x() - x) < std::abs(s->at(lo).x() - x))
        --lo;
    return lo;
}

} // namespace bw
