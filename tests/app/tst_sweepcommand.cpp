#include "lab/sweep.h"
#include "resilience/policyloader.h"
#include "scenario/scenarioloader.h"

#include <QDir>
#include <QFile>
#include <QProcess>
#include <QStandardPaths>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>

#include <limits>

#include "commandrunner.h"
#include "reportpage.h"

using namespace bw;

// Runs the real `breakwater sweep` (BREAKWATER_BINARY, set by ctest) on a built-in scenario.
class tst_SweepCommand : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void sameBytesWhateverJobs();
    void csvAndJsonDescribeEveryPoint();
    void writtenPolicyReproducesTheBestPoint();
    void objectiveChoosesTheBest();
    void onlyOperationNeedsNoOption();
    void traceScenario();
    void badInput_data();
    void badInput();
    void unwritableOutputLeavesNothing();
    void jobsRunByGnuParallelCollectToTheSameBytes();
    void collectRefusesMissingResults();
    void jobOptionsRefused_data();
    void jobOptionsRefused();
    void htmlReport();
    void help();

private:
    using Result = test::CommandResult;
    Result run(const QStringList &arguments);
    // A sweep of the outage-and-recovery scenario's checkout over 2 × 3 points and 2 seeds,
    // writing out/sweep.csv, out/sweep.json and out/best.json.
    Result sweep(const QString &out, const QStringList &more);
    static QByteArray read(const QString &path);

    // Emits the jobs of the sweep() grid of a scenario file into `jobs`, runs them with GNU
    // parallel from another folder, the scenario file gone; false when parallel failed.
    bool emitAndRunJobs(const QString &jobs);

    QString m_binary;
    QString m_source;
    QTemporaryDir m_dir;
};

void tst_SweepCommand::initTestCase()
{
    m_binary = qEnvironmentVariable("BREAKWATER_BINARY");
    m_source = qEnvironmentVariable("BREAKWATER_SOURCE_DIR");
    if (m_binary.isEmpty() || m_source.isEmpty())
        QSKIP("BREAKWATER_BINARY and BREAKWATER_SOURCE_DIR are set by ctest");
    QVERIFY2(QFile::exists(m_binary), qPrintable(m_binary));
    QVERIFY(m_dir.isValid());
}

tst_SweepCommand::Result tst_SweepCommand::run(const QStringList &arguments)
{
    return test::runCommand(m_binary, arguments, m_dir.path());
}

tst_SweepCommand::Result tst_SweepCommand::sweep(const QString &out, const QStringList &more)
{
    return run(QStringList { QStringLiteral("sweep"), QStringLiteral("outage-and-recovery"),
                   QStringLiteral("--operation"), QStringLiteral("checkout"), QStringLiteral("--vary"),
                   QStringLiteral("retry.maxAttempts=1,3"), QStringLiteral("--vary"),
                   QStringLiteral("circuitBreaker.failureThreshold=2:10:4"), QStringLiteral("--seeds"),
                   QStringLiteral("2"), QStringLiteral("--csv"), out + QStringLiteral("/sweep.csv"),
                   QStringLiteral("--json"), out + QStringLiteral("/sweep.json"), QStringLiteral("--write-policy"),
                   out + QStringLiteral("/best.json") }
        + more);
}

QByteArray tst_SweepCommand::read(const QString &path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return QByteArray();
    return f.readAll();
}

void tst_SweepCommand::sameBytesWhateverJobs()
{
    QTemporaryDir one, two;
    const Result a = sweep(one.path(), { QStringLiteral("--jobs"), QStringLiteral("1") });
    const Result b = sweep(two.path(), { QStringLiteral("--jobs"), QStringLiteral("2") });
    QVERIFY2(a.exitCode == 0, a.err.constData());
    QVERIFY2(b.exitCode == 0, b.err.constData());
    QVERIFY(a.err.isEmpty()); // no progress bar when stderr is not a terminal
    QVERIFY(!a.out.isEmpty());
    QCOMPARE(b.out, a.out);
    for (const char *file : { "/sweep.csv", "/sweep.json", "/best.json" }) {
        const QByteArray first = read(one.path() + QLatin1StringView(file));
        QVERIFY2(!first.isEmpty(), file);
        QCOMPARE(read(two.path() + QLatin1StringView(file)), first);
    }
}

