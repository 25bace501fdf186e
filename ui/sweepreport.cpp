#include "sweepreport.h"

#include "htmlreport.h"
#include "sweepfigure.h"
#include "sweepheatmap.h"
#include "sweepscatter.h"

#include <QChart>

namespace bw {

namespace {
// The page's column is 960 px wide: the charts are drawn at it, so their text keeps its size.
constexpr int ChartWidth = 960;
} // namespace

void appendSweepCharts(HtmlReport &report, const ReportRequest &request)
{
    const SweepResult &result = request.sweep;
    if (result.figures.isEmpty())
        return;
    const QString objective = sweepFigureView(result.objective).title;
    if (result.keys.size() <= 2) {
        SweepHeatMap map;
        map.setResult(result, sweepAxisTitles(result.keys, request.candidates.value(0).policy));
        report.addChart(&map, QStringLiteral("Heat map: %1 over %2").arg(objective, result.keys.join(QStringLiteral(" × "))),
            { ChartWidth, result.keys.size() == 1 ? 240 : 600 });
    } else {
        report.addParagraph(QStringLiteral("No heat map: it shows one or two varied keys, and this sweep varies %1.")
                                .arg(result.keys.size()));
    }
    for (SweepObjective x : { SweepObjective::P99, SweepObjective::Amplification }) {
        SweepScatter scatter;
        scatter.setResult(result);
        scatter.setFigures(x, SweepObjective::Success);
        report.addChart(&scatter, scatter.chart()->title(), { ChartWidth, 520 });
    }
}

} // namespace bw
