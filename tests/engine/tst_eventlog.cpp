#include "resilience/pipeline.h"
#include "runtime/virtualscheduler.h"
#include "scriptedoperation.h"
#include "telemetry/eventlog.h"

#include <QBuffer>
#include <QDir>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>

using namespace bw;

namespace {

Duration ms(qint64 v)
{
    return fromMs(static_cast<std::int64_t>(v));
}

QByteArray msText(Duration d)
{
    QByteArray out;
    EventLog::appendMs(out, d);
    return out;
}

} // namespace

class tst_EventLog : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void millisecondFormat_data();
    void millisecondFormat();
    void stringEscaping();
    void genericEventKeepsFieldOrder();
    void callEventFields();
    void callAttributes();
    void circuitStateIsTheAdmittingState();
    void timeoutFallbackIsAnEvent();
    void retryStateChangeBulkhead();
    void hashAndCountMatchTheBytes();
    void hashOnlyWithoutOutput();
    void fileAppearsOnlyWhenFinished();
    void unfinishedFileIsDiscarded();
    void unwritablePath();
    void originShiftsTime();
};

void tst_EventLog::millisecondFormat_data()
{
    QTest::addColumn<qint64>("ns");
    QTest::addColumn<QByteArray>("text");
    QTest::addRow("zero") << qint64(0) << QByteArray("0");
    QTest::addRow("whole") << qint64(12000000) << QByteArray("12");
    QTest::addRow("half") << qint64(12500000) << QByteArray("12.5");
    QTest::addRow("three decimals") << qint64(12345000) << QByteArray("12.345");
    QTest::addRow("rounded to the microsecond") << qint64(12345678) << QByteArray("12.346");
    QTest::addRow("one microsecond") << qint64(1000) << QByteArray("0.001");
    QTest::addRow("under half a microsecond") << qint64(499) << QByteArray("0");
    QTest::addRow("trailing zeros trimmed") << qint64(100300000) << QByteArray("100.3");
    QTest::addRow("a day") << qint64(86400000000000) << QByteArray("86400000");
    QTest::addRow("negative") << qint64(-1500000) << QByteArray("-1.5");
}

void tst_EventLog::millisecondFormat()
{
    QFETCH(qint64, ns);
    QFETCH(QByteArray, text);
    QCOMPARE(msText(Duration(ns)), text);
}

void tst_EventLog::stringEscaping()
{
    QByteArray out;
    EventLog::appendString(out, QStringView(u"a\"b\\c\nd\te\x01 é"));
    QCOMPARE(out, QByteArray("\"a\\\"b\\\\c\\nd\\te\\u0001 \xc3\xa9\""));
    // What it writes is JSON that reads back the same.
    const QJsonDocument doc = QJsonDocument::fromJson("[" + out + "]");
    QCOMPARE(doc.array().at(0).toString(), QStringLiteral("a\"b\\c\nd\te\x01 é"));
}

void tst_EventLog::genericEventKeepsFieldOrder()
{
    QByteArray bytes;
    QBuffer buffer(&bytes);
    buffer.open(QIODevice::WriteOnly);
    EventLog log;
    log.open(&buffer);
    log.write(ms(1500), u"fault",
        { { QStringLiteral("service"), QStringLiteral("payments") },
            { QStringLiteral("fault"), QStringLiteral("outage") },
            { QStringLiteral("phase"), QStringLiteral("start") }, { QStringLiteral("untilMs"), 50000 } });
    log.write(ms(2000), u"control",
        { { QStringLiteral("target"), QStringLiteral("payments") },
            { QStringLiteral("action"), QStringLiteral("threshold") }, { QStringLiteral("value"), 0.25 },
            { QStringLiteral("detail"),
                QJsonObject { { QStringLiteral("b"), 1 }, { QStringLiteral("a"), true } } },
            { QStringLiteral("none"), QJsonValue() } });
    QVERIFY(log.finish());
    QCOMPARE(bytes,
        QByteArray("{\"t_ms\":1500,\"type\":\"fault\",\"service\":\"payments\",\"fault\":\"outage\","
                   "\"phase\":\"start\",\"untilMs\":50000}\n"
                   "{\"t_ms\":2000,\"type\":\"control\",\"target\":\"payments\",\"action\":\"threshold\","
                   "\"value\":0.25,"
                   "\"detail\":{\"a\":true,\"b\":1},\"none\":null}\n"));
    QCOMPARE(log.count(), 2);
}

