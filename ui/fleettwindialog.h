#pragma once

#include "fleet/fleettwin.h"

#include <QDialog>

class QLabel;
class QPlainTextEdit;

namespace bw {

// The twin of a real breaker in the lab (README, "Monitoring your services"): the breaker's
// observed history over the range shown (calls and failures per step) as a replay trace
// (engine/fleet's twinTrace), replayed in virtual time through its known settings (its library's
// documented defaults, editable) and through other settings beside them: "what would 10 instead
// of 5 have done here?". The trace can be saved for `breakwater replay`, `compare` and `sweep`.
class FleetTwinDialog final : public QDialog
{
    Q_OBJECT

public:
    FleetTwinDialog(const BreakerSeries &series, Duration step, QWidget *parent = nullptr);

    const Trace &trace() const { return m_trace; }
    const TwinReport &report() const { return m_report; }
    // Replays the trace through both policies; false, with the reason shown, when one does not load.
    bool replay();
    QString result(int side) const; // 0: the known settings, 1: the others
    void setPolicy(int side, const PolicyConfig &policy);
    // Writes the trace (CSV) atomically; false with the reason.
    bool saveTrace(const QString &path, QString *error) const;

private:
    Trace m_trace;
    TwinReport m_report;
    QPlainTextEdit *m_policy[2];
    QPlainTextEdit *m_result[2];
    QLabel *m_problem;
};

} // namespace bw
