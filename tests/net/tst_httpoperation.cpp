#include "net/chaostarget.h"
#include "net/httpoperation.h"
#include "resilience/pipeline.h"
#include "resilience/retry.h"
#include "runtime/wallscheduler.h"

#include "chaoshelper.h"

#include <QTcpServer>
#include <QTcpSocket>
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

// A server on 127.0.0.1 that answers every request with the same bytes, for answers the chaos
// target does not give.
class CannedServer
{
public:
    explicit CannedServer(QByteArray answer) : m_answer(std::move(answer))
    {
        QObject::connect(&m_server, &QTcpServer::newConnection, &m_server, [this] {
            while (QTcpSocket *s = m_server.nextPendingConnection())
                QObject::connect(s, &QTcpSocket::readyRead, s, [this, s] {
                    if (s->readAll().contains("\r\n\r\n"))
                        s->write(m_answer);
                });
        });
        m_server.listen(QHostAddress::LocalHost, 0);
    }
    QUrl url() const { return QUrl(QStringLiteral("http://127.0.0.1:%1/").arg(m_server.serverPort())); }

private:
    QByteArray m_answer;
    QTcpServer m_server;
};

} // namespace

class TestHttpOperation : public QObject
{
    Q_OBJECT

    WallScheduler m_scheduler;
    HttpClient m_network;
    std::unique_ptr<ChaosTarget> m_target;

    HttpRequest request(const QString &path = QStringLiteral("/orders")) const
    {
        HttpRequest r;
        r.url = QUrl(QStringLiteral("http://127.0.0.1:%1%2").arg(m_target->port()).arg(path));
        return r;
    }
    void setChaos(const QByteArray &json) { bw::test::setChaos(*m_target, json); }

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

    // A server's 429 is "429", as the simulator's and the client-side rateLimit fault's are; the
    // chaos target's Retry-After is whole seconds, rounded up (1.5 s is sent as "2").
    void tooManyRequestsIs429WithRetryAfter()
    {
        setChaos(R"({"errorRate":1,"status":429,"retryAfterMs":1500})");
        Pipeline pipeline(noPolicy(), m_scheduler);
        HttpOperation op(m_network, request());
        const CallResult c = call(pipeline, op);
        QCOMPARE(c.result.error.code, ErrorCode::httpStatus(429));
        QVERIFY(c.result.error.retryAfter);
        QCOMPARE(*c.result.error.retryAfter, fromMs(2000));
        QCOMPARE(c.result.error.message, QStringLiteral("429 Too Many Requests"));
        // Retried by default, as the injected one is.
        QVERIFY(isRetryable(RetryConfig {}, c.result.error));
    }

    // Retry-After as an HTTP date counts from the answer's Date header.
    void retryAfterDateCountsFromTheDateHeader()
    {
        CannedServer server("HTTP/1.1 503 Service Unavailable\r\nDate: Wed, 21 Oct 2015 07:27:30 GMT\r\n"
                            "Retry-After: Wed, 21 Oct 2015 07:28:00 GMT\r\nContent-Length: 0\r\n\r\n");
        Pipeline pipeline(noPolicy(), m_scheduler);
        HttpRequest r;
        r.url = server.url();
        HttpOperation op(m_network, r);
        const CallResult c = call(pipeline, op);
        QCOMPARE(c.result.error.code, ErrorCode::httpStatus(503));
        QVERIFY(c.result.error.retryAfter);
        QCOMPARE(*c.result.error.retryAfter, fromMs(30000));
    }

    void resetIsConnectionReset()
    {
        setChaos(R"({"resetRate":1})");
        Pipeline pipeline(noPolicy(), m_scheduler);
        HttpOperation op(m_network, request());
        const CallResult c = call(pipeline, op);
        QCOMPARE(c.result.error.code, ErrorCode::ConnectionReset);
        // One attempt, one request on the wire: a reset is never resent behind the pipeline.
        QCOMPARE(op.stats().started, 1);
        QCOMPARE(m_target->stats().requests, 1);
        QCOMPARE(m_target->stats().resets, 1);
    }

