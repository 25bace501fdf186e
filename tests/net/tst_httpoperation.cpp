#include "net/chaostarget.h"
#include "net/httpoperation.h"
#include "resilience/pipeline.h"
#include "runtime/wallscheduler.h"

#include <QNetworkAccessManager>
#include <QTcpServer>
#include <QtTest>

using namespace bw;

namespace {

// A pipeline call over a real request, run to its end on the event loop (bounded).
struct CallResult
{
    bool ended = false;
    Result result;
};

CallResult call(Pipeline &pipeline, Operation &operation, int limitMs = 5000)
{
    auto out = std::make_shared<CallResult>();
    pipeline.execute(operation, [out](const Result &r) {
        out->ended = true;
        out->result = r;
    });
    QElapsedTimer clock;
    clock.start();
    while (!out->ended && clock.elapsed() < limitMs)
        QCoreApplication::processEvents(QEventLoop::AllEvents | QEventLoop::WaitForMoreEvents, 20);
    return *out;
}

PolicyConfig noPolicy()
{
    PolicyConfig p;
    p.name = QStringLiteral("http");
    return p;
}

} // namespace

class TestHttpOperation : public QObject
{
    Q_OBJECT

    WallScheduler m_scheduler;
    QNetworkAccessManager m_network;
    std::unique_ptr<ChaosTarget> m_target;

    HttpRequest request(const QString &path = QStringLiteral("/orders")) const
    {
        HttpRequest r;
        r.url = QUrl(QStringLiteral("http://127.0.0.1:%1%2").arg(m_target->port()).arg(path));
        return r;
    }
    void setChaos(const QByteArray &json)
    {
        LoadError error;
        const auto s = ChaosSettings::fromJson(json, &error);
        QVERIFY2(s, qPrintable(error.toString()));
        m_target->setSettings(*s);
    }

private Q_SLOTS:
    void init()
    {
        m_target = std::make_unique<ChaosTarget>(m_scheduler);
        QVERIFY(m_target->start() != 0);
    }
    void cleanup() { m_target.reset(); }

    void successIs2xx()
    {
        Pipeline pipeline(noPolicy(), m_scheduler);
        HttpRequest r = request();
        r.method = "POST";
        r.body = R"({"a":1})";
        r.headers = { { "Content-Type", "application/json" } };
        HttpOperation op(m_network, r);
        const CallResult c = call(pipeline, op);
        QVERIFY(c.ended);
        QCOMPARE(c.result.outcome, Outcome::Success);
        QCOMPARE(c.result.value.toInt(), 200);
        QCOMPARE(op.stats().completed, 1);
    }

    void statusIsTheCode()
    {
        setChaos(R"({"errorRate":1,"status":503})");
        Pipeline pipeline(noPolicy(), m_scheduler);
        HttpOperation op(m_network, request());
        const CallResult c = call(pipeline, op);
        QCOMPARE(c.result.outcome, Outcome::Failure);
        QCOMPARE(c.result.error.code, ErrorCode::httpStatus(503));
        QVERIFY(!c.result.error.retryAfter);
    }

    void tooManyRequestsIsRateLimitWithRetryAfter()
    {
        setChaos(R"({"errorRate":1,"status":429,"retryAfterMs":1500})");
        Pipeline pipeline(noPolicy(), m_scheduler);
        HttpOperation op(m_network, request());
        const CallResult c = call(pipeline, op);
        QCOMPARE(c.result.error.code, ErrorCode::RateLimit);
        QVERIFY(c.result.error.retryAfter);
        QCOMPARE(*c.result.error.retryAfter, fromMs(1500));
    }

    void resetIsConnectionReset()
    {
        setChaos(R"({"resetRate":1})");
        Pipeline pipeline(noPolicy(), m_scheduler);
        HttpOperation op(m_network, request());
        const CallResult c = call(pipeline, op);
        QCOMPARE(c.result.error.code, ErrorCode::ConnectionReset);
        // Qt Network resends a request once, unseen, when its connection is reset before any
        // answer: one attempt of the engine, two requests at the server.
        QCOMPARE(op.stats().started, 1);
        QCOMPARE(m_target->stats().resets, 2);
    }

    void refusedIsConnectionRefused()
    {
        QTcpServer closed;
        QVERIFY(closed.listen(QHostAddress::LocalHost, 0));
        const quint16 port = closed.serverPort();
        closed.close(); // nothing listens there now
        Pipeline pipeline(noPolicy(), m_scheduler);
        HttpRequest r;
        r.url = QUrl(QStringLiteral("http://127.0.0.1:%1/").arg(port));
        HttpOperation op(m_network, r);
        const CallResult c = call(pipeline, op);
        QCOMPARE(c.result.error.code, ErrorCode::ConnectionRefused);
    }

    void unknownHostIsNotFound()
    {
        Pipeline pipeline(noPolicy(), m_scheduler);
        HttpRequest r;
        r.url = QUrl(QStringLiteral("http://no-such-host.invalid/")); // .invalid never resolves (RFC 2606)
        HttpOperation op(m_network, r);
        const CallResult c = call(pipeline, op, 20000);
        QVERIFY(c.ended);
        QCOMPARE(c.result.error.code, ErrorCode::NotFound);
    }

    void otherNetworkErrorsAreNetworkError()
    {
        // A scheme Qt Network has no protocol for: an error of none of the kinds above.
        Pipeline pipeline(noPolicy(), m_scheduler);
        HttpRequest r;
        r.url = QUrl(QStringLiteral("gopher://127.0.0.1:%1/").arg(m_target->port()));
        HttpOperation op(m_network, r);
        const CallResult c = call(pipeline, op);
        QVERIFY(c.ended);
        QVERIFY2(c.result.error.code == ErrorCode::NetworkError,
            qPrintable(c.result.error.code.toString() + u' ' + c.result.error.message));
        QCOMPARE(op.stats().completed, 1);
    }

