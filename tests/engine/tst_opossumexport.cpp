// The opossum export, loaded by real opossum from npm: a breaker built from the exported options
// is fed the same calls at the same instants as Breakwater's breaker with the same policy, and
// opens on the same call, except where README's "Taking a policy home" says they differ.
#include "policyexport/policyexport.h"
#include "resilience/circuitbreaker.h"
#include "resilience/policyloader.h"
#include "runtime/virtualscheduler.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

#include "commandrunner.h"
#include "npmpackages.h"

using namespace bw;

namespace {

struct Call
{
    qint64 atMs;
    bool ok;
};

// `count` calls 100 ms apart from `fromMs`, the first `successes` of them successful.
QList<Call> calls(qint64 fromMs, int successes, int failures)
{
    QList<Call> out;
    for (int i = 0; i < successes + failures; ++i)
        out.append({ fromMs + 100 * i, i < successes });
    return out;
}

// Breakwater's breaker on virtual time: its state after each call, named as replay.js names
// opossum's ("rejected" when the breaker refused the call).
QStringList breakwaterStates(const CircuitBreakerConfig &config, const QList<Call> &sequence)
{
    VirtualScheduler scheduler;
    CircuitBreaker breaker(QStringLiteral("x"), config, scheduler);
    QStringList states;
    for (const Call &c : sequence) {
        scheduler.advanceTo(TimePoint(std::chrono::milliseconds(c.atMs)));
        const CircuitPermit permit = breaker.tryAcquire();
        if (!permit) {
            states.append(QStringLiteral("rejected"));
            continue;
        }
        if (c.ok)
            breaker.onSuccess(permit);
        else
            breaker.onError(permit, Error { ErrorCode::httpStatus(500), QStringLiteral("500"), std::nullopt, Stage::Operation, {} });
        const CircuitState s = breaker.state();
        states.append(s == CircuitState::Open       ? QStringLiteral("open")
                : s == CircuitState::HalfOpen ? QStringLiteral("halfOpen")
                                              : QStringLiteral("closed"));
    }
    return states;
}

int firstOpen(const QStringList &states) { return int(states.indexOf(QStringLiteral("open"))); }

} // namespace

class tst_OpossumExport : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void opensOnTheSameCall_data();
    void opensOnTheSameCall();

private:
    QStringList opossumStates(const QByteArray &options, const QList<Call> &sequence);

    QString m_node, m_modules;
    QTemporaryDir m_dir;
};

// npm installs opossum into the build tree once (BREAKWATER_NPM_PREFIX, set by ctest); the test
// skips only when the registry cannot be reached.
void tst_OpossumExport::initTestCase()
{
    QVERIFY(m_dir.isValid());
    const bw::test::NpmInstall npm = bw::test::installNpmPackages();
    if (npm.result == bw::test::NpmInstall::Result::Skip)
        QSKIP(qPrintable(npm.message));
    QVERIFY2(npm.result == bw::test::NpmInstall::Result::Ready, qPrintable(npm.message));
    m_node = npm.node;
    m_modules = npm.modules;
}

void tst_OpossumExport::opensOnTheSameCall_data()
{
    QTest::addColumn<QByteArray>("policy");
    QTest::addColumn<QList<Call>>("sequence");
    QTest::addColumn<int>("breakwaterOpens");
    QTest::addColumn<int>("opossumOpens");

    // Failure rate only, one trial call: the same breaker in both. It opens when the window
    // holds 10 calls (7 of them failed), lets one trial through after 5 s, closes on its
    // success, and once the window has emptied opens again on the 10th call (6 failed).
    const QByteArray rateOnly = R"({"name": "rate", "circuitBreaker": {"failureThreshold": 0,
        "failureRateThreshold": 0.5, "volumeThreshold": 10, "windowSize": 10000, "resetTimeout": 5000,
        "successThreshold": 1, "timeout": 0}})";
    QList<Call> trips = calls(0, 3, 9); // opens at call 9, calls 10 and 11 rejected
    trips.append({ 6000, true }); // the trial call, after resetTimeout
    trips.append(calls(20000, 4, 6)); // the window long empty
    QTest::newRow("rate trip, trial, rate trip") << rateOnly << trips << 9 << 9;

    // Documented: Breakwater opens when the rate reaches the threshold, opossum when it exceeds
    // it. 10 successes then failures: 10 of 20 failed is 50 % (Breakwater), 11 of 21 is above.
    QTest::newRow("50 % reached, then exceeded") << rateOnly << calls(0, 10, 12) << 19 << 20;

    // Documented: opossum has no consecutive-failure trip. The api preset opens Breakwater's
    // breaker after 5 consecutive failures; opossum waits for volumeThreshold (10) calls.
    QTest::newRow("api: consecutive failures") << QByteArray(R"({"policy": "api"})") << calls(0, 0, 12) << 4 << 9;
}

void tst_OpossumExport::opensOnTheSameCall()
{
    QFETCH(QByteArray, policy);
    QFETCH(QList<Call>, sequence);
    QFETCH(int, breakwaterOpens);
    QFETCH(int, opossumOpens);

    LoadError error;
    const std::optional<PolicyConfig> config = parsePolicy(policy, QStringLiteral("policy"), &error);
    QVERIFY2(config && config->circuitBreaker, qPrintable(error.toString()));
    const PolicyExport exported = exportPolicy(*config, ExportTarget::Opossum, QStringLiteral("x"));

    const QStringList ours = breakwaterStates(*config->circuitBreaker, sequence);
    const QStringList theirs = opossumStates(exported.text, sequence);
    QCOMPARE(theirs.size(), sequence.size());
    QCOMPARE(firstOpen(ours), breakwaterOpens);
    QCOMPARE(firstOpen(theirs), opossumOpens);
    if (breakwaterOpens == opossumOpens)
        QCOMPARE(theirs, ours); // every call after: the same rejections, trial and closing
}

QStringList tst_OpossumExport::opossumStates(const QByteArray &options, const QList<Call> &sequence)
{
    QJsonArray list;
    for (const Call &c : sequence)
        list.append(QJsonObject { { QStringLiteral("atMs"), c.atMs }, { QStringLiteral("ok"), c.ok } });
    const QString optionsFile = bw::test::writeFile(m_dir.filePath(QStringLiteral("options.json")), options);
    const QString callsFile = bw::test::writeFile(m_dir.filePath(QStringLiteral("calls.json")), QJsonDocument(list).toJson());
    QProcess node;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("NODE_PATH"), m_modules);
    node.setProcessEnvironment(env);
    node.start(m_node, { QStringLiteral("--no-warnings"),
                           qEnvironmentVariable("BREAKWATER_SOURCE_DIR") + QStringLiteral("/tests/engine/opossum/replay.js"),
                           optionsFile, callsFile });
    if (!node.waitForFinished(60000)) {
        node.kill();
        node.waitForFinished();
    }
    const QByteArray err = node.readAllStandardError();
    if (node.exitStatus() != QProcess::NormalExit || node.exitCode() != 0) {
        qWarning("%s", err.constData());
        return {};
    }
    QStringList states;
    for (const QJsonValue &v : QJsonDocument::fromJson(node.readAllStandardOutput()).array())
        states.append(v.toString());
    return states;
}

QTEST_GUILESS_MAIN(tst_OpossumExport)
#include "tst_opossumexport.moc"
