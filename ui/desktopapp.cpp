#include "desktopapp.h"

#include "mainwindow.h"

#include "run/runmetrics.h"
#include "scenario/scenarioloader.h"
#include "telemetry/metricsrecorder.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QPixmap>
#include <QPointer>
#include <QTimer>

#include <cstdio>

namespace bw::ui {

namespace {

const QStringList GuiOptions { QStringLiteral("--scenario"), QStringLiteral("--speed"),
    QStringLiteral("--seed"), QStringLiteral("--run-for"), QStringLiteral("--screenshot"),
    QStringLiteral("--metrics-port"), QStringLiteral("--metrics-host") };

void printErr(const QString &text)
{
    const QByteArray bytes = text.toUtf8();
    std::fwrite(bytes.constData(), 1, size_t(bytes.size()), stderr);
    std::fflush(stderr);
}

} // namespace

bool wantsDesktop(const QStringList &arguments)
{
    if (arguments.size() < 2)
        return true;
    const QString &first = arguments.at(1);
    for (const QString &option : GuiOptions)
        if (first == option || first.startsWith(option + u'='))
            return true;
    return false;
}

std::optional<Duration> parseDuration(const QString &text)
{
    QString t = text.trimmed();
    double scaleMs = 1000;
    if (t.endsWith(QStringLiteral("ms"))) {
        scaleMs = 1;
        t.chop(2);
    } else if (t.endsWith(u's')) {
        t.chop(1);
    } else if (t.endsWith(u'm')) {
        scaleMs = 60000;
        t.chop(1);
    } else if (t.endsWith(u'h')) {
        scaleMs = 3600000;
        t.chop(1);
    }
    bool ok = false;
    const double value = t.toDouble(&ok);
    if (!ok || value < 0)
        return std::nullopt;
    return fromMs(value * scaleMs);
}

std::optional<DesktopOptions> parseDesktopOptions(const QStringList &arguments, QString *error)
{
    QCommandLineParser parser;
    const QCommandLineOption scenario(QStringLiteral("scenario"),
        QStringLiteral("Scenario file or built-in name."), QStringLiteral("FILE|NAME"));
    const QCommandLineOption speed(
        QStringLiteral("speed"), QStringLiteral("N × real time (1..1000) or max; default: the last used, else 10, and max with --screenshot."),
        QStringLiteral("N|max"));
    const QCommandLineOption seed(
        QStringLiteral("seed"), QStringLiteral("Random seed."), QStringLiteral("N"));
    const QCommandLineOption runFor(QStringLiteral("run-for"),
        QStringLiteral("Virtual time to run, e.g. 60s."), QStringLiteral("DURATION"));
    const QCommandLineOption screenshot(QStringLiteral("screenshot"),
        QStringLiteral("Grab the window when --run-for elapses, write it, quit."), QStringLiteral("OUT.png"));
    const QCommandLineOption metricsPort(QStringLiteral("metrics-port"),
        QStringLiteral("Serve /metrics, /health and /hystrix.stream on this port."), QStringLiteral("PORT"));
    const QCommandLineOption metricsHost(
        QStringLiteral("metrics-host"), QStringLiteral("Address to serve them on."), QStringLiteral("ADDRESS"));
    parser.addOptions({ scenario, speed, seed, runFor, screenshot, metricsPort, metricsHost });
    if (!parser.parse(arguments)) {
        *error = parser.errorText();
        return std::nullopt;
    }
    if (!parser.positionalArguments().isEmpty()) {
        *error = QStringLiteral("unexpected argument '%1'").arg(parser.positionalArguments().first());
        return std::nullopt;
    }
    DesktopOptions options;
    options.scenario = parser.value(scenario);
    if (parser.isSet(speed)) {
        const QString s = parser.value(speed).trimmed().toLower();
        bool ok = true;
        const double v = s == u"max"               ? 0
            : s.endsWith(u'x') || s.endsWith(u'×') ? s.chopped(1).toDouble(&ok)
                                                   : s.toDouble(&ok);
        if (!ok || v < 0 || v > 1000) {
            *error = QStringLiteral("--speed: expected 1..1000 or max, got '%1'").arg(parser.value(speed));
            return std::nullopt;
        }
        options.speed = v;
    }
    if (parser.isSet(seed)) {
        bool ok = false;
        const qulonglong v = parser.value(seed).toULongLong(&ok);
        if (!ok) {
            *error
                = QStringLiteral("--seed: expected a non-negative integer, got '%1'").arg(parser.value(seed));
            return std::nullopt;
        }
        options.seed = v;
    }
    if (parser.isSet(runFor)) {
        options.runFor = parseDuration(parser.value(runFor));
        if (!options.runFor) {
            *error = QStringLiteral("--run-for: expected a duration such as 60s or 60000ms, got '%1'")
                         .arg(parser.value(runFor));
            return std::nullopt;
        }
    }
    options.screenshot = parser.value(screenshot);
    if (!options.screenshot.isEmpty() && !options.runFor) {
        *error = QStringLiteral("--screenshot needs --run-for");
        return std::nullopt;
    }
    // A screenshot is stepped exactly to its mark, the same image every time: at max speed
    // unless --speed asks for a paced run.
    if (!options.screenshot.isEmpty() && !options.speed)
        options.speed = 0;
    if (parser.isSet(metricsPort) || parser.isSet(metricsHost)) {
        options.metrics = parseMetricsEndpoint(parser.value(metricsPort), parser.value(metricsHost), error);
        if (!options.metrics)
            return std::nullopt;
    }
    return options;
}

int runDesktop(const QStringList &arguments)
{
    QString error;
    const std::optional<DesktopOptions> options = parseDesktopOptions(arguments, &error);
    if (!options) {
        printErr(QStringLiteral("breakwater: ") + error + u'\n');
        return 2;
    }
    MainWindow::Options windowOptions;
    windowOptions.scenario = options->scenario;
    windowOptions.speed = options->speed;
    windowOptions.seed = options->seed;
    // A screenshot must not depend on the last session's layout.
    windowOptions.restoreSettings = options->screenshot.isEmpty();
    // With --run-for the window starts the run itself, stepping exactly that far.
    windowOptions.start = !options->runFor;
    if (!options->scenario.isEmpty()) {
        bw::LoadError loadError;
        if (!bw::loadScenario(options->scenario, &loadError)) {
            printErr(QStringLiteral("breakwater: ") + loadError.toString() + u'\n');
            return 2;
        }
    }
    // Monitoring follows every run the window loads; it must outlive the window's worker thread.
    MetricsRecorder metrics;
    std::optional<MetricsServer> server;
    if (options->metrics) {
        server.emplace([&metrics] { return metrics.latest(); });
        if (!server->start(options->metrics->address, options->metrics->port, &error)) {
            printErr(QStringLiteral("breakwater: --metrics-port: ") + error + u'\n');
            return 2;
        }
        printErr(QStringLiteral("breakwater: monitoring on ") + server->baseUrl() + u'\n');
        windowOptions.start = false; // started below, once followed
    }
    MainWindow window(windowOptions);
    if (server) {
        SimulationController &controller = window.controller();
        if (controller.runner())
            monitorRunner(metrics, *controller.runner());
        QObject::connect(&controller, &SimulationController::loaded, &window,
            [&metrics, &controller] { monitorRunner(metrics, *controller.runner()); });
        if (!options->runFor)
            controller.start();
    }
    window.show();

    int status = 0;
    // Outside the block below: the progress handler reads it until the event loop ends.
    bool done = false;
    if (options->runFor) {
        const Duration runFor = *options->runFor;
        const QString shot = options->screenshot;
        // Max speed: one exact step to the mark. Paced: run, and pause at the mark.
        if (window.speed() == 0)
            window.controller().step(runFor);
        else
            window.controller().start();
        QObject::connect(&window, &MainWindow::progressed, &window,
            [&window, &done, &status, runFor, shot](TimePoint now, RunProgress::State state) {
                if (done)
                    return;
                const bool reached = now >= runFor || state == RunProgress::State::Finished;
                if (!reached)
                    return;
                done = true;
                if (state == RunProgress::State::Running)
                    window.controller().pause();
                if (shot.isEmpty())
                    return;
                // Let the last progress land and the layout settle before grabbing.
                QTimer::singleShot(300, &window, [&window, &status, shot] {
                    window.refreshNow();
                    QApplication::processEvents();
                    const QPixmap pixmap = window.grab();
                    if (!pixmap.save(shot, "PNG")) {
                        printErr(QStringLiteral("breakwater: cannot write ") + shot + u'\n');
                        status = 1;
                    }
                    QApplication::exit(status);
                });
            });
    }
    const int loop = QApplication::exec();
    return status != 0 ? status : loop;
}

} // namespace bw::ui
