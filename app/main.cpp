#include "commands/cli.h"
#include "desktopapp.h"

#include <QApplication>
#include <QCoreApplication>

int main(int argc, char **argv)
{
    QStringList arguments;
    for (int i = 0; i < argc; ++i)
        arguments.append(QString::fromLocal8Bit(argv[i]));
    QCoreApplication::setOrganizationName(QStringLiteral("Breakwater"));
    QCoreApplication::setApplicationName(QStringLiteral("breakwater"));
    QCoreApplication::setApplicationVersion(bw::cli::version());
    // No subcommand (or GUI options only): the desktop app. Only that path creates a
    // QApplication, so the headless subcommands run without a display.
    if (bw::ui::wantsDesktop(arguments)) {
        QApplication app(argc, argv);
        return bw::ui::runDesktop(QApplication::arguments());
    }
    QCoreApplication app(argc, argv);
    return bw::cli::dispatch(QCoreApplication::arguments());
}
