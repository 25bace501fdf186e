#pragma once

#include "../telemetry/metricsrecorder.h"

namespace bw {

class ScenarioRun;
class ScenarioRunner;

// Makes `recorder` follow `run`: registers its operations, breakers and bulkheads (so they
// appear with zeros), reads its gauges, health and services at each publish, and adds the
// recorder as a sink. Before run.start(); the recorder must outlive the run.
void attachMetrics(MetricsRecorder &recorder, ScenarioRun &run);

// Makes `recorder` follow every ScenarioRun `runner` builds (start, restart) and publish at each
// of its progress ticks (at most ~30 a second, on the runner's thread). Call before the runner
// starts; it replaces the runner's setup function.
void monitorRunner(MetricsRecorder &recorder, ScenarioRunner &runner);

} // namespace bw
