#include "runmetrics.h"

#include "scenariorun.h"
#include "scenariorunner.h"

namespace bw {

namespace {

class RunMetricsSource final : public MetricsSource
{
public:
    explicit RunMetricsSource(ScenarioRun &run)
        : m_run(run)
    { }

    const ScenarioRun &run() const { return m_run; }

    TimePoint now() const override { return m_run.now(); }
    int pipelineCount() const override { return m_run.operationCount(); }
    Pipeline &pipeline(int index) const override { return m_run.pipeline(index); }
    void appendServices(std::vector<MetricsSnapshot::Service> &services) const override
    {
        for (int i = 0; i < m_run.serviceCount(); ++i) {
            const BackendService &service = m_run.service(i);
            if (const std::optional<std::int64_t> wasted = service.stats().wasted)
                services.push_back({ service.name(), service.stats().completed, *wasted });
        }
    }

private:
    ScenarioRun &m_run;
};

const ScenarioRun *followedRun(const MetricsRecorder &recorder)
{
    const auto *source = dynamic_cast<const RunMetricsSource *>(recorder.source());
    return source ? &source->run() : nullptr;
}

} // namespace

void attachMetrics(MetricsRecorder &recorder, ScenarioRun &run)
{
    recorder.attach(std::make_unique<RunMetricsSource>(run));
    run.addSink(&recorder);
}

void monitorRunner(MetricsRecorder &recorder, ScenarioRunner &runner)
{
    runner.setSetup([&recorder](ScenarioRun &sim) { attachMetrics(recorder, sim); });
    // Direct: publish on the runner's thread, where the simulation lives, as the tick ends.
    // Only while it follows this runner's simulation: a new runner publishes (a speed change, say)
    // before it builds one, when the recorder may still point at a replaced runner's, now gone.
    QObject::connect(
        &runner, &ScenarioRunner::progress, &runner,
        [&recorder, &runner](const RunProgress &) {
            if (runner.simulation() && runner.simulation() == followedRun(recorder))
                recorder.publish();
        },
        Qt::DirectConnection);
}

} // namespace bw
