#include "incidentimport.h"

#include "resilience/policyloader.h"

#include <QCheckBox>
#include <QComboBox>
#include <QFile>
#include <QLineEdit>
#include <QPushButton>
#include <QTemporaryDir>
#include <QTest>

#include "commandrunner.h"

using namespace bw;

// File > Import incident: a log of five successes, then failures, imported and replayed through
// the selected operation's policy, driven through the dialog's own widgets.
class tst_IncidentImport : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void importsAndReplaysThroughThePolicy()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        QByteArray log;
        for (int s = 0; s < 20; ++s)
            log += "10.1.2.3 - - [06/Dec/2026:10:00:" + QByteArray::number(10 + s) + " +0000] \"GET /pay HTTP/1.1\" "
                + (s < 5 ? "200" : "503") + " 12 \"-\" \"curl/8.0\" 0.100 0.100 " + (s < 5 ? "200" : "503") + '\n';
        log += "junk\n";
        const QString logPath = test::writeFile(dir.filePath(QStringLiteral("access.log")), log);
        LoadError error;
        const std::optional<PolicyConfig> policy = parsePolicy(
            R"({"name":"checkout","circuitBreaker":{"failureThreshold":5,"successThreshold":1,"resetTimeout":60000}})",
            QStringLiteral("policy.json"), &error);
        QVERIFY2(policy, qPrintable(error.toString()));

        IncidentImportDialog dialog(*policy);
        dialog.show();
        QTest::keyClicks(dialog.findChild<QLineEdit *>(QStringLiteral("log")), logPath);
        const QString trace = dialog.findChild<QLineEdit *>(QStringLiteral("trace"))->text();
        QCOMPARE(trace, dir.filePath(QStringLiteral("access.trace.csv")));
        QVERIFY(dialog.findChild<QCheckBox *>(QStringLiteral("replay"))->isChecked());
        QTest::mouseClick(dialog.findChild<QPushButton *>(QStringLiteral("import")), Qt::LeftButton);

        QVERIFY(QFile::exists(trace));
        // The fifth failure, at 9 s (10:00:19 minus its 100 ms), ends 100 ms later and opens it.
        QCOMPARE(dialog.result(),
            QStringLiteral("access.log: 21 lines, 20 requests imported (15 failures), 1 bad lines\n"
                           "access.log:21: does not match the log format (too few fields)\n"
                           "Wrote %1\n"
                           "\n"
                           "Replayed through 'checkout': circuit_open 10, failure 5, success 5\n"
                           "  9.100 s: CLOSED → OPEN (failureThreshold)\n")
                .arg(trace));

        // A log in another format: nothing imported, and it says so.
        dialog.findChild<QComboBox *>(QStringLiteral("format"))->setCurrentText(QStringLiteral("haproxy"));
        QTest::mouseClick(dialog.findChild<QPushButton *>(QStringLiteral("import")), Qt::LeftButton);
        QVERIFY2(dialog.result().endsWith(QStringLiteral("No request imported: is the format right?")),
            qPrintable(dialog.result()));
    }
};

QTEST_MAIN(tst_IncidentImport)
#include "tst_incidentimport.moc"
