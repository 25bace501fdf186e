#include "scenario/tracereader.h"

#include <QFile>
#include <QTemporaryDir>
#include <QTest>

using namespace bw;

namespace {

Duration ms(qint64 v)
{
    return fromMs(static_cast<std::int64_t>(v));
}

std::optional<Trace> parse(const QByteArray &csv, LoadError *error)
{
    return TraceReader::parse(csv, QStringLiteral("trace.csv"), error);
}

} // namespace

class tst_TraceReader : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void basic();
    void codeColumnOptional();
    void columnsInAnyOrder();
    void decimalsAreExact();
    void blankLinesCrlfBomQuotes();
    void equalStartsKeepFileOrder();
    void headerOnly();
    void latestRowAt();
    void loadFile();
    void exampleTrace();
    void badTrace_data();
    void badTrace();
};

void tst_TraceReader::basic()
{
    LoadError error;
    const auto t = parse("start_ms,duration_ms,outcome,code\n"
                         "0,12,success,\n"
                         "5,300,failure,503\n"
                         "9,7,failure,\n",
        &error);
    QVERIFY2(t, qPrintable(error.toString()));
    QCOMPARE(t->fileName, QStringLiteral("trace.csv"));
    QCOMPARE(t->rows.size(), size_t(3));
    QCOMPARE(t->rows[0].start, ms(0));
    QCOMPARE(t->rows[0].duration, ms(12));
    QVERIFY(t->rows[0].success);
    QVERIFY(t->rows[0].code.isNull());
    QCOMPARE(t->rows[1].start, ms(5));
    QCOMPARE(t->rows[1].duration, ms(300));
    QVERIFY(!t->rows[1].success);
    QCOMPARE(t->rows[1].code, ErrorCode::httpStatus(503));
    QCOMPARE(t->rows[2].code, ErrorCode::httpStatus(500)); // the default
}

void tst_TraceReader::codeColumnOptional()
{
    LoadError error;
    auto t = parse("start_ms,duration_ms,outcome\n1,2,failure\n3,4,success\n", &error);
    QVERIFY2(t, qPrintable(error.toString()));
    QCOMPARE(t->rows.size(), size_t(2));
    QCOMPARE(t->rows[0].code, ErrorCode::httpStatus(500));
    // With a code column, a row may leave the last field out.
    t = parse("start_ms,duration_ms,outcome,code\n1,2,failure\n3,4,failure,ECONNREFUSED\n", &error);
    QVERIFY2(t, qPrintable(error.toString()));
    QCOMPARE(t->rows[0].code, ErrorCode::httpStatus(500));
    QCOMPARE(t->rows[1].code, ErrorCode::ConnectionRefused);
}

void tst_TraceReader::columnsInAnyOrder()
{
    LoadError error;
    const auto t = parse("outcome,code,start_ms,duration_ms\nfailure,429,10,20\n", &error);
    QVERIFY2(t, qPrintable(error.toString()));
    QCOMPARE(t->rows[0].start, ms(10));
    QCOMPARE(t->rows[0].duration, ms(20));
    QCOMPARE(t->rows[0].code, ErrorCode::httpStatus(429));
}

void tst_TraceReader::decimalsAreExact()
{
    LoadError error;
    const auto t
        = parse("start_ms,duration_ms,outcome\n0.3,12.345678,success\n1.1,0.0000019,success\n", &error);
    QVERIFY2(t, qPrintable(error.toString()));
    QCOMPARE(t->rows[0].start, Duration(300000));
    QCOMPARE(t->rows[0].duration, Duration(12345678));
    QCOMPARE(t->rows[1].start, Duration(1100000));
    QCOMPARE(t->rows[1].duration, Duration(1)); // beyond nanoseconds is cut
}

void tst_TraceReader::blankLinesCrlfBomQuotes()
{
    LoadError error;
    const auto t = parse("\xEF\xBB\xBFstart_ms, duration_ms ,outcome,code\r\n"
                         "\r\n"
                         "0 , 10, success ,\r\n"
                         "\n"
                         "4,\"10\",\"failure\",\"5\"\"03\"\r\n"
                         "  \n",
        &error);
    QVERIFY2(t, qPrintable(error.toString()));
    QCOMPARE(t->rows.size(), size_t(2));
    QCOMPARE(t->rows[1].code, ErrorCode::fromString(u"5\"03"));
    // No trailing newline.
    QVERIFY(parse("start_ms,duration_ms,outcome\n1,1,success", &error));
}

