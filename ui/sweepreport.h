#pragma once

namespace bw {

class HtmlReport;
struct ReportRequest;

// A sweep's charts in its report (`sweep --html`), drawn by the Sweep dialog's own widgets: the
// heat map of the objective (for one or two varied keys) and the Pareto scatter of p99 and of
// amplification against success rate.
void appendSweepCharts(HtmlReport &report, const ReportRequest &request);

} // namespace bw
