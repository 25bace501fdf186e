#include "controlscript.h"

#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>

namespace bw {

std::optional<QList<TimedCommand>> parseControls(const QByteArray &jsonl, const QString &fileName, LoadError *error)
{
    QList<TimedCommand> commands;
    int lineNumber = 0;
    for (const QByteArray &line : jsonl.split('\n')) {
        ++lineNumber;
        if (line.trimmed().isEmpty())
            continue;
        QJsonParseError parseError;
        const QJsonDocument doc = QJsonDocument::fromJson(line, &parseError);
        if (parseError.error != QJsonParseError::NoError || !doc.isObject()) {
            *error = LoadError { fileName, lineNumber, int(parseError.offset) + 1, {},
                                 QStringLiteral("not a JSON object: ") + parseError.errorString() };
            return std::nullopt;
        }
        if (doc.object().value(u"type").toString() != u"control")
            continue;
        LoadError bad { fileName, lineNumber, 0, {}, {} };
        std::optional<TimedCommand> command = TimedCommand::fromJson(doc.object(), &bad);
        if (!command) {
            *error = bad;
            return std::nullopt;
        }
        if (!commands.isEmpty() && command->at < commands.last().at) {
            *error = LoadError { fileName, lineNumber, 0, QStringLiteral("t_ms"), QStringLiteral("control events are out of time order") };
            return std::nullopt;
        }
        commands.append(std::move(*command));
    }
    return commands;
}

std::optional<QList<TimedCommand>> loadControls(const QString &path, LoadError *error)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        *error = LoadError { path, 0, 0, {}, QStringLiteral("cannot read: ") + file.errorString() };
        return std::nullopt;
    }
    return parseControls(file.readAll(), path, error);
}

int applyControls(ScenarioRun &sim, const QList<TimedCommand> &commands)
{
    int accepted = 0;
    for (const TimedCommand &c : commands) {
        sim.advanceTo(c.at);
        if (sim.atEnd() && c.at > sim.end())
            break;
        accepted += sim.apply(c.command) ? 1 : 0;
    }
    return accepted;
}

} // namespace bw
