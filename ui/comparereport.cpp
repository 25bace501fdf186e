#include "comparereport.h"

#include "comparecharts.h"

#include <memory>
#include <vector>

namespace bw {

void appendCompareCharts(HtmlReport &report, const ReportRequest &request)
{
    std::vector<std::unique_ptr<TelemetryHistory>> histories;
    QList<CompareSeries> runs;
    for (const ReportSeries &s : request.series) {
        histories.push_back(wholeHistory(s.series));
        runs.append({ s.name, candidateColor(int(runs.size())), histories.back().get() });
    }
    const QList<TimeMarker> markers = faultMarkers(request.scenario);
    CompareCharts charts;
    charts.setMarkers(&markers);
    charts.setRuns(runs);
    // Laid out as in the window, then each part drawn alone at the page's width.
    charts.setAttribute(Qt::WA_DontShowOnScreen);
    charts.resize(2 * 960, 4 * 340); // twice the page's column, as the run's dashboard
    charts.show();
    charts.refresh();
    addChartParts(report, charts.timeline(), charts.charts(), charts.chartPanels());
}

} // namespace bw
