// Real network mode: requests per second against a chaos target on 127.0.0.1, through the full
// pipeline and with the same client alone, in the same run, so the difference is the engine's.
//   build/tests/bench/breakwater_net_bench --benchmark_repetitions=5 --benchmark_report_aggregates_only=true
#include "net/chaostarget.h"
#include "net/httpoperation.h"
#include "resilience/pipeline.h"
#include "runtime/wallscheduler.h"

#include <QCoreApplication>
#include <QEventLoop>
#include <QThread>

#include <benchmark/benchmark.h>

#include <future>

using namespace bw;

namespace {

// A chaos target (all requests succeed at once) on its own thread, so that serving does not
// share the client's thread: the client side is what is compared.
class TargetThread
{
public:
    TargetThread()
    {
        std::promise<quint16> port;
        m_thread.reset(QThread::create([&port] {
            WallScheduler scheduler;
            ChaosTarget target(scheduler);
            port.set_value(target.start());
            QEventLoop loop;
            loop.exec();
        }));
        m_thread->start();
        m_port = port.get_future().get();
    }
    ~TargetThread()
    {
        m_thread->quit();
        m_thread->wait();
    }
    QUrl url() const { return QUrl(QStringLiteral("http://127.0.0.1:%1/bench").arg(m_port)); }

private:
    std::unique_ptr<QThread> m_thread;
    quint16 m_port = 0;
};

TargetThread &target()
{
    static TargetThread t;
    return t;
}

// Requests kept in flight, really: each on its own connection (HttpClient has no per-host limit),
// and below the api() bulkhead's 50, so both sides send the same load.
constexpr int InFlight = 48;
constexpr int PerIteration = 256;

// Runs `PerIteration` requests with `InFlight` at a time; `send(done)` starts one.
template<typename Send> void runBatch(Send send)
{
    int started = 0, ended = 0;
    std::function<void()> next;
    next = [&] {
        ++ended;
        if (started < PerIteration) {
            ++started;
            send(next);
        }
    };
    for (; started < InFlight; ++started)
        send(next);
    while (ended < PerIteration)
        QCoreApplication::processEvents(QEventLoop::AllEvents | QEventLoop::WaitForMoreEvents);
}

} // namespace

// The same HttpOperation (the same HttpClient and request) started directly: what a
// program does without the engine.
class DirectCompletion final : public CompletionTarget
{
public:
    std::function<void()> *done = nullptr;
    std::int64_t failures = 0;
    void complete(std::uint64_t, Result &&result) override
    {
        failures += !result.ok();
        (*done)();
    }
};

static void BM_HttpBareClient(benchmark::State &state)
{
    HttpClient network;
    HttpRequest request;
    request.url = target().url();
    HttpOperation operation(network, request);
    DirectCompletion completion;
    std::uint64_t id = 0;
    for (auto _ : state) {
        runBatch([&](const std::function<void()> &done) {
            completion.done = const_cast<std::function<void()> *>(&done);
            Attempt attempt;
            attempt.id = ++id;
            operation.start(attempt, Completion(&completion, attempt.id));
        });
    }
    state.SetItemsProcessed(state.iterations() * PerIteration);
    state.counters["failures"] = double(completion.failures);
}
BENCHMARK(BM_HttpBareClient)->Unit(benchmark::kMillisecond)->UseRealTime();

static void BM_HttpThroughPipeline(benchmark::State &state)
{
    HttpClient network;
    HttpRequest request;
    request.url = target().url();
    HttpOperation operation(network, request);
    WallScheduler scheduler;
    // The api preset: retry, circuit breaker, timeout and bulkhead all on.
    Pipeline pipeline(ResiliencePolicies::api(), scheduler);
    std::int64_t failures = 0;
    for (auto _ : state) {
        runBatch([&](const std::function<void()> &done) {
            pipeline.execute(operation, [&done, &failures](const Result &r) {
                failures += !r.ok();
                done();
            });
        });
    }
    state.SetItemsProcessed(state.iterations() * PerIteration);
    state.counters["failures"] = double(failures);
}
BENCHMARK(BM_HttpThroughPipeline)->Unit(benchmark::kMillisecond)->UseRealTime();