void tst_SweepCommand::csvAndJsonDescribeEveryPoint()
{
    QTemporaryDir out;
    const Result r = sweep(out.path(), {});
    QVERIFY2(r.exitCode == 0, r.err.constData());

    const QList<QByteArray> lines = read(out.filePath(QStringLiteral("sweep.csv"))).trimmed().split('\n');
    QCOMPARE(lines.size(), 1 + 6);
    QCOMPARE(lines[0],
        QByteArrayLiteral("retry.maxAttempts,circuitBreaker.failureThreshold,successRate,amplification,p99Ms,"
                          "recoveryMs,wastedRequests,pareto"));
    const QJsonObject json = QJsonDocument::fromJson(read(out.filePath(QStringLiteral("sweep.json")))).object();
    QCOMPARE(json.value(QStringLiteral("scenario")).toString(), QStringLiteral("outage-and-recovery"));
    QCOMPARE(json.value(QStringLiteral("operation")).toString(), QStringLiteral("checkout"));
    QCOMPARE(json.value(QStringLiteral("seeds")).toArray(), QJsonArray({ 42, 43 }));
    QCOMPARE(json.value(QStringLiteral("objective")).toString(), QStringLiteral("success"));
    const QJsonArray points = json.value(QStringLiteral("points")).toArray();
    QCOMPARE(points.size(), 6);
    const QList<QList<double>> settings { { 1, 2 }, { 1, 6 }, { 1, 10 }, { 3, 2 }, { 3, 6 }, { 3, 10 } };
    int onFront = 0;
    double bestSuccess = 0;
    for (qsizetype i = 0; i < points.size(); ++i) {
        const QJsonObject p = points[i].toObject();
        const QJsonObject s = p.value(QStringLiteral("settings")).toObject();
        QCOMPARE(s.value(QStringLiteral("retry.maxAttempts")).toDouble(), settings[i][0]);
        QCOMPARE(s.value(QStringLiteral("circuitBreaker.failureThreshold")).toDouble(), settings[i][1]);
        const QList<QByteArray> cells = lines[i + 1].split(',');
        QCOMPARE(cells.size(), 8);
        QCOMPARE(cells[0].toDouble(), settings[i][0]);
        QCOMPARE(cells[1].toDouble(), settings[i][1]);
        // The CSV holds the JSON's figures, to the last bit.
        QCOMPARE(cells[2].toDouble(), p.value(QStringLiteral("successRate")).toDouble());
        QCOMPARE(cells[3].toDouble(), p.value(QStringLiteral("amplification")).toDouble());
        QCOMPARE(cells[4].toDouble(), p.value(QStringLiteral("p99Ms")).toDouble());
        QCOMPARE(cells[5].toDouble(), p.value(QStringLiteral("recoveryMs")).toDouble());
        QCOMPARE(cells[6].toDouble(), p.value(QStringLiteral("wastedRequests")).toDouble());
        const bool pareto = p.value(QStringLiteral("pareto")).toBool();
        QCOMPARE(cells[7], pareto ? QByteArrayLiteral("1") : QByteArrayLiteral("0"));
        onFront += pareto;
        bestSuccess = std::max(bestSuccess, p.value(QStringLiteral("successRate")).toDouble());
        // No retry (maxAttempts 1): one request per call, or none when the breaker is open.
        if (settings[i][0] == 1)
            QVERIFY(p.value(QStringLiteral("amplification")).toDouble() <= 1);
    }
    QVERIFY(onFront >= 1);
    const QJsonObject best = json.value(QStringLiteral("best")).toObject();
    QCOMPARE(best.value(QStringLiteral("successRate")).toDouble(), bestSuccess);
    QVERIFY(best.value(QStringLiteral("pareto")).toBool());

    const QString table = QString::fromUtf8(r.out);
    QVERIFY2(table.startsWith(QStringLiteral("outage-and-recovery, operation checkout: 6 points × 2 seeds (12 runs)\n")),
        qPrintable(table));
    QVERIFY2(table.contains(QStringLiteral("Pareto front: %1 of 6 points").arg(onFront)), qPrintable(table));
    QVERIFY2(table.contains(QStringLiteral("\nBest by success: retry.maxAttempts=")), qPrintable(table));
}

