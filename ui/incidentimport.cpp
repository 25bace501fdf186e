#include "incidentimport.h"

#include "accesslog/accesslogimporter.h"
#include "run/scenariorun.h"
#include "runtime/atomicfile.h"
#include "telemetry/summary.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QJsonArray>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QProgressDialog>
#include <QPushButton>
#include <QVBoxLayout>

namespace bw {

IncidentImportDialog::IncidentImportDialog(PolicyConfig policy, QWidget *parent)
    : QDialog(parent)
    , m_policy(std::move(policy))
    , m_log(new QLineEdit(this))
    , m_format(new QComboBox(this))
    , m_upstream(new QLineEdit(this))
    , m_trace(new QLineEdit(this))
    , m_replay(new QCheckBox(QStringLiteral("Replay it through the policy of '%1'").arg(m_policy.name), this))
    , m_result(new QPlainTextEdit(this))
{
    setWindowTitle(QStringLiteral("Import incident"));
    m_log->setObjectName(QStringLiteral("log"));
    m_log->setToolTip(QStringLiteral("The access log of the incident"));
    auto *browse = new QPushButton(QStringLiteral("Browse…"), this);
    browse->setToolTip(QStringLiteral("Choose the access log"));
    connect(browse, &QPushButton::clicked, this, [this] {
        const QString path = QFileDialog::getOpenFileName(this, QStringLiteral("Access log"));
        if (!path.isEmpty())
            m_log->setText(path);
    });
    connect(m_log, &QLineEdit::textChanged, this, [this](const QString &log) {
        m_trace->setText(log.isEmpty() ? QString() : QFileInfo(log).dir().filePath(QFileInfo(log).completeBaseName() + QStringLiteral(".trace.csv")));
    });
    auto *logRow = new QHBoxLayout;
    logRow->addWidget(m_log, 1);
    logRow->addWidget(browse);
    m_format->setObjectName(QStringLiteral("format"));
    m_format->addItems({ QStringLiteral("nginx"), QStringLiteral("envoy"), QStringLiteral("haproxy"), QStringLiteral("jsonl") });
    m_format->setToolTip(QStringLiteral("nginx: combined plus $request_time $upstream_response_time $upstream_status; "
                                        "envoy: its default format; haproxy: option httplog; jsonl: Envoy's JSON keys"));
    m_upstream->setObjectName(QStringLiteral("upstream"));
    m_upstream->setPlaceholderText(QStringLiteral("all"));
    m_upstream->setToolTip(QStringLiteral("Only the requests this upstream served (Envoy's host, HAProxy's backend)"));
    m_trace->setObjectName(QStringLiteral("trace"));
    m_trace->setToolTip(QStringLiteral("Where the trace CSV goes, for `breakwater replay` and later runs"));
    m_replay->setObjectName(QStringLiteral("replay"));
    m_replay->setChecked(true);
    m_replay->setToolTip(QStringLiteral("Offer each request to the selected operation's policy at its time, as "
                                        "`breakwater replay` does, and show when the breaker opened"));
    m_result->setObjectName(QStringLiteral("result"));
    m_result->setReadOnly(true);
    m_result->setToolTip(QStringLiteral("What the import read, and what the replay did"));
    m_result->setMinimumSize(520, 180);

    auto *form = new QFormLayout;
    form->addRow(QStringLiteral("Access log:"), logRow);
    form->addRow(QStringLiteral("Format:"), m_format);
    form->addRow(QStringLiteral("Upstream:"), m_upstream);
    form->addRow(QStringLiteral("Trace:"), m_trace);
    form->addRow(m_replay);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    QPushButton *run = buttons->addButton(QStringLiteral("Import"), QDialogButtonBox::ActionRole);
    run->setObjectName(QStringLiteral("import"));
    run->setToolTip(QStringLiteral("Import the log, write the trace and replay it if asked"));
    buttons->button(QDialogButtonBox::Close)->setToolTip(QStringLiteral("Close this dialog"));
    connect(run, &QPushButton::clicked, this, &IncidentImportDialog::importAndReplay);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(m_result, 1);
    layout->addWidget(buttons);
}

QString IncidentImportDialog::result() const
{
    return m_result->toPlainText();
}

QString replayText(std::shared_ptr<const Trace> trace, const PolicyConfig &policy)
{
    Summary summary;
    ScenarioRun run(traceScenario(std::move(trace), policy), 0);
    run.setSummary(&summary);
    run.runToEnd();
    const QJsonObject json = summary.toJson();
    QString text = QStringLiteral("Replayed through '%1':").arg(policy.name);
    const QJsonObject outcomes = json.value(QLatin1String("totals")).toObject().value(QLatin1String("outcomes")).toObject();
    for (auto it = outcomes.begin(); it != outcomes.end(); ++it)
        if (it.value().toInteger() > 0)
            text += QStringLiteral(" %1 %L2,").arg(it.key()).arg(it.value().toInteger());
    text.chop(1);
    text += u'\n';
    const QJsonObject breakers = json.value(QLatin1String("breakers")).toObject();
    for (auto it = breakers.begin(); it != breakers.end(); ++it) {
        const QJsonArray transitions = it.value().toObject().value(QLatin1String("transitions")).toArray();
        if (transitions.isEmpty())
            text += QStringLiteral("The breaker stayed closed.\n");
        for (const QJsonValue &t : transitions) {
            const QJsonObject o = t.toObject();
            text += QStringLiteral("  %1 s: %2 → %3 (%4)\n")
                        .arg(o.value(QLatin1String("t_ms")).toDouble() / 1000, 0, 'f', 3)
                        .arg(o.value(QLatin1String("from")).toString(), o.value(QLatin1String("to")).toString(),
                            o.value(QLatin1String("reason")).toString());
        }
    }
    return text;
}

bool IncidentImportDialog::importAndReplay()
{
    const auto fail = [this](const QString &message) {
        m_result->setPlainText(message);
        return false;
    };
    AccessLogImporter::Options options;
    options.format = LogLineParser::Format(m_format->currentIndex());
    options.upstream = m_upstream->text().trimmed();
    QString error;
    std::optional<AccessLogImporter> importer = AccessLogImporter::create(options, &error);
    if (!importer)
        return fail(error);
    const QString logPath = m_log->text();
    QFile log(logPath);
    if (!log.open(QIODevice::ReadOnly))
        return fail(logPath + QStringLiteral(": cannot read: ") + log.errorString());

    QProgressDialog progress(QStringLiteral("Importing %1…").arg(QFileInfo(logPath).fileName()), QString(), 0, 1000, this);
    progress.setWindowModality(Qt::WindowModal);
    progress.setMinimumDuration(500);
    const qint64 size = std::max<qint64>(log.size(), 1);
    if (!importer->read(log, [&](qint64 read) { progress.setValue(int(read * 1000 / size)); }, &error))
        return fail(logPath + QStringLiteral(": ") + error);
    progress.setValue(1000);

    const AccessLogImporter::Report &report = importer->report();
    QString text = importer->describe(QFileInfo(logPath).fileName());
    if (report.imported == 0)
        return fail(text + QStringLiteral("No request imported: is the format right?"));
    AtomicFile trace(m_trace->text());
    if (!trace.open(&error))
        return fail(text + error);
    importer->writeCsv(*trace.device());
    if (!trace.commit(&error))
        return fail(text + error);
    text += QStringLiteral("Wrote %1\n").arg(m_trace->text());

    if (m_replay->isChecked()) {
        text += u'\n' + replayText(std::make_shared<const Trace>(importer->trace(m_trace->text())), m_policy);
    }
    m_result->setPlainText(text);
    return true;
}

} // namespace bw
