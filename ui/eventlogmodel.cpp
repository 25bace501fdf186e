#include "eventlogmodel.h"

namespace bw {

EventLogModel::EventLogModel(QObject *parent, int capacity)
    : QAbstractTableModel(parent)
    , m_capacity(std::max(1, capacity))
{ }

QString EventLogModel::kindName(Kind kind)
{
    switch (kind) {
    case Kind::StateChange:
        return QStringLiteral("State change");
    case Kind::Fault:
        return QStringLiteral("Fault");
    case Kind::Control:
        return QStringLiteral("Control");
    }
    return {};
}

void EventLogModel::append(const QList<Entry> &entries)
{
    if (entries.isEmpty())
        return;
    QList<Entry> incoming = entries.size() > m_capacity ? entries.mid(entries.size() - m_capacity) : entries;
    const qsizetype overflow = m_entries.size() + incoming.size() - m_capacity;
    if (overflow > 0) {
        beginRemoveRows({}, 0, int(overflow) - 1);
        m_entries.remove(0, overflow);
        endRemoveRows();
    }
    const int first = int(m_entries.size());
    beginInsertRows({}, first, first + int(incoming.size()) - 1);
    m_entries.append(incoming);
    endInsertRows();
}

void EventLogModel::clear()
{
    if (m_entries.isEmpty())
        return;
    beginResetModel();
    m_entries.clear();
    endResetModel();
}

int EventLogModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_entries.size());
}

int EventLogModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant EventLogModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const Entry &e = m_entries.at(index.row());
    if (role == KindRole)
        return int(e.kind);
    if (role == Qt::DisplayRole) {
        switch (index.column()) {
        case TimeColumn:
            return QString::number(e.atMs / 1000.0, 'f', 3) + QStringLiteral(" s");
        case KindColumn:
            return kindName(e.kind);
        case SubjectColumn:
            return e.subject;
        case DetailColumn:
            return e.detail;
        default:
            return {};
        }
    }
    if (role == Qt::TextAlignmentRole && index.column() == TimeColumn)
        return int(Qt::AlignRight | Qt::AlignVCenter);
    return {};
}

void EventLogModel::setWallClock(bool wallClock)
{
    if (wallClock == m_wallClock)
        return;
    m_wallClock = wallClock;
    Q_EMIT headerDataChanged(Qt::Horizontal, TimeColumn, TimeColumn);
}

QVariant EventLogModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case TimeColumn:
        return m_wallClock ? QStringLiteral("Wall-clock time") : QStringLiteral("Virtual time");
    case KindColumn:
        return QStringLiteral("Kind");
    case SubjectColumn:
        return QStringLiteral("Subject");
    case DetailColumn:
        return QStringLiteral("Detail");
    default:
        return {};
    }
}

} // namespace bw
