#pragma once

#include <QAbstractTableModel>
#include <QList>

namespace bw {

// The event log: state changes, faults and control actions, oldest first. Entries arrive in
// batches (one beginInsertRows per refresh, never one per event) and the log keeps at most
// `capacity` rows, dropping the oldest in one removal.
class EventLogModel final : public QAbstractTableModel
{
    Q_OBJECT

public:
    enum class Kind
    {
        StateChange,
        Fault,
        Control
    };
    struct Entry
    {
        double atMs = 0;
        Kind kind = Kind::StateChange;
        QString subject; // breaker, service or operation
        QString detail;
    };
    enum Column
    {
        TimeColumn,
        KindColumn,
        SubjectColumn,
        DetailColumn,
        ColumnCount
    };
    static constexpr int KindRole = Qt::UserRole + 1;

    explicit EventLogModel(QObject *parent = nullptr, int capacity = 10000);

    void append(const QList<Entry> &entries);
    void clear();
    const QList<Entry> &entries() const { return m_entries; }
    static QString kindName(Kind kind);
    // Real HTTP runs on the wall clock: the time column says which clock its times are on.
    void setWallClock(bool wallClock);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    QList<Entry> m_entries;
    int m_capacity;
    bool m_wallClock = false;
};

} // namespace bw