void tst_EventLog::callEventFields()
{
    QByteArray bytes;
    QBuffer buffer(&bytes);
    buffer.open(QIODevice::WriteOnly);
    EventLog log;
    log.open(&buffer);
    const QString op = QStringLiteral("checkout");
    log.onCallFinished(CallReport { op, 17, Outcome::Success, 1, Duration(41250000), nullptr, ms(1000) });
    Error e;
    e.code = ErrorCode::Timeout;
    log.onCallFinished(CallReport { op, 18, Outcome::Timeout, 2, ms(800), &e, ms(2000) });
    QVERIFY(log.finish());
    const QList<QByteArray> lines = bytes.split('\n');
    QCOMPARE(lines.size(), 3);
    QCOMPARE(lines[0],
        QByteArray(
            "{\"t_ms\":1000,\"type\":\"call\",\"operation\":\"checkout\",\"index\":17,\"outcome\":"
            "\"success\","
            "\"attempts\":1,\"latency_ms\":41.25,\"attributes\":{\"resilience.operation\":\"checkout\","
            "\"retry.attempt\":1,\"timeout.exceeded\":false}}"));
    QCOMPARE(lines[1],
        QByteArray("{\"t_ms\":2000,\"type\":\"call\",\"operation\":\"checkout\",\"index\":18,\"outcome\":"
                   "\"timeout\","
                   "\"attempts\":2,\"latency_ms\":800,\"code\":\"TIMEOUT\",\"attributes\":{\"resilience."
                   "operation\":\"checkout\","
                   "\"retry.attempt\":2,\"timeout.exceeded\":true}}"));
    QVERIFY(lines[2].isEmpty());
}

void tst_EventLog::callAttributes()
{
    // A call that reached a breaker carries the state that admitted it; with a bulkhead bound,
    // calls carry bulkhead.queue_position; a timeout on an earlier attempt marks
    // timeout.exceeded even when the call ends otherwise.
    VirtualScheduler scheduler;
    Bulkhead bulkhead(QStringLiteral("checkout"), BulkheadConfig {}, scheduler);
    QByteArray bytes;
    QBuffer buffer(&bytes);
    buffer.open(QIODevice::WriteOnly);
    EventLog log;
    log.open(&buffer);
    log.bindOperation(QStringLiteral("checkout"), &bulkhead);
    const QString op = QStringLiteral("checkout");
    const QString bh = QStringLiteral("checkout");
    log.onBulkheadEvent(BulkheadEvent { bh, BulkheadEventKind::Queued, 10, 3, 3, 5, ms(1) });
    log.onTimeout(op, 5, StageKind::Timeout, ms(100), ms(101));
    Error e;
    e.code = ErrorCode::httpStatus(503);
    log.onCallFinished(CallReport { op, 5, Outcome::Failure, 2, ms(300), &e, ms(301), CircuitState::HalfOpen });
    log.onCallFinished(CallReport { op, 6, Outcome::Success, 1, ms(10), nullptr, ms(302), std::nullopt });
    QVERIFY(log.finish());
    const QList<QByteArray> lines = bytes.trimmed().split('\n');
    QCOMPARE(lines.size(), 3);
    QCOMPARE(lines[0],
        QByteArray("{\"t_ms\":1,\"type\":\"bulkhead\",\"bulkhead\":\"checkout\",\"event\":\"queued\","
                   "\"active\":10,\"queued\":3,\"position\":3}"));
    QVERIFY2(lines[1].endsWith("\"attributes\":{\"resilience.operation\":\"checkout\",\"circuit.state\":"
                               "\"HALF_OPEN\",\"retry.attempt\":2,"
                               "\"timeout.exceeded\":true,\"bulkhead.queue_position\":3}}"),
        lines[1].constData());
    // The marks were for call 5 only; call 6 reached no breaker.
    QVERIFY2(lines[2].endsWith("{\"resilience.operation\":\"checkout\",\"retry.attempt\":1,"
                               "\"timeout.exceeded\":false,\"bulkhead.queue_position\":0}}"),
        lines[2].constData());
}

