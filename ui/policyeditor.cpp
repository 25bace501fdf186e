#include "policyeditor.h"

#include "policyfields.h"
#include "simulationcontroller.h"

#include "resilience/limits.h"
#include "resilience/policywriter.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QGridLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QScrollArea>
#include <QSpinBox>
#include <QToolButton>
#include <QVBoxLayout>

#include <algorithm>

namespace bw {

namespace {

// A time window counts milliseconds, a count window calls, each up to its own limit (the
// loaders': no edit sets what a policy file could not hold).
void showWindowUnit(QSpinBox *windowSize, WindowType type)
{
    const bool time = type == WindowType::Time;
    windowSize->setSuffix(time ? QStringLiteral(" ms") : QStringLiteral(" calls"));
    windowSize->setMaximum(time ? int(Limits::MaxDurationMs) : Limits::MaxCount);
}

QVariant controlValue(const QWidget *control, PolicyField::Control kind)
{
    switch (kind) {
    case PolicyField::Control::Integer: return static_cast<const QSpinBox *>(control)->value();
    case PolicyField::Control::Decimal: return static_cast<const QDoubleSpinBox *>(control)->value();
    case PolicyField::Control::Flag: return static_cast<const QCheckBox *>(control)->isChecked();
    case PolicyField::Control::Choice: return static_cast<const QComboBox *>(control)->currentData();
    case PolicyField::Control::Text: return static_cast<const QLineEdit *>(control)->text();
    }
    return {};
}

void setControlValue(QWidget *control, PolicyField::Control kind, const QVariant &value)
{
    switch (kind) {
    case PolicyField::Control::Integer: {
        auto *box = static_cast<QSpinBox *>(control);
        // A count window's size is 64-bit in the policy.
        box->setValue(int(std::min<qint64>(value.toLongLong(), box->maximum())));
        break;
    }
    case PolicyField::Control::Decimal: static_cast<QDoubleSpinBox *>(control)->setValue(value.toDouble()); break;
    case PolicyField::Control::Flag: static_cast<QCheckBox *>(control)->setChecked(value.toBool()); break;
    case PolicyField::Control::Choice: {
        auto *box = static_cast<QComboBox *>(control);
        box->setCurrentIndex(box->findData(value.toInt()));
        break;
    }
    case PolicyField::Control::Text: static_cast<QLineEdit *>(control)->setText(value.toString()); break;
    }
}

// The stage's section title: a stage is a section of the dock (policySections()).
QString stageTitle(StageKind kind)
{
    for (const PolicySection &s : policySections())
        if (s.key == stageKindName(kind))
            return s.title;
    return QString(stageKindName(kind));
}

} // namespace

PolicyEditor::PolicyEditor(SimulationController *controller, QWidget *parent)
    : QWidget(parent)
{
    m_pending.setSingleShot(true);
    m_pending.setInterval(DebounceMs);
    connect(&m_pending, &QTimer::timeout, this, &PolicyEditor::post);
    build();
    follow(controller);
    if (m_controller->isLoaded())
        reset(m_controller->scenario());
}

void PolicyEditor::follow(SimulationController *controller)
{
    for (const QMetaObject::Connection &c : std::as_const(m_followed))
        disconnect(c);
    m_controller = controller;
    m_followed = {
        connect(m_controller, &SimulationController::loaded, this, [this] { reset(m_controller->scenario()); }),
        connect(m_controller, &SimulationController::progressReceived, this, &PolicyEditor::onProgress),
        connect(m_controller, &SimulationController::commandApplied, this, &PolicyEditor::onCommandApplied),
    };
}

void PolicyEditor::setController(SimulationController *controller, const ScenarioConfig &scenario)
{
    flush();
    follow(controller);
    reset(scenario);
}

PolicyEditor::~PolicyEditor() = default;

QGroupBox *PolicyEditor::section(const PolicySection &s, QFormLayout **form)
{
    auto *box = new QGroupBox(s.title);
    box->setObjectName(s.key);
    box->setCheckable(true);
    box->setToolTip(s.tip);
    auto *f = new QFormLayout(box);
    f->setContentsMargins(6, 0, 6, 0); // tight: a whole policy fits the dock at the default size
    f->setVerticalSpacing(1);
    f->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    *form = f;
    connect(box, &QGroupBox::toggled, this, &PolicyEditor::edited);
    connect(box, &QGroupBox::toggled, this, &PolicyEditor::showApplicableFields);
    return box;
}

QWidget *PolicyEditor::addField(QFormLayout *form, const PolicyField &f)
{
    QWidget *control = nullptr;
    switch (f.control) {
    case PolicyField::Control::Integer: {
        auto *s = new QSpinBox;
        s->setRange(int(f.min), int(f.max));
        s->setSuffix(f.suffix);
        s->setSpecialValueText(f.emptyText);
        s->setAccelerated(true);
        connect(s, &QSpinBox::valueChanged, this, &PolicyEditor::edited);
        control = s;
        break;
    }
    case PolicyField::Control::Decimal: {
        auto *s = new QDoubleSpinBox;
        s->setDecimals(f.decimals);
        s->setRange(f.min, f.max);
        s->setSingleStep(f.step);
        s->setSuffix(f.suffix);
        s->setAccelerated(true);
        connect(s, &QDoubleSpinBox::valueChanged, this, &PolicyEditor::edited);
        control = s;
        break;
    }
    case PolicyField::Control::Flag: {
        auto *c = new QCheckBox(f.label);
        connect(c, &QCheckBox::toggled, this, &PolicyEditor::showApplicableFields);
        connect(c, &QCheckBox::toggled, this, &PolicyEditor::edited);
        control = c;
        break;
    }
    case PolicyField::Control::Choice: {
        auto *c = new QComboBox;
        for (const auto &[text, value] : f.choices)
            c->addItem(text, value);
        connect(c, &QComboBox::currentIndexChanged, this, &PolicyEditor::showApplicableFields);
        connect(c, &QComboBox::currentIndexChanged, this, &PolicyEditor::edited);
        control = c;
        break;
    }
    case PolicyField::Control::Text: {
        auto *e = new QLineEdit;
        e->setPlaceholderText(f.emptyText);
        connect(e, &QLineEdit::textEdited, this, &PolicyEditor::edited);
        control = e;
        break;
    }
    }
    control->setObjectName(f.key);
    control->setToolTip(f.tip);
    form->addRow(f.control == PolicyField::Control::Flag ? QString() : f.label, control);
    return control;
}

void PolicyEditor::build()
{
    auto *outer = new QVBoxLayout(this);
    outer->setContentsMargins(2, 2, 2, 2);

    auto *top = new QFormLayout;
    m_operation = new QComboBox(this);
    m_operation->setObjectName(QStringLiteral("policyOperation"));
    m_operation->setToolTip(QStringLiteral("The operation whose policy is shown and edited"));
    top->addRow(QStringLiteral("Operation:"), m_operation);
    outer->addLayout(top);
    connect(m_operation, &QComboBox::currentIndexChanged, this, [this] {
        if (!m_loading)
            selectOperation(m_operation->currentText());
    });

    auto *scroll = new QScrollArea(this);
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    auto *content = new QWidget(scroll);
    auto *v = new QVBoxLayout(content);
    v->setContentsMargins(0, 0, 0, 0);
    v->setSpacing(0); // the sections' frames part them: every stage fits the dock without scrolling
    QFormLayout *f = nullptr;

    m_sectionGrid = new QGridLayout;
    m_sectionGrid->setContentsMargins(0, 0, 0, 0);
    m_sectionGrid->setSpacing(0);
    for (const PolicySection &s : policySections()) {
        QGroupBox *box = section(s, &f);
        for (const PolicyField &field : policyFields())
            if (field.section() == s.key)
                m_fields.append({ &field, addField(f, field), box });
        m_sections.append(box);
    }
    v->addLayout(m_sectionGrid);

    // Pipeline order.
    auto *orderBox = new QGroupBox(QStringLiteral("Pipeline order (outermost first)"));
    orderBox->setObjectName(QStringLiteral("pipelineOrder"));
    orderBox->setToolTip(QStringLiteral("The order calls go through the stages; stages that are off are skipped"));
    orderBox->setSizePolicy(QSizePolicy::Preferred, QSizePolicy::Maximum); // spare height goes below it
    auto *ol = new QHBoxLayout(orderBox);
    ol->setContentsMargins(6, 2, 6, 2);
    m_order = new QListWidget;
    m_order->setObjectName(QStringLiteral("order"));
    m_order->setToolTip(QStringLiteral("Drag a stage, or use the arrows, to change the order (outermost first)"));
    // Columns, read top to bottom then left to right, so that six stages and more leave the
    // whole policy in view.
    m_order->setFlow(QListView::TopToBottom);
    m_order->setWrapping(true);
    m_order->setResizeMode(QListView::Adjust);
    m_order->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    m_order->setDragDropMode(QAbstractItemView::InternalMove);
    m_order->setDefaultDropAction(Qt::MoveAction);
    ol->addWidget(m_order, 1);
    connect(m_order->model(), &QAbstractItemModel::rowsMoved, this, &PolicyEditor::edited);
    auto *arrows = new QVBoxLayout;
    auto *up = new QToolButton;
    up->setObjectName(QStringLiteral("orderUp"));
    up->setArrowType(Qt::UpArrow);
    up->setToolTip(QStringLiteral("Move the selected stage one place outward"));
    connect(up, &QToolButton::clicked, this, [this] { moveStage(-1); });
    auto *down = new QToolButton;
    down->setObjectName(QStringLiteral("orderDown"));
    down->setArrowType(Qt::DownArrow);
    down->setToolTip(QStringLiteral("Move the selected stage one place inward"));
    connect(down, &QToolButton::clicked, this, [this] { moveStage(1); });
    arrows->addWidget(up);
    arrows->addWidget(down);
    arrows->addStretch();
    ol->addLayout(arrows);
    v->addWidget(orderBox);
    v->addStretch();

    scroll->setWidget(content);
    outer->addWidget(scroll, 1);

    m_status = new QLabel(this);
    m_status->setObjectName(QStringLiteral("policyStatus"));
    m_status->setWordWrap(true);
    m_status->setToolTip(QStringLiteral("The last edit applied to the run, at its virtual time"));
    outer->addWidget(m_status);
}

void PolicyEditor::reset(const ScenarioConfig &scenario)
{
    m_pending.stop();
    m_policies.clear();
    m_generation = 0;
    m_status->clear();
    const QString previous = m_shown;
    m_loading = true;
    m_operation->clear();
    for (const OperationConfig &op : scenario.operations) {
        m_policies.insert(op.name, op.policy);
        m_operation->addItem(op.name);
    }
    const int i = m_operation->findText(previous);
    m_operation->setCurrentIndex(i >= 0 ? i : 0);
    m_loading = false;
    m_shown.clear();
    selectOperation(m_operation->currentText());
}

QString PolicyEditor::currentOperation() const
{
    return m_shown;
}

void PolicyEditor::selectOperation(const QString &operation)
{
    flush(); // an edit belongs to the operation it was made on
    m_shown = m_policies.contains(operation) ? operation : QString();
    {
        const QSignalBlocker block(m_operation);
        m_operation->setCurrentIndex(m_operation->findText(m_shown));
    }
    setEnabled(!m_shown.isEmpty());
    showPolicy(m_policies.value(m_shown));
}

void PolicyEditor::applyPolicy(const QString &operation, const PolicyConfig &policy)
{
    selectOperation(operation);
    if (m_shown.isEmpty())
        return;
    showPolicy(policy);
    post();
}

void PolicyEditor::showPolicy(const PolicyConfig &p)
{
    m_loading = true;
    for (qsizetype i = 0; i < m_sections.size(); ++i)
        m_sections[i]->setChecked(policySections()[i].isOn(p));
    for (const Field &f : std::as_const(m_fields))
        setControlValue(f.control, f.field->control, f.field->get(p));

    m_order->clear();
    QList<StageKind> order = p.order;
    for (StageKind k : PolicyConfig::defaultOrder())
        if (!order.contains(k))
            order.append(k);
    for (StageKind k : order) {
        auto *item = new QListWidgetItem(stageTitle(k), m_order);
        item->setData(Qt::UserRole, int(k));
        item->setToolTip(k == StageKind::Hedging
                ? QStringLiteral("The Hedging stage (\"hedging\"): always innermost, since its attempts are the operation's")
                : QStringLiteral("The %1 stage (\"%2\")").arg(stageTitle(k), stageKindName(k)));
    }
    // Every stage in view, in two columns (the longest names fill half the dock), without a
    // scroll bar of its own.
    const int rows = (m_order->count() + 1) / 2;
    m_order->setFixedHeight(m_order->sizeHintForRow(0) * rows + 2 * m_order->frameWidth());
    m_loading = false;
    showApplicableFields();
}

// Only the fields that apply are shown, so that a whole policy fits the dock without scrolling:
// a section switched off keeps just its title, a back-off shows its own step, and a retry
// budget its limits once it is on.
void PolicyEditor::showApplicableFields()
{
    layOutSections();
    const PolicyConfig p = currentPolicy();
    for (const Field &f : std::as_const(m_fields)) {
        auto *form = static_cast<QFormLayout *>(f.section->layout());
        form->setRowVisible(f.control, f.section->isChecked() && (!f.field->applies || f.field->applies(p)));
    }

    const QWidget *windowType = control(QStringLiteral("windowType"));
    showWindowUnit(static_cast<QSpinBox *>(control(QStringLiteral("windowSize"))),
        WindowType(controlValue(windowType, PolicyField::Control::Choice).toInt()));
}

// A section that is on spans the dock; those that are off are only a title with a check box, two
// to a row, in the sections' order: every strategy stays in view without scrolling.
void PolicyEditor::layOutSections()
{
    for (QGroupBox *box : std::as_const(m_sections))
        m_sectionGrid->removeWidget(box);
    int row = 0, column = 0;
    for (QGroupBox *box : std::as_const(m_sections)) {
        if (box->isChecked()) {
            if (column > 0)
                ++row;
            m_sectionGrid->addWidget(box, row++, 0, 1, 2);
            column = 0;
        } else {
            m_sectionGrid->addWidget(box, row, column);
            column = 1 - column;
            row += column == 0 ? 1 : 0;
        }
    }
}

void PolicyEditor::moveStage(int delta)
{
    const int row = m_order->currentRow();
    const int to = row + delta;
    if (row < 0 || to < 0 || to >= m_order->count())
        return;
    QListWidgetItem *item = m_order->takeItem(row);
    m_order->insertItem(to, item);
    m_order->setCurrentRow(to);
    edited();
}

QWidget *PolicyEditor::control(const QString &key) const
{
    for (const Field &f : m_fields)
        if (f.field->key == key)
            return f.control;
    return nullptr;
}

PolicyConfig PolicyEditor::currentPolicy() const
{
    // Start from the held policy so that what the editor does not show (callbacks, error
    // lists, the timeout's fallback) is kept.
    const PolicyConfig base = m_policies.value(m_shown);
    PolicyConfig p = base;

    for (qsizetype i = 0; i < m_sections.size(); ++i)
        policySections()[i].setOn(p, m_sections[i]->isChecked());
    for (const Field &f : m_fields)
        if (f.section->isChecked())
            f.field->set(p, controlValue(f.control, f.field->control), base);

    p.order.clear();
    for (int i = 0; i < m_order->count(); ++i)
        p.order.append(StageKind(m_order->item(i)->data(Qt::UserRole).toInt()));
    // Hedging's attempts are the operation's: wherever it was dragged, it stays innermost, as the
    // loader requires (docs/semantics.md, "Pipeline order").
    p.order.removeOne(StageKind::Hedging);
    p.order.append(StageKind::Hedging);
    return p;
}

void PolicyEditor::edited()
{
    if (m_loading || m_shown.isEmpty())
        return;
    m_pending.start(); // restarts: a dragged spin box posts once it rests
}

void PolicyEditor::flush()
{
    if (m_pending.isActive()) {
        m_pending.stop();
        post();
    }
}

void PolicyEditor::post()
{
    if (m_shown.isEmpty())
        return;
    const PolicyConfig before = m_policies.value(m_shown);
    const PolicyConfig p = currentPolicy();
    m_policies.insert(m_shown, p);

    // What changed, field by field: shown here once the run confirms it, and in the log.
    QStringList changes = policyChanges(before, p);
    if (changes.isEmpty())
        changes.append(QStringLiteral("policy"));
    m_controller->post({ ControlCommands::UpdatePolicy { m_shown, p, changes.join(QStringLiteral(", ")) } });
    Q_EMIT policyPosted(m_shown, p);
}

void PolicyEditor::onProgress(const RunProgress &progress)
{
    // A restart drops live edits: show the scenario's policies again.
    if (progress.series.generation != m_generation && m_generation != 0) {
        const std::uint64_t generation = progress.series.generation;
        reset(m_controller->scenario());
        m_generation = generation;
        return;
    }
    m_generation = progress.series.generation;
}

void PolicyEditor::onCommandApplied(const ControlCommand &command, bool accepted, TimePoint at)
{
    const auto *update = std::get_if<ControlCommands::UpdatePolicy>(&command.command);
    if (!update)
        return;
    m_status->setText(QStringLiteral("%1 at %2 s: %3: %4")
                          .arg(accepted ? QStringLiteral("Applied") : QStringLiteral("Refused"),
                              QString::number(toSeconds(at), 'f', 1), update->operation, update->change));
}

} // namespace bw
