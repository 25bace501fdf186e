#include "faultpanel.h"

#include "simulationcontroller.h"

#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLineEdit>
#include <QPushButton>
#include <QSignalBlocker>
#include <QSpinBox>
#include <QVBoxLayout>

#include <vector>

namespace bw {

namespace {

constexpr FaultKind SteadyKinds[] = { FaultKind::Errors, FaultKind::Latency, FaultKind::Hang,
    FaultKind::RateLimit, FaultKind::Brownout };

unsigned bit(FaultKind kind)
{
    return 1u << unsigned(kind);
}

QSpinBox *spinBox(QWidget *parent, const char *name, int max, const QString &suffix, const QString &tip)
{
    auto *box = new QSpinBox(parent);
    box->setObjectName(QString::fromLatin1(name));
    box->setRange(0, max);
    box->setSuffix(suffix);
    box->setToolTip(tip);
    box->setKeyboardTracking(false); // typing "1500" is one change, not four
    return box;
}

QDoubleSpinBox *doubleBox(
    QWidget *parent, const char *name, double max, const QString &suffix, const QString &tip)
{
    auto *box = new QDoubleSpinBox(parent);
    box->setObjectName(QString::fromLatin1(name));
    box->setRange(0, max);
    box->setDecimals(1);
    box->setSuffix(suffix);
    box->setToolTip(tip);
    box->setKeyboardTracking(false);
    return box;
}

} // namespace

FaultPanel::FaultPanel(SimulationController *controller, QWidget *parent)
    : QWidget(parent)
    , m_controller(controller)
{
    m_debounce.setSingleShot(true);
    m_debounce.setInterval(DebounceMs);
    connect(&m_debounce, &QTimer::timeout, this, &FaultPanel::applyPending);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);

    auto *form = new QFormLayout;
    form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    m_service = new QComboBox(this);
    m_service->setObjectName(QStringLiteral("faultService"));
    m_service->setToolTip(QStringLiteral("The scenario service whose live faults these controls set."));
    form->addRow(QStringLiteral("Service:"), m_service);

    m_errorRate = doubleBox(this, "errorRate", 100, QStringLiteral(" %"),
        QStringLiteral("Share of the service's requests that fail with the error code (0 = off)."));
    m_errorCode = new QLineEdit(QStringLiteral("500"), this);
    m_errorCode->setObjectName(QStringLiteral("errorCode"));
    m_errorCode->setMaximumWidth(70);
    m_errorCode->setToolTip(QStringLiteral("The error code the failing requests return, such as 500 or 503."));
    auto *errors = new QHBoxLayout;
    errors->addWidget(m_errorRate, 1);
    errors->addWidget(m_errorCode);
    form->addRow(QStringLiteral("Error rate / code:"), errors);

    m_latencyAdd = spinBox(this, "latencyAdd", 600000, QStringLiteral(" ms"),
        QStringLiteral("Latency added to every request of the service (0 = off)."));
    m_latencyJitter = spinBox(this, "latencyJitter", 600000, QStringLiteral(" ms"),
        QStringLiteral("Random extra latency, up to this much, on top of the added latency."));
    auto *latency = new QHBoxLayout;
    latency->addWidget(m_latencyAdd, 1);
    latency->addWidget(m_latencyJitter, 1);
    form->addRow(QStringLiteral("Latency + jitter:"), latency);

    m_hangRate = doubleBox(this, "hangRate", 100, QStringLiteral(" %"),
        QStringLiteral("Share of the service's requests that never answer (0 = off)."));
    form->addRow(QStringLiteral("Hang rate:"), m_hangRate);

    m_rateLimit = doubleBox(this, "rateLimit", 100000, QStringLiteral(" rps"),
        QStringLiteral("Requests per second the service admits before answering 429 (0 = off)."));
    m_rateLimit->setSpecialValueText(QStringLiteral("off"));
    m_retryAfter = spinBox(this, "retryAfter", 600000, QStringLiteral(" ms"),
        QStringLiteral("The Retry-After delay the service sends with its 429 answers."));
    m_retryAfter->setValue(1000);
    auto *rateLimit = new QHBoxLayout;
    rateLimit->addWidget(m_rateLimit, 1);
    rateLimit->addWidget(m_retryAfter, 1);
    form->addRow(QStringLiteral("Rate limit / Retry-After:"), rateLimit);

    m_capacity = spinBox(this, "brownoutCapacity", 100000, QString(),
        QStringLiteral("Requests the service serves at once during a brownout (0 = its normal capacity)."));
    m_capacity->setSpecialValueText(QStringLiteral("normal"));
    form->addRow(QStringLiteral("Brownout capacity:"), m_capacity);
    layout->addLayout(form);

