#include "lab/pareto.h"

#include <QTest>

#include <limits>

using namespace bw;

namespace {

constexpr double NotRecovered = std::numeric_limits<double>::infinity();

SweepFigures fig(double success, double amplification, double p99, double recovery)
{
    return SweepFigures { success, amplification, p99, recovery, 0 };
}

} // namespace

class tst_Pareto : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void dominance_data();
    void dominance();
    void front_data();
    void front();
    void best_data();
    void best();
    void objectiveNames();
};

void tst_Pareto::dominance_data()
{
    QTest::addColumn<SweepFigures>("a");
    QTest::addColumn<SweepFigures>("b");
    QTest::addColumn<bool>("aDominatesB");
    const SweepFigures base = fig(0.9, 1.5, 200, 3000);
    QTest::addRow("equal") << base << base << false;
    QTest::addRow("higher success") << fig(0.95, 1.5, 200, 3000) << base << true;
    QTest::addRow("lower amplification") << fig(0.9, 1.2, 200, 3000) << base << true;
    QTest::addRow("lower p99") << fig(0.9, 1.5, 150, 3000) << base << true;
    QTest::addRow("faster recovery") << fig(0.9, 1.5, 200, 1000) << base << true;
    QTest::addRow("recovered beats not recovered") << base << fig(0.9, 1.5, 200, NotRecovered) << true;
    QTest::addRow("better and worse: a trade-off") << fig(0.95, 2.0, 200, 3000) << base << false;
    QTest::addRow("worse everywhere") << fig(0.8, 2.0, 300, 4000) << base << false;
    QTest::addRow("wasted work is not ranked") << SweepFigures { 0.9, 1.5, 200, 3000, 0 }
                                               << SweepFigures { 0.9, 1.5, 200, 3000, 500 } << false;
}

void tst_Pareto::dominance()
{
    QFETCH(SweepFigures, a);
    QFETCH(SweepFigures, b);
    QFETCH(bool, aDominatesB);
    QCOMPARE(dominates(a, b), aDominatesB);
    if (aDominatesB)
        QVERIFY(!dominates(b, a));
}

void tst_Pareto::front_data()
{
    QTest::addColumn<QList<SweepFigures>>("points");
    QTest::addColumn<QList<bool>>("front");
    QTest::addRow("none") << QList<SweepFigures> {} << QList<bool> {};
    QTest::addRow("one point") << QList<SweepFigures> { fig(0.5, 3, 900, NotRecovered) } << QList<bool> { true };
    QTest::addRow("all dominated but one")
        << QList<SweepFigures> { fig(0.8, 2, 300, 5000), fig(0.99, 1.1, 100, 1000), fig(0.9, 1.5, 200, 3000),
               fig(0.99, 1.1, 100, 1001) }
        << QList<bool> { false, true, false, false };
    QTest::addRow("duplicates stay together")
        << QList<SweepFigures> { fig(0.9, 1.5, 200, 3000), fig(0.8, 2, 300, 5000), fig(0.9, 1.5, 200, 3000) }
        << QList<bool> { true, false, true };
    QTest::addRow("ties on some figures, trade-offs on others")
        << QList<SweepFigures> { fig(0.9, 1.5, 200, 3000), fig(0.9, 1.2, 250, 3000), fig(0.9, 1.5, 250, 3000),
               fig(0.95, 2, 200, NotRecovered) }
        << QList<bool> { true, true, false, true };
    QTest::addRow("dominated by one of two trade-offs")
        << QList<SweepFigures> { fig(1, 3, 0, 0), fig(0, 0, 0, 0), fig(0, 3, 0, 0) }
        << QList<bool> { true, true, false };
}

void tst_Pareto::front()
{
    QFETCH(QList<SweepFigures>, points);
    QFETCH(QList<bool>, front);
    QCOMPARE(paretoFront(points), front);
}

void tst_Pareto::best_data()
{
    QTest::addColumn<QList<SweepFigures>>("points");
    QTest::addColumn<SweepObjective>("objective");
    QTest::addColumn<qsizetype>("best");
    const QList<SweepFigures> points { fig(0.95, 2.0, 300, 4000), fig(0.90, 1.1, 250, 2000),
        fig(0.95, 1.8, 300, 4000), fig(0.70, 1.0, 100, NotRecovered), fig(0.95, 1.8, 300, 4000) };
    QTest::addRow("none") << QList<SweepFigures> {} << SweepObjective::Success << qsizetype(-1);
    // Success ties between 0, 2 and 4: amplification picks 2 or 4, the earlier wins.
    QTest::addRow("success, ties broken by the rest, then order") << points << SweepObjective::Success << qsizetype(2);
    QTest::addRow("amplification") << points << SweepObjective::Amplification << qsizetype(3);
    QTest::addRow("p99") << points << SweepObjective::P99 << qsizetype(3);
    QTest::addRow("recovery, not recovered last") << points << SweepObjective::Recovery << qsizetype(1);
    QTest::addRow("one point") << QList<SweepFigures> { fig(0, 1, 2, NotRecovered) } << SweepObjective::Recovery
                               << qsizetype(0);
}

void tst_Pareto::best()
{
    QFETCH(QList<SweepFigures>, points);
    QFETCH(SweepObjective, objective);
    QFETCH(qsizetype, best);
    QCOMPARE(bestPoint(points, objective), best);
    if (best >= 0)
        QVERIFY(paretoFront(points)[best]); // the best is always on the front
}

void tst_Pareto::objectiveNames()
{
    QCOMPARE(sweepObjectiveNames(), QStringList({ QStringLiteral("success"), QStringLiteral("amplification"), QStringLiteral("p99"), QStringLiteral("recovery") }));
    for (const QString &name : sweepObjectiveNames())
        QCOMPARE(sweepObjectiveName(*sweepObjectiveFromName(name)), name);
    QVERIFY(!sweepObjectiveFromName(u"latency"));
}

QTEST_GUILESS_MAIN(tst_Pareto)
#include "tst_pareto.moc"
