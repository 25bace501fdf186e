#include "net/chaostarget.h"
#include "runtime/wallscheduler.h"

#include "chaoshelper.h"
#include "httpfetch.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QTcpSocket>
#include <QtTest>

using namespace bw;
using bw::test::fetch;

class TestChaosTarget : public QObject
{
    Q_OBJECT

private:
    QUrl url(const ChaosTarget &target, const QString &path) const
    {
        return QUrl(QStringLiteral("http://127.0.0.1:%1%2").arg(target.port()).arg(path));
    }
    static QJsonObject object(const QByteArray &json) { return QJsonDocument::fromJson(json).object(); }

private Q_SLOTS:
    void settingsParse()
    {
        LoadError error;
        const auto s = ChaosSettings::fromJson(
            R"({"errorRate":0.25,"status":503,"latencyMs":20,"jitterMs":5,"hangRate":0.1,"retryAfterMs":1500,"resetRate":0.05})",
            &error);
        QVERIFY2(s, qPrintable(error.toString()));
        QCOMPARE(s->errorRate, 0.25);
        QCOMPARE(s->status, 503);
        QCOMPARE(s->latency, fromMs(20));
        QCOMPARE(s->jitter, fromMs(5));
        QCOMPARE(s->hangRate, 0.1);
        QCOMPARE(s->retryAfter, fromMs(1500));
        QCOMPARE(s->resetRate, 0.05);
        // What toJson writes reads back the same.
        const auto again = ChaosSettings::fromJson(QJsonDocument(s->toJson()).toJson(), &error);
        QVERIFY(again);
        QCOMPARE(*again, *s);
    }

    void settingsPartialKeepsBase()
    {
        ChaosSettings base;
        base.errorRate = 0.5;
        base.status = 502;
        LoadError error;
        const auto s = ChaosSettings::fromJson(R"({"latencyMs":7})", &error, base);
        QVERIFY(s);
        QCOMPARE(s->errorRate, 0.5);
        QCOMPARE(s->status, 502);
        QCOMPARE(s->latency, fromMs(7));
    }

    void settingsBadInput_data()
    {
        QTest::addColumn<QByteArray>("json");
        QTest::addColumn<QString>("key");
        QTest::addColumn<QString>("message");
        QTest::newRow("misspelt key") << QByteArray(R"({"errorRat":0.5})") << "errorRat"
                                      << "did you mean 'errorRate'?";
        QTest::newRow("unknown key") << QByteArray(R"({"colour":1})") << "colour"
                                     << "expected one of";
        QTest::newRow("rate above 1") << QByteArray(R"({"errorRate":2})") << "errorRate"
                                      << "a rate between 0 and 1";
        QTest::newRow("rate as text") << QByteArray(R"({"hangRate":"half"})") << "hangRate"
                                      << "a rate between 0 and 1";
        QTest::newRow("success status") << QByteArray(R"({"status":200})") << "status"
                                        << "from 400 to 599";
        QTest::newRow("fractional status") << QByteArray(R"({"status":500.5})") << "status"
                                           << "from 400 to 599";
        QTest::newRow("negative latency") << QByteArray(R"({"latencyMs":-1})") << "latencyMs"
                                          << "non-negative";
        QTest::newRow("huge jitter") << QByteArray(R"({"jitterMs":1e9})") << "jitterMs"
                                     << "at most 3600000 ms";
        QTest::newRow("not an object") << QByteArray("[1,2]") << ""
                                       << "expected a JSON object";
        QTest::newRow("syntax error") << QByteArray(R"({"errorRate":})") << ""
                                      << "";
        QTest::newRow("empty body") << QByteArray() << ""
                                    << "";
        QTest::newRow("duplicate key") << QByteArray(R"({"status":500,"status":503})") << "status"
                                       << "duplicate key";
    }

    void settingsBadInput()
    {
        QFETCH(QByteArray, json);
        QFETCH(QString, key);
        QFETCH(QString, message);
        LoadError error;
        QVERIFY(!ChaosSettings::fromJson(json, &error));
        QCOMPARE(error.key, key);
        QVERIFY2(error.message.contains(message), qPrintable(error.toString()));
        QVERIFY(!error.toString().isEmpty());
    }

    void controlApi()
    {
        WallScheduler scheduler;
        ChaosTarget target(scheduler);
        QVERIFY(target.start() != 0);
        QNetworkAccessManager nam;

        auto got = fetch(nam, "GET", url(target, QStringLiteral("/_chaos")));
        QCOMPARE(got.status, 200);
        QCOMPARE(object(got.body).value(QStringLiteral("errorRate")).toDouble(), 0.0);

        got = fetch(nam, "PUT", url(target, QStringLiteral("/_chaos")), R"({"errorRate":1,"status":503})");
        QCOMPARE(got.status, 200);
        QCOMPARE(object(got.body).value(QStringLiteral("status")).toInt(), 503);
        QCOMPARE(target.settings().errorRate, 1.0);

        // A bad PUT changes nothing and says why.
        got = fetch(nam, "PUT", url(target, QStringLiteral("/_chaos")), R"({"status":503,"latncyMs":5})");
        QCOMPARE(got.status, 400);
        QVERIFY2(
            object(got.body).value(QStringLiteral("error")).toString().contains(u"did you mean 'latencyMs'?"),
            got.body.constData());
        QCOMPARE(target.settings().latency, Duration::zero());

        got = fetch(nam, "POST", url(target, QStringLiteral("/_chaos")), "{}");
        QCOMPARE(got.status, 405);

        QCOMPARE(fetch(nam, "GET", url(target, QStringLiteral("/orders/1"))).status, 503);
        got = fetch(nam, "GET", url(target, QStringLiteral("/_chaos/stats")));
        QCOMPARE(object(got.body).value(QStringLiteral("requests")).toInt(), 1);
        QCOMPARE(object(got.body).value(QStringLiteral("errors")).toInt(), 1);
        QCOMPARE(fetch(nam, "DELETE", url(target, QStringLiteral("/_chaos/stats"))).status, 200);
        QCOMPARE(target.stats().requests, 0);
    }

