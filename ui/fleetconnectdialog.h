#pragma once

#include "fleetconnection.h"

#include <QDialog>

class QComboBox;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QSpinBox;

namespace bw {

// File > Connect…: the Prometheus server, the Hystrix streams (one URL a line), where the bearer
// token is (an environment variable or a file, never the token itself) and the refresh interval.
// OK is accepted only when the connection checks (FleetConnection::check()); the problem shows
// under the fields.
class FleetConnectDialog final : public QDialog
{
    Q_OBJECT

public:
    explicit FleetConnectDialog(const FleetConnection &initial, QWidget *parent = nullptr);

    FleetConnection connection() const;
    void setConnection(const FleetConnection &connection);
    QString problem() const;

    void accept() override;

private:
    QLineEdit *m_prometheus;
    QPlainTextEdit *m_hystrix;
    QComboBox *m_tokenKind;
    QLineEdit *m_token;
    QSpinBox *m_refresh;
    QLabel *m_problem;
};

} // namespace bw
