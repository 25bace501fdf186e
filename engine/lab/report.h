#pragma once

#include "../run/controlcommand.h"
#include "../run/runexport.h"
#include "../scenario/scenario.h"
#include "../telemetry/timeseries.h"
#include "candidate.h"

#include <QByteArray>
#include <QJsonObject>
#include <QList>
#include <QString>
#include <QStringList>

#include <cstdint>
#include <functional>
#include <optional>

namespace bw {

// What a shareable report (`--html F`, the app's File ▸ Export report) holds, as plain data: the
// commands fill it without widgets, and the report writer (ui/htmlreport.h, in a build with the
// desktop app) draws the charts with the window's own chart code and writes the page
// (docs/formats.md, "Report (HTML)").

// A table of figures: a header row, rows of cells (text as shown), and per row the columns that
// hold that row's best value (a comparison's best candidate per figure), marked in the page.
struct ReportTable
{
    QString title;
    QString caption; // a line under the title (a verdict, what the marks mean); may be empty
    QStringList headers;
    QList<QStringList> rows;
    QList<QList<int>> best; // per row, the marked columns; may have fewer entries than rows
};

// Every second of one run's telemetry, for its charts: a run's own, or one candidate's.
struct ReportSeries
{
    QString name; // "run", or the candidate's name
    TimeSeriesSnapshot series; // from the first bucket, with its layout
};

struct ReportRequest
{
    enum class Kind : std::uint8_t
    {
        Run,
        Compare,
        Sweep
    };
    Kind kind = Kind::Run;
    QString title; // the page's heading
    ScenarioConfig scenario; // as run, policies resolved
    QList<std::uint64_t> seeds;
    QList<Candidate> candidates; // compare: the candidates' policies; empty: the scenario's own
    QList<TimedCommand> controls; // the live edits the run applied, each at its time
    QStringList commandLine; // what reproduces it, program first ("breakwater", "run", …)
    QList<ReportTable> tables; // in page order, before the charts
    QList<ReportSeries> series; // run: one; compare: one per candidate (when the command keeps them)
    QJsonObject result; // compare, sweep: what --json writes, for their charts
};

// Writes the page for a request: the HTML bytes, or nullopt with *error. Installed by main() in
// a build with the desktop app (cli's setReportWriter); a headless build has none.
using ReportWriter = std::function<std::optional<QByteArray>(const ReportRequest &request, QString *error)>;

// A run's report (`run --html`, the app's File ▸ Export report): the scenario, the seed, the live
// edits, the summary's tables and the time series of `record`. The command line is the caller's.
ReportRequest runReport(const ScenarioConfig &scenario, std::uint64_t seed, const QList<TimedCommand> &controls,
    const RunRecord &record);

// A run summary's figures (the summary JSON, docs/formats.md) as tables: the operations (calls
// by outcome, success rate, retries, latency), the backend services and the breakers.
QList<ReportTable> summaryTables(const QJsonObject &summary);

// `arguments` as one POSIX shell line: words with anything but [A-Za-z0-9_@%+=:,./-] in single
// quotes ("it's" → 'it'\''s'), the empty word as ''.
QString shellCommandLine(const QStringList &arguments);

// The live edits as control events (JSON Lines, docs/formats.md "Control events"): saved to a
// file, `breakwater run … --controls FILE` applies them again at their times.
QByteArray controlEventsJsonl(const QList<TimedCommand> &controls);

} // namespace bw
