#include "fleetlanes.h"

#include "breakermodel.h"
#include "statetimeline.h"

#include <QDateTime>
#include <QHelpEvent>
#include <QPainter>
#include <QScrollBar>
#include <QToolTip>
#include <QWheelEvent>

namespace bw {

namespace {
constexpr int TitleHeight = 22;
constexpr int AxisHeight = 18;
constexpr int Pitch = FleetLanes::LaneHeight + FleetLanes::LaneGap;
// A band of replicas is stacked worst first, from the top.
constexpr std::array<CircuitState, CircuitStateCount> StackOrder { CircuitState::Open, CircuitState::ForcedOpen,
    CircuitState::HalfOpen, CircuitState::Closed, CircuitState::MetricsOnly, CircuitState::Disabled };
} // namespace

QList<ClockTick> clockTicks(qint64 fromMs, qint64 toMs, int wanted)
{
    QList<ClockTick> ticks;
    const qint64 span = std::max<qint64>(1, toMs - fromMs);
    constexpr qint64 S = 1000, M = 60 * S, H = 60 * M;
    qint64 step = 6 * H;
    for (qint64 candidate : { S, 2 * S, 5 * S, 10 * S, 15 * S, 30 * S, M, 2 * M, 5 * M, 10 * M, 15 * M, 30 * M, H,
             2 * H, 3 * H, 6 * H }) {
        if (candidate * std::max(1, wanted) >= span) {
            step = candidate;
            break;
        }
    }
    // Round in local time, so that "14:00" falls on the hour wherever the clock is.
    const qint64 offset = qint64(QDateTime::fromMSecsSinceEpoch(fromMs).offsetFromUtc()) * S;
    const bool seconds = step < M;
    const bool days = span > 20 * H;
    for (qint64 t = ((fromMs + offset + step - 1) / step) * step - offset; t <= toMs; t += step) {
        const QDateTime at = QDateTime::fromMSecsSinceEpoch(t);
        ticks.append({ t, at.toString(days ? QStringLiteral("MMM d HH:mm") : seconds ? QStringLiteral("HH:mm:ss") : QStringLiteral("HH:mm")) });
    }
    return ticks;
}

FleetLanes::FleetLanes(QWidget *parent)
    : QWidget(parent)
    , m_scroll(new QScrollBar(Qt::Vertical, this))
{
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Expanding);
    setObjectName(QStringLiteral("fleetLanes"));
    // It fills all of itself: what is behind it need not be painted at every refresh.
    setAttribute(Qt::WA_OpaquePaintEvent);
    m_scroll->setToolTip(QStringLiteral("Scroll through the lanes"));
    connect(m_scroll, &QScrollBar::valueChanged, this, [this] {
        makeVisibleBands();
        update();
    });
    setMouseTracking(false);
}

void FleetLanes::setLanes(QList<FleetLane> lanes, qint64 fromMs, qint64 toMs)
{
    m_lanes = std::move(lanes);
    m_from = fromMs;
    m_to = std::max(fromMs + 1000, toMs);
    // Measured on the longest row only: shaping every row's text at every refresh would cost
    // more than the rest of the refresh.
    const FleetLane *longest = nullptr;
    for (const FleetLane &lane : std::as_const(m_lanes))
        if (!longest || lane.label.size() + lane.summary.size() > longest->label.size() + longest->summary.size())
            longest = &lane;
    const QFontMetrics fm(font());
    const int widest = longest ? fm.horizontalAdvance(longest->label + longest->summary) + 60 : 120;
    m_labelWidth = std::min(std::max(120, widest), std::max(200, width() / 3));
    syncScrollBar();
    update();
}

void FleetLanes::setSelectedKey(const QString &key)
{
    m_selected = key;
    update();
}

QRect FleetLanes::lanesRect() const
{
    const int scroll = m_scroll->isVisible() ? m_scroll->sizeHint().width() : 0;
    return QRect(0, TitleHeight, std::max(10, width() - scroll), std::max(Pitch, height() - TitleHeight - AxisHeight));
}

void FleetLanes::syncScrollBar()
{
    const int fit = std::max(1, lanesRect().height() / Pitch);
    const int over = std::max(0, int(m_lanes.size()) - fit);
    m_scroll->setRange(0, over);
    m_scroll->setPageStep(fit);
    m_scroll->setVisible(over > 0);
    m_scroll->setGeometry(width() - m_scroll->sizeHint().width(), TitleHeight, m_scroll->sizeHint().width(),
        lanesRect().height());
    makeVisibleBands();
}

