// runSweep's cancellation (the window's Cancel): a stop requested mid-sweep starts no further
// run and returns nothing, so no caller takes a partial grid for a result; a stop never requested
// changes nothing.
#include "lab/sweep.h"
#include "scenario/scenarioloader.h"

#include <QTest>

#include <atomic>

using namespace bw;

namespace {

// retry-storm cut to 5 s (before its fault): 8 points × 2 seeds of a few thousand calls each.
SweepPlan smallPlan()
{
    LoadError error;
    std::optional<ScenarioConfig> scenario = loadScenario(QStringLiteral("retry-storm"), &error);
    Q_ASSERT(scenario);
    scenario->duration = fromMs(5000);
    SweepPlan plan;
    plan.scenario = *scenario;
    plan.operation = QStringLiteral("checkout");
    for (const QString &vary : { QStringLiteral("retry.maxAttempts=1:4:1"), QStringLiteral("timeout=100,300") }) {
        std::optional<SweepParameter> parameter = parseSweepParameter(vary, &error);
        Q_ASSERT(parameter);
        plan.grid.add(*parameter, &error);
    }
    plan.seeds = sweepSeeds(11, 2);
    return plan;
}

} // namespace

class tst_Sweep : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void cancelledSweepReturnsNothing_data();
    void cancelledSweepReturnsNothing();
    void stopNeverRequestedChangesNothing();
};

void tst_Sweep::cancelledSweepReturnsNothing_data()
{
    QTest::addColumn<int>("threads");
    QTest::addRow("one thread") << 1;
    QTest::addRow("two threads") << 2;
}

void tst_Sweep::cancelledSweepReturnsNothing()
{
    QFETCH(int, threads);
    const SweepPlan plan = smallPlan();
    LoadError error;
    const std::optional<QList<PolicyConfig>> policies = sweepPolicies(plan, &error);
    QVERIFY2(policies, qPrintable(error.toString()));
    std::stop_source stop;
    std::atomic<qsizetype> reported { 0 };
    const QList<SweepFigures> runs = runSweep(
        plan, *policies, threads,
        [&](qsizetype done, qsizetype) {
            reported = done;
            stop.request_stop(); // after the first run: Cancel pressed
        },
        stop.get_token());
    QVERIFY(runs.isEmpty());
    // The runs already under way when the stop came finish; none starts after it.
    QVERIFY(reported >= 1);
    QVERIFY2(reported <= threads, qPrintable(QString::number(reported)));
    QVERIFY(reported < qsizetype(plan.runCount()));
}

void tst_Sweep::stopNeverRequestedChangesNothing()
{
    const SweepPlan plan = smallPlan();
    LoadError error;
    const std::optional<QList<PolicyConfig>> policies = sweepPolicies(plan, &error);
    QVERIFY(policies);
    std::stop_source stop;
    const QList<SweepFigures> withToken = runSweep(plan, *policies, 2, {}, stop.get_token());
    const QList<SweepFigures> without = runSweep(plan, *policies, 2);
    QCOMPARE(withToken.size(), qsizetype(plan.runCount()));
    QVERIFY(withToken == without);
}

QTEST_GUILESS_MAIN(tst_Sweep)
#include "tst_sweep.moc"