void tst_SweepCommand::writtenPolicyReproducesTheBestPoint()
{
    QTemporaryDir out;
    const Result r = sweep(out.path(), {});
    QVERIFY2(r.exitCode == 0, r.err.constData());
    const QJsonObject best = QJsonDocument::fromJson(read(out.filePath(QStringLiteral("sweep.json"))))
                                 .object()
                                 .value(QStringLiteral("best"))
                                 .toObject();

    LoadError error;
    const std::optional<PolicyConfig> policy = loadPolicyFile(out.filePath(QStringLiteral("best.json")), &error);
    QVERIFY2(policy, qPrintable(error.toString()));
    const QJsonObject settings = best.value(QStringLiteral("settings")).toObject();
    QCOMPARE(double(policy->retry->maxAttempts), settings.value(QStringLiteral("retry.maxAttempts")).toDouble());
    QCOMPARE(double(policy->circuitBreaker->failureThreshold),
        settings.value(QStringLiteral("circuitBreaker.failureThreshold")).toDouble());

    // The file, run on the sweep's seeds, gives the best point's figures.
    const std::optional<ScenarioConfig> scenario = loadScenario(QStringLiteral("outage-and-recovery"), &error);
    QVERIFY2(scenario, qPrintable(error.toString()));
    QList<SweepFigures> runs;
    for (std::uint64_t seed : { 42, 43 })
        runs.append(sweepFigures(runCandidate(*scenario, Candidate { policy->name, *policy, QStringLiteral("checkout") }, seed)));
    const SweepFigures mean = meanFigures(runs);
    QCOMPARE(mean.successRate, best.value(QStringLiteral("successRate")).toDouble());
    QCOMPARE(mean.amplification, best.value(QStringLiteral("amplification")).toDouble());
    QCOMPARE(mean.p99Ms, best.value(QStringLiteral("p99Ms")).toDouble());
    const QJsonValue recovery = best.value(QStringLiteral("recoveryMs")); // null: not recovered
    QCOMPARE(mean.recoveryMs, recovery.isNull() ? std::numeric_limits<double>::infinity() : recovery.toDouble());
    QCOMPARE(mean.wastedRequests, best.value(QStringLiteral("wastedRequests")).toDouble());
}

void tst_SweepCommand::objectiveChoosesTheBest()
{
    QTemporaryDir out;
    const Result r = sweep(out.path(), { QStringLiteral("--objective"), QStringLiteral("amplification") });
    QVERIFY2(r.exitCode == 0, r.err.constData());
    const QJsonObject json = QJsonDocument::fromJson(read(out.filePath(QStringLiteral("sweep.json")))).object();
    QCOMPARE(json.value(QStringLiteral("objective")).toString(), QStringLiteral("amplification"));
    double lowest = 1e9;
    for (const QJsonValue &p : json.value(QStringLiteral("points")).toArray())
        lowest = std::min(lowest, p.toObject().value(QStringLiteral("amplification")).toDouble());
    QCOMPARE(json.value(QStringLiteral("best")).toObject().value(QStringLiteral("amplification")).toDouble(), lowest);
    QVERIFY(r.out.contains("Best by amplification: retry.maxAttempts=1 "));
}

void tst_SweepCommand::onlyOperationNeedsNoOption()
{
    const Result r = run({ QStringLiteral("sweep"), QStringLiteral("outage-and-recovery"), QStringLiteral("--vary"),
        QStringLiteral("timeout=500,1000") });
    QVERIFY2(r.exitCode == 0, r.err.constData());
    QVERIFY2(r.out.startsWith("outage-and-recovery, operation checkout: 2 points × 1 seeds (2 runs)\n"), r.out.constData());
    QVERIFY2(r.out.contains("\n  timeout  success"), r.out.constData()); // the key as written
}

