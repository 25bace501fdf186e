#include "dashboard.h"

#include <QAreaSeries>
#include <QChart>
#include <QChartView>
#include <QComboBox>
#include <QCursor>
#include <QGraphicsLayout>
#include <QMouseEvent>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLegend>
#include <QLineSeries>
#include <QToolTip>
#include <QValueAxis>
#include <QVBoxLayout>

#include <cmath>

namespace bw {

namespace {

const QString AllOperations = QStringLiteral("All operations");

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
    case Outcome::Cancelled:
        return QColor(0x90, 0x90, 0x90);
    }
    return Qt::gray;
}

// A chart view that draws the dashboard's time markers (faults, control actions) across its plot,
// in the foreground, each with its label along the line: no series per marker, nothing to
// update when markers come and go. Hovering the plot shows every series' value at that time
// (stacked bands as their own share), with a crosshair.
class MarkedChartView final : public QChartView
{
public:
    MarkedChartView(QChart *chart, const QList<TimeMarker> *const *markers, QWidget *parent)
        : QChartView(chart, parent)
        , m_markers(markers)
    {
        setMouseTracking(true);
    }

    // What the hover tooltip says at plot position `pos`; empty outside the plot or without data.
    QString valuesAt(const QPointF &pos) const
    {
        if (chart()->series().isEmpty() || !chart()->plotArea().contains(pos))
            return {};
        const double x = chart()->mapToValue(pos, chart()->series().first()).x();
        QStringList lines;
        double at = x;
        for (QAbstractSeries *s : chart()->series()) {
            QXYSeries *upper = nullptr, *lower = nullptr;
            if (auto *area = qobject_cast<QAreaSeries *>(s)) {
                upper = area->upperSeries();
                lower = area->lowerSeries();
            } else {
                upper = qobject_cast<QXYSeries *>(s);
            }
            if (!upper || upper->count() == 0)
                continue;
            const int i = nearest(upper, x);
            at = upper->at(i).x();
            double value = upper->at(i).y();
            if (lower && i < lower->count())
                value -= lower->at(i).y();
            QString unit;
            for (QAbstractAxis *axis : s->attachedAxes())
                if (axis->orientation() == Qt::Vertical)
                    unit = axis->titleText();
            lines.append(QStringLiteral("%1: %2 %3").arg(s->name(), QString::number(value, 'g', 4), unit));
        }
        if (lines.isEmpty())
            return {};
        return QStringLiteral("t = %1 s\n").arg(at, 0, 'f', 0) + lines.join(u'\n');
    }

protected:
    void mouseMoveEvent(QMouseEvent *event) override
    {
        QChartView::mouseMoveEvent(event);
        const QPointF pos = mapToScene(event->position().toPoint());
        const QString text = valuesAt(pos);
        m_hoverX = text.isEmpty() ? -1 : pos.x();
        if (text.isEmpty())
            QToolTip::hideText();
        else
            QToolTip::showText(event->globalPosition().toPoint(), text, this);
        viewport()->update();
    }

    void leaveEvent(QEvent *event) override
    {
        QChartView::leaveEvent(event);
        m_hoverX = -1;
        viewport()->update();
    }

    void drawForeground(QPainter *painter, const QRectF &rect) override
    {
        QChartView::drawForeground(painter, rect);
        const QRectF plot = chart()->plotArea();
        if (m_hoverX >= plot.left() && m_hoverX <= plot.right()) {
            painter->setPen(QPen(QColor(0, 0, 0, 90), 0));
            painter->drawLine(QPointF(m_hoverX, plot.top()), QPointF(m_hoverX, plot.bottom()));
        }
        if (!*m_markers || chart()->series().isEmpty())
            return;
        QAbstractSeries *series = chart()->series().first();
        QFont small = font();
        small.setPointSizeF(small.pointSizeF() * 0.8);
        painter->setFont(small);
        const QFontMetrics fm(small);
        for (const TimeMarker &m : **m_markers) {
            const double x = chart()->mapToPosition(QPointF(m.atSeconds, 0), series).x();
            if (x < plot.left() || x > plot.right())
                continue;
            painter->setPen(QPen(m.color, 0, Qt::DashLine));
            painter->drawLine(QPointF(x, plot.top()), QPointF(x, plot.bottom()));
            // The label runs down the line from the plot's top, so neighbours do not collide.
            painter->save();
            painter->translate(x + 2, plot.top() + 2);
            painter->rotate(90);
            painter->setPen(m.color.darker(130));
            painter->drawText(0, -fm.descent(), fm.elidedText(m.label, Qt::ElideRight, int(plot.height()) - 4));
            painter->restore();
        }
    }

private:
    // The index of the point nearest `x`; points are in increasing x.
    static int nearest(const QXYSeries *s, double x)
    {
        int lo = 0, hi = int(s->count()) - 1;
        while (lo < hi) {
            const int mid = (lo + hi) / 2;
            if (s->at(mid).x() < x)
                lo = mid + 1;
            else
                hi = mid;
        }
        if (lo > 0 && std::abs(s->at(lo - 1).x() - x) < std::abs(s->at(lo).x() - x))
            --lo;
        return lo;
    }

