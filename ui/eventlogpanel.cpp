#include "eventlogpanel.h"

#include "eventlogmodel.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLineEdit>
#include <QRegularExpression>
#include <QSortFilterProxyModel>
#include <QTableView>
#include <QVBoxLayout>

namespace bw {

EventLogPanel::EventLogPanel(QWidget *parent)
    : QWidget(parent)
{
    auto *ll = new QVBoxLayout(this);
    ll->setContentsMargins(2, 2, 2, 2);
    auto *filters = new QHBoxLayout;
    auto *kind = new QComboBox(this);
    kind->setObjectName(QStringLiteral("eventKindFilter"));
    kind->setToolTip(QStringLiteral("Show one kind of event only"));
    kind->addItem(QStringLiteral("All kinds"), QString());
    for (auto k :
        { EventLogModel::Kind::StateChange, EventLogModel::Kind::Fault, EventLogModel::Kind::Control })
        kind->addItem(EventLogModel::kindName(k), EventLogModel::kindName(k));
    auto *text = new QLineEdit(this);
    text->setObjectName(QStringLiteral("eventTextFilter"));
    text->setPlaceholderText(QStringLiteral("Filter…"));
    text->setToolTip(QStringLiteral("Show the events whose text contains this"));
    text->setClearButtonEnabled(true);
    filters->addWidget(kind);
    filters->addWidget(text, 1);
    ll->addLayout(filters);
    m_eventModel = new EventLogModel(this);
    auto *byKind = new QSortFilterProxyModel(this);
    byKind->setSourceModel(m_eventModel);
    byKind->setFilterKeyColumn(EventLogModel::KindColumn);
    m_eventProxy = new QSortFilterProxyModel(this);
    m_eventProxy->setSourceModel(byKind);
    m_eventProxy->setFilterKeyColumn(-1);
    m_eventProxy->setFilterCaseSensitivity(Qt::CaseInsensitive);
    connect(kind, &QComboBox::currentIndexChanged, this, [byKind, kind] {
        const QString k = kind->currentData().toString();
        byKind->setFilterRegularExpression(
            k.isEmpty() ? QString() : QStringLiteral("^%1$").arg(QRegularExpression::escape(k)));
    });
    connect(text, &QLineEdit::textChanged, m_eventProxy, &QSortFilterProxyModel::setFilterFixedString);
    auto *view = new QTableView(this);
    view->setObjectName(QStringLiteral("eventView"));
    view->setModel(m_eventProxy);
    view->verticalHeader()->hide();
    view->horizontalHeader()->setStretchLastSection(true);
    view->setSelectionBehavior(QAbstractItemView::SelectRows);
    ll->addWidget(view);
}

} // namespace bw
