#pragma once

#include "scenario/scenario.h"

#include <QHash>
#include <QTimer>
#include <QWidget>

class QComboBox;
class QFormLayout;
class QGridLayout;
class QGroupBox;
class QLabel;
class QListWidget;

namespace bw {

class SimulationController;
struct ControlCommand;
struct PolicyField;
struct PolicySection;
struct RunProgress;

// The Policy dock: every field of the selected operation's policy, one section per stage with
// an on/off box (both from the tables in policyfields.h), and the pipeline order. It starts from the ScenarioConfig the controller
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

    // Follows another run from now on (the Compare mode's selected candidate, or back to the
    // single run), showing `scenario`'s policies: that run's, with the edits made to it so far.
    // A pending edit goes to the run it was made for first.
    void setController(SimulationController *controller, const ScenarioConfig &scenario);
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
    void follow(SimulationController *controller);
    void build();
    void showPolicy(const PolicyConfig &policy);
    void edited();
    void post();
    void onProgress(const RunProgress &progress);
    void onCommandApplied(const ControlCommand &command, bool accepted, TimePoint at);
    void showApplicableFields();
    void layOutSections();
    void moveStage(int delta);

    QGroupBox *section(const PolicySection &section, QFormLayout **form);
    QWidget *addField(QFormLayout *form, const PolicyField &field);
    QWidget *control(const QString &key) const;

    SimulationController *m_controller = nullptr;
    QList<QMetaObject::Connection> m_followed; // to m_controller
    QHash<QString, PolicyConfig> m_policies;
    QString m_shown; // the operation whose policy the controls show
    QTimer m_pending;
    bool m_loading = false;
    std::uint64_t m_generation = 0;

    QComboBox *m_operation = nullptr;
    QLabel *m_status = nullptr;
    // A control of the policy's fields, in its section's box.
    struct Field
    {
        const PolicyField *field;
        QWidget *control;
        QGroupBox *section;
    };
    QList<QGroupBox *> m_sections; // in policySections()' order
    QGridLayout *m_sectionGrid = nullptr; // layOutSections() places them
    QList<Field> m_fields; // in policyFields()' order
    QListWidget *m_order = nullptr;
};

} // namespace bw