// A sweep of a scenario that replays a trace (a burst of failures from 2 s to 4 s): the
// breaker's threshold varied over that very history; its jobs (--emit-jobs) name the trace by
// its absolute path, so they run from their own folder.
void tst_SweepCommand::traceScenario()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    QByteArray csv = "start_ms,duration_ms,outcome,code\n";
    for (int i = 0; i < 100; ++i)
        csv += QByteArray::number(i * 100) + (i >= 20 && i < 40 ? ",20,failure,503\n" : ",20,success,\n");
    test::writeFile(dir.filePath(QStringLiteral("burst.csv")), csv);
    const QString scenario = test::writeFile(dir.filePath(QStringLiteral("twin.json")),
        R"({"name": "twin", "operations": [{"name": "calls", "arrival": "trace", "trace": "burst.csv",
            "policy": {"circuitBreaker": {"failureThreshold": 5, "resetTimeout": 1000}}}]})");
    const QStringList grid { QStringLiteral("--vary"), QStringLiteral("circuitBreaker.failureThreshold=5,10,20") };
    const Result r = run(QStringList { QStringLiteral("sweep"), scenario } + grid);
    QVERIFY2(r.exitCode == 0, r.err.constData());
    // As `compare` found (tst_comparecommand): 10 lets the breaker's trial come after the
    // burst, 80 % of the calls succeed against 74 % with 5; at 20, the failure rate trips it.
    QVERIFY2(r.out.contains("twin, operation calls: 3 points"), r.out.constData());
    QVERIFY2(r.out.contains("Best by success: circuitBreaker.failureThreshold=10\n  success 80.00 %"), r.out.constData());

    const QString jobs = dir.filePath(QStringLiteral("jobs"));
    const Result emitted = run(QStringList { QStringLiteral("sweep"), scenario } + grid
        + QStringList { QStringLiteral("--emit-jobs"), jobs, QStringLiteral("--breakwater"), m_binary });
    QVERIFY2(emitted.exitCode == 0, emitted.err.constData());
    QFile copy(QDir(jobs).filePath(QStringLiteral("twin.json")));
    QVERIFY(copy.open(QIODevice::ReadOnly));
    QVERIFY2(copy.readAll().contains(QDir(dir.path()).absoluteFilePath(QStringLiteral("burst.csv")).toUtf8()), "absolute trace path");
    const Result single = run({ QStringLiteral("sweep"), QDir(jobs).filePath(QStringLiteral("twin.json")), QStringLiteral("--vary"),
        QStringLiteral("circuitBreaker.failureThreshold=10") });
    QVERIFY2(single.exitCode == 0, single.err.constData());
}