void tst_EventLog::circuitStateIsTheAdmittingState()
{
    // The call that opens the breaker was admitted in CLOSED; the next one is refused in OPEN.
    VirtualScheduler s;
    test::ScriptedOperation op(s, [](const Attempt &) { return test::Answer::fail("500", 10); });
    PolicyConfig p;
    p.name = QStringLiteral("checkout");
    p.circuitBreaker = CircuitBreakerConfig {};
    p.circuitBreaker->failureThreshold = 1;
    Pipeline pipeline(p, s);
    QByteArray bytes;
    QBuffer buffer(&bytes);
    buffer.open(QIODevice::WriteOnly);
    EventLog log;
    log.open(&buffer);
    log.bindOperation(pipeline.name(), pipeline.bulkhead());
    pipeline.setObserver(&log);
    pipeline.circuitBreaker()->addListener(&log);
    pipeline.execute(op, {}, 0);
    s.advanceBy(ms(20));
    pipeline.execute(op, {}, 1);
    QVERIFY(log.finish());
    pipeline.circuitBreaker()->removeListener(&log);
    QStringList states;
    for (const QByteArray &line : bytes.trimmed().split('\n')) {
        const QJsonObject event = QJsonDocument::fromJson(line).object();
        if (event.value(QStringLiteral("type")).toString() == QStringLiteral("call"))
            states.append(event.value(QStringLiteral("attributes")).toObject().value(QStringLiteral("circuit.state")).toString());
    }
    QCOMPARE(states, (QStringList { QStringLiteral("CLOSED"), QStringLiteral("OPEN") }));
}

void tst_EventLog::timeoutFallbackIsAnEvent()
{
    // docs/formats.md: every fallback writes a fallback event, a timeout's own fallback value too.
    VirtualScheduler s;
    test::ScriptedOperation op(s, [](const Attempt &) { return test::Answer::hang(); });
    PolicyConfig p;
    p.name = QStringLiteral("quote");
    p.timeout = TimeoutConfig { ms(100), QVariant(QStringLiteral("cached")), {} };
    Pipeline pipeline(p, s);
    QByteArray bytes;
    QBuffer buffer(&bytes);
    buffer.open(QIODevice::WriteOnly);
    EventLog log;
    log.open(&buffer);
    pipeline.setObserver(&log);
    pipeline.execute(op, {}, 7);
    s.runUntilIdle();
    QVERIFY(log.finish());
    const QList<QByteArray> lines = bytes.trimmed().split('\n');
    QCOMPARE(lines.size(), 2);
    QCOMPARE(lines[0], QByteArray("{\"t_ms\":100,\"type\":\"fallback\",\"operation\":\"quote\",\"index\":7,\"code\":\"TIMEOUT\"}"));
    QVERIFY2(lines[1].startsWith("{\"t_ms\":100,\"type\":\"call\",\"operation\":\"quote\",\"index\":7,\"outcome\":\"fallback\""),
        lines[1].constData());
}

void tst_EventLog::retryStateChangeBulkhead()
{
    QByteArray bytes;
    QBuffer buffer(&bytes);
    buffer.open(QIODevice::WriteOnly);
    EventLog log;
    log.open(&buffer);
    const QString op = QStringLiteral("pay");
    Error e;
    e.code = ErrorCode::ConnectionReset;
    log.onRetry(RetryReport { op, 3, 1, Duration(112025000), e, ms(120) });
    log.onFallback(op, 3, e, ms(130));
    log.onHedge(op, 3, 2, ms(135));
    log.onStateChange(CircuitStateChange {
        op, CircuitState::Closed, CircuitState::Open, TransitionReason::FailureRate, ms(140), {} });
    log.onBulkheadEvent(
        BulkheadEvent { op, BulkheadEventKind::Completed, 0, 0, 0, 3, ms(150) }); // not written
    log.onBulkheadEvent(BulkheadEvent { op, BulkheadEventKind::QueueCleared, 2, 0, 4, 0, ms(160) });
    log.onBulkheadEvent(BulkheadEvent { op, BulkheadEventKind::Rejected, 2, 5, 0, 9, ms(170) });
    QVERIFY(log.finish());
    QCOMPARE(bytes,
        QByteArray(
            "{\"t_ms\":120,\"type\":\"retry\",\"operation\":\"pay\",\"index\":3,\"attempt\":1,\"delay_ms\":"
            "112.025,\"code\":\"ECONNRESET\"}\n"
            "{\"t_ms\":130,\"type\":\"fallback\",\"operation\":\"pay\",\"index\":3,\"code\":\"ECONNRESET\"}\n"
            "{\"t_ms\":135,\"type\":\"hedge\",\"operation\":\"pay\",\"index\":3,\"hedge\":2}\n"
            "{\"t_ms\":140,\"type\":\"stateChange\",\"breaker\":\"pay\",\"from\":\"CLOSED\",\"to\":\"OPEN\","
            "\"reason\":\"failureRate\"}\n"
            "{\"t_ms\":160,\"type\":\"bulkhead\",\"bulkhead\":\"pay\",\"event\":\"queueCleared\",\"active\":"
            "2,\"queued\":0,\"cleared\":4}\n"
            "{\"t_ms\":170,\"type\":\"bulkhead\",\"bulkhead\":\"pay\",\"event\":\"rejected\",\"active\":2,"
            "\"queued\":5,\"position\":0}\n"));
    // Every line is valid JSON.
    for (const QByteArray &line : bytes.trimmed().split('\n')) {
        QJsonParseError error;
        QJsonDocument::fromJson(line, &error);
        QCOMPARE(error.error, QJsonParseError::NoError);
    }
}

