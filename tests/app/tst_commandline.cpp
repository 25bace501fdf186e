// The command line above the commands: the option parsers `run`, `replay`, `chaos-target` and the
// window share (one per option, one message each), which arguments ask for the window, and what a
// headless build (-DBREAKWATER_GUI=OFF) says to them, through the real binary.
#include "commands/cli.h"
#include "commands/optionparsers.h"

#include "commandrunner.h"

#include <QDir>
#include <QTest>

using namespace bw;
using namespace bw::cli;

class tst_CommandLine : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void speed_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<double>("expected"); // -1: refused
        QTest::addRow("max") << QStringLiteral("max") << 0.0;
        QTest::addRow("MAX, spaced") << QStringLiteral(" MAX ") << 0.0;
        QTest::addRow("1") << QStringLiteral("1") << 1.0;
        QTest::addRow("10x") << QStringLiteral("10x") << 10.0;
        QTest::addRow("10× as the speed box shows it") << QStringLiteral("10×") << 10.0;
        QTest::addRow("2.5") << QStringLiteral("2.5") << 2.5;
        QTest::addRow("1000") << QStringLiteral("1000") << 1000.0;
        QTest::addRow("0") << QStringLiteral("0") << -1.0;
        QTest::addRow("0.5") << QStringLiteral("0.5") << -1.0;
        QTest::addRow("1001") << QStringLiteral("1001") << -1.0;
        QTest::addRow("fast") << QStringLiteral("fast") << -1.0;
        QTest::addRow("empty") << QString() << -1.0;
    }
    void speed()
    {
        QFETCH(QString, text);
        QFETCH(double, expected);
        QString error;
        const std::optional<double> speed = parseSpeed(text, &error);
        if (expected < 0) {
            QVERIFY(!speed);
            QCOMPARE(error, QStringLiteral("--speed: expected 1..1000 or max, got '%1'").arg(text));
        } else {
            QCOMPARE(speed, std::optional<double>(expected));
        }
    }

    void seed()
    {
        QString error;
        QCOMPARE(parseSeed(QStringLiteral("0"), &error), std::optional<std::uint64_t>(0));
        QCOMPARE(parseSeed(QStringLiteral("18446744073709551615"), &error),
            std::optional<std::uint64_t>(18446744073709551615ULL));
        for (const QString &bad :
            { QStringLiteral("-3"), QStringLiteral("x"), QStringLiteral("1.5"), QString() }) {
            QVERIFY(!parseSeed(bad, &error));
            QCOMPARE(error, QStringLiteral("--seed: expected a non-negative integer, got '%1'").arg(bad));
        }
    }

    void runFor_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<double>("ms"); // -1: refused
        QTest::addRow("60s") << QStringLiteral("60s") << 60000.0;
        QTest::addRow("60000ms") << QStringLiteral("60000ms") << 60000.0;
        QTest::addRow("2m") << QStringLiteral("2m") << 120000.0;
        QTest::addRow("1h") << QStringLiteral("1h") << 3600000.0;
        QTest::addRow("1.5s") << QStringLiteral("1.5s") << 1500.0;
        QTest::addRow("90, in seconds") << QStringLiteral("90") << 90000.0;
        QTest::addRow("soon") << QStringLiteral("soon") << -1.0;
        QTest::addRow("negative") << QStringLiteral("-5s") << -1.0;
    }
    void runFor()
    {
        QFETCH(QString, text);
        QFETCH(double, ms);
        QString error;
        const std::optional<Duration> d = parseRunFor(text, &error);
        if (ms < 0) {
            QVERIFY(!d);
            QCOMPARE(error,
                QStringLiteral("--run-for: expected a duration such as 60s or 60000ms, got '%1'").arg(text));
        } else {
            QCOMPARE(d, std::optional<Duration>(fromMs(ms)));
        }
    }

    void metricsEndpoint()
    {
        QString error;
        std::optional<MetricsEndpoint> e = parseMetricsEndpoint(QString(), QString(), &error);
        QVERIFY(e);
        QCOMPARE(e->port, quint16(0)); // any free port
        QCOMPARE(e->address, QHostAddress(QHostAddress::LocalHost));
        e = parseMetricsEndpoint(QStringLiteral("9464"), QStringLiteral("::1"), &error);
        QVERIFY(e);
        QCOMPARE(e->port, quint16(9464));
        QCOMPARE(e->address, QHostAddress(QHostAddress::LocalHostIPv6));
        QCOMPARE(parseMetricsEndpoint(QString(), QStringLiteral("LocalHost"), &error)->address,
            QHostAddress(QHostAddress::LocalHost));
        QVERIFY(!parseMetricsEndpoint(QStringLiteral("65536"), QString(), &error));
        QCOMPARE(error, QStringLiteral("--metrics-port: expected a port number 0..65535, got '65536'"));
        QVERIFY(!parseMetricsEndpoint(QString(), QStringLiteral("example.org"), &error));
        QCOMPARE(error,
            QStringLiteral(
                "--metrics-host: expected an IP address such as 127.0.0.1 or ::1, got 'example.org'"));
    }

    void wantsWindow_data()
    {
        QTest::addColumn<QStringList>("arguments");
        QTest::addColumn<bool>("window");
        QTest::addRow("nothing") << QStringList {} << true;
        for (const char *option : { "--scenario", "--speed", "--seed", "--run-for", "--screenshot",
                 "--metrics-port", "--metrics-host" }) {
            QTest::addRow("%s X", option)
                << QStringList { QString::fromLatin1(option), QStringLiteral("x") } << true;
            QTest::addRow("%s=X", option)
                << QStringList { QString::fromLatin1(option) + QStringLiteral("=x") } << true;
        }
        QTest::addRow("run") << QStringList { QStringLiteral("run"), QStringLiteral("brownout") } << false;
        QTest::addRow("--help") << QStringList { QStringLiteral("--help") } << false;
        QTest::addRow("--version") << QStringList { QStringLiteral("--version") } << false;
        QTest::addRow("--scenarios") << QStringList { QStringLiteral("--scenarios") } << false;
    }
    void wantsWindow()
    {
        QFETCH(QStringList, arguments);
        QFETCH(bool, window);
        QCOMPARE(cli::wantsWindow(QStringList { QStringLiteral("breakwater") } + arguments), window);
    }

    // `breakwater --help` says what a bare `breakwater` does in this build.
    void helpIsTrueForThisBuild()
    {
        const bw::test::CommandResult r = runBinary({ QStringLiteral("--help") });
        QCOMPARE(r.exitCode, 0);
        QVERIFY2(r.out.contains("  run SCENARIO.json|NAME"), r.out.constData());
        QCOMPARE(r.out.contains("opens the desktop app"), bool(BREAKWATER_GUI));
        QCOMPARE(r.out.contains("no desktop app (it was built with -DBREAKWATER_GUI=OFF)"), !BREAKWATER_GUI);
    }

    void headlessBuildHasNoWindow_data()
    {
        QTest::addColumn<QStringList>("arguments");
        QTest::addRow("nothing") << QStringList {};
        QTest::addRow("--scenario") << QStringList { QStringLiteral("--scenario"),
            QStringLiteral("brownout") };
        QTest::addRow("--run-for and --screenshot") << QStringList { QStringLiteral("--run-for"),
            QStringLiteral("5s"), QStringLiteral("--screenshot"), QStringLiteral("shot.png") };
    }
    void headlessBuildHasNoWindow()
    {
        if (BREAKWATER_GUI)
            QSKIP("this build has a window (tests/ui covers it)");
        QFETCH(QStringList, arguments);
        const bw::test::CommandResult r = runBinary(arguments);
        QCOMPARE(r.exitCode, 2);
        QVERIFY(r.out.isEmpty());
        QVERIFY2(
            r.err.startsWith("breakwater: this build has no window; give it one of the commands below\n\n"
                             "Usage: breakwater"),
            r.err.constData());
        QVERIFY2(r.err.contains("  run SCENARIO.json|NAME"), r.err.constData());
    }

private:
    static bw::test::CommandResult runBinary(const QStringList &arguments)
    {
        const QString binary = qEnvironmentVariable("BREAKWATER_BINARY");
        if (binary.isEmpty())
            qFatal("BREAKWATER_BINARY is set by ctest");
        return bw::test::runCommand(binary, arguments, QDir::tempPath());
    }
};

QTEST_GUILESS_MAIN(tst_CommandLine)
#include "tst_commandline.moc"
