#include "breakerpanel.h"

#include "breakermodel.h"
#include "simulationcontroller.h"

#include <QHBoxLayout>
#include <QHeaderView>
#include <QPushButton>
#include <QTableView>
#include <QToolButton>
#include <QVBoxLayout>

namespace bw {

BreakerPanel::BreakerPanel(SimulationController *controller, QWidget *parent)
    : QWidget(parent)
    , m_controller(controller)
{
    auto *bl = new QVBoxLayout(this);
    bl->setContentsMargins(2, 2, 2, 2);
    m_breakerModel = new BreakerModel(this);
    m_breakerView = new QTableView(this);
    m_breakerView->setObjectName(QStringLiteral("breakerView"));
    m_breakerView->setModel(m_breakerModel);
    m_breakerView->verticalHeader()->hide();
    m_breakerView->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_breakerView->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_breakerView->horizontalHeader()->setStretchLastSection(true);
    bl->addWidget(m_breakerView);
    auto *resetAll = new QPushButton(QStringLiteral("Reset all"), this);
    resetAll->setObjectName(QStringLiteral("resetAll"));
    resetAll->setToolTip(QStringLiteral("Reset every breaker to CLOSED with empty windows"));
    connect(resetAll, &QPushButton::clicked, this, [this] {
        for (int r = 0; r < m_breakerModel->rowCount(); ++r)
            breakerAction(m_breakerModel->breakerName(r), BreakerAction::Reset);
    });
    bl->addWidget(resetAll, 0, Qt::AlignLeft);
    connect(m_breakerModel, &QAbstractItemModel::rowsInserted, this,
        [this](const QModelIndex &, int first, int last) { installRowButtons(first, last); });
    connect(m_breakerModel, &QAbstractItemModel::modelReset, this,
        [this] { installRowButtons(0, m_breakerModel->rowCount() - 1); });
}

void BreakerPanel::installRowButtons(int first, int last)
{
    struct Spec
    {
        const char *label, *tip;
        BreakerAction action;
    };
    static const Spec specs[] = {
        // Short labels, so that four fit beside the figures; the tooltips give the whole action.
        { "Open", "Force open: open the breaker now; it half-opens after its reset timeout", BreakerAction::ForceOpen },
        { "Hold", "Hold open: keep the breaker open (FORCED_OPEN) until reset or forced closed",
            BreakerAction::HoldOpen },
        { "Close", "Force close: close the breaker now", BreakerAction::ForceClose },
        { "Reset", "Reset: back to CLOSED with an empty window", BreakerAction::Reset },
    };
    for (int row = first; row <= last; ++row) {
        const QString name = m_breakerModel->breakerName(row);
        auto *cell = new QWidget;
        auto *layout = new QHBoxLayout(cell);
        layout->setContentsMargins(0, 0, 0, 0);
        layout->setSpacing(2);
        for (const Spec &s : specs) {
            auto *button = new QToolButton(cell);
            button->setAutoRaise(true); // flat: four per row fit the dock
            button->setStyleSheet(QStringLiteral("QToolButton { padding: 0 2px; }"));
            button->setText(QString::fromLatin1(s.label));
            button->setToolTip(QString::fromLatin1(s.tip));
            button->setObjectName(breakerActionName(s.action) + u':' + name);
            const BreakerAction action = s.action;
            connect(
                button, &QToolButton::clicked, this, [this, name, action] { breakerAction(name, action); });
            layout->addWidget(button);
        }
        layout->addStretch();
        m_breakerView->setIndexWidget(m_breakerModel->index(row, BreakerModel::ActionsColumn), cell);
    }
    m_breakerView->resizeColumnToContents(BreakerModel::ActionsColumn);
}

void BreakerPanel::breakerAction(const QString &breaker, BreakerAction action)
{
    // Breakers are named after their operations in the simulator.
    m_controller->post({ ControlCommands::Breaker { breaker, action } });
}

} // namespace bw
