#pragma once

#include <QByteArray>
#include <QCommandLineParser>
#include <QStringList>

namespace bw::cli {

// Exit statuses: 0 done, 1 failed while running (an output could not be written), 2 bad input
// (arguments, files) with one message on stderr.
enum ExitCode
{
    Ok = 0,
    RunFailed = 1,
    BadInput = 2
};

// True when `arguments` (argv, program first) ask for the desktop app: none, or window options
// only (docs/formats.md, "Application command line").
bool wantsWindow(const QStringList &arguments);

// Runs `breakwater ARGS...`: picks the subcommand and returns the process's exit status. Window
// arguments get "this build has no window" and status 2: where there is one, main() opens it.
int dispatch(const QStringList &arguments);

QString version(); // PROJECT_VERSION
QString usage(); // the top-level usage text

void printOut(const QString &text);
void printOut(const QByteArray &bytes);
void printErr(const QString &text);

// QCommandLineParser's help names the executable's path; a subcommand wants "breakwater replay".
QString subcommandHelp(const QCommandLineParser &parser, const QString &program, const QString &command);

} // namespace bw::cli
