#include "desktopapp.h"

#include "compareview.h"
#include "mainwindow.h"

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
    MainWindow window(windowOptions);
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
    // Outside the block below: the progress handler reads it until the event loop ends.
    bool done = false;
    if (settings.runFor) {
        const Duration runFor = *settings.runFor;
        const QString shot = settings.screenshot;
        // Max speed: one exact step to the mark. Paced: run, and pause at the mark.
        if (window.speed() == 0)
            window.stepRun(runFor);
        else
            window.startRun();
        QObject::connect(&window, &MainWindow::progressed, &window,
            [&window, &done, &status, error, runFor, shot](TimePoint now, RunProgress::State state) {
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
                const auto grab = [&window, &status, error, shot] {
                    window.refreshNow();
                    QApplication::processEvents();
                    const QPixmap pixmap = window.grab();
                    if (!pixmap.save(shot, "PNG")) {
                        *error = QStringLiteral("cannot write ") + shot;
                        status = 1;
                    }
                    QApplication::exit(status);
                };
                // Let the last progress land and the layout settle before grabbing; in Compare
                // mode the verdict table belongs in the picture too.
                QTimer::singleShot(300, &window, [&window, grab] {
                    CompareView *compare = window.compareView();
                    if (window.isCompareMode() && !compare->comparison())
                        QObject::connect(compare, &CompareView::measured, &window, grab, Qt::SingleShotConnection);
                    else
                        grab();
                });
            });
    }
    const int loop = QApplication::exec();
    return status != 0 ? status : loop;
}

} // namespace bw::ui
