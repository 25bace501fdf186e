#include "chartframe.h"

#include "markedchartview.h"

#include <QAreaSeries>
#include <QChart>
#include <QDateTimeAxis>
#include <QGraphicsLayout>
#include <QLabel>
#include <QLegend>
#include <QLineSeries>
#include <QValueAxis>
#include <QVBoxLayout>

#include <cmath>

namespace bw {

namespace {

double niceCeiling(double v, double floor)
{
    if (!(v > floor))
        return floor;
    const double magnitude = std::pow(10.0, std::floor(std::log10(v)));
    for (double m : { 1.0, 2.0, 5.0, 10.0 })
        if (m * magnitude >= v)
            return m * magnitude;
    return 10 * magnitude;
}

} // namespace

namespace {

// The chart, its y axes and its view around a time axis already made (`time`, not yet added).
ChartFrame makeFrame(const QString &title, const QString &yTitle, const QString &y2Title,
    const QList<TimeMarker> *const *markers, QWidget *parent, QChart *chart, QAbstractAxis *time)
{
    ChartFrame c;
    c.chart = chart;
    c.chart->setTitle(title);
    // Qt Charts' legend keeps to one row under the plot, eliding names ("rece…", "serv…"), or
    // one column beside it, taking half a chart for nine outcomes: withLegend() adds a key that wraps.
    c.chart->legend()->hide();
    c.chart->setMargins(QMargins(2, 2, 2, 2));
    c.chart->layout()->setContentsMargins(0, 0, 0, 0);
    // Live data: animations would lag behind every refresh.
    c.chart->setAnimationOptions(QChart::NoAnimation);
    // The view paints the white background once; a chart background too would fill it twice.
    c.chart->setBackgroundVisible(false);
    // Time is read off the shared axis and the markers; vertical grid lines would only add ink.
    time->setGridLineVisible(false);
    c.chart->addAxis(time, Qt::AlignBottom);
    c.y = new QValueAxis(c.chart);
    c.y->setTitleText(yTitle);
    c.y->setLabelFormat(QStringLiteral("%g"));
    c.y->setRange(0, 1);
    c.y->setGridLinePen(QPen(QColor(0xe0, 0xe0, 0xe0), 0)); // cosmetic: no stroker
    c.chart->addAxis(c.y, Qt::AlignLeft);
    if (!y2Title.isEmpty()) {
        c.y2 = new QValueAxis(c.chart);
        c.y2->setTitleText(y2Title);
        c.y2->setLabelFormat(QStringLiteral("%g"));
        c.y2->setRange(0, 1);
        c.chart->addAxis(c.y2, Qt::AlignRight);
    }
    c.view = new MarkedChartView(c.chart, markers, parent);
    c.view->setRenderHint(QPainter::Antialiasing, false);
    c.view->setBackgroundBrush(Qt::white);
    c.view->setMinimumSize(320, 200);
    c.view->setObjectName(title);
    return c;
}

} // namespace

ChartFrame makeChartFrame(const QString &title, const QString &yTitle, const QString &y2Title,
    const QList<TimeMarker> *const *markers, QWidget *parent)
{
    auto *chart = new QChart;
    auto *x = new QValueAxis(chart);
    x->setTitleText(QStringLiteral("virtual time (s)"));
    x->setLabelFormat(QStringLiteral("%g"));
    setTimeRange(x, 0, 60);
    ChartFrame c = makeFrame(title, yTitle, y2Title, markers, parent, chart, x);
    c.x = x;
    return c;
}

ChartFrame makeClockChartFrame(const QString &title, const QString &yTitle, QWidget *parent)
{
    static const QList<TimeMarker> *const NoMarkers = nullptr;
    auto *chart = new QChart;
    auto *clock = new QDateTimeAxis(chart);
    clock->setTitleText(QStringLiteral("wall-clock time (local)"));
    clock->setFormat(QStringLiteral("HH:mm"));
    clock->setTickCount(6);
    ChartFrame c = makeFrame(title, yTitle, QString(), &NoMarkers, parent, chart, clock);
    c.clock = clock;
    return c;
}

void setClockRange(ChartFrame &c, qint64 fromMs, qint64 toMs)
{
    const qint64 span = toMs - fromMs;
    const QString format = span > 20 * 3600'000 ? QStringLiteral("MMM d HH:mm")
        : span <= 10 * 60'000                   ? QStringLiteral("HH:mm:ss")
                                                : QStringLiteral("HH:mm");
    if (c.clock->format() != format)
        c.clock->setFormat(format);
    const QDateTime from = QDateTime::fromMSecsSinceEpoch(fromMs), to = QDateTime::fromMSecsSinceEpoch(toMs);
    if (c.clock->min() != from || c.clock->max() != to)
        c.clock->setRange(from, to);
}

QLineSeries *addLine(ChartFrame &c, const QString &name, const QColor &color, bool right)
{
    auto *s = new QLineSeries(c.chart);
    s->setName(name);
    s->setPen(QPen(color, 0)); // cosmetic: drawn without the stroker, several times faster
    c.chart->addSeries(s);
    s->attachAxis(c.x ? static_cast<QAbstractAxis *>(c.x) : c.clock);
    s->attachAxis(right && c.y2 ? c.y2 : c.y);
    return s;
}

QString legendText(const QChart *chart)
{
    QStringList entries;
    for (QAbstractSeries *series : chart->series()) {
        const auto *area = qobject_cast<QAreaSeries *>(series);
        const QColor colour = area ? area->color() : static_cast<QXYSeries *>(series)->pen().color();
        // Non-breaking inside an entry, so that a line breaks only between entries.
        QString name = series->name().toHtmlEscaped();
        name.replace(u' ', QStringLiteral("&nbsp;"));
        entries << QStringLiteral("<span style=\"color:%1\">&#9632;</span>&nbsp;%2").arg(colour.name(), name);
    }
    return entries.join(QStringLiteral(" &nbsp; "));
}

QWidget *withLegend(ChartFrame &c, QWidget *parent)
{
    auto *panel = new QWidget(parent);
    c.panel = panel;
    panel->setAutoFillBackground(true);
    QPalette white = panel->palette();
    white.setColor(QPalette::Window, Qt::white);
    panel->setPalette(white);
    c.legend = new QLabel(legendText(c.chart), panel);
    c.legend->setTextFormat(Qt::RichText);
    c.legend->setWordWrap(true);
    c.legend->setAlignment(Qt::AlignHCenter | Qt::AlignTop);
    c.legend->setContentsMargins(2, 0, 2, 2);
    auto *layout = new QVBoxLayout(panel);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(0);
    layout->addWidget(c.view, 1);
    layout->addWidget(c.legend);
    return panel;
}

void replacePoints(QXYSeries *series, const QList<QPointF> &points)
{
    if (series->points() != points)
        series->replace(points);
}

void fitAxis(QValueAxis *axis, std::initializer_list<const QList<QPointF> *> series, double floor)
{
    double value = 0;
    for (const QList<QPointF> *s : series)
        for (const QPointF &p : *s)
            value = std::max(value, p.y());
    const double top = niceCeiling(value * 1.05, floor);
    if (axis->max() != top || axis->min() != 0)
        axis->setRange(0, top);
}

void setTimeRange(QValueAxis *axis, double from, double to)
{
    if (axis->min() == from && axis->max() == to)
        return;
    axis->setRange(from, to);
    // Ticks at whole seconds of the run (0, 50, 100 …), not at the range's fifths (59.9875 …).
    axis->setTickType(QValueAxis::TicksDynamic);
    axis->setTickAnchor(0);
    axis->setTickInterval(niceCeiling((to - from) / MaxTimeTicks, 1));
}

QXYSeries *findSeries(const QList<ChartFrame> &charts, const QString &chartTitle, const QString &name)
{
    for (const ChartFrame &c : charts) {
        if (c.chart->title() != chartTitle)
            continue;
        for (QAbstractSeries *s : c.chart->series()) {
            if (s->name() != name)
                continue;
            if (auto *area = qobject_cast<QAreaSeries *>(s))
                return area->upperSeries();
            return qobject_cast<QXYSeries *>(s);
        }
    }
    return nullptr;
}

QString hoverText(const ChartFrame &c, double seconds)
{
    if (c.chart->series().isEmpty())
        return {};
    const QPointF at = c.chart->mapToPosition(QPointF(seconds, 0), c.chart->series().first());
    const QPointF inside(at.x(), c.chart->plotArea().center().y());
    return static_cast<const MarkedChartView *>(c.view)->valuesAt(inside);
}

} // namespace bw
