#pragma once

#include "statetimeline.h"
#include "telemetryhistory.h"

#include "lab/report.h"

#include <QByteArray>
#include <QSize>
#include <QString>

#include <memory>
#include <optional>
#include <utility>

class QChart;
class QWidget;

namespace bw {

// One self-contained HTML page (docs/formats.md, "Report (HTML)"): inline CSS, charts as inline
// SVG, no script and no external reference, so it opens anywhere with no network, and reads the
// same printed. Sections are appended in page order; every text given is escaped here.
class HtmlReport
{
public:
    explicit HtmlReport(const QString &title);

    void addHeading(const QString &text); // a section: <h2>
    void addSubheading(const QString &text); // <h3>
    void addParagraph(const QString &text);
    // Terms and their values, one per line ("Seed", "42").
    void addFacts(const QList<std::pair<QString, QString>> &facts);
    // Cells right-aligned except the first column's; a row's best cells in bold on green.
    void addTable(const ReportTable &table);
    // Preformatted text (JSON, a command line); folded away under `summary` when given.
    void addCode(const QString &text, const QString &summary = {});
    // Draws `widget` into an inline SVG (QSvgGenerator) under `title`: the widget's own painting,
    // so a chart in the page is the window's chart. With `size`, the widget is first laid out at
    // that size (shown off screen if it is not shown: a top-level widget needs no display);
    // without, drawn as it is. The charts' text keeps its pixel size, so a widget wider than
    // the page's column (960 px) reads smaller.
    void addChart(QWidget *widget, const QString &title, QSize size = {});

    int chartCount() const { return m_charts; }
    QByteArray toHtml() const;

private:
    QString m_title;
    QString m_body;
    int m_charts = 0;
};

// The page for `request`, as `--html` and File ▸ Export report write it: the title, the results'
// tables, the charts (a run's: the Dashboard fed its time series), the scenario, the policies,
// the live edits and what reproduces it. A run's charts come from the request; a compare's and a
// sweep's from their own widgets (appendCharts). Needs a QApplication (the charts are widgets),
// on its thread. The ReportWriter that main() installs.
std::optional<QByteArray> htmlReport(const ReportRequest &request, QString *error);

// The charts of one run's time series as the window's Dashboard draws them: the breaker state
// timeline, then each chart with its key, for all operations, with the fault boundaries and the
// live edits marked. Under the series' name when the request has more than one.
void appendRunCharts(HtmlReport &report, const ReportRequest &request, const ReportSeries &series);

// A history that holds every second of `series` as a finished run's, so that charts fed from it
// span the whole run.
std::unique_ptr<TelemetryHistory> wholeHistory(const TimeSeriesSnapshot &series);

// Draws a chart grid (laid out already, at twice the page's width) part by part at the page's
// width: the breaker timeline, then each chart's panel (the view and its key) under its title.
void addChartParts(HtmlReport &report, StateTimeline *timeline, const QList<QChart *> &charts, const QList<QWidget *> &panels);

} // namespace bw
