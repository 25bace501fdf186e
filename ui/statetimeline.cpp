#include "statetimeline.h"

#include "breakermodel.h"

#include <QPainter>

namespace bw {

namespace {
constexpr int TitleHeight = 22;
constexpr int AxisHeight = 18;
constexpr int LaneHeight = 14;
constexpr int LaneGap = 3;
constexpr std::array<CircuitState, 5> LegendStates { CircuitState::Closed, CircuitState::HalfOpen,
    CircuitState::Open, CircuitState::ForcedOpen, CircuitState::Disabled };
} // namespace

QList<TimeMarker> faultMarkers(const ScenarioConfig &scenario)
{
    QList<TimeMarker> markers;
    for (const FaultConfig &f : scenario.faults) {
        const QString what = QString(faultKindName(f.kind)) + u' ' + f.service;
        markers.append({ toMs(f.at) / 1000.0, what + QStringLiteral(" starts"), QColor(0xc0, 0x30, 0x30) });
        if (f.until != Duration::max())
            markers.append({ toMs(f.until) / 1000.0, what + QStringLiteral(" ends"), QColor(0x30, 0x80, 0x30) });
    }
    return markers;
}

QList<TimeMarker> controlMarkers(const ControlCommand &command, TimePoint at)
{
    const double atMs = toMs(at);
    QList<TimeMarker> markers { { atMs / 1000.0, command.describe(), QColor(0x20, 0x60, 0xc0), true } };
    const auto *inject = std::get_if<ControlCommands::InjectFault>(&command.command);
    if (inject && inject->length != Duration::max())
        markers.append({ (atMs + toMs(inject->length)) / 1000.0,
            QString(faultKindName(inject->fault.kind)) + u' ' + inject->fault.service + QStringLiteral(" ends"),
            QColor(0x30, 0x80, 0x30), true });
    return markers;
}

int drawStateLegend(QPainter &painter, int x, int baseline)
{
    const QFontMetrics fm = painter.fontMetrics();
    for (CircuitState state : LegendStates) {
        painter.fillRect(QRect(x, baseline - 9, 10, 10), BreakerModel::badgeColor(state));
        const QString name = QString(circuitStateName(state));
        painter.drawText(x + 13, baseline, name);
        x += 13 + fm.horizontalAdvance(name) + 10;
    }
    return x;
}

StateTimeline::StateTimeline(QWidget *parent)
    : QWidget(parent)
{
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Preferred);
    setToolTip(QStringLiteral("Breaker states over virtual time, one lane per breaker"));
}

void StateTimeline::setRange(double fromSeconds, double toSeconds)
{
    m_from = fromSeconds;
    m_to = std::max(fromSeconds + 1, toSeconds);
}

void StateTimeline::setPlotMargins(int left, int right)
{
    m_left = std::max(60, left);
    m_right = std::max(0, right);
}

QList<StateTimeline::Lane> StateTimeline::lanes() const
{
    QList<Lane> out;
    for (const TimelineSource &source : m_sources) {
        if (!source.history)
            continue;
        const QStringList &breakers = source.history->layout().breakers;
        for (int b = 0; b < breakers.size(); ++b)
            out.append({ source.name.isEmpty() ? breakers[b] : source.name + QStringLiteral(" · ") + breakers[b],
                source.color, source.history, b });
        if (breakers.isEmpty() && !source.name.isEmpty())
            out.append({ source.name, source.color, source.history, -1 });
    }
    return out;
}

QSize StateTimeline::sizeHint() const
{
    const int lanes = std::max(1, laneCount());
    // Lanes, then three staggered rows of marker labels under them.
    return { 600,
        TitleHeight + AxisHeight + 8 + lanes * (LaneHeight + LaneGap) + 3 * fontMetrics().height() };
}

QSize StateTimeline::minimumSizeHint() const
{
    return { 300, TitleHeight + AxisHeight + LaneHeight + 12 };
}