    auto *timed = new QGroupBox(QStringLiteral("Now, for a while"), this);
    auto *tf = new QFormLayout(timed);
    m_duration = spinBox(timed, "faultDuration", 3600, QStringLiteral(" s"),
        QStringLiteral("How long an outage or latency spike started by the buttons below lasts."));
    m_duration->setMinimum(1);
    m_duration->setValue(10);
    tf->addRow(QStringLiteral("Duration:"), m_duration);
    m_spikeAdd = spinBox(timed, "spikeLatency", 600000, QStringLiteral(" ms"),
        QStringLiteral("Latency a latency spike adds to every request of the service."));
    m_spikeAdd->setMinimum(1);
    m_spikeAdd->setValue(2000);
    tf->addRow(QStringLiteral("Spike adds:"), m_spikeAdd);
    auto *buttons = new QHBoxLayout;
    m_outageNow = new QPushButton(QStringLiteral("Outage now"), timed);
    m_outageNow->setObjectName(QStringLiteral("outageNow"));
    m_outageNow->setToolTip(QStringLiteral("Take the service down now for the duration: every request fails."));
    m_spikeNow = new QPushButton(QStringLiteral("Latency spike now"), timed);
    m_spikeNow->setObjectName(QStringLiteral("latencySpikeNow"));
    m_spikeNow->setToolTip(
        QStringLiteral("Slow every request of the service down now by the spike latency, for the duration."));
    buttons->addWidget(m_outageNow);
    buttons->addWidget(m_spikeNow);
    tf->addRow(buttons);
    layout->addWidget(timed);

    m_clearAll = new QPushButton(QStringLiteral("Clear all faults"), this);
    m_clearAll->setObjectName(QStringLiteral("clearAllFaults"));
    m_clearAll->setToolTip(
        QStringLiteral("Remove every live fault of the service, the scenario's own included, and reset the controls."));
    layout->addWidget(m_clearAll, 0, Qt::AlignLeft);
    layout->addStretch();

    connect(m_service, &QComboBox::currentIndexChanged, this, [this] {
        applyPending(); // the waiting changes belong to the service shown until now
        m_shown = service();
        showSettings(m_settings.value(m_shown));
    });
    connect(m_errorRate, &QDoubleSpinBox::valueChanged, this, [this] { changed(FaultKind::Errors); });
    connect(m_errorCode, &QLineEdit::editingFinished, this, [this] {
        // Focus leaving the field also ends an edit: post only a new code.
        if (settingsFromControls().errorCode != m_settings.value(m_shown).errorCode)
            changed(FaultKind::Errors);
    });
    connect(m_latencyAdd, &QSpinBox::valueChanged, this, [this] { changed(FaultKind::Latency); });
    connect(m_latencyJitter, &QSpinBox::valueChanged, this, [this] { changed(FaultKind::Latency); });
    connect(m_hangRate, &QDoubleSpinBox::valueChanged, this, [this] { changed(FaultKind::Hang); });
    connect(m_rateLimit, &QDoubleSpinBox::valueChanged, this, [this] { changed(FaultKind::RateLimit); });
    connect(m_retryAfter, &QSpinBox::valueChanged, this, [this] { changed(FaultKind::RateLimit); });
    connect(m_capacity, &QSpinBox::valueChanged, this, [this] { changed(FaultKind::Brownout); });
    connect(m_outageNow, &QPushButton::clicked, this, [this] { injectTimed(FaultKind::Outage); });
    connect(m_spikeNow, &QPushButton::clicked, this, [this] { injectTimed(FaultKind::Latency); });
    connect(m_clearAll, &QPushButton::clicked, this, [this] {
        if (m_shown.isEmpty())
            return;
        m_debounce.stop();
        m_pending = 0;
        m_settings.remove(m_shown);
        showSettings({});
        post({ ControlCommands::ClearFaults { m_shown, std::nullopt } });
    });
    setEnabled(false);
}

QList<QWidget *> FaultPanel::controls() const
{
    return { m_service, m_errorRate, m_errorCode, m_latencyAdd, m_latencyJitter, m_hangRate, m_rateLimit,
        m_retryAfter, m_capacity, m_duration, m_spikeAdd, m_outageNow, m_spikeNow, m_clearAll };
}

void FaultPanel::setScenario(const ScenarioConfig &scenario)
{
    {
        const QSignalBlocker block(m_service);
        m_service->clear();
        for (const ServiceConfig &s : scenario.services)
            m_service->addItem(s.name);
    }
    m_shown = service();
    resetControls();
    setEnabled(m_service->count() > 0);
}