void FleetLanes::makeVisibleBands()
{
    if (!m_bandMaker)
        return;
    const auto [first, count] = visibleLanes();
    for (int i = first; i < first + count; ++i) {
        FleetLane &lane = m_lanes[i];
        if (!lane.banded) {
            lane.bands = m_bandMaker(lane, m_from, m_to);
            lane.banded = true;
        }
    }
}

void FleetLanes::resizeEvent(QResizeEvent *)
{
    syncScrollBar();
}

std::pair<int, int> FleetLanes::visibleLanes() const
{
    const int first = std::min(m_scroll->value(), int(m_lanes.size()));
    const int fit = std::max(1, lanesRect().height() / Pitch);
    return { first, std::min(fit, int(m_lanes.size()) - first) };
}

int FleetLanes::laneAt(const QPoint &pos) const
{
    const QRect r = lanesRect();
    if (!r.contains(pos))
        return -1;
    const int row = m_scroll->value() + (pos.y() - r.top()) / Pitch;
    return row < m_lanes.size() ? row : -1;
}

QSize FleetLanes::sizeHint() const
{
    return { 800, TitleHeight + AxisHeight + int(std::min<qsizetype>(m_lanes.size(), 24)) * Pitch + 4 };
}

QSize FleetLanes::minimumSizeHint() const
{
    return { 400, TitleHeight + AxisHeight + 3 * Pitch };
}

void FleetLanes::mousePressEvent(QMouseEvent *event)
{
    const int row = laneAt(event->position().toPoint());
    if (row < 0)
        return;
    const FleetLane &lane = m_lanes[row];
    if (lane.kind == FleetLane::Kind::Service && event->position().x() < m_labelWidth)
        Q_EMIT serviceToggled(lane.service);
    else
        Q_EMIT laneClicked(lane.key);
}

void FleetLanes::wheelEvent(QWheelEvent *event)
{
    m_scroll->setValue(m_scroll->value() - event->angleDelta().y() / 40);
    event->accept();
}

bool FleetLanes::event(QEvent *event)
{
    if (event->type() == QEvent::ToolTip) {
        auto *help = static_cast<QHelpEvent *>(event);
        const int row = laneAt(help->pos());
        QString tip = row >= 0 && m_tip ? m_tip(m_lanes[row]) : QString();
        if (row >= 0 && m_lanes[row].kind == FleetLane::Kind::Service)
            tip += QStringLiteral("\nClick the name to fold or unfold its breakers; click the lane to chart the service");
        else if (row >= 0)
            tip += QStringLiteral("\nClick to chart this breaker below and to pick it for the twin");
        if (row < 0)
            tip = QStringLiteral("Breaker states over wall-clock time, one lane per breaker, grouped by service");
        QToolTip::showText(help->globalPos(), tip, this);
        return true;
    }
    return QWidget::event(event);
}

