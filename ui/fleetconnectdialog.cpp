#include "fleetconnectdialog.h"

#include <QComboBox>
#include <QPushButton>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QSpinBox>
#include <QVBoxLayout>

namespace bw {

namespace {
enum TokenKind
{
    NoToken,
    TokenVariable,
    TokenFile
};
} // namespace

FleetConnectDialog::FleetConnectDialog(const FleetConnection &initial, QWidget *parent)
    : QDialog(parent)
{
    setWindowTitle(QStringLiteral("Connect to a fleet"));
    setObjectName(QStringLiteral("fleetConnectDialog"));
    auto *form = new QFormLayout;

    m_prometheus = new QLineEdit(this);
    m_prometheus->setObjectName(QStringLiteral("prometheusUrl"));
    m_prometheus->setPlaceholderText(QStringLiteral("http://prometheus:9090"));
    m_prometheus->setToolTip(QStringLiteral(
        "The Prometheus server that scrapes your services: every circuit breaker it holds is shown "
        "(Resilience4j, opossum, Polly, Breakwater). Empty: none."));
    form->addRow(QStringLiteral("Prometheus URL:"), m_prometheus);

    m_hystrix = new QPlainTextEdit(this);
    m_hystrix->setObjectName(QStringLiteral("hystrixUrls"));
    m_hystrix->setPlaceholderText(QStringLiteral("http://service:8080/hystrix.stream\n(one URL a line)"));
    m_hystrix->setToolTip(QStringLiteral(
        "Hystrix or Turbine event streams (Hystrix, opossum-hystrix, Breakwater's /hystrix.stream), one URL a line"));
    m_hystrix->setFixedHeight(fontMetrics().lineSpacing() * 4 + 12);
    form->addRow(QStringLiteral("Hystrix streams:"), m_hystrix);

    auto *token = new QHBoxLayout;
    m_tokenKind = new QComboBox(this);
    m_tokenKind->setObjectName(QStringLiteral("tokenKind"));
    m_tokenKind->addItem(QStringLiteral("None"));
    m_tokenKind->addItem(QStringLiteral("Environment variable"));
    m_tokenKind->addItem(QStringLiteral("File"));
    m_tokenKind->setToolTip(QStringLiteral(
        "Where the bearer token sent to the sources is read from at each connection; the token itself is never saved"));
    m_token = new QLineEdit(this);
    m_token->setObjectName(QStringLiteral("tokenSource"));
    m_token->setToolTip(QStringLiteral("The environment variable's name (e.g. PROMETHEUS_TOKEN), or the file's path"));
    token->addWidget(m_tokenKind);
    token->addWidget(m_token, 1);
    form->addRow(QStringLiteral("Bearer token:"), token);
    connect(m_tokenKind, &QComboBox::currentIndexChanged, this, [this](int kind) {
        m_token->setEnabled(kind != NoToken);
        m_token->setPlaceholderText(kind == TokenVariable ? QStringLiteral("PROMETHEUS_TOKEN")
                : kind == TokenFile                    ? QStringLiteral("/run/secrets/prometheus-token")
                                                       : QString());
    });

    m_refresh = new QSpinBox(this);
    m_refresh->setObjectName(QStringLiteral("refreshInterval"));
    m_refresh->setRange(1, FleetConnection::MaxRefreshSeconds);
    m_refresh->setSuffix(QStringLiteral(" s"));
    m_refresh->setToolTip(QStringLiteral("How often the live view asks every source again"));
    form->addRow(QStringLiteral("Refresh every:"), m_refresh);

    m_problem = new QLabel(this);
    m_problem->setObjectName(QStringLiteral("connectProblem"));
    m_problem->setStyleSheet(QStringLiteral("color: #c62828"));
    m_problem->setWordWrap(true);

    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    buttons->button(QDialogButtonBox::Ok)->setText(QStringLiteral("Connect"));
    buttons->button(QDialogButtonBox::Ok)->setToolTip(QStringLiteral("Open the Fleet mode on these sources"));
    buttons->button(QDialogButtonBox::Cancel)->setToolTip(QStringLiteral("Keep the window as it is"));
    connect(buttons, &QDialogButtonBox::accepted, this, &FleetConnectDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &FleetConnectDialog::reject);

    auto *layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(m_problem);
    layout->addWidget(buttons);
    setConnection(initial);
    resize(560, sizeHint().height());
}

FleetConnection FleetConnectDialog::connection() const
{
    FleetConnection c;
    c.prometheus = m_prometheus->text().trimmed();
    for (const QString &line : m_hystrix->toPlainText().split(u'\n')) {
        if (!line.trimmed().isEmpty())
            c.hystrix.append(line.trimmed());
    }
    const QString token = m_token->text().trimmed();
    if (m_tokenKind->currentIndex() == TokenVariable)
        c.tokenVariable = token;
    else if (m_tokenKind->currentIndex() == TokenFile)
        c.tokenFile = token;
    c.refreshSeconds = m_refresh->value();
    return c;
}

void FleetConnectDialog::setConnection(const FleetConnection &c)
{
    m_prometheus->setText(c.prometheus);
    m_hystrix->setPlainText(c.hystrix.join(u'\n'));
    m_tokenKind->setCurrentIndex(!c.tokenVariable.isEmpty() ? TokenVariable : !c.tokenFile.isEmpty() ? TokenFile : NoToken);
    m_token->setText(!c.tokenVariable.isEmpty() ? c.tokenVariable : c.tokenFile);
    m_token->setEnabled(m_tokenKind->currentIndex() != NoToken);
    m_refresh->setValue(c.refreshSeconds);
    m_problem->clear();
}

QString FleetConnectDialog::problem() const
{
    return m_problem->text();
}

void FleetConnectDialog::accept()
{
    const FleetConnection c = connection();
    QString error;
    bool ok = true;
    if (m_tokenKind->currentIndex() != NoToken && m_token->text().trimmed().isEmpty()) {
        error = QStringLiteral("bearer token: expected the variable's name or the file's path");
        ok = false;
    }
    // The token is read now, so that a missing one is said here rather than by every source.
    ok = ok && c.check(&error) && c.bearerToken(&error).has_value();
    if (!ok) {
        m_problem->setText(error);
        return;
    }
    QDialog::accept();
}

} // namespace bw
