#pragma once

#include "chartframe.h"
#include "chartpoints.h"
#include "statetimeline.h"
#include "telemetryhistory.h"

#include <QWidget>

namespace bw {

// The colour of the `index`th candidate (0 to 3), distinct from the breaker states' and the
// outcomes' reds and greens where it can be.
QColor candidateColor(int index);

// One run drawn by CompareCharts: a candidate's name, colour and telemetry.
struct CompareSeries
{
    QString name;
    QColor color;
    const TelemetryHistory *history = nullptr;
};

// The Compare mode's charts: the breaker timeline with a lane per run and breaker, then the
// dashboard's six charts with one figure each (the one that tells policies apart), one line per
// run in its colour on the shared time axis, each with its key. The window's Compare mode shows
// them live; `compare --html` draws them from the candidates' recorded series.
class CompareCharts final : public QWidget
{
    Q_OBJECT

public:
    explicit CompareCharts(QWidget *parent = nullptr);

    // Keeps a reference to `markers` (fault boundaries, live edits), drawn across every chart.
    void setMarkers(const QList<TimeMarker> *markers);
    // Keeps references to the histories; one line per run in every chart from now on.
    void setRuns(const QList<CompareSeries> &runs);
    // Redraws from the histories: at most a hundred points per line, over the window of the run
    // furthest along.
    void refresh();

    QList<QChart *> charts() const;
    // Each chart's view with its key, in charts()' order.
    QList<QWidget *> chartPanels() const;
    // The series named `name` in the chart titled `chartTitle`, or null.
    QXYSeries *series(const QString &chartTitle, const QString &name) const;
    QLabel *legend(const QString &chartTitle) const;
    StateTimeline *timeline() const { return m_timeline; }

private:
    struct Chart
    {
        ChartFrame frame;
        QList<QPointF> (*points)(const ChartPoints &);
        double floor; // the y axis' least top; 100: a percentage, fixed at 0–100
    };

    QList<CompareSeries> m_runs;
    const QList<TimeMarker> *m_markers = nullptr;
    StateTimeline *m_timeline = nullptr;
    QList<Chart> m_charts;
};

} // namespace bw
