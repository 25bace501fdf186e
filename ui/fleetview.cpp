#include "fleetview.h"

#include "breakermodel.h"
#include "fleet/fleettwin.h"
#include "runtime/atomicfile.h"
#include "scenario/scenariowriter.h"

#include <QAreaSeries>
#include <QChart>
#include <QChartView>
#include <QCheckBox>
#include <QComboBox>
#include <QDateTime>
#include <QDateTimeAxis>
#include <QDateTimeEdit>
#include <QDir>
#include <QRegularExpression>
#include <QStandardPaths>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineSeries>
#include <QMessageBox>
#include <QProgressBar>
#include <QPushButton>
#include <QSpinBox>
#include <QSplitter>
#include <QValueAxis>
#include <QVBoxLayout>

namespace bw {

namespace {

const QString CallsTitle = QStringLiteral("Calls per second by outcome");
const QString RatesTitle = QStringLiteral("Failure and slow-call rates");
const QString BulkheadTitle = QStringLiteral("Bulkhead use");
const QString AllServices = QStringLiteral("All services");

qint64 spanOf(FleetView::Range range)
{
    switch (range) {
    case FleetView::Range::Live:
    case FleetView::Range::Last15Minutes:
        return FleetView::LiveSpanMs;
    case FleetView::Range::LastHour:
        return 3600'000;
    case FleetView::Range::Last6Hours:
        return 6 * 3600'000;
    case FleetView::Range::Last24Hours:
        return 24 * 3600'000;
    case FleetView::Range::Picked:
        break;
    }
    return 0;
}

QLineSeries *addBand(ChartFrame &c, const QString &name, const QColor &color, QLineSeries *below)
{
    auto *upper = new QLineSeries(c.chart);
    auto *area = new QAreaSeries(upper, below);
    area->setName(name);
    area->setColor(color);
    area->setPen(QPen(color.darker(120), 0)); // cosmetic: no stroker per repaint
    c.chart->addSeries(area);
    area->attachAxis(c.clock);
    area->attachAxis(c.y);
    return upper;
}

} // namespace

FleetView::FleetView(QWidget *parent)
    : QWidget(parent)
    , m_client(new FleetClient(this))
{
    buildControls();
    // Its row of controls and three charts side by side would widen the window's central stack
    // (a stack is as wide as its widest page) and squeeze the run's docks; in Fleet mode those
    // docks are hidden and it has the room.
    setMinimumSize(1, 1);
    connect(m_client, &FleetClient::snapshotReady, this, [this](const FleetSnapshot &snapshot) {
        ingest(snapshot, QDateTime::currentMSecsSinceEpoch());
    });
    connect(m_client, &FleetClient::historyReady, this, &FleetView::onHistory);
    m_tick.setInterval(100);
    connect(&m_tick, &QTimer::timeout, this, [this] {
        if (m_dirty)
            refresh();
    });
    m_tick.start();
}

void FleetView::buildControls()
{
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->setSpacing(4);

    m_sources = new QLabel(this);
    m_sources->setObjectName(QStringLiteral("fleetSources"));
    m_sources->setTextFormat(Qt::RichText);
    m_sources->setWordWrap(true);
    m_sources->setToolTip(QStringLiteral(
        "Each source's last refresh: green when it answered, red with the reason when it did not "
        "(the others go on; its breakers keep their last known figures)"));
    layout->addWidget(m_sources);

    auto *bar = new QHBoxLayout;
    bar->addWidget(new QLabel(QStringLiteral("Show:"), this));
    m_rangeBox = new QComboBox(this);
    m_rangeBox->setObjectName(QStringLiteral("fleetRange"));
    m_rangeBox->addItem(QStringLiteral("Live (last 15 min)"), int(Range::Live));
    m_rangeBox->addItem(QStringLiteral("Last 15 min"), int(Range::Last15Minutes));
    m_rangeBox->addItem(QStringLiteral("Last 1 h"), int(Range::LastHour));
    m_rangeBox->addItem(QStringLiteral("Last 6 h"), int(Range::Last6Hours));
    m_rangeBox->addItem(QStringLiteral("Last 24 h"), int(Range::Last24Hours));
    m_rangeBox->addItem(QStringLiteral("Pick a range…"), int(Range::Picked));
    m_rangeBox->setToolTip(QStringLiteral(
        "Live: the last 15 minutes, moving at each refresh. A past range is read once from the sources' history (Prometheus query_range)"));
    bar->addWidget(m_rangeBox);
    m_from = new QDateTimeEdit(this);
    m_to = new QDateTimeEdit(this);
    for (QDateTimeEdit *edit : { m_from, m_to }) {
        edit->setDisplayFormat(QStringLiteral("yyyy-MM-dd HH:mm"));
        edit->setCalendarPopup(true);
        edit->setVisible(false);
    }
    m_from->setObjectName(QStringLiteral("fleetFrom"));
    m_to->setObjectName(QStringLiteral("fleetTo"));
    m_from->setToolTip(QStringLiteral("The picked range's start (local time)"));
    m_to->setToolTip(QStringLiteral("The picked range's end (local time)"));
    bar->addWidget(m_from);
    bar->addWidget(m_to);
    connect(m_rangeBox, &QComboBox::activated, this, [this](int index) {
        const auto range = Range(m_rangeBox->itemData(index).toInt());
        if (range != Range::Picked) {
            setRange(range);
            return;
        }
        const qint64 now = QDateTime::currentMSecsSinceEpoch();
        const auto [from, to] = window();
        setRange(Range::Picked, m_range == Range::Live ? now - 3600'000 : from, m_range == Range::Live ? now : to);
    });
    for (QDateTimeEdit *edit : { m_from, m_to })
        connect(edit, &QDateTimeEdit::editingFinished, this, [this] {
            if (m_range == Range::Picked)
                setRange(Range::Picked, m_from->dateTime().toMSecsSinceEpoch(), m_to->dateTime().toMSecsSinceEpoch());
        });

    bar->addWidget(new QLabel(QStringLiteral("Refresh:"), this));
    m_refresh = new QSpinBox(this);
    m_refresh->setObjectName(QStringLiteral("fleetRefresh"));
    m_refresh->setRange(1, FleetConnection::MaxRefreshSeconds);
    m_refresh->setValue(FleetConnection::DefaultRefreshSeconds);
    m_refresh->setSuffix(QStringLiteral(" s"));
    m_refresh->setToolTip(QStringLiteral("How often the live view asks every source again"));
    connect(m_refresh, &QSpinBox::valueChanged, this, [this](int seconds) {
        m_client->setRefreshSeconds(seconds);
        if (m_range == Range::Live)
            m_store.setStepMs(seconds * 1000);
    });
    bar->addWidget(m_refresh);

    bar->addWidget(new QLabel(QStringLiteral("Service:"), this));
    m_service = new QComboBox(this);
    m_service->setObjectName(QStringLiteral("fleetService"));
    m_service->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    m_service->addItem(AllServices, QString());
    m_service->setToolTip(QStringLiteral("Show one service's breakers (Prometheus job, or Hystrix command group), or all"));
    connect(m_service, &QComboBox::currentIndexChanged, this,
        [this] { setServiceFilter(m_service->currentData().toString()); });
    bar->addWidget(m_service);

    m_notClosed = new QCheckBox(QStringLiteral("Only not CLOSED"), this);
    m_notClosed->setObjectName(QStringLiteral("fleetNotClosed"));
    m_notClosed->setToolTip(QStringLiteral(
        "Show only the breakers that were not CLOSED (or in no known state) at some moment of the range"));
    connect(m_notClosed, &QCheckBox::toggled, this, &FleetView::setNotClosedOnly);
    bar->addWidget(m_notClosed);

    bar->addWidget(new QLabel(QStringLiteral("Replicas:"), this));
    m_replicas = new QComboBox(this);
    m_replicas->setObjectName(QStringLiteral("fleetReplicas"));
    m_replicas->addItem(QStringLiteral("Together"), true);
    m_replicas->addItem(QStringLiteral("One by one"), false);
    m_replicas->setToolTip(QStringLiteral(
        "Together: one lane per breaker name and service, its height split by how many replicas (instances) are in each state. "
        "One by one: a lane per instance"));
    connect(m_replicas, &QComboBox::currentIndexChanged, this,
        [this] { setReplicasTogether(m_replicas->currentData().toBool()); });
    bar->addWidget(m_replicas);

    auto *foldAll = new QPushButton(QStringLiteral("Fold all"), this);
    foldAll->setToolTip(QStringLiteral("Show each service as its one summary lane"));
    connect(foldAll, &QPushButton::clicked, this, [this] {
        for (const QString &s : m_store.services())
            m_filter.collapsed.insert(s);
        markDirty();
    });
    auto *unfoldAll = new QPushButton(QStringLiteral("Unfold all"), this);
    unfoldAll->setToolTip(QStringLiteral("Show every service's breakers"));
    connect(unfoldAll, &QPushButton::clicked, this, [this] {
        m_filter.collapsed.clear();
        markDirty();
    });
    bar->addWidget(foldAll);
    bar->addWidget(unfoldAll);

    m_twin = new QPushButton(QStringLiteral("Twin in the lab…"), this);
    m_twin->setObjectName(QStringLiteral("fleetTwin"));
    m_twin->setToolTip(QStringLiteral(
        "Open the selected breaker's history over the range shown in the lab's Compare mode: its known settings "
        "against other thresholds, replayed on that very history (the Sweep dialog takes it too)"));
    m_twin->setEnabled(false);
    connect(m_twin, &QPushButton::clicked, this, [this] {
        QString error;
        if (openTwin(&error).isEmpty())
            QMessageBox::warning(this, QStringLiteral("Twin in the lab"), error);
    });
    bar->addWidget(m_twin);

    m_progress = new QProgressBar(this);
    m_progress->setObjectName(QStringLiteral("fleetProgress"));
    m_progress->setRange(0, 0); // busy: a query_range answers all at once
    m_progress->setMaximumWidth(120);
    m_progress->setFormat(QStringLiteral("reading history"));
    m_progress->setToolTip(QStringLiteral("Reading the range's history from the sources"));
    m_progress->setVisible(false);
    bar->addWidget(m_progress);
    bar->addStretch();
    layout->addLayout(bar);

    auto *split = new QSplitter(Qt::Vertical, this);
    m_lanes = new FleetLanes(split);
    m_lanes->setTipProvider([this](const FleetLane &lane) { return fleetLaneTip(m_store, lane); });
    m_lanes->setBandMaker(
        [this](const FleetLane &lane, qint64 fromMs, qint64 toMs) { return fleetLaneBands(m_store, lane, fromMs, toMs); });
    connect(m_lanes, &FleetLanes::serviceToggled, this,
        [this](const QString &service) { setServiceCollapsed(service, !m_filter.collapsed.contains(service)); });
    connect(m_lanes, &FleetLanes::laneClicked, this,
        [this](const QString &key) { select(key == m_selected ? QString() : key); });
    split->addWidget(m_lanes);

    auto *chartsPanel = new QWidget(split);
    auto *chartsLayout = new QVBoxLayout(chartsPanel);
    chartsLayout->setContentsMargins(0, 0, 0, 0);
    m_subject = new QLabel(chartsPanel);
    m_subject->setObjectName(QStringLiteral("fleetChartSubject"));
    m_subject->setToolTip(QStringLiteral("What the charts sum: click a lane to chart it alone, click it again for everything shown"));
    chartsLayout->addWidget(m_subject);
    auto *grid = new QGridLayout;
    grid->setSpacing(4);

    ChartFrame calls = makeClockChartFrame(CallsTitle, QStringLiteral("calls/s"), chartsPanel);
    m_succeeded = addBand(calls, QStringLiteral("succeeded"), QColor(0x2e, 0x9e, 0x44), nullptr);
    m_failed = addBand(calls, QStringLiteral("failed or timed out"), QColor(0xe0, 0x2a, 0x2a), m_succeeded);
    m_rejected = addBand(calls, QStringLiteral("rejected by the breaker"), QColor(0x8b, 0x00, 0x00), m_failed);
    m_charts.append(calls);
    ChartFrame rates = makeClockChartFrame(RatesTitle, QStringLiteral("% of calls"), chartsPanel);
    m_failureRate = addLine(rates, QStringLiteral("failure rate"), QColor(0xd6, 0x27, 0x28));
    m_slowRate = addLine(rates, QStringLiteral("slow-call rate"), QColor(0xff, 0x7f, 0x0e));
    rates.y->setRange(0, 100);
    m_charts.append(rates);
    ChartFrame bulkhead = makeClockChartFrame(BulkheadTitle, QStringLiteral("% of limit"), chartsPanel);
    m_bulkhead = addLine(bulkhead, QStringLiteral("concurrent calls / limit"), QColor(0x6a, 0x4c, 0xc2));
    bulkhead.y->setRange(0, 100);
    m_charts.append(bulkhead);
    for (int i = 0; i < m_charts.size(); ++i) {
        m_charts[i].view->setToolTip(QStringLiteral("Hover for the values at a moment"));
        grid->addWidget(withLegend(m_charts[i], chartsPanel), 0, i);
    }
    chartsLayout->addLayout(grid, 1);
    split->addWidget(chartsPanel);
    split->setStretchFactor(0, 3);
    split->setStretchFactor(1, 2);
    layout->addWidget(split, 1);
}

bool FleetView::open(const FleetConnection &connection, QString *error)
{
    if (!m_client->open(connection, error))
        return false;
    m_store.clear();
    m_filter.collapsed.clear();
    m_selected.clear();
    {
        const QSignalBlocker block(m_refresh);
        m_refresh->setValue(connection.refreshSeconds);
    }
    setRange(Range::Live);
    return true;
}

void FleetView::close()
{
    m_client->close();
    m_loading = false;
    m_progress->setVisible(false);
}

std::pair<qint64, qint64> FleetView::window() const
{
    if (m_range == Range::Picked)
        return { m_pickedFrom, m_pickedTo };
    if (m_range == Range::Live) {
        // Moved a tenth of the span at a time, so that the axes stand still between steps (no
        // re-layout of every label at every refresh).
        constexpr qint64 Step = LiveSpanMs / 10;
        const qint64 now = std::max(QDateTime::currentMSecsSinceEpoch(), m_store.latestMs());
        const qint64 to = (now / Step + 1) * Step;
        return { to - LiveSpanMs, to };
    }
    return { m_pickedFrom, m_pickedTo }; // fixed when the range was asked for
}

void FleetView::setRange(Range range, qint64 fromMs, qint64 toMs)
{
    m_range = range;
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    if (range == Range::Picked) {
        m_pickedFrom = std::min(fromMs, toMs);
        m_pickedTo = std::max({ fromMs, toMs, m_pickedFrom + 60'000 });
    } else {
        m_pickedTo = now;
        m_pickedFrom = now - spanOf(range);
    }
    const int index = m_rangeBox->findData(int(range));
    {
        const QSignalBlocker block(m_rangeBox);
        m_rangeBox->setCurrentIndex(index);
    }
    for (QDateTimeEdit *edit : { m_from, m_to })
        edit->setVisible(range == Range::Picked);
    {
        const QSignalBlocker a(m_from), b(m_to);
        m_from->setDateTime(QDateTime::fromMSecsSinceEpoch(m_pickedFrom));
        m_to->setDateTime(QDateTime::fromMSecsSinceEpoch(m_pickedTo));
    }
    m_store.setStepMs(range == Range::Live ? m_refresh->value() * 1000 : m_store.stepMs());
    fetchRange();
    markDirty();
}

void FleetView::fetchRange()
{
    if (!m_client->isOpen())
        return;
    // Live starts from the last 15 minutes at the refresh interval; a past range at the step
    // that fills the store's rings.
    const qint64 span = m_pickedTo - m_pickedFrom;
    const qint64 stepMs = m_range == Range::Live
        ? m_refresh->value() * 1000
        : std::max<qint64>(1000, (span / FleetStore::Capacity + 999) / 1000 * 1000);
    m_loading = true;
    m_progress->setVisible(true);
    m_client->fetchHistory(m_pickedFrom, m_pickedTo, fromMs(double(stepMs)));
}

void FleetView::onHistory(const FleetHistory &history, const QStringList &errors)
{
    // An answer for a range no longer shown is dropped.
    if (history.fromMs != m_pickedFrom || history.toMs != m_pickedTo)
        return;
    m_loading = false;
    m_progress->setVisible(false);
    // Live, the history only fills the lanes' start: a source without one (a Hystrix stream) is no news.
    m_historyErrors = m_range == Range::Live ? QStringList() : errors;
    m_store.setHistory(history, m_range == Range::Live);
    if (m_range == Range::Live)
        m_store.setStepMs(m_refresh->value() * 1000);
    markDirty();
    Q_EMIT historyLoaded(errors);
}

void FleetView::ingest(const FleetSnapshot &snapshot, qint64 wallMs)
{
    // A past range stands still: only the sources' status follows.
    if (m_range == Range::Live)
        m_store.ingest(snapshot, wallMs);
    else
        m_store.ingest(FleetSnapshot { {}, snapshot.sources, snapshot.takenAt }, wallMs);
    markDirty();
}

void FleetView::markDirty()
{
    m_dirty = true;
}

void FleetView::setServiceFilter(const QString &service)
{
    m_filter.service = service;
    const int i = m_service->findData(service);
    if (i >= 0 && i != m_service->currentIndex())
        m_service->setCurrentIndex(i);
    markDirty();
}

void FleetView::setNotClosedOnly(bool on)
{
    m_filter.notClosedOnly = on;
    if (m_notClosed->isChecked() != on)
        m_notClosed->setChecked(on);
    markDirty();
}

void FleetView::setReplicasTogether(bool on)
{
    m_filter.replicasTogether = on;
    const int i = m_replicas->findData(on);
    if (i != m_replicas->currentIndex())
        m_replicas->setCurrentIndex(i);
    // A lane key names its breakers: the old grouping's selection no longer matches a lane.
    m_selected.clear();
    markDirty();
}

void FleetView::setServiceCollapsed(const QString &service, bool collapsed)
{
    if (collapsed)
        m_filter.collapsed.insert(service);
    else
        m_filter.collapsed.remove(service);
    markDirty();
}

void FleetView::select(const QString &key)
{
    m_selected = key;
    markDirty();
}

std::vector<std::size_t> FleetView::selection() const
{
    const auto [from, to] = window();
    return fleetSelection(m_store, m_filter, m_selected, from, to);
}

void FleetView::syncServices()
{
    const QStringList services = m_store.services();
    if (services == m_knownServices)
        return;
    m_knownServices = services;
    const QSignalBlocker block(m_service);
    m_service->clear();
    m_service->addItem(AllServices, QString());
    for (const QString &s : services)
        m_service->addItem(s, s);
    const int i = m_service->findData(m_filter.service);
    m_service->setCurrentIndex(i >= 0 ? i : 0);
}

QString FleetView::sourceStatusText() const
{
    return m_sources->text();
}

QString FleetView::chartSubject() const
{
    return m_subject->text();
}

QXYSeries *FleetView::series(const QString &chartTitle, const QString &name) const
{
    return findSeries(m_charts, chartTitle, name);
}

QString FleetView::openTwin(QString *error)
{
    const std::vector<std::size_t> chosen = selection();
    if (m_selected.isEmpty() || chosen.empty()) {
        if (error)
            *error = QStringLiteral("select a breaker's lane first");
        return {};
    }
    const auto [from, to] = window();
    // The lane's breakers summed step by step (replicas together are one service's breaker).
    BreakerSeries series;
    series.id = m_store.breakers()[chosen.front()].id;
    if (chosen.size() > 1)
        series.id.instance.clear();
    std::map<qint64, HistoryPoint> steps;
    const auto add = [](double &sum, float v) {
        if (!std::isnan(v))
            sum = (hasFigure(sum) ? sum : 0) + v;
    };
    for (std::size_t i : chosen) {
        m_store.breakers()[i].points.forEach([&](const FleetPoint &p) {
            if (p.timeMs < from || p.timeMs > to)
                return;
            HistoryPoint &h = steps[p.timeMs];
            h.timeMs = p.timeMs;
            add(h.callsPerSecond, p.calls);
            add(h.failuresPerSecond, p.failures);
            add(h.rejectedPerSecond, p.rejected);
            if (p.state >= 0)
                h.state = h.state ? moreSevere(*h.state, CircuitState(p.state)) : CircuitState(p.state);
        });
    }
    for (const auto &[at, point] : steps)
        series.points.push_back(point);
    const Duration step = fromMs(double(m_store.stepMs()));
    TwinReport report;
    ScenarioConfig twin = twinScenario(series, step, QStringLiteral("trace.csv"),
        libraryDefaultPolicy(series.id.library, series.id.name), &report);
    twin.description += QStringLiteral(": %L1 calls and %L2 failures over %L3 steps of %4 s (%L5 without data); %L6 calls the "
                                       "real breaker rejected take the failure ratio of the step before")
                            .arg(report.calls)
                            .arg(report.failures)
                            .arg(report.steps)
                            .arg(toMs(step) / 1000)
                            .arg(report.stepsWithoutData)
                            .arg(report.rejectedCalls);
    // One folder per breaker: opening its twin again replaces the files, whole.
    static const QRegularExpression unsafe(QStringLiteral("[^A-Za-z0-9._-]+"));
    const QDir folder(QStandardPaths::writableLocation(QStandardPaths::AppDataLocation) + QStringLiteral("/twins/")
        + series.id.displayName().replace(unsafe, QStringLiteral("_")));
    QString problem;
    const QString scenarioPath = folder.filePath(QStringLiteral("scenario.json"));
    if (!QDir().mkpath(folder.path())) {
        problem = AtomicFile::cannotWrite(folder.path(), QStringLiteral("cannot create the folder"));
    } else if (writeFileAtomically(folder.filePath(QStringLiteral("trace.csv")), traceCsv(*twin.operations.front().trace), &problem)
        && writeFileAtomically(scenarioPath, scenarioToJsonBytes(twin), &problem)) {
        Q_EMIT twinWritten(scenarioPath);
        return scenarioPath;
    }
    if (error)
        *error = problem;
    return {};
}

void FleetView::refresh()
{
    m_dirty = false;
    syncServices();
    const auto [from, to] = window();

    m_lanes->setLanes(fleetLanes(m_store, m_filter, from, to), from, to);
    m_lanes->setSelectedKey(m_selected);

    const std::vector<std::size_t> chosen = selection();
    // The whole fleet unfiltered is charted from each source's totals, not breaker by breaker.
    std::vector<const FleetStore::Breaker *> charted;
    if (m_selected.isEmpty() && m_filter.service.isEmpty() && !m_filter.notClosedOnly) {
        for (const FleetStore::Breaker &total : m_store.totals())
            charted.push_back(&total);
    } else {
        for (std::size_t i : chosen)
            charted.push_back(&m_store.breakers()[i]);
    }
    const FleetChartPoints points = fleetChartPoints(charted, from, to, MaxPoints);
    replacePoints(m_succeeded, points.succeeded);
    replacePoints(m_failed, points.failed);
    replacePoints(m_rejected, points.rejected);
    replacePoints(m_failureRate, points.failureRate);
    replacePoints(m_slowRate, points.slowCallRate);
    replacePoints(m_bulkhead, points.bulkheadPercent);
    for (ChartFrame &c : m_charts)
        setClockRange(c, from, to);
    fitAxis(m_charts[0].y, { &points.rejected }, 1);
    const QString bulkheadTitle = points.hasBulkhead ? BulkheadTitle : BulkheadTitle + QStringLiteral(" (none reported)");
    if (m_charts[2].chart->title() != bulkheadTitle)
        m_charts[2].chart->setTitle(bulkheadTitle);

    QString subject;
    if (m_selected.isEmpty())
        subject = QStringLiteral("Charts: every breaker shown (%1)").arg(chosen.size());
    else if (m_selected.startsWith(QStringLiteral("service:")))
        subject = QStringLiteral("Charts: service %1 (%2 breakers)").arg(m_selected.mid(8)).arg(chosen.size());
    else if (!chosen.empty())
        subject = QStringLiteral("Charts: %1%2")
                      .arg(m_store.breakers()[chosen.front()].id.displayName(),
                          chosen.size() > 1 ? QStringLiteral(" (%1 replicas together)").arg(chosen.size()) : QString());
    if (m_subject->text() != subject)
        m_subject->setText(subject);
    m_twin->setEnabled(!m_selected.isEmpty() && !m_selected.startsWith(QStringLiteral("service:")) && !chosen.empty());

    QStringList status;
    for (const SourceStatus &s : m_store.sources()) {
        const QString dot = QStringLiteral("<span style=\"color:%1\">&#9679;</span> ")
                                .arg(s.reachable ? QStringLiteral("#2e7d32") : QStringLiteral("#c62828"));
        status.append(dot + s.url.toHtmlEscaped()
            + (s.reachable ? QStringLiteral(": %1 breakers").arg(s.breakers)
                           : QStringLiteral(": <span style=\"color:#c62828\">%1</span>")
                                 .arg((s.error.isEmpty() ? QStringLiteral("waiting for its first answer") : s.error).toHtmlEscaped())));
    }
    for (const QString &e : std::as_const(m_historyErrors))
        status.append(QStringLiteral("<span style=\"color:#c62828\">history: %1</span>").arg(e.toHtmlEscaped()));
    if (status.isEmpty())
        status.append(m_client->isOpen() ? QStringLiteral("Connecting…") : QStringLiteral("Not connected: File > Connect…"));
    const QString sources = status.join(QStringLiteral(" &nbsp; "));
    if (m_sources->text() != sources)
        m_sources->setText(sources);

    m_health = fleetHealth(m_store);
    for (ChartFrame &c : m_charts)
        c.view->viewport()->update();
    Q_EMIT refreshed();
}

} // namespace bw
