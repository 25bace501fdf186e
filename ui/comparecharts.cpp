#include "comparecharts.h"

#include <QChart>
#include <QChartView>
#include <QGridLayout>
#include <QLabel>
#include <QLineSeries>
#include <QValueAxis>

namespace bw {

namespace {

// As in the dashboard: a plot a few hundred pixels wide shows no more.
constexpr qsizetype MaxPoints = 100;

struct ChartSpec
{
    QString title, yTitle;
    QList<QPointF> (*points)(const ChartPoints &);
    double floor;
};

// The dashboard's charts, one figure each: the one that tells the candidates apart. The y titles
// are short: the charts are low, and the chart's title says what is counted.
const QList<ChartSpec> &chartSpecs()
{
    static const QList<ChartSpec> specs {
        { QStringLiteral("Success rate"), QStringLiteral("% of calls"), successPercent, 100 },
        { QStringLiteral("Retries per second"), QStringLiteral("per s"), [](const ChartPoints &p) { return p.retries; }, 1 },
        { QStringLiteral("Timeouts per second"), QStringLiteral("per s"), [](const ChartPoints &p) { return p.timeouts; }, 1 },
        { QStringLiteral("Bulkhead utilization"), QStringLiteral("% of limit"),
            [](const ChartPoints &p) { return p.activePercent; }, 100 },
        { QStringLiteral("Latency p99"), QStringLiteral("ms"), [](const ChartPoints &p) { return p.p99; }, 10 },
        { QStringLiteral("Backend requests per second"), QStringLiteral("per s"),
            [](const ChartPoints &p) { return p.received; }, 1 },
    };
    return specs;
}

} // namespace

QColor candidateColor(int index)
{
    static const std::array<QColor, 4> palette { QColor(0x1f, 0x77, 0xb4), QColor(0xff, 0x7f, 0x0e),
        QColor(0x2c, 0xa0, 0x2c), QColor(0x94, 0x67, 0xbd) };
    return palette[std::size_t(index) % palette.size()];
}

CompareCharts::CompareCharts(QWidget *parent)
    : QWidget(parent)
{
    auto *grid = new QGridLayout(this);
    grid->setContentsMargins(0, 0, 0, 0);
    grid->setSpacing(4);
    m_timeline = new StateTimeline(this);
    m_timeline->setToolTip(QStringLiteral("Breaker states over virtual time, one lane per candidate and breaker"));
    grid->addWidget(m_timeline, 0, 0, 1, 2);
    for (const ChartSpec &spec : chartSpecs()) {
        Chart c { makeChartFrame(spec.title, spec.yTitle, {}, &m_markers, this), spec.points, spec.floor };
        if (spec.floor == 100)
            c.frame.y->setRange(0, 100);
        // Lower than the dashboard's: the verdict table needs the room under them.
        c.frame.view->setMinimumSize(280, 140);
        withLegend(c.frame, this)->setToolTip(
            spec.title + QStringLiteral(": one line per candidate, in its colour; hover for values"));
        const int i = int(m_charts.size());
        grid->addWidget(c.frame.panel, 1 + i / 2, i % 2);
        m_charts.append(c);
    }
    for (int r = 1; r <= (int(m_charts.size()) + 1) / 2; ++r)
        grid->setRowStretch(r, 1);
}

void CompareCharts::setMarkers(const QList<TimeMarker> *markers)
{
    m_markers = markers;
    m_timeline->setMarkers(markers);
}

void CompareCharts::setRuns(const QList<CompareSeries> &runs)
{
    m_runs = runs;
    for (Chart &c : m_charts) {
        c.frame.chart->removeAllSeries();
        for (const CompareSeries &run : runs)
            addLine(c.frame, run.name, run.color);
        c.frame.legend->setText(legendText(c.frame.chart));
    }
    QList<TimelineSource> sources;
    for (const CompareSeries &run : runs)
        sources.append({ run.name, run.history, run.color });
    m_timeline->setSources(sources);
    // Every lane and the marker labels under them: squeezed, the labels would cover the lanes.
    m_timeline->setMinimumHeight(m_timeline->sizeHint().height());
}

void CompareCharts::refresh()
{
    // One time axis for all: the window of the run that is furthest along.
    TimeWindow window;
    for (qsizetype i = 0; i < m_runs.size(); ++i) {
        const TimeWindow w = visibleWindow(*m_runs[i].history);
        if (i == 0 || w.to > window.to)
            window = w;
    }
    QList<ChartPoints> points;
    for (const CompareSeries &run : m_runs)
        points.append(chartPoints(*run.history, window, QString(), MaxPoints));
    for (Chart &c : m_charts) {
        const QList<QAbstractSeries *> series = c.frame.chart->series();
        double top = 0;
        for (qsizetype i = 0; i < points.size() && i < series.size(); ++i) {
            const QList<QPointF> line = c.points(points[i]);
            for (const QPointF &p : line)
                top = std::max(top, p.y());
            replacePoints(static_cast<QXYSeries *>(series[i]), line);
        }
        setTimeRange(c.frame.x, window.from, window.to);
        if (c.floor != 100) {
            const QList<QPointF> highest { QPointF(0, top) };
            fitAxis(c.frame.y, { &highest }, c.floor);
        }
        // The markers are painted in each view's foreground, which the series' updates do not redraw.
        c.frame.view->viewport()->update();
    }
    m_timeline->setRange(window.from, window.to);
    m_timeline->update();
}

QList<QChart *> CompareCharts::charts() const
{
    QList<QChart *> out;
    for (const Chart &c : m_charts)
        out.append(c.frame.chart);
    return out;
}

QList<QWidget *> CompareCharts::chartPanels() const
{
    QList<QWidget *> out;
    for (const Chart &c : m_charts)
        out.append(c.frame.panel);
    return out;
}

QXYSeries *CompareCharts::series(const QString &chartTitle, const QString &name) const
{
    for (const Chart &c : m_charts)
        if (c.frame.chart->title() == chartTitle)
            for (QAbstractSeries *s : c.frame.chart->series())
                if (s->name() == name)
                    return qobject_cast<QXYSeries *>(s);
    return nullptr;
}

QLabel *CompareCharts::legend(const QString &chartTitle) const
{
    for (const Chart &c : m_charts)
        if (c.frame.chart->title() == chartTitle)
            return c.frame.legend;
    return nullptr;
}

} // namespace bw
