#include "htmlreport.h"

#include "comparereport.h"
#include "dashboard.h"
#include "sweepreport.h"

#include "resilience/policywriter.h"
#include "scenario/scenariowriter.h"

#include <QApplication>
#include <QBuffer>
#include <QChart>
#include <QJsonArray>
#include <QJsonDocument>
#include <QPainter>
#include <QRegularExpression>
#include <QSvgGenerator>

namespace bw {

namespace {

// Each chart is drawn at this size and shown at most this wide: its text then reads at the
// window's size. The page's column is as wide.
constexpr int ChartWidth = 960;
constexpr int ChartHeight = 340;

// Readable on a laptop and on paper: one column, system fonts, tables that line their figures up.
const char *const Style = R"(
body { margin: 0; background: #f4f5f7; color: #1d2329; font: 15px/1.45 system-ui, -apple-system, "Segoe UI", "DejaVu Sans", sans-serif; }
main { max-width: 960px; margin: 0 auto; padding: 24px 24px 48px; background: #fff; }
h1 { font-size: 26px; margin: 0 0 4px; }
h2 { font-size: 20px; margin: 32px 0 8px; padding-bottom: 4px; border-bottom: 2px solid #d8dde3; }
h3 { font-size: 16px; margin: 20px 0 6px; }
p { margin: 6px 0; }
.meta { color: #5a6570; font-size: 13px; }
dl { display: grid; grid-template-columns: max-content auto; gap: 2px 16px; margin: 8px 0; }
dt { font-weight: 600; color: #3a444e; }
dd { margin: 0; }
.scroll { overflow-x: auto; }
table { border-collapse: collapse; margin: 6px 0 4px; font-size: 13px; font-variant-numeric: tabular-nums; }
th, td { padding: 4px 6px; border: 1px solid #d8dde3; text-align: right; white-space: nowrap; }
th { background: #eef1f4; font-weight: 600; }
th:first-child, td:first-child { text-align: left; }
th.text, td.text { text-align: left; }
td.text { white-space: normal; }
tbody tr:nth-child(even) td { background: #fafbfc; }
td.best, tbody tr:nth-child(even) td.best { background: #dff3e4; font-weight: 700; }
.caption { color: #5a6570; font-size: 13px; margin: 2px 0 4px; }
figure { margin: 14px 0 22px; }
figcaption { font-weight: 600; margin-bottom: 4px; }
/* Qt names its default font "Sans Serif", which browsers do not know: the font the charts were laid out with. */
figure svg text { font-family: "DejaVu Sans", Verdana, sans-serif; }
figure svg { display: block; box-sizing: border-box; width: 100%; max-width: 960px; height: auto; border: 1px solid #e3e6ea; }
pre { background: #f6f8fa; border: 1px solid #e3e6ea; padding: 10px 12px; overflow-x: auto; font: 13px/1.4 ui-monospace, "DejaVu Sans Mono", monospace; white-space: pre; }
details { margin: 6px 0; }
summary { cursor: pointer; color: #2a5db0; }
footer { margin-top: 36px; color: #5a6570; font-size: 12px; }
)";

QString escaped(const QString &text)
{
    return text.toHtmlEscaped();
}

QString seconds(Duration d)
{
    return QString::number(toMs(d) / 1000.0, 'g', 10) + QStringLiteral(" s");
}

// The widget's painting as an <svg> element for inline use: QSvgGenerator's document without its
// XML prolog, sized in pixels (it writes millimetres) so that the page scales it to its column.
QString svgElement(QWidget *widget, const QString &title)
{
    QBuffer buffer;
    buffer.open(QIODevice::WriteOnly);
    QSvgGenerator svg;
    svg.setOutputDevice(&buffer);
    svg.setSize(widget->size());
    svg.setViewBox(widget->rect());
    svg.setTitle(title);
    svg.setResolution(widget->logicalDpiX()); // fonts in pixels as on screen (the default, 72 dpi, shrinks them)
    QPainter painter(&svg);
    widget->render(&painter);
    painter.end();
    QString text = QString::fromUtf8(buffer.data());
    text.remove(0, text.indexOf(QStringLiteral("<svg")));
    static const QRegularExpression size(QStringLiteral("^<svg width=\"[^\"]*\" height=\"[^\"]*\""));
    text.replace(size,
        QStringLiteral("<svg width=\"%1\" height=\"%2\" role=\"img\" aria-label=\"%3\"")
            .arg(widget->width())
            .arg(widget->height())
            .arg(escaped(title)));
    return text;
}

// A JSON value in a table cell: a string as is, anything else compact.
QString cell(const QJsonValue &v)
{
    if (v.isUndefined() || v.isNull())
        return QStringLiteral("–");
    if (v.isString())
        return v.toString();
    if (v.isDouble())
        return QString::number(v.toDouble(), 'g', 10);
    if (v.isBool())
        return v.toBool() ? QStringLiteral("true") : QStringLiteral("false");
    const QJsonDocument doc = v.isObject() ? QJsonDocument(v.toObject()) : QJsonDocument(v.toArray());
    return QString::fromUtf8(doc.toJson(QJsonDocument::Compact));
}

// The entries of a scenario JSON array as a table: a column per key any entry has, in `keys`'
// order.
ReportTable jsonTable(const QString &title, const QJsonArray &entries, const QStringList &keys)
{
    ReportTable table;
    table.title = title;
    for (const QString &key : keys)
        if (std::any_of(entries.begin(), entries.end(), [&](const QJsonValue &e) { return e.toObject().contains(key); }))
            table.headers << key;
    for (const QJsonValue &e : entries) {
        QStringList row;
        for (const QString &key : table.headers)
            row << cell(e.toObject().value(key));
        table.rows << row;
    }
    return table;
}

void appendScenario(HtmlReport &report, const ScenarioConfig &scenario)
{
    report.addHeading(QStringLiteral("Scenario"));
    QList<std::pair<QString, QString>> facts { { QStringLiteral("Name"), scenario.name },
        { QStringLiteral("Duration"), seconds(scenario.duration) } };
    if (!scenario.description.isEmpty())
        facts.append({ QStringLiteral("Description"), scenario.description });
    if (!scenario.lookFor.isEmpty())
        facts.append({ QStringLiteral("What to look for"), scenario.lookFor });
    report.addFacts(facts);
    const QJsonObject json = scenarioToJson(scenario);
    report.addTable(jsonTable(QStringLiteral("Services"), json.value(u"services").toArray(),
        { QStringLiteral("name"), QStringLiteral("capacity"), QStringLiteral("queueLimit"), QStringLiteral("latency"),
            QStringLiteral("errorRate"), QStringLiteral("errorCode"), QStringLiteral("abandoned"), QStringLiteral("url") }));
    report.addTable(jsonTable(QStringLiteral("Operations"), json.value(u"operations").toArray(),
        { QStringLiteral("name"), QStringLiteral("service"), QStringLiteral("rate"), QStringLiteral("arrival"),
            QStringLiteral("policy") }));
    ReportTable faults;
    faults.title = QStringLiteral("Faults");
    faults.headers = { QStringLiteral("service"), QStringLiteral("type"), QStringLiteral("from"),
        QStringLiteral("until"), QStringLiteral("parameters") };
    for (const FaultConfig &f : scenario.faults)
        faults.rows << QStringList { f.service, QString(faultKindName(f.kind)), seconds(f.at),
            f.until == Duration::max() ? QStringLiteral("the end") : seconds(f.until),
            faultParameters(f).isEmpty() ? QStringLiteral("–") : cell(faultParameters(f)) };
    if (faults.rows.isEmpty())
        report.addParagraph(QStringLiteral("No faults."));
    else
        report.addTable(faults);
    report.addCode(QString::fromUtf8(scenarioToJsonBytes(scenario)),
        QStringLiteral("The scenario as JSON (save it as a file to run it)"));
}

void appendPolicies(HtmlReport &report, const ReportRequest &request)
{
    report.addHeading(QStringLiteral("Policies"));
    const auto json = [](const PolicyConfig &p) {
        return QString::fromUtf8(QJsonDocument(policyToJson(p)).toJson(QJsonDocument::Indented));
    };
    if (!request.candidates.isEmpty()) {
        for (const Candidate &c : request.candidates) {
            report.addSubheading(c.name + QStringLiteral(" (on ")
                + (c.operation.isEmpty() ? QStringLiteral("every operation") : c.operation) + u')');
            report.addCode(json(c.policy));
        }
        return;
    }
    for (const OperationConfig &op : request.scenario.operations) {
        report.addSubheading(op.name + QStringLiteral(" (policy \"") + op.policyName + QStringLiteral("\")"));
        report.addCode(json(op.policy));
    }
}

void appendControls(HtmlReport &report, const QList<TimedCommand> &controls)
{
    if (controls.isEmpty())
        return;
    report.addHeading(QStringLiteral("Live edits"));
    ReportTable table;
    table.headers = { QStringLiteral("at"), QStringLiteral("action"), QStringLiteral("on"), QStringLiteral("change") };
    for (const TimedCommand &c : controls) {
        const ControlDescription d = c.command.description();
        table.rows << QStringList { seconds(c.at), d.action, d.subject, d.change };
    }
    report.addTable(table);
    report.addCode(QString::fromUtf8(controlEventsJsonl(controls)),
        QStringLiteral("The edits as control events (save them as edits.jsonl for --controls)"));
}

void appendReproduction(HtmlReport &report, const ReportRequest &request)
{
    report.addHeading(QStringLiteral("Reproduce"));
    QStringList seeds;
    for (std::uint64_t s : request.seeds)
        seeds << QString::number(s);
    report.addFacts({ { request.seeds.size() == 1 ? QStringLiteral("Seed") : QStringLiteral("Seeds"),
        seeds.join(QStringLiteral(", ")) } });
    report.addParagraph(QStringLiteral("The simulation is deterministic: the same scenario, policies, seed and "
                                       "edits give the same run, figure for figure. This command runs it again:"));
    report.addCode(shellCommandLine(request.commandLine));
}

} // namespace

HtmlReport::HtmlReport(const QString &title)
    : m_title(title)
{ }

void HtmlReport::addHeading(const QString &text)
{
    m_body += QStringLiteral("<h2>%1</h2>\n").arg(escaped(text));
}

void HtmlReport::addSubheading(const QString &text)
{
    m_body += QStringLiteral("<h3>%1</h3>\n").arg(escaped(text));
}

void HtmlReport::addParagraph(const QString &text)
{
    m_body += QStringLiteral("<p>%1</p>\n").arg(escaped(text));
}

void HtmlReport::addFacts(const QList<std::pair<QString, QString>> &facts)
{
    m_body += QStringLiteral("<dl>\n");
    for (const auto &[term, value] : facts)
        m_body += QStringLiteral("<dt>%1</dt><dd>%2</dd>\n").arg(escaped(term), escaped(value));
    m_body += QStringLiteral("</dl>\n");
}

void HtmlReport::addTable(const ReportTable &table)
{
    if (!table.title.isEmpty())
        addSubheading(table.title);
    if (!table.caption.isEmpty())
        m_body += QStringLiteral("<p class=\"caption\">%1</p>\n").arg(escaped(table.caption));
    // A column of figures is right-aligned, so that they line up; a column with words or JSON in
    // it reads left to right, its header too.
    static const QRegularExpression figure(QStringLiteral("^[-+–]?[0-9.,]*[0-9][0-9.,]*( ?(%|s|ms|×))?$|^–$"));
    QList<bool> text(table.headers.size(), false);
    for (const QStringList &row : table.rows)
        for (qsizetype c = 1; c < row.size() && c < text.size(); ++c)
            text[c] = text[c] || !figure.match(row.at(c)).hasMatch();
    m_body += QStringLiteral("<div class=\"scroll\"><table>\n<thead><tr>");
    for (qsizetype c = 0; c < table.headers.size(); ++c)
        m_body += (text[c] ? QStringLiteral("<th class=\"text\">%1</th>") : QStringLiteral("<th>%1</th>"))
                      .arg(escaped(table.headers.at(c)));
    m_body += QStringLiteral("</tr></thead>\n<tbody>\n");
    for (qsizetype r = 0; r < table.rows.size(); ++r) {
        const QList<int> best = table.best.value(r);
        m_body += QStringLiteral("<tr>");
        const QStringList &row = table.rows.at(r);
        for (qsizetype c = 0; c < row.size(); ++c) {
            QStringList classes;
            if (text.value(c))
                classes << QStringLiteral("text");
            if (best.contains(int(c)))
                classes << QStringLiteral("best");
            m_body += classes.isEmpty() ? QStringLiteral("<td>")
                                        : QStringLiteral("<td class=\"%1\"%2>")
                                              .arg(classes.join(u' '),
                                                  best.contains(int(c)) ? QStringLiteral(" title=\"best of its row\"")
                                                                        : QString());
            m_body += escaped(row.at(c)) + QStringLiteral("</td>");
        }
        m_body += QStringLiteral("</tr>\n");
    }
    m_body += QStringLiteral("</tbody></table></div>\n");
}

void HtmlReport::addCode(const QString &text, const QString &summary)
{
    const QString pre = QStringLiteral("<pre>%1</pre>\n").arg(escaped(text.trimmed()));
    if (summary.isEmpty())
        m_body += pre;
    else
        m_body += QStringLiteral("<details><summary>%1</summary>\n%2</details>\n").arg(escaped(summary), pre);
}

void HtmlReport::addChart(QWidget *widget, const QString &title, QSize size)
{
    if (size.isValid()) {
        if (!widget->isVisible() && widget->isWindow()) {
            widget->setAttribute(Qt::WA_DontShowOnScreen);
            widget->show();
        }
        widget->resize(size);
        QCoreApplication::sendPostedEvents(); // layouts and charts follow the new size
    }
    m_body += QStringLiteral("<figure><figcaption>%1</figcaption>\n%2\n</figure>\n")
                  .arg(escaped(title), svgElement(widget, title));
    ++m_charts;
}

QByteArray HtmlReport::toHtml() const
{
    const QString version = QCoreApplication::applicationVersion();
    return (QStringLiteral("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
                           "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
                           "<meta name=\"generator\" content=\"Breakwater %1\">\n<title>%2</title>\n<style>%3</style>\n"
                           "</head>\n<body>\n<main>\n<h1>%2</h1>\n")
                .arg(escaped(version), escaped(m_title), QString::fromLatin1(Style))
        + m_body
        + QStringLiteral("<footer>Made by Breakwater %1, a resilience lab. Self-contained: no script, no "
                         "network.</footer>\n</main>\n</body>\n</html>\n")
              .arg(escaped(version)))
        .toUtf8();
}

void appendRunCharts(HtmlReport &report, const ReportRequest &request, const ReportSeries &series)
{
    if (request.series.size() > 1) // one dashboard per candidate: say whose
        report.addSubheading(series.name);
    const std::unique_ptr<TelemetryHistory> history = wholeHistory(series.series);
    QList<TimeMarker> markers = faultMarkers(request.scenario);
    for (const TimedCommand &c : request.controls)
        markers.append(controlMarkers(c.command, c.at));

    Dashboard dashboard;
    dashboard.setHistory(history.get());
    dashboard.setMarkers(&markers);
    // Laid out as in the window, then each part drawn alone at the page's width.
    dashboard.setAttribute(Qt::WA_DontShowOnScreen);
    dashboard.resize(2 * ChartWidth, 4 * ChartHeight);
    dashboard.show();
    dashboard.refresh();
    addChartParts(report, dashboard.timeline(), dashboard.charts(), dashboard.chartPanels());
}

std::unique_ptr<TelemetryHistory> wholeHistory(const TimeSeriesSnapshot &series)
{
    auto history = std::make_unique<TelemetryHistory>(std::max<qsizetype>(1, series.buckets.size()));
    RunProgress progress;
    progress.state = RunProgress::State::Finished;
    progress.series = series;
    if (!series.buckets.isEmpty())
        progress.now = progress.end = series.buckets.constLast()->end;
    history->ingest(progress);
    return history;
}

void addChartParts(HtmlReport &report, StateTimeline *timeline, const QList<QChart *> &charts, const QList<QWidget *> &panels)
{
    QCoreApplication::sendPostedEvents(); // laid out now, not after a part was resized for drawing
    report.addChart(timeline, QStringLiteral("Breaker state timeline"), { ChartWidth, timeline->sizeHint().height() });
    for (qsizetype i = 0; i < panels.size(); ++i)
        report.addChart(panels[i], charts[i]->title(), { ChartWidth, ChartHeight });
}

std::optional<QByteArray> htmlReport(const ReportRequest &request, QString *error)
{
    if (!qobject_cast<QApplication *>(QCoreApplication::instance())) {
        if (error)
            *error = QStringLiteral("drawing the charts needs a QApplication");
        return std::nullopt;
    }
    HtmlReport report(request.title);
    QStringList seeds;
    for (std::uint64_t s : request.seeds)
        seeds << QString::number(s);
    report.addParagraph(request.scenario.description);
    report.addFacts({ { QStringLiteral("Scenario"), request.scenario.name },
        { QStringLiteral("Duration"), seconds(request.scenario.duration) },
        { request.seeds.size() == 1 ? QStringLiteral("Seed") : QStringLiteral("Seeds"), seeds.join(QStringLiteral(", ")) },
        { QStringLiteral("Command"), shellCommandLine(request.commandLine) } });
    if (!request.tables.isEmpty()) {
        report.addHeading(QStringLiteral("Results"));
        for (const ReportTable &t : request.tables)
            report.addTable(t);
    }
    report.addHeading(QStringLiteral("Charts"));
    switch (request.kind) {
    case ReportRequest::Kind::Run:
        for (const ReportSeries &s : request.series)
            appendRunCharts(report, request, s);
        break;
    case ReportRequest::Kind::Compare:
        appendCompareCharts(report, request);
        break;
    case ReportRequest::Kind::Sweep:
        appendSweepCharts(report, request);
        break;
    }
    appendScenario(report, request.scenario);
    appendPolicies(report, request);
    appendControls(report, request.controls);
    appendReproduction(report, request);
    return report.toHtml();
}

} // namespace bw