void tst_SweepCommand::badInput_data()
{
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<QString>("message");
    QTest::addColumn<bool>("usage"); // followed by the command's help
    const QString scenario = QStringLiteral("outage-and-recovery");
    const QString vary = QStringLiteral("--vary");
    QTest::addRow("no scenario") << QStringList { vary, QStringLiteral("retry.maxAttempts=1,2") }
                                 << QStringLiteral("breakwater sweep: missing the scenario (a file, or one of: ")
                                 << true;
    QTest::addRow("nothing to vary") << QStringList { scenario }
                                     << QStringLiteral("breakwater sweep: missing --vary KEY=SPEC: what to sweep\n")
                                     << true;
    QTest::addRow("bad seeds") << QStringList { scenario, vary, QStringLiteral("retry.maxAttempts=1,2"),
        QStringLiteral("--seeds"), QStringLiteral("0") }
                               << QStringLiteral("breakwater sweep: --seeds: expected an integer from 1 to 100000, got '0'\n")
                               << true;
    QTest::addRow("bad jobs") << QStringList { scenario, vary, QStringLiteral("retry.maxAttempts=1,2"),
        QStringLiteral("--jobs"), QStringLiteral("many") }
                              << QStringLiteral("breakwater sweep: --jobs: expected an integer from 1 to 256, got 'many'\n")
                              << true;
    QTest::addRow("bad objective") << QStringList { scenario, vary, QStringLiteral("retry.maxAttempts=1,2"),
        QStringLiteral("--objective"), QStringLiteral("latency") }
                                   << QStringLiteral("breakwater sweep: --objective: expected one of success, "
                                                     "amplification, p99, recovery, got 'latency'\n")
                                   << true;
    QTest::addRow("unknown scenario") << QStringList { QStringLiteral("outage-and-recovry"), vary,
        QStringLiteral("retry.maxAttempts=1,2") }
                                      << QStringLiteral("breakwater sweep: outage-and-recovry: ") << false;
    QTest::addRow("misspelt key") << QStringList { scenario, vary, QStringLiteral("retry.maxAtempts=1,2") }
                                  << QStringLiteral("breakwater sweep: --vary: retry.maxAtempts: not a numeric policy "
                                                    "field; did you mean 'retry.maxAttempts'?\n")
                                  << false;
    QTest::addRow("bad spec") << QStringList { scenario, vary, QStringLiteral("retry.maxAttempts=3:1:1") }
                              << QStringLiteral("breakwater sweep: --vary: retry.maxAttempts: FROM must not be above "
                                                "TO, got '3:1:1'\n")
                              << false;
    QTest::addRow("value the policy refuses") << QStringList { scenario, vary, QStringLiteral("retry.maxAttempts=0:2:1") }
                                              << QStringLiteral("breakwater sweep: --vary: retry.maxAttempts: expected "
                                                                "a positive integer, got 0\n")
                                              << false;
    QTest::addRow("section the policy lacks")
        << QStringList { scenario, vary, QStringLiteral("bulkhead.maxConcurrent=5,10") }
        << QStringLiteral("breakwater sweep: --vary: bulkhead.maxConcurrent: the policy 'checkout' has no bulkhead; "
                          "turn it on in the scenario to sweep it\n")
        << false;
    QTest::addRow("same key twice") << QStringList { scenario, vary, QStringLiteral("timeout=1,2"), vary,
        QStringLiteral("timeout.timeout=3") }
                                    << QStringLiteral("breakwater sweep: --vary: timeout.timeout: varied twice\n")
                                    << false;
    QTest::addRow("too many runs") << QStringList { scenario, vary, QStringLiteral("retry.maxAttempts=1:1000:1"), vary,
        QStringLiteral("circuitBreaker.failureThreshold=1:100:1"), QStringLiteral("--seeds"), QStringLiteral("2") }
                                   << QStringLiteral("breakwater sweep: 100000 points × 2 seeds is 200000 runs; a sweep "
                                                     "has at most 100000\n")
                                   << false;
    QTest::addRow("unknown operation") << QStringList { QStringLiteral("bulkhead-isolation"), QStringLiteral("--operation"),
        QStringLiteral("profle"), vary, QStringLiteral("retry.maxAttempts=1,2") }
                                       << QStringLiteral("breakwater sweep: --operation: unknown operation 'profle'; "
                                                         "did you mean 'profile'?\n")
                                       << false;
    QTest::addRow("which operation") << QStringList { QStringLiteral("bulkhead-isolation"), vary,
        QStringLiteral("retry.maxAttempts=1,2") }
                                     << QStringLiteral("breakwater sweep: missing --operation OP: the scenario has "
                                                       "profile, reports\n")
                                     << false;
}

void tst_SweepCommand::badInput()
{
    QFETCH(QStringList, arguments);
    QFETCH(QString, message);
    QFETCH(bool, usage);
    QTemporaryDir out;
    const QString csv = out.filePath(QStringLiteral("sweep.csv"));
    const Result r = run(QStringList { QStringLiteral("sweep") } + arguments + QStringList { QStringLiteral("--csv"), csv });
    QCOMPARE(r.exitCode, 2);
    QVERIFY(r.out.isEmpty());
    const QString err = QString::fromUtf8(r.err);
    QVERIFY2(err.startsWith(message), qPrintable(err));
    QCOMPARE(err.contains(QStringLiteral("Usage: breakwater sweep")), usage);
    QVERIFY(!QFile::exists(csv));
}

void tst_SweepCommand::unwritableOutputLeavesNothing()
{
    QTemporaryDir out;
    const QString json = out.filePath(QStringLiteral("sweep.json"));
    const Result r = run({ QStringLiteral("sweep"), QStringLiteral("outage-and-recovery"), QStringLiteral("--vary"),
        QStringLiteral("retry.maxAttempts=1,2"), QStringLiteral("--json"), json, QStringLiteral("--csv"),
        out.filePath(QStringLiteral("missing/sweep.csv")) });
    QCOMPARE(r.exitCode, 2);
    QVERIFY(r.out.isEmpty()); // refused before any run
    QVERIFY2(r.err.startsWith(out.filePath(QStringLiteral("missing/sweep.csv")).toUtf8() + ": cannot write: "),
        r.err.constData());
    QVERIFY(!QFile::exists(json));
}