void tst_EventLog::hashAndCountMatchTheBytes()
{
    // Enough events to flush the 64 KiB buffer many times.
    QByteArray bytes;
    QBuffer buffer(&bytes);
    buffer.open(QIODevice::WriteOnly);
    EventLog log;
    log.open(&buffer);
    for (int i = 0; i < 20000; ++i)
        log.write(ms(i), u"tick", { { QStringLiteral("i"), i } });
    QVERIFY(log.finish());
    QCOMPARE(log.count(), 20000);
    QCOMPARE(log.bytes(), std::int64_t(bytes.size()));
    QCOMPARE(log.sha256Hex(), QCryptographicHash::hash(bytes, QCryptographicHash::Sha256).toHex());
    QCOMPARE(bytes.count('\n'), 20000);
}

void tst_EventLog::hashOnlyWithoutOutput()
{
    QByteArray bytes;
    QBuffer buffer(&bytes);
    buffer.open(QIODevice::WriteOnly);
    EventLog written, hashed;
    written.open(&buffer);
    for (EventLog *log : { &written, &hashed })
        for (int i = 0; i < 1000; ++i)
            log->write(ms(i), u"tick", { { QStringLiteral("i"), i } });
    QVERIFY(written.finish());
    QVERIFY(hashed.finish());
    QCOMPARE(hashed.sha256Hex(), written.sha256Hex());
    QCOMPARE(hashed.count(), written.count());
}

void tst_EventLog::fileAppearsOnlyWhenFinished()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString path = dir.filePath(QStringLiteral("events.jsonl"));
    EventLog log;
    QString error;
    QVERIFY2(log.open(path, &error), qPrintable(error));
    for (int i = 0; i < 10000; ++i)
        log.write(ms(i), u"tick", { { QStringLiteral("i"), i } });
    QVERIFY(!QFile::exists(path)); // only a temporary file so far, though 64 KiB chunks were written
    QVERIFY2(log.finish(&error), qPrintable(error));
    QVERIFY(QFile::exists(path));
    QFile f(path);
    QVERIFY(f.open(QIODevice::ReadOnly));
    const QByteArray bytes = f.readAll();
    QCOMPARE(bytes.count('\n'), 10000);
    QCOMPARE(log.sha256Hex(), QCryptographicHash::hash(bytes, QCryptographicHash::Sha256).toHex());
    QCOMPARE(QDir(dir.path()).entryList(QDir::Files), QStringList { QStringLiteral("events.jsonl") });
}

void tst_EventLog::unfinishedFileIsDiscarded()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString path = dir.filePath(QStringLiteral("events.jsonl"));
    // An earlier complete file stays as it was when a later run is interrupted.
    {
        QFile old(path);
        QVERIFY(old.open(QIODevice::WriteOnly));
        old.write("old\n");
    }
    {
        EventLog log;
        QString error;
        QVERIFY(log.open(path, &error));
        for (int i = 0; i < 10000; ++i)
            log.write(ms(i), u"tick", { { QStringLiteral("i"), i } });
        // destroyed without finish(), as when a run is interrupted
    }
    QFile f(path);
    QVERIFY(f.open(QIODevice::ReadOnly));
    QCOMPARE(f.readAll(), QByteArray("old\n"));
    QCOMPARE(QDir(dir.path()).entryList(QDir::Files), QStringList { QStringLiteral("events.jsonl") });
}

void tst_EventLog::unwritablePath()
{
    QTemporaryDir dir;
    EventLog log;
    QString error;
    QVERIFY(!log.open(dir.filePath(QStringLiteral("missing/dir/events.jsonl")), &error));
    QVERIFY2(error.contains(QStringLiteral("cannot write")), qPrintable(error));
}

void tst_EventLog::originShiftsTime()
{
    QByteArray bytes;
    QBuffer buffer(&bytes);
    buffer.open(QIODevice::WriteOnly);
    EventLog log(ms(5000));
    log.open(&buffer);
    log.write(ms(5250), u"x", {});
    QVERIFY(log.finish());
    QCOMPARE(bytes, QByteArray("{\"t_ms\":250,\"type\":\"x\"}\n"));
}

QTEST_GUILESS_MAIN(tst_EventLog)
#include "tst_eventlog.moc"
