#pragma once

#include "telemetryhistory.h"

#include <QAbstractTableModel>
#include <QColor>

namespace bw {

// One row per circuit breaker of the run, from the telemetry snapshots. Rows are only ever
// appended (the layout only grows) or reset with a new run; figures refresh with one ranged
// dataChanged per update.
class BreakerModel final : public QAbstractTableModel
{
    Q_OBJECT

public:
    enum Column
    {
        NameColumn,
        StateColumn,
        FailureRateColumn,
        SlowCallRateColumn,
        CallsColumn,
        RejectedColumn,
        ActionsColumn,
        ColumnCount
    };
    // The state as CircuitState's integer, on every column.
    static constexpr int StateRole = Qt::UserRole + 1;

    explicit BreakerModel(QObject *parent = nullptr);

    void update(const TelemetryHistory &history);
    void clear();

    QString breakerName(int row) const;
    CircuitState state(int row) const;
    static QColor badgeColor(CircuitState state);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    std::vector<BreakerRow> m_rows;
};

} // namespace bw
