#pragma once

#include "chartframe.h"
#include "statetimeline.h"
#include "telemetryhistory.h"

#include <QWidget>

#include <array>

class QChart;
class QChartView;
class QComboBox;
class QLabel;
class QLineSeries;
class QValueAxis;
class QXYSeries;

namespace bw {

// The live charts, for the selected operation or all of them, on one time axis in seconds: the
// breaker state timeline, calls per second by outcome (stacked), retries and attempts per call,
// timeouts, bulkhead utilization, latency percentiles and the backend's load against its
// capacity. refresh() takes each series' points from chartPoints() (the windowing and merging,
// chartpoints.h) and hands them over with QXYSeries::replace(): one repaint per series per
// refresh, never one per point.
class Dashboard final : public QWidget
{
    Q_OBJECT

public:
    explicit Dashboard(QWidget *parent = nullptr);

    void setHistory(const TelemetryHistory *history);
    void setMarkers(const QList<TimeMarker> *markers);
    void refresh();
    // The time axes' title: virtual time for a simulation, wall-clock time for real HTTP.
    void setTimeAxisTitle(const QString &title);

    // "" for all operations.
    QString selectedOperation() const;
    void selectOperation(const QString &operation);

    // For tests: the series named `name` in the chart titled `chartTitle`.
    QXYSeries *series(const QString &chartTitle, const QString &name) const;
    QList<QChart *> charts() const;
    // Each chart with its key under it, in the order of charts(): what a report draws one by one.
    QList<QWidget *> chartPanels() const;
    // The key under the chart titled `chartTitle`: every series' colour and full name.
    QLabel *legend(const QString &chartTitle) const;
    // What hovering the chart titled `chartTitle` at `seconds` shows: every series' value there.
    QString hoverText(const QString &chartTitle, double seconds) const;
    StateTimeline *timeline() const { return m_timeline; }

private:
    ChartFrame makeChart(const QString &title, const QString &yTitle, const QString &y2Title = {});
    void syncOperations();

    const TelemetryHistory *m_history = nullptr;
    const QList<TimeMarker> *m_markers = nullptr;
    QComboBox *m_operation = nullptr;
    StateTimeline *m_timeline = nullptr;
    QList<ChartFrame> m_charts;
    std::array<QLineSeries *, OutcomeCount> m_outcomeUpper {};
    QLineSeries *m_retries = nullptr, *m_attemptsPerCall = nullptr;
    QLineSeries *m_timeouts = nullptr;
    QLineSeries *m_activePercent = nullptr, *m_queuedPercent = nullptr;
    QLineSeries *m_p50 = nullptr, *m_p95 = nullptr, *m_p99 = nullptr;
    QLineSeries *m_received = nullptr, *m_inService = nullptr, *m_capacity = nullptr, *m_concurrencyLimit = nullptr;
    QLineSeries *m_served = nullptr, *m_goodput = nullptr;
    QStringList m_knownOperations;
    qsizetype m_timelineLanes = -1;
};

} // namespace bw