    // Every reset the target makes reaches the pipeline as ECONNRESET, on fresh and on kept-alive
    // connections alike, and every request the engine sent is one the target counted.
    void everyResetReachesThePipeline()
    {
        setChaos(R"({"resetRate":0.3})");
        Pipeline pipeline(noPolicy(), m_scheduler);
        HttpOperation op(m_network, request());
        int resets = 0, ok = 0;
        for (int i = 0; i < 60; ++i) {
            const CallResult c = call(pipeline, op);
            QVERIFY(c.ended);
            resets += c.result.error.code == ErrorCode::ConnectionReset;
            ok += c.result.ok();
        }
        QVERIFY(m_target->stats().resets > 5);
        QCOMPARE(resets, m_target->stats().resets);
        QCOMPARE(ok, m_target->stats().ok);
        QCOMPARE(m_target->stats().requests, 60);
    }

    // The concurrency is what the caller asks for: 250 requests in flight at once to one host,
    // counted at the server, all answered within a per-attempt timeout that a queue of six
    // connections (250 × 1 s / 6) could never meet.
    void hundredsInFlightToOneHost()
    {
        constexpr int Calls = 250;
        setChaos(R"({"latencyMs":2000})");
        PolicyConfig policy = noPolicy();
        policy.timeout = TimeoutConfig {};
        policy.timeout->timeout = fromMs(20000);
        Pipeline pipeline(policy, m_scheduler);
        HttpOperation op(m_network, request());
        int succeeded = 0, ended = 0;
        for (int i = 0; i < Calls; ++i)
            pipeline.execute(op, [&](const Result &r) {
                ++ended;
                succeeded += r.ok();
            });
        QTRY_VERIFY_WITH_TIMEOUT(m_target->stats().inFlight == Calls || ended > 0, 15000);
        QCOMPARE(m_target->stats().inFlight, Calls); // all at the server at once
        QTRY_COMPARE_WITH_TIMEOUT(ended, Calls, 30000);
        QCOMPARE(succeeded, Calls);
        QCOMPARE(m_target->stats().ok, Calls);
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
        // An HTTP date, in its three forms, counts from the answer's Date; without a Date it is
        // ignored (no clock is read), and a date already past is 0.
        const QByteArray date = "Wed, 21 Oct 2015 07:27:00 GMT";
        QVERIFY(!HttpOperation::parseRetryAfter("Wed, 21 Oct 2015 07:28:00 GMT"));
        QCOMPARE(HttpOperation::parseRetryAfter("Wed, 21 Oct 2015 07:28:00 GMT", date), fromMs(60000));
        QCOMPARE(HttpOperation::parseRetryAfter("Wednesday, 21-Oct-15 07:28:30 GMT", date), fromMs(90000));
        QCOMPARE(HttpOperation::parseRetryAfter("Wed Oct 21 07:29:00 2015", date), fromMs(120000));
        QCOMPARE(HttpOperation::parseRetryAfter("Wed Oct  1 07:29:00 2015", "Wed Oct  1 07:28:59 2015"), fromMs(1000));
        QCOMPARE(HttpOperation::parseRetryAfter("Wed, 21 Oct 2015 07:26:00 GMT", date), fromMs(0));
        QVERIFY(!HttpOperation::parseRetryAfter("Wed, 21 Oct 2015 07:28:00 GMT", "yesterday"));
        QVERIFY(!HttpOperation::parseRetryAfter("soon", date));
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
        QVERIFY2(
            clock.elapsed() >= 140 && clock.elapsed() < 3000, qPrintable(QString::number(clock.elapsed())));
        QCOMPARE(op.stats().aborted, 1);
        QCOMPARE(op.stats().inFlight(), 0);
        // The server sees the client leave: the hung request is let go.
        QTRY_COMPARE(m_target->stats().hangs, 1);
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
        policy.retry->retryableErrors
            = QStringList { QStringLiteral("500"), QStringLiteral("TIMEOUT"), QStringLiteral("ECONNRESET") };
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
        // One request on the wire per attempt: none resent, none held back in a queue.
        QVERIFY(m_target->stats().requests <= op.stats().started);
        QVERIFY(m_target->stats().requests >= op.stats().completed);
    }
};

QTEST_GUILESS_MAIN(TestHttpOperation)
#include "tst_httpoperation.moc"
