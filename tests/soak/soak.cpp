// The soak (README, "Quality gates"): long runs at steady load whose resident memory must stay
// flat once warmed up. A leak or an unbounded cache of a few bytes per call shows here as
// megabytes; the unit tests' short runs cannot see it.
//
//  pipeline  `--calls` calls (10 million) through one api() pipeline on virtual time, at 1,000
//            calls/s, against a backend with latency, errors, hangs (timeouts) and a one-minute
//            outage every ten minutes (the breaker opens, probes, closes): every stage works.
//  scenario  `--scenario` (tests/soak/day.json: 24 simulated hours, three operations, faults
//            all day) with a Summary and a TimeSeriesRecorder attached.
//  real      `--real-seconds` of real HTTP calls through api() to a chaos target on 127.0.0.1,
//            its faults switching through its control API; every call and request accounted for.
//
// Resident memory (/proc/self/statm) is sampled after the warm-up (the first tenth of the calls,
// the first two simulated hours) and at the end; more than `--max-growth-kib` between them fails.
// Under AddressSanitizer (make sanitize runs a short soak for LeakSanitizer) the quarantine
// makes resident memory meaningless, so only conservation and leaks are checked there.
#include "net/chaostarget.h"
#include "net/httpoperation.h"
#include "resilience/pipeline.h"
#include "resilience/policy.h"
#include "run/scenariorun.h"
#include "run/scenariorunner.h"
#include "runtime/wallscheduler.h"
#include "scenario/scenarioloader.h"
#include "scriptedoperation.h"
#include "telemetry/summary.h"
#include "telemetry/timeseries.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QNetworkAccessManager>
#include <QNetworkReply>

#include <cstdio>
#include <unistd.h>

#if defined(__SANITIZE_ADDRESS__)
#define BW_SOAK_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define BW_SOAK_ASAN 1
#endif
#endif

using namespace bw;

