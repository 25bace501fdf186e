#include "dashboard.h"

#include "chartpoints.h"

#include <QAreaSeries>
#include <QChart>
#include <QChartView>
#include <QComboBox>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineSeries>
#include <QValueAxis>

namespace bw {

namespace {

const QString AllOperations = QStringLiteral("All operations");
// No chart draws more points: painting costs per point, and a plot a few hundred pixels wide
// shows no more.
constexpr qsizetype MaxPoints = 100;

QColor outcomeColor(Outcome o)
{
    switch (o) {
    case Outcome::Success:
        return QColor(0x2e, 0x9e, 0x44);
    case Outcome::Fallback:
        return QColor(0x7c, 0xc4, 0x7f);
    case Outcome::Failure:
        return QColor(0xe0, 0x2a, 0x2a);
    case Outcome::Timeout:
        return QColor(0xf0, 0x7a, 0x00);
    case Outcome::CircuitOpen:
        return QColor(0x8b, 0x00, 0x00);
    case Outcome::BulkheadFull:
        return QColor(0x6a, 0x4c, 0xc2);
    case Outcome::BulkheadTimeout:
        return QColor(0xb0, 0x8c, 0xe8);
    case Outcome::RateLimited:
        return QColor(0x1f, 0x77, 0xb4);
    case Outcome::Throttled:
        return QColor(0x17, 0xbe, 0xcf);
    case Outcome::LimitExceeded:
        return QColor(0xbc, 0xbd, 0x22);
    case Outcome::Cancelled:
        return QColor(0x90, 0x90, 0x90);
    }
    return Qt::gray;
}

const QString OutcomesTitle = QStringLiteral("Calls per second by outcome");
const QString RetriesTitle = QStringLiteral("Retries and attempts per call");
const QString TimeoutsTitle = QStringLiteral("Timeouts per second");
const QString BulkheadTitle = QStringLiteral("Bulkhead utilization");
const QString LatencyTitle = QStringLiteral("Latency percentiles");
const QString BackendTitle = QStringLiteral("Backend load and capacity");

} // namespace

ChartFrame Dashboard::makeChart(const QString &title, const QString &yTitle, const QString &y2Title)
{
    return makeChartFrame(title, yTitle, y2Title, &m_markers, this);
}

Dashboard::Dashboard(QWidget *parent)
    : QWidget(parent)
{
    auto *layout = new QGridLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->setSpacing(4);

    auto *header = new QHBoxLayout;
    header->addWidget(new QLabel(QStringLiteral("Operation:"), this));
    m_operation = new QComboBox(this);
    m_operation->setObjectName(QStringLiteral("operationFilter"));
    m_operation->setToolTip(QStringLiteral("Show the charts for one operation, or all of them summed"));
    m_operation->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    m_operation->addItem(AllOperations, QString());
    header->addWidget(m_operation);
    header->addStretch();
    layout->addLayout(header, 0, 0, 1, 2);
    connect(m_operation, &QComboBox::currentIndexChanged, this, [this] { refresh(); });

    m_timeline = new StateTimeline(this);
    layout->addWidget(m_timeline, 1, 0, 1, 2);

    ChartFrame outcomes = makeChart(OutcomesTitle, QStringLiteral("calls/s"));
    for (int i = 0; i < OutcomeCount; ++i) {
        const Outcome o = AllOutcomes[std::size_t(i)];
        // Stacked: each band's lower edge is the previous band's upper edge.
        auto *upper = new QLineSeries(outcomes.chart);
        m_outcomeUpper[std::size_t(i)] = upper;
        upper->setName(QString(outcomeName(o)));
        auto *area = new QAreaSeries(upper, i > 0 ? m_outcomeUpper[std::size_t(i - 1)] : nullptr);
        area->setName(QString(outcomeName(o)));
        area->setColor(outcomeColor(o));
        area->setPen(QPen(outcomeColor(o).darker(120), 0)); // cosmetic: no stroker per repaint
        outcomes.chart->addSeries(area);
        area->attachAxis(outcomes.x);
        area->attachAxis(outcomes.y);
    }
    m_charts.append(outcomes);

    ChartFrame retries = makeChart(RetriesTitle, QStringLiteral("retries/s"), QStringLiteral("attempts per call"));
    m_retries = addLine(retries, QStringLiteral("retries/s"), QColor(0x1f, 0x77, 0xb4));
    m_attemptsPerCall = addLine(retries, QStringLiteral("attempts per call"), QColor(0xd6, 0x27, 0x28), true);
    m_charts.append(retries);

    ChartFrame timeouts = makeChart(TimeoutsTitle, QStringLiteral("timeouts/s"));
    m_timeouts = addLine(timeouts, QStringLiteral("timeouts/s"), QColor(0xf0, 0x7a, 0x00));
    m_charts.append(timeouts);

    ChartFrame bulkhead = makeChart(BulkheadTitle, QStringLiteral("% of limit"));
    m_activePercent = addLine(bulkhead, QStringLiteral("active / maxConcurrent"), QColor(0x6a, 0x4c, 0xc2));
    m_queuedPercent = addLine(bulkhead, QStringLiteral("queued / maxQueueSize"), QColor(0xb0, 0x8c, 0xe8));
    bulkhead.y->setRange(0, 100);
    m_charts.append(bulkhead);

    ChartFrame latency = makeChart(LatencyTitle, QStringLiteral("latency (ms)"));
    m_p50 = addLine(latency, QStringLiteral("p50"), QColor(0x2c, 0xa0, 0x2c));
    m_p95 = addLine(latency, QStringLiteral("p95"), QColor(0xff, 0x7f, 0x0e));
    m_p99 = addLine(latency, QStringLiteral("p99"), QColor(0xd6, 0x27, 0x28));
    m_charts.append(latency);

    ChartFrame backend = makeChart(BackendTitle, QStringLiteral("requests/s"), QStringLiteral("requests at once"));
    m_received = addLine(backend, QStringLiteral("received/s"), QColor(0x1f, 0x77, 0xb4));
    // Throughput against goodput: the gap is work done for callers that had already left.
    m_served = addLine(backend, QStringLiteral("served/s"), QColor(0xff, 0x7f, 0x0e));
    m_goodput = addLine(backend, QStringLiteral("goodput/s"), QColor(0x2c, 0xa0, 0x2c));
    m_inService = addLine(backend, QStringLiteral("in service"), QColor(0x17, 0xbe, 0xcf), true);
    m_capacity = addLine(backend, QStringLiteral("capacity"), QColor(0x40, 0x40, 0x40), true);
    m_capacity->setPen(QPen(QColor(0x40, 0x40, 0x40), 2, Qt::DashLine));
    // The adaptive concurrency limit against the capacity it looks for, on the same axis.
    m_concurrencyLimit = addLine(backend, QStringLiteral("concurrency limit"), QColor(0xbc, 0xbd, 0x22), true);
    m_charts.append(backend);

    for (int i = 0; i < m_charts.size(); ++i)
        layout->addWidget(withLegend(m_charts[i], this), 2 + i / 2, i % 2);
    for (int r = 2; r < 2 + (int(m_charts.size()) + 1) / 2; ++r)
        layout->setRowStretch(r, 1);
}

void Dashboard::setTimeAxisTitle(const QString &title)
{
    for (ChartFrame &c : m_charts)
        c.x->setTitleText(title);
}

QString Dashboard::hoverText(const QString &chartTitle, double seconds) const
{
    for (const ChartFrame &c : m_charts)
        if (c.chart->title() == chartTitle)
            return bw::hoverText(c, seconds);
    return {};
}

void Dashboard::setHistory(const TelemetryHistory *history)
{
    m_history = history;
    m_timeline->setHistory(history);
}

void Dashboard::setMarkers(const QList<TimeMarker> *markers)
{
    m_markers = markers;
    m_timeline->setMarkers(markers);
}

QString Dashboard::selectedOperation() const
{
    return m_operation->currentData().toString();
}

void Dashboard::selectOperation(const QString &operation)
{
    const int i = m_operation->findData(operation);
    m_operation->setCurrentIndex(i >= 0 ? i : 0);
}

QList<QChart *> Dashboard::charts() const
{
    QList<QChart *> out;
    for (const ChartFrame &c : m_charts)
        out.append(c.chart);
    return out;
}

QList<QWidget *> Dashboard::chartPanels() const
{
    QList<QWidget *> out;
    for (const ChartFrame &c : m_charts)
        out.append(c.panel);
    return out;
}

QLabel *Dashboard::legend(const QString &chartTitle) const
{
    for (const ChartFrame &c : m_charts)
        if (c.chart->title() == chartTitle)
            return c.legend;
    return nullptr;
}

QXYSeries *Dashboard::series(const QString &chartTitle, const QString &name) const
{
    return findSeries(m_charts, chartTitle, name);
}

void Dashboard::syncOperations()
{
    const QStringList &ops = m_history->layout().operations;
    if (ops == m_knownOperations)
        return;
    const QString selected = selectedOperation();
    m_knownOperations = ops;
    const QSignalBlocker block(m_operation);
    m_operation->clear();
    m_operation->addItem(AllOperations, QString());
    for (const QString &op : ops)
        m_operation->addItem(op, op);
    const int i = m_operation->findData(selected);
    m_operation->setCurrentIndex(i >= 0 ? i : 0);
}

void Dashboard::refresh()
{
    if (!m_history)
        return;
    syncOperations();
    const TimeWindow window = visibleWindow(*m_history);
    const ChartPoints points = chartPoints(*m_history, window, selectedOperation(), MaxPoints);

    for (int k = 0; k < OutcomeCount; ++k)
        replacePoints(m_outcomeUpper[std::size_t(k)], points.outcomes[std::size_t(k)]);
    replacePoints(m_retries, points.retries);
    replacePoints(m_attemptsPerCall, points.attemptsPerCall);
    replacePoints(m_timeouts, points.timeouts);
    replacePoints(m_activePercent, points.activePercent);
    replacePoints(m_queuedPercent, points.queuedPercent);
    replacePoints(m_p50, points.p50);
    replacePoints(m_p95, points.p95);
    replacePoints(m_p99, points.p99);
    replacePoints(m_received, points.received);
    replacePoints(m_served, points.served);
    replacePoints(m_goodput, points.goodput);
    replacePoints(m_inService, points.inService);
    replacePoints(m_capacity, points.capacity);
    replacePoints(m_concurrencyLimit, points.concurrencyLimit);

    for (ChartFrame &c : m_charts)
        setTimeRange(c.x, window.from, window.to);
    fitAxis(m_charts[0].y, { &points.outcomes.back() }, 1); // the top of the stack
    fitAxis(m_charts[1].y, { &points.retries }, 1);
    fitAxis(m_charts[1].y2, { &points.attemptsPerCall }, 2);
    fitAxis(m_charts[2].y, { &points.timeouts }, 1);
    fitAxis(m_charts[4].y, { &points.p99 }, 10);
    fitAxis(m_charts[5].y, { &points.received, &points.served }, 1);
    fitAxis(m_charts[5].y2, { &points.inService, &points.capacity, &points.concurrencyLimit }, 1);

    const QString bulkheadTitle = points.hasBulkhead || m_history->buckets().isEmpty()
        ? BulkheadTitle
        : BulkheadTitle + QStringLiteral(" (no bulkhead)");
    if (m_charts[3].chart->title() != bulkheadTitle)
        m_charts[3].chart->setTitle(bulkheadTitle);
    m_timeline->setRange(window.from, window.to);
    // Its height follows the number of lanes; telling the layout at every refresh would lay out
    // (and resize) every chart at every repaint.
    if (m_timelineLanes != m_history->layout().breakers.size()) {
        m_timelineLanes = m_history->layout().breakers.size();
        m_timeline->updateGeometry();
    }
    m_timeline->update();
    // The markers are painted in each view's foreground, which the series' updates do not redraw.
    for (ChartFrame &c : m_charts)
        c.view->viewport()->update();
}

} // namespace bw
