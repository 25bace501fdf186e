#pragma once

#include <QWidget>

class QSortFilterProxyModel;

namespace bw {

class EventLogModel;

// The "Event log" dock: the log's table under a kind filter and a text filter on every column.
class EventLogPanel final : public QWidget
{
    Q_OBJECT

public:
    explicit EventLogPanel(QWidget *parent = nullptr);

    EventLogModel *model() const { return m_eventModel; }
    // What the table shows: the log through both filters.
    QSortFilterProxyModel *proxy() const { return m_eventProxy; }

private:
    EventLogModel *m_eventModel = nullptr;
    QSortFilterProxyModel *m_eventProxy = nullptr;
};

} // namespace bw
