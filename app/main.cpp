#include "commands/cli.h"
#if BREAKWATER_GUI
#include "commands/reportoutput.h"
#include "commands/windowcommand.h"
#include "htmlreport.h"

#include <QApplication>
#endif

#include <QCoreApplication>

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
        QApplication app(argc, argv);
        bw::cli::setReportWriter(&bw::htmlReport);
        return bw::cli::dispatch(QApplication::arguments());
    }
#endif
    QCoreApplication app(argc, argv);
    return bw::cli::dispatch(QCoreApplication::arguments());
}