bool tst_SweepCommand::emitAndRunJobs(const QString &jobs)
{
    QTemporaryDir elsewhere;
    const QString scenario = test::writeFile(elsewhere.filePath(QStringLiteral("incident.json")),
        read(m_source + QStringLiteral("/resources/scenarios/outage-and-recovery.json")));
    const Result emitted = run({ QStringLiteral("sweep"), scenario, QStringLiteral("--operation"), QStringLiteral("checkout"),
        QStringLiteral("--vary"), QStringLiteral("retry.maxAttempts=1,3"), QStringLiteral("--vary"),
        QStringLiteral("circuitBreaker.failureThreshold=2:10:4"), QStringLiteral("--seeds"), QStringLiteral("2"),
        QStringLiteral("--emit-jobs"), jobs, QStringLiteral("--breakwater"), m_binary });
    if (emitted.exitCode != 0) {
        qWarning("%s", emitted.err.constData());
        return false;
    }
    QFile::remove(scenario); // the jobs need nothing outside their folder

    QProcess parallel;
    parallel.setWorkingDirectory(elsewhere.path());
    parallel.setStandardInputFile(jobs + QStringLiteral("/jobs.txt"));
    parallel.start(QStringLiteral("parallel"), { QStringLiteral("--will-cite"), QStringLiteral("--jobs"), QStringLiteral("2"),
        QStringLiteral("--halt"), QStringLiteral("now,fail=1") });
    if (!parallel.waitForFinished(120000) || parallel.exitStatus() != QProcess::NormalExit || parallel.exitCode() != 0) {
        qWarning("%s", parallel.readAllStandardError().constData());
        return false;
    }
    return true;
}

void tst_SweepCommand::jobsRunByGnuParallelCollectToTheSameBytes()
{
    const QString gnuParallel = QStandardPaths::findExecutable(QStringLiteral("parallel"));
    if (gnuParallel.isEmpty() || !test::runCommand(gnuParallel, { QStringLiteral("--version") }, m_dir.path()).out.startsWith("GNU parallel"))
        QSKIP("GNU parallel is not installed: make deps installs Debian's parallel");
    QTemporaryDir inProcess, jobs, collected;
    const Result direct = sweep(inProcess.path(), {});
    QVERIFY2(direct.exitCode == 0, direct.err.constData());
    QVERIFY(emitAndRunJobs(jobs.path()));
    QCOMPARE(QDir(jobs.filePath(QStringLiteral("results"))).entryList(QDir::Files).size(), 12);

    const Result merged = run({ QStringLiteral("sweep"), QStringLiteral("--collect"), jobs.path(), QStringLiteral("--csv"),
        collected.filePath(QStringLiteral("sweep.csv")), QStringLiteral("--json"), collected.filePath(QStringLiteral("sweep.json")),
        QStringLiteral("--write-policy"), collected.filePath(QStringLiteral("best.json")) });
    QVERIFY2(merged.exitCode == 0, merged.err.constData());
    QCOMPARE(merged.out, direct.out);
    for (const char *file : { "/sweep.csv", "/sweep.json", "/best.json" }) {
        const QByteArray expected = read(inProcess.path() + QLatin1StringView(file));
        QVERIFY2(!expected.isEmpty(), file);
        QCOMPARE(read(collected.path() + QLatin1StringView(file)), expected);
    }
}

