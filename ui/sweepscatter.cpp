#include "sweepscatter.h"

#include "sweepfigure.h"

#include <QChart>
#include <QLegend>
#include <QScatterSeries>
#include <QToolTip>
#include <QValueAxis>

#include <algorithm>
#include <cmath>

namespace bw {

namespace {

// Shows the values with a margin, so that no marker sits on the frame, on round ticks; every
// figure is positive, so the axis does not go below 0.
void fitAxis(QValueAxis *axis, const QList<double> &values)
{
    if (values.isEmpty()) {
        axis->setRange(0, 1);
        return;
    }
    const auto [low, high] = std::minmax_element(values.cbegin(), values.cend());
    const double span = *high - *low;
    const double pad = span > 0 ? span * 0.08 : std::max(std::abs(*low) * 0.05, 0.5);
    axis->setRange(std::max(0.0, *low - pad), *high + pad);
    axis->applyNiceNumbers();
    axis->setLabelFormat(QStringLiteral("%g")); // 2000, not 2000.0
}

} // namespace

SweepScatter::SweepScatter(QWidget *parent)
    : QChartView(new QChart, parent) // owned by the view; setChart() would leave the view's default chart behind
{
    setRenderHint(QPainter::Antialiasing);
    setBackgroundBrush(Qt::white);
    QChart *chart = this->chart();
    chart->setBackgroundVisible(false); // its theme's gradient, in a report's SVG, could take another chart's id
    chart->legend()->setAlignment(Qt::AlignBottom);
    m_others = new QScatterSeries(chart);
    m_others->setName(QStringLiteral("Dominated points"));
    m_others->setMarkerSize(8);
    m_others->setColor(QColor(0x8a, 0x9b, 0xb0));
    m_others->setBorderColor(QColor(0x5a, 0x6b, 0x80));
    m_front = new QScatterSeries(chart);
    m_front->setName(QStringLiteral("Pareto front (all four figures)"));
    m_front->setMarkerSize(13);
    m_front->setColor(QColor(0xf0, 0x7a, 0x00));
    m_front->setBorderColor(QColor(0x80, 0x40, 0x00));
    m_best = new QScatterSeries(chart);
    m_best->setMarkerShape(QScatterSeries::MarkerShapeStar);
    m_best->setMarkerSize(22);
    m_best->setColor(QColor(0xd0, 0x10, 0x40));
    m_best->setBorderColor(QColor(0x60, 0x00, 0x10));
    m_xAxis = new QValueAxis(chart);
    m_yAxis = new QValueAxis(chart);
    chart->addAxis(m_xAxis, Qt::AlignBottom);
    chart->addAxis(m_yAxis, Qt::AlignLeft);
    for (QScatterSeries *series : { m_others, m_front, m_best }) {
        chart->addSeries(series);
        series->attachAxis(m_xAxis);
        series->attachAxis(m_yAxis);
        connect(series, &QScatterSeries::hovered, this, [this, series](const QPointF &value, bool entered) {
            const qsizetype point = pointAt(series, value);
            if (entered && point >= 0)
                QToolTip::showText(QCursor::pos(), sweepPointText(m_result, point), this);
            else
                QToolTip::hideText();
        });
        connect(series, &QScatterSeries::clicked, this, [this, series](const QPointF &value) {
            const qsizetype point = pointAt(series, value);
            if (point >= 0)
                Q_EMIT pointClicked(point);
        });
    }
    rebuild();
}

void SweepScatter::setResult(const SweepResult &result)
{
    m_result = result;
    rebuild();
}

void SweepScatter::setFigures(SweepObjective x, SweepObjective y)
{
    m_x = x;
    m_y = y;
    rebuild();
}

qsizetype SweepScatter::pointOf(const QScatterSeries *series, qsizetype index) const
{
    return m_points.value(series).value(index, -1);
}

qsizetype SweepScatter::pointAt(const QScatterSeries *series, QPointF value) const
{
    const QList<QPointF> shown = series->points();
    const qsizetype index = shown.indexOf(value);
    return index < 0 ? -1 : pointOf(series, index);
}

void SweepScatter::rebuild()
{
    const SweepFigureView &x = sweepFigureView(m_x), &y = sweepFigureView(m_y);
    QList<QPointF> front, others, best;
    m_points.clear();
    QList<double> xs, ys;
    qsizetype notShown = 0;
    for (qsizetype point = 0; point < m_result.figures.size(); ++point) {
        const QPointF value(x.value(m_result.figures[point]), y.value(m_result.figures[point]));
        if (std::isinf(value.x()) || std::isinf(value.y())) {
            ++notShown;
            continue;
        }
        xs.append(value.x());
        ys.append(value.y());
        QScatterSeries *series = m_result.pareto[point] ? m_front : m_others;
        (m_result.pareto[point] ? front : others).append(value);
        m_points[series].append(point);
        if (point == m_result.best) {
            best.append(value);
            m_points[m_best].append(point);
        }
    }
    m_front->replace(front);
    m_others->replace(others);
    m_best->replace(best);
    m_best->setName(QStringLiteral("Best by ") + sweepFigureView(m_result.objective).title.toLower());
    fitAxis(m_xAxis, xs);
    fitAxis(m_yAxis, ys);
    m_xAxis->setTitleText(x.axisTitle() + (x.higherIsBetter ? QStringLiteral(", higher is better") : QStringLiteral(", lower is better")));
    m_yAxis->setTitleText(y.axisTitle() + (y.higherIsBetter ? QStringLiteral(", higher is better") : QStringLiteral(", lower is better")));
    QString title = QStringLiteral("Pareto front: %1 against %2").arg(y.title, x.title.toLower());
    if (notShown > 0)
        title += QStringLiteral(" (%1 not recovered, not shown)").arg(notShown);
    chart()->setTitle(title);
}

} // namespace bw