void tst_TraceReader::equalStartsKeepFileOrder()
{
    LoadError error;
    const auto t = parse("start_ms,duration_ms,outcome\n5,1,success\n5,2,failure\n5,3,success\n", &error);
    QVERIFY(t);
    QCOMPARE(t->rows[0].duration, ms(1));
    QCOMPARE(t->rows[1].duration, ms(2));
    QCOMPARE(t->rows[2].duration, ms(3));
}

void tst_TraceReader::headerOnly()
{
    LoadError error;
    const auto t = parse("start_ms,duration_ms,outcome\n", &error);
    QVERIFY(t);
    QVERIFY(t->rows.empty());
}

void tst_TraceReader::latestRowAt()
{
    LoadError error;
    const auto t = parse(
        "start_ms,duration_ms,outcome\n10,1,success\n20,1,success\n20,1,success\n30,1,success\n", &error);
    QVERIFY(t);
    QCOMPARE(t->latestRowAt(ms(0)), -1);
    QCOMPARE(t->latestRowAt(ms(10)), 0);
    QCOMPARE(t->latestRowAt(ms(19)), 0);
    QCOMPARE(t->latestRowAt(ms(20)), 2); // the last of those that started together
    QCOMPARE(t->latestRowAt(ms(29)), 2);
    QCOMPARE(t->latestRowAt(ms(1000)), 3);
}

void tst_TraceReader::loadFile()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString path = dir.filePath(QStringLiteral("t.csv"));
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write("start_ms,duration_ms,outcome\n1,2,success\n1,2,sucess\n");
    f.close();
    LoadError error;
    QVERIFY(!TraceReader::loadFile(path, &error));
    QCOMPARE(error.toString(),
        path
            + QStringLiteral(
                ":3:5: outcome: expected 'success' or 'failure', got 'sucess'; did you mean 'success'?"));
    QVERIFY(!TraceReader::loadFile(dir.filePath(QStringLiteral("none.csv")), &error));
    QCOMPARE(error.line, 0);
    QVERIFY(error.toString().startsWith(
        dir.filePath(QStringLiteral("none.csv")) + QStringLiteral(": cannot read: ")));
}

void tst_TraceReader::exampleTrace()
{
    const QString source = qEnvironmentVariable("BREAKWATER_SOURCE_DIR");
    if (source.isEmpty())
        QSKIP("BREAKWATER_SOURCE_DIR is not set (run through ctest)");
    LoadError error;
    const auto t
        = TraceReader::loadFile(source + QStringLiteral("/resources/traces/example-incident.csv"), &error);
    QVERIFY2(t, qPrintable(error.toString()));
    QVERIFY(t->rows.size() > 1000);
    qsizetype failures = 0;
    for (const TraceRow &r : t->rows)
        failures += r.success ? 0 : 1;
    QVERIFY(failures > 100);
}

