// The HTML report: the page builder's tables, charts and quoting, and a real browser (Debian's
// headless Chromium, no network) drawing the charts of a `breakwater run --html` report.
#include "htmlreport.h"

#include "commandrunner.h"
#include "reportpage.h"

#include <QImage>
#include <QLabel>
#include <QProcess>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <QUrl>

#include <signal.h>
#include <unistd.h>

using namespace bw;

namespace {

constexpr int BrowserTimeoutMs = 90000;

// How many pixels of `image` are `colour`, give or take a little (antialiased edges, rounding).
int pixelsOf(const QImage &image, QColor colour)
{
    const QImage rgb = image.convertToFormat(QImage::Format_RGB32);
    int n = 0;
    for (int y = 0; y < rgb.height(); ++y) {
        const auto *line = reinterpret_cast<const QRgb *>(rgb.constScanLine(y));
        for (int x = 0; x < rgb.width(); ++x)
            if (std::abs(qRed(line[x]) - colour.red()) <= 6 && std::abs(qGreen(line[x]) - colour.green()) <= 6
                && std::abs(qBlue(line[x]) - colour.blue()) <= 6)
                ++n;
    }
    return n;
}

// Chromium's screenshot of the page `html`: headless, no GPU, every connection sent to a closed
// port and every name unresolved (so nothing is fetched), with a profile of its own. Killed,
// with every process it started, when it takes too long. A null image when it did not write one.
QImage screenshot(const QString &chromium, const QString &html, QString *log)
{
    QTemporaryDir work;
    const QString png = work.filePath(QStringLiteral("page.png"));
    QProcess browser;
    browser.setProcessChannelMode(QProcess::MergedChannels);
    // Its own process group, so that a timeout ends its renderer and GPU processes too.
    browser.setChildProcessModifier([] { ::setsid(); });
    browser.start(chromium,
        { QStringLiteral("--headless"), QStringLiteral("--no-sandbox"), QStringLiteral("--disable-gpu"),
            QStringLiteral("--no-first-run"), QStringLiteral("--disable-extensions"),
            QStringLiteral("--disable-background-networking"), QStringLiteral("--proxy-server=127.0.0.1:9"),
            QStringLiteral("--host-resolver-rules=MAP * ~NOTFOUND"),
            QStringLiteral("--user-data-dir=") + work.filePath(QStringLiteral("profile")),
            QStringLiteral("--hide-scrollbars"), QStringLiteral("--window-size=1200,4200"),
            QStringLiteral("--screenshot=") + png, QUrl::fromLocalFile(html).toString() });
    if (!browser.waitForFinished(BrowserTimeoutMs)) {
        if (browser.processId() > 0)
            ::kill(-pid_t(browser.processId()), SIGKILL);
        browser.waitForFinished();
        *log = QStringLiteral("chromium did not finish in %1 s").arg(BrowserTimeoutMs / 1000);
        return {};
    }
    *log = QString::fromLocal8Bit(browser.readAll());
    return QImage(png);
}

QByteArray read(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

} // namespace

class TestHtmlReport : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    // A row's best cells are marked; columns of figures right-aligned, of words left; every text
    // escaped.
    void tablesMarkTheBestAndEscape()
    {
        HtmlReport page(QStringLiteral("A & B"));
        ReportTable table;
        table.title = QStringLiteral("Verdict <1>");
        table.headers = { QStringLiteral("figure"), QStringLiteral("fast"), QStringLiteral("safe"), QStringLiteral("note") };
        table.rows = { { QStringLiteral("success rate"), QStringLiteral("91.5%"), QStringLiteral("99.2%"), QStringLiteral("<b>") },
            { QStringLiteral("p99"), QStringLiteral("120 ms"), QStringLiteral("80 ms"), QStringLiteral("ok") } };
        table.best = { { 2 } };
        page.addTable(table);
        const QByteArray html = page.toHtml();
        QVERIFY(html.contains("<title>A &amp; B</title>"));
        QVERIFY(html.contains("<h3>Verdict &lt;1&gt;</h3>"));
        QVERIFY(html.contains("<th>figure</th><th>fast</th><th>safe</th><th class=\"text\">note</th>"));
        QVERIFY(html.contains("<td>91.5%</td><td class=\"best\" title=\"best of its row\">99.2%</td><td class=\"text\">&lt;b&gt;</td>"));
        QVERIFY(html.contains("<td>120 ms</td><td>80 ms</td><td class=\"text\">ok</td>"));
        QCOMPARE(html.count("class=\"best\""), 1);
    }

