// MainWindow's File menu and what it does: open and save scenarios and policies, import an incident, connect to a
// fleet (Fleet mode), export the run
// (events, summary, time series), a report (HTML) and the dashboard (PNG, SVG); and the View
// menu of docks.
#include "mainwindow.h"

#include "htmlreport.h"
#include "incidentimport.h"
#include "policyeditor.h"

#include "resilience/policyloader.h"
#include "resilience/policywriter.h"
#include "runtime/atomicfile.h"
#include "scenario/scenariowriter.h"

#include <QAction>
#include <QDockWidget>
#include <QFileDialog>
#include <QFileInfo>
#include <QJsonDocument>
#include <QMenuBar>
#include <QPainter>
#include <QProgressDialog>
#include <QRegularExpression>
#include <QStatusBar>
#include <QSvgGenerator>
#include <QThread>

#include <atomic>

namespace bw {


void MainWindow::buildMenus()
{
    QMenu *file = menuBar()->addMenu(QStringLiteral("&File"));
    const QString json = QStringLiteral("JSON (*.json)");
    auto add = [&](const QString &text, const QString &tip, QKeySequence keys, auto &&slot) {
        QAction *a = file->addAction(text, this, slot);
        a->setStatusTip(tip);
        a->setShortcut(keys);
        return a;
    };
    // Each: ask for a path, do it, and show what went wrong if it did.
    auto saving = [this](const QString &title, const QString &filter, const QString &suffix, auto &&save) {
        return [=, this] {
            QString path = QFileDialog::getSaveFileName(this, title, QString(), filter);
            if (path.isEmpty())
                return;
            if (QFileInfo(path).suffix().isEmpty())
                path += u'.' + suffix;
            QString error;
            if (!save(path, &error))
                reportError(title, error);
            else
                statusBar()->showMessage(QStringLiteral("Wrote ") + path, 5000);
        };
    };
    add(QStringLiteral("&Open scenario…"), QStringLiteral("Open a scenario file (JSON) and run it"),
        QKeySequence::Open, [this, json] {
            const QString path = QFileDialog::getOpenFileName(this, QStringLiteral("Open scenario"), QString(), json);
            QString error;
            if (!path.isEmpty() && !loadScenario(path, std::nullopt, true, &error))
                reportError(QStringLiteral("Cannot open the scenario"), error);
        });
    add(QStringLiteral("&Save scenario as…"),
        QStringLiteral("Save the scenario with the policy edits made in this run"), QKeySequence::Save,
        saving(QStringLiteral("Save scenario"), json, QStringLiteral("json"),
            [this](const QString &path, QString *error) { return saveScenario(path, error); }));
    file->addSeparator();
    add(QStringLiteral("Open &policy…"),
        QStringLiteral("Read a policy file and apply it now to the operation selected in the Policy dock"),
        QKeySequence(), [this, json] {
            const QString path = QFileDialog::getOpenFileName(this, QStringLiteral("Open policy"), QString(), json);
            QString error;
            if (!path.isEmpty() && !openPolicy(path, &error))
                reportError(QStringLiteral("Cannot open the policy"), error);
        });
    add(QStringLiteral("Save polic&y as…"), QStringLiteral("Save the selected operation's policy as it is now"),
        QKeySequence(), saving(QStringLiteral("Save policy"), json, QStringLiteral("json"),
                            [this](const QString &path, QString *error) { return savePolicy(path, error); }));
    QMenu *exportPolicyMenu = file->addMenu(QStringLiteral("Export policy a&s"));
    exportPolicyMenu->setToolTipsVisible(true);
    for (const auto &[target, text] : { std::pair { ExportTarget::Resilience4j, QStringLiteral("Resilience4j application.yml…") },
             std::pair { ExportTarget::Polly, QStringLiteral("Polly v8 options (JSON)…") },
             std::pair { ExportTarget::Opossum, QStringLiteral("opossum options (JSON)…") },
             std::pair { ExportTarget::Envoy, QStringLiteral("Envoy cluster and route (YAML)…") } }) {
        const QString suffix = exportSuffix(target);
        QAction *a = exportPolicyMenu->addAction(text, this,
            saving(QStringLiteral("Export policy"), QStringLiteral("%1 (*.%2)").arg(suffix.toUpper(), suffix), suffix,
                [this, target](const QString &path, QString *error) { return exportPolicy(path, target, error); }));
        const QString tip = QStringLiteral("Write the selected operation's policy as it is now for %1; every setting "
                                           "that does not map exactly is said%2")
                                .arg(text.section(u' ', 0, 0),
                                    suffix == u"json" ? QStringLiteral(" in a .notes.txt file beside it")
                                                      : QStringLiteral(" in a comment"));
        a->setStatusTip(tip);
        a->setToolTip(tip);
    }
    add(QStringLiteral("&Import incident…"),
        QStringLiteral("Turn an access log (nginx, Envoy, HAProxy, JSON Lines) into a trace and replay it through the "
                       "selected operation's policy"),
        QKeySequence(), [this] {
            m_policyEditor->flush();
            auto *dialog = new IncidentImportDialog(m_policyEditor->policy(m_policyEditor->currentOperation()), this);
            dialog->setObjectName(QStringLiteral("importIncident"));
            dialog->setAttribute(Qt::WA_DeleteOnClose);
            dialog->open();
        });
    file->addSeparator();
    add(QStringLiteral("&Connect to a fleet…"),
        QStringLiteral("Watch the circuit breakers of real services: a Prometheus server and Hystrix streams, in Fleet mode"),
        QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_C), [this] { openConnectDialog(); })
        ->setObjectName(QStringLiteral("connectFleet"));
    file->addSeparator();
    struct Export
    {
        QString text, title, filter, suffix;
        QString RunOutputPaths::*field;
    };
    for (const Export &e : { Export { QStringLiteral("Export &events (JSONL)…"), QStringLiteral("Export events"),
                                 QStringLiteral("JSON Lines (*.jsonl)"), QStringLiteral("jsonl"), &RunOutputPaths::events },
             Export { QStringLiteral("Export s&ummary (JSON)…"), QStringLiteral("Export summary"), json,
                 QStringLiteral("json"), &RunOutputPaths::summary },
             Export { QStringLiteral("Export &time series (CSV)…"), QStringLiteral("Export time series"),
                 QStringLiteral("CSV (*.csv)"), QStringLiteral("csv"), &RunOutputPaths::csv } }) {
        add(e.text, QStringLiteral("Write this run so far, with its live edits, as docs/formats.md describes"),
            QKeySequence(), [this, e] {
                QString path = QFileDialog::getSaveFileName(this, e.title, QString(), e.filter);
                if (path.isEmpty())
                    return;
                if (QFileInfo(path).suffix().isEmpty())
                    path += u'.' + e.suffix;
                RunOutputPaths paths;
                paths.*e.field = path;
                exportRun(paths);
            });
    }
    add(QStringLiteral("Export &report (HTML)…"),
        QStringLiteral("Write a self-contained web page to share in a review: the scenario, the policies, this "
                       "run's charts and figures so far, its live edits, the seed and the command that runs it again"),
        QKeySequence(), [this] {
            QString path = QFileDialog::getSaveFileName(
                this, QStringLiteral("Export report"), QString(), QStringLiteral("HTML (*.html)"));
            if (path.isEmpty())
                return;
            if (QFileInfo(path).suffix().isEmpty())
                path += QStringLiteral(".html");
            exportReport(path);
        });
    file->addSeparator();
    for (const QString &format : { QStringLiteral("PNG"), QStringLiteral("SVG") }) {
        const QString suffix = format.toLower();
        add(QStringLiteral("Export dashboard as %1…").arg(format),
            QStringLiteral("Write the charts as they are now to a %1 file").arg(format), QKeySequence(),
            saving(QStringLiteral("Export dashboard"), QStringLiteral("%1 (*.%2)").arg(format, suffix), suffix,
                [this](const QString &path, QString *error) { return exportDashboard(path, error); }));
    }
    file->addSeparator();
    add(QStringLiteral("&Quit"), QStringLiteral("Close Breakwater"), QKeySequence::Quit, [this] { close(); });

