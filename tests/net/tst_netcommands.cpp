#include "commandrunner.h"
#include "httpfetch.h"

#include <QRegularExpression>
#include <QtTest>

using namespace bw::test;

namespace {

QStringList args(std::initializer_list<const char *> list)
{
    QStringList out;
    for (const char *a : list)
        out << QString::fromUtf8(a);
    return out;
}

} // namespace

// The chaos-target and proxy subcommands, as a user runs them.
class TestNetCommands : public QObject
{
    Q_OBJECT

    QString binary() const { return qEnvironmentVariable("BREAKWATER_BINARY"); }

    // Starts the binary and waits for its first line ("... listening on ...:PORT ...").
    static quint16 startAndReadPort(QProcess &p, const QString &program, const QStringList &args)
    {
        p.start(program, args);
        if (!p.waitForStarted(5000))
            return 0;
        QElapsedTimer clock;
        clock.start();
        while (!p.canReadLine() && clock.elapsed() < 5000)
            p.waitForReadyRead(100);
        const QString line = QString::fromUtf8(p.readLine());
        const auto match = QRegularExpression(QStringLiteral(":(\\d+)")).match(line);
        return match.hasMatch() ? quint16(match.captured(1).toUInt()) : 0;
    }

private Q_SLOTS:
    void initTestCase() { QVERIFY2(!binary().isEmpty(), "run through ctest, which names the binary"); }

    void badInput_data()
    {
        QTest::addColumn<QStringList>("arguments");
        QTest::addColumn<QString>("message");
        QTest::newRow("port") << args({ "chaos-target", "--port", "70000" }) << "--port: expected a port from 0 to 65535";
        QTest::newRow("host") << args({ "chaos-target", "--host", "example.org" }) << "--host: expected an IP address";
        QTest::newRow("settings") << args({ "chaos-target", "--settings", R"({"errorRat":1})" })
                                  << "--settings:1:2: errorRat: unknown key; did you mean 'errorRate'?";
        QTest::newRow("no upstream") << args({ "proxy", "--listen", "127.0.0.1:0" }) << "missing --upstream";
        QTest::newRow("bad listen") << args({ "proxy", "--listen", "here", "--upstream", "127.0.0.1:1" })
                                    << "--listen: expected HOST:PORT";
        QTest::newRow("bad toxic") << args({ "proxy", "--listen", "127.0.0.1:0", "--upstream", "127.0.0.1:1",
            "--toxic", R"({"type":"bandwith"})" }) << "did you mean 'bandwidth'?";
        QTest::newRow("same toxic twice") << args({ "proxy", "--listen", "127.0.0.1:0", "--upstream", "127.0.0.1:1",
            "--toxic", R"({"type":"timeout"})", "--toxic", R"({"type":"timeout"})" }) << "is given twice";
    }

    void badInput()
    {
        QFETCH(QStringList, arguments);
        QFETCH(QString, message);
        const CommandResult r = runCommand(binary(), arguments, QDir::tempPath());
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(QString::fromUtf8(r.err).contains(message), r.err.constData());
    }

    void chaosTargetServesUntilStopped()
    {
        QProcess p;
        const quint16 port = startAndReadPort(p, binary(),
            { QStringLiteral("chaos-target"), QStringLiteral("--port"), QStringLiteral("0"), QStringLiteral("--settings"),
                QStringLiteral(R"({"errorRate":1,"status":502})") });
        QVERIFY(port != 0);
        QNetworkAccessManager nam;
        QCOMPARE(fetch(nam, "GET", QUrl(QStringLiteral("http://127.0.0.1:%1/x").arg(port))).status, 502);
        p.kill();
        p.waitForFinished();
    }

    void proxyForwardsWithToxics()
    {
        QProcess target;
        const quint16 targetPort = startAndReadPort(target, binary(), { QStringLiteral("chaos-target"), QStringLiteral("--port"), QStringLiteral("0") });
        QVERIFY(targetPort != 0);
        QProcess proxy;
        const quint16 proxyPort = startAndReadPort(proxy, binary(),
            { QStringLiteral("proxy"), QStringLiteral("--listen"), QStringLiteral("127.0.0.1:0"), QStringLiteral("--upstream"),
                QStringLiteral("127.0.0.1:%1").arg(targetPort), QStringLiteral("--api"), QStringLiteral("127.0.0.1:0"),
                QStringLiteral("--toxic"), QStringLiteral(R"({"type":"latency","attributes":{"latency":150}})") });
        QVERIFY(proxyPort != 0);
        QNetworkAccessManager nam;
        const Fetched f = fetch(nam, "GET", QUrl(QStringLiteral("http://127.0.0.1:%1/x").arg(proxyPort)));
        QCOMPARE(f.status, 200);
        QVERIFY2(f.elapsedMs >= 145, qPrintable(QString::number(f.elapsedMs)));
        proxy.kill();
        target.kill();
        proxy.waitForFinished();
        target.waitForFinished();
    }
};

QTEST_GUILESS_MAIN(TestNetCommands)
#include "tst_netcommands.moc"
