#include "commands/cli.h"

#include <QCoreApplication>

int main(int argc, char **argv)
{
    // Headless subcommands need no GUI: a QCoreApplication only (the desktop app comes later).
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("breakwater"));
    QCoreApplication::setApplicationVersion(bw::cli::version());
    return bw::cli::dispatch(QCoreApplication::arguments());
}
