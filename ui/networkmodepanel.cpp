#include "networkmodepanel.h"

#include "run/scenariorun.h"
#include "simulationcontroller.h"

#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QLabel>
#include <QSpinBox>

namespace bw {

NetworkModePanel::NetworkModePanel(SimulationController *controller, QWidget *parent)
    : QWidget(parent)
    , m_controller(controller)
    , m_modeBox(new QComboBox(this))
    , m_url(new QLabel(this))
    , m_errorRate(new QDoubleSpinBox(this))
    , m_status(new QSpinBox(this))
    , m_latency(new QSpinBox(this))
    , m_hangRate(new QDoubleSpinBox(this))
    , m_resetRate(new QDoubleSpinBox(this))
    , m_proxyLatency(new QSpinBox(this))
    , m_proxyBandwidth(new QSpinBox(this))
    , m_proxyResets(new QDoubleSpinBox(this))
    , m_stats(new QLabel(this))
{
    m_modeBox->addItem(tr("Simulated"));
    m_modeBox->addItem(tr("Real HTTP"));
    m_modeBox->setToolTip(
        tr("Simulated: services are models in virtual time.\n"
           "Real HTTP: the same scenario sends real requests to a chaos target on this machine."));
    m_url->setTextInteractionFlags(Qt::TextSelectableByMouse);
    for (QDoubleSpinBox *rate : { m_errorRate, m_hangRate, m_resetRate, m_proxyResets }) {
        rate->setRange(0, 100);
        rate->setSuffix(QStringLiteral(" %"));
        rate->setDecimals(1);
    }
    m_status->setRange(400, 599);
    m_status->setValue(500);
    m_latency->setRange(0, 60000);
    m_latency->setSuffix(QStringLiteral(" ms"));
    m_stats->setWordWrap(true);
    m_proxyLatency->setRange(0, 60000);
    m_proxyLatency->setSuffix(QStringLiteral(" ms"));
    m_proxyLatency->setToolTip(tr("Toxic proxy: every chunk from the target waits this long (latency toxic)."));
    m_proxyBandwidth->setRange(0, 1000000);
    m_proxyBandwidth->setSuffix(QStringLiteral(" KB/s"));
    m_proxyBandwidth->setSpecialValueText(tr("unlimited"));
    m_proxyBandwidth->setToolTip(tr("Toxic proxy: the target's answers flow at most this fast (bandwidth toxic)."));
    m_proxyResets->setToolTip(
        tr("Toxic proxy: this share of connections is reset as it opens (reset_peer toxic, by toxicity)."));

    auto *form = new QFormLayout(this);
    form->addRow(tr("Mode"), m_modeBox);
    form->addRow(tr("Chaos target"), m_url);
    form->addRow(tr("Errors"), m_errorRate);
    form->addRow(tr("Error status"), m_status);
    form->addRow(tr("Latency"), m_latency);
    form->addRow(tr("Hangs"), m_hangRate);
    form->addRow(tr("Resets"), m_resetRate);
    form->addRow(tr("Served"), m_stats);
    form->addRow(tr("Proxy latency"), m_proxyLatency);
    form->addRow(tr("Proxy bandwidth"), m_proxyBandwidth);
    form->addRow(tr("Proxy resets"), m_proxyResets);

    connect(m_modeBox, &QComboBox::currentIndexChanged, this,
        [this](int index) { setMode(index == 1 ? Mode::RealHttp : Mode::Simulated); });
    for (QDoubleSpinBox *rate : { m_errorRate, m_hangRate, m_resetRate })
        connect(rate, &QDoubleSpinBox::valueChanged, this, &NetworkModePanel::applySettings);
    connect(m_status, &QSpinBox::valueChanged, this, &NetworkModePanel::applySettings);
    connect(m_latency, &QSpinBox::valueChanged, this, &NetworkModePanel::applySettings);
    connect(m_proxyLatency, &QSpinBox::valueChanged, this, &NetworkModePanel::applyToxics);
    connect(m_proxyBandwidth, &QSpinBox::valueChanged, this, &NetworkModePanel::applyToxics);
    connect(m_proxyResets, &QDoubleSpinBox::valueChanged, this, &NetworkModePanel::applyToxics);
    connect(controller, &SimulationController::loaded, this, &NetworkModePanel::onLoaded);
    connect(&m_statsTimer, &QTimer::timeout, this, &NetworkModePanel::refreshStats);
    m_statsTimer.setInterval(StatsRefreshMs);
    refreshStats();
}

NetworkModePanel::~NetworkModePanel() = default;

ScenarioConfig NetworkModePanel::toRealHttp(const ScenarioConfig &scenario, const QString &baseUrl)
{
    ScenarioConfig real = scenario;
    for (ServiceConfig &s : real.services)
        s.url = baseUrl + u'/' + QString::fromUtf8(QUrl::toPercentEncoding(s.name));
    return real;
}

bool NetworkModePanel::startTarget()
{
    if (m_target)
        return true;
    m_scheduler = std::make_unique<WallScheduler>();
    m_target = std::make_unique<ChaosTarget>(*m_scheduler);
    if (m_target->start(QHostAddress::LocalHost, 0) == 0) {
        m_target.reset();
        m_url->setText(tr("cannot listen on 127.0.0.1"));
        return false;
    }
    // The services call the target through a toxic proxy, for faults below HTTP.
    m_proxy = std::make_unique<ToxicProxy>(*m_scheduler, QHostAddress::LocalHost, m_target->port());
    if (m_proxy->listen(QHostAddress::LocalHost, 0) == 0) {
        m_proxy.reset();
        m_target.reset();
        m_url->setText(tr("cannot listen on 127.0.0.1"));
        return false;
    }
    applySettings();
    applyToxics();
    m_baseUrl = QStringLiteral("http://127.0.0.1:%1").arg(m_proxy->port());
    m_url->setText(tr("http://127.0.0.1:%1 (through a proxy at :%2)").arg(m_target->port()).arg(m_proxy->port()));
    m_statsTimer.start();
    return true;
}

void NetworkModePanel::setMode(Mode mode)
{
    if (mode == m_mode || !m_controller->isLoaded())
        return;
    const std::uint64_t seed = m_controller->seed();
    m_switching = true;
    if (mode == Mode::RealHttp) {
        if (!startTarget()) {
            m_switching = false;
            m_modeBox->setCurrentIndex(0);
            return;
        }
        m_simulated = m_controller->scenario();
        m_controller->load(toRealHttp(*m_simulated, m_baseUrl), seed, m_controller->speed());
    } else if (m_simulated) {
        m_controller->load(*m_simulated, seed, m_controller->speed());
    } else {
        // A scenario that came with URLs: its services become the default models.
        ScenarioConfig simulated = m_controller->scenario();
        for (ServiceConfig &service : simulated.services)
            service = ServiceConfig { service.name };
        m_controller->load(simulated, seed, m_controller->speed());
    }
    m_switching = false;
    m_mode = mode;
    m_modeBox->setCurrentIndex(mode == Mode::RealHttp ? 1 : 0);
    m_controller->start();
}

void NetworkModePanel::onLoaded()
{
    if (m_switching)
        return;
    // Another scenario was opened: its own services say which mode it is in.
    m_simulated.reset();
    m_mode = ScenarioRun::needsRealTime(m_controller->scenario()) ? Mode::RealHttp : Mode::Simulated;
    const QSignalBlocker block(m_modeBox);
    m_modeBox->setCurrentIndex(m_mode == Mode::RealHttp ? 1 : 0);
    refreshStats();
}

void NetworkModePanel::applySettings()
{
    if (!m_target)
        return;
    ChaosSettings s;
    s.errorRate = m_errorRate->value() / 100.0;
    s.status = m_status->value();
    s.latency = fromMs(m_latency->value());
    s.hangRate = m_hangRate->value() / 100.0;
    s.resetRate = m_resetRate->value() / 100.0;
    m_target->setSettings(s);
}

void NetworkModePanel::applyToxics()
{
    if (!m_proxy)
        return;
    // One toxic per control, present while the control is not zero.
    const auto set = [this](const QString &name, bool on, Toxic toxic) {
        toxic.name = name;
        if (!on)
            m_proxy->removeToxic(name);
        else if (!m_proxy->updateToxic(toxic))
            m_proxy->addToxic(toxic);
    };
    Toxic latency;
    latency.type = Toxic::Type::Latency;
    latency.latency = fromMs(m_proxyLatency->value());
    set(QStringLiteral("gui_latency"), m_proxyLatency->value() > 0, latency);
    Toxic bandwidth;
    bandwidth.type = Toxic::Type::Bandwidth;
    bandwidth.rateKBps = m_proxyBandwidth->value();
    set(QStringLiteral("gui_bandwidth"), m_proxyBandwidth->value() > 0, bandwidth);
    Toxic reset;
    reset.type = Toxic::Type::ResetPeer;
    reset.toxicity = m_proxyResets->value() / 100.0;
    set(QStringLiteral("gui_reset"), m_proxyResets->value() > 0, reset);
}

void NetworkModePanel::refreshStats()
{
    if (!m_target) {
        m_url->setText(m_mode == Mode::RealHttp ? tr("the scenario's own URLs") : QString());
        m_stats->setText(m_mode == Mode::RealHttp ? tr("the built-in target is not running")
                                                  : tr("not started (choose Real HTTP)"));
        return;
    }
    const ChaosTarget::Stats &s = m_target->stats();
    m_stats->setText(tr("%1 requests: %2 ok, %3 errors, %4 hangs, %5 resets, %6 abandoned; proxy: %7 connections, "
                        "%8 reset")
                         .arg(s.requests)
                         .arg(s.ok)
                         .arg(s.errors)
                         .arg(s.hangs)
                         .arg(s.resets)
                         .arg(s.abandoned)
                         .arg(m_proxy->stats().connections)
                         .arg(m_proxy->stats().resets));
}

} // namespace bw
