#include "dashboard.h"

#include "chartpoints.h"
#include "markedchartview.h"

#include <QAreaSeries>
#include <QChart>
#include <QChartView>
#include <QComboBox>
#include <QGraphicsLayout>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLegend>
#include <QLineSeries>
#include <QValueAxis>
#include <QVBoxLayout>

#include <cmath>

namespace bw {

namespace {

const QString AllOperations = QStringLiteral("All operations");
// No chart draws more points: painting costs per point, and a plot a few hundred pixels wide
// shows no more.
constexpr qsizetype MaxPoints = 100;

// The smallest 1, 2 or 5 × 10^k at or above `v`: y axes that move in steps, not every frame.
double niceCeiling(double v, double floor)
{
    if (!(v > floor))
        return floor;
    const double magnitude = std::pow(10.0, std::floor(std::log10(v)));
    for (double m : { 1.0, 2.0, 5.0, 10.0 })
        if (m * magnitude >= v)
            return m * magnitude;
    return 10 * magnitude;
}

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

    Chart outcomes = makeChart(OutcomesTitle, QStringLiteral("calls/s"));
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

    Chart retries = makeChart(RetriesTitle, QStringLiteral("retries/s"), QStringLiteral("attempts per call"));
    m_retries = addLine(retries, QStringLiteral("retries/s"), QColor(0x1f, 0x77, 0xb4));
    m_attemptsPerCall = addLine(retries, QStringLiteral("attempts per call"), QColor(0xd6, 0x27, 0x28), true);
    m_charts.append(retries);

    Chart timeouts = makeChart(TimeoutsTitle, QStringLiteral("timeouts/s"));
    m_timeouts = addLine(timeouts, QStringLiteral("timeouts/s"), QColor(0xf0, 0x7a, 0x00));
    m_charts.append(timeouts);

    Chart bulkhead = makeChart(BulkheadTitle, QStringLiteral("% of limit"));
    m_activePercent = addLine(bulkhead, QStringLiteral("active / maxConcurrent"), QColor(0x6a, 0x4c, 0xc2));
    m_queuedPercent = addLine(bulkhead, QStringLiteral("queued / maxQueueSize"), QColor(0xb0, 0x8c, 0xe8));
    bulkhead.y->setRange(0, 100);
    m_charts.append(bulkhead);

    Chart latency = makeChart(LatencyTitle, QStringLiteral("latency (ms)"));
    m_p50 = addLine(latency, QStringLiteral("p50"), QColor(0x2c, 0xa0, 0x2c));
    m_p95 = addLine(latency, QStringLiteral("p95"), QColor(0xff, 0x7f, 0x0e));
    m_p99 = addLine(latency, QStringLiteral("p99"), QColor(0xd6, 0x27, 0x28));
    m_charts.append(latency);

    Chart backend = makeChart(BackendTitle, QStringLiteral("requests/s"), QStringLiteral("requests at once"));
    m_received = addLine(backend, QStringLiteral("received/s"), QColor(0x1f, 0x77, 0xb4));
    // Throughput against goodput: the gap is work done for callers that had already left.
    m_served = addLine(backend, QStringLiteral("served/s"), QColor(0xff, 0x7f, 0x0e));
    m_goodput = addLine(backend, QStringLiteral("goodput/s"), QColor(0x2c, 0xa0, 0x2c));
    m_inService = addLine(backend, QStringLiteral("in service"), QColor(0x17, 0xbe, 0xcf), true);
    m_capacity = addLine(backend, QStringLiteral("capacity"), QColor(0x40, 0x40, 0x40), true);
    m_capacity->setPen(QPen(QColor(0x40, 0x40, 0x40), 2, Qt::DashLine));
    m_charts.append(backend);