namespace {

std::int64_t residentBytes()
{
    long size = 0, resident = 0;
    std::FILE *statm = std::fopen("/proc/self/statm", "r");
    if (!statm || std::fscanf(statm, "%ld %ld", &size, &resident) != 2)
        qFatal("cannot read /proc/self/statm");
    std::fclose(statm);
    return std::int64_t(resident) * sysconf(_SC_PAGESIZE);
}

double kib(std::int64_t bytes) { return double(bytes) / 1024.0; }

struct Figures
{
    std::int64_t warm = 0, end = 0;
    std::int64_t growth() const { return end - warm; }
};

bool judge(const char *what, const Figures &f, std::int64_t maxGrowth)
{
    std::printf("%s: resident %.0f KiB after warm-up, %.0f KiB at the end: %+.0f KiB (bound %.0f KiB)\n", what,
        kib(f.warm), kib(f.end), kib(f.growth()), kib(maxGrowth));
#ifdef BW_SOAK_ASAN
    std::printf("%s: AddressSanitizer build, memory bound not judged (LeakSanitizer checks at exit)\n", what);
    return true;
#else
    return f.growth() <= maxGrowth;
#endif
}

// A deterministic hash of an attempt, for the backend's answers.
std::uint64_t mix(std::uint64_t x)
{
    x += 0x9e3779b97f4a7c15ull;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
    return x ^ (x >> 31);
}

bool soakPipeline(std::int64_t calls, std::int64_t maxGrowth)
{
    VirtualScheduler scheduler;
    const Duration cycle = std::chrono::minutes(10), outage = std::chrono::minutes(1);
    test::ScriptedOperation backend(scheduler, [&](const Attempt &attempt) {
        if (scheduler.now() % cycle < outage)
            return test::Answer::fail("503", 2);
        const std::uint64_t r = mix(attempt.id) % 10000;
        if (r < 5)
            return test::Answer::hang(); // ended by api()'s 30 s timeout
        if (r < 300)
            return test::Answer::fail("503", 10);
        return test::Answer::ok(2 + int(r % 38));
    });
    Pipeline pipeline(ResiliencePolicies::api(), scheduler, 1);
    std::int64_t ended = 0;
    std::array<std::int64_t, OutcomeCount> outcomes {};
    const auto done = [&](const Result &result) {
        ++ended;
        ++outcomes[std::size_t(result.outcome)];
    };

    QElapsedTimer timer;
    timer.start();
    Figures figures;
    const std::int64_t warmUp = calls / 10;
    const Duration gap = std::chrono::milliseconds(1);
    for (std::int64_t i = 0; i < calls; ++i) {
        if (i == warmUp)
            figures.warm = residentBytes();
        pipeline.execute(backend, CallCallback(done), std::uint64_t(i));
        scheduler.advanceTo(scheduler.now() + gap);
    }
    while (scheduler.runNext()) { } // the calls still in flight end: retries, timeouts
    figures.end = residentBytes();

    std::printf("pipeline: %lld calls through api() in %.1f s wall, %.1f h virtual; ended %lld; in flight %d\n",
        static_cast<long long>(calls), double(timer.elapsed()) / 1000.0,
        double(scheduler.now().count()) / 3.6e12, static_cast<long long>(ended), pipeline.callsInFlight());
    std::printf("pipeline: outcomes");
    for (int o = 0; o < OutcomeCount; ++o)
        if (outcomes[std::size_t(o)] > 0)
            std::printf(" %s %lld", outcomeName(Outcome(o)).data(), static_cast<long long>(outcomes[std::size_t(o)]));
    std::printf("; backend started %d, answered %d, cancelled %d\n", backend.started, backend.answered, backend.cancelled);
    bool ok = true;
    if (ended != calls || pipeline.callsInFlight() != 0) {
        std::printf("pipeline: FAIL: %lld offered, %lld ended\n", static_cast<long long>(calls), static_cast<long long>(ended));
        ok = false;
    }
    if (backend.started != backend.answered + backend.cancelled || backend.inFlight() != 0) {
        std::printf("pipeline: FAIL: backend attempts unaccounted for\n");
        ok = false;
    }
    if (!judge("pipeline", figures, maxGrowth)) {
        std::printf("pipeline: FAIL: resident memory grew\n");
        ok = false;
    }
    return ok;
}

bool soakScenario(const QString &path, std::int64_t maxGrowth)
{
    LoadError error;
    std::optional<ScenarioConfig> scenario = loadScenarioFile(path, &error);
    if (!scenario) {
        std::printf("scenario: FAIL: %s\n", qPrintable(error.toString()));
        return false;
    }
    QElapsedTimer timer;
    timer.start();
    ScenarioRun sim(std::move(*scenario));
    Summary summary;
    sim.setSummary(&summary);
    // The GUI's recorder keeps an hour of seconds and a day of minutes: bounded, but a day of
    // minutes fills only at the end of a day. Keeping an hour of minutes instead fills both
    // within the warm-up, so what grows after it is growth the bounds do not cover.
    TimeSeriesRecorder::Config config;
    config.coarseCapacity = 60;
    TimeSeriesRecorder series(config);
    recordSimulation(series, sim);
    sim.start();
    series.attach(sim.scheduler(), sim.end());

    Figures figures;
    const Duration warmUp = std::min<Duration>(std::chrono::hours(2), sim.end() / 10);
    sim.advanceTo(warmUp);
    figures.warm = residentBytes();
    sim.runToEnd();
    figures.end = residentBytes();

    std::int64_t offered = 0, ended = 0;
    for (const auto &[name, op] : summary.operations()) {
        offered += op.offered;
        ended += op.ended();
    }
    std::printf("scenario: %s, %.1f h simulated in %.1f s wall: %lld calls offered, %lld ended\n",
        qPrintable(sim.scenario().name), double(sim.end().count()) / 3.6e12, double(timer.elapsed()) / 1000.0,
        static_cast<long long>(offered), static_cast<long long>(ended));
    bool ok = true;
    if (!summary.isConserved() || offered != ended || offered == 0) {
        std::printf("scenario: FAIL: calls unaccounted for\n");
        ok = false;
    }
    if (!judge("scenario", figures, maxGrowth)) {
        std::printf("scenario: FAIL: resident memory grew\n");
        ok = false;
    }
    return ok;
}

// The chaos target's settings, in turn, through its control API: healthy, errors, latency,
// hangs, resets, rate limiting. Every phase shows in its stats, so each was really in force.
const QList<QByteArray> &chaosPhases()
{
    static const QList<QByteArray> phases {
        R"({"errorRate": 0, "latencyMs": 2, "jitterMs": 2, "hangRate": 0, "resetRate": 0, "retryAfterMs": 0})",
        R"({"errorRate": 0.3, "status": 503, "latencyMs": 5})",
        R"({"errorRate": 0, "latencyMs": 150, "jitterMs": 100})",
        R"({"latencyMs": 5, "jitterMs": 5, "hangRate": 0.02})",
        R"({"hangRate": 0, "resetRate": 0.1})",
        R"({"resetRate": 0, "errorRate": 0.5, "status": 429, "retryAfterMs": 500})",
    };
    return phases;
}

// `seconds` of real HTTP calls through api() to a chaos target on 127.0.0.1, at `rate` calls/s,
// its faults switching every `phaseSeconds` through PUT /_chaos. Every call offered must end,
// every request started must be answered or aborted, and memory must stay flat.
bool soakReal(int seconds, double rate, std::int64_t maxGrowth)
{
    WallScheduler scheduler;
    ChaosTarget target(scheduler, 7);
    const quint16 port = target.start();
    if (port == 0) {
        std::printf("real: FAIL: the chaos target cannot listen on 127.0.0.1\n");
        return false;
    }
    const QString base = QStringLiteral("http://127.0.0.1:%1").arg(port);
    HttpClient network;
    QNetworkAccessManager control; // the chaos target's control API
    HttpOperation operation(network, HttpRequest { QByteArrayLiteral("GET"), QUrl(base + QStringLiteral("/pay")), {}, {} });
    // api(), with the breaker probing after 5 s rather than 60 s: the faults switch every 20 s,
    // and a breaker open for a minute after each would leave the target little traffic.
    PolicyConfig policy = ResiliencePolicies::api();
    policy.circuitBreaker->resetTimeout = std::chrono::seconds(5);
    Pipeline pipeline(policy, scheduler, 1);

    const Duration length = std::chrono::seconds(seconds);
    const Duration phaseLength = std::chrono::seconds(std::max(1, std::min(20, seconds / 12)));
    const Duration gap = fromMs(1000.0 / rate);
    std::int64_t offered = 0, ended = 0, phasesSet = 0;
    std::array<std::int64_t, OutcomeCount> outcomes {};
    bool sending = true;
    Figures figures;
    QEventLoop loop;
    TimePoint origin = scheduler.now();

    std::function<void()> arrive = [&] {
        if (!sending)
            return;
        ++offered;
        pipeline.execute(operation, CallCallback([&](const Result &result) {
            ++ended;
            ++outcomes[std::size_t(result.outcome)];
        }), std::uint64_t(offered));
        // At fixed times from the start, so that late timers do not lower the rate.
        scheduler.scheduleAt(origin + gap * offered, [&] { arrive(); });
    };
    std::size_t phase = 0;
    std::function<void()> switchPhase = [&] {
        if (!sending)
            return;
        QNetworkRequest put(QUrl(base + QStringLiteral("/_chaos")));
        put.setHeader(QNetworkRequest::ContentTypeHeader, QStringLiteral("application/json"));
        QNetworkReply *reply = control.put(put, chaosPhases().at(phase++ % std::size_t(chaosPhases().size())));
        QObject::connect(reply, &QNetworkReply::finished, reply, [&phasesSet, reply] {
            if (reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt() == 200)
                ++phasesSet;
            reply->deleteLater();
        });
        scheduler.schedule(phaseLength, [&] { switchPhase(); });
    };
    const auto drained = [&] { return pipeline.callsInFlight() == 0 && operation.stats().inFlight() == 0; };
    std::function<void()> waitForDrain = [&] {
        if (drained() || scheduler.now() - origin > length + std::chrono::seconds(60)) {
            figures.end = residentBytes();
            loop.quit();
            return;
        }
        scheduler.schedule(std::chrono::milliseconds(100), [&] { waitForDrain(); });
    };

    QElapsedTimer timer;
    timer.start();
    origin = scheduler.now();
    switchPhase();
    arrive();
    // Warm-up: one round of every phase (or a fifth of a short run).
    const Duration warmUp = std::min<Duration>(phaseLength * chaosPhases().size(), length / 5);
    scheduler.schedule(warmUp, [&] { figures.warm = residentBytes(); });
    scheduler.schedule(length, [&] {
        sending = false;
        waitForDrain();
    });
    loop.exec();

    const ChaosTarget::Stats &served = target.stats();
    std::printf("real: %.0f s of HTTP at %.0f calls/s to the chaos target (faults switching every %lld s): "
                "%lld calls offered, %lld ended, %d in flight\n",
        double(timer.elapsed()) / 1000.0, rate, static_cast<long long>(std::chrono::duration_cast<std::chrono::seconds>(phaseLength).count()),
        static_cast<long long>(offered), static_cast<long long>(ended), pipeline.callsInFlight());
    std::printf("real: outcomes");
    for (int o = 0; o < OutcomeCount; ++o)
        if (outcomes[std::size_t(o)] > 0)
            std::printf(" %s %lld", outcomeName(Outcome(o)).data(), static_cast<long long>(outcomes[std::size_t(o)]));
    std::printf("\nreal: requests started %lld, completed %lld, aborted %lld; the target served %lld: ok %lld, errors %lld, "
                "hangs %lld, resets %lld, abandoned %lld; %lld fault phases set\n",
        static_cast<long long>(operation.stats().started), static_cast<long long>(operation.stats().completed),
        static_cast<long long>(operation.stats().aborted), static_cast<long long>(served.requests),
        static_cast<long long>(served.ok), static_cast<long long>(served.errors), static_cast<long long>(served.hangs),
        static_cast<long long>(served.resets), static_cast<long long>(served.abandoned), static_cast<long long>(phasesSet));
    bool ok = true;
    if (offered == 0 || ended != offered || !drained()) {
        std::printf("real: FAIL: calls or requests unaccounted for\n");
        ok = false;
    }
    if (phasesSet < std::min<std::int64_t>(std::int64_t(chaosPhases().size()), length / phaseLength)
        || served.errors == 0 || served.resets == 0 || (seconds >= 60 && served.hangs == 0)) {
        std::printf("real: FAIL: the faults did not all take effect\n");
        ok = false;
    }
    if (!judge("real", figures, maxGrowth)) {
        std::printf("real: FAIL: resident memory grew\n");
        ok = false;
    }
    return ok;
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("Soak: long runs whose resident memory must stay flat."));
    parser.addHelpOption();
    const QCommandLineOption callsOption(QStringLiteral("calls"), QStringLiteral("Calls through the api() pipeline."),
        QStringLiteral("n"), QStringLiteral("10000000"));
    const QCommandLineOption scenarioOption(QStringLiteral("scenario"), QStringLiteral("Scenario file to run to its end."),
        QStringLiteral("file"));
    const QCommandLineOption growthOption(QStringLiteral("max-growth-kib"),
        QStringLiteral("Resident memory growth allowed after warm-up."), QStringLiteral("KiB"), QStringLiteral("1024"));
    const QCommandLineOption realOption(QStringLiteral("real-seconds"),
        QStringLiteral("Seconds of real HTTP traffic against a chaos target (0: none)."), QStringLiteral("s"),
        QStringLiteral("0"));
    const QCommandLineOption rateOption(QStringLiteral("real-rate"), QStringLiteral("Calls per second in the real soak."),
        QStringLiteral("n"), QStringLiteral("50"));
    parser.addOptions({ callsOption, scenarioOption, growthOption, realOption, rateOption });
    parser.process(app);

    bool ok = false;
    const std::int64_t calls = parser.value(callsOption).toLongLong(&ok);
    const std::int64_t maxGrowth = parser.value(growthOption).toLongLong() * 1024;
    bool realOk = false, rateOk = false;
    const int realSeconds = parser.value(realOption).toInt(&realOk);
    const double rate = parser.value(rateOption).toDouble(&rateOk);
    if (!ok || calls < 10 || maxGrowth < 0 || !realOk || realSeconds < 0 || !rateOk || rate <= 0 || rate > 10000) {
        std::fprintf(stderr, "soak: --calls (at least 10), --max-growth-kib and --real-seconds take whole numbers, "
                             "--real-rate a rate up to 10000\n");
        return 2;
    }
    bool passed = soakPipeline(calls, maxGrowth);
    if (parser.isSet(scenarioOption))
        passed = soakScenario(parser.value(scenarioOption), maxGrowth) && passed;
    if (realSeconds > 0)
        passed = soakReal(realSeconds, rate, maxGrowth) && passed;
    std::printf("soak: %s\n", passed ? "PASS" : "FAIL");
    return passed ? 0 : 1;
}