void tst_TraceReader::badTrace_data()
{
    QTest::addColumn<QByteArray>("csv");
    QTest::addColumn<QString>("expected");

    QTest::addRow("empty file")
        << QByteArray("")
        << QStringLiteral("trace.csv: empty trace; expected the header start_ms,duration_ms,outcome[,code][,retry_after_ms]");
    QTest::addRow("blank file")
        << QByteArray("\n\n")
        << QStringLiteral(
               "trace.csv:1: empty trace; expected the header start_ms,duration_ms,outcome[,code][,retry_after_ms]");
    QTest::addRow("misspelt column")
        << QByteArray("start_ms,duraton_ms,outcome\n")
        << QStringLiteral("trace.csv:1:10: duraton_ms: unknown column; did you mean 'duration_ms'?");
    QTest::addRow("unknown column") << QByteArray("start_ms,duration_ms,outcome,region\n")
                                    << QStringLiteral("trace.csv:1:30: region: unknown column; expected the "
                                                      "header start_ms,duration_ms,outcome[,code][,retry_after_ms]");
    QTest::addRow("missing column") << QByteArray("start_ms,outcome\n0,success\n")
                                    << QStringLiteral("trace.csv:1:1: missing column 'duration_ms'; expected "
                                                      "the header start_ms,duration_ms,outcome[,code][,retry_after_ms]");
    QTest::addRow("bad retry_after_ms") << QByteArray("start_ms,duration_ms,outcome,code,retry_after_ms\n0,1,failure,429,soon\n")
                                        << QStringLiteral("trace.csv:2:17: retry_after_ms: expected a number of "
                                                          "milliseconds from 0 to 86400000, got 'soon'");
    QTest::addRow("duplicate column") << QByteArray("start_ms,duration_ms,outcome,start_ms\n")
                                      << QStringLiteral("trace.csv:1:30: start_ms: duplicate column");
    QTest::addRow("no header")
        << QByteArray("0,10,success\n")
        << QStringLiteral(
               "trace.csv:1:1: 0: unknown column; expected the header start_ms,duration_ms,outcome[,code][,retry_after_ms]");
    QTest::addRow("negative start")
        << QByteArray("start_ms,duration_ms,outcome\n0,1,success\n-5,1,success\n")
        << QStringLiteral(
               "trace.csv:3:1: start_ms: expected a non-negative number of milliseconds, got '-5'");
    QTest::addRow("duration not a number")
        << QByteArray("start_ms,duration_ms,outcome\n0,fast,success\n")
        << QStringLiteral(
               "trace.csv:2:3: duration_ms: expected a non-negative number of milliseconds, got 'fast'");
    QTest::addRow("empty duration")
        << QByteArray("start_ms,duration_ms,outcome\n0,,success\n")
        << QStringLiteral(
               "trace.csv:2:3: duration_ms: expected a non-negative number of milliseconds, got ''");
    QTest::addRow("exponent")
        << QByteArray("start_ms,duration_ms,outcome\n1e3,1,success\n")
        << QStringLiteral(
               "trace.csv:2:1: start_ms: expected a non-negative number of milliseconds, got '1e3'");
    QTest::addRow("bad outcome")
        << QByteArray("start_ms,duration_ms,outcome\n0,1,success\n1,1,error\n")
        << QStringLiteral("trace.csv:3:5: outcome: expected 'success' or 'failure', got 'error'");
    QTest::addRow("too few fields") << QByteArray("start_ms,duration_ms,outcome,code\n0,1\n")
                                    << QStringLiteral("trace.csv:2:1: expected 4 fields, got 2");
    QTest::addRow("too many fields") << QByteArray("start_ms,duration_ms,outcome\n0,1,success,503\n")
                                     << QStringLiteral("trace.csv:2:1: expected 3 fields, got 4");
    QTest::addRow("unsorted")
        << QByteArray("start_ms,duration_ms,outcome\n0,1,success\n1500,1,success\n\n1200,1,success\n")
        << QStringLiteral(
               "trace.csv:5:1: start_ms: rows must be sorted by start_ms: 1200 comes after 1500 on line 3");
    QTest::addRow("unterminated quote") << QByteArray("start_ms,duration_ms,outcome\n0,1,\"success\n")
                                        << QStringLiteral("trace.csv:2:5: unterminated quoted field");
    QTest::addRow("text after quote")
        << QByteArray("start_ms,duration_ms,outcome\n0,\"1\"x,success\n")
        << QStringLiteral("trace.csv:2:6: unexpected character after a closing quote");
    // docs/formats.md, "Limits": a call lasts at most a day (86,400,000 ms is still read).
    QTest::addRow("call past a day") << QByteArray("start_ms,duration_ms,outcome\n0,86400000,success\n5,86400000.001,success\n")
                                     << QStringLiteral("trace.csv:3:3: duration_ms: expected a duration of at most "
                                                       "86400000 ms, got '86400000.001'");
    QTest::addRow("too large") << QByteArray("start_ms,duration_ms,outcome\n0,99999999999999999,success\n")
                               << QStringLiteral("trace.csv:2:3: duration_ms: expected a non-negative number "
                                                 "of milliseconds, got '99999999999999999'");
}

void tst_TraceReader::badTrace()
{
    QFETCH(QByteArray, csv);
    QFETCH(QString, expected);
    LoadError error;
    QVERIFY(!parse(csv, &error));
    QCOMPARE(error.toString(), expected);
}

QTEST_GUILESS_MAIN(tst_TraceReader)
#include "tst_tracereader.moc"
