#pragma once

#include "lab/sweep.h"

#include <QDialog>
#include <QElapsedTimer>
#include <QTimer>

#include <memory>
#include <stop_token>

class QComboBox;
class QLabel;
class QLineEdit;
class QProgressBar;
class QPushButton;
class QSpinBox;
class QThread;

namespace bw {

class MainWindow;
class SweepHeatMap;
class SweepScatter;
struct PolicyField;

// The window's Sweep dialog (README, "Sweeping thresholds"): one or two numeric fields of an
// operation's policy (the Policy dock's table, policyfields.h) over ranges as `breakwater sweep
// --vary` takes them, on the scenario as it runs now (the editor's policies), on every core with
// a progress bar and Cancel. Then a heat map of the objective and a Pareto scatter; a click on a
// point applies its policy in the Policy dock, as the dock's own edits are, and runs it live.
class SweepDialog final : public QDialog
{
    Q_OBJECT

public:
    explicit SweepDialog(MainWindow *window);
    ~SweepDialog() override;

    // Sets the parameters from `breakwater sweep --vary` arguments (KEY=SPEC, at most two), for
    // the operation selected in the Policy dock; false, with the reason, when the operation's
    // policy has no such field.
    bool setVary(const QStringList &vary, QString *error);
    // Starts the sweep the controls describe; false, with the reason shown in the dialog (and in
    // *problem), when they describe none (a bad range, a value the policy refuses, too many runs).
    bool run(QString *problem = nullptr);
    // Stops the sweep: no run starts after it; the dialog is ready for another.
    void cancel();
    bool isRunning() const { return m_thread != nullptr; }

    // The last finished sweep: what ran, and its ranked result.
    const SweepPlan &plan() const { return m_plan; }
    const SweepResult &result() const { return m_result; }
    SweepHeatMap *heatMap() const { return m_heatMap; }
    SweepScatter *scatter() const { return m_scatter; }

Q_SIGNALS:
    // A sweep ended: completed with a result, or cancelled with none.
    void sweepFinished(bool completed);

protected:
    void showEvent(QShowEvent *event) override;
    void reject() override; // closing cancels: a hidden sweep would hold every core

private:
    void buildControls();
    void takeWindowState(); // the scenario's operations and fields, the window's seed
    void listFields(); // the selected operation's sweepable fields
    void fieldChosen(int parameter);
    std::optional<SweepPlan> planFromControls(QString *error) const;
    void finish();
    void showResult();
    void applyPoint(qsizetype point);
    void setStatus(const QString &text, bool problem);
    void setRunning(bool running);
    PolicyConfig basePolicy() const;
    const PolicyField *field(int parameter) const;

    MainWindow *m_window;
    SweepPlan m_plan; // of the last finished sweep
    QList<PolicyConfig> m_policies; // its points' policies
    QList<SweepFigures> m_runs; // its runs, re-ranked when the objective changes
    SweepResult m_result;

    // The sweep under way: what its thread reads and writes, shared, so that it never points
    // into the dialog.
    struct Job;
    std::shared_ptr<Job> m_job;
    QThread *m_thread = nullptr;
    std::stop_source m_stop;
    QTimer m_poll;
    QElapsedTimer m_clock;

    QComboBox *m_operation = nullptr;
    QComboBox *m_keys[2] = {};
    QLineEdit *m_ranges[2] = {};
    QLabel *m_units[2] = {};
    QSpinBox *m_seeds = nullptr, *m_firstSeed = nullptr;
    QComboBox *m_objective = nullptr;
    QPushButton *m_runButton = nullptr, *m_cancelButton = nullptr;
    QProgressBar *m_progress = nullptr;
    QLabel *m_status = nullptr;
    SweepHeatMap *m_heatMap = nullptr;
    SweepScatter *m_scatter = nullptr;
    QComboBox *m_scatterX = nullptr, *m_scatterY = nullptr;
};

} // namespace bw
