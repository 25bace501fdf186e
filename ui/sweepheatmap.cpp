#include "sweepheatmap.h"

#include "sweepfigure.h"

#include <QHelpEvent>
#include <QMouseEvent>
#include <QPainter>
#include <QToolTip>

#include <algorithm>
#include <cmath>

namespace bw {

namespace {

constexpr double TitleHeight = 44;
constexpr double LeftMargin = 78;
constexpr double BottomMargin = 52;
constexpr double LegendWidth = 120;
// A one-parameter map is one row; this high at most, so it reads as a strip, not a wall.
constexpr double MaxStripHeight = 90;

// Viridis, dark (worse) to yellow (better): ordered in lightness, readable in grey and by the
// colour-blind.
QColor scaleColor(double t)
{
    static const QColor stops[] = { QColor(0x44, 0x01, 0x54), QColor(0x3b, 0x52, 0x8b), QColor(0x21, 0x91, 0x8c),
        QColor(0x5e, 0xc9, 0x62), QColor(0xfd, 0xe7, 0x25) };
    t = std::clamp(t, 0.0, 1.0) * 4;
    const int i = std::min(3, int(t));
    const double f = t - i;
    const QColor &a = stops[i], &b = stops[i + 1];
    return QColor::fromRgbF(float(a.redF() + f * (b.redF() - a.redF())), float(a.greenF() + f * (b.greenF() - a.greenF())),
        float(a.blueF() + f * (b.blueF() - a.blueF())));
}

const QColor NotRecoveredColor(0xc8, 0xc8, 0xc8);

QString valueText(double value, int decimals)
{
    return std::isinf(value) ? QStringLiteral("n/r") : QString::number(value, 'f', decimals);
}

QString settingText(double value)
{
    return QString::number(value, 'g', 12);
}

} // namespace

SweepHeatMap::SweepHeatMap(QWidget *parent)
    : QWidget(parent)
{
    setMouseTracking(true);
    setMinimumSize(420, 300);
    setAutoFillBackground(true);
    QPalette palette = this->palette();
    palette.setColor(QPalette::Window, Qt::white);
    palette.setColor(QPalette::WindowText, Qt::black);
    setPalette(palette);
}

void SweepHeatMap::setResult(const SweepResult &result, const QStringList &axisTitles)
{
    m_result = result;
    m_axisTitles = axisTitles;
    m_hovered = -1;
    m_low = m_high = 0; // no finite value (nothing recovered): an empty scale
    bool any = false;
    for (qsizetype point = 0; point < m_result.figures.size(); ++point) {
        const double v = cellValue(point);
        if (std::isinf(v))
            continue;
        m_low = any ? std::min(m_low, v) : v;
        m_high = any ? std::max(m_high, v) : v;
        any = true;
    }
    update();
}

void SweepHeatMap::clear()
{
    setResult(SweepResult {}, {});
}

qsizetype SweepHeatMap::columns() const
{
    const qsizetype perColumn = rows();
    return perColumn == 0 ? 0 : m_result.figures.size() / perColumn;
}

qsizetype SweepHeatMap::rows() const
{
    if (m_result.keys.size() < 2)
        return m_result.figures.isEmpty() ? 0 : 1;
    // The second key's values repeat under each value of the first.
    qsizetype n = 1;
    while (n < m_result.settings.size() && m_result.settings[n][0] == m_result.settings[0][0])
        ++n;
    return n;
}

QRectF SweepHeatMap::plotRect() const
{
    QRectF plot(LeftMargin, TitleHeight, width() - LeftMargin - LegendWidth - 12, height() - TitleHeight - BottomMargin);
    if (rows() == 1 && plot.height() > MaxStripHeight)
        plot.setHeight(MaxStripHeight);
    return plot;
}

QRectF SweepHeatMap::legendRect() const
{
    return QRectF(width() - LegendWidth, TitleHeight, LegendWidth - 8, height() - TitleHeight - BottomMargin);
}

QRectF SweepHeatMap::cellRect(qsizetype point) const
{
    const qsizetype cols = columns(), rowCount = rows();
    if (point < 0 || point >= m_result.figures.size() || cols == 0)
        return {};
    const QRectF plot = plotRect();
    const double w = plot.width() / double(cols), h = plot.height() / double(rowCount);
    const qsizetype column = point / rowCount, row = point % rowCount;
    // Row 0 at the bottom: the second key's values grow upward, as on any y axis.
    return QRectF(plot.left() + double(column) * w, plot.bottom() - double(row + 1) * h, w, h);
}

qsizetype SweepHeatMap::pointAt(QPointF pos) const
{
    for (qsizetype point = 0; point < m_result.figures.size(); ++point)
        if (cellRect(point).contains(pos))
            return point;
    return -1;
}

double SweepHeatMap::cellValue(qsizetype point) const
{
    return sweepFigureView(m_result.objective).value(m_result.figures[point]);
}

double SweepHeatMap::goodness(double value) const
{
    if (m_high <= m_low)
        return 1;
    const double t = (value - m_low) / (m_high - m_low);
    return sweepFigureView(m_result.objective).higherIsBetter ? t : 1 - t;
}

QColor SweepHeatMap::cellColor(qsizetype point) const
{
    const double v = cellValue(point);
    return std::isinf(v) ? NotRecoveredColor : scaleColor(goodness(v));
}

void SweepHeatMap::paintEvent(QPaintEvent *)
{
    QPainter p(this);
    p.setRenderHint(QPainter::Antialiasing);
    if (m_result.figures.isEmpty()) {
        p.setPen(palette().color(QPalette::PlaceholderText));
        p.drawText(rect(), Qt::AlignCenter, QStringLiteral("Run a sweep: the heat map of its objective shows here"));
        return;
    }
    const SweepFigureView &view = sweepFigureView(m_result.objective);
    QFont titleFont = font();
    titleFont.setBold(true);
    titleFont.setPointSizeF(titleFont.pointSizeF() * 1.15);
    p.setFont(titleFont);
    p.setPen(Qt::black);
    p.drawText(QRectF(8, 4, width() - 16, 22), Qt::AlignHCenter | Qt::AlignVCenter,
        QStringLiteral("%1 over %2").arg(view.title, m_result.keys.join(QStringLiteral(" × "))));
    p.setFont(font());
    QString subtitle = QStringLiteral("%1, operation %2, mean of %3 seed%4")
                           .arg(m_result.scenario, m_result.operation)
                           .arg(m_result.seeds.size())
                           .arg(m_result.seeds.size() == 1 ? QString() : QStringLiteral("s"));
    if (m_result.best >= 0)
        subtitle += QStringLiteral("   ★ best: ") + view.text(m_result.figures[m_result.best]);
    p.drawText(QRectF(8, 24, width() - 16, 18), Qt::AlignHCenter | Qt::AlignVCenter, subtitle);

    const QRectF plot = plotRect();
    const QFontMetricsF metrics(font());
    for (qsizetype point = 0; point < m_result.figures.size(); ++point) {
        const QRectF cell = cellRect(point);
        const QColor color = cellColor(point);
        p.fillRect(cell, color);
        if (std::isinf(cellValue(point)))
            p.fillRect(cell, QBrush(QColor(0x90, 0x90, 0x90), Qt::BDiagPattern));
        const QString text = valueText(cellValue(point), view.decimals);
        if (metrics.horizontalAdvance(text) + 4 < cell.width() && metrics.height() < cell.height()) {
            p.setPen(qGray(color.rgb()) > 140 ? Qt::black : Qt::white); // by luminance: yellow is light
            p.drawText(cell, Qt::AlignCenter, text);
        }
    }
    p.setPen(QPen(QColor(255, 255, 255, 160), 1));
    for (qsizetype point = 0; point < m_result.figures.size(); ++point)
        p.drawRect(cellRect(point));
    if (m_result.best >= 0) {
        const QRectF best = cellRect(m_result.best).adjusted(1.5, 1.5, -1.5, -1.5);
        p.setPen(QPen(QColor(0xd0, 0x10, 0x40), 3));
        p.drawRect(best);
        p.setPen(QColor(0xd0, 0x10, 0x40));
        p.drawText(best.adjusted(3, 1, -3, -1), Qt::AlignTop | Qt::AlignLeft, QStringLiteral("★"));
    }
    if (m_hovered >= 0) {
        p.setPen(QPen(Qt::black, 2));
        p.drawRect(cellRect(m_hovered));
    }
    paintAxes(p, plot);
    paintLegend(p);
}

void SweepHeatMap::paintAxes(QPainter &p, const QRectF &plot) const
{
    const QFontMetricsF metrics(font());
    p.setPen(Qt::black);
    const qsizetype cols = columns(), rowCount = rows();
    // Value labels, thinned so that they do not overlap.
    double lastRight = -1e9;
    for (qsizetype c = 0; c < cols; ++c) {
        const QRectF cell = cellRect(c * rowCount);
        const QString text = settingText(m_result.settings[c * rowCount][0]);
        const double w = metrics.horizontalAdvance(text);
        if (cell.center().x() - w / 2 < lastRight + 6)
            continue;
        p.drawText(QRectF(cell.center().x() - w / 2 - 2, plot.bottom() + 3, w + 4, metrics.height()), Qt::AlignCenter, text);
        lastRight = cell.center().x() + w / 2;
    }
    p.drawText(QRectF(plot.left(), plot.bottom() + 6 + metrics.height(), plot.width(), metrics.height() + 4),
        Qt::AlignHCenter | Qt::AlignTop, m_axisTitles.value(0));
    if (m_result.keys.size() < 2)
        return;
    double lastTop = 1e9;
    for (qsizetype r = 0; r < rowCount; ++r) {
        const QRectF cell = cellRect(r);
        if (cell.center().y() + metrics.height() / 2 > lastTop - 2)
            continue;
        p.drawText(QRectF(plot.left() - 54, cell.center().y() - metrics.height() / 2, 50, metrics.height()),
            Qt::AlignRight | Qt::AlignVCenter, settingText(m_result.settings[r][1]));
        lastTop = cell.center().y() - metrics.height() / 2;
    }
    p.save();
    p.translate(14, plot.center().y());
    p.rotate(-90);
    p.drawText(QRectF(-plot.height() / 2, -metrics.height() / 2, plot.height(), metrics.height() + 2), Qt::AlignCenter,
        m_axisTitles.value(1));
    p.restore();
}

void SweepHeatMap::paintLegend(QPainter &p) const
{
    const SweepFigureView &view = sweepFigureView(m_result.objective);
    const QFontMetricsF metrics(font());
    const QRectF area = legendRect();
    const QRectF bar(area.left() + 4, area.top() + metrics.height() + 4, 16,
        std::max(40.0, area.height() - 3 * metrics.height() - 16));
    // Better at the top, whichever way the figure runs. Bands, not a QLinearGradient: an SVG
    // gradient is named by an id that another chart's SVG on the same report page may reuse.
    constexpr int Bands = 64;
    for (int i = 0; i < Bands; ++i)
        p.fillRect(QRectF(bar.left(), bar.top() + bar.height() * i / Bands, bar.width(), bar.height() / Bands + 0.5),
            scaleColor(1 - (i + 0.5) / Bands));
    p.setPen(Qt::black);
    p.drawRect(bar);
    p.drawText(QRectF(area.left(), area.top(), area.width(), metrics.height()), Qt::AlignLeft, QStringLiteral("better"));
    p.drawText(QRectF(area.left(), bar.bottom() + 2, area.width(), metrics.height()), Qt::AlignLeft, QStringLiteral("worse"));
    const double top = view.higherIsBetter ? m_high : m_low, bottom = view.higherIsBetter ? m_low : m_high;
    double labelsWidth = 0;
    for (int i = 0; i <= 4; ++i) {
        const double y = bar.top() + bar.height() * i / 4.0;
        const QString label = QString::number(top + (bottom - top) * i / 4.0, 'f', view.decimals);
        labelsWidth = std::max(labelsWidth, metrics.horizontalAdvance(label));
        p.drawLine(QPointF(bar.right(), y), QPointF(bar.right() + 4, y));
        p.drawText(QRectF(bar.right() + 6, y - metrics.height() / 2, 70, metrics.height()), Qt::AlignLeft | Qt::AlignVCenter, label);
    }
    // The scale's caption, along the labels.
    p.save();
    p.translate(bar.right() + 12 + labelsWidth + metrics.height() / 2, bar.center().y());
    p.rotate(90);
    p.drawText(QRectF(-bar.height() / 2, -metrics.height() / 2, bar.height(), metrics.height() + 2), Qt::AlignCenter,
        view.axisTitle());
    p.restore();
    const bool anyNotRecovered = std::any_of(m_result.figures.cbegin(), m_result.figures.cend(),
        [](const SweepFigures &f) { return std::isinf(f.recoveryMs); });
    if (m_result.objective == SweepObjective::Recovery && anyNotRecovered) {
        const QRectF swatch(area.left() + 4, bar.bottom() + metrics.height() + 6, 16, 12);
        p.fillRect(swatch, NotRecoveredColor);
        p.fillRect(swatch, QBrush(QColor(0x90, 0x90, 0x90), Qt::BDiagPattern));
        p.drawText(QRectF(swatch.right() + 4, swatch.top() - 2, 90, metrics.height()), Qt::AlignLeft,
            QStringLiteral("not recovered"));
    }
}

bool SweepHeatMap::event(QEvent *event)
{
    if (event->type() == QEvent::ToolTip) {
        auto *help = static_cast<QHelpEvent *>(event);
        const qsizetype point = pointAt(help->pos());
        if (point >= 0)
            QToolTip::showText(help->globalPos(), sweepPointText(m_result, point), this, cellRect(point).toAlignedRect());
        else
            QToolTip::hideText();
        return true;
    }
    return QWidget::event(event);
}

void SweepHeatMap::mouseMoveEvent(QMouseEvent *event)
{
    const qsizetype point = pointAt(event->position());
    if (point != m_hovered) {
        m_hovered = point;
        setCursor(point >= 0 ? Qt::PointingHandCursor : Qt::ArrowCursor);
        update();
    }
}

void SweepHeatMap::mouseReleaseEvent(QMouseEvent *event)
{
    const qsizetype point = pointAt(event->position());
    if (event->button() == Qt::LeftButton && point >= 0)
        Q_EMIT pointClicked(point);
}

void SweepHeatMap::leaveEvent(QEvent *)
{
    m_hovered = -1;
    update();
}

} // namespace bw
