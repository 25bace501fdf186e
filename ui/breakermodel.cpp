#include "breakermodel.h"

#include <QBrush>

namespace bw {

BreakerModel::BreakerModel(QObject *parent)
    : QAbstractTableModel(parent)
{ }

QColor BreakerModel::badgeColor(CircuitState state)
{
    switch (state) {
    case CircuitState::Closed:
        return QColor(0x2e, 0x9e, 0x44); // green
    case CircuitState::HalfOpen:
        return QColor(0xf0, 0xa8, 0x00); // amber
    case CircuitState::Open:
        return QColor(0xe0, 0x2a, 0x2a); // red
    case CircuitState::ForcedOpen:
        return QColor(0x8b, 0x00, 0x00); // dark red
    case CircuitState::Disabled:
        return QColor(0x90, 0x90, 0x90); // grey
    case CircuitState::MetricsOnly:
        return QColor(0x5b, 0x8d, 0xd6); // blue: records, never rejects
    }
    return Qt::gray;
}

void BreakerModel::clear()
{
    if (m_rows.empty())
        return;
    beginResetModel();
    m_rows.clear();
    endResetModel();
}

void BreakerModel::update(const TelemetryHistory &history)
{
    std::vector<BreakerRow> rows = history.breakerRows();
    // A different set of names (another scenario, a restart): a reset.
    bool sameNames = rows.size() >= m_rows.size();
    for (std::size_t i = 0; sameNames && i < m_rows.size(); ++i)
        sameNames = rows[i].name == m_rows[i].name;
    if (!sameNames) {
        beginResetModel();
        m_rows = std::move(rows);
        endResetModel();
        return;
    }
    const int old = int(m_rows.size());
    if (rows.size() > m_rows.size()) {
        beginInsertRows({}, old, int(rows.size()) - 1);
        m_rows = std::move(rows);
        endInsertRows();
    } else {
        m_rows = std::move(rows);
    }
    if (old > 0)
        Q_EMIT dataChanged(index(0, 0), index(old - 1, ColumnCount - 1));
}

QString BreakerModel::breakerName(int row) const
{
    return row >= 0 && row < rowCount() ? m_rows[std::size_t(row)].name : QString();
}

CircuitState BreakerModel::state(int row) const
{
    return row >= 0 && row < rowCount() ? m_rows[std::size_t(row)].state : CircuitState::Closed;
}

int BreakerModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int BreakerModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant BreakerModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const BreakerRow &row = m_rows[std::size_t(index.row())];
    if (role == StateRole)
        return int(row.state);
    switch (index.column()) {
    case NameColumn:
        if (role == Qt::DisplayRole)
            return row.name;
        break;
    case StateColumn:
        if (role == Qt::DisplayRole)
            return QString(circuitStateName(row.state));
        if (role == Qt::BackgroundRole)
            return QBrush(badgeColor(row.state));
        if (role == Qt::ForegroundRole)
            return QBrush(row.state == CircuitState::HalfOpen ? QColor(Qt::black) : QColor(Qt::white));
        if (role == Qt::TextAlignmentRole)
            return int(Qt::AlignCenter);
        break;
    case FailureRateColumn:
    case SlowCallRateColumn: {
        const double rate = index.column() == FailureRateColumn ? row.failureRate : row.slowCallRate;
        if (role == Qt::DisplayRole)
            return rate < 0 ? QStringLiteral("–") : QString::number(rate, 'f', 1) + u'%';
        if (role == Qt::TextAlignmentRole)
            return int(Qt::AlignRight | Qt::AlignVCenter);
        break;
    }
    case CallsColumn:
        if (role == Qt::DisplayRole)
            return QString::number(row.callsInWindow);
        if (role == Qt::TextAlignmentRole)
            return int(Qt::AlignRight | Qt::AlignVCenter);
        break;
    case RejectedColumn:
        if (role == Qt::DisplayRole)
            return QString::number(row.rejected);
        if (role == Qt::TextAlignmentRole)
            return int(Qt::AlignRight | Qt::AlignVCenter);
        break;
    default:
        break;
    }
    return {};
}

QVariant BreakerModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal)
        return {};
    if (role == Qt::DisplayRole) {
        switch (section) {
        case NameColumn:
            return QStringLiteral("Breaker");
        case StateColumn:
            return QStringLiteral("State");
        case FailureRateColumn:
            return QStringLiteral("Fail %");
        case SlowCallRateColumn:
            return QStringLiteral("Slow %");
        case CallsColumn:
            return QStringLiteral("Calls");
        case RejectedColumn:
            return QStringLiteral("Rejected");
        case ActionsColumn:
            return QStringLiteral("Actions");
        default:
            return {};
        }
    }
    if (role == Qt::ToolTipRole) {
        switch (section) {
        case FailureRateColumn:
            return QStringLiteral("Failure rate in the breaker's own sliding window: what failureRateThreshold is compared with");
        case SlowCallRateColumn:
            return QStringLiteral("Slow-call rate in the breaker's own sliding window: what slowCallRateThreshold is compared with");
        case CallsColumn:
            return QStringLiteral("Calls in the breaker's sliding window (count or time window, as configured)");
        case RejectedColumn:
            return QStringLiteral("Calls the breaker rejected since the run started");
        default:
            break;
        }
    }
    return {};
}

} // namespace bw
