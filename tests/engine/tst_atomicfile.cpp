// Every output file is written through AtomicFile: whole or not at all, and one message when it
// cannot be written.
#include "runtime/atomicfile.h"

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

using namespace bw;

class TestAtomicFile : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void commitPutsTheFileInPlace()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("out.txt"));
        QString error;
        QVERIFY2(writeFileAtomically(path, "whole\n", &error), qPrintable(error));
        QFile f(path);
        QVERIFY(f.open(QIODevice::ReadOnly));
        QCOMPARE(f.readAll(), QByteArray("whole\n"));
        QCOMPARE(QDir(dir.path()).entryList(QDir::Files), QStringList { QStringLiteral("out.txt") });
    }

    // Opened, written, never committed (an interrupted run): the earlier file stays, and no
    // temporary file is left.
    void uncommittedLeavesTheEarlierFile()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("out.txt"));
        QString error;
        QVERIFY(writeFileAtomically(path, "old\n", &error));
        {
            AtomicFile file(path);
            QVERIFY2(file.open(&error), qPrintable(error));
            file.device()->write("half");
        }
        QFile f(path);
        QVERIFY(f.open(QIODevice::ReadOnly));
        QCOMPARE(f.readAll(), QByteArray("old\n"));
        QCOMPARE(QDir(dir.path()).entryList(QDir::Files), QStringList { QStringLiteral("out.txt") });
    }

    // A bad path fails at open, before any work, with "PATH: cannot write: REASON".
    void badPathFailsAtOpen()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("no/such/dir/out.txt"));
        AtomicFile file(path);
        QString error;
        QVERIFY(!file.open(&error));
        QVERIFY2(error.startsWith(path + QStringLiteral(": cannot write: ")), qPrintable(error));
        QVERIFY(error.size() > path.size() + 15); // the reason is there too
        QVERIFY(!writeFileAtomically(path, "x", &error));
        QVERIFY2(error.startsWith(path + QStringLiteral(": cannot write: ")), qPrintable(error));
    }
};

QTEST_GUILESS_MAIN(TestAtomicFile)
#include "tst_atomicfile.moc"
