#pragma once

#include "statetimeline.h"

#include <QList>
#include <QPointF>

#include <initializer_list>

class QChart;
class QChartView;
class QDateTimeAxis;
class QLabel;
class QLineSeries;
class QValueAxis;
class QWidget;
class QXYSeries;

namespace bw {

// One dashboard chart: a QChart on the shared time axis in its view (which draws the time
// markers and the hover values, markedchartview.h), with a key under it. The dashboard and the
// Compare mode build theirs alike from here.
struct ChartFrame
{
    QWidget *panel = nullptr; // the view and the key (withLegend())
    QChartView *view = nullptr;
    QChart *chart = nullptr;
    QLabel *legend = nullptr;
    QValueAxis *x = nullptr, *y = nullptr, *y2 = nullptr; // x: seconds of a run
    QDateTimeAxis *clock = nullptr; // instead of x on a wall-clock chart (x values: Unix epoch ms)
};

// A chart titled `title` (also the view's objectName) with a left axis, and a right one when
// `y2Title` is given. `markers` points to the owner's pointer to its markers, which may be set later.
ChartFrame makeChartFrame(const QString &title, const QString &yTitle, const QString &y2Title,
    const QList<TimeMarker> *const *markers, QWidget *parent);
// The same on a wall-clock time axis (the fleet's charts), without markers.
ChartFrame makeClockChartFrame(const QString &title, const QString &yTitle, QWidget *parent);
// Puts a clock chart's axis on [fromMs, toMs], labelled as the span needs (seconds, minutes, days).
void setClockRange(ChartFrame &c, qint64 fromMs, qint64 toMs);
// A line on the left axis, or the right one.
QLineSeries *addLine(ChartFrame &c, const QString &name, const QColor &color, bool right = false);
// The key's rich text: every series' colour and name, in the chart's order.
QString legendText(const QChart *chart);
// The view with its key under it (every series' colour and name, wrapping between entries to the
// chart's width), built from the series the chart has now.
QWidget *withLegend(ChartFrame &c, QWidget *parent);
// Hands `points` to `series` unless it has them already: a replace() re-lays out and re-strokes
// the whole series, so one whose points did not change (a flat capacity, an empty band) is left alone.
void replacePoints(QXYSeries *series, const QList<QPointF> &points);
// Sets the axis to 0 .. the smallest 1, 2 or 5 × 10^k at or above the series' highest value
// (plus 5 %), at least `floor`: y axes that move in steps, not every frame.
void fitAxis(QValueAxis *axis, std::initializer_list<const QList<QPointF> *> series, double floor);
// Puts a chart's time axis on [from, to] seconds with ticks at round seconds: 1, 2 or 5 × 10^k
// apart (at least 1 s), at most MaxTimeTicks intervals.
constexpr int MaxTimeTicks = 6;
void setTimeRange(QValueAxis *axis, double from, double to);
// The series named `name` in the chart titled `chartTitle` (a band: its upper edge), or null.
QXYSeries *findSeries(const QList<ChartFrame> &charts, const QString &chartTitle, const QString &name);
// The hover text of the chart at `seconds` on its time axis: every series' value there.
QString hoverText(const ChartFrame &c, double seconds);

} // namespace bw
