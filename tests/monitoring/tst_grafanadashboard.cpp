// The Grafana dashboard (resources/grafana/breakwater-dashboard.json) asks only for metrics the
// exporter exposes, and has the panels the issue asks for.

#include "monitoringtest.h"

#include "run/runmetrics.h"
#include "run/scenariorun.h"
#include "scenario/scenarioloader.h"
#include "telemetry/metricsrecorder.h"
#include "telemetry/prometheusexposition.h"

#include <QRegularExpression>
#include <QSet>

using namespace bw;
using namespace bw::test;

namespace {

// The series names real expositions hold: each `# TYPE` name, with a histogram's _bucket,
// _sum and _count.
QSet<QString> exposedNames()
{
    QSet<QString> names;
    // Breakers that open and close, and bulkheads: between them, every family has samples.
    for (const char *name : { "flapping-service", "bulkhead-isolation" }) {
        MetricsRecorder recorder;
        ScenarioRun sim(test::scenario(QLatin1StringView(name)));
        attachMetrics(recorder, sim);
        sim.runToEnd();
        recorder.publish();
        for (const QByteArray &line : prometheusExposition(*recorder.latest()).split('\n')) {
            const QList<QByteArray> parts = line.split(' ');
            if (parts.size() != 4 || parts[0] != "#" || parts[1] != "TYPE")
                continue;
            const QString name = QString::fromUtf8(parts[2]);
            names.insert(name);
            if (parts[3] == "histogram")
                for (const char *suffix : { "_bucket", "_sum", "_count" })
                    names.insert(name + QLatin1StringView(suffix));
        }
    }
    return names;
}

// The metric names an expression selects: identifiers that are not PromQL functions, keywords
// or label names (inside {}, by (), without ()), nor strings or ranges.
QStringList selectedMetrics(QString expr)
{
    static const QRegularExpression strings(QStringLiteral("\"[^\"]*\""));
    static const QRegularExpression matchers(QStringLiteral("\\{[^}]*\\}"));
    static const QRegularExpression ranges(QStringLiteral("\\[[^\\]]*\\]"));
    static const QRegularExpression groupings(QStringLiteral("\\b(by|without|on|ignoring)\\s*\\([^)]*\\)"));
    static const QRegularExpression identifier(QStringLiteral("[a-zA-Z_:][a-zA-Z0-9_:]*"));
    static const QSet<QString> promql { QStringLiteral("sum"), QStringLiteral("max"), QStringLiteral("min"),
        QStringLiteral("avg"), QStringLiteral("count"), QStringLiteral("rate"), QStringLiteral("irate"),
        QStringLiteral("increase"), QStringLiteral("histogram_quantile"), QStringLiteral("and"), QStringLiteral("or"),
        QStringLiteral("unless"), QStringLiteral("bool") };
    expr.remove(strings).remove(matchers).remove(ranges).remove(groupings);
    QStringList names;
    for (auto it = identifier.globalMatch(expr); it.hasNext();) {
        const QString word = it.next().captured();
        if (!promql.contains(word))
            names.append(word);
    }
    return names;
}

} // namespace

class TestGrafanaDashboard : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void everyExpressionNamesOnlyExposedMetrics()
    {
        const QSet<QString> exposed = exposedNames();
        QVERIFY(exposed.contains(QStringLiteral("circuit_breaker_state")));
        QVERIFY(exposed.contains(QStringLiteral("resilience_call_duration_seconds_bucket")));
        const QStringList exprs = dashboardExpressions();
        QVERIFY(exprs.size() >= 8);
        QSet<QString> used;
        for (const QString &expr : exprs) {
            const QStringList names = selectedMetrics(expr);
            QVERIFY2(!names.isEmpty(), qPrintable(expr));
            for (const QString &name : names) {
                QVERIFY2(exposed.contains(name), qPrintable(name + QStringLiteral(" in ") + expr));
                used.insert(name);
            }
        }
        // State timeline, calls by result, retries, timeouts, bulkhead utilization.
        for (const char *name : { "circuit_breaker_state", "circuit_breaker_calls_total", "retry_attempts_total",
                 "timeout_operations_total", "bulkhead_active", "bulkhead_queued" })
            QVERIFY2(used.contains(QLatin1StringView(name)), name);
    }

    // The check above must catch a dashboard that asks for something the exporter lacks.
    void theCheckCatchesUnknownMetrics()
    {
        QCOMPARE(selectedMetrics(QStringLiteral("sum by (name, le) (rate(resilience_calls_seconds_bucket{name=\"x\"}[1m]))")),
            QStringList { QStringLiteral("resilience_calls_seconds_bucket") });
        QCOMPARE(selectedMetrics(QStringLiteral("bulkhead_active + on(name) bulkhead_limit")),
            (QStringList { QStringLiteral("bulkhead_active"), QStringLiteral("bulkhead_limit") }));
    }

    void hasAStateTimeline()
    {
        QFile file(qEnvironmentVariable("BREAKWATER_SOURCE_DIR") + QStringLiteral("/resources/grafana/breakwater-dashboard.json"));
        QVERIFY(file.open(QIODevice::ReadOnly));
        QJsonParseError error;
        const QJsonDocument doc = QJsonDocument::fromJson(file.readAll(), &error);
        QCOMPARE(error.error, QJsonParseError::NoError);
        bool timeline = false;
        for (const QJsonValue &panel : doc[QStringLiteral("panels")].toArray())
            timeline |= panel[QStringLiteral("type")].toString() == u"state-timeline";
        QVERIFY(timeline);
    }
};

QTEST_GUILESS_MAIN(TestGrafanaDashboard)
#include "tst_grafanadashboard.moc"
