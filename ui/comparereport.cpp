#include "comparereport.h"

#include "comparecharts.h"

#include <QChart>
#include <QCoreApplication>

#include <memory>
#include <vector>

namespace bw {

namespace {
constexpr int ChartWidth = 960; // the page's column
constexpr int ChartHeight = 320;
} // namespace

void appendCompareCharts(HtmlReport &report, const ReportRequest &request)
{
    // Histories that hold the whole run, so that the charts span all of it.
    std::vector<std::unique_ptr<TelemetryHistory>> histories;
    QList<CompareSeries> runs;
    for (const ReportSeries &s : request.series) {
        auto history = std::make_unique<TelemetryHistory>(std::max<qsizetype>(1, s.series.buckets.size()));
        RunProgress progress;
        progress.state = RunProgress::State::Finished;
        progress.series = s.series;
        if (!s.series.buckets.isEmpty())
            progress.now = progress.end = s.series.buckets.constLast()->end;
        history->ingest(progress);
        runs.append({ s.name, candidateColor(int(runs.size())), history.get() });
        histories.push_back(std::move(history));
    }
    const QList<TimeMarker> markers = faultMarkers(request.scenario);
    CompareCharts charts;
    charts.setMarkers(&markers);
    charts.setRuns(runs);
    // Laid out as in the window, then each part drawn alone at the page's width.
    charts.setAttribute(Qt::WA_DontShowOnScreen);
    charts.resize(2 * ChartWidth, 4 * ChartHeight);
    charts.show();
    charts.refresh();
    QCoreApplication::sendPostedEvents();
    StateTimeline *timeline = charts.timeline();
    report.addChart(timeline, QStringLiteral("Breaker state timeline"), { ChartWidth, timeline->sizeHint().height() });
    const QList<QChart *> list = charts.charts();
    const QList<QWidget *> panels = charts.chartPanels();
    for (qsizetype i = 0; i < panels.size(); ++i)
        report.addChart(panels[i], list[i]->title(), { ChartWidth, ChartHeight });
}

} // namespace bw
