#include "runexport.h"

namespace bw {

bool exportRun(const ScenarioConfig &scenario, std::optional<std::uint64_t> seed,
    const QList<TimedCommand> &commands, TimePoint until, const RunOutputPaths &paths, QString *error,
    const std::function<bool(double fraction)> &progress, RunRecord *record)
{
    RunSession session(scenario, seed, commands, until);
    if (record)
        session.recordSeries();
    if (!session.open(paths, error))
        return false;
    // Chunks of virtual time, so that progress moves evenly whatever the traffic.
    const Duration total = session.until();
    const Duration chunk = std::max(fromMs(1), total / 200);
    while (!session.atEnd()) {
        session.advanceTo(session.run().now() + chunk);
        if (progress && !progress(total.count() > 0 ? double(session.run().now().count()) / double(total.count()) : 1.0)) {
            if (error)
                *error = QStringLiteral("cancelled");
            return false;
        }
    }
    if (!session.finish(error))
        return false;
    if (record)
        *record = RunRecord { session.summaryJson(), session.series() };
    return true;
}

} // namespace bw
