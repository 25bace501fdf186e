// Every input a fuzzer made crash (tests/fuzz/regressions/<target>/), read again by the loader it
// crashed: it must now be refused with a clear message, or read. Run under `make sanitize` too,
// where the undefined behaviour or overflow that made it crash would fail the test again.
#include "accesslog/accesslogimporter.h"
#include "net/chaossettings.h"
#include "net/toxic.h"
#include "resilience/policyloader.h"
#include "run/controlscript.h"
#include "scenario/scenarioloader.h"
#include "scenario/tracereader.h"

#include <QBuffer>
#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QTest>

using namespace bw;

class TestFuzzRegressions : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void loaderSurvives_data()
    {
        QTest::addColumn<QString>("target");
        QTest::addColumn<QString>("path");
        const QDir root(qEnvironmentVariable("BREAKWATER_SOURCE_DIR") + QStringLiteral("/tests/fuzz/regressions"));
        QVERIFY2(root.exists(), qPrintable(root.path()));
        for (const QString &target : root.entryList(QDir::Dirs | QDir::NoDotAndDotDot))
            for (const QFileInfo &file : QDir(root.filePath(target)).entryInfoList(QDir::Files))
                QTest::addRow("%s/%s", qPrintable(target), qPrintable(file.fileName())) << target << file.filePath();
    }
    void loaderSurvives()
    {
        QFETCH(QString, target);
        QFETCH(QString, path);
        QFile file(path);
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QByteArray input = file.readAll();
        LoadError error;
        bool read = false;
        if (target == u"fuzz_policy")
            read = parsePolicy(input, path, &error).has_value();
        else if (target == u"fuzz_scenario")
            read = parseScenario(input, path, &error).has_value();
        else if (target == u"fuzz_trace")
            read = TraceReader::parse(input, path, &error).has_value();
        else if (target == u"fuzz_controls")
            read = parseControls(input, path, &error).has_value();
        else if (target == u"fuzz_chaos") {
            const std::optional<ChaosSettings> settings = ChaosSettings::fromJson(input, &error);
            read = settings.has_value();
            if (settings) { // what GET /_chaos answers, PUT must take back unchanged (fuzz_chaos)
                const QByteArray written = QJsonDocument(settings->toJson()).toJson();
                const std::optional<ChaosSettings> back = ChaosSettings::fromJson(written, &error);
                QVERIFY2(back, qPrintable(error.toString()));
                QCOMPARE(QJsonDocument(back->toJson()).toJson(), written);
            }
        }
        else if (target == u"fuzz_toxic")
            read = Toxic::fromJson(input, &error).has_value();
        else if (target == u"fuzz_accesslog") { // as the fuzz target: the first byte picks the format
            QVERIFY(!input.isEmpty());
            AccessLogImporter::Options options;
            options.format = LogLineParser::Format(quint8(input.front()) % 4);
            QString message;
            std::optional<AccessLogImporter> importer = AccessLogImporter::create(options, &message);
            QVERIFY2(importer, qPrintable(message));
            QBuffer log;
            log.setData(input.mid(1));
            QVERIFY(log.open(QIODevice::ReadOnly));
            read = importer->read(log, {}, &message);
            error.message = message;
        }
        else
            QFAIL(qPrintable(QStringLiteral("no loader for the fuzz target ") + target));
        QVERIFY2(read || !error.message.isEmpty(), "refused without a message");
        if (!read)
            qInfo("%s", qPrintable(error.toString()));
    }
};

QTEST_GUILESS_MAIN(TestFuzzRegressions)
#include "tst_fuzzregressions.moc"
