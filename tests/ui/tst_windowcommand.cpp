// The window's command line, parsed in app/ into the settings the desktop app opens with, and its
// bad input through the real binary: one message, status 2, no window.
#include "commands/windowcommand.h"

#include "commandrunner.h"

#include <QDir>
#include <QTest>

using namespace bw;
using namespace bw::cli;

namespace {

const QString Program = QStringLiteral("breakwater");

// The message, after whatever Qt says about the environment when the QApplication starts.
QString lastLine(const QByteArray &err)
{
    return QString::fromUtf8(err).chopped(err.endsWith('\n') ? 1 : 0).section(u'\n', -1);
}

std::optional<WindowOptions> parse(const QStringList &options, QString *error)
{
    return parseWindowOptions(QStringList { Program } + options, error);
}

} // namespace

class tst_WindowCommand : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void everyOption()
    {
        QString error;
        const std::optional<WindowOptions> o
            = parse({ QStringLiteral("--scenario"), QStringLiteral("brownout"), QStringLiteral("--speed"),
                        QStringLiteral("20"), QStringLiteral("--seed"), QStringLiteral("7"),
                        QStringLiteral("--run-for"), QStringLiteral("5s"), QStringLiteral("--screenshot"),
                        QStringLiteral("s.png"), QStringLiteral("--metrics-port"), QStringLiteral("9464"),
                        QStringLiteral("--metrics-host"), QStringLiteral("::1") },
                &error);
        QVERIFY2(o, qPrintable(error));
        QCOMPARE(o->desktop.scenario, QStringLiteral("brownout"));
        QCOMPARE(o->desktop.speed, std::optional<double>(20));
        QCOMPARE(o->desktop.seed, std::optional<std::uint64_t>(7));
        QCOMPARE(o->desktop.runFor, std::optional<Duration>(fromMs(5000)));
        QCOMPARE(o->desktop.screenshot, QStringLiteral("s.png"));
        QVERIFY(!o->desktop.monitoring); // openWindow's to set
        QVERIFY(o->metrics);
        QCOMPARE(o->metrics->port, quint16(9464));
        QCOMPARE(o->metrics->address, QHostAddress(QHostAddress::LocalHostIPv6));
    }

    void noOptions()
    {
        QString error;
        const std::optional<WindowOptions> o = parse({}, &error);
        QVERIFY(o);
        QVERIFY(o->desktop.scenario.isEmpty());
        QCOMPARE(o->desktop.speed, std::nullopt); // the last session's, else the window's default
        QCOMPARE(o->desktop.seed, std::nullopt);
        QCOMPARE(o->desktop.runFor, std::nullopt);
        QVERIFY(!o->metrics);
    }

    // A screenshot is stepped exactly to its mark at max speed unless --speed says otherwise.
    void screenshotRunsAtMaxUnlessTold()
    {
        const QStringList shot { QStringLiteral("--run-for"), QStringLiteral("5s"),
            QStringLiteral("--screenshot"), QStringLiteral("s.png") };
        QString error;
        QCOMPARE(parse(shot, &error)->desktop.speed, std::optional<double>(0));
        QCOMPARE(parse(shot + QStringList { QStringLiteral("--speed"), QStringLiteral("10") }, &error)
                     ->desktop.speed,
            std::optional<double>(10));
    }

    void badInput_data()
    {
        QTest::addColumn<QStringList>("options");
        QTest::addColumn<QString>("message");
        QTest::addRow("speed") << QStringList { QStringLiteral("--speed"), QStringLiteral("fast") }
                               << QStringLiteral("--speed: expected 1..1000 or max, got 'fast'");
        QTest::addRow("speed below 1") << QStringList { QStringLiteral("--speed"), QStringLiteral("0.5") }
                                       << QStringLiteral("--speed: expected 1..1000 or max, got '0.5'");
        QTest::addRow("seed") << QStringList { QStringLiteral("--seed"), QStringLiteral("-3") }
                              << QStringLiteral("--seed: expected a non-negative integer, got '-3'");
        QTest::addRow("run-for") << QStringList { QStringLiteral("--run-for"), QStringLiteral("soon") }
                                 << QStringLiteral(
                                        "--run-for: expected a duration such as 60s or 60000ms, got 'soon'");
        QTest::addRow("screenshot without run-for") << QStringList { QStringLiteral("--screenshot"),
            QStringLiteral("s.png") } << QStringLiteral("--screenshot needs --run-for or --sweep");
        QTest::addRow("sweep key") << QStringList { QStringLiteral("--sweep"), QStringLiteral("retry.maxAtempts=1:3:1") }
                                   << QStringLiteral("--sweep: retry.maxAtempts: not a numeric policy field; did you "
                                                     "mean 'retry.maxAttempts'?");
        QTest::addRow("sweep range") << QStringList { QStringLiteral("--sweep"), QStringLiteral("retry.maxAttempts=1:x:1") }
                                     << QStringLiteral("--sweep: retry.maxAttempts: 'x' is not a number (in '1:x:1')");
        QTest::addRow("three sweeps") << QStringList { QStringLiteral("--sweep"), QStringLiteral("retry.maxAttempts=1"),
            QStringLiteral("--sweep"), QStringLiteral("timeout=100"), QStringLiteral("--sweep"),
            QStringLiteral("retry.initialDelay=100") } << QStringLiteral("--sweep: the Sweep dialog varies one or two fields, got 3");
        QTest::addRow("metrics port")
            << QStringList { QStringLiteral("--metrics-port"), QStringLiteral("70000") }
            << QStringLiteral("--metrics-port: expected a port number 0..65535, got '70000'");
        QTest::addRow("argument") << QStringList { QStringLiteral("--seed"), QStringLiteral("1"),
            QStringLiteral("x") } << QStringLiteral("unexpected argument 'x'");
        QTest::addRow("option") << QStringList { QStringLiteral("--seed"), QStringLiteral("1"),
            QStringLiteral("--bogus") }
                                << QStringLiteral("Unknown option 'bogus'.");
    }
    void badInput()
    {
        QFETCH(QStringList, options);
        QFETCH(QString, message);
        QString error;
        QVERIFY(!parse(options, &error));
        QCOMPARE(error, message);

        const QString binary = qEnvironmentVariable("BREAKWATER_BINARY");
        if (binary.isEmpty())
            QSKIP("BREAKWATER_BINARY is set by ctest");
        const bw::test::CommandResult r = bw::test::runCommand(binary, options, QDir::tempPath());
        QCOMPARE(r.exitCode, 2);
        QCOMPARE(lastLine(r.err), QStringLiteral("breakwater: ") + message);
        QVERIFY(r.out.isEmpty());
    }

    void unknownScenario()
    {
        const QString binary = qEnvironmentVariable("BREAKWATER_BINARY");
        if (binary.isEmpty())
            QSKIP("BREAKWATER_BINARY is set by ctest");
        const bw::test::CommandResult r = bw::test::runCommand(
            binary, { QStringLiteral("--scenario"), QStringLiteral("no-such") }, QDir::tempPath());
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(lastLine(r.err).startsWith(QStringLiteral("breakwater: no-such: no such file")),
            r.err.constData());
    }
};

QTEST_GUILESS_MAIN(tst_WindowCommand)
#include "tst_windowcommand.moc"
