#pragma once

#include "run/scenariorun.h"

#include <QWidget>

class QTableView;

namespace bw {

class BreakerModel;
class SimulationController;

// The "Breakers" dock: a row per circuit breaker with its state and figures, four buttons per
// row that force it open, hold it open, force it closed or reset it, and "Reset all". Each
// button posts a breaker command to the controller; the log and the charts' markers show it
// through commandApplied, like every control action.
class BreakerPanel final : public QWidget
{
    Q_OBJECT

public:
    explicit BreakerPanel(SimulationController *controller, QWidget *parent = nullptr);

    // Posts to another run from now on (the Compare mode's selected candidate, or back to the single run).
    void setController(SimulationController *controller) { m_controller = controller; }
    BreakerModel *model() const { return m_breakerModel; }
    QTableView *view() const { return m_breakerView; }

private:
    void installRowButtons(int first, int last);
    void breakerAction(const QString &breaker, BreakerAction action);

    SimulationController *m_controller;
    BreakerModel *m_breakerModel = nullptr;
    QTableView *m_breakerView = nullptr;
};

} // namespace bw
