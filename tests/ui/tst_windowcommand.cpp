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

    void fleetOptions()
    {
        QString error;
        const std::optional<WindowOptions> o = parse({ QStringLiteral("--prometheus"), QStringLiteral("http://127.0.0.1:9090"),
                                                         QStringLiteral("--hystrix"), QStringLiteral("http://127.0.0.1:3000/hystrix.stream"),
                                                         QStringLiteral("--hystrix"), QStringLiteral("http://127.0.0.1:3001/hystrix.stream"),
                                                         QStringLiteral("--token-file"), QStringLiteral("/run/secrets/token"),
                                                         QStringLiteral("--refresh"), QStringLiteral("2"), QStringLiteral("--range"),
                                                         QStringLiteral("6h"), QStringLiteral("--screenshot"), QStringLiteral("f.png") },
            &error);
        QVERIFY2(o, qPrintable(error));
        const FleetConnection &fleet = o->desktop.fleet;
        QCOMPARE(fleet.prometheus, QStringLiteral("http://127.0.0.1:9090"));
        QCOMPARE(fleet.hystrix.size(), 2);
        QCOMPARE(fleet.tokenFile, QStringLiteral("/run/secrets/token"));
        QVERIFY(fleet.tokenVariable.isEmpty());
        QCOMPARE(fleet.refreshSeconds, 2);
        QCOMPARE(o->desktop.fleetRange, FleetView::Range::Last6Hours);
        QCOMPARE(o->desktop.screenshot, QStringLiteral("f.png")); // a fleet's screenshot needs no --run-for
        QVERIFY(parse({}, &error)->desktop.fleet.isEmpty());
        QCOMPARE(parse({ QStringLiteral("--hystrix"), QStringLiteral("http://h/s") }, &error)->desktop.fleet.refreshSeconds, 5);
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
            QStringLiteral("s.png") } << QStringLiteral("--screenshot needs --run-for, --sweep, --prometheus or --hystrix");
        const QString prometheus = QStringLiteral("--prometheus");
        const QString url = QStringLiteral("http://127.0.0.1:9090");
        QTest::addRow("prometheus not a URL") << QStringList { prometheus, QStringLiteral("localhost:9090") }
                                              << QStringLiteral("--prometheus: expected an http or https URL with a host, got 'localhost:9090'");
        QTest::addRow("hystrix not http")
            << QStringList { prometheus, url, QStringLiteral("--hystrix"), QStringLiteral("http://a/s"), QStringLiteral("--hystrix"), QStringLiteral("file:///x") }
            << QStringLiteral("--hystrix: expected an http or https URL with a host, got 'file:///x'");
        QTest::addRow("two token sources")
            << QStringList { prometheus, url, QStringLiteral("--token-env"), QStringLiteral("T"), QStringLiteral("--token-file"), QStringLiteral("/t") }
            << QStringLiteral("--token-env/--token-file: expected an environment variable or a file, not both");
        QTest::addRow("token variable unset")
            << QStringList { prometheus, url, QStringLiteral("--token-env"), QStringLiteral("BW_TEST_UNSET_VARIABLE") }
            << QStringLiteral("bearer token: the environment variable BW_TEST_UNSET_VARIABLE holds no token");
        QTest::addRow("refresh") << QStringList { prometheus, url, QStringLiteral("--refresh"), QStringLiteral("0") }
                                 << QStringLiteral("--refresh: expected a number of seconds from 1 to 3600, got '0'");
        QTest::addRow("range") << QStringList { prometheus, url, QStringLiteral("--range"), QStringLiteral("2d") }
                               << QStringLiteral("--range: expected live, 15m, 1h, 6h or 24h, got '2d'");
        QTest::addRow("fleet options without a source") << QStringList { QStringLiteral("--refresh"), QStringLiteral("2") }
                                                        << QStringLiteral("--token-env, --token-file, --refresh and --range need --prometheus or --hystrix");
        QTest::addRow("fleet and compare") << QStringList { prometheus, url, QStringLiteral("--compare") }
                                           << QStringLiteral("--prometheus and --hystrix open Fleet mode: not with --compare or --candidate");
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
        // The token is read when the window opens, not when the options are parsed.
        if (!message.startsWith(QStringLiteral("bearer token"))) {
            QVERIFY(!parse(options, &error));
            QCOMPARE(error, message);
        }

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
