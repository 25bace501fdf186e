// File menu on the offscreen platform: save and reopen a scenario round-trips (policy edits
// included), a policy file applies live, a bad file gets a dialog with the loader's message while
// the run goes on, the run export writes the live run's own events, and the dashboard exports
// as PNG and SVG.
#include "mainwindow.h"
#include "policyeditor.h"

#include "resilience/policyloader.h"
#include "run/controlscript.h"
#include "scenario/scenarioloader.h"

#include "reportpage.h"

#include <QAction>
#include <QFile>
#include <QFileInfo>
#include <QImage>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMenuBar>
#include <QMessageBox>
#include <QSignalSpy>
#include <QSpinBox>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

using namespace bw;

namespace {

constexpr int Timeout = 60000;

MainWindow::Options options(bool start)
{
    MainWindow::Options o;
    o.scenario = QStringLiteral("outage-and-recovery");
    o.speed = 0;
    o.start = start;
    o.restoreSettings = false;
    return o;
}

QByteArray read(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

QMessageBox *errorDialog(QWidget *window)
{
    return window->findChild<QMessageBox *>(QStringLiteral("errorDialog"));
}

} // namespace

class TestFileMenu : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { QStandardPaths::setTestModeEnabled(true); }

    void menuHasEveryAction()
    {
        MainWindow w(options(false));
        QStringList texts;
        for (QAction *menu : w.menuBar()->actions())
            for (QAction *a : menu->menu()->actions()) {
                if (!a->isSeparator())
                    texts.append(a->text().remove(u'&'));
                if (a->menu())
                    for (QAction *item : a->menu()->actions()) {
                        texts.append(item->text());
                        QVERIFY2(!item->toolTip().isEmpty() && item->toolTip() != item->text(), qPrintable(item->text()));
                    }
            }
        for (const char *expected : { "Open scenario…", "Save scenario as…", "Open policy…", "Save policy as…",
                 "Export events (JSONL)…", "Export summary (JSON)…", "Export time series (CSV)…", "Export report (HTML)…",
                 "Export dashboard as PNG…", "Export dashboard as SVG…", "Quit", "Export policy as",
                 "Resilience4j application.yml…", "Polly v8 options (JSON)…", "opossum options (JSON)…",
                 "Envoy cluster and route (YAML)…", "Breakers", "Event log",
                 "Health", "Faults", "Policy" })
            QVERIFY2(texts.contains(QString::fromUtf8(expected)), expected);
    }

    // An edited threshold is saved with the scenario; opening the file gives it back.
    void saveAndReopenScenarioRoundTrips()
    {
        MainWindow w(options(false));
        auto *threshold = w.policyEditor()->findChild<QSpinBox *>(QStringLiteral("failureThreshold"));
        QVERIFY(threshold);
        threshold->setValue(threshold->value() + 4);
        const int edited = threshold->value();
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("saved.json"));
        QString error;
        QVERIFY2(w.saveScenario(path, &error), qPrintable(error));

        LoadError loadError;
        const std::optional<ScenarioConfig> saved = loadScenarioFile(path, &loadError);
        QVERIFY2(saved, qPrintable(loadError.toString()));
        const QString op = w.policyEditor()->currentOperation();
        for (const OperationConfig &o : saved->operations)
            if (o.name == op)
                QCOMPARE(o.policy.circuitBreaker->failureThreshold, edited);

