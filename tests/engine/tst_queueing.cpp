// The closed forms `breakwater validate` checks the simulator against: exact small cases, the
// textbook definitions they must agree with, and published table values.
#include "validation/queueing.h"
#include "validation/validationsuite.h"

#include <QTest>

#include <cmath>

using namespace bw;
using namespace bw::queueing;

namespace {

// Erlang B by its definition, (a^c / c!) / Σ_{k ≤ c} a^k / k!: the recurrence must agree.
double erlangBByDefinition(int c, double a)
{
    double term = 1, sum = 1;
    for (int k = 1; k <= c; ++k) {
        term *= a / k;
        sum += term;
    }
    return term / sum;
}

bool close(double a, double b, double tolerance = 1e-12)
{
    return std::abs(a - b) <= tolerance;
}

} // namespace

class TestQueueing : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void erlangB_data()
    {
        QTest::addColumn<int>("servers");
        QTest::addColumn<double>("erlangs");
        QTest::addColumn<double>("table"); // published Erlang B tables, 4 decimals
        QTest::addRow("1 server, a = 0.5") << 1 << 0.5 << 0.3333;
        QTest::addRow("5 servers, a = 4") << 5 << 4.0 << 0.1991;
        QTest::addRow("10 servers, a = 7") << 10 << 7.0 << 0.0787;
        QTest::addRow("20 servers, a = 15") << 20 << 15.0 << 0.0456;
    }

    void erlangB()
    {
        QFETCH(int, servers);
        QFETCH(double, erlangs);
        QFETCH(double, table);
        QVERIFY(close(queueing::erlangB(servers, erlangs), erlangBByDefinition(servers, erlangs)));
        QVERIFY(close(queueing::erlangB(servers, erlangs), table, 0.00005));
    }

    void erlangBHasNoOverflow()
    {
        // 200! overflows a double; the recurrence does not need it.
        const double b = queueing::erlangB(200, 180);
        QVERIFY(std::isfinite(b) && b > 0 && b < 0.05);
    }

    void erlangC()
    {
        // One server: an arrival waits exactly when the server is busy, with probability ρ.
        QVERIFY(close(queueing::erlangC(1, 0.7), 0.7));
        // M/M/2 at ρ = 0.5: 2ρ² / (1 + ρ) = 1/3.
        QVERIFY(close(queueing::erlangC(2, 1.0), 1.0 / 3));
        QVERIFY(close(queueing::erlangC(4, 3.0), 0.5094, 0.00005)); // published M/M/4 example
        // Waiting is likelier than losing: C > B whenever a < c.
        QVERIFY(queueing::erlangC(10, 8) > queueing::erlangB(10, 8));
    }

    void mmcMeanResponse()
    {
        // M/M/1: 1 / (1 − ρ) service times.
        QVERIFY(close(queueing::mmcMeanResponse(1, 0.7), 1 / 0.3));
        // M/M/2 at a = 1: C / (c − a) + 1 = (1/3) / 1 + 1.
        QVERIFY(close(queueing::mmcMeanResponse(2, 1.0), 4.0 / 3));
    }

    void md1MeanWait()
    {
        // Pollaczek–Khinchine with no service variance: half the M/M/1 wait ρ / (1 − ρ).
        QVERIFY(close(queueing::md1MeanWait(0.5), 0.5));
        QVERIFY(close(queueing::md1MeanWait(0.7), 0.5 * 0.7 / 0.3));
    }

    void mm1kBlocking()
    {
        // K = 1 is the Erlang loss system with one server.
        QVERIFY(close(queueing::mm1kBlocking(0.5, 1), queueing::erlangB(1, 0.5)));
        // ρ = 1: every state equally likely.
        QVERIFY(close(queueing::mm1kBlocking(1.0, 4), 0.2));
        // (1 − ρ) ρ^K / (1 − ρ^(K+1)) at ρ = 0.9, K = 5.
        QVERIFY(close(queueing::mm1kBlocking(0.9, 5), 0.1 * std::pow(0.9, 5) / (1 - std::pow(0.9, 6))));
        // Continuous through ρ = 1.
        QVERIFY(close(queueing::mm1kBlocking(1.0 + 1e-9, 4), 0.2, 1e-6));
    }

    // A check passes when the mean is within the tolerance and the interval is narrow enough to
    // tell.
    void checkPasses()
    {
        ValidationCheck c;
        c.expected = 10;
        c.tolerance = 0.5;
        c.measured = { 10.4, 0.2, 10 };
        QVERIFY(c.passed());
        c.measured = { 10.6, 0.2, 10 };
        QVERIFY(!c.passed()); // off by more than the tolerance
        c.measured = { 10.0, 0.8, 10 };
        QVERIFY(!c.passed()); // right on average, but too noisy to say so
        c.measured = { 10.0, 0.1, 10 };
        c.error = QStringLiteral("validation.json: bad");
        QVERIFY(!c.passed());
    }
};

QTEST_GUILESS_MAIN(TestQueueing)
#include "tst_queueing.moc"
