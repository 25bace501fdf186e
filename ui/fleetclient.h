#pragma once

#include "fleetconnection.h"

#include "fleet/fleetmodel.h"

#include <QObject>
#include <QThread>

#include <memory>
#include <vector>

namespace bw {

// The window's side of engine/fleet: the sources and their FleetMonitor live on a worker thread
// of their own (their network I/O and the parsing of a thousand breakers' answers never run on
// the GUI thread), and what they learn comes back as value snapshots, one signal per source's
// refresh. Nothing here waits for a source: a slow or dead one only shows in its status.
class FleetClient final : public QObject
{
    Q_OBJECT

public:
    explicit FleetClient(QObject *parent = nullptr);
    ~FleetClient() override;

    // Drops any connection and watches `connection`'s sources, refreshing every
    // refreshSeconds; false with the reason when it does not check or its token cannot be read.
    bool open(const FleetConnection &connection, QString *error);
    void close();
    bool isOpen() const { return m_open; }
    const FleetConnection &connection() const { return m_connection; }
    void setRefreshSeconds(int seconds);
    // Refreshes every source now (one that is still refreshing finishes its round instead); the
    // periodic refresh keeps its rhythm, and the snapshot comes as snapshotReady as usual.
    void refreshNow();
    // Every source's history over [fromMs, toMs] at `step`; historyReady tells, once.
    void fetchHistory(qint64 fromMs, qint64 toMs, Duration step);

Q_SIGNALS:
    void snapshotReady(const bw::FleetSnapshot &snapshot);
    // The sources' series merged; `errors` holds a line per source that gave none ("URL: why").
    void historyReady(const bw::FleetHistory &history, const QStringList &errors);

private:
    struct Worker;
    QThread m_thread;
    QObject *m_context = nullptr; // lives on m_thread: the worker's tasks are queued to it
    void dropRetired(); // on m_thread
    std::shared_ptr<Worker> m_worker; // touched on m_thread only
    std::vector<std::shared_ptr<Worker>> m_retired; // closed, waiting for their requests to end
    FleetConnection m_connection;
    bool m_open = false;
    std::uint64_t m_generation = 0; // a closed connection's late answers are dropped
};

} // namespace bw

Q_DECLARE_METATYPE(bw::FleetSnapshot)
Q_DECLARE_METATYPE(bw::FleetHistory)
