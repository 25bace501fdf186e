#pragma once

#include "cli.h"

#include "runtime/atomicfile.h"
#include "scenario/builtinscenarios.h"

#include <QCommandLineOption>
#include <QCommandLineParser>
#include <QString>
#include <QStringList>

#include <optional>

namespace bw::cli {

// What the subcommands share. Header-only: the subcommands include it, and nothing else needs
// building.

// What every subcommand does with its arguments before its own checks: parse them, answer --help
// and --version, and report usage errors with the subcommand's help.
class Subcommand
{
public:
    // Adds the help and version options to `parser`: give it the subcommand's own options and
    // positional arguments first. `command` is the subcommand's name ("run").
    Subcommand(QCommandLineParser &parser, const QStringList &arguments, const QString &command)
        : m_parser(parser)
        , m_arguments(arguments)
        , m_command(command)
        , m_helpOption(parser.addHelpOption())
        , m_versionOption(parser.addVersionOption())
    { }

    // Parses the arguments. Empty to carry on; otherwise the exit status to return: Ok when the
    // help or the version was printed, BadInput after a usage error.
    std::optional<int> parse() const
    {
        if (!m_parser.parse(m_arguments))
            return badUsage(m_parser.errorText());
        if (m_parser.isSet(m_helpOption)) {
            printOut(help());
            return Ok;
        }
        if (m_parser.isSet(m_versionOption)) {
            printOut(QStringLiteral("breakwater ") + version() + u'\n');
            return Ok;
        }
        return std::nullopt;
    }

    // The one positional argument, a scenario file or a built-in's name; nullopt, with the usage
    // error printed, when there is none or more than one.
    std::optional<QString> scenarioArgument() const
    {
        const QStringList positional = m_parser.positionalArguments();
        if (positional.isEmpty())
            badUsage(QStringLiteral("missing the scenario (a file, or one of: ")
                + builtinScenarioNames().join(QStringLiteral(", ")) + u')');
        else if (positional.size() > 1)
            badUsage(QStringLiteral("expected one scenario, got ") + QString::number(positional.size()));
        else
            return positional.constFirst();
        return std::nullopt;
    }

    // Prints "breakwater COMMAND: message" and the help on stderr; returns BadInput.
    int badUsage(const QString &message) const
    {
        printErr(QStringLiteral("breakwater ") + m_command + QStringLiteral(": ") + message
            + QStringLiteral("\n\n") + help());
        return BadInput;
    }

private:
    QString help() const { return subcommandHelp(m_parser, m_arguments.value(0), m_command); }

    QCommandLineParser &m_parser;
    const QStringList m_arguments;
    const QString m_command;
    const QCommandLineOption m_helpOption;
    const QCommandLineOption m_versionOption;
};

// The SCENARIO.json|NAME argument of the commands that run a scenario.
inline void addScenarioArgument(QCommandLineParser &parser)
{
    parser.addPositionalArgument(QStringLiteral("scenario"),
        QStringLiteral("A scenario JSON file, or the name of a built-in scenario."),
        QStringLiteral("SCENARIO.json|NAME"));
}

// Where a subcommand's output goes (a summary, a comparison's JSON or CSV): a file, through an
// AtomicFile so that nothing appears at the path until the content is complete, or standard output.
class SummaryOutput
{
public:
    // Opens the file now, so a bad path fails before the run; without a call to open(), the
    // summary goes to standard output. False, with the reason printed, when it cannot be opened.
    bool open(const QString &path)
    {
        m_file.emplace(path);
        QString error;
        if (m_file->open(&error))
            return true;
        printErr(error + u'\n');
        return false;
    }

    // Writes the summary and returns the exit status: Ok, or RunFailed (the reason printed).
    int write(const QByteArray &bytes)
    {
        if (!m_file) {
            printOut(bytes);
            return Ok;
        }
        m_file->device()->write(bytes);
        QString error;
        if (!m_file->commit(&error)) { // a failed write fails it
            printErr(error + u'\n');
            return RunFailed;
        }
        return Ok;
    }

private:
    std::optional<AtomicFile> m_file;
};

} // namespace bw::cli
