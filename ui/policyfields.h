#pragma once

#include "resilience/policy.h"

#include <QList>
#include <QString>
#include <QVariant>

#include <utility>

namespace bw {

// A stage's section of the Policy dock: a group box that switches the stage on or off.
struct PolicySection
{
    QString key; // the policy file's key, and the group box's object name
    QString title, tip;
    bool (*isOn)(const PolicyConfig &policy) = nullptr;
    // On: keeps the policy's settings for the stage, or adds the defaults; off: removes them.
    void (*setOn)(PolicyConfig &policy, bool on) = nullptr;
};

// One field of the Policy dock: where it sits in a policy, the control that shows it, and how
// it reads and writes a PolicyConfig. Adding a field to the dock is adding a row to policyFields().
struct PolicyField
{
    enum class Control
    {
        Integer, // QSpinBox
        Decimal, // QDoubleSpinBox
        Flag, // QCheckBox, labelled by `label`
        Choice, // QComboBox of `choices`
        Text // QLineEdit
    };

    QString path; // as policyChanges() names it: its first part is the section's key
    QString key; // the control's object name
    QString label, tip;
    Control control = Control::Integer;
    double min = 0, max = 0;
    int decimals = 0; // Decimal
    double step = 1; // Decimal
    QString suffix;
    QString emptyText; // what a spin box shows at its minimum, or a line edit when empty
    QList<std::pair<QString, int>> choices; // Choice: each item's text and value
    // The value as the control shows it (milliseconds for a duration, percent for a rate).
    QVariant (*get)(const PolicyConfig &policy) = nullptr;
    // Writes the control's value into `policy`, whose section is on; `held` is the policy the
    // editor held before the edit.
    void (*set)(PolicyConfig &policy, const QVariant &value, const PolicyConfig &held) = nullptr;
    // Whether the field applies to `policy`, its section being on; null: always.
    bool (*applies)(const PolicyConfig &policy) = nullptr;

    QString section() const { return path.section(u'.', 0, 0); }
};

// The stages' sections, in the dock's order.
const QList<PolicySection> &policySections();
// Every field the dock shows, section by section, in the dock's order.
const QList<PolicyField> &policyFields();

} // namespace bw
