// File > Connect…: the dialog's fields to a connection, its refusals, and the settings that
// remember a connection without its token.
#include "fleetconnectdialog.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTemporaryDir>
#include <QTest>

using namespace bw;

class tst_FleetConnect : public QObject
{
    Q_OBJECT

private:
    static void connectClicked(FleetConnectDialog &d)
    {
        QTest::mouseClick(d.findChild<QDialogButtonBox *>()->button(QDialogButtonBox::Ok), Qt::LeftButton);
    }

private Q_SLOTS:
    void fieldsMakeTheConnection()
    {
        qputenv("BW_TEST_FLEET_TOKEN", "s3cret");
        FleetConnectDialog d(FleetConnection {});
        d.show();
        QCOMPARE(d.findChild<QSpinBox *>(QStringLiteral("refreshInterval"))->value(), 5); // the default
        QTest::keyClicks(d.findChild<QLineEdit *>(QStringLiteral("prometheusUrl")), QStringLiteral("http://127.0.0.1:9090"));
        d.findChild<QPlainTextEdit *>(QStringLiteral("hystrixUrls"))
            ->setPlainText(QStringLiteral("http://127.0.0.1:3000/hystrix.stream\n\n  http://127.0.0.1:3001/hystrix.stream  \n"));
        d.findChild<QComboBox *>(QStringLiteral("tokenKind"))->setCurrentIndex(1);
        QTest::keyClicks(d.findChild<QLineEdit *>(QStringLiteral("tokenSource")), QStringLiteral("BW_TEST_FLEET_TOKEN"));
        d.findChild<QSpinBox *>(QStringLiteral("refreshInterval"))->setValue(2);
        QSignalSpy accepted(&d, &QDialog::accepted);
        connectClicked(d);
        QCOMPARE(accepted.size(), 1);
        const FleetConnection c = d.connection();
        QCOMPARE(c.prometheus, QStringLiteral("http://127.0.0.1:9090"));
        QCOMPARE(c.hystrix, (QStringList { QStringLiteral("http://127.0.0.1:3000/hystrix.stream"), QStringLiteral("http://127.0.0.1:3001/hystrix.stream") }));
        QCOMPARE(c.tokenVariable, QStringLiteral("BW_TEST_FLEET_TOKEN"));
        QVERIFY(c.tokenFile.isEmpty());
        QCOMPARE(c.refreshSeconds, 2);
        QString error;
        QCOMPARE(c.bearerToken(&error), std::optional<QString>(QStringLiteral("s3cret")));
    }

    void refusals_data()
    {
        QTest::addColumn<QString>("prometheus");
        QTest::addColumn<int>("tokenKind");
        QTest::addColumn<QString>("token");
        QTest::addColumn<QString>("problem");
        QTest::addRow("nothing") << QString() << 0 << QString() << QStringLiteral("expected a Prometheus URL or a Hystrix stream URL");
        QTest::addRow("not http")
            << QStringLiteral("ftp://x") << 0 << QString()
            << QStringLiteral("Prometheus: expected an http or https URL with a host, got 'ftp://x'");
        QTest::addRow("no host") << QStringLiteral("http://") << 0 << QString()
                                 << QStringLiteral("Prometheus: expected an http or https URL with a host, got 'http://'");
        QTest::addRow("token variable unset")
            << QStringLiteral("http://127.0.0.1:9090") << 1 << QStringLiteral("BW_TEST_UNSET_VARIABLE")
            << QStringLiteral("bearer token: the environment variable BW_TEST_UNSET_VARIABLE holds no token");
        QTest::addRow("token file missing") << QStringLiteral("http://127.0.0.1:9090") << 2 << QStringLiteral("/nonexistent/token")
                                            << QStringLiteral("bearer token: ");
        QTest::addRow("token source empty") << QStringLiteral("http://127.0.0.1:9090") << 2 << QString()
                                            << QStringLiteral("bearer token: expected the variable's name or the file's path");
    }
    void refusals()
    {
        QFETCH(QString, prometheus);
        QFETCH(int, tokenKind);
        QFETCH(QString, token);
        QFETCH(QString, problem);
        FleetConnectDialog d(FleetConnection {});
        d.show();
        d.findChild<QLineEdit *>(QStringLiteral("prometheusUrl"))->setText(prometheus);
        d.findChild<QComboBox *>(QStringLiteral("tokenKind"))->setCurrentIndex(tokenKind);
        d.findChild<QLineEdit *>(QStringLiteral("tokenSource"))->setText(token);
        QSignalSpy accepted(&d, &QDialog::accepted);
        connectClicked(d);
        QCOMPARE(accepted.size(), 0);
        QVERIFY(d.isVisible());
        QVERIFY2(d.problem().startsWith(problem), qPrintable(d.problem()));
        QCOMPARE(d.findChild<QLabel *>(QStringLiteral("connectProblem"))->text(), d.problem());
    }

    void settingsKeepWhereTheTokenIsNeverTheToken()
    {
        QTemporaryDir dir;
        const QString file = dir.filePath(QStringLiteral("settings.ini"));
        QFile tokenFile(dir.filePath(QStringLiteral("token")));
        QVERIFY(tokenFile.open(QIODevice::WriteOnly));
        tokenFile.write("file-token-value\n");
        tokenFile.close();
        FleetConnection c;
        c.prometheus = QStringLiteral("https://prometheus.example:9090");
        c.hystrix = { QStringLiteral("http://a/hystrix.stream") };
        c.tokenFile = tokenFile.fileName();
        c.refreshSeconds = 10;
        QString error;
        QCOMPARE(c.bearerToken(&error), std::optional<QString>(QStringLiteral("file-token-value")));
        {
            QSettings settings(file, QSettings::IniFormat);
            c.save(settings);
        }
        QFile written(file);
        QVERIFY(written.open(QIODevice::ReadOnly));
        const QByteArray text = written.readAll();
        QVERIFY(!text.contains("file-token-value"));
        QVERIFY(text.contains("prometheus.example"));
        const QSettings settings(file, QSettings::IniFormat);
        QCOMPARE(FleetConnection::load(settings), c);
        // And the dialog shows it back as it was.
        FleetConnectDialog d(c);
        QCOMPARE(d.connection(), c);
    }
};

QTEST_MAIN(tst_FleetConnect)
#include "tst_fleetconnect.moc"