        QVERIFY2(w.loadScenario(path, std::nullopt, false, &error), qPrintable(error));
        QCOMPARE(w.controller().scenario().name, QStringLiteral("outage-and-recovery"));
        QCOMPARE(threshold->value(), edited);
        // Saved again unchanged: the same bytes.
        const QString again = dir.filePath(QStringLiteral("again.json"));
        QVERIFY(w.saveScenario(again, &error));
        QCOMPARE(read(again), read(path));
    }

    void savedPolicyOpensAndAppliesLive()
    {
        MainWindow w(options(false)); // idle: the edit applies at time zero
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("policy.json"));
        QString error;
        QVERIFY(w.savePolicy(path, &error)); // the current policy, then edited on disk as a user would
        QJsonObject json = QJsonDocument::fromJson(read(path)).object();
        QJsonObject breaker = json.value(QStringLiteral("circuitBreaker")).toObject();
        breaker.insert(QStringLiteral("failureThreshold"), 2);
        json.insert(QStringLiteral("circuitBreaker"), breaker);
        json.insert(QStringLiteral("retry"), false);
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
        f.write(QJsonDocument(json).toJson());
        f.close();
        LoadError loadError;
        QVERIFY2(loadPolicyFile(path, &loadError), qPrintable(loadError.toString()));

        QSignalSpy applied(&w.controller(), &SimulationController::commandApplied);
        QVERIFY2(w.openPolicy(path, &error), qPrintable(error));
        QTRY_VERIFY_WITH_TIMEOUT(!applied.isEmpty(), Timeout);
        const QString description = qvariant_cast<ControlCommand>(applied.last().at(0)).describe();
        QVERIFY2(description.contains(QStringLiteral("circuitBreaker.failureThreshold")), qPrintable(description));
        QVERIFY2(description.contains(QStringLiteral("retry off")), qPrintable(description));
        QVERIFY(applied.last().at(1).toBool());
        const PolicyConfig now = w.policyEditor()->policy(w.policyEditor()->currentOperation());
        QCOMPARE(now.circuitBreaker->failureThreshold, 2);
        QVERIFY(!now.retry);
    }

    // File > Export policy as: the selected operation's policy as edited, named after it; JSON
    // with its notes beside it.
    void exportPolicyWritesTheEditedPolicy()
    {
        MainWindow w(options(false));
        auto *threshold = w.policyEditor()->findChild<QSpinBox *>(QStringLiteral("volumeThreshold"));
        QVERIFY(threshold);
        threshold->setValue(threshold->value() + 7);
        const int edited = threshold->value();
        QTemporaryDir dir;
        QString error;
        const QString opossum = dir.filePath(QStringLiteral("breaker.json"));
        QVERIFY2(w.exportPolicy(opossum, ExportTarget::Opossum, &error), qPrintable(error));
        const QJsonObject options = QJsonDocument::fromJson(read(opossum)).object();
        QCOMPARE(options.value(QStringLiteral("volumeThreshold")).toInt(), edited);
        QCOMPARE(options.value(QStringLiteral("name")).toString(), w.policyEditor()->currentOperation());
        QVERIFY(read(opossum + QStringLiteral(".notes.txt")).contains("opossum"));
        const QString yaml = dir.filePath(QStringLiteral("application.yml"));
        QVERIFY2(w.exportPolicy(yaml, ExportTarget::Resilience4j, &error), qPrintable(error));
        QVERIFY(read(yaml).contains("minimumNumberOfCalls: " + QByteArray::number(edited)));
        QVERIFY(!QFileInfo::exists(yaml + QStringLiteral(".notes.txt")));
        QVERIFY(!w.exportPolicy(dir.filePath(QStringLiteral("missing/x.yml")), ExportTarget::Envoy, &error));
        QVERIFY(!error.isEmpty());
    }

    // A bad scenario or policy file: a dialog with the loader's message (file, line, key,
    // nearest key), and the running scenario is still the one that was running.
    void badFilesGetADialogAndLoseNothing_data()
    {
        QTest::addColumn<bool>("scenario");
        QTest::addColumn<QByteArray>("content");
        QTest::addColumn<QString>("expected");
        QTest::addRow("scenario misspelt key")
            << true << QByteArray("{\n  \"name\": \"x\",\n  \"durationMS\": 1000\n}\n") << QStringLiteral("durationMs");
        QTest::addRow("scenario not JSON") << true << QByteArray("{ nope") << QStringLiteral("bad.json:1");
        QTest::addRow("policy misspelt key")
            << false << QByteArray("{\n  \"circuitBreaker\": {\"failureTreshold\": 3}\n}\n")
            << QStringLiteral("failureThreshold");
        QTest::addRow("policy out of range")
            << false << QByteArray("{\"retry\": {\"maxAttempts\": -2}}") << QStringLiteral("maxAttempts");
    }

    void badFilesGetADialogAndLoseNothing()
    {
        QFETCH(bool, scenario);
        QFETCH(QByteArray, content);
        QFETCH(QString, expected);
        MainWindow w(options(false));
        w.setSpeed(10); // 12 s of wall time: still running while the dialog shows
        QSignalSpy progressed(&w, &MainWindow::progressed);
        w.controller().start();
        w.show();
        QTRY_VERIFY_WITH_TIMEOUT(progressed.count() > 2, Timeout);
        const ScenarioConfig before = w.currentScenario();
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("bad.json"));
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(content);
        f.close();

        QString error;
        if (scenario) {
            QVERIFY(!w.loadScenario(path, std::nullopt, true, &error));
            w.reportError(QStringLiteral("Cannot open the scenario"), error);
        } else {
            QVERIFY(!w.openPolicy(path, &error));
            w.reportError(QStringLiteral("Cannot open the policy"), error);
        }
        QVERIFY2(error.contains(expected), qPrintable(error));
        QVERIFY2(error.contains(QStringLiteral("bad.json")), qPrintable(error));
        QMessageBox *box = errorDialog(&w);
        QVERIFY(box);
        QTRY_VERIFY(box->isVisible());
        QCOMPARE(box->text(), error);
        // The run goes on behind the dialog, unchanged.
        const int seen = int(progressed.count());
        QTRY_VERIFY_WITH_TIMEOUT(progressed.count() > seen, Timeout);
        QCOMPARE(w.controller().state(), RunProgress::State::Running);
        QCOMPARE(w.controller().scenario().name, before.name);
        QCOMPARE(w.currentScenario().operations.size(), before.operations.size());
        box->accept();
    }

    // The export is the live run's: its control events are there, and a run to the end with
    // the same edits gives the same summary.
    void exportWritesTheRunWithItsEdits()
    {
        MainWindow w(options(false));
        w.controller().post({ ControlCommands::Breaker { QStringLiteral("checkout"), BreakerAction::HoldOpen } });
        QSignalSpy applied(&w.controller(), &SimulationController::commandApplied);
        QTRY_VERIFY_WITH_TIMEOUT(!applied.isEmpty() || w.controller().appliedCommands().size() == 1, Timeout);
        QCOMPARE(w.controller().appliedCommands().size(), 1);
        w.controller().step(fromMs(20'000));
        QTRY_VERIFY_WITH_TIMEOUT(w.history().now() >= TimePoint(fromMs(20'000)), Timeout);

        QTemporaryDir dir;
        const RunOutputPaths paths { dir.filePath(QStringLiteral("e.jsonl")), dir.filePath(QStringLiteral("s.json")),
            dir.filePath(QStringLiteral("t.csv")) };
        QSignalSpy finished(&w, &MainWindow::exportFinished);
        w.exportRun(paths);
        QVERIFY(w.isExporting());
        QTRY_VERIFY_WITH_TIMEOUT(!finished.isEmpty(), Timeout);
        QVERIFY2(finished.first().at(0).toBool(), qPrintable(finished.first().at(1).toString()));
        const QByteArray events = read(paths.events);
        QVERIFY(events.contains("\"holdOpen\""));
        const QJsonObject summary = QJsonDocument::fromJson(read(paths.summary)).object();
        QCOMPARE(summary.value(QStringLiteral("durationMs")).toDouble(), 20'000.0);
        QCOMPARE(summary.value(QStringLiteral("events")).toInteger(), events.count('\n'));
        // 20 s, one row per second and operation, after the header.
        QCOMPARE(read(paths.csv).trimmed().count('\n'), 20 * w.controller().scenario().operations.size());
    }

    // The report is the run as shown: its first 20 s with its edit, the charts, and the edit as
    // a control event that `breakwater run --controls` takes back.
    void exportReportIsTheRunWithItsEdits()
    {
        MainWindow w(options(false));
        w.controller().post({ ControlCommands::Breaker { QStringLiteral("checkout"), BreakerAction::HoldOpen } });
        QTRY_VERIFY_WITH_TIMEOUT(w.controller().appliedCommands().size() == 1, Timeout);
        w.controller().step(fromMs(20'000));
        QTRY_VERIFY_WITH_TIMEOUT(w.history().now() >= TimePoint(fromMs(20'000)), Timeout);

        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("report.html"));
        QSignalSpy finished(&w, &MainWindow::exportFinished);
        w.exportReport(path);
        QVERIFY(w.isExporting());
        QTRY_VERIFY_WITH_TIMEOUT(!finished.isEmpty(), Timeout);
        QVERIFY2(finished.first().at(0).toBool(), qPrintable(finished.first().at(1).toString()));
        const QByteArray html = read(path);
        QVERIFY(html.contains("<title>Run of outage-and-recovery (its first 20 s)</title>"));
        QCOMPARE(html.count("<svg"), 7);
        QVERIFY(html.contains("<dt>Seed</dt><dd>42</dd>"));
        QVERIFY(html.contains("breakwater run outage-and-recovery --seed 42 --controls edits.jsonl"));
        LoadError error;
        const std::optional<QList<TimedCommand>> edits = parseControls(
            bw::test::codeAfter(html, QStringLiteral("<h2>Live edits</h2>")).toUtf8(), QStringLiteral("edits.jsonl"), &error);
        QVERIFY2(edits, qPrintable(error.toString()));
        QCOMPARE(edits->size(), 1);
        QCOMPARE(edits->first().command.action(), QStringLiteral("holdOpen"));
        QCOMPARE(edits->first().at, w.controller().appliedCommands().first().at);
    }

    // A real HTTP run cannot be made again from a seed: events and summary are refused with the
    // command that writes them; the time series comes from the live recorder.
    void realHttpRunExportsItsSeriesOnly()
    {
        MainWindow::Options o = options(false);
        o.scenario = qEnvironmentVariable("BREAKWATER_SOURCE_DIR") + QStringLiteral("/resources/real/checkout-http.json");
        MainWindow w(o);
        QCOMPARE(w.controller().scenario().name, QStringLiteral("checkout-http"));
        QTemporaryDir dir;
        QSignalSpy finished(&w, &MainWindow::exportFinished);
        w.exportRun({ dir.filePath(QStringLiteral("e.jsonl")), {}, {} });
        QCOMPARE(finished.size(), 1);
        QVERIFY(!finished.first().at(0).toBool());
        QVERIFY2(finished.first().at(1).toString().contains(QStringLiteral("breakwater run")),
            qPrintable(finished.first().at(1).toString()));
        QMessageBox *box = errorDialog(&w);
        QVERIFY(box);
        box->accept();
        QVERIFY(!QFile::exists(dir.filePath(QStringLiteral("e.jsonl"))));

        w.exportRun({ {}, {}, dir.filePath(QStringLiteral("t.csv")) });
        QCOMPARE(finished.size(), 2);
        QVERIFY2(finished.last().at(0).toBool(), qPrintable(finished.last().at(1).toString()));
        QVERIFY(read(dir.filePath(QStringLiteral("t.csv"))).startsWith("start_ms,end_ms,operation"));

        w.exportReport(dir.filePath(QStringLiteral("r.html"))); // refused too, with the command that writes it
        QCOMPARE(finished.size(), 3);
        QVERIFY(!finished.last().at(0).toBool());
        QVERIFY2(finished.last().at(1).toString().contains(QStringLiteral("--html")),
            qPrintable(finished.last().at(1).toString()));
        box = errorDialog(&w);
        QVERIFY(box);
        box->accept();
    }

    void dashboardExportsAsPngAndSvg()
    {
        MainWindow w(options(false));
        QSignalSpy progressed(&w, &MainWindow::progressed);
        w.controller().start();
        w.show();
        QTRY_VERIFY_WITH_TIMEOUT(w.controller().state() == RunProgress::State::Finished, Timeout);
        w.refreshNow();
        QTemporaryDir dir;
        QString error;
        const QString png = dir.filePath(QStringLiteral("d.png")), svg = dir.filePath(QStringLiteral("d.svg"));
        QVERIFY2(w.exportDashboard(png, &error), qPrintable(error));
        QVERIFY2(w.exportDashboard(svg, &error), qPrintable(error));
        const QImage image(png);
        QCOMPARE(image.size(), w.dashboard()->size());
        const QByteArray vector = read(svg);
        QVERIFY(vector.startsWith("<?xml"));
        QVERIFY(vector.contains("<svg"));
        QVERIFY(vector.contains("Calls per second")); // chart titles are text, not pixels
        QVERIFY(!w.exportDashboard(QStringLiteral("/nonexistent-dir/d.png"), &error));
        QVERIFY(error.contains(QStringLiteral("/nonexistent-dir/d.png")));
    }
};

QTEST_MAIN(TestFileMenu)
#include "tst_filemenu.moc"
