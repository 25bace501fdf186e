#pragma once

#include "telemetryhistory.h"

#include "run/controlcommand.h"

#include <QColor>
#include <QPixmap>
#include <QWidget>

namespace bw {

// A labelled moment on the dashboard's time axis: a fault's start or end, a control action.
struct TimeMarker
{
    double atSeconds = 0;
    QString label;
    QColor color;
    bool control = false; // a control action: dropped when the run restarts, unlike the scenario's faults
};

// The scenario's fault boundaries, each start and (timed) end, as markers.
QList<TimeMarker> faultMarkers(const ScenarioConfig &scenario);
// A live action applied at `at`, and the end of a fault it injects for a while.
QList<TimeMarker> controlMarkers(const ControlCommand &command, TimePoint at);

// The breaker state timeline: one lane per breaker, a band coloured by state per bucket, over the
// dashboard's shared time range, with the time markers drawn across it. Painted directly rather
// than with Qt Charts: a band per bucket and lane would be thousands of series items.
class StateTimeline final : public QWidget
{
    Q_OBJECT

public:
    explicit StateTimeline(QWidget *parent = nullptr);

    // Keeps a reference to `history`; repaints on update().
    void setHistory(const TelemetryHistory *history) { m_history = history; }
    void setRange(double fromSeconds, double toSeconds);
    void setMarkers(const QList<TimeMarker> *markers) { m_markers = markers; }
    // The x extent of the plot, in this widget's coordinates, to line up with the charts below.
    void setPlotMargins(int left, int right);

    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;

protected:
    void paintEvent(QPaintEvent *event) override;

private:
    const TelemetryHistory *m_history = nullptr;
    const QList<TimeMarker> *m_markers = nullptr;
    double m_from = 0, m_to = 60;
    int m_left = 120, m_right = 20;
    QPixmap m_static; // title, legend and lane labels
    QStringList m_staticNames;
};

} // namespace bw