void StateTimeline::paintEvent(QPaintEvent *)
{
    QPainter p(this);
    const QFontMetrics fm(font());
    // Lane labels decide the left margin.
    const QList<Lane> lanes = this->lanes();
    QStringList names;
    int labels = 60;
    for (const Lane &lane : lanes) {
        names.append(lane.label + lane.color.name());
        labels = std::max(labels, fm.horizontalAdvance(lane.label) + (lane.color.isValid() ? 26 : 12));
    }
    m_left = std::min(labels, 240);

    // Title, legend and lane labels change only with the size and the breakers: drawn once
    // into a pixmap (text is most of this widget's paint time), then copied at every repaint.
    const qreal dpr = devicePixelRatioF();
    if (m_static.size() != size() * dpr || m_staticNames != names) {
        m_staticNames = names;
        m_static = QPixmap(size() * dpr);
        m_static.setDevicePixelRatio(dpr);
        m_static.fill(palette().base().color());
        QPainter s(&m_static);
        QFont bold = font();
        bold.setBold(true);
        s.setFont(bold);
        s.setPen(palette().text().color());
        const QString title = QStringLiteral("Breaker state timeline");
        s.drawText(QRect(6, 2, width(), TitleHeight - 4), Qt::AlignLeft | Qt::AlignVCenter, title);
        const int titleWidth = QFontMetrics(bold).horizontalAdvance(title);
        s.setFont(font());
        drawStateLegend(s, 6 + titleWidth + 24, 15);
        const int bottom = height() - AxisHeight;
        for (int lane = 0; lane < lanes.size(); ++lane) {
            const int y = TitleHeight + 4 + lane * (LaneHeight + LaneGap);
            if (y + LaneHeight > bottom)
                break;
            const int swatch = lanes[lane].color.isValid() ? 14 : 0;
            if (swatch)
                s.fillRect(QRect(4, y + 2, 10, LaneHeight - 4), lanes[lane].color);
            s.drawText(QRect(2 + swatch, y, m_left - 6 - swatch, LaneHeight), Qt::AlignRight | Qt::AlignVCenter,
                fm.elidedText(lanes[lane].label, Qt::ElideMiddle, m_left - 8 - swatch));
        }
    }
    p.drawPixmap(0, 0, m_static);

    const QRect plot(m_left, TitleHeight, std::max(10, width() - m_left - m_right),
        std::max(10, height() - TitleHeight - AxisHeight));
    const double span = m_to - m_from;
    auto xOf = [&](double seconds) { return plot.left() + (seconds - m_from) / span * plot.width(); };

    // Time axis ticks, in seconds, at a round step.
    const double rawStep = span / 8;
    double step = 1;
    for (double candidate : { 1.0, 2.0, 5.0, 10.0, 15.0, 30.0, 60.0, 120.0, 300.0, 600.0, 1800.0, 3600.0 }) {
        step = candidate;
        if (candidate >= rawStep)
            break;
    }
    p.setPen(palette().mid().color());
    for (double t = std::ceil(m_from / step) * step; t <= m_to + 1e-9; t += step) {
        const int x = int(xOf(t));
        p.drawLine(x, plot.top(), x, plot.bottom() + 3);
        p.drawText(QRect(x - 30, plot.bottom() + 3, 60, AxisHeight - 3), Qt::AlignHCenter | Qt::AlignTop,
            QString::number(t, 'g', 6) + QStringLiteral(" s"));
    }

    if (m_sources.isEmpty())
        return;
    const int laneTotal = int(lanes.size());
    if (laneTotal == 0) {
        p.setPen(palette().placeholderText().color());
        p.drawText(QRect(plot.left(), plot.top() + 4, plot.width(), LaneHeight), Qt::AlignCenter,
            QStringLiteral("No circuit breakers in this scenario"));
    }
    for (int lane = 0; lane < laneTotal; ++lane) {
        const int y = plot.top() + 4 + lane * (LaneHeight + LaneGap);
        if (y + LaneHeight > plot.bottom())
            break;
        const auto &buckets = lanes[lane].history->buckets();
        const int breaker = lanes[lane].breaker;
        if (breaker < 0) {
            p.setPen(palette().placeholderText().color());
            p.drawText(QRect(plot.left() + 4, y, plot.width(), LaneHeight), Qt::AlignLeft | Qt::AlignVCenter,
                QStringLiteral("no circuit breaker"));
            continue;
        }
        // Merge consecutive buckets of one state into one band.
        double bandStart = -1, bandEnd = -1;
        CircuitState bandState = CircuitState::Closed;
        auto flush = [&] {
            if (bandStart < 0)
                return;
            const double a = std::max(bandStart, m_from), b = std::min(bandEnd, m_to);
            if (b > a) {
                // Whole pixels: an integer rectangle fills without the path rasterizer.
                const int xa = int(xOf(a)), xb = std::max(xa + 1, int(xOf(b)));
                p.fillRect(QRect(xa, y, xb - xa, LaneHeight), BreakerModel::badgeColor(bandState));
            }
        };
        for (qsizetype i = 0; i < buckets.size(); ++i) {
            const TimeBucket &bucket = *buckets.at(i);
            if (std::size_t(breaker) >= bucket.breakers.size())
                continue;
            const double a = toMs(bucket.start) / 1000.0, b = toMs(bucket.end) / 1000.0;
            const CircuitState s = bucket.breakers[std::size_t(breaker)].state;
            if (bandStart >= 0 && s == bandState && std::abs(a - bandEnd) < 1e-9) {
                bandEnd = b;
                continue;
            }
            flush();
            bandStart = a;
            bandEnd = b;
            bandState = s;
        }
        flush();
    }

    if (!m_markers)
        return;
    // Labels go under the lanes, where they cover no band.
    const int lanesBottom
        = std::min(plot.bottom() - 3 * fm.height(), plot.top() + 4 + std::max(1, laneTotal) * (LaneHeight + LaneGap));
    int shown = 0;
    for (const TimeMarker &m : *m_markers) {
        if (m.atSeconds < m_from || m.atSeconds > m_to)
            continue;
        // Staggered, so that close markers keep readable labels.
        const int labelY = lanesBottom + fm.ascent() + (shown++ % 3) * fm.height();
        const int x = int(xOf(m.atSeconds));
        p.setPen(QPen(m.color, 1.5, Qt::DashLine));
        p.drawLine(x, plot.top(), x, plot.bottom());
        p.setPen(m.color.darker(130));
        p.drawText(x + 3, labelY, m.label);
    }
}

} // namespace bw
