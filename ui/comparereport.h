#pragma once

#include "htmlreport.h"

namespace bw {

// A comparison's charts in a report (`compare --html`): the window's Compare mode charts
// (comparecharts.h), drawn from each candidate's recorded series in the request, in the
// candidates' colours, with the scenario's fault boundaries marked.
void appendCompareCharts(HtmlReport &report, const ReportRequest &request);

} // namespace bw