    for (int i = 0; i < m_charts.size(); ++i)
        layout->addWidget(withLegend(m_charts[i]), 2 + i / 2, i % 2);
    for (int r = 2; r < 2 + (int(m_charts.size()) + 1) / 2; ++r)
        layout->setRowStretch(r, 1);
}

Dashboard::Chart Dashboard::makeChart(const QString &title, const QString &yTitle, const QString &y2Title)
{
    Chart c;
    c.chart = new QChart;
    c.chart->setTitle(title);
    // Qt Charts' legend keeps to one row under the plot, eliding names ("rece…", "serv…"), or
    // one column beside it, taking half a chart for nine outcomes: withLegend() adds a key that wraps.
    c.chart->legend()->hide();
    c.chart->setMargins(QMargins(2, 2, 2, 2));
    c.chart->layout()->setContentsMargins(0, 0, 0, 0);
    // Live data: animations would lag behind every refresh.
    c.chart->setAnimationOptions(QChart::NoAnimation);
    // The view paints the white background once; a chart background too would fill it twice.
    c.chart->setBackgroundVisible(false);
    c.x = new QValueAxis(c.chart);
    c.x->setTitleText(QStringLiteral("virtual time (s)"));
    c.x->setLabelFormat(QStringLiteral("%g"));
    c.x->setRange(0, 60);
    // Time is read off the shared axis and the markers; vertical grid lines would only add ink.
    c.x->setGridLineVisible(false);
    c.chart->addAxis(c.x, Qt::AlignBottom);
    c.y = new QValueAxis(c.chart);
    c.y->setTitleText(yTitle);
    c.y->setLabelFormat(QStringLiteral("%g"));
    c.y->setRange(0, 1);
    c.y->setGridLinePen(QPen(QColor(0xe0, 0xe0, 0xe0), 0)); // cosmetic: no stroker
    c.chart->addAxis(c.y, Qt::AlignLeft);
    if (!y2Title.isEmpty()) {
        c.y2 = new QValueAxis(c.chart);
        c.y2->setTitleText(y2Title);
        c.y2->setLabelFormat(QStringLiteral("%g"));
        c.y2->setRange(0, 1);
        c.chart->addAxis(c.y2, Qt::AlignRight);
    }
    c.view = new MarkedChartView(c.chart, &m_markers, this);
    c.view->setRenderHint(QPainter::Antialiasing, false);
    c.view->setBackgroundBrush(Qt::white);
    c.view->setMinimumSize(320, 200);
    c.view->setObjectName(title);
    return c;
}

QWidget *Dashboard::withLegend(Chart &c)
{
    QStringList entries;
    for (QAbstractSeries *series : c.chart->series()) {
        const auto *area = qobject_cast<QAreaSeries *>(series);
        const QColor colour = area ? area->color() : static_cast<QXYSeries *>(series)->pen().color();
        // Non-breaking inside an entry, so that a line breaks only between entries.
        QString name = series->name().toHtmlEscaped();
        name.replace(u' ', QStringLiteral("&nbsp;"));
        entries << QStringLiteral("<span style=\"color:%1\">&#9632;</span>&nbsp;%2").arg(colour.name(), name);
    }
    auto *panel = new QWidget(this);
    c.panel = panel;
    panel->setAutoFillBackground(true);
    QPalette white = panel->palette();
    white.setColor(QPalette::Window, Qt::white);
    panel->setPalette(white);
    c.legend = new QLabel(entries.join(QStringLiteral(" &nbsp; ")), panel);
    c.legend->setTextFormat(Qt::RichText);
    c.legend->setWordWrap(true);
    c.legend->setAlignment(Qt::AlignHCenter | Qt::AlignTop);
    c.legend->setContentsMargins(2, 0, 2, 2);
    auto *layout = new QVBoxLayout(panel);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(0);
    layout->addWidget(c.view, 1);
    layout->addWidget(c.legend);
    return panel;
}

QLineSeries *Dashboard::addLine(Chart &c, const QString &name, const QColor &color, bool right)
{
    auto *s = new QLineSeries(c.chart);
    s->setName(name);
    s->setPen(QPen(color, 0)); // cosmetic: drawn without the stroker, several times faster
    c.chart->addSeries(s);
    s->attachAxis(c.x);
    s->attachAxis(right && c.y2 ? c.y2 : c.y);
    return s;
}

void Dashboard::setTimeAxisTitle(const QString &title)
{
    for (Chart &c : m_charts)
        c.x->setTitleText(title);
}

QString Dashboard::hoverText(const QString &chartTitle, double seconds) const
{
    for (const Chart &c : m_charts) {
        if (c.chart->title() != chartTitle || c.chart->series().isEmpty())
            continue;
        const QPointF at = c.chart->mapToPosition(QPointF(seconds, 0), c.chart->series().first());
        const QPointF inside(at.x(), c.chart->plotArea().center().y());
        return static_cast<const MarkedChartView *>(c.view)->valuesAt(inside);
    }
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
    for (const Chart &c : m_charts)
        out.append(c.chart);
    return out;
}

QList<QWidget *> Dashboard::chartPanels() const
{
    QList<QWidget *> out;
    for (const Chart &c : m_charts)
        out.append(c.panel);
    return out;
}

QLabel *Dashboard::legend(const QString &chartTitle) const
{
    for (const Chart &c : m_charts)
        if (c.chart->title() == chartTitle)
            return c.legend;
    return nullptr;
}

QXYSeries *Dashboard::series(const QString &chartTitle, const QString &name) const
{
    for (const Chart &c : m_charts) {
        if (c.chart->title() != chartTitle)
            continue;
        for (QAbstractSeries *s : c.chart->series()) {
            if (s->name() != name)
                continue;
            if (auto *area = qobject_cast<QAreaSeries *>(s))
                return area->upperSeries();
            return qobject_cast<QXYSeries *>(s);
        }
    }
    return nullptr;
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

    // A replace() re-lays out and re-strokes the whole series, so a series whose points did not
    // change (a flat capacity, an empty band) is left alone.
    auto replace = [](QXYSeries *series, const QList<QPointF> &points) {
        if (series->points() != points)
            series->replace(points);
    };
    for (int k = 0; k < OutcomeCount; ++k)
        replace(m_outcomeUpper[std::size_t(k)], points.outcomes[std::size_t(k)]);
    replace(m_retries, points.retries);
    replace(m_attemptsPerCall, points.attemptsPerCall);
    replace(m_timeouts, points.timeouts);
    replace(m_activePercent, points.activePercent);
    replace(m_queuedPercent, points.queuedPercent);
    replace(m_p50, points.p50);
    replace(m_p95, points.p95);
    replace(m_p99, points.p99);
    replace(m_received, points.received);
    replace(m_served, points.served);
    replace(m_goodput, points.goodput);
    replace(m_inService, points.inService);
    replace(m_capacity, points.capacity);

    for (Chart &c : m_charts)
        if (c.x->min() != window.from || c.x->max() != window.to)
            c.x->setRange(window.from, window.to);
    auto setMax = [](QValueAxis *axis, std::initializer_list<const QList<QPointF> *> series, double floor) {
        double value = 0;
        for (const QList<QPointF> *s : series)
            for (const QPointF &p : *s)
                value = std::max(value, p.y());
        const double top = niceCeiling(value * 1.05, floor);
        if (axis->max() != top || axis->min() != 0)
            axis->setRange(0, top);
    };
    setMax(m_charts[0].y, { &points.outcomes.back() }, 1); // the top of the stack
    setMax(m_charts[1].y, { &points.retries }, 1);
    setMax(m_charts[1].y2, { &points.attemptsPerCall }, 2);
    setMax(m_charts[2].y, { &points.timeouts }, 1);
    setMax(m_charts[4].y, { &points.p99 }, 10);
    setMax(m_charts[5].y, { &points.received, &points.served }, 1);
    setMax(m_charts[5].y2, { &points.inService, &points.capacity }, 1);

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
    for (Chart &c : m_charts)
        c.view->viewport()->update();
}

} // namespace bw
