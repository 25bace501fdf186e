#pragma once

#include "subcommand.h"

#include "lab/report.h"

#include <QCommandLineOption>
#include <QCommandLineParser>
#include <QStringList>

#include <optional>

namespace bw::cli {

// `--html OUT.html` (docs/formats.md, "Report (HTML)"): a command fills a ReportRequest with plain
// data and the report writer draws the page. The writer needs the window's chart widgets, so
// only main() of a build with the desktop app installs one; without it, --html is bad input.

// main(), in a build with the desktop app, before dispatch().
void setReportWriter(ReportWriter writer);

// True when `arguments` (argv, program first) ask for a report: main() then creates the
// QApplication that the chart widgets need.
bool wantsReport(const QStringList &arguments);

// A command's --html option: add option() to its parser, open() after parsing, write() at the end.
class ReportOutput
{
public:
    static QCommandLineOption option();

    // When --html is given: checks that this build can draw a report and creates its file now,
    // so that a bad path fails before the work. Empty to carry on; otherwise the exit status,
    // BadInput, with one message printed.
    std::optional<int> open(const QCommandLineParser &parser, const QString &command);
    bool wanted() const { return m_file.has_value(); }
    // Draws the page and writes it whole: Ok, or RunFailed with the reason printed.
    int write(const ReportRequest &request);

private:
    QString m_command;
    std::optional<SummaryOutput> m_file;
};

} // namespace bw::cli