void FleetLanes::paintEvent(QPaintEvent *)
{
    QPainter p(this);
    p.fillRect(rect(), palette().base());
    const QFontMetrics fm(font());
    QFont bold = font();
    bold.setBold(true);
    p.setFont(bold);
    p.setPen(palette().text().color());
    const QString title = QStringLiteral("Breaker states across the fleet");
    p.drawText(QRect(6, 2, width(), TitleHeight - 4), Qt::AlignLeft | Qt::AlignVCenter, title);
    p.setFont(font());
    drawStateLegend(p, 6 + QFontMetrics(bold).horizontalAdvance(title) + 24, 15);

    const QRect lanes = lanesRect();
    const QRect plot(lanes.left() + m_labelWidth, lanes.top(), std::max(10, lanes.width() - m_labelWidth - 8), lanes.height());
    const double span = double(m_to - m_from);
    auto xOf = [&](qint64 ms) { return plot.left() + int(double(ms - m_from) / span * plot.width()); };

    p.setPen(palette().mid().color());
    for (const ClockTick &tick : clockTicks(m_from, m_to, std::max(2, plot.width() / 110))) {
        const int x = xOf(tick.atMs);
        p.drawLine(x, plot.top(), x, plot.bottom() + 3);
        p.drawText(QRect(x - 50, plot.bottom() + 3, 100, AxisHeight - 3), Qt::AlignHCenter | Qt::AlignTop, tick.label);
    }
    if (m_lanes.isEmpty()) {
        p.setPen(palette().placeholderText().color());
        p.drawText(plot, Qt::AlignCenter, QStringLiteral("No circuit breaker to show"));
        return;
    }

    const auto [first, count] = visibleLanes();
    // Service rows striped, the selected row framed, across the lanes.
    for (int i = 0; i < count; ++i) {
        const FleetLane &lane = m_lanes[first + i];
        const int y = lanes.top() + 2 + i * Pitch;
        if (lane.kind == FleetLane::Kind::Service)
            p.fillRect(QRect(lanes.left(), y - 1, lanes.width(), Pitch), palette().alternateBase());
        if (lane.key == m_selected) {
            p.setPen(QPen(palette().highlight().color(), 2));
            p.drawRect(QRect(lanes.left() + 1, y - 1, lanes.width() - 3, Pitch));
        }
    }
    // The label column changes only when the rows in sight do: drawn once into a pixmap (text is
    // most of this widget's paint time), then copied at every repaint. Only the column: blending
    // a pixmap as wide as the lanes would cost more than the text it saves.
    QStringList shownRows { QString::number(m_labelWidth), QString::number(height()) };
    for (int i = 0; i < count; ++i) {
        const FleetLane &lane = m_lanes[first + i];
        shownRows << lane.label + u'\t' + lane.summary + (lane.collapsed ? u'+' : u'-');
    }
    const qreal dpr = devicePixelRatioF();
    if (shownRows != m_labelRows || m_labels.isNull()) {
        m_labelRows = shownRows;
        // The same size again (rows scrolled, a summary changed) reuses the pixmap's memory.
        const QSize size = QSize(m_labelWidth, lanes.height()) * dpr;
        if (m_labels.size() != size)
            m_labels = QPixmap(size);
        m_labels.setDevicePixelRatio(dpr);
        m_labels.fill(Qt::transparent);
        QPainter l(&m_labels);
        for (int i = 0; i < count; ++i) {
            const FleetLane &lane = m_lanes[first + i];
            const int y = 2 + i * Pitch;
            const bool service = lane.kind == FleetLane::Kind::Service;
            // Label left, summary right, in the label column.
            const int summaryWidth = lane.summary.isEmpty() ? 0 : fm.horizontalAdvance(lane.summary) + 6;
            const QString label = service ? (lane.collapsed ? QStringLiteral("▸ ") : QStringLiteral("▾ ")) + lane.label
                                          : QStringLiteral("    ") + lane.label;
            l.setFont(service ? bold : font());
            l.setPen(palette().text().color());
            l.drawText(QRect(4, y, m_labelWidth - 8 - summaryWidth, LaneHeight), Qt::AlignLeft | Qt::AlignVCenter,
                QFontMetrics(l.font()).elidedText(label, Qt::ElideMiddle, m_labelWidth - 8 - summaryWidth));
            l.setFont(font());
            if (!lane.summary.isEmpty()) {
                l.setPen(palette().placeholderText().color());
                l.drawText(QRect(4, y, m_labelWidth - 8, LaneHeight), Qt::AlignRight | Qt::AlignVCenter, lane.summary);
            }
        }
    }
    p.drawPixmap(lanes.topLeft(), m_labels);
    for (int i = 0; i < count; ++i) {
        const FleetLane &lane = m_lanes[first + i];
        const int y = lanes.top() + 2 + i * Pitch;
        for (const FleetBand &band : lane.bands) {
            const qint64 a = std::max(band.fromMs, m_from), b = std::min(band.toMs, m_to);
            if (b <= a)
                continue;
            // Whole pixels: an integer rectangle fills without the path rasterizer.
            const int xa = xOf(a), xb = std::max(xa + 1, xOf(b));
            int total = 0;
            for (int c : band.counts)
                total += c;
            if (total <= 0)
                continue;
            int top = y;
            int seen = 0;
            for (CircuitState state : StackOrder) {
                const int c = band.counts[std::size_t(state)];
                if (c == 0)
                    continue;
                seen += c;
                const int bottom = y + LaneHeight * seen / total;
                p.fillRect(QRect(xa, top, xb - xa, std::max(1, bottom - top)), BreakerModel::badgeColor(state));
                top = bottom;
            }
        }
    }
}

} // namespace bw
