#include "commands/cli.h"
#if BREAKWATER_GUI
#include "commands/windowcommand.h"

#include <QApplication>
#endif

#include <QCoreApplication>

int main(int argc, char **argv)
{
    QCoreApplication::setOrganizationName(QStringLiteral("Breakwater"));
    QCoreApplication::setApplicationName(QStringLiteral("breakwater"));
    QCoreApplication::setApplicationVersion(bw::cli::version());
#if BREAKWATER_GUI
    // No command (or window options only): the desktop app. Only that path creates a
    // QApplication, so the commands run without a display.
    QStringList arguments;
    for (int i = 0; i < argc; ++i)
        arguments.append(QString::fromLocal8Bit(argv[i]));
    if (bw::cli::wantsWindow(arguments)) {
        QApplication app(argc, argv);
        return bw::cli::openWindow(QApplication::arguments());
    }
#endif
    QCoreApplication app(argc, argv);
    return bw::cli::dispatch(QCoreApplication::arguments());
}