void FaultPanel::setController(SimulationController *controller)
{
    if (controller == m_controller)
        return;
    applyPending();
    m_otherRuns.insert(m_controller, m_settings);
    if (!m_otherRuns.contains(controller))
        connect(controller, &QObject::destroyed, this, [this, controller] { m_otherRuns.remove(controller); });
    m_controller = controller;
    m_settings = m_otherRuns.take(controller);
    showSettings(m_settings.value(m_shown));
}

void FaultPanel::resetControls()
{
    m_debounce.stop();
    m_pending = 0;
    m_settings.clear();
    showSettings({});
}

QString FaultPanel::service() const
{
    return m_service->currentText();
}

void FaultPanel::setService(const QString &service)
{
    const int i = m_service->findText(service);
    if (i >= 0)
        m_service->setCurrentIndex(i);
}

void FaultPanel::showSettings(const Settings &s)
{
    const QList<QWidget *> all = controls();
    std::vector<QSignalBlocker> blockers;
    blockers.reserve(std::size_t(all.size()));
    for (QWidget *w : all)
        if (w != m_service)
            blockers.emplace_back(w);
    m_errorRate->setValue(s.errorPercent);
    m_errorCode->setText(s.errorCode);
    m_latencyAdd->setValue(s.addMs);
    m_latencyJitter->setValue(s.jitterMs);
    m_hangRate->setValue(s.hangPercent);
    m_rateLimit->setValue(s.rps);
    m_retryAfter->setValue(s.retryAfterMs);
    m_capacity->setValue(s.capacity);
}

FaultPanel::Settings FaultPanel::settingsFromControls() const
{
    Settings s;
    s.errorPercent = m_errorRate->value();
    s.errorCode = m_errorCode->text().trimmed();
    if (s.errorCode.isEmpty())
        s.errorCode = QStringLiteral("500");
    s.addMs = m_latencyAdd->value();
    s.jitterMs = m_latencyJitter->value();
    s.hangPercent = m_hangRate->value();
    s.rps = m_rateLimit->value();
    s.retryAfterMs = m_retryAfter->value();
    s.capacity = m_capacity->value();
    return s;
}

void FaultPanel::changed(FaultKind kind)
{
    if (m_shown.isEmpty())
        return;
    m_settings.insert(m_shown, settingsFromControls());
    m_pending |= bit(kind);
    m_debounce.start(); // restarts: a burst of changes posts once
}

void FaultPanel::applyPending()
{
    m_debounce.stop();
    if (m_pending == 0 || m_shown.isEmpty())
        return;
    const Settings s = m_settings.value(m_shown);
    for (FaultKind kind : SteadyKinds)
        if (m_pending & bit(kind))
            postKind(m_shown, kind, s);
    m_pending = 0;
}

void FaultPanel::postKind(const QString &service, FaultKind kind, const Settings &s)
{
    post({ ControlCommands::ClearFaults { service, kind } });
    FaultConfig f;
    f.service = service;
    f.kind = kind;
    bool on = false;
    switch (kind) {
    case FaultKind::Errors:
        f.rate = s.errorPercent / 100.0;
        f.code = s.errorCode;
        on = s.errorPercent > 0;
        break;
    case FaultKind::Latency:
        f.add = fromMs(s.addMs);
        f.jitter = fromMs(s.jitterMs);
        on = s.addMs > 0 || s.jitterMs > 0;
        break;
    case FaultKind::Hang:
        f.rate = s.hangPercent / 100.0;
        on = s.hangPercent > 0;
        break;
    case FaultKind::RateLimit:
        f.rps = s.rps;
        f.retryAfter = fromMs(s.retryAfterMs);
        on = s.rps > 0;
        break;
    case FaultKind::Brownout:
        f.capacity = s.capacity;
        on = s.capacity > 0;
        break;
    default:
        break;
    }
    if (on)
        post({ ControlCommands::InjectFault { f, Duration::max() } });
}

void FaultPanel::injectTimed(FaultKind kind)
{
    if (m_shown.isEmpty())
        return;
    FaultConfig f;
    f.service = m_shown;
    f.kind = kind;
    if (kind == FaultKind::Latency)
        f.add = fromMs(m_spikeAdd->value());
    post({ ControlCommands::InjectFault { f, fromMs(std::int64_t(m_duration->value()) * 1000) } });
}

void FaultPanel::post(const ControlCommand &command)
{
    m_posted.append(command);
    if (m_posted.size() > PostedLimit)
        m_posted.remove(0, m_posted.size() - PostedLimit);
    if (m_controller)
        m_controller->post(command);
}

} // namespace bw
