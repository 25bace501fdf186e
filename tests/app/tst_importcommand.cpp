#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

#include "commandrunner.h"

using namespace bw::test;

// Runs the real `breakwater import` (BREAKWATER_BINARY, set by ctest) on temporary logs.
class tst_ImportCommand : public QObject
{
    Q_OBJECT

    QString m_binary;
    QTemporaryDir m_dir;

    CommandResult run(const QStringList &arguments) { return runCommand(m_binary, arguments, m_dir.path()); }
    QString write(const QString &name, const QByteArray &content) { return writeFile(m_dir.filePath(name), content); }

    static QByteArray nginxLine(const char *time, int status)
    {
        return QByteArray("10.1.2.3 - - [06/Dec/2026:") + time + " +0000] \"GET /pay HTTP/1.1\" "
            + QByteArray::number(status) + " 12 \"-\" \"curl/8.0\" 0.100 0.100 " + QByteArray::number(status) + '\n';
    }

private Q_SLOTS:
    void initTestCase()
    {
        m_binary = qEnvironmentVariable("BREAKWATER_BINARY");
        if (m_binary.isEmpty())
            QSKIP("BREAKWATER_BINARY is set by ctest");
        QVERIFY(m_dir.isValid());
    }

    void importsAndReplays()
    {
        QByteArray log;
        for (int s = 0; s < 10; ++s)
            log += nginxLine(("10:00:" + QByteArray::number(10 + s)).constData(), s < 5 ? 200 : 503);
        log += "garbage\n";
        const QString path = write(QStringLiteral("access.log"), log);
        const QString trace = m_dir.filePath(QStringLiteral("trace.csv"));
        CommandResult r = run({ QStringLiteral("import"), path, QStringLiteral("--format"), QStringLiteral("nginx"),
            QStringLiteral("--out"), trace });
        QCOMPARE(r.exitCode, 0);
        QCOMPARE(r.out, QByteArray());
        QCOMPARE(QString::fromUtf8(r.err),
            path + QStringLiteral(": 11 lines, 10 requests imported (5 failures), 1 bad lines\n") + path
                + QStringLiteral(":11: does not match the log format (too few fields)\n"));
        QFile csv(trace);
        QVERIFY(csv.open(QIODevice::ReadOnly));
        QByteArray expected = "start_ms,duration_ms,outcome,code\n";
        for (int s = 0; s < 10; ++s)
            expected += QByteArray::number(s * 1000) + (s < 5 ? ",100,success,\n" : ",100,failure,503\n");
        QCOMPARE(csv.readAll(), expected);

        r = run({ QStringLiteral("replay"), trace, QStringLiteral("--policy"), QStringLiteral("api") });
        QVERIFY2(r.exitCode == 0, r.err.constData());

        // --strict: the bad line is fatal, and nothing is written.
        QFile::remove(trace);
        r = run({ QStringLiteral("import"), path, QStringLiteral("--format"), QStringLiteral("nginx"),
            QStringLiteral("--out"), trace, QStringLiteral("--strict") });
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(r.err.contains("--strict: 1 bad lines; nothing written"), r.err.constData());
        QVERIFY(!QFile::exists(trace));

        // Without --out, the trace goes to standard output; --from counts start_ms from itself.
        r = run({ QStringLiteral("import"), path, QStringLiteral("--format"), QStringLiteral("nginx"),
            QStringLiteral("--from"), QStringLiteral("2026-12-06T10:00:15Z"), QStringLiteral("--to"),
            QStringLiteral("06/Dec/2026:10:00:17 +0000") });
        QCOMPARE(r.exitCode, 0);
        QCOMPARE(r.out, QByteArray("start_ms,duration_ms,outcome,code\n900,100,failure,503\n1900,100,failure,503\n"));
        QVERIFY2(r.err.contains("8 outside --from/--to"), r.err.constData());
    }

    void badInput_data()
    {
        QTest::addColumn<QStringList>("arguments");
        QTest::addColumn<QString>("message");
        const QString log = QStringLiteral("access.log");
        QTest::addRow("no format") << QStringList { QStringLiteral("import"), log } << "missing --format";
        QTest::addRow("format") << QStringList { QStringLiteral("import"), log, QStringLiteral("--format"), QStringLiteral("ngnix") }
                                << "--format: expected nginx, envoy, haproxy or jsonl, got 'ngnix'; did you mean 'nginx'?";
        QTest::addRow("from") << QStringList { QStringLiteral("import"), log, QStringLiteral("--format"), QStringLiteral("nginx"),
            QStringLiteral("--from"), QStringLiteral("noon") }
                              << "--from: expected a time such as 2026-12-06T10:00:00Z";
        QTest::addRow("to before from") << QStringList { QStringLiteral("import"), log, QStringLiteral("--format"),
            QStringLiteral("nginx"), QStringLiteral("--from"), QStringLiteral("1796551200"), QStringLiteral("--to"),
            QStringLiteral("1796551100") } << "--to must be after --from";
        QTest::addRow("map without jsonl") << QStringList { QStringLiteral("import"), log, QStringLiteral("--format"),
            QStringLiteral("nginx"), QStringLiteral("--map"), QStringLiteral("start=ts") } << "--map needs --format jsonl";
        QTest::addRow("missing log") << QStringList { QStringLiteral("import"), QStringLiteral("nowhere.log"),
            QStringLiteral("--format"), QStringLiteral("nginx") } << "nowhere.log: cannot read";
        QTest::addRow("nothing imported") << QStringList { QStringLiteral("import"), QStringLiteral("junk.log"),
            QStringLiteral("--format"), QStringLiteral("haproxy") } << "no request imported; nothing written";
    }

    void badInput()
    {
        QFETCH(QStringList, arguments);
        QFETCH(QString, message);
        write(QStringLiteral("access.log"), nginxLine("10:00:00", 200));
        write(QStringLiteral("junk.log"), "junk\n");
        const CommandResult r = run(arguments);
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(QString::fromUtf8(r.err).contains(message), r.err.constData());
    }
};

QTEST_GUILESS_MAIN(tst_ImportCommand)
#include "tst_importcommand.moc"
