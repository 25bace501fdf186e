#include "networkmodepanel.h"

#include "simulationcontroller.h"
#include "sim/simulation.h"

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
    , m_stats(new QLabel(this))
{
    m_modeBox->addItem(tr("Simulated"));
    m_modeBox->addItem(tr("Real HTTP"));
    m_modeBox->setToolTip(tr("Simulated: services are models in virtual time.\n"
                             "Real HTTP: the same scenario sends real requests to a chaos target on this machine."));
    m_url->setTextInteractionFlags(Qt::TextSelectableByMouse);
    for (QDoubleSpinBox *rate : { m_errorRate, m_hangRate, m_resetRate }) {
        rate->setRange(0, 100);
        rate->setSuffix(QStringLiteral(" %"));
        rate->setDecimals(1);
    }
    m_status->setRange(400, 599);
    m_status->setValue(500);
    m_latency->setRange(0, 60000);
    m_latency->setSuffix(QStringLiteral(" ms"));
    m_stats->setWordWrap(true);

    auto *form = new QFormLayout(this);
    form->addRow(tr("Mode"), m_modeBox);
    form->addRow(tr("Chaos target"), m_url);
    form->addRow(tr("Errors"), m_errorRate);
    form->addRow(tr("Error status"), m_status);
    form->addRow(tr("Latency"), m_latency);
    form->addRow(tr("Hangs"), m_hangRate);
    form->addRow(tr("Resets"), m_resetRate);
    form->addRow(tr("Served"), m_stats);

    connect(m_modeBox, &QComboBox::currentIndexChanged, this,
        [this](int index) { setMode(index == 1 ? Mode::RealHttp : Mode::Simulated); });
    for (QDoubleSpinBox *rate : { m_errorRate, m_hangRate, m_resetRate })
        connect(rate, &QDoubleSpinBox::valueChanged, this, &NetworkModePanel::applySettings);
    connect(m_status, &QSpinBox::valueChanged, this, &NetworkModePanel::applySettings);
    connect(m_latency, &QSpinBox::valueChanged, this, &NetworkModePanel::applySettings);
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
    applySettings();
    m_url->setText(QStringLiteral("http://127.0.0.1:%1").arg(m_target->port()));
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
        m_controller->load(toRealHttp(*m_simulated, m_url->text()), seed, m_controller->speed());
    } else if (m_simulated) {
        m_controller->load(*m_simulated, seed, m_controller->speed());
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
    m_mode = Simulation::needsRealTime(m_controller->scenario()) ? Mode::RealHttp : Mode::Simulated;
    const QSignalBlocker block(m_modeBox);
    m_modeBox->setCurrentIndex(m_mode == Mode::RealHttp ? 1 : 0);
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

void NetworkModePanel::refreshStats()
{
    if (!m_target) {
        m_stats->setText(tr("not started (choose Real HTTP)"));
        return;
    }
    const ChaosTarget::Stats &s = m_target->stats();
    m_stats->setText(tr("%1 requests: %2 ok, %3 errors, %4 hangs, %5 resets, %6 abandoned")
                         .arg(s.requests)
                         .arg(s.ok)
                         .arg(s.errors)
                         .arg(s.hangs)
                         .arg(s.resets)
                         .arg(s.abandoned));
}

} // namespace bw
