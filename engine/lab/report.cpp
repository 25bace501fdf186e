#include "report.h"

#include "../resilience/outcome.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QRegularExpression>

namespace bw {

namespace {

QString count(const QJsonValue &v)
{
    return QString::number(v.toInteger());
}

QString ms(const QJsonValue &v)
{
    return QString::number(v.toDouble(), 'f', 1);
}

QString percent(double share)
{
    return QString::number(100.0 * share, 'f', 2) + u'%';
}

// Offered, success rate, a column per outcome that any row has, retries, latency.
ReportTable operationsTable(const QJsonObject &summary)
{
    QList<std::pair<QString, QJsonObject>> rows;
    const QJsonObject operations = summary.value(u"operations").toObject();
    for (auto it = operations.begin(); it != operations.end(); ++it)
        rows.append({ it.key(), it.value().toObject() });
    rows.append({ QStringLiteral("total"), summary.value(u"totals").toObject() });
    // Success and fallback always (the success rate is theirs); the other outcomes where they happened.
    QStringList outcomes;
    for (Outcome o : AllOutcomes) {
        const QString name(outcomeName(o));
        const bool shown = o == Outcome::Success || o == Outcome::Fallback
            || std::any_of(rows.begin(), rows.end(),
                [&](const auto &row) { return row.second.value(u"outcomes").toObject().value(name).toInteger() > 0; });
        if (shown)
            outcomes << name;
    }
    ReportTable table;
    table.title = QStringLiteral("Calls");
    table.caption = QStringLiteral("Success rate: (success + fallback) / offered. Latency of the calls that "
                                   "ended (the calls cut off at the end are not counted).");
    table.headers << QStringLiteral("operation") << QStringLiteral("offered") << QStringLiteral("success rate")
                  << outcomes << QStringLiteral("retries") << QStringLiteral("p50 ms") << QStringLiteral("p99 ms")
                  << QStringLiteral("max ms");
    for (const auto &[name, o] : rows) {
        const QJsonObject calls = o.value(u"outcomes").toObject();
        const double offered = double(o.value(u"offered").toInteger());
        const double succeeded = double(calls.value(u"success").toInteger() + calls.value(u"fallback").toInteger());
        QStringList cells { name, count(o.value(u"offered")),
            offered > 0 ? percent(succeeded / offered) : QStringLiteral("–") };
        for (const QString &outcome : outcomes)
            cells << count(calls.value(outcome));
        cells << count(o.value(u"retries"));
        const QJsonObject latency = o.value(u"latencyMs").toObject();
        if (latency.isEmpty()) // the totals: percentiles do not add up over operations
            cells << QStringLiteral("–") << QStringLiteral("–") << QStringLiteral("–");
        else
            cells << ms(latency.value(u"p50")) << ms(latency.value(u"p99")) << ms(latency.value(u"max"));
        table.rows << cells;
    }
    return table;
}

ReportTable servicesTable(const QJsonObject &summary)
{
    ReportTable table;
    table.title = QStringLiteral("Backend services");
    table.caption = QStringLiteral("Requests received include retries; wasted: served after the caller had "
                                   "given up (a URL service's work is out of sight: –).");
    table.headers = { QStringLiteral("service"), QStringLiteral("requests received"),
        QStringLiteral("errors served"), QStringLiteral("served"), QStringLiteral("wasted"),
        QStringLiteral("wasted share") };
    const QJsonObject services = summary.value(u"services").toObject();
    for (auto it = services.begin(); it != services.end(); ++it) {
        const QJsonObject s = it.value().toObject();
        const bool modelled = s.contains(u"served");
        table.rows << QStringList { it.key(), count(s.value(u"requestsReceived")), count(s.value(u"errorsServed")),
            modelled ? count(s.value(u"served")) : QStringLiteral("–"),
            modelled ? count(s.value(u"wasted")) : QStringLiteral("–"),
            modelled ? percent(s.value(u"wastedShare").toDouble()) : QStringLiteral("–") };
    }
    return table;
}

ReportTable breakersTable(const QJsonObject &summary)
{
    ReportTable table;
    table.title = QStringLiteral("Circuit breakers");
    table.headers = { QStringLiteral("breaker"), QStringLiteral("transitions"), QStringLiteral("opened"),
        QStringLiteral("time open s"), QStringLiteral("rejected") };
    const QJsonObject breakers = summary.value(u"breakers").toObject();
    for (auto it = breakers.begin(); it != breakers.end(); ++it) {
        const QJsonObject b = it.value().toObject();
        const QJsonArray transitions = b.value(u"transitions").toArray();
        const auto opened = std::count_if(transitions.begin(), transitions.end(),
            [](const QJsonValue &t) { return t.toObject().value(u"to").toString() == u"OPEN"; });
        const double openMs = b.value(u"timeInStateMs").toObject().value(u"OPEN").toDouble();
        table.rows << QStringList { it.key(), QString::number(transitions.size()), QString::number(opened),
            QString::number(openMs / 1000.0, 'f', 1), count(b.value(u"rejected")) };
    }
    return table;
}

} // namespace

ReportRequest runReport(const ScenarioConfig &scenario, std::uint64_t seed, const QList<TimedCommand> &controls,
    const RunRecord &record)
{
    ReportRequest request;
    request.kind = ReportRequest::Kind::Run;
    request.title = QStringLiteral("Run of ") + scenario.name;
    request.scenario = scenario;
    request.seeds = { seed };
    request.controls = controls;
    request.tables = summaryTables(QJsonDocument::fromJson(record.summaryJson).object());
    request.series = { ReportSeries { QStringLiteral("run"), record.series } };
    return request;
}

QList<ReportTable> summaryTables(const QJsonObject &summary)
{
    QList<ReportTable> tables { operationsTable(summary), servicesTable(summary) };
    const ReportTable breakers = breakersTable(summary);
    if (!breakers.rows.isEmpty())
        tables << breakers;
    return tables;
}

QString shellCommandLine(const QStringList &arguments)
{
    static const QRegularExpression plain(QStringLiteral("^[A-Za-z0-9_@%+=:,./-]+$"));
    QStringList words;
    for (const QString &a : arguments) {
        if (plain.match(a).hasMatch())
            words << a;
        else
            words << QStringLiteral("'") + QString(a).replace(u'\'', QStringLiteral("'\\''")) + u'\'';
    }
    return words.join(u' ');
}

QByteArray controlEventsJsonl(const QList<TimedCommand> &controls)
{
    QByteArray out;
    for (const TimedCommand &c : controls) {
        QJsonObject event = c.command.toJson();
        event.insert(QStringLiteral("t_ms"), toMs(c.at));
        event.insert(QStringLiteral("type"), QStringLiteral("control"));
        out += QJsonDocument(event).toJson(QJsonDocument::Compact) + '\n';
    }
    return out;
}

} // namespace bw
