#include "reportoutput.h"

#include "cli.h"

namespace bw::cli {

namespace {
ReportWriter &installedWriter()
{
    static ReportWriter writer;
    return writer;
}
} // namespace

void setReportWriter(ReportWriter writer)
{
    installedWriter() = std::move(writer);
}

bool wantsReport(const QStringList &arguments)
{
    return std::any_of(arguments.begin(), arguments.end(),
        [](const QString &a) { return a == u"--html" || a.startsWith(QStringLiteral("--html=")); });
}

QCommandLineOption ReportOutput::option()
{
    return QCommandLineOption(QStringLiteral("html"),
        QStringLiteral("Writes a self-contained HTML report to this file: the scenario, the policies, the charts, "
                       "the tables, the seeds and the command line that reproduces it (needs a build with the "
                       "desktop app; runs without a display)."),
        QStringLiteral("OUT.html"));
}

std::optional<int> ReportOutput::open(const QCommandLineParser &parser, const QString &command)
{
    if (!parser.isSet(option()))
        return std::nullopt;
    m_command = command;
    if (!installedWriter()) {
        printErr(QStringLiteral("breakwater %1: --html: this build has no charts to draw a report with (it was "
                                "built with -DBREAKWATER_GUI=OFF); use a build with the desktop app\n")
                     .arg(command));
        return BadInput;
    }
    m_file.emplace();
    if (!m_file->open(parser.value(option())))
        return BadInput;
    return std::nullopt;
}

int ReportOutput::write(const ReportRequest &request)
{
    QString error;
    const std::optional<QByteArray> page = installedWriter()(request, &error);
    if (!page) {
        printErr(QStringLiteral("breakwater %1: --html: %2\n").arg(m_command, error));
        return RunFailed;
    }
    return m_file->write(*page);
}

} // namespace bw::cli
