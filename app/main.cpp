#include "commands/cli.h"
#if BREAKWATER_GUI
#include "commands/reportoutput.h"
#include "commands/windowcommand.h"
#include "htmlreport.h"

#include <QApplication>
#endif

#include <QCoreApplication>

#if BREAKWATER_GUI
namespace {
// Drawing a report off screen, Qt warns about what only a display would have; the report needs
// neither, and its stderr stays for the command's own messages.
QtMessageHandler qtHandler = nullptr;
void withoutDisplayWarnings(QtMsgType type, const QMessageLogContext &context, const QString &message)
{
    if (type == QtWarningMsg
        && (message.startsWith(QStringLiteral("QStandardPaths: XDG_RUNTIME_DIR not set"))
            || message == u"This plugin does not support propagateSizeHints()"))
        return;
    qtHandler(type, context, message);
}
} // namespace
#endif

int main(int argc, char **argv)
{
    QCoreApplication::setOrganizationName(QStringLiteral("Breakwater"));
    QCoreApplication::setApplicationName(QStringLiteral("breakwater"));
    QCoreApplication::setApplicationVersion(bw::cli::version());
#if BREAKWATER_GUI
    // No command (or window options only): the desktop app. Only it and a report create a
    // QApplication, so the other commands run without a display.
    QStringList arguments;
    for (int i = 0; i < argc; ++i)
        arguments.append(QString::fromLocal8Bit(argv[i]));
    if (bw::cli::wantsWindow(arguments)) {
        QApplication app(argc, argv);
        return bw::cli::openWindow(QApplication::arguments());
    }
    // A report's charts are the window's widgets: they need a QApplication, and without a
    // display they draw offscreen.
    if (bw::cli::wantsReport(arguments)) {
        if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
            qputenv("QT_QPA_PLATFORM", "offscreen");
        qtHandler = qInstallMessageHandler(withoutDisplayWarnings);
        QApplication app(argc, argv);
        bw::cli::setReportWriter(&bw::htmlReport);
        return bw::cli::dispatch(QApplication::arguments());
    }
#endif
    QCoreApplication app(argc, argv);
    return bw::cli::dispatch(QCoreApplication::arguments());
}
