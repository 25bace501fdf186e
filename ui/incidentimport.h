#pragma once

#include "resilience/policy.h"

#include <QDialog>

#include <memory>

class QComboBox;
class QLineEdit;
class QCheckBox;
class QPlainTextEdit;
class QPushButton;

namespace bw {

struct Trace;

// `trace` replayed through `policy` in virtual time, as `breakwater replay` does: the outcomes'
// counts and the breaker's transitions, as text (the import's and the twin's result).
QString replayText(std::shared_ptr<const Trace> trace, const PolicyConfig &policy);

// File > Import incident…: an access log to a replay trace (docs/formats.md, "Access-log import"),
// then, when asked, that trace replayed through the selected operation's policy, as
// `breakwater replay` does, with the breaker's transitions and the outcomes shown below.
class IncidentImportDialog : public QDialog
{
    Q_OBJECT

public:
    IncidentImportDialog(PolicyConfig policy, QWidget *parent = nullptr);

    // Imports, writes the trace and replays it if asked; what happened goes to result().
    // False, with the reason shown there, when the log or an option cannot be used.
    bool importAndReplay();
    QString result() const;

private:
    PolicyConfig m_policy;
    QLineEdit *m_log;
    QComboBox *m_format;
    QLineEdit *m_upstream;
    QLineEdit *m_trace;
    QCheckBox *m_replay;
    QPlainTextEdit *m_result;
};

} // namespace bw