void tst_SweepCommand::collectRefusesMissingResults()
{
    QTemporaryDir jobs;
    const QString scenario = test::writeFile(m_dir.filePath(QStringLiteral("one.json")),
        read(m_source + QStringLiteral("/resources/scenarios/outage-and-recovery.json")));
    const Result emitted = run({ QStringLiteral("sweep"), scenario, QStringLiteral("--vary"), QStringLiteral("timeout=500,900"),
        QStringLiteral("--emit-jobs"), jobs.path() });
    QVERIFY2(emitted.exitCode == 0, emitted.err.constData());
    QVERIFY2(emitted.out.startsWith("2 jobs in "), emitted.out.constData());
    const QList<QByteArray> lines = read(jobs.filePath(QStringLiteral("jobs.txt"))).trimmed().split('\n');
    QCOMPARE(lines.size(), 2);
    QCOMPARE(lines[1],
        QStringLiteral("breakwater sweep %1/one.json --operation checkout --vary timeout=900 --seed 42 --jobs 1 --json "
                       "%1/results/run-000001.json")
            .arg(jobs.path())
            .toUtf8());

    // Run the second job only.
    const Result second = run(QProcess::splitCommand(QString::fromUtf8(lines[1])).mid(1));
    QVERIFY2(second.exitCode == 0, second.err.constData());
    const QString csv = m_dir.filePath(QStringLiteral("collected.csv"));
    const Result r = run({ QStringLiteral("sweep"), QStringLiteral("--collect"), jobs.path(), QStringLiteral("--csv"), csv });
    QCOMPARE(r.exitCode, 2);
    QCOMPARE(QString::fromUtf8(r.err),
        QStringLiteral("breakwater sweep: 1 of 2 results missing, the first %1/results/run-000000.json: run their jobs "
                       "(%1/jobs.txt)\n")
            .arg(jobs.path()));
    QVERIFY(!QFile::exists(csv));

    // A result of another run in its place.
    QVERIFY(QFile::copy(jobs.filePath(QStringLiteral("results/run-000001.json")), jobs.filePath(QStringLiteral("results/run-000000.json"))));
    const Result wrong = run({ QStringLiteral("sweep"), QStringLiteral("--collect"), jobs.path() });
    QCOMPARE(wrong.exitCode, 2);
    QCOMPARE(QString::fromUtf8(wrong.err),
        QStringLiteral("breakwater sweep: %1/results/run-000000.json: not the result of this run of the plan; emit "
                       "the jobs again and run them\n")
            .arg(jobs.path()));
}

void tst_SweepCommand::jobOptionsRefused_data()
{
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<QString>("message");
    QTest::addRow("collect with a scenario") << QStringList { QStringLiteral("outage-and-recovery"), QStringLiteral("--collect"), QStringLiteral("d") }
                                             << QStringLiteral("breakwater sweep: --collect takes the sweep from DIR/plan.json; leave out the scenario");
    QTest::addRow("collect with a grid") << QStringList { QStringLiteral("--collect"), QStringLiteral("d"), QStringLiteral("--vary"), QStringLiteral("timeout=1") }
                                         << QStringLiteral("breakwater sweep: --collect takes the sweep from DIR/plan.json; leave out --vary");
    QTest::addRow("emit with an output") << QStringList { QStringLiteral("outage-and-recovery"), QStringLiteral("--vary"), QStringLiteral("timeout=1"),
        QStringLiteral("--emit-jobs"), QStringLiteral("d"), QStringLiteral("--csv"), QStringLiteral("x.csv") }
                                         << QStringLiteral("breakwater sweep: --emit-jobs runs nothing; give --csv to --collect");
    QTest::addRow("emit with a report") << QStringList { QStringLiteral("outage-and-recovery"), QStringLiteral("--vary"), QStringLiteral("timeout=1"),
        QStringLiteral("--emit-jobs"), QStringLiteral("d"), QStringLiteral("--html"), QStringLiteral("x.html") }
                                        << QStringLiteral("breakwater sweep: --emit-jobs runs nothing; give --html to --collect");
    QTest::addRow("collect from nothing") << QStringList { QStringLiteral("--collect"), QStringLiteral("nowhere") }
                                          << QStringLiteral("breakwater sweep: nowhere/plan.json: cannot read: ");
}

void tst_SweepCommand::jobOptionsRefused()
{
    QFETCH(QStringList, arguments);
    QFETCH(QString, message);
    const Result r = run(QStringList { QStringLiteral("sweep") } + arguments);
    QCOMPARE(r.exitCode, 2);
    QVERIFY2(QString::fromUtf8(r.err).startsWith(message), r.err.constData());
}

