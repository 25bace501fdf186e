// File ▸ Export run re-runs the scenario with the live edits; the files must be the live run's.
#include "run/controlscript.h"
#include "run/runexport.h"
#include "scenario/scenarioloader.h"
#include "telemetry/eventlog.h"
#include "telemetry/summary.h"

#include <QBuffer>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>

using namespace bw;

namespace {

ScenarioConfig scenario()
{
    LoadError error;
    std::optional<ScenarioConfig> s = loadScenario(QStringLiteral("outage-and-recovery"), &error);
    Q_ASSERT(s);
    return *s;
}

QByteArray read(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

QList<TimedCommand> edits()
{
    ControlCommand open { ControlCommands::Breaker { QStringLiteral("checkout"), BreakerAction::HoldOpen } };
    ControlCommand reset { ControlCommands::Breaker { QStringLiteral("checkout"), BreakerAction::Reset } };
    FaultConfig spike;
    spike.service = QStringLiteral("payments");
    spike.kind = FaultKind::Latency;
    spike.add = fromMs(800);
    ControlCommand fault { ControlCommands::InjectFault { spike, fromMs(5000) } };
    return { { TimePoint(fromMs(10'000)), open }, { TimePoint(fromMs(15'000)), reset },
        { TimePoint(fromMs(70'500)), fault } };
}

} // namespace

class TestRunExport : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    // To the end, the export is what a run with the same edits writes, byte for byte.
    void wholeRunMatchesALiveRun()
    {
        QByteArray liveEvents;
        QBuffer buffer(&liveEvents);
        buffer.open(QIODevice::WriteOnly);
        Summary liveSummary;
        {
            ScenarioRun sim(scenario());
            EventLog log;
            log.open(&buffer);
            sim.setEventLog(&log);
            sim.setSummary(&liveSummary);
            applyControls(sim, edits());
            sim.runToEnd();
            QVERIFY(log.finish());
            liveSummary.setEvents(log.count(), log.sha256Hex());
        }
        QVERIFY(liveEvents.contains("\"control\""));

        QTemporaryDir dir;
        const RunOutputPaths paths { dir.filePath(QStringLiteral("e.jsonl")), dir.filePath(QStringLiteral("s.json")),
            dir.filePath(QStringLiteral("t.csv")) };
        QString error;
        QVERIFY2(exportRun(scenario(), std::nullopt, edits(), TimePoint::max(), paths, &error), qPrintable(error));
        QCOMPARE(read(paths.events), liveEvents);
        QCOMPARE(read(paths.summary), liveSummary.toJsonBytes());
        const QList<QByteArray> rows = read(paths.csv).trimmed().split('\n');
        // A header, then one row per second and operation.
        QCOMPARE(rows.size(), 1 + 120 * scenario().operations.size());
    }

    // Part way: the events so far, and only the edits made by then.
    void partialRun()
    {
        QTemporaryDir dir;
        const RunOutputPaths paths { dir.filePath(QStringLiteral("e.jsonl")), dir.filePath(QStringLiteral("s.json")), {} };
        QString error;
        QVERIFY(exportRun(scenario(), 7, edits(), TimePoint(fromMs(12'000)), paths, &error));
        const QByteArray events = read(paths.events);
        QVERIFY(events.contains("holdOpen"));
        QVERIFY(!events.contains("\"reset\""));
        const QJsonObject summary = QJsonDocument::fromJson(read(paths.summary)).object();
        QCOMPARE(summary.value(QStringLiteral("seed")).toInteger(), 7);
        QCOMPARE(summary.value(QStringLiteral("durationMs")).toDouble(), 12'000.0);
        QCOMPARE(summary.value(QStringLiteral("events")).toInteger(), events.count('\n'));
        QVERIFY(!QFile::exists(dir.filePath(QStringLiteral("t.csv"))));
    }

    // Without an events file the summary has no `events` and `eventsSha256`, as `breakwater run`
    // without --events: not a count and hash of nothing.
    void summaryWithoutEventsLeavesThemOut()
    {
        QTemporaryDir dir;
        const RunOutputPaths paths { {}, dir.filePath(QStringLiteral("s.json")), {} };
        QString error;
        QVERIFY2(exportRun(scenario(), std::nullopt, edits(), TimePoint(fromMs(12'000)), paths, &error), qPrintable(error));
        const QJsonObject summary = QJsonDocument::fromJson(read(paths.summary)).object();
        QCOMPARE(summary.value(QStringLiteral("durationMs")).toDouble(), 12'000.0);
        QVERIFY(!summary.contains(QStringLiteral("events")));
        QVERIFY(!summary.contains(QStringLiteral("eventsSha256")));
    }

    void cancelWritesNothing()
    {
        QTemporaryDir dir;
        const RunOutputPaths paths { dir.filePath(QStringLiteral("e.jsonl")), dir.filePath(QStringLiteral("s.json")),
            dir.filePath(QStringLiteral("t.csv")) };
        QString error;
        int calls = 0;
        QVERIFY(!exportRun(scenario(), std::nullopt, {}, TimePoint::max(), paths, &error,
            [&](double fraction) {
                Q_ASSERT(fraction >= 0 && fraction <= 1);
                return ++calls < 20;
            }));
        QCOMPARE(error, QStringLiteral("cancelled"));
        QCOMPARE(calls, 20);
        QVERIFY(QDir(dir.path()).entryList(QDir::Files).isEmpty());
    }

    void badPathFailsBeforeTheRun()
    {
        QString error;
        int calls = 0;
        QVERIFY(!exportRun(scenario(), std::nullopt, {}, TimePoint::max(),
            { {}, QStringLiteral("/nonexistent-dir/s.json"), {} }, &error, [&](double) { return ++calls, true; }));
        QVERIFY2(error.startsWith(QStringLiteral("/nonexistent-dir/s.json: cannot write: ")), qPrintable(error));
        // The time series too: its file is created before the run, written after it.
        QTemporaryDir dir;
        QVERIFY(!exportRun(scenario(), std::nullopt, {}, TimePoint::max(),
            { {}, dir.filePath(QStringLiteral("s.json")), QStringLiteral("/nonexistent-dir/t.csv") }, &error,
            [&](double) { return ++calls, true; }));
        QVERIFY2(error.startsWith(QStringLiteral("/nonexistent-dir/t.csv: cannot write: ")), qPrintable(error));
        QCOMPARE(calls, 0);
        QVERIFY(QDir(dir.path()).entryList(QDir::Files).isEmpty());
    }
};

QTEST_GUILESS_MAIN(TestRunExport)
#include "tst_runexport.moc"
