#include "fleettwindialog.h"

#include "incidentimport.h"

#include "resilience/policyloader.h"
#include "resilience/policywriter.h"
#include "runtime/atomicfile.h"

#include <QDialogButtonBox>
#include <QFileDialog>
#include <QGridLayout>
#include <QJsonDocument>
#include <QLabel>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QVBoxLayout>

namespace bw {

FleetTwinDialog::FleetTwinDialog(const BreakerSeries &series, Duration step, QWidget *parent)
    : QDialog(parent)
{
    setObjectName(QStringLiteral("fleetTwin"));
    const QString name = series.id.displayName();
    setWindowTitle(QStringLiteral("Twin of ") + name);
    m_trace = twinTrace(series, step, name, &m_report);

    auto *summary = new QLabel(this);
    summary->setObjectName(QStringLiteral("twinSummary"));
    summary->setWordWrap(true);
    summary->setText(QStringLiteral("%1 (%2): %L3 calls and %L4 failures over %5 steps of %6 s (%7 without data); "
                                    "%L8 calls the real breaker rejected take the failure ratio of the step before.")
                         .arg(name, QString(fleetLibraryName(series.id.library)))
                         .arg(m_report.calls)
                         .arg(m_report.failures)
                         .arg(m_report.steps)
                         .arg(toMs(step) / 1000)
                         .arg(m_report.stepsWithoutData)
                         .arg(m_report.rejectedCalls));
    summary->setToolTip(QStringLiteral("What the trace holds: each step's calls spread evenly over it, its failures among them"));

    auto *grid = new QGridLayout;
    const PolicyConfig defaults = libraryDefaultPolicy(series.id.library, series.id.name);
    const QString json = QString::fromUtf8(QJsonDocument(policyToJson(defaults)).toJson());
    const QString titles[2] = { QStringLiteral("Known settings (%1's defaults; edit to the breaker's own)").arg(fleetLibraryName(series.id.library)),
        QStringLiteral("Try instead") };
    for (int side = 0; side < 2; ++side) {
        grid->addWidget(new QLabel(titles[side], this), 0, side);
        m_policy[side] = new QPlainTextEdit(json, this);
        m_policy[side]->setObjectName(QStringLiteral("twinPolicy%1").arg(side));
        m_policy[side]->setToolTip(side == 0 ? QStringLiteral("The real breaker's settings as a Breakwater policy (JSON)")
                                             : QStringLiteral("Other settings to replay the same history through (JSON), e.g. another failureRateThreshold"));
        grid->addWidget(m_policy[side], 1, side);
        m_result[side] = new QPlainTextEdit(this);
        m_result[side]->setObjectName(QStringLiteral("twinResult%1").arg(side));
        m_result[side]->setReadOnly(true);
        m_result[side]->setToolTip(QStringLiteral("The replay's outcomes and the breaker's transitions, in seconds from the range's start"));
        grid->addWidget(m_result[side], 2, side);
    }
    m_problem = new QLabel(this);
    m_problem->setStyleSheet(QStringLiteral("color: #c62828"));

    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    QPushButton *replayButton = buttons->addButton(QStringLiteral("Replay both"), QDialogButtonBox::ActionRole);
    replayButton->setObjectName(QStringLiteral("twinReplay"));
    replayButton->setToolTip(QStringLiteral("Replay the history through both settings in virtual time"));
    QPushButton *save = buttons->addButton(QStringLiteral("Save trace…"), QDialogButtonBox::ActionRole);
    save->setToolTip(QStringLiteral("Write the trace (CSV) for breakwater replay, compare and sweep"));
    buttons->button(QDialogButtonBox::Close)->setToolTip(QStringLiteral("Close the twin"));
    connect(replayButton, &QPushButton::clicked, this, &FleetTwinDialog::replay);
    connect(save, &QPushButton::clicked, this, [this] {
        const QString path = QFileDialog::getSaveFileName(this, QStringLiteral("Save trace"), QString(), QStringLiteral("CSV (*.csv)"));
        QString error;
        if (!path.isEmpty() && !saveTrace(path, &error))
            m_problem->setText(error);
    });
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(summary);
    layout->addLayout(grid, 1);
    layout->addWidget(m_problem);
    layout->addWidget(buttons);
    resize(900, 640);
}

void FleetTwinDialog::setPolicy(int side, const PolicyConfig &policy)
{
    m_policy[side]->setPlainText(QString::fromUtf8(QJsonDocument(policyToJson(policy)).toJson()));
}

QString FleetTwinDialog::result(int side) const
{
    return m_result[side]->toPlainText();
}

bool FleetTwinDialog::replay()
{
    PolicyConfig policies[2];
    for (int side = 0; side < 2; ++side) {
        LoadError error;
        const std::optional<PolicyConfig> policy
            = parsePolicy(m_policy[side]->toPlainText().toUtf8(), side == 0 ? QStringLiteral("known settings") : QStringLiteral("try instead"), &error);
        if (!policy) {
            m_problem->setText(error.toString());
            return false;
        }
        policies[side] = *policy;
    }
    m_problem->clear();
    for (int side = 0; side < 2; ++side)
        m_result[side]->setPlainText(replayText(std::make_shared<const Trace>(m_trace), policies[side]));
    return true;
}

bool FleetTwinDialog::saveTrace(const QString &path, QString *error) const
{
    AtomicFile file(path);
    if (!file.open(error))
        return false;
    file.device()->write(traceCsv(m_trace));
    return file.commit(error);
}

} // namespace bw
