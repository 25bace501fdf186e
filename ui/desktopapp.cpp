#include "desktopapp.h"

#include "compareview.h"
#include "fleetview.h"
#include "mainwindow.h"
#include "sweepdialog.h"

#include "run/runmetrics.h"
#include "telemetry/metricsrecorder.h"

#include <QApplication>
#include <QPixmap>
#include <QTimer>

namespace bw::ui {

int runDesktop(const DesktopSettings &settings, QString *error)
{
    MainWindow::Options windowOptions;
    windowOptions.scenario = settings.scenario;
    windowOptions.speed = settings.speed;
    windowOptions.seed = settings.seed;
    // A screenshot must not depend on the last session's layout.
    windowOptions.restoreSettings = settings.screenshot.isEmpty();
    // With runFor the window starts the run itself, stepping exactly that far; when monitored,
    // it starts once the recorder follows the run.
    windowOptions.start = !settings.runFor && !settings.monitoring;
    windowOptions.compare = settings.compare;
    windowOptions.candidates = settings.candidates;
    windowOptions.fleet = settings.fleet;
    MainWindow window(windowOptions);
    if (window.isFleetMode() && settings.fleetRange != FleetView::Range::Live)
        window.fleetView()->setRange(settings.fleetRange);
    if (MetricsRecorder *metrics = settings.monitoring) {
        SimulationController &controller = window.controller();
        if (controller.runner())
            monitorRunner(*metrics, *controller.runner());
        QObject::connect(&controller, &SimulationController::loaded, &window,
            [metrics, &controller] { monitorRunner(*metrics, *controller.runner()); });
        if (!settings.runFor)
            controller.start();
    }
    window.show();

    int status = 0;
    // Let the last progress land and the layout settle before grabbing.
    const auto grabAndQuit = [&status, error](QWidget *widget, const QString &shot) {
        QTimer::singleShot(300, widget, [widget, &status, error, shot] {
            QApplication::processEvents();
            const QPixmap pixmap = widget->grab();
            if (!pixmap.save(shot, "PNG")) {
                *error = QStringLiteral("cannot write ") + shot;
                status = 1;
            }
            QApplication::exit(status);
        });
    };
    if (!settings.sweep.isEmpty()) {
        SweepDialog *dialog = window.openSweepDialog();
        if (!dialog->setVary(settings.sweep, error) || !dialog->run(error))
            return 2; // bad input, as the command line's own checks
        if (!settings.screenshot.isEmpty())
            QObject::connect(dialog, &SweepDialog::sweepFinished, dialog,
                [dialog, grabAndQuit, shot = settings.screenshot] { grabAndQuit(dialog, shot); });
    }
    // Outside the blocks below: their handlers read it until the event loop ends.
    bool done = false;
    if (window.isFleetMode() && !settings.screenshot.isEmpty()) {
        FleetView *fleet = window.fleetView();
        QObject::connect(fleet, &FleetView::refreshed, &window, [fleet, &window, &done, grabAndQuit, shot = settings.screenshot] {
            const auto &sources = fleet->store().sources();
            const bool answered = !sources.empty() && std::all_of(sources.begin(), sources.end(), [](const SourceStatus &s) {
                return s.reachable || !s.error.isEmpty();
            });
            if (done || !answered || fleet->isLoadingHistory())
                return;
            done = true;
            grabAndQuit(&window, shot);
        });
    }
    if (settings.runFor) {
        const Duration runFor = *settings.runFor;
        // With a sweep, the screenshot is of the dialog.
        const QString shot = settings.sweep.isEmpty() ? settings.screenshot : QString();
        // Max speed: one exact step to the mark. Paced: run, and pause at the mark.
        if (window.speed() == 0)
            window.stepRun(runFor);
        else
            window.startRun();
        QObject::connect(&window, &MainWindow::progressed, &window,
            [&window, &done, grabAndQuit, runFor, shot](TimePoint now, RunProgress::State state) {
                if (done)
                    return;
                const bool reached = now >= runFor || state == RunProgress::State::Finished;
                if (!reached)
                    return;
                done = true;
                if (state == RunProgress::State::Running)
                    window.pauseRun();
                if (shot.isEmpty())
                    return;
                window.refreshNow();
                // In Compare mode the verdict table belongs in the picture too: it is measured
                // on a worker thread, so wait for it.
                CompareView *compare = window.compareView();
                if (window.isCompareMode() && !compare->comparison())
                    QObject::connect(compare, &CompareView::measured, &window,
                        [&window, grabAndQuit, shot] {
                            window.refreshNow();
                            grabAndQuit(&window, shot);
                        },
                        Qt::SingleShotConnection);
                else
                    grabAndQuit(&window, shot);
            });
    }
    const int loop = QApplication::exec();
    return status != 0 ? status : loop;
}

} // namespace bw::ui
