#pragma once

#include "chartframe.h"
#include "fleetclient.h"
#include "fleetlanes.h"
#include "fleetstore.h"

#include <QTimer>
#include <QWidget>

class QCheckBox;
class QComboBox;
class QDateTimeEdit;
class QLabel;
class QLineSeries;
class QProgressBar;
class QPushButton;
class QSpinBox;
class QXYSeries;

namespace bw {


// The window's Fleet mode (README, "Monitoring your services"): the breakers of real services,
// read from Prometheus and Hystrix streams by engine/fleet on a worker thread (FleetClient), kept
// in bounded rings (FleetStore) and drawn like a run: state lanes grouped by service (folding,
// replicas one by one or together), and for the selected lane (or everything shown) calls by
// outcome, failure and slow-call rates and bulkhead use. Live (the last 15 minutes, refreshed at
// the connection's interval) or over a past range read with query_range. Each source's status
// is shown; a slow or dead one never holds the others or the window.
class FleetView final : public QWidget
{
    Q_OBJECT

public:
    enum class Range
    {
        Live,
        Last15Minutes,
        LastHour,
        Last6Hours,
        Last24Hours,
        Picked
    };
    static constexpr qint64 LiveSpanMs = 15 * 60'000;
    // Columns per chart: a plot a few hundred pixels wide shows no more.
    static constexpr int MaxPoints = 120;

    explicit FleetView(QWidget *parent = nullptr);

    // Watches `connection` (dropping the one before), live; false with the reason when it cannot.
    bool open(const FleetConnection &connection, QString *error);
    void close();
    bool isOpen() const { return m_client->isOpen(); }
    FleetClient *client() const { return m_client; }
    const FleetStore &store() const { return m_store; }

    // Live, or a past range (Picked: [fromMs, toMs]); a past range is read from the sources and
    // historyLoaded tells when it has arrived.
    void setRange(Range range, qint64 fromMs = 0, qint64 toMs = 0);
    Range range() const { return m_range; }
    bool isLoadingHistory() const { return m_loading; }
    // The time span shown now, Unix epoch ms.
    std::pair<qint64, qint64> window() const;

    void setServiceFilter(const QString &service); // "" for every service
    void setNotClosedOnly(bool on);
    void setReplicasTogether(bool on);
    void setServiceCollapsed(const QString &service, bool collapsed);
    const FleetFilter &filter() const { return m_filter; }
    // The lane whose breakers the charts sum ("" for everything shown), as FleetLane::key.
    void select(const QString &key);
    QString selectedKey() const { return m_selected; }
    // The selected lane's breakers (store indices).
    std::vector<std::size_t> selection() const;

    // A snapshot as FleetClient delivers it, taken at `wallMs` (tests and the benchmark feed it
    // directly); the next refresh draws it.
    void ingest(const FleetSnapshot &snapshot, qint64 wallMs);
    // The GUI tick: lanes, charts, status and health from the store. Cost: linear in the points
    // in the window; only the lanes in sight are painted.
    void refresh();

    FleetLanes *lanes() const { return m_lanes; }
    const QList<ChartFrame> &charts() const { return m_charts; }
    // For tests: the series named `name` in the chart titled `chartTitle`.
    QXYSeries *series(const QString &chartTitle, const QString &name) const;
    QString sourceStatusText() const;
    QString chartSubject() const;
    FleetHealth health() const { return m_health; }
    // "Twin in the lab…": the selected lane's history over the range shown (replicas summed) as
    // a trace scenario (engine/fleet's twinScenario) with its library's default breaker, written
    // atomically to the app's data folder (twins/NAME/trace.csv and scenario.json, what `fleet
    // --twin` writes), then twinWritten() takes it to the lab. Returns the scenario's path; empty,
    // with the reason, when no breaker is selected or a file cannot be written.
    QString openTwin(QString *error = nullptr);

Q_SIGNALS:
    // A refresh drew new figures (the window's health dock follows).
    void refreshed();
    void historyLoaded(const QStringList &errors);
    // openTwin() wrote the twin's scenario there.
    void twinWritten(const QString &scenarioPath);

private:
    void buildControls();
    void fetchRange();
    void onHistory(const FleetHistory &history, const QStringList &errors);
    void syncServices();
    void markDirty();

    FleetClient *m_client;
    FleetStore m_store;
    FleetFilter m_filter;
    Range m_range = Range::Live;
    qint64 m_pickedFrom = 0, m_pickedTo = 0;
    QString m_selected;
    bool m_loading = false;
    bool m_dirty = false;
    QTimer m_tick; // coalesces a burst of snapshots into one redraw
    FleetHealth m_health;
    QStringList m_historyErrors;

    QLabel *m_sources = nullptr;
    QComboBox *m_rangeBox = nullptr;
    QDateTimeEdit *m_from = nullptr, *m_to = nullptr;
    QSpinBox *m_refresh = nullptr;
    QComboBox *m_service = nullptr;
    QCheckBox *m_notClosed = nullptr;
    QComboBox *m_replicas = nullptr;
    QPushButton *m_twin = nullptr;
    QProgressBar *m_progress = nullptr;
    QLabel *m_subject = nullptr;
    FleetLanes *m_lanes = nullptr;
    QList<ChartFrame> m_charts;
    QLineSeries *m_succeeded = nullptr, *m_failed = nullptr, *m_rejected = nullptr;
    QLineSeries *m_failureRate = nullptr, *m_slowRate = nullptr, *m_bulkhead = nullptr;
    QStringList m_knownServices;
};

} // namespace bw
