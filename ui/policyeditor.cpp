#include "policyeditor.h"

#include "simulationcontroller.h"

#include "resilience/limits.h"
#include "resilience/policywriter.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QScrollArea>
#include <QSpinBox>
#include <QToolButton>
#include <QVBoxLayout>

#include <cmath>

namespace bw {

namespace {

// The loaders' limits, so that no edit sets what a policy file could not hold.
constexpr int MaxMs = int(Limits::MaxDurationMs);

// A time window counts milliseconds, a count window calls, each up to its own limit.
void showWindowUnit(QSpinBox *windowSize, WindowType type)
{
    const bool time = type == WindowType::Time;
    windowSize->setSuffix(time ? QStringLiteral(" ms") : QStringLiteral(" calls"));
    windowSize->setMaximum(time ? MaxMs : Limits::MaxCount);
}

int ms(Duration d)
{
    return int(std::llround(toMs(d)));
}

QString stageTitle(StageKind kind)
{
    switch (kind) {
    case StageKind::Fallback: return QStringLiteral("Fallback");
    case StageKind::Retry: return QStringLiteral("Retry");
    case StageKind::CircuitBreaker: return QStringLiteral("Circuit breaker");
    case StageKind::Bulkhead: return QStringLiteral("Bulkhead");
    case StageKind::Timeout: return QStringLiteral("Timeout");
    }
    return {};
}

} // namespace

PolicyEditor::PolicyEditor(SimulationController *controller, QWidget *parent)
    : QWidget(parent)
    , m_controller(controller)
{
    m_pending.setSingleShot(true);
    m_pending.setInterval(DebounceMs);
    connect(&m_pending, &QTimer::timeout, this, &PolicyEditor::post);
    build();
    connect(m_controller, &SimulationController::loaded, this, [this] { reset(m_controller->scenario()); });
    connect(m_controller, &SimulationController::progressReceived, this, &PolicyEditor::onProgress);
    connect(m_controller, &SimulationController::commandApplied, this, &PolicyEditor::onCommandApplied);
    if (m_controller->isLoaded())
        reset(m_controller->scenario());
}

PolicyEditor::~PolicyEditor() = default;

QGroupBox *PolicyEditor::section(const QString &key, const QString &title, const QString &tip, QFormLayout **form)
{
    auto *box = new QGroupBox(title);
    box->setObjectName(key);
    box->setCheckable(true);
    box->setToolTip(tip);
    auto *f = new QFormLayout(box);
    f->setContentsMargins(6, 2, 6, 2); // tight: a whole policy fits the dock at the default size
    f->setVerticalSpacing(2);
    f->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    *form = f;
    connect(box, &QGroupBox::toggled, this, &PolicyEditor::edited);
    connect(box, &QGroupBox::toggled, this, &PolicyEditor::showApplicableFields);
    return box;
}

QSpinBox *PolicyEditor::spin(QFormLayout *form, const QString &key, const QString &label, int min, int max,
    const QString &suffix, const QString &tip)
{
    auto *s = new QSpinBox;
    s->setObjectName(key);
    s->setRange(min, max);
    s->setSuffix(suffix);
    s->setToolTip(tip);
    s->setAccelerated(true);
    form->addRow(label, s);
    connect(s, &QSpinBox::valueChanged, this, &PolicyEditor::edited);
    return s;
}

QDoubleSpinBox *PolicyEditor::dspin(QFormLayout *form, const QString &key, const QString &label, double min,
    double max, int decimals, double step, const QString &suffix, const QString &tip)
{
    auto *s = new QDoubleSpinBox;
    s->setObjectName(key);
    s->setDecimals(decimals);
    s->setRange(min, max);
    s->setSingleStep(step);
    s->setSuffix(suffix);
    s->setToolTip(tip);
    s->setAccelerated(true);
    form->addRow(label, s);
    connect(s, &QDoubleSpinBox::valueChanged, this, &PolicyEditor::edited);
    return s;
}

QCheckBox *PolicyEditor::check(QFormLayout *form, const QString &key, const QString &label, const QString &tip)
{
    auto *c = new QCheckBox(label);
    c->setObjectName(key);
    c->setToolTip(tip);
    form->addRow(QString(), c);
    connect(c, &QCheckBox::toggled, this, &PolicyEditor::edited);
    return c;
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
    v->setSpacing(4);
    QFormLayout *f = nullptr;

    // Circuit breaker.
    m_breaker = section(QStringLiteral("circuitBreaker"), QStringLiteral("Circuit breaker"),
        QStringLiteral("On: calls go through a circuit breaker that stops calling a failing backend"), &f);
    m_failureThreshold = spin(f, QStringLiteral("failureThreshold"), QStringLiteral("Failure threshold"), 0, 10000,
        QString(), QStringLiteral("Consecutive failures in CLOSED that open the breaker (0 = off)"));
    m_failureRate = dspin(f, QStringLiteral("failureRateThreshold"), QStringLiteral("Failure rate"), 0, 100, 1, 5,
        QStringLiteral(" %"), QStringLiteral("Failure rate over the window that opens the breaker (0 = off)"));
    m_volumeThreshold = spin(f, QStringLiteral("volumeThreshold"), QStringLiteral("Volume threshold"), 0, 1000000,
        QString(), QStringLiteral("Calls the window must hold before any rate is judged"));
    m_slowCallDuration = spin(f, QStringLiteral("slowCallDurationThreshold"), QStringLiteral("Slow call"), 0,
        MaxMs, QStringLiteral(" ms"), QStringLiteral("A call longer than this counts as slow, success or failure"));
    m_slowCallRate = dspin(f, QStringLiteral("slowCallRateThreshold"), QStringLiteral("Slow-call rate"), 0, 100, 1,
        5, QStringLiteral(" %"), QStringLiteral("Slow-call rate over the window that opens the breaker (0 = off)"));
    m_successThreshold = spin(f, QStringLiteral("successThreshold"), QStringLiteral("Success threshold"), 1, 10000,
        QString(), QStringLiteral("Consecutive successful trial calls in HALF_OPEN that close the breaker"));
    m_halfOpenMaxCalls = spin(f, QStringLiteral("halfOpenMaxCalls"), QStringLiteral("Half-open calls"), 0, 10000,
        QString(), QStringLiteral("Trial calls allowed in flight in HALF_OPEN; others get CIRCUIT_OPEN"));
    m_halfOpenMaxCalls->setSpecialValueText(QStringLiteral("= success threshold"));
    m_breakerTimeout = spin(f, QStringLiteral("breakerTimeout"), QStringLiteral("Call timeout"), 0, MaxMs,
        QStringLiteral(" ms"),
        QStringLiteral("The breaker's own per-call limit; expiry is a failure with CIRCUIT_TIMEOUT (0 = none)"));
    m_breakerTimeout->setSpecialValueText(QStringLiteral("none"));
    m_resetTimeout = spin(f, QStringLiteral("resetTimeout"), QStringLiteral("Reset timeout"), 0, MaxMs,
        QStringLiteral(" ms"), QStringLiteral("Time in OPEN before the automatic move to HALF_OPEN"));
    m_resetMultiplier = dspin(f, QStringLiteral("resetTimeoutMultiplier"), QStringLiteral("Reset multiplier"), 1,
        100, 2, 0.5, QStringLiteral(" ×"), QStringLiteral("Multiplies the open time on each repeated trip (1 = no back-off)"));
    m_maxResetTimeout = spin(f, QStringLiteral("maxResetTimeout"), QStringLiteral("Max reset timeout"), 0, MaxMs,
        QStringLiteral(" ms"), QStringLiteral("The longest the backed-off open time may grow (0 = the reset timeout)"));
    m_maxResetTimeout->setSpecialValueText(QStringLiteral("= reset timeout"));
    m_windowType = new QComboBox;
    m_windowType->setObjectName(QStringLiteral("windowType"));
    m_windowType->addItem(QStringLiteral("time"), int(WindowType::Time));
    m_windowType->addItem(QStringLiteral("count"), int(WindowType::Count));
    m_windowType->setToolTip(
        QStringLiteral("Sliding window kind: the last windowSize milliseconds, or the last windowSize calls"));
    f->addRow(QStringLiteral("Window type"), m_windowType);
    connect(m_windowType, &QComboBox::currentIndexChanged, this, [this] {
        showWindowUnit(m_windowSize, WindowType(m_windowType->currentData().toInt()));
        edited();
    });
    m_windowSize = spin(f, QStringLiteral("windowSize"), QStringLiteral("Window size"), 1, MaxMs,
        QStringLiteral(" ms"), QStringLiteral("Length of the sliding window: milliseconds (time) or calls (count)"));
    v->addWidget(m_breaker);

    // Retry.
    m_retry = section(QStringLiteral("retry"), QStringLiteral("Retry"),
        QStringLiteral("On: failed calls whose error is retryable are tried again after a back-off"), &f);
    m_maxAttempts = spin(f, QStringLiteral("maxAttempts"), QStringLiteral("Max attempts"), 1, 100, QString(),
        QStringLiteral("Attempts per call, the first one included"));
    m_initialDelay = spin(f, QStringLiteral("initialDelay"), QStringLiteral("Initial delay"), 0, MaxMs,
        QStringLiteral(" ms"), QStringLiteral("Wait before the first retry"));
    m_maxDelay = spin(f, QStringLiteral("maxDelay"), QStringLiteral("Max delay"), 0, MaxMs, QStringLiteral(" ms"),
        QStringLiteral("Cap on every wait, Retry-After included"));
    m_backoff = new QComboBox;
    m_backoff->setObjectName(QStringLiteral("backoff"));
    m_backoff->addItem(QStringLiteral("exponential"), int(Backoff::Exponential));
    m_backoff->addItem(QStringLiteral("linear"), int(Backoff::Linear));
    m_backoff->setToolTip(QStringLiteral(
        "Exponential: the wait is multiplied by the multiplier per retry; linear: it grows by the increment"));
    f->addRow(QStringLiteral("Back-off"), m_backoff);
    connect(m_backoff, &QComboBox::currentIndexChanged, this, [this] {
        showApplicableFields();
        edited();
    });
    m_backoffMultiplier = dspin(f, QStringLiteral("backoffMultiplier"), QStringLiteral("Multiplier"), 1, 100, 2, 0.5,
        QStringLiteral(" ×"), QStringLiteral("Exponential back-off: each wait is the previous one times this"));
    m_linearIncrement = spin(f, QStringLiteral("linearIncrement"), QStringLiteral("Linear increment"), 0, MaxMs,
        QStringLiteral(" ms"), QStringLiteral("Linear back-off: each wait is the previous one plus this"));
    m_jitter = check(f, QStringLiteral("jitter"), QStringLiteral("Jitter"),
        QStringLiteral("Adds a random 0–20 % to each wait so that clients do not retry in step"));
    m_respectRetryAfter = check(f, QStringLiteral("respectRetryAfter"), QStringLiteral("Respect Retry-After"),
        QStringLiteral("An error's Retry-After replaces the computed wait, capped by the max delay"));
    m_retryTimeout = spin(f, QStringLiteral("retryTimeout"), QStringLiteral("Attempt timeout"), 0, MaxMs,
        QStringLiteral(" ms"), QStringLiteral("Time limit of each attempt (0 = none)"));
    m_retryTimeout->setSpecialValueText(QStringLiteral("none"));
    m_retryableErrors = new QLineEdit;
    m_retryableErrors->setObjectName(QStringLiteral("retryableErrors"));
    m_retryableErrors->setPlaceholderText(QStringLiteral("defaults (ETIMEDOUT, ECONNRESET, …)"));
    m_retryableErrors->setToolTip(QStringLiteral(
        "Comma-separated error codes or message substrings that may be retried; empty: the defaults"));
    f->addRow(QStringLiteral("Retryable errors"), m_retryableErrors);
    connect(m_retryableErrors, &QLineEdit::textEdited, this, &PolicyEditor::edited);
    m_budget = check(f, QStringLiteral("budget"), QStringLiteral("Retry budget"),
        QStringLiteral("Caps retries over the last 10 s to minPerSecond × 10 + ratio × calls"));
    m_budgetRatio = dspin(f, QStringLiteral("budgetRatio"), QStringLiteral("Budget ratio"), 0, 10, 2, 0.05,
        QString(), QStringLiteral("Retries allowed per call made, on top of the minimum"));
    m_budgetMinPerSecond = dspin(f, QStringLiteral("budgetMinPerSecond"), QStringLiteral("Budget minimum"), 0,
        100000, 1, 1, QStringLiteral(" /s"), QStringLiteral("Retries per second always allowed, whatever the traffic"));
    connect(m_budget, &QCheckBox::toggled, this, &PolicyEditor::showApplicableFields);
    v->addWidget(m_retry);

    // Timeout.
    m_timeout = section(QStringLiteral("timeout"), QStringLiteral("Timeout"),
        QStringLiteral("On: each attempt is limited in time and ends with TIMEOUT when it expires"), &f);
    m_timeoutMs = spin(f, QStringLiteral("timeoutMs"), QStringLiteral("Timeout"), 1, MaxMs, QStringLiteral(" ms"),
        QStringLiteral("Time limit of each attempt; the operation is told to cancel when it expires"));
    v->addWidget(m_timeout);

    // Bulkhead.
    m_bulkhead = section(QStringLiteral("bulkhead"), QStringLiteral("Bulkhead"),
        QStringLiteral("On: caps the calls in flight, queueing the rest FIFO"), &f);
    m_maxConcurrent = spin(f, QStringLiteral("maxConcurrent"), QStringLiteral("Max concurrent"), 1, 1000000,
        QString(), QStringLiteral("Calls allowed to run at once"));
    m_maxQueueSize = spin(f, QStringLiteral("maxQueueSize"), QStringLiteral("Max queue"), 0, 1000000, QString(),
        QStringLiteral("Calls allowed to wait for a slot; more are rejected with BULKHEAD_QUEUE_FULL"));
    m_queueTimeout = spin(f, QStringLiteral("queueTimeout"), QStringLiteral("Queue timeout"), 0, MaxMs,
        QStringLiteral(" ms"),
        QStringLiteral("The longest a call waits in the queue before BULKHEAD_QUEUE_TIMEOUT (0 = no limit)"));
    m_queueTimeout->setSpecialValueText(QStringLiteral("no limit"));
    v->addWidget(m_bulkhead);

    // Fallback.
    m_fallback = section(QStringLiteral("fallback"), QStringLiteral("Fallback"),
        QStringLiteral("On: a failed call ends with this value instead (outcome fallback, never success)"), &f);
    m_fallbackValue = new QLineEdit;
    m_fallbackValue->setObjectName(QStringLiteral("fallbackValue"));
    m_fallbackValue->setToolTip(QStringLiteral("The value a failed call returns"));
    f->addRow(QStringLiteral("Value"), m_fallbackValue);
    connect(m_fallbackValue, &QLineEdit::textEdited, this, &PolicyEditor::edited);
    v->addWidget(m_fallback);

    // Pipeline order.
    auto *orderBox = new QGroupBox(QStringLiteral("Pipeline order (outermost first)"));
    orderBox->setObjectName(QStringLiteral("pipelineOrder"));
    orderBox->setToolTip(QStringLiteral("The order calls go through the stages; stages that are off are skipped"));
    auto *ol = new QHBoxLayout(orderBox);
    ol->setContentsMargins(6, 4, 6, 4);
    m_order = new QListWidget;
    m_order->setObjectName(QStringLiteral("order"));
    m_order->setToolTip(QStringLiteral("Drag a stage, or use the arrows, to change the order (outermost first)"));
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
    const CircuitBreakerConfig cb = p.circuitBreaker.value_or(CircuitBreakerConfig {});
    m_breaker->setChecked(p.circuitBreaker.has_value());
    m_failureThreshold->setValue(cb.failureThreshold);
    m_failureRate->setValue(cb.failureRateThreshold * 100);
    m_volumeThreshold->setValue(cb.volumeThreshold);
    m_slowCallDuration->setValue(ms(cb.slowCallDurationThreshold));
    m_slowCallRate->setValue(cb.slowCallRateThreshold * 100);
    m_successThreshold->setValue(cb.successThreshold);
    m_halfOpenMaxCalls->setValue(cb.halfOpenMaxCalls);
    m_breakerTimeout->setValue(ms(cb.timeout));
    m_resetTimeout->setValue(ms(cb.resetTimeout));
    m_resetMultiplier->setValue(cb.resetTimeoutMultiplier);
    m_maxResetTimeout->setValue(ms(cb.maxResetTimeout));
    m_windowType->setCurrentIndex(m_windowType->findData(int(cb.windowType)));
    showWindowUnit(m_windowSize, cb.windowType);
    m_windowSize->setValue(int(std::min<std::int64_t>(cb.windowSize, m_windowSize->maximum())));

    const RetryConfig r = p.retry.value_or(RetryConfig {});
    m_retry->setChecked(p.retry.has_value());
    m_maxAttempts->setValue(r.maxAttempts);
    m_initialDelay->setValue(ms(r.initialDelay));
    m_maxDelay->setValue(ms(r.maxDelay));
    m_backoffMultiplier->setValue(r.backoffMultiplier);
    m_backoff->setCurrentIndex(m_backoff->findData(int(r.backoff)));
    m_linearIncrement->setValue(ms(r.linearIncrement));
    m_jitter->setChecked(r.jitter);
    m_respectRetryAfter->setChecked(r.respectRetryAfter);
    m_retryTimeout->setValue(ms(r.timeout));
    m_retryableErrors->setText(r.retryableErrors ? r.retryableErrors->join(QStringLiteral(", ")) : QString());
    m_budget->setChecked(r.budget.has_value());
    const RetryBudgetConfig budget = r.budget.value_or(RetryBudgetConfig {});
    m_budgetRatio->setValue(budget.ratio);
    m_budgetMinPerSecond->setValue(budget.minPerSecond);

    m_timeout->setChecked(p.timeout.has_value());
    m_timeoutMs->setValue(ms(p.timeout.value_or(TimeoutConfig {}).timeout));

    const BulkheadConfig b = p.bulkhead.value_or(BulkheadConfig {});
    m_bulkhead->setChecked(p.bulkhead.has_value());
    m_maxConcurrent->setValue(b.maxConcurrent);
    m_maxQueueSize->setValue(b.maxQueueSize);
    m_queueTimeout->setValue(ms(b.timeout));

    m_fallback->setChecked(p.fallback.has_value());
    m_fallbackValue->setText(p.fallback ? p.fallback->value.toString() : QString());

    m_order->clear();
    QList<StageKind> order = p.order;
    for (StageKind k : PolicyConfig::defaultOrder())
        if (!order.contains(k))
            order.append(k);
    for (StageKind k : order) {
        auto *item = new QListWidgetItem(stageTitle(k), m_order);
        item->setData(Qt::UserRole, int(k));
        item->setToolTip(QStringLiteral("The %1 stage (\"%2\")").arg(stageTitle(k), stageKindName(k)));
    }
    // Every stage in view, without a scroll bar of its own.
    m_order->setFixedHeight(m_order->sizeHintForRow(0) * m_order->count() + 2 * m_order->frameWidth());
    m_loading = false;
    showApplicableFields();
}

// Only the fields that apply are shown, so that a whole policy fits the dock without scrolling:
// a section switched off keeps just its title, a back-off shows its own step, and a retry
// budget its limits once it is on.
void PolicyEditor::showApplicableFields()
{
    for (QGroupBox *section : { m_breaker, m_retry, m_timeout, m_bulkhead, m_fallback }) {
        auto *form = static_cast<QFormLayout *>(section->layout());
        for (int row = 0; row < form->rowCount(); ++row)
            form->setRowVisible(row, section->isChecked());
    }
    if (!m_retry->isChecked())
        return;
    auto *retry = static_cast<QFormLayout *>(m_retry->layout());
    const bool linear = m_backoff->currentData().toInt() == int(Backoff::Linear);
    retry->setRowVisible(m_backoffMultiplier, !linear);
    retry->setRowVisible(m_linearIncrement, linear);
    retry->setRowVisible(m_budgetRatio, m_budget->isChecked());
    retry->setRowVisible(m_budgetMinPerSecond, m_budget->isChecked());
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

PolicyConfig PolicyEditor::currentPolicy() const
{
    // Start from the held policy so that what the editor does not show (callbacks, error
    // lists, the timeout's fallback) is kept.
    const PolicyConfig base = m_policies.value(m_shown);
    PolicyConfig p = base;

    p.circuitBreaker.reset();
    if (m_breaker->isChecked()) {
        CircuitBreakerConfig cb = base.circuitBreaker.value_or(CircuitBreakerConfig {});
        cb.failureThreshold = m_failureThreshold->value();
        cb.failureRateThreshold = m_failureRate->value() / 100.0;
        cb.volumeThreshold = m_volumeThreshold->value();
        cb.slowCallDurationThreshold = fromMs(m_slowCallDuration->value());
        cb.slowCallRateThreshold = m_slowCallRate->value() / 100.0;
        cb.successThreshold = m_successThreshold->value();
        cb.halfOpenMaxCalls = m_halfOpenMaxCalls->value();
        cb.timeout = fromMs(m_breakerTimeout->value());
        cb.resetTimeout = fromMs(m_resetTimeout->value());
        cb.resetTimeoutMultiplier = m_resetMultiplier->value();
        cb.maxResetTimeout = fromMs(m_maxResetTimeout->value());
        cb.windowType = WindowType(m_windowType->currentData().toInt());
        cb.windowSize = m_windowSize->value();
        p.circuitBreaker = cb;
    }

    p.retry.reset();
    if (m_retry->isChecked()) {
        RetryConfig r = base.retry.value_or(RetryConfig {});
        r.maxAttempts = m_maxAttempts->value();
        r.initialDelay = fromMs(m_initialDelay->value());
        r.maxDelay = fromMs(m_maxDelay->value());
        r.backoffMultiplier = m_backoffMultiplier->value();
        r.backoff = Backoff(m_backoff->currentData().toInt());
        r.linearIncrement = fromMs(m_linearIncrement->value());
        r.jitter = m_jitter->isChecked();
        r.respectRetryAfter = m_respectRetryAfter->isChecked();
        r.timeout = fromMs(m_retryTimeout->value());
        QStringList errors;
        for (const QString &e : m_retryableErrors->text().split(u',', Qt::SkipEmptyParts))
            if (!e.trimmed().isEmpty())
                errors.append(e.trimmed());
        r.retryableErrors = errors.isEmpty() ? std::nullopt : std::optional<QStringList>(errors);
        r.budget.reset();
        if (m_budget->isChecked())
            r.budget = RetryBudgetConfig { m_budgetRatio->value(), m_budgetMinPerSecond->value() };
        p.retry = r;
    }

    p.timeout.reset();
    if (m_timeout->isChecked()) {
        TimeoutConfig t = base.timeout.value_or(TimeoutConfig {});
        t.timeout = fromMs(m_timeoutMs->value());
        p.timeout = t;
    }

    p.bulkhead.reset();
    if (m_bulkhead->isChecked()) {
        BulkheadConfig b = base.bulkhead.value_or(BulkheadConfig {});
        b.maxConcurrent = m_maxConcurrent->value();
        b.maxQueueSize = m_maxQueueSize->value();
        b.timeout = fromMs(m_queueTimeout->value());
        p.bulkhead = b;
    }

    p.fallback.reset();
    if (m_fallback->isChecked()) {
        FallbackConfig f = base.fallback.value_or(FallbackConfig {});
        // An unchanged text keeps the value's type (a number stays a number).
        if (!base.fallback || f.value.toString() != m_fallbackValue->text())
            f.value = m_fallbackValue->text();
        p.fallback = f;
    }

    p.order.clear();
    for (int i = 0; i < m_order->count(); ++i)
        p.order.append(StageKind(m_order->item(i)->data(Qt::UserRole).toInt()));
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
