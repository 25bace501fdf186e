// `breakwater validate`, the real binary: its JSON, its exit status, and bad arguments. (The
// table itself runs as the ctest `validate/suite`.)
#include "commandrunner.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>

class tst_ValidateCommand : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        m_binary = qEnvironmentVariable("BREAKWATER_BINARY");
        if (m_binary.isEmpty())
            QSKIP("BREAKWATER_BINARY is set by ctest");
        QVERIFY(m_dir.isValid());
    }

    // Every row has its expected value, measured mean, interval and verdict; the exit status
    // says whether all passed.
    void jsonRowsAndExitStatus()
    {
        const bw::test::CommandResult r = run({ QStringLiteral("validate"), QStringLiteral("--json") });
        QVERIFY2(r.exitCode == 0 || r.exitCode == 1, r.err.constData());
        const QJsonObject root = QJsonDocument::fromJson(r.out).object();
        const QJsonArray checks = root.value(QStringLiteral("checks")).toArray();
        QVERIFY(checks.size() >= 13);
        int passed = 0;
        for (const QJsonValue &v : checks) {
            const QJsonObject c = v.toObject();
            for (const char *key : { "model", "measure", "source", "unit", "expected", "measured", "ciHalfWidth",
                     "replications", "tolerance", "pass" })
                QVERIFY2(c.contains(QLatin1StringView(key)), key);
            QVERIFY(c.value(QStringLiteral("replications")).toInt() >= 5);
            const bool pass = c.value(QStringLiteral("pass")).toBool();
            const double off = std::abs(c.value(QStringLiteral("measured")).toDouble()
                - c.value(QStringLiteral("expected")).toDouble());
            QCOMPARE(pass,
                off <= c.value(QStringLiteral("tolerance")).toDouble()
                    && c.value(QStringLiteral("ciHalfWidth")).toDouble() <= c.value(QStringLiteral("tolerance")).toDouble());
            passed += pass ? 1 : 0;
        }
        QCOMPARE(root.value(QStringLiteral("passed")).toInt(), passed);
        QCOMPARE(root.value(QStringLiteral("failed")).toInt(), int(checks.size()) - passed);
        QCOMPARE(r.exitCode, passed == checks.size() ? 0 : 1);
    }

    void badArguments_data()
    {
        QTest::addColumn<QStringList>("arguments");
        QTest::addColumn<QString>("message");
        QTest::addRow("threads 0") << QStringList { QStringLiteral("--threads"), QStringLiteral("0") }
                                   << QStringLiteral("breakwater validate: --threads: expected a number of threads "
                                                     "from 1 to 256, got '0'");
        QTest::addRow("threads not a number") << QStringList { QStringLiteral("--threads"), QStringLiteral("two") }
                                              << QStringLiteral("breakwater validate: --threads: expected a number "
                                                                "of threads from 1 to 256, got 'two'");
        QTest::addRow("a positional argument") << QStringList { QStringLiteral("mm1") }
                                               << QStringLiteral("breakwater validate: unexpected argument 'mm1'");
        QTest::addRow("unknown option") << QStringList { QStringLiteral("--jsn") }
                                        << QStringLiteral("breakwater validate: Unknown option 'jsn'.");
    }

    void badArguments()
    {
        QFETCH(QStringList, arguments);
        QFETCH(QString, message);
        const bw::test::CommandResult r = run(QStringList { QStringLiteral("validate") } + arguments);
        QCOMPARE(r.exitCode, 2);
        QVERIFY(r.out.isEmpty());
        QVERIFY2(QString::fromUtf8(r.err).startsWith(message), r.err.constData());
    }

    void help()
    {
        const bw::test::CommandResult r = run({ QStringLiteral("validate"), QStringLiteral("--help") });
        QCOMPARE(r.exitCode, 0);
        QVERIFY2(r.out.startsWith("Usage: breakwater validate [options]"), r.out.constData());
    }

private:
    bw::test::CommandResult run(const QStringList &arguments)
    {
        // The whole suite takes ~10 s, and ~100 s under AddressSanitizer on a busy machine: wait
        // up to ctest's own limit (300 s) less a margin, not the runner's default two minutes.
        return bw::test::runCommand(m_binary, arguments, m_dir.path(), 280000);
    }

    QString m_binary;
    QTemporaryDir m_dir;
};

QTEST_GUILESS_MAIN(tst_ValidateCommand)
#include "tst_validatecommand.moc"
