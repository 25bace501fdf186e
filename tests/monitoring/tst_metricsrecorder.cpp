// MetricsRecorder and the Prometheus exposition in virtual time: exact counter values from
// known events, Hystrix's rolling window, agreement with the run summary, no allocation per call.

#include "countingnew.h" // replaces global operator new in this executable

#include "monitoringtest.h"

#include "run/runmetrics.h"
#include "run/scenariorun.h"
#include "scenario/scenarioloader.h"
#include "telemetry/hystrixstream.h"
#include "telemetry/metricsrecorder.h"
#include "telemetry/prometheusexposition.h"
#include "telemetry/summary.h"

#include <QRegularExpression>
#include <QTest>

#include <cmath>

using namespace bw;
using bw::test::scenario;

namespace {

TimePoint ms(double v)
{
    return fromMs(v);
}

// The value of one sample line of an exposition; NaN when the line is missing.
double sample(const QByteArray &text, const QByteArray &series)
{
    for (const QByteArray &line : text.split('\n')) {
        if (line.startsWith(series + ' '))
            return line.mid(series.size() + 1).toDouble();
    }
    return std::numeric_limits<double>::quiet_NaN();
}

} // namespace

class TestMetricsRecorder : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void countsKnownEventsExactly()
    {
        MetricsRecorder r;
        const QString pay = QStringLiteral("pay");
        const Error failed { ErrorCode::httpStatus(503), QStringLiteral("down"), std::nullopt, Stage::Operation, {} };
        const Error timedOut { ErrorCode::Timeout, QStringLiteral("timeout"), std::nullopt, Stage::Timeout, {} };
        for (int i = 0; i < 4; ++i)
            r.onCallOffered(pay, std::uint64_t(i), ms(100));
        r.onCallFinished({ pay, 0, Outcome::Success, 1, ms(3), nullptr, ms(200) });
        r.onCallFinished({ pay, 1, Outcome::Failure, 2, ms(40), &failed, ms(300) });
        r.onCallFinished({ pay, 2, Outcome::Fallback, 1, ms(700), &timedOut, ms(1500) });
        r.onCallFinished({ pay, 3, Outcome::CircuitOpen, 0, ms(0), nullptr, ms(1600) });
        r.onRetry({ pay, 1, 1, ms(100), failed, ms(250) });
        r.onTimeout(pay, 2, StageKind::Timeout, ms(700), ms(1500));
        r.onCall({ pay, true, ms(3), CircuitState::Closed, nullptr, false, false, ms(200) });
        r.onCall({ pay, false, ms(20), CircuitState::Closed, &failed, false, false, ms(280) });
        r.onCall({ pay, false, ms(20), CircuitState::Closed, &failed, false, false, ms(300) });
        r.onStateChange({ pay, CircuitState::Closed, CircuitState::Open, TransitionReason::FailureThreshold, ms(300), {} });
        r.onRejected(pay, CircuitState::Open, ms(1600));
        r.onRejected(pay, CircuitState::Open, ms(1700));
        r.onBulkheadEvent({ pay, BulkheadEventKind::Started, 1, 0, 0, 0, ms(100) });
        r.onBulkheadEvent({ pay, BulkheadEventKind::Started, 2, 0, 0, 1, ms(100) });
        r.onBulkheadEvent({ pay, BulkheadEventKind::Queued, 2, 1, 1, 2, ms(100) });
        r.onBulkheadEvent({ pay, BulkheadEventKind::Rejected, 2, 1, 0, 3, ms(100) });
        r.onBulkheadEvent({ pay, BulkheadEventKind::Timeout, 2, 0, 0, 2, ms(1200) });
        r.onBulkheadEvent({ pay, BulkheadEventKind::Completed, 1, 0, 0, 0, ms(1300) });
        r.publishAt(ms(2000));

        const MetricsSnapshotPtr s = r.latest();
        QCOMPARE(s->sequence, 1u);
        QCOMPARE(s->operations.size(), 1u);
        const MetricsSnapshot::Operation &op = s->operations.front();
        QCOMPARE(op.outcomes[size_t(Outcome::Success)], 1);
        QCOMPARE(op.outcomes[size_t(Outcome::Fallback)], 1);
        QCOMPARE(op.inFlight, 0);

        const QByteArray text = prometheusExposition(*s);
        QCOMPARE(sample(text, R"(circuit_breaker_calls_total{name="pay",result="success"})"), 1.0);
        QCOMPARE(sample(text, R"(circuit_breaker_calls_total{name="pay",result="failure"})"), 2.0);
        QCOMPARE(sample(text, R"(circuit_breaker_calls_total{name="pay",result="rejected"})"), 2.0);
        QCOMPARE(sample(text, R"(circuit_breaker_state_changes_total{from="closed",name="pay",to="open"})"), 1.0);
        // Possible transitions are there at 0 before they happen; impossible ones never are.
        QCOMPARE(sample(text, R"(circuit_breaker_state_changes_total{from="open",name="pay",to="half_open"})"), 0.0);
        QVERIFY(!text.contains(R"(from="closed",name="pay",to="half_open")"));
        QCOMPARE(sample(text, R"(retry_attempts_total{name="pay"})"), 1.0);
        QCOMPARE(sample(text, R"(timeout_operations_total{name="pay"})"), 1.0);
        QCOMPARE(sample(text, R"(bulkhead_executions_total{name="pay",state="active"})"), 2.0);
        QCOMPARE(sample(text, R"(bulkhead_executions_total{name="pay",state="queued"})"), 1.0);
        QCOMPARE(sample(text, R"(bulkhead_executions_total{name="pay",state="rejected"})"), 2.0);
        // Histogram: cumulative buckets, le as Prometheus defines it (value <= bound).
        QCOMPARE(sample(text, R"(resilience_call_duration_seconds_bucket{name="pay",outcome="success",le="0.005"})"), 1.0);
        QCOMPARE(sample(text, R"(resilience_call_duration_seconds_bucket{name="pay",outcome="failure",le="0.025"})"), 0.0);
        QCOMPARE(sample(text, R"(resilience_call_duration_seconds_bucket{name="pay",outcome="failure",le="0.05"})"), 1.0);
        QCOMPARE(sample(text, R"(resilience_call_duration_seconds_bucket{name="pay",outcome="fallback",le="0.5"})"), 0.0);
        QCOMPARE(sample(text, R"(resilience_call_duration_seconds_bucket{name="pay",outcome="fallback",le="1"})"), 1.0);
        QCOMPARE(sample(text, R"(resilience_call_duration_seconds_bucket{name="pay",outcome="fallback",le="+Inf"})"), 1.0);
        QCOMPARE(sample(text, R"(resilience_call_duration_seconds_sum{name="pay",outcome="fallback"})"), 0.7);
        QCOMPARE(sample(text, R"(resilience_call_duration_seconds_count{name="pay",outcome="circuit_open"})"), 1.0);
        QCOMPARE(sample(text, R"(resilience_call_duration_seconds_count{name="pay",outcome="cancelled"})"), 0.0);

        // Hystrix: the fallback counts as its cause (a timeout) and as a fallback success.
        const MetricsSnapshot::HystrixWindow &w = op.window;
        QCOMPARE(w.success, 1);
        QCOMPARE(w.failure, 1);
        QCOMPARE(w.timeout, 1);
        QCOMPARE(w.shortCircuited, 1);
        QCOMPARE(w.fallbackSuccess, 1);
        QCOMPARE(w.exceptionsThrown, 2); // the failure and the rejection reached the caller
        QCOMPARE(w.requestCount(), 4);
        QCOMPARE(w.errorPercentage(), 75);
        QCOMPARE(w.maxConcurrent, 4);
        QCOMPARE(w.latencyTotal.front(), 0); // the rejection, at once
        QCOMPARE(w.latencyTotal.back(), 700);
        QCOMPARE(w.latencyExecute.front(), 3); // calls that reached the operation
        QCOMPARE(w.latencyTotalMean, 186); // (3 + 40 + 700 + 0) / 4, rounded
        QCOMPARE(s->bulkheads.front().rollingExecuted, 2);
        QCOMPARE(s->bulkheads.front().rollingRejected, 2);
        QCOMPARE(s->bulkheads.front().rollingMaxActive, 2);
    }

    // A rate limiter's or an adaptive throttle's refusal: its own outcome in /metrics, and
    // Hystrix's semaphore rejection, an error of the window like every rejection.
    void localRefusalIsCountedEverywhere_data()
    {
        QTest::addColumn<int>("outcome");
        QTest::addColumn<QString>("code");
        QTest::addColumn<int>("stage");
        QTest::addRow("rate_limited") << int(Outcome::RateLimited) << QStringLiteral("REQUEST_NOT_PERMITTED")
                                      << int(Stage::RateLimiter);
        QTest::addRow("throttled") << int(Outcome::Throttled) << QStringLiteral("THROTTLED") << int(Stage::AdaptiveThrottle);
    }

    void localRefusalIsCountedEverywhere()
    {
        QFETCH(int, outcome);
        QFETCH(QString, code);
        QFETCH(int, stage);
        MetricsRecorder r;
        const QString pay = QStringLiteral("pay");
        const Error refused { ErrorCode::fromString(code), QStringLiteral("refused"), std::nullopt, Stage(stage), {} };
        r.onCallOffered(pay, 0, ms(100));
        r.onCallOffered(pay, 1, ms(100));
        r.onCallFinished({ pay, 0, Outcome::Success, 1, ms(3), nullptr, ms(103) });
        r.onCallFinished({ pay, 1, Outcome(outcome), 0, ms(0), &refused, ms(100) });
        r.publishAt(ms(1000));
        const MetricsSnapshotPtr s = r.latest();
        const MetricsSnapshot::Operation &op = s->operations.front();
        QCOMPARE(op.outcomes[size_t(outcome)], 1);
        QCOMPARE(refused.code.toString(), code); // a named code, not an unknown string
        const QByteArray text = prometheusExposition(*s);
        const QString series = QStringLiteral(R"(resilience_call_duration_seconds_count{name="pay",outcome="%1"})")
                                   .arg(outcomeName(Outcome(outcome)));
        QCOMPARE(sample(text, series.toLatin1()), 1.0);
        const MetricsSnapshot::HystrixWindow &w = op.window;
        QCOMPARE(w.semaphoreRejected, 1);
        QCOMPARE(w.threadPoolRejected, 0);
        QCOMPARE(w.errorCount(), 1);
        QCOMPARE(w.requestCount(), 2);
        QCOMPARE(w.errorPercentage(), 50);
        QCOMPARE(hystrixCommand(op, 1000).value(QStringLiteral("rollingCountSemaphoreRejected")).toInt(), 1);
    }

    // Prometheus practice for a known label set: every series from the first scrape, at 0, so
    // that rate() and increase() see the first transition.
    void exportsEveryPossibleTransitionFromTheFirstScrape()
    {
        MetricsRecorder recorder;
        ScenarioRun sim(scenario(QStringLiteral("outage-and-recovery")));
        attachMetrics(recorder, sim);
        recorder.publish();
        const QByteArray text = prometheusExposition(*recorder.latest());
        const QByteArray states[] = { "closed", "open", "half_open", "disabled", "forced_open", "metrics_only" };
        int exported = 0;
        for (const QByteArray &from : states) {
            for (const QByteArray &to : states) {
                const QByteArray series = "circuit_breaker_state_changes_total{from=\"" + from
                    + "\",name=\"checkout\",to=\"" + to + "\"}";
                // Only the reset timer enters HALF_OPEN, from OPEN; every command can restart
                // the state it names (OPEN → OPEN, CLOSED → CLOSED, ...).
                const bool possible = to != "half_open" || from == "open";
                const double value = sample(text, series);
                QVERIFY2(possible ? value == 0.0 : std::isnan(value), series.constData());
                exported += possible ? 1 : 0;
            }
        }
        QCOMPARE(exported, 31);
        QCOMPARE(text.count("circuit_breaker_state_changes_total{"), 31);
    }

    void hystrixWindowRollsOnVirtualTime()
    {
        MetricsRecorder r;
        const QString op = QStringLiteral("op");
        r.onCallFinished({ op, 0, Outcome::Success, 1, ms(5), nullptr, ms(500) }); // second 0
        r.onCallFinished({ op, 1, Outcome::Success, 1, ms(5), nullptr, ms(9999) }); // second 9
        r.publishAt(ms(9999));
        QCOMPARE(r.latest()->operations.front().window.success, 2);
        r.publishAt(ms(10000)); // second 0 has left the 10 s window
        QCOMPARE(r.latest()->operations.front().window.success, 1);
        r.onCallFinished({ op, 2, Outcome::Success, 1, ms(5), nullptr, ms(20500) }); // reuses slot 0
        r.publishAt(ms(20500));
        QCOMPARE(r.latest()->operations.front().window.success, 1);
        // The Prometheus counters never roll.
        QCOMPARE(r.latest()->operations.front().outcomes[size_t(Outcome::Success)], 3);
    }

    // A whole run: the exposition's counts are the summary's, and the same run gives the same text.
    void agreesWithTheSummaryOfARun_data()
    {
        QTest::addColumn<QString>("name");
        QTest::newRow("flapping-service") << QStringLiteral("flapping-service");
        QTest::newRow("bulkhead-isolation") << QStringLiteral("bulkhead-isolation");
        QTest::newRow("retry-storm") << QStringLiteral("retry-storm");
        QTest::newRow("hedging-tail") << QStringLiteral("hedging-tail");
    }
    void agreesWithTheSummaryOfARun()
    {
        QFETCH(QString, name);
        QByteArray texts[2];
        for (QByteArray &text : texts) {
            MetricsRecorder recorder;
            ScenarioRun sim(scenario(name));
            Summary summary;
            attachMetrics(recorder, sim);
            sim.setSummary(&summary);
            sim.runToEnd();
            recorder.publish();
            text = prometheusExposition(*recorder.latest());
            for (const auto &[op, s] : summary.operations()) {
                const QByteArray label = "name=\"" + op.toUtf8() + '"';
                for (Outcome o : AllOutcomes) {
                    const QByteArray series = "resilience_call_duration_seconds_count{" + label + ",outcome=\""
                        + outcomeName(o).toString().toUtf8() + "\"}";
                    // Calls the run's end cut off have no latency to observe (docs/semantics.md).
                    QCOMPARE(sample(text, series), double(s.count(o) - (o == Outcome::Cancelled ? s.cutOff : 0)));
                }
                QCOMPARE(sample(text, "resilience_calls_cut_off_total{" + label + '}'), double(s.cutOff));
                QCOMPARE(sample(text, "retry_attempts_total{" + label + '}'), double(s.retries));
                QCOMPARE(sample(text, "hedging_attempts_total{" + label + '}'), double(s.hedgedAttempts));
            }
            for (const auto &[breaker, b] : summary.breakers()) {
                const QByteArray label = "name=\"" + breaker.toUtf8() + '"';
                QCOMPARE(sample(text, "circuit_breaker_calls_total{" + label + ",result=\"rejected\"}"), double(b.rejected));
                std::map<std::pair<CircuitState, CircuitState>, int> transitions;
                for (const BreakerTransition &t : b.transitions)
                    ++transitions[{ t.from, t.to }];
                for (const auto &[fromTo, n] : transitions) {
                    const QByteArray series = "circuit_breaker_state_changes_total{from=\""
                        + circuitStateName(fromTo.first).toString().toLower().toUtf8() + "\"," + label + ",to=\""
                        + circuitStateName(fromTo.second).toString().toLower().toUtf8() + "\"}";
                    QCOMPARE(sample(text, series), double(n));
                }
                const QByteArray state = "circuit_breaker_state{" + label + ",state=\""
                    + circuitStateName(b.state).toString().toLower().toUtf8() + "\"}";
                QCOMPARE(sample(text, state), 1.0);
            }
            for (const auto &[bulkhead, b] : summary.bulkheads()) {
                const QByteArray label = "name=\"" + bulkhead.toUtf8() + '"';
                QCOMPARE(sample(text, "bulkhead_executions_total{" + label + ",state=\"rejected\"}"),
                    double(b.rejected + b.timeouts));
            }
            for (const auto &[service, s] : summary.services()) {
                const QByteArray label = "{name=\"" + service.toUtf8() + "\"}";
                QCOMPARE(sample(text, "backend_requests_served_total" + label), double(s.served));
                QCOMPARE(sample(text, "backend_requests_wasted_total" + label), double(s.wasted.value_or(-1)));
            }
        }
        QCOMPARE(texts[0], texts[1]);
    }

    void noAllocationPerCall()
    {
        MetricsRecorder r;
        const QString op = QStringLiteral("op");
        const Error failed { ErrorCode::httpStatus(500), QStringLiteral("x"), std::nullopt, Stage::Operation, {} };
        const auto oneCall = [&](int i) {
            const TimePoint at = ms(i * 7.0);
            r.onCallOffered(op, std::uint64_t(i), at);
            r.onCall({ op, i % 3 != 0, ms(12), CircuitState::Closed, i % 3 ? nullptr : &failed, false, false, at });
            r.onBulkheadEvent({ op, BulkheadEventKind::Started, 1, 0, 0, std::uint64_t(i), at });
            r.onCallFinished({ op, std::uint64_t(i), i % 3 ? Outcome::Success : Outcome::Failure, 1, ms(12),
                i % 3 ? nullptr : &failed, at });
        };
        oneCall(0); // registers the names
        const std::uint64_t before = test::allocationsOnThisThread();
        for (int i = 1; i < 20000; ++i) // 140 s of virtual time: every Hystrix slot reused
            oneCall(i);
        QCOMPARE(test::allocationsOnThisThread() - before, 0u);
    }
};

QTEST_GUILESS_MAIN(TestMetricsRecorder)
#include "tst_metricsrecorder.moc"
