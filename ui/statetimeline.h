#pragma once

#include "telemetryhistory.h"

#include "run/controlcommand.h"

#include <QColor>
#include <QPixmap>
#include <QWidget>

class QPainter;

namespace bw {

// A labelled moment on the dashboard's time axis: a fault's start or end, a control action.
struct TimeMarker
{
    double atSeconds = 0;
    QString label;
    QColor color;
    bool control = false; // a control action: dropped when the run restarts, unlike the scenario's faults
};

// One run whose breakers a StateTimeline shows. With a name (a Compare mode candidate) its lanes
// are labelled "name · breaker" after a square of its colour, and a run without breakers still
// gets one lane that says so.
struct TimelineSource
{
    QString name;
    const TelemetryHistory *history = nullptr;
    QColor color;
};

// The scenario's fault boundaries, each start and (timed) end, as markers.
QList<TimeMarker> faultMarkers(const ScenarioConfig &scenario);
// A live action applied at `at`, and the end of a fault it injects for a while.
QList<TimeMarker> controlMarkers(const ControlCommand &command, TimePoint at);

// The states' key, as every state lane draws it: a square of each state's colour and its name,
// from `x` along the text baseline `baseline`; returns the x after the last name.
int drawStateLegend(QPainter &painter, int x, int baseline);

// The breaker state timeline: one lane per breaker (of each run), a band coloured by state per
// bucket, over the dashboard's shared time range, with the time markers drawn across it. Painted directly rather
// than with Qt Charts: a band per bucket and lane would be thousands of series items.
class StateTimeline final : public QWidget
{
    Q_OBJECT

public:
    explicit StateTimeline(QWidget *parent = nullptr);

    // Keeps a reference to `history`; repaints on update().
    void setHistory(const TelemetryHistory *history) { setSources({ { QString(), history, QColor() } }); }
    // Several runs, one after the other (keeps references to their histories).
    void setSources(const QList<TimelineSource> &sources) { m_sources = sources; }
    int laneCount() const { return int(lanes().size()); }
    void setRange(double fromSeconds, double toSeconds);
    void setMarkers(const QList<TimeMarker> *markers) { m_markers = markers; }
    // The x extent of the plot, in this widget's coordinates, to line up with the charts below.
    void setPlotMargins(int left, int right);

    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;

protected:
    void paintEvent(QPaintEvent *event) override;

private:
    struct Lane
    {
        QString label;
        QColor color; // the run's, or none
        const TelemetryHistory *history = nullptr;
        int breaker = -1; // in the history's layout; -1: the run has none
    };
    QList<Lane> lanes() const;

    QList<TimelineSource> m_sources;
    const QList<TimeMarker> *m_markers = nullptr;
    double m_from = 0, m_to = 60;
    int m_left = 120, m_right = 20;
    QPixmap m_static; // title, legend and lane labels
    QStringList m_staticNames;
};

} // namespace bw