    const QList<TimeMarker> *const *m_markers;
    double m_hoverX = -1;
};

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
    // one column beside it, taking half a chart for eight outcomes: withLegend() adds a key that wraps.
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
    const TelemetryHistory &h = *m_history;
    const TimeSeriesLayout &layout = h.layout();
    const auto &buckets = h.buckets();

    // The shared time axis: the whole run when it fits the history, else the newest window.
    const double endS = toMs(h.end()) / 1000.0;
    const double nowS = toMs(h.now()) / 1000.0;
    const double windowS = double(buckets.capacity()) * std::max(0.001, toMs(layout.bucketWidth) / 1000.0);
    double from = 0, to = endS > 0 ? endS : 60;
    if (to > windowS) {
        // Scrolling: the window moves a tenth of its width at a time, so the axes stay still
        // between steps (no re-layout of axis labels and no second geometry pass per series).
        const double step = windowS / 10;
        to = std::max(windowS, std::ceil(nowS / step) * step);
        from = to - windowS;
    }

    const QString op = selectedOperation();
    const int opIndex = op.isEmpty() ? -1 : int(layout.operations.indexOf(op));
    const QString service = opIndex >= 0 ? layout.operationServices.value(opIndex) : QString();
    const int serviceIndex = service.isEmpty() ? -1 : int(layout.services.indexOf(service));
    const int bulkheadIndex = opIndex >= 0 ? int(layout.bulkheads.indexOf(op)) : -1;

    const qsizetype n = buckets.size();
    std::array<QList<QPointF>, OutcomeCount> outcomes;
    QList<QPointF> retries, attempts, timeouts, active, queued, p50, p95, p99, received, inService, capacity, served,
        goodput;
    for (auto &l : outcomes)
        l.reserve(n);
    for (QList<QPointF> *l : { &retries, &attempts, &timeouts, &active, &queued, &p50, &p95, &p99, &received,
             &inService, &capacity, &served, &goodput })
        l->reserve(n);

    bool hasBulkhead = false;
    double maxCalls = 0, maxRetries = 0, maxAttempts = 0, maxTimeouts = 0, maxLatency = 0, maxReceived = 0,
           maxConcurrent = 0;
    // Visible buckets, merged k at a time so that no chart draws more than MaxPoints points:
    // painting costs per point, and a plot a few hundred pixels wide shows no more. Rates stay
    // exact (sums over the merged span); latency and occupancy keep the span's worst.
    constexpr qsizetype MaxPoints = 100;
    qsizetype first = 0;
    while (first < n && toMs(buckets.at(first)->start) / 1000.0 < from)
        ++first;
    const qsizetype k = std::max<qsizetype>(1, (n - first + MaxPoints - 1) / MaxPoints);
    for (qsizetype g = first; g < n; g += k) {
        const double x = toMs(buckets.at(g)->start) / 1000.0;
        double width = 0;
        std::array<std::int64_t, OutcomeCount> counts {};
        std::int64_t retried = 0, attempted = 0, ended = 0, timedOut = 0;
        Duration l50 {}, l95 {}, l99 {};
        double act = -1, que = -1;
        double rec = 0, busy = 0, cap = 0, srv = 0, wasted = 0;
        bool wasteKnown = true; // no goodput where a URL service's is out of sight
        for (qsizetype i = g; i < std::min(n, g + k); ++i) {
            const TimeBucket &b = *buckets.at(i);
            width += toMs(b.end - b.start) / 1000.0;
            for (std::size_t o = 0; o < b.operations.size(); ++o) {
                if (opIndex >= 0 && int(o) != opIndex)
                    continue;
                const OperationPoint &p = b.operations[o];
                for (int c = 0; c < OutcomeCount; ++c)
                    counts[std::size_t(c)] += p.outcomes[std::size_t(c)];
                retried += p.retries;
                attempted += p.attempts;
                ended += p.ended();
                timedOut += p.timeoutsTotal();
                // Percentiles do not add up: for all operations, the worst operation's.
                l50 = std::max(l50, p.p50);
                l95 = std::max(l95, p.p95);
                l99 = std::max(l99, p.p99);
            }
            // Bulkheads: the selected operation's, or the busiest one.
            if (opIndex < 0 || bulkheadIndex >= 0) {
                for (std::size_t h = 0; h < b.bulkheads.size(); ++h) {
                    if (bulkheadIndex >= 0 && int(h) != bulkheadIndex)
                        continue;
                    act = std::max(act, b.bulkheads[h].utilizationPercent());
                    que = std::max(que, b.bulkheads[h].queuePercent());
                }
            }
            // Services: the selected operation's, or all of them summed.
            if (opIndex < 0 || serviceIndex >= 0) {
                double busyNow = 0, capNow = 0;
                for (std::size_t v = 0; v < b.services.size(); ++v) {
                    if (serviceIndex >= 0 && int(v) != serviceIndex)
                        continue;
                    rec += double(b.services[v].received);
                    srv += double(b.services[v].served);
                    wasted += double(b.services[v].wasted);
                    wasteKnown &= b.services[v].wasted >= 0;
                    busyNow += b.services[v].inService;
                    capNow += b.services[v].capacity;
                }
                busy = std::max(busy, busyNow);
                cap = std::max(cap, capNow);
            }
        }
        width = std::max(1e-6, width);
        double stacked = 0;
        for (int c = 0; c < OutcomeCount; ++c) {
            stacked += double(counts[std::size_t(c)]) / width;
            outcomes[std::size_t(c)].append({ x, stacked });
        }
        maxCalls = std::max(maxCalls, stacked);
        retries.append({ x, double(retried) / width });
        maxRetries = std::max(maxRetries, retries.last().y());
        const double apc = ended > 0 ? double(attempted) / double(ended) : 0;
        attempts.append({ x, apc });
        maxAttempts = std::max(maxAttempts, apc);
        timeouts.append({ x, double(timedOut) / width });
        maxTimeouts = std::max(maxTimeouts, timeouts.last().y());
        if (ended > 0) {
            p50.append({ x, toMs(l50) });
            p95.append({ x, toMs(l95) });
            p99.append({ x, toMs(l99) });
            maxLatency = std::max(maxLatency, toMs(l99));
        }
        hasBulkhead |= act >= 0;
        active.append({ x, std::max(0.0, act) });
        queued.append({ x, std::max(0.0, que) });
        rec /= width;
        received.append({ x, rec });
        served.append({ x, srv / width });
        if (wasteKnown)
            goodput.append({ x, (srv - wasted) / width });
        inService.append({ x, busy });
        capacity.append({ x, cap });
        maxReceived = std::max({ maxReceived, rec, srv / width });
        maxConcurrent = std::max({ maxConcurrent, busy, cap });
    }

    // A replace() re-lays out and re-strokes the whole series, so a series whose points did not
    // change (a flat capacity, an empty band) is left alone.
    auto replace = [](QXYSeries *series, const QList<QPointF> &points) {
        if (series->points() != points)
            series->replace(points);
    };
    for (int k = 0; k < OutcomeCount; ++k)
        replace(m_outcomeUpper[std::size_t(k)], outcomes[std::size_t(k)]);
    replace(m_retries, retries);
    replace(m_attemptsPerCall, attempts);
    replace(m_timeouts, timeouts);
    replace(m_activePercent, active);
    replace(m_queuedPercent, queued);
    replace(m_p50, p50);
    replace(m_p95, p95);
    replace(m_p99, p99);
    replace(m_received, received);
    replace(m_served, served);
    replace(m_goodput, goodput);
    replace(m_inService, inService);
    replace(m_capacity, capacity);

    for (Chart &c : m_charts)
        if (c.x->min() != from || c.x->max() != to)
            c.x->setRange(from, to);
    auto setMax = [](QValueAxis *axis, double value, double floor) {
        const double top = niceCeiling(value * 1.05, floor);
        if (axis->max() != top || axis->min() != 0)
            axis->setRange(0, top);
    };
    setMax(m_charts[0].y, maxCalls, 1);
    setMax(m_charts[1].y, maxRetries, 1);
    setMax(m_charts[1].y2, maxAttempts, 2);
    setMax(m_charts[2].y, maxTimeouts, 1);
    setMax(m_charts[4].y, maxLatency, 10);
    setMax(m_charts[5].y, maxReceived, 1);
    setMax(m_charts[5].y2, maxConcurrent, 1);

    const QString bulkheadTitle
        = hasBulkhead || n == 0 ? BulkheadTitle : BulkheadTitle + QStringLiteral(" (no bulkhead)");
    if (m_charts[3].chart->title() != bulkheadTitle)
        m_charts[3].chart->setTitle(bulkheadTitle);
    m_timeline->setRange(from, to);
    // Its height follows the number of lanes; telling the layout at every refresh would lay out
    // (and resize) every chart at every repaint.
    if (m_timelineLanes != layout.breakers.size()) {
        m_timelineLanes = layout.breakers.size();
        m_timeline->updateGeometry();
    }
    m_timeline->update();
    // The markers are painted in each view's foreground, which the series' updates do not redraw.
    for (Chart &c : m_charts)
        c.view->viewport()->update();
}

} // namespace bw