    QMenu *lab = menuBar()->addMenu(QStringLiteral("&Lab"));
    QAction *sweep = lab->addAction(QStringLiteral("&Sweep…"), this, &MainWindow::openSweepDialog);
    sweep->setStatusTip(QStringLiteral("Sweep one or two settings of the selected operation's policy"));

    QMenu *view = menuBar()->addMenu(QStringLiteral("&View"));
    for (QDockWidget *dock : findChildren<QDockWidget *>())
        view->addAction(dock->toggleViewAction());
}

ScenarioConfig MainWindow::currentScenario() const
{
    m_policyEditor->flush(); // a pending edit is part of what the user sees
    ScenarioConfig s = m_controller.scenario();
    for (OperationConfig &op : s.operations)
        op.policy = m_policyEditor->policy(op.name);
    return s;
}

bool MainWindow::saveScenario(const QString &path, QString *error) const
{
    return writeFileAtomically(path, scenarioToJsonBytes(currentScenario()), error);
}

bool MainWindow::openPolicy(const QString &path, QString *error)
{
    LoadError loadError;
    const std::optional<PolicyConfig> policy = loadPolicyFile(path, &loadError);
    if (!policy) {
        if (error)
            *error = loadError.toString();
        return false;
    }
    m_policyEditor->applyPolicy(m_policyEditor->currentOperation(), *policy);
    return true;
}

