#include "builtinscenarios.h"

#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>

namespace bw {

namespace {

// Teaching order: a breaker at work first, then retries, then isolation. Files in the resources
// but not listed here follow in name order, so adding a scenario never hides it.
const char *const Order[] = {
    "outage-and-recovery",
    "latency-spike",
    "flapping-service",
    "retry-storm",
    "retry-storm-budget",
    "retry-quota-outage",
    "rate-limited-api",
    "rate-limited-api-ignored",
    "rate-limiter-smoothing",
    "hedging-tail",
    "adaptive-throttle",
    "adaptive-concurrency",
    "bulkhead-isolation",
    "bulkhead-isolation-off",
    "slow-ai-backend",
    "brownout",
};

QList<BuiltinScenario> readAll()
{
    const QString dir = QStringLiteral(":/scenarios");
    QStringList files = QDir(dir).entryList({ QStringLiteral("*.json") }, QDir::Files, QDir::Name);
    QStringList ordered;
    for (const char *name : Order) {
        const QString file = QLatin1StringView(name) + QStringLiteral(".json");
        if (files.removeOne(file))
            ordered << file;
    }
    ordered += files;

    QList<BuiltinScenario> list;
    for (const QString &file : std::as_const(ordered)) {
        BuiltinScenario s;
        s.path = dir + u'/' + file;
        s.name = file.chopped(5);
        // Only the texts: a full load (and its checks) happens when one is opened, and the tests
        // load every one of them.
        QFile f(s.path);
        if (f.open(QIODevice::ReadOnly)) {
            const QJsonObject o = QJsonDocument::fromJson(f.readAll()).object();
            s.description = o.value(QStringLiteral("description")).toString();
            s.lookFor = o.value(QStringLiteral("lookFor")).toString();
        }
        list.append(s);
    }
    return list;
}

} // namespace

const QList<BuiltinScenario> &builtinScenarios()
{
    static const QList<BuiltinScenario> list = readAll(); // thread-safe static initialization
    return list;
}

QStringList builtinScenarioNames()
{
    QStringList names;
    for (const BuiltinScenario &s : builtinScenarios())
        names << s.name;
    return names;
}

QString builtinScenarioPath(const QString &name)
{
    for (const BuiltinScenario &s : builtinScenarios())
        if (s.name == name)
            return s.path;
    return QString();
}

} // namespace bw
