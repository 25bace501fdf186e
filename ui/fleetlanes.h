#pragma once

#include "resilience/circuitbreaker.h"

#include <QList>
#include <QPixmap>
#include <QWidget>

#include <array>
#include <functional>
#include <vector>

class QScrollBar;

namespace bw {

// A stretch of wall-clock time over which a lane's breakers kept their states: how many of them
// were in each state (one breaker: a single 1; replicas together: "3 of 8 OPEN").
struct FleetBand
{
    qint64 fromMs = 0, toMs = 0; // since the epoch, [from, to)
    std::array<int, CircuitStateCount> counts {};
    friend bool operator==(const FleetBand &, const FleetBand &) = default;
};

// One row of the fleet's state lanes: a service's header (the worst of its breakers, and a
// summary) or a breaker, alone or with its replicas together.
struct FleetLane
{
    enum class Kind
    {
        Service,
        Breaker
    };
    Kind kind = Kind::Breaker;
    QString service; // what the row belongs to (a service's row: itself)
    QString label; // the service, or the breaker (with its instance when shown one by one)
    QString summary; // "3 of 8 replicas OPEN", "12 breakers, 2 not CLOSED"
    QString key; // what clicking the row selects (FleetView's selection)
    bool collapsed = false; // a service's: its breakers are hidden
    std::vector<std::size_t> members; // the breakers (store indices) whose states make the bands
    // In time order. Made only for the rows in sight (FleetLanes::setBandMaker): a thousand lanes'
    // bands at every refresh would cost more than the rest of the refresh.
    QList<FleetBand> bands;
    bool banded = false; // bands made for the current range
};

// The fleet's state lanes: a title with the states' legend, a lane per row on a shared
// wall-clock axis (clock-time ticks), a scroll bar when they do not fit. Only the rows in sight
// are painted and only their bands made, so a thousand lanes cost what the visible ones do. A band of several replicas is
// split by height in proportion to its state counts. Clicking a service's row folds or unfolds it
// (serviceToggled); clicking any row selects it (laneClicked).
class FleetLanes final : public QWidget
{
    Q_OBJECT

public:
    static constexpr int LaneHeight = 16;
    static constexpr int LaneGap = 2;

    explicit FleetLanes(QWidget *parent = nullptr);

    // The rows over [fromMs, toMs]; the rows in sight get their bands from the band maker.
    void setLanes(QList<FleetLane> lanes, qint64 fromMs, qint64 toMs);
    const QList<FleetLane> &lanes() const { return m_lanes; }
    qint64 fromMs() const { return m_from; }
    qint64 toMs() const { return m_to; }
    void setSelectedKey(const QString &key);
    // The row at `pos` (this widget's coordinates), or -1.
    int laneAt(const QPoint &pos) const;
    // The rows painted now: first and count.
    std::pair<int, int> visibleLanes() const;
    QScrollBar *scrollBar() const { return m_scroll; }
    // Makes a row's tooltip when the mouse rests on it.
    void setTipProvider(std::function<QString(const FleetLane &)> provider) { m_tip = std::move(provider); }
    // Makes a row's bands over [fromMs, toMs] when it comes in sight.
    using BandMaker = std::function<QList<FleetBand>(const FleetLane &, qint64 fromMs, qint64 toMs)>;
    void setBandMaker(BandMaker maker) { m_bandMaker = std::move(maker); }

    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;

Q_SIGNALS:
    void serviceToggled(const QString &service);
    void laneClicked(const QString &key);

protected:
    void paintEvent(QPaintEvent *event) override;
    void resizeEvent(QResizeEvent *event) override;
    void mousePressEvent(QMouseEvent *event) override;
    void wheelEvent(QWheelEvent *event) override;
    bool event(QEvent *event) override; // tooltips per row

private:
    QRect lanesRect() const;
    void syncScrollBar();
    void makeVisibleBands();

    QList<FleetLane> m_lanes;
    qint64 m_from = 0, m_to = 60'000;
    QString m_selected;
    int m_labelWidth = 220;
    QScrollBar *m_scroll;
    std::function<QString(const FleetLane &)> m_tip;
    BandMaker m_bandMaker;
    QPixmap m_labels; // the label column of the rows in sight
    QStringList m_labelRows; // what m_labels shows
};

// Clock-time ticks for a span: a round step (1 s … 6 h) giving about `wanted` ticks, and each
// tick's label ("14:05:30", "14:05" or "Dec 6 14:00" by the step and span).
struct ClockTick
{
    qint64 atMs = 0;
    QString label;
};
QList<ClockTick> clockTicks(qint64 fromMs, qint64 toMs, int wanted);

} // namespace bw
