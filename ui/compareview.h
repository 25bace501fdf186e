#pragma once

#include "comparecharts.h"
#include "simulationcontroller.h"

#include "lab/comparison.h"

#include <QTimer>
#include <QWidget>

#include <memory>
#include <optional>

class QComboBox;
class QMenu;
class QLabel;
class QProgressBar;
class QPushButton;
class QTableWidget;
class QToolButton;

namespace bw {

// The window's Compare mode: up to four candidate policies, each run live by its own
// SimulationController on the same scenario and seed (common random numbers), drawn side by side:
// every chart has one line per candidate on the shared time axis, in the candidate's colour
// (the same in every chart, the breaker lanes and the table's header), the breaker timeline one
// lane per candidate and breaker, and under them the verdict table of `breakwater compare`
// (engine/lab/comparison.h, the same code), measured in virtual time to the run's end on a
// background thread. Live edits (the Policy, Faults and Breakers docks) go to one candidate at a
// time: the window binds those docks to selectedController().
class CompareView final : public QWidget
{
    Q_OBJECT

public:
    static constexpr int MaxCandidates = 4;

    explicit CompareView(QWidget *parent = nullptr);
    ~CompareView() override;

    // Starts over with `scenario` (the candidates' base) on `seed` at `speed`, keeping the
    // candidates; the runs stay idle until start().
    void setScenario(const ScenarioConfig &scenario, std::uint64_t seed, double speed);
    const ScenarioConfig &scenario() const { return m_scenario; }
    std::uint64_t seed() const { return m_seed; }
    // The operation the candidates' policies go to; empty (or not the scenario's): every operation
    // (as `compare --operation`). The runs start over.
    void setOperation(const QString &operation);
    QString operation() const { return m_operation; }
    // The policy that "Current policy" adds: the single run's, with its edits.
    void setCurrentPolicy(const PolicyConfig &policy) { m_currentPolicy = policy; }

    // Adds a candidate, loaded on the current scenario and seed; when the others have begun,
    // they all start over from zero with it (and run on if they were running).
    // False when there are MaxCandidates already. `source` says where its policy came from.
    bool addCandidate(const QString &name, const PolicyConfig &policy, const QString &source);
    void removeCandidate(int index);
    // Drops every candidate and its run.
    void clear();
    int candidateCount() const { return int(m_runs.size()); }
    Candidate candidate(int index) const;
    QColor color(int index) const { return m_runs[std::size_t(index)]->color; }
    SimulationController *controller(int index) const { return m_runs[std::size_t(index)]->controller.get(); }
    const TelemetryHistory &history(int index) const { return *m_runs[std::size_t(index)]->history; }

    // The candidate live edits go to (-1: none), and the selector that picks it.
    int selected() const;
    void select(int index);
    SimulationController *selectedController() const;
    // The selected candidate's scenario as it runs now: its policy and the live edits since.
    ScenarioConfig selectedScenario() const;
    // A live policy edit of the selected candidate (the Policy dock posted it): kept for its
    // scenario, and, on the compared operation, its policy in the verdict table from now on.
    void policyEdited(const QString &operation, const PolicyConfig &policy);

    // Every candidate's run at once.
    void start();
    void pause();
    void step(Duration length);
    void restart();
    void setSpeed(double speed);
    // Finished when every run is; running when any is; then paused, then idle.
    RunProgress::State state() const;
    // The least advanced run's time: what every candidate has shown.
    TimePoint now() const;
    TimePoint end() const;

    // The verdict table's source: every candidate measured to the run's end; nullopt while measuring.
    const std::optional<Comparison> &comparison() const { return m_comparison; }
    bool isMeasuring() const { return m_measuring != nullptr; }
    QTableWidget *verdictTable() const { return m_table; }
    QString verdictText() const;

    CompareCharts *charts() const { return m_charts; }
    const QList<TimeMarker> &markers() const { return m_markers; }
    // Redraws now from the histories (the refresh timer calls it when something arrived).
    void refresh();

Q_SIGNALS:
    // The selector picked another candidate (or the list changed under it).
    void selectionChanged();
    // Some run moved: `now` is the least advanced run's time, `state` the combined one.
    void progressed(bw::TimePoint now, bw::RunProgress::State state);
    // The verdict table shows the candidates as they are now.
    void measured();
    // A command reached the selected candidate's run (for the status bar).
    void commandApplied(const QString &candidate, const bw::ControlCommand &command, bool accepted);

private:
    struct Run
    {
        QString name, source;
        PolicyConfig policy; // the candidate's, on the compared operation(s), with its live edits
        QColor color;
        ScenarioConfig scenario; // the base with the candidate's policy and its live edits
        std::unique_ptr<SimulationController> controller;
        std::unique_ptr<TelemetryHistory> history;
    };
    void buildCandidateBar();
    void rebuildCharts();
    void loadRun(Run &run);
    // Every run from zero, each candidate with its live policy edits; started, or left idle.
    void reload(bool start);
    void onProgress(Run *run, const RunProgress &progress);
    void syncSelector();
    // The candidates changed: the table waits for a new measurement.
    void invalidate();
    void measure(); // measures every candidate on a background thread, for the table
    void showComparison();
    QMenu *addMenu();

    ScenarioConfig m_scenario;
    std::uint64_t m_seed = 0;
    double m_speed = 0;
    QString m_operation;
    PolicyConfig m_currentPolicy;
    std::vector<std::unique_ptr<Run>> m_runs;
    QList<TimeMarker> m_markers;
    bool m_dirty = false;
    QTimer m_refresh;
    QTimer m_remeasure; // edits come in bursts: one measurement after them
    std::optional<Comparison> m_comparison;
    QThread *m_measuring = nullptr;
    std::uint64_t m_measureGeneration = 0;

    QComboBox *m_selector = nullptr;
    QComboBox *m_operationBox = nullptr;
    QToolButton *m_add = nullptr;
    QPushButton *m_remove = nullptr, *m_rename = nullptr;
    CompareCharts *m_charts = nullptr;
    QLabel *m_verdict = nullptr;
    QProgressBar *m_measureProgress = nullptr;
    QTableWidget *m_table = nullptr;
};

} // namespace bw
