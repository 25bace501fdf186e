// A service's HTTP client, protected by Breakwater: every call to the payments service goes
// through one named policy (a circuit breaker, a retry, a timeout per attempt) that a
// ResilienceManager keeps. It calls URL every --interval milliseconds, --calls times, and prints
// how each call ended, the breaker's state, every change of that state, and the health at the end.
//
//   breakwater chaos-target --port 8080 --settings '{"errorRate":1,"status":503}' &
//   http-client http://127.0.0.1:8080/payments
//   curl -X PUT -d '{"errorRate":0}' http://127.0.0.1:8080/_chaos   # the service recovers
#include <net/httpoperation.h>
#include <resilience/policyloader.h>
#include <resilience/resiliencemanager.h>
#include <runtime/wallscheduler.h>

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QTextStream>

namespace {

QTextStream out(stdout);

// The policy for the payments service. The retry is outermost, so each attempt passes the
// breaker and has its own 500 ms.
bw::PolicyConfig paymentsPolicy()
{
    bw::PolicyConfig policy;
    bw::CircuitBreakerConfig breaker;
    breaker.failureThreshold = 3;            // open after three failed attempts in a row,
    breaker.resetTimeout = bw::fromMs(1000); // let a trial call through a second later,
    breaker.successThreshold = 2;            // and close after two trial calls succeed
    policy.circuitBreaker = breaker;
    bw::RetryConfig retry = bw::RetryPolicies::fixed(2, 50); // one retry, 50 ms later
    retry.retryableErrors = QStringList { QStringLiteral("503"), QStringLiteral("TIMEOUT"),
                                          QStringLiteral("ECONNRESET"), QStringLiteral("ECONNREFUSED") };
    policy.retry = retry;
    bw::TimeoutConfig timeout;
    timeout.timeout = bw::fromMs(500);
    policy.timeout = timeout;
    return policy;
}

// Prints every change of a breaker's state, as the registry forwards them.
class StateChangePrinter final : public bw::CircuitBreakerListener
{
public:
    void onStateChange(const bw::CircuitStateChange &change) override
    {
        out << "breaker " << change.name << ": " << bw::circuitStateName(change.previousState) << " -> "
            << bw::circuitStateName(change.currentState) << Qt::endl;
    }
};

class PaymentsClient
{
public:
    PaymentsClient(const QUrl &url, bw::PolicyConfig policy, int calls, bw::Duration interval)
        : m_policy(std::move(policy))
        , m_operation(m_http, bw::HttpRequest { QByteArrayLiteral("GET"), url, {}, {} })
        , m_calls(calls)
        , m_interval(interval)
    {
        m_resilience.circuitBreakers().addListener(&m_printer);
    }

    void start() { m_scheduler.schedule(bw::Duration::zero(), [this] { call(1); }); }

private:
    void call(int number)
    {
        const bw::TimePoint startedAt = m_scheduler.now();
        // Calls through the named policy: the first call creates its pipeline and breaker; every
        // later call with the same name shares them.
        m_resilience.execute(m_name, m_operation, m_policy,
            [this, number, startedAt](const bw::Result &result) { ended(number, startedAt, result); });
    }

    void ended(int number, bw::TimePoint startedAt, const bw::Result &result)
    {
        // A policy read with --policy may have no breaker.
        const bw::CircuitBreaker *breaker = m_resilience.find(m_name)->circuitBreaker();
        out << "call " << number << ": " << bw::outcomeName(result.outcome);
        if (!result.ok())
            out << " (" << result.error.code.toString() << ')';
        out << ", " << result.attempts << (result.attempts == 1 ? " attempt, " : " attempts, ")
            << qRound(bw::toMs(m_scheduler.now() - startedAt)) << " ms; breaker "
            << (breaker ? bw::circuitStateName(breaker->state()) : QLatin1StringView("none")) << Qt::endl;
        if (number < m_calls)
            m_scheduler.schedule(m_interval, [this, number] { call(number + 1); });
        else
            finish();
    }

    void finish()
    {
        const bw::HealthStatus health = m_resilience.getHealthStatus();
        out << "health: " << (health.healthy ? "healthy" : "degraded");
        for (const QString &issue : health.issues)
            out << "; " << issue;
        out << Qt::endl;
        QCoreApplication::quit();
    }

    const QString m_name = QStringLiteral("payments");
    bw::WallScheduler m_scheduler; // wall time, on this thread's event loop
    StateChangePrinter m_printer;
    bw::ResilienceManager m_resilience { m_scheduler };
    bw::HttpClient m_http;
    bw::PolicyConfig m_policy;
    bw::HttpOperation m_operation; // every attempt sends the same GET
    int m_calls;
    bw::Duration m_interval;
};

int fail(const QString &message)
{
    QTextStream(stderr) << "http-client: " << message << Qt::endl;
    return 2;
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("Calls URL through a circuit breaker, a retry and a timeout."));
    parser.addHelpOption();
    parser.addPositionalArgument(QStringLiteral("URL"), QStringLiteral("The service to call (http://...)."));
    const QCommandLineOption callsOption(QStringLiteral("calls"), QStringLiteral("How many calls (default 40)."),
        QStringLiteral("N"), QStringLiteral("40"));
    const QCommandLineOption intervalOption(QStringLiteral("interval"),
        QStringLiteral("Milliseconds from the end of a call to the next (default 100)."), QStringLiteral("MS"),
        QStringLiteral("100"));
    const QCommandLineOption policyOption(QStringLiteral("policy"),
        QStringLiteral("A policy file or preset name, instead of the built-in policy."), QStringLiteral("FILE"));
    parser.addOptions({ callsOption, intervalOption, policyOption });
    parser.process(app);

    if (parser.positionalArguments().size() != 1)
        return fail(QStringLiteral("expected one URL; see --help"));
    const QUrl url(parser.positionalArguments().constFirst(), QUrl::StrictMode);
    if (!url.isValid() || (url.scheme() != u"http" && url.scheme() != u"https"))
        return fail(QStringLiteral("expected an http:// or https:// URL, got '") + parser.positionalArguments().constFirst() + u'\'');
    bool ok = false;
    const int calls = parser.value(callsOption).toInt(&ok);
    if (!ok || calls < 1)
        return fail(QStringLiteral("--calls: expected a number of calls from 1, got '") + parser.value(callsOption) + u'\'');
    const int intervalMs = parser.value(intervalOption).toInt(&ok);
    if (!ok || intervalMs < 0)
        return fail(QStringLiteral("--interval: expected milliseconds from 0, got '") + parser.value(intervalOption) + u'\'');
    bw::PolicyConfig policy = paymentsPolicy();
    if (parser.isSet(policyOption)) {
        // The same policy files as the lab's: tune a policy in the desktop app, use it here.
        bw::LoadError error;
        const std::optional<bw::PolicyConfig> loaded = bw::loadPolicy(parser.value(policyOption), &error);
        if (!loaded)
            return fail(error.toString());
        policy = *loaded;
    }

    PaymentsClient client(url, policy, calls, bw::fromMs(intervalMs));
    client.start();
    return app.exec();
}