    // A widget becomes an inline <svg> of the size asked, with no XML prolog and its own text.
    void chartIsInlineSvg()
    {
        QLabel label(QStringLiteral("Calls per second"));
        HtmlReport page(QStringLiteral("t"));
        page.addChart(&label, QStringLiteral("A chart"), { 300, 120 });
        QCOMPARE(page.chartCount(), 1);
        const QByteArray html = page.toHtml();
        QVERIFY(!html.contains("<?xml"));
        QVERIFY(html.contains("<figcaption>A chart</figcaption>\n<svg width=\"300\" height=\"120\" role=\"img\""));
        QVERIFY(html.contains(">Calls per second</text>"));
        QVERIFY(bw::test::externalReferences(html).isEmpty());
    }

    void commandLineIsShellQuoted()
    {
        const QStringList words { QStringLiteral("breakwater"), QStringLiteral("run"), QStringLiteral("my scenario.json"),
            QStringLiteral("--controls"), QStringLiteral("it's.jsonl"), QString(), QStringLiteral("a=b,c/d:e") };
        const QString line = shellCommandLine(words);
        QCOMPARE(line, QStringLiteral("breakwater run 'my scenario.json' --controls 'it'\\''s.jsonl' '' a=b,c/d:e"));
        QCOMPARE(bw::test::shellWords(line), words);
    }

    // A real browser draws the report's charts: the series' own colours fill the page. The same
    // page with its <svg> elements renamed (a browser then draws nothing there) has none of them,
    // so the check fails when the charts do not render.
    void chromiumDrawsTheCharts()
    {
        const QString chromium = QStandardPaths::findExecutable(QStringLiteral("chromium"));
        if (chromium.isEmpty())
            QSKIP("chromium is not installed (make test installs it: Debian's chromium package)");
        const QString binary = qEnvironmentVariable("BREAKWATER_BINARY");
        if (binary.isEmpty())
            QSKIP("BREAKWATER_BINARY is set by ctest");
        QTemporaryDir dir;
        const QString report = dir.filePath(QStringLiteral("report.html"));
        const bw::test::CommandResult r = bw::test::runCommand(binary,
            { QStringLiteral("run"), QStringLiteral("outage-and-recovery"), QStringLiteral("--html"), report }, dir.path());
        QVERIFY2(r.exitCode == 0, r.err.constData());
        QByteArray broken = read(report);
        broken.replace("<svg", "<svgx").replace("</svg>", "</svgx>");
        const QString undrawn = bw::test::writeFile(dir.filePath(QStringLiteral("undrawn.html")), broken);

        QString log;
        const QImage drawn = screenshot(chromium, report, &log);
        QVERIFY2(!drawn.isNull(), qPrintable(log));
        const QImage blank = screenshot(chromium, undrawn, &log);
        QVERIFY2(!blank.isNull(), qPrintable(log));
        // The outcome chart's stacked areas, in the dashboard's colours: success, and circuit_open
        // during the outage (about 98,000 and 18,000 pixels; a legend's key is about 100). Lines
        // are one pixel wide and antialiased: too few exact pixels to count on.
        const QColor success(0x2e, 0x9e, 0x44), circuitOpen(0x8b, 0x00, 0x00);
        const int successPixels = pixelsOf(drawn, success), openPixels = pixelsOf(drawn, circuitOpen);
        QVERIFY2(successPixels > 50000, qPrintable(QString::number(successPixels)));
        QVERIFY2(openPixels > 5000, qPrintable(QString::number(openPixels)));
        QCOMPARE(pixelsOf(blank, success), 0);
        QCOMPARE(pixelsOf(blank, circuitOpen), 0);
    }
};

QTEST_MAIN(TestHtmlReport)
#include "tst_htmlreport.moc"