bool MainWindow::savePolicy(const QString &path, QString *error) const
{
    m_policyEditor->flush();
    PolicyConfig policy = m_policyEditor->policy(m_policyEditor->currentOperation());
    return writeFileAtomically(path, QJsonDocument(policyToJson(policy)).toJson(QJsonDocument::Indented), error);
}

bool MainWindow::exportPolicy(const QString &path, ExportTarget target, QString *error) const
{
    m_policyEditor->flush();
    const QString operation = m_policyEditor->currentOperation();
    QString name = operation;
    name.replace(QRegularExpression(QStringLiteral("[^A-Za-z0-9_-]")), QStringLiteral("-"));
    const PolicyExport exported = bw::exportPolicy(
        m_policyEditor->policy(operation), target, name.isEmpty() ? QStringLiteral("policy") : name.left(64));
    return writeFileAtomically(path, exported.text, error)
        && (exported.sideNotes.isEmpty() || writeFileAtomically(path + QStringLiteral(".notes.txt"), exported.sideNotes, error));
}

bool MainWindow::exportDashboard(const QString &path, QString *error)
{
    AtomicFile file(path);
    if (!file.open(error))
        return false;
    bool drawn = false;
    if (QFileInfo(path).suffix().compare(QStringLiteral("svg"), Qt::CaseInsensitive) == 0) {
        QSvgGenerator svg;
        svg.setOutputDevice(file.device());
        svg.setSize(m_dashboard->size());
        svg.setViewBox(m_dashboard->rect());
        svg.setTitle(windowTitle());
        svg.setDescription(QStringLiteral("Breakwater dashboard at virtual time ") + formatTime(m_history.now()));
        QPainter painter(&svg);
        m_dashboard->render(&painter);
        drawn = painter.end();
    } else {
        drawn = m_dashboard->grab().save(file.device(), "PNG");
    }
    if (drawn)
        return file.commit(error);
    if (error)
        *error = AtomicFile::cannotWrite(path, file.device()->errorString());
    return false;
}

void MainWindow::exportRun(const RunOutputPaths &paths)
{
    if (m_realTime) {
        // Real servers answered this run: it cannot be made again from a seed. Its time series
        // is in the live recorder; its events and summary are written by `breakwater run`.
        QString error;
        bool ok = paths.events.isEmpty() && paths.summary.isEmpty();
        if (!ok)
            error = QStringLiteral("A real HTTP run cannot be re-run to export its events or summary: "
                                   "real servers answered it, not a seed. Run the scenario with "
                                   "'breakwater run SCENARIO --events OUT.jsonl --summary OUT.json' instead.");
        else if (ScenarioRunner *runner = m_controller.runner())
            ok = runner->recorder().writeCsv(paths.csv, &error);
        if (!ok)
            reportError(QStringLiteral("Export failed"), error);
        Q_EMIT exportFinished(ok, error);
        return;
    }
    rerun(paths, nullptr);
}