    void parseRetryAfter()
    {
        QCOMPARE(HttpOperation::parseRetryAfter("120"), fromMs(120000));
        QCOMPARE(HttpOperation::parseRetryAfter(" 0.25 "), fromMs(250));
        QVERIFY(!HttpOperation::parseRetryAfter("Wed, 21 Oct 2015 07:28:00 GMT"));
        QVERIFY(!HttpOperation::parseRetryAfter("-1"));
        QVERIFY(!HttpOperation::parseRetryAfter("nan"));
        QVERIFY(!HttpOperation::parseRetryAfter(""));
    }

    void timeoutAbortsTheRequest()
    {
        setChaos(R"({"hangRate":1})");
        PolicyConfig policy = noPolicy();
        policy.timeout = TimeoutConfig {};
        policy.timeout->timeout = fromMs(150);
        Pipeline pipeline(policy, m_scheduler);
        HttpOperation op(m_network, request());
        QElapsedTimer clock;
        clock.start();
        const CallResult c = call(pipeline, op);
        QCOMPARE(c.result.outcome, Outcome::Timeout);
        QVERIFY2(clock.elapsed() >= 140 && clock.elapsed() < 3000, qPrintable(QString::number(clock.elapsed())));
        QCOMPARE(op.stats().aborted, 1);
        QCOMPARE(op.stats().inFlight(), 0);
        // The server sees the client leave: the hung request is let go.
        QTRY_COMPARE(m_target->stats().abandoned, 1);
        QCOMPARE(m_target->stats().inFlight, 0);
    }

    void retriesAreRealRequests()
    {
        setChaos(R"({"errorRate":1,"status":503})");
        PolicyConfig policy = noPolicy();
        policy.retry = RetryConfig {};
        policy.retry->maxAttempts = 4;
        policy.retry->initialDelay = fromMs(10);
        policy.retry->jitter = false;
        policy.retry->retryableErrors = QStringList { QStringLiteral("503") };
        Pipeline pipeline(policy, m_scheduler);
        HttpOperation op(m_network, request());
        const CallResult c = call(pipeline, op);
        QCOMPARE(c.result.outcome, Outcome::Failure);
        QCOMPARE(c.result.attempts, 4);
        // What the server counted is what the engine sent.
        QCOMPARE(op.stats().started, 4);
        QCOMPARE(m_target->stats().requests, 4);
        QCOMPARE(m_target->stats().errors, 4);
    }

    void breakerOpensOnAFailingTargetAndClosesWhenItRecovers()
    {
        setChaos(R"({"errorRate":1,"status":500})");
        PolicyConfig policy = noPolicy();
        CircuitBreakerConfig b;
        b.failureThreshold = 3;
        b.volumeThreshold = 3;
        b.successThreshold = 2;
        b.resetTimeout = fromMs(200);
        b.windowType = WindowType::Count;
        b.windowSize = 10;
        policy.circuitBreaker = b;
        Pipeline pipeline(policy, m_scheduler);
        HttpOperation op(m_network, request());
        for (int i = 0; i < 3; ++i)
            QCOMPARE(call(pipeline, op).result.outcome, Outcome::Failure);
        QCOMPARE(pipeline.circuitBreaker()->state(), CircuitState::Open);
        QCOMPARE(call(pipeline, op).result.outcome, Outcome::CircuitOpen);
        QCOMPARE(m_target->stats().requests, 3); // the open breaker sent nothing

        setChaos(R"({"errorRate":0})"); // the target recovers
        QTest::qWait(250);
        QCOMPARE(call(pipeline, op).result.outcome, Outcome::Success);
        QCOMPARE(call(pipeline, op).result.outcome, Outcome::Success);
        QCOMPARE(pipeline.circuitBreaker()->state(), CircuitState::Closed);
    }

    void everyStartedRequestEnds()
    {
        setChaos(R"({"errorRate":0.3,"hangRate":0.2,"resetRate":0.1,"latencyMs":5,"jitterMs":20})");
        PolicyConfig policy = noPolicy();
        policy.timeout = TimeoutConfig {};
        policy.timeout->timeout = fromMs(100);
        policy.retry = RetryConfig {};
        policy.retry->maxAttempts = 2;
        policy.retry->initialDelay = fromMs(5);
        policy.retry->retryableErrors = QStringList { QStringLiteral("500"), QStringLiteral("TIMEOUT"), QStringLiteral("ECONNRESET") };
        Pipeline pipeline(policy, m_scheduler);
        HttpOperation op(m_network, request());
        constexpr int Calls = 60;
        int ended = 0;
        for (int i = 0; i < Calls; ++i)
            pipeline.execute(op, [&ended](const Result &) { ++ended; });
        QTRY_COMPARE_WITH_TIMEOUT(ended, Calls, 20000);
        QCOMPARE(pipeline.callsInFlight(), 0);
        QCOMPARE(op.stats().inFlight(), 0);
        QCOMPARE(op.stats().started, op.stats().completed + op.stats().aborted);
        QVERIFY(op.stats().aborted > 0); // hangs were cut off by the timeout
        QVERIFY(op.stats().started > Calls); // and retried
        QTRY_COMPARE(m_target->stats().inFlight, 0);
        // Requests aborted while Qt queued them (six connections per host) never reached the
        // server; reset ones reached it twice (see resetIsConnectionReset).
        QVERIFY(m_target->stats().requests <= op.stats().started + m_target->stats().resets);
    }
};

QTEST_GUILESS_MAIN(TestHttpOperation)
#include "tst_httpoperation.moc"