    void servesSuccessAndErrorsWithRetryAfter()
    {
        WallScheduler scheduler;
        ChaosTarget target(scheduler);
        QVERIFY(target.start() != 0);
        QNetworkAccessManager nam;
        auto got = fetch(nam, "POST", url(target, QStringLiteral("/anything")), R"({"a":1})");
        QCOMPARE(got.status, 200);

        ChaosSettings s;
        s.errorRate = 1;
        s.status = 429;
        s.retryAfter = fromMs(1500);
        target.setSettings(s);
        got = fetch(nam, "GET", url(target, QStringLiteral("/x")));
        QCOMPARE(got.status, 429);
        QCOMPARE(got.retryAfter, QByteArray("2")); // whole seconds (RFC 9110), rounded up
        QCOMPARE(target.stats().ok, 1);
        QCOMPARE(target.stats().errors, 1);
    }

    void errorRateIsARate()
    {
        WallScheduler scheduler;
        ChaosTarget target(scheduler, 7);
        QVERIFY(target.start() != 0);
        ChaosSettings s;
        s.errorRate = 0.3;
        target.setSettings(s);
        QNetworkAccessManager nam;
        int errors = 0;
        for (int i = 0; i < 200; ++i)
            errors += fetch(nam, "GET", url(target, QStringLiteral("/r"))).status == 500;
        // 200 draws at 0.3: mean 60, standard deviation 6.5; 30..90 is beyond 4.5 of them.
        QVERIFY2(errors > 30 && errors < 90, qPrintable(QString::number(errors)));
        QCOMPARE(target.stats().errors, errors);
        QCOMPARE(target.stats().ok, 200 - errors);
    }

    void latencyDelaysTheAnswer()
    {
        WallScheduler scheduler;
        ChaosTarget target(scheduler);
        QVERIFY(target.start() != 0);
        ChaosSettings s;
        s.latency = fromMs(150);
        target.setSettings(s);
        QNetworkAccessManager nam;
        const auto got = fetch(nam, "GET", url(target, QStringLiteral("/slow")));
        QCOMPARE(got.status, 200);
        QVERIFY2(got.elapsedMs >= 145, qPrintable(QString::number(got.elapsedMs)));
        QVERIFY2(got.elapsedMs < 2000, qPrintable(QString::number(got.elapsedMs)));
    }

    void hangNeverAnswersAndFreesWhenTheClientLeaves()
    {
        WallScheduler scheduler;
        ChaosTarget target(scheduler);
        QVERIFY(target.start() != 0);
        ChaosSettings s;
        s.hangRate = 1;
        target.setSettings(s);
        QNetworkAccessManager nam;
        const auto got = fetch(nam, "GET", url(target, QStringLiteral("/stuck")), {}, 300);
        QVERIFY(got.timedOut);
        QCOMPARE(got.status, 0);
        QTRY_COMPARE(target.stats().inFlight, 0);
        // Counted once, as a hang: every request is in exactly one of the counters.
        QCOMPARE(target.stats().hangs, 1);
        QCOMPARE(target.stats().abandoned, 0);
        QCOMPARE(target.stats().requests, 1);
    }

    // requests = ok + errors + resets + hangs + abandoned + inFlight, whatever the mix.
    void countersAddUp()
    {
        WallScheduler scheduler;
        ChaosTarget target(scheduler);
        QVERIFY(target.start() != 0);
        bw::test::setChaos(target, R"({"errorRate":0.3,"hangRate":0.2,"resetRate":0.2,"latencyMs":0,"jitterMs":150})");
        QNetworkAccessManager nam;
        for (int i = 0; i < 30; ++i)
            fetch(nam, "GET", url(target, QStringLiteral("/mix")), {}, 60);
        const auto sum = [&target] {
            const ChaosTarget::Stats &s = target.stats();
            return s.ok + s.errors + s.resets + s.hangs + s.abandoned + s.inFlight;
        };
        QCOMPARE(sum(), target.stats().requests);
        QTRY_COMPARE(target.stats().inFlight, 0);
        QVERIFY(target.stats().hangs > 0 && target.stats().abandoned > 0);
        QCOMPARE(sum(), target.stats().requests);
    }

    void resetClosesTheConnectionWithoutAnAnswer()
    {
        WallScheduler scheduler;
        ChaosTarget target(scheduler);
        QVERIFY(target.start() != 0);
        ChaosSettings s;
        s.resetRate = 1;
        target.setSettings(s);

        // On a raw socket, the reset is seen as such: ECONNRESET, not an orderly close.
        QTcpSocket socket;
        socket.connectToHost(QHostAddress::LocalHost, target.port());
        QVERIFY(socket.waitForConnected(2000));
        socket.write("GET /r HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
        QTRY_VERIFY(socket.state() == QAbstractSocket::UnconnectedState
            || socket.error() != QAbstractSocket::UnknownSocketError);
        QCOMPARE(socket.error(), QAbstractSocket::RemoteHostClosedError);
        QCOMPARE(socket.readAll(), QByteArray());
        QCOMPARE(target.stats().resets, 1);

        QNetworkAccessManager nam;
        const auto got = fetch(nam, "GET", url(target, QStringLiteral("/r")));
        QCOMPARE(got.status, 0);
        QVERIFY(got.error != QNetworkReply::NoError);
    }
};

QTEST_GUILESS_MAIN(TestChaosTarget)
#include "tst_chaostarget.moc"
