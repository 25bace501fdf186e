// A scenario written by scenarioToJson reads back as the same scenario: the app's Save then Open
// gives the same run.
#include "resilience/policy.h"
#include "run/scenariorun.h"
#include "scenario/builtinscenarios.h"
#include "scenario/scenarioloader.h"
#include "scenario/scenariowriter.h"
#include "telemetry/summary.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QTest>

Q_DECLARE_METATYPE(std::optional<int>)
Q_DECLARE_METATYPE(bw::AbandonedRequests)

using namespace bw;

namespace {

ScenarioConfig builtin(const QString &name)
{
    LoadError error;
    std::optional<ScenarioConfig> s = loadScenario(name, &error);
    if (!s)
        qFatal("%s", qPrintable(error.toString()));
    return *s;
}

QByteArray summaryOf(const ScenarioConfig &scenario)
{
    ScenarioRun sim(scenario);
    Summary summary;
    sim.setSummary(&summary);
    sim.runToEnd();
    return summary.toJsonBytes();
}

} // namespace

class TestScenarioWriter : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void builtinsRoundTrip_data()
    {
        QTest::addColumn<QString>("name");
        for (const BuiltinScenario &s : builtinScenarios())
            QTest::addRow("%s", qPrintable(s.name)) << s.name;
    }

    // Written, read back and written again: the same bytes, and the same run.
    void builtinsRoundTrip()
    {
        QFETCH(QString, name);
        const ScenarioConfig original = builtin(name);
        const QByteArray written = scenarioToJsonBytes(original);
        LoadError error;
        const std::optional<ScenarioConfig> reread = parseScenario(written, QStringLiteral("saved.json"), &error);
        QVERIFY2(reread, qPrintable(error.toString() + u'\n' + QString::fromUtf8(written)));
        QCOMPARE(scenarioToJsonBytes(*reread), written);
        QCOMPARE(reread->name, original.name);
        QCOMPARE(reread->seed, original.seed);
        QCOMPARE(reread->faults, original.faults);
        QCOMPARE(summaryOf(*reread), summaryOf(original));
    }

    // An operation whose policy was edited keeps the edit, inline; the others keep their names.
    void editedPolicyIsInlined()
    {
        ScenarioConfig s = builtin(QStringLiteral("outage-and-recovery"));
        QVERIFY(s.operations.size() >= 1);
        const QString untouchedName = s.operations.size() > 1 ? s.operations[1].policyName : QString();
        s.operations[0].policy.circuitBreaker->failureThreshold = 17;
        const QJsonObject json = scenarioToJson(s);
        const QJsonArray ops = json.value(QStringLiteral("operations")).toArray();
        QVERIFY(ops.at(0).toObject().value(QStringLiteral("policy")).isObject());
        QCOMPARE(ops.at(0)
                     .toObject()
                     .value(QStringLiteral("policy"))
                     .toObject()
                     .value(QStringLiteral("circuitBreaker"))
                     .toObject()
                     .value(QStringLiteral("failureThreshold"))
                     .toInt(),
            17);
        if (s.operations.size() > 1)
            QCOMPARE(ops.at(1).toObject().value(QStringLiteral("policy")).toString(), untouchedName);

        LoadError error;
        const std::optional<ScenarioConfig> reread
            = parseScenario(QJsonDocument(json).toJson(), QStringLiteral("saved.json"), &error);
        QVERIFY2(reread, qPrintable(error.toString()));
        QCOMPARE(reread->operations[0].policy.circuitBreaker->failureThreshold, 17);
    }

    // An unbounded queue is written as no queueLimit at all, so that it reads back unbounded; 0
    // (no waiting room) and a limit are written as they are; abandoned in both forms.
    void queueLimitAndAbandonedRoundTrip_data()
    {
        QTest::addColumn<std::optional<int>>("queueLimit");
        QTest::addColumn<AbandonedRequests>("abandoned");
        for (AbandonedRequests a : { AbandonedRequests::Served, AbandonedRequests::Dropped }) {
            const char *name = abandonedRequestsName(a).data();
            QTest::addRow("unbounded, %s", name) << std::optional<int>() << a;
            QTest::addRow("no waiting room, %s", name) << std::optional<int>(0) << a;
            QTest::addRow("7, %s", name) << std::optional<int>(7) << a;
        }
    }
    void queueLimitAndAbandonedRoundTrip()
    {
        QFETCH(std::optional<int>, queueLimit);
        QFETCH(AbandonedRequests, abandoned);
        ScenarioConfig s = builtin(QStringLiteral("outage-and-recovery"));
        s.services[0].queueLimit = queueLimit;
        s.services[0].abandoned = abandoned;
        const QByteArray written = scenarioToJsonBytes(s);
        const QJsonObject service
            = QJsonDocument::fromJson(written).object().value(QStringLiteral("services")).toArray().at(0).toObject();
        QCOMPARE(service.contains(QStringLiteral("queueLimit")), bool(queueLimit));
        LoadError error;
        const std::optional<ScenarioConfig> reread = parseScenario(written, QStringLiteral("x.json"), &error);
        QVERIFY2(reread, qPrintable(error.toString()));
        QCOMPARE(reread->services[0].queueLimit, queueLimit);
        QCOMPARE(reread->services[0].abandoned, abandoned);
        QCOMPARE(scenarioToJsonBytes(*reread), written);
    }

    // Every shape of rate and latency survives.
    void ratesAndLatencies()
    {
        ScenarioConfig s = builtin(QStringLiteral("outage-and-recovery"));
        OperationConfig ramp = s.operations[0];
        ramp.name = QStringLiteral("ramp");
        ramp.rate.shape = RateConfig::Shape::Ramp;
        ramp.rate.from = 5;
        ramp.rate.to = 50;
        ramp.rate.rampStart = fromMs(1000);
        ramp.rate.rampEnd = fromMs(9000);
        OperationConfig steps = s.operations[0];
        steps.name = QStringLiteral("steps");
        steps.rate.shape = RateConfig::Shape::Steps;
        steps.rate.steps = { { fromMs(0), 3.0 }, { fromMs(2500), 7.5 } };
        steps.arrival = ArrivalKind::Constant;
        s.operations = { ramp, steps };
        ServiceConfig &svc = s.services[0];
        for (LatencyKind kind : { LatencyKind::Fixed, LatencyKind::Uniform, LatencyKind::Normal, LatencyKind::Lognormal,
                 LatencyKind::Exponential, LatencyKind::Pareto, LatencyKind::Percentiles }) {
            svc.latency = {};
            svc.latency.kind = kind;
            svc.latency.fixed = fromMs(12);
            svc.latency.min = fromMs(3);
            svc.latency.max = fromMs(30);
            svc.latency.mean = fromMs(20);
            svc.latency.stddev = fromMs(4);
            svc.latency.median = fromMs(25);
            svc.latency.p99 = fromMs(400);
            if (kind == LatencyKind::Pareto)
                svc.latency.alpha = 2.5;
            if (kind == LatencyKind::Percentiles) {
                svc.latency.p90 = fromMs(60);
                svc.latency.p999 = fromMs(900);
            }
            const QByteArray written = scenarioToJsonBytes(s);
            LoadError error;
            const std::optional<ScenarioConfig> reread = parseScenario(written, QStringLiteral("x.json"), &error);
            QVERIFY2(reread, qPrintable(error.toString()));
            QCOMPARE(scenarioToJsonBytes(*reread), written);
            QCOMPARE(summaryOf(*reread), summaryOf(s));
        }
    }
};

QTEST_GUILESS_MAIN(TestScenarioWriter)
#include "tst_scenariowriter.moc"
