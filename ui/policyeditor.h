#pragma once

#include "scenario/scenario.h"

#include <QHash>
#include <QTimer>
#include <QWidget>

class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QFormLayout;
class QGroupBox;
class QLabel;
class QLineEdit;
class QListWidget;
class QSpinBox;

namespace bw {

class SimulationController;
struct ControlCommand;
struct RunProgress;

// The Policy dock: every field of the selected operation's policy, one section per stage with
// an on/off box, and the pipeline order. It starts from the ScenarioConfig the controller
// loaded (never from live engine objects) and keeps its edits per operation until the next
// load or restart. Edits are debounced (DebounceMs) and posted as ControlCommands::UpdatePolicy,
// so they apply at the current virtual time.
class PolicyEditor final : public QWidget
{
    Q_OBJECT

public:
    static constexpr int DebounceMs = 150;

    explicit PolicyEditor(SimulationController *controller, QWidget *parent = nullptr);
    ~PolicyEditor() override;

    // Back to the scenario's policies (the controller's loads and restarts call it).
    void reset(const ScenarioConfig &scenario);
    QString currentOperation() const;
    void selectOperation(const QString &operation);
    // The policy the controls show now, pending edits included.
    PolicyConfig currentPolicy() const;
    // The policy the editor holds for `operation` (the scenario's, or the last edit).
    PolicyConfig policy(const QString &operation) const { return m_policies.value(operation); }
    // Shows `policy` for `operation` and posts it as an edit (File ▸ Open policy).
    void applyPolicy(const QString &operation, const PolicyConfig &policy);
    // Posts a pending edit now instead of waiting for the debounce.
    void flush();
    bool hasPendingEdit() const { return m_pending.isActive(); }

Q_SIGNALS:
    // Emitted when an edit is posted.
    void policyPosted(const QString &operation, const bw::PolicyConfig &policy);

private:
    void build();
    void showPolicy(const PolicyConfig &policy);
    void edited();
    void post();
    void onProgress(const RunProgress &progress);
    void onCommandApplied(const ControlCommand &command, bool accepted, TimePoint at);
    void showApplicableFields();
    void moveStage(int delta);

    QSpinBox *spin(QFormLayout *form, const QString &key, const QString &label, int min, int max,
        const QString &suffix, const QString &tip);
    QDoubleSpinBox *dspin(QFormLayout *form, const QString &key, const QString &label, double min,
        double max, int decimals, double step, const QString &suffix, const QString &tip);
    QCheckBox *check(QFormLayout *form, const QString &key, const QString &label, const QString &tip);
    QGroupBox *section(const QString &key, const QString &title, const QString &tip, QFormLayout **form);

    SimulationController *m_controller;
    QHash<QString, PolicyConfig> m_policies;
    QString m_shown; // the operation whose policy the controls show
    QTimer m_pending;
    bool m_loading = false;
    std::uint64_t m_generation = 0;

    QComboBox *m_operation = nullptr;
    QLabel *m_status = nullptr;
    QGroupBox *m_breaker = nullptr, *m_retry = nullptr, *m_timeout = nullptr, *m_bulkhead = nullptr,
              *m_fallback = nullptr;
    // Circuit breaker.
    QSpinBox *m_failureThreshold = nullptr, *m_volumeThreshold = nullptr, *m_slowCallDuration = nullptr,
             *m_successThreshold = nullptr, *m_halfOpenMaxCalls = nullptr, *m_breakerTimeout = nullptr,
             *m_resetTimeout = nullptr, *m_maxResetTimeout = nullptr, *m_windowSize = nullptr;
    QDoubleSpinBox *m_failureRate = nullptr, *m_slowCallRate = nullptr, *m_resetMultiplier = nullptr;
    QComboBox *m_windowType = nullptr;
    // Retry.
    QSpinBox *m_maxAttempts = nullptr, *m_initialDelay = nullptr, *m_maxDelay = nullptr,
             *m_linearIncrement = nullptr, *m_retryTimeout = nullptr;
    QDoubleSpinBox *m_backoffMultiplier = nullptr, *m_budgetRatio = nullptr, *m_budgetMinPerSecond = nullptr;
    QComboBox *m_backoff = nullptr;
    QCheckBox *m_jitter = nullptr, *m_respectRetryAfter = nullptr, *m_budget = nullptr;
    QLineEdit *m_retryableErrors = nullptr;
    // Timeout, bulkhead, fallback.
    QSpinBox *m_timeoutMs = nullptr, *m_maxConcurrent = nullptr, *m_maxQueueSize = nullptr,
             *m_queueTimeout = nullptr;
    QLineEdit *m_fallbackValue = nullptr;
    QListWidget *m_order = nullptr;
};

} // namespace bw