void MainWindow::exportReport(const QString &path)
{
    if (m_realTime) {
        const QString error = QStringLiteral("A real HTTP run cannot be re-run to draw its report: real servers "
                                             "answered it, not a seed. Run the scenario with "
                                             "'breakwater run SCENARIO --html OUT.html' instead.");
        reportError(QStringLiteral("Export failed"), error);
        Q_EMIT exportFinished(false, error);
        return;
    }
    // The report is drawn once the re-run is done, from its figures, with what the run had then.
    const ScenarioConfig scenario = m_controller.scenario();
    const std::uint64_t seed = m_controller.seed();
    const QList<TimedCommand> commands = m_controller.appliedCommands();
    const TimePoint until = std::min(m_history.now(), TimePoint(scenario.duration));
    const QString source = m_scenarioSource;
    rerun({}, [=](const RunRecord &record, QString *error) {
        ReportRequest request = runReport(scenario, seed, commands, record);
        if (until < TimePoint(scenario.duration))
            request.title += QStringLiteral(" (its first %1 s)").arg(toMs(until) / 1000.0);
        request.commandLine = { QStringLiteral("breakwater"), QStringLiteral("run"), source, QStringLiteral("--seed"),
            QString::number(seed) };
        if (!commands.isEmpty()) // the report lists the edits as control events, to save under this name
            request.commandLine << QStringLiteral("--controls") << QStringLiteral("edits.jsonl");
        const std::optional<QByteArray> page = htmlReport(request, error);
        return page && writeFileAtomically(path, *page, error);
    }, path);
}

void MainWindow::rerun(const RunOutputPaths &paths,
    std::function<bool(const RunRecord &record, QString *error)> then, const QString &thenWrites)
{
    if (m_exporting) {
        reportError(QStringLiteral("Export"), QStringLiteral("An export is already running."));
        return;
    }
    m_exporting = true;
    // Everything the export needs, copied: it runs on its own thread, apart from the live run.
    const ScenarioConfig scenario = m_controller.scenario();
    const std::uint64_t seed = m_controller.seed();
    const QList<TimedCommand> commands = m_controller.appliedCommands();
    const TimePoint until = m_history.now();
    auto done = std::make_shared<std::atomic<int>>(0); // per mille
    auto cancel = std::make_shared<std::atomic<bool>>(false);
    auto result = std::make_shared<std::pair<bool, QString>>();
    auto record = then ? std::make_shared<RunRecord>() : nullptr;
    QThread *thread = QThread::create([=] {
        result->first = bw::exportRun(scenario, seed, commands, until, paths, &result->second, [=](double f) {
            done->store(int(f * 1000));
            return !cancel->load();
        }, record.get());
    });
    auto *dialog = new QProgressDialog(QStringLiteral("Exporting the run to %1 s…").arg(toMs(until) / 1000.0),
        QStringLiteral("Cancel"), 0, 1000, this);
    dialog->setObjectName(QStringLiteral("exportProgress"));
    dialog->setWindowModality(Qt::WindowModal);
    dialog->setMinimumDuration(300);
    auto *poll = new QTimer(dialog);
    connect(poll, &QTimer::timeout, dialog, [dialog, done] { dialog->setValue(done->load()); });
    poll->start(100);
    connect(dialog, &QProgressDialog::canceled, this, [cancel] { cancel->store(true); });
    connect(thread, &QThread::finished, this, [this, thread, dialog, result, paths, record, then, thenWrites] {
        thread->deleteLater();
        dialog->deleteLater();
        if (result->first && then)
            result->first = then(*record, &result->second);
        m_exporting = false;
        QStringList written = { paths.events, paths.summary, paths.csv, thenWrites };
        written.removeAll(QString());
        if (result->first)
            statusBar()->showMessage(QStringLiteral("Wrote ") + written.join(QStringLiteral(", ")), 5000);
        else if (result->second != u"cancelled")
            reportError(QStringLiteral("Export failed"), result->second);
        Q_EMIT exportFinished(result->first, result->second);
    });
    thread->start();
}

} // namespace bw
