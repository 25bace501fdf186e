#include "runsession.h"

#include "controlscript.h"
#include "scenariorunner.h"

#include <QJsonDocument>

namespace bw {

RunSession::RunSession(
    ScenarioConfig scenario, std::optional<std::uint64_t> seed, QList<TimedCommand> controls, TimePoint until)
    : m_run(std::move(scenario), seed)
    , m_until(std::min(until, m_run.end()))
    , m_controls(std::move(controls))
{ }

bool RunSession::open(const RunOutputPaths &paths, QString *error)
{
    if (!paths.events.isEmpty()) {
        m_events.emplace();
        if (!m_events->open(paths.events, error))
            return false;
        m_run.setEventLog(&*m_events);
    }
    const auto create = [error](const QString &path, std::optional<AtomicFile> &file) {
        if (path.isEmpty())
            return true;
        file.emplace(path);
        return file->open(error);
    };
    if (!create(paths.summary, m_summaryFile) || !create(paths.csv, m_csvFile))
        return false;
    m_run.setSummary(&m_summary);
    if (m_csvFile || m_recordSeries) {
        // Every second of the run is kept, so the CSV (or report) covers all of it.
        TimeSeriesRecorder::Config config;
        config.recentCapacity = std::max<int>(
            config.coarseFactor, int(std::chrono::ceil<std::chrono::seconds>(m_until).count()) + 1);
        m_series.emplace(config);
        recordSimulation(*m_series, m_run);
    }
    return true;
}

void RunSession::start()
{
    m_started = true;
    m_run.start();
    if (m_series) // the run ends at until(): its last row is the state then, not the teardown after
        m_series->attach(m_run.scheduler(), m_until);
}

void RunSession::advanceTo(TimePoint target)
{
    if (!m_started)
        start();
    target = std::min(target, m_until);
    qsizetype due = m_nextControl;
    while (due < m_controls.size() && m_controls[due].at <= target)
        ++due;
    applyControls(m_run, m_controls.mid(m_nextControl, due - m_nextControl));
    m_nextControl = due;
    m_run.advanceTo(target);
}

bool RunSession::finish(QString *error)
{
    advanceTo(m_until);
    m_run.finish();
    if (m_events) {
        if (!m_events->finish(error))
            return false;
        m_summary.setEvents(m_events->count(), m_events->sha256Hex());
    }
    if (m_series) {
        m_series->finish(m_run.now());
        m_series->detach();
    }
    if (m_csvFile) {
        m_csvFile->device()->write(m_series->toCsv());
        if (!m_csvFile->commit(error))
            return false;
    }
    if (m_summaryFile) {
        m_summaryFile->device()->write(summaryJson());
        if (!m_summaryFile->commit(error))
            return false;
    }
    return true;
}

QByteArray RunSession::summaryJson() const
{
    if (m_events)
        return m_summary.toJsonBytes();
    QJsonObject json = m_summary.toJson();
    json.remove(QStringLiteral("events"));
    json.remove(QStringLiteral("eventsSha256"));
    return QJsonDocument(json).toJson(QJsonDocument::Indented); // as Summary::toJsonBytes()
}

TimeSeriesSnapshot RunSession::series() const
{
    return m_series ? m_series->takeSince(TimeSeriesCursor {}) : TimeSeriesSnapshot {};
}

} // namespace bw