// `--html`: one self-contained page with the Pareto table (the best point marked), the heat map
// and the scatters drawn by the Sweep dialog's widgets, the base policy and the best point's,
// the seeds and a command line that runs the same sweep again. A headless build: status 2.
void tst_SweepCommand::htmlReport()
{
    QTemporaryDir out;
    const QString page = out.filePath(QStringLiteral("sweep report.html"));
    const Result r = sweep(out.path(), { QStringLiteral("--html"), page });
#if !BREAKWATER_GUI
    QCOMPARE(r.exitCode, 2);
    QVERIFY2(r.err.contains("--html: this build has no charts"), r.err.constData());
    QVERIFY(r.out.isEmpty()); // refused before the sweep
    QVERIFY(!QFile::exists(page));
    return;
#endif
    QVERIFY2(r.exitCode == 0, r.err.constData());
    QVERIFY2(r.err.isEmpty(), r.err.constData());
    const QByteArray html = read(page);
    QVERIFY(html.startsWith("<!DOCTYPE html>"));
    QVERIFY2(test::externalReferences(html).isEmpty(), qPrintable(test::externalReferences(html).join(u' ')));
    QVERIFY(!html.contains("<script"));
    QVERIFY(html.contains("<title>Sweep of outage-and-recovery, operation checkout</title>"));
    QVERIFY(html.contains("<dt>Seeds</dt><dd>42, 43</dd>"));

    // The Pareto table: every row of the front the command printed, the best point's marked.
    const QJsonObject json = QJsonDocument::fromJson(read(out.path() + QStringLiteral("/sweep.json"))).object();
    const QJsonArray points = json.value(u"points").toArray();
    qsizetype front = 0;
    for (const QJsonValue &p : points)
        front += p.toObject().value(u"pareto").toBool();
    QVERIFY(front > 0);
    QVERIFY(html.contains("Pareto front"));
    QVERIFY(html.contains("<th>retry.maxAttempts</th>"));
    QVERIFY(html.contains("<th>circuitBreaker.failureThreshold</th>"));
    const qsizetype table = html.indexOf("<h3>Pareto front</h3>");
    QVERIFY(table >= 0);
    const QByteArray rows = html.mid(table, html.indexOf("</table>", table) - table);
    QCOMPARE(rows.count("<tr><td"), front);
    QCOMPARE(rows.count("class=\"best\""), 7); // the best point's row: its two keys and five figures
    QCOMPARE(html.count("class=\"best\""), 7);

    // The charts: drawn by the heat map and the scatter themselves.
    QCOMPARE(html.count("<svg"), 3);
    QVERIFY(html.contains("<figcaption>Heat map: Success rate over retry.maxAttempts × circuitBreaker.failureThreshold</figcaption>"));
    QVERIFY(html.contains(">Success rate over retry.maxAttempts × circuitBreaker.failureThreshold</text>"));
    QVERIFY(html.contains(">Pareto front: Success rate against p99 latency</text>"));
    QVERIFY(html.contains(">Pareto front: Success rate against amplification</text>"));

    // The base policy and the best point's, as the best policy file holds it.
    QVERIFY(html.contains("Base policy (on checkout)"));
    const QJsonObject best = json.value(u"best").toObject().value(u"settings").toObject();
    const QString bestName = QStringLiteral("Best by success: retry.maxAttempts=%1 circuitBreaker.failureThreshold=%2 (on checkout)")
                                 .arg(best.value(u"retry.maxAttempts").toDouble())
                                 .arg(best.value(u"circuitBreaker.failureThreshold").toDouble());
    QVERIFY2(html.contains(bestName.toUtf8()), qPrintable(bestName));
    const QJsonObject bestPolicy = QJsonDocument::fromJson(read(out.path() + QStringLiteral("/best.json"))).object();
    QCOMPARE(QJsonDocument::fromJson(test::codeAfter(html, bestName).toUtf8()).object(), bestPolicy);

    // The page's command line runs the same sweep: the same table.
    const QStringList command = test::reproducingCommand(html);
    QCOMPARE(command.mid(0, 3), (QStringList { QStringLiteral("breakwater"), QStringLiteral("sweep"), QStringLiteral("outage-and-recovery") }));
    const Result again = run(command.mid(1));
    QVERIFY2(again.exitCode == 0, again.err.constData());
    QCOMPARE(again.out, r.out);
}

void tst_SweepCommand::help()
{
    const Result r = run({ QStringLiteral("sweep"), QStringLiteral("--help") });
    QCOMPARE(r.exitCode, 0);
    QVERIFY2(r.out.startsWith("Usage: breakwater sweep [options] SCENARIO.json|NAME"), r.out.constData());
    for (const char *option : { "--operation", "--vary", "--seeds", "--jobs", "--objective", "--csv", "--json",
             "--write-policy", "--seed", "--emit-jobs", "--collect", "--breakwater", "--html" })
        QVERIFY2(r.out.contains(option), option);
    QVERIFY(run({ QStringLiteral("--help") }).out.contains("\n  sweep SCENARIO.json|NAME --operation OP --vary KEY=SPEC"));
}

QTEST_GUILESS_MAIN(tst_SweepCommand)
#include "tst_sweepcommand.moc"
