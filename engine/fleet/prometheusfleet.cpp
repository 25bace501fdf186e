#include "prometheusfleet.h"

#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <algorithm>
#include <map>

namespace bw {

namespace {

// How a figure's answer is read.
enum class Shape : std::uint8_t {
    Instant,     // a vector (a matrix over a history)
    StateEvents, // raw counter samples: a matrix in both
};

struct FigureSpec
{
    PrometheusFigure figure;
    FleetLibrary library;
    Shape shape;
    // %W is the rate window; %S the state window. Every query keeps job and instance.
    const char *query;
};

// One table for the refresh and the history: the same PromQL, evaluated at one instant or at
// every step. `max by` rather than `sum by` where a service may expose a figure twice (the
// _seconds_count and _total forms of one meter), so that it is not counted twice.
constexpr FigureSpec Specs[] = {
    { PrometheusFigure::Resilience4jState, FleetLibrary::Resilience4j, Shape::Instant,
        "resilience4j_circuitbreaker_state == 1" },
    { PrometheusFigure::Resilience4jCalls, FleetLibrary::Resilience4j, Shape::Instant,
        "max by (job, instance, name, kind) (rate({__name__=~\"resilience4j_circuitbreaker_calls_seconds_count|resilience4j_circuitbreaker_calls_total\"}[%W]))" },
    { PrometheusFigure::Resilience4jNotPermitted, FleetLibrary::Resilience4j, Shape::Instant,
        "max by (job, instance, name) (rate(resilience4j_circuitbreaker_not_permitted_calls_total[%W]))" },
    { PrometheusFigure::Resilience4jFailureRate, FleetLibrary::Resilience4j, Shape::Instant,
        "max by (job, instance, name) (resilience4j_circuitbreaker_failure_rate)" },
    { PrometheusFigure::Resilience4jSlowCallRate, FleetLibrary::Resilience4j, Shape::Instant,
        "max by (job, instance, name) (resilience4j_circuitbreaker_slow_call_rate)" },
    { PrometheusFigure::Resilience4jRetryCalls, FleetLibrary::Resilience4j, Shape::Instant,
        "max by (job, instance, name, kind) (rate(resilience4j_retry_calls_total[%W]))" },
    { PrometheusFigure::Resilience4jBulkheadAvailable, FleetLibrary::Resilience4j, Shape::Instant,
        "max by (job, instance, name) (resilience4j_bulkhead_available_concurrent_calls)" },
    { PrometheusFigure::Resilience4jBulkheadMax, FleetLibrary::Resilience4j, Shape::Instant,
        "max by (job, instance, name) (resilience4j_bulkhead_max_allowed_concurrent_calls)" },
    { PrometheusFigure::Resilience4jLatency, FleetLibrary::Resilience4j, Shape::Instant,
        "sum by (job, instance, name) (rate(resilience4j_circuitbreaker_calls_seconds_sum[%W])) / sum by (job, instance, name) (rate(resilience4j_circuitbreaker_calls_seconds_count[%W]))" },
    { PrometheusFigure::OpossumEventRates, FleetLibrary::Opossum, Shape::Instant,
        "max by (job, instance, name, event) (rate({__name__=~\"circuit|circuit_total\"}[%W]))" },
    { PrometheusFigure::OpossumStateEvents, FleetLibrary::Opossum, Shape::StateEvents,
        "{__name__=~\"circuit|circuit_total\", event=~\"open|halfOpen|close\"}" },
    { PrometheusFigure::OpossumLatency, FleetLibrary::Opossum, Shape::Instant,
        "sum by (job, instance, name) (rate(circuit_perf_sum{event=~\"success|failure\"}[%W])) / sum by (job, instance, name) (rate(circuit_perf_count{event=~\"success|failure\"}[%W]))" },
    { PrometheusFigure::PollyEventRates, FleetLibrary::Polly, Shape::Instant,
        "sum by (job, instance, pipeline_name, strategy_name, event_name) (rate(resilience_polly_strategy_events_total[%W]))" },
    { PrometheusFigure::PollyStateEvents, FleetLibrary::Polly, Shape::StateEvents,
        "resilience_polly_strategy_events_total{event_name=~\"OnCircuitOpened|OnCircuitHalfOpened|OnCircuitClosed\"}" },
    { PrometheusFigure::PollyCalls, FleetLibrary::Polly, Shape::Instant,
        "sum by (job, instance, pipeline_name, exception_type) (rate({__name__=~\"resilience_polly_pipeline_duration(_milliseconds)?_count\"}[%W]))" },
    { PrometheusFigure::PollyLatency, FleetLibrary::Polly, Shape::Instant,
        "sum by (job, instance, pipeline_name) (rate({__name__=~\"resilience_polly_pipeline_duration(_milliseconds)?_sum\"}[%W])) / sum by (job, instance, pipeline_name) (rate({__name__=~\"resilience_polly_pipeline_duration(_milliseconds)?_count\"}[%W]))" },
    { PrometheusFigure::BreakwaterState, FleetLibrary::Breakwater, Shape::Instant,
        "circuit_breaker_state == 1" },
    { PrometheusFigure::BreakwaterCalls, FleetLibrary::Breakwater, Shape::Instant,
        "sum by (job, instance, name, result) (rate(circuit_breaker_calls_total[%W]))" },
    { PrometheusFigure::BreakwaterFailureRate, FleetLibrary::Breakwater, Shape::Instant,
        "max by (job, instance, name) (circuit_breaker_failure_rate)" },
    { PrometheusFigure::BreakwaterOutcomes, FleetLibrary::Breakwater, Shape::Instant,
        "sum by (job, instance, name, outcome) (rate(resilience_call_duration_seconds_count[%W]))" },
    { PrometheusFigure::BreakwaterRetries, FleetLibrary::Breakwater, Shape::Instant,
        "sum by (job, instance, name) (rate(retry_attempts_total[%W]))" },
    { PrometheusFigure::BreakwaterLatency, FleetLibrary::Breakwater, Shape::Instant,
        "sum by (job, instance, name) (rate(resilience_call_duration_seconds_sum[%W])) / sum by (job, instance, name) (rate(resilience_call_duration_seconds_count[%W]))" },
    { PrometheusFigure::BreakwaterBulkheadActive, FleetLibrary::Breakwater, Shape::Instant,
        "max by (job, instance, name) (bulkhead_active)" },
};
static_assert(std::size(Specs) == PrometheusFigureCount, "every figure has its query");

const FigureSpec &spec(PrometheusFigure figure)
{
    return Specs[std::size_t(figure)];
}

// PromQL's duration syntax in whole seconds ("90s"), at least 1 s.
QString promDuration(Duration d)
{
    return QString::number(std::max<std::int64_t>(1, std::chrono::duration_cast<std::chrono::seconds>(d).count()))
        + u's';
}

QString queryText(const FigureSpec &s, Duration rateWindow, Duration stateWindow)
{
    QString q = QString::fromLatin1(s.query);
    q.replace(QLatin1StringView("%W"), promDuration(rateWindow));
    if (s.shape == Shape::StateEvents && stateWindow > Duration::zero())
        q += u'[' + promDuration(stateWindow) + u']';
    return q;
}

// Everything one breaker's figures say at one instant (or one step of a history), in the
// libraries' terms; finish() turns it into Breakwater's.
struct Figures
{
    std::optional<CircuitState> state;
    double failureRate = NoFigure, slowCallRate = NoFigure;     // percent
    std::array<double, OutcomeCount> outcomes = BreakerReading::filledWithNoFigure(); // per second
    double calls = NoFigure;     // per second, every call offered
    double rejected = NoFigure;  // per second
    double retried = NoFigure;   // per second
    double failedForRate = NoFigure, succeededForRate = NoFigure; // per second, for a failure rate the library does not give
    double latencyMs = NoFigure;
    double bulkheadAvailable = NoFigure, bulkheadMax = NoFigure, bulkheadUsed = NoFigure;
    bool breaker = false; // a figure only a breaker has was seen (not only a retry or a bulkhead)
};

void add(double &sum, double value)
{
    if (std::isnan(value))
        return;
    sum = std::isnan(sum) ? value : sum + value;
}

void setMax(double &to, double value)
{
    if (!std::isnan(value) && (std::isnan(to) || value > to))
        to = value;
}

void addOutcome(Figures &f, Outcome outcome, double perSecond)
{
    add(f.outcomes[std::size_t(outcome)], perSecond);
}

// A sample's value: Prometheus writes numbers as strings, with "NaN", "+Inf" and "-Inf".
double sampleValue(const QJsonValue &pair)
{
    const QString text = pair.toArray().at(1).toString();
    bool ok = false;
    const double v = text.toDouble(&ok);
    return ok ? v : NoFigure;
}

std::int64_t sampleTimeMs(const QJsonValue &pair)
{
    return std::llround(pair.toArray().at(0).toDouble() * 1000.0);
}

// The figure one labelled value gives to a breaker's Figures. `labels` is the series' metric.
void apply(PrometheusFigure figure, const QJsonObject &labels, double v, Figures &f)
{
    const auto label = [&](const char *key) { return labels.value(QLatin1StringView(key)).toString(); };
    switch (figure) {
    case PrometheusFigure::Resilience4jState:
    case PrometheusFigure::BreakwaterState:
        if (v == 1)
            f.state = circuitStateFromName(label("state"));
        f.breaker = true;
        break;
    case PrometheusFigure::Resilience4jCalls: {
        const QString kind = label("kind");
        if (kind == QLatin1StringView("successful")) {
            addOutcome(f, Outcome::Success, v);
            add(f.succeededForRate, v);
        } else if (kind == QLatin1StringView("failed")) {
            addOutcome(f, Outcome::Failure, v);
            add(f.failedForRate, v);
        } else if (kind == QLatin1StringView("ignored")) {
            addOutcome(f, Outcome::Failure, v); // the caller saw the error; the breaker ignored it
        } else if (kind == QLatin1StringView("not_permitted")) {
            setMax(f.rejected, v); // older releases counted rejections here
        } else {
            break;
        }
        add(f.calls, v);
        f.breaker = true;
        break;
    }
    case PrometheusFigure::Resilience4jNotPermitted:
        setMax(f.rejected, v);
        f.breaker = true;
        break;
    case PrometheusFigure::Resilience4jFailureRate:
        f.failureRate = v < 0 ? NoFigure : v; // -1 until the window holds minimumNumberOfCalls
        f.breaker = true;
        break;
    case PrometheusFigure::Resilience4jSlowCallRate:
        f.slowCallRate = v < 0 ? NoFigure : v;
        break;
    case PrometheusFigure::Resilience4jRetryCalls: {
        const QString kind = label("kind");
        if (kind == QLatin1StringView("successful_with_retry") || kind == QLatin1StringView("failed_with_retry"))
            add(f.retried, v);
        else if (std::isnan(f.retried))
            f.retried = 0;
        break;
    }
    case PrometheusFigure::Resilience4jBulkheadAvailable:
        f.bulkheadAvailable = v;
        break;
    case PrometheusFigure::Resilience4jBulkheadMax:
        f.bulkheadMax = v;
        break;
    case PrometheusFigure::Resilience4jLatency:
    case PrometheusFigure::BreakwaterLatency:
        f.latencyMs = v * 1000.0;
        break;
    case PrometheusFigure::OpossumLatency:
    case PrometheusFigure::PollyLatency:
        f.latencyMs = v;
        break;
    case PrometheusFigure::OpossumEventRates: {
        // opossum emits `fire` for every call, then one of success, failure (timeouts included),
        // reject or semaphoreLocked; `timeout` and `fallback` come besides those.
        const QString event = label("event");
        if (event == QLatin1StringView("fire")) {
            add(f.calls, v);
        } else if (event == QLatin1StringView("success")) {
            addOutcome(f, Outcome::Success, v);
            add(f.succeededForRate, v);
        } else if (event == QLatin1StringView("failure")) {
            addOutcome(f, Outcome::Failure, v);
            add(f.failedForRate, v);
        } else if (event == QLatin1StringView("timeout")) {
            addOutcome(f, Outcome::Timeout, v);
        } else if (event == QLatin1StringView("reject")) {
            addOutcome(f, Outcome::CircuitOpen, v);
            add(f.rejected, v);
        } else if (event == QLatin1StringView("semaphoreLocked")) {
            addOutcome(f, Outcome::BulkheadFull, v);
        } else if (event == QLatin1StringView("fallback")) {
            addOutcome(f, Outcome::Fallback, v);
        }
        if (std::isnan(f.rejected))
            f.rejected = 0;
        f.breaker = true;
        break;
    }
    case PrometheusFigure::PollyEventRates: {
        const QString event = label("event_name");
        if (event == QLatin1StringView("OnRetry"))
            add(f.retried, v);
        else if (event == QLatin1StringView("OnTimeout"))
            addOutcome(f, Outcome::Timeout, v);
        else if (event == QLatin1StringView("OnFallback"))
            addOutcome(f, Outcome::Fallback, v);
        else if (event == QLatin1StringView("OnRateLimiterRejected"))
            addOutcome(f, Outcome::RateLimited, v);
        break;
    }
    case PrometheusFigure::PollyCalls: {
        // A pipeline execution ends without an exception (success) or with the one the caller got.
        const QString exception = label("exception_type");
        if (exception.isEmpty()) {
            addOutcome(f, Outcome::Success, v);
            add(f.succeededForRate, v);
        } else if (exception.endsWith(QLatin1StringView("BrokenCircuitException"))
            || exception.endsWith(QLatin1StringView("IsolatedCircuitException"))) {
            addOutcome(f, Outcome::CircuitOpen, v);
            add(f.rejected, v);
        } else if (exception.endsWith(QLatin1StringView("TimeoutRejectedException"))) {
            addOutcome(f, Outcome::Timeout, v);
            add(f.failedForRate, v);
        } else if (exception.endsWith(QLatin1StringView("RateLimiterRejectedException"))) {
            addOutcome(f, Outcome::RateLimited, v);
        } else {
            addOutcome(f, Outcome::Failure, v);
            add(f.failedForRate, v);
        }
        add(f.calls, v);
        if (std::isnan(f.rejected))
            f.rejected = 0;
        break;
    }
    case PrometheusFigure::BreakwaterCalls: {
        const QString result = label("result");
        if (result == QLatin1StringView("rejected"))
            add(f.rejected, v);
        else if (result == QLatin1StringView("failure"))
            add(f.failedForRate, v);
        else if (result == QLatin1StringView("success"))
            add(f.succeededForRate, v);
        add(f.calls, v);
        f.breaker = true;
        break;
    }
    case PrometheusFigure::BreakwaterFailureRate:
        f.failureRate = v * 100.0;
        f.breaker = true;
        break;
    case PrometheusFigure::BreakwaterOutcomes:
        if (const std::optional<Outcome> outcome = outcomeFromName(label("outcome")))
            addOutcome(f, *outcome, v);
        break;
    case PrometheusFigure::BreakwaterRetries:
        add(f.retried, v);
        break;
    case PrometheusFigure::BreakwaterBulkheadActive:
        f.bulkheadUsed = v;
        break;
    case PrometheusFigure::OpossumStateEvents:
    case PrometheusFigure::PollyStateEvents:
        break; // read by readStateEvents()
    }
}

// The breaker's name in a series: Polly names a pipeline, and its breaker strategy when named.
QString breakerName(FleetLibrary library, const QJsonObject &labels)
{
    if (library != FleetLibrary::Polly)
        return labels.value(QLatin1StringView("name")).toString();
    return labels.value(QLatin1StringView("pipeline_name")).toString();
}

// Which of the three state counters a state-event series is, or -1.
int stateEventIndex(FleetLibrary library, const QJsonObject &labels)
{
    const QString event = labels.value(library == FleetLibrary::Polly ? QLatin1StringView("event_name")
                                                                       : QLatin1StringView("event")).toString();
    if (event == QLatin1StringView("open") || event == QLatin1StringView("OnCircuitOpened"))
        return 0;
    if (event == QLatin1StringView("halfOpen") || event == QLatin1StringView("OnCircuitHalfOpened"))
        return 1;
    if (event == QLatin1StringView("close") || event == QLatin1StringView("OnCircuitClosed"))
        return 2;
    return -1;
}

// The answer's result array, or an error: not JSON, Prometheus's own error, or not the shape asked.
std::optional<QJsonArray> resultOf(const QByteArray &body, const char *resultType, QString *error)
{
    QJsonParseError parseError;
    const QJsonDocument doc = QJsonDocument::fromJson(body, &parseError);
    if (!doc.isObject()) {
        *error = QStringLiteral("not a Prometheus API answer (") + (doc.isNull() ? parseError.errorString() : QStringLiteral("not a JSON object"))
            + QStringLiteral(" at byte ") + QString::number(parseError.offset) + u')';
        return std::nullopt;
    }
    const QJsonObject o = doc.object();
    const QString status = o.value(QLatin1StringView("status")).toString();
    if (status == QLatin1StringView("error")) {
        *error = QStringLiteral("Prometheus answered ") + o.value(QLatin1StringView("errorType")).toString()
            + QStringLiteral(": ") + o.value(QLatin1StringView("error")).toString();
        return std::nullopt;
    }
    const QJsonObject data = o.value(QLatin1StringView("data")).toObject();
    const QString type = data.value(QLatin1StringView("resultType")).toString();
    if (status != QLatin1StringView("success") || !data.value(QLatin1StringView("result")).isArray()) {
        *error = QStringLiteral("not a Prometheus API answer (expected {\"status\": \"success\", \"data\": {\"result\": […]}})");
        return std::nullopt;
    }
    if (type != QLatin1StringView(resultType)) {
        *error = QStringLiteral("Prometheus answered a ") + type + QStringLiteral(", expected a ") + QLatin1StringView(resultType);
        return std::nullopt;
    }
    return data.value(QLatin1StringView("result")).toArray();
}

// One breaker's identity within a source, as a hash key.
QString keyOf(const QString &job, const QString &instance, FleetLibrary library, const QString &name)
{
    return job + QChar(0x1f) + instance + QChar(0x1f) + QChar(u'0' + int(library)) + QChar(0x1f) + name;
}

// The state counters' samples of one breaker, by time; NaN where a series had no sample.
using EventSamples = std::map<std::int64_t, std::array<double, 3>>;

void addEventSample(EventSamples &samples, std::int64_t timeMs, int index, double value)
{
    auto [it, fresh] = samples.try_emplace(timeMs);
    if (fresh)
        it->second.fill(NoFigure);
    it->second[std::size_t(index)] = value;
}

// The samples with each counter's gaps filled: its previous value, or 0 before its first one
// (a counter appears at its first increment).
std::vector<StateEventSample> filledSamples(const EventSamples &samples)
{
    std::vector<StateEventSample> out;
    out.reserve(samples.size());
    std::array<double, 3> last { 0, 0, 0 };
    for (const auto &[t, values] : samples) {
        for (std::size_t i = 0; i < 3; ++i)
            if (!std::isnan(values[i]))
                last[i] = values[i];
        out.push_back({ t, last[0], last[1], last[2] });
    }
    return out;
}

// Moves `state` through `opened`, `halfOpened` and `closed` events whose order within the
// interval is unknown, in the order a breaker makes them: CLOSED opens; OPEN half-opens (or
// closes, when half-opening is not counted or was manual); HALF_OPEN closes, else re-opens.
CircuitState walk(CircuitState state, double opened, double halfOpened, double closed)
{
    auto o = std::llround(std::max(0.0, opened));
    auto h = std::llround(std::max(0.0, halfOpened));
    auto c = std::llround(std::max(0.0, closed));
    while (o + h + c > 0) {
        switch (state) {
        case CircuitState::Open:
            if (h > 0) {
                --h;
                state = CircuitState::HalfOpen;
            } else if (c > 0) {
                --c;
                state = CircuitState::Closed;
            } else {
                --o; // opened again while open: a manual open, no change
            }
            break;
        case CircuitState::HalfOpen:
            if (c > 0) {
                --c;
                state = CircuitState::Closed;
            } else if (o > 0) {
                --o;
                state = CircuitState::Open;
            } else {
                --h;
            }
            break;
        default:
            if (o > 0) {
                --o;
                state = CircuitState::Open;
            } else if (h > 0) {
                --h;
                state = CircuitState::HalfOpen;
            } else {
                --c;
            }
            break;
        }
    }
    return state;
}

// The state after each sample, walking from CLOSED at the counters' zero (the process start).
std::vector<CircuitState> statesAfter(const std::vector<StateEventSample> &samples)
{
    std::vector<CircuitState> states;
    states.reserve(samples.size());
    CircuitState state = CircuitState::Closed;
    StateEventSample previous {};
    for (const StateEventSample &s : samples) {
        if (s.opened < previous.opened || s.halfOpened < previous.halfOpened || s.closed < previous.closed) {
            previous = {}; // a counter reset: the service restarted, and its breaker with it
            state = CircuitState::Closed;
        }
        state = walk(state, s.opened - previous.opened, s.halfOpened - previous.halfOpened, s.closed - previous.closed);
        states.push_back(state);
        previous = s;
    }
    return states;
}

// The Resilience4j calls query counts permitted calls only; the refusals are added once here.
void addResilience4jRefusals(Figures &f)
{
    if (std::isnan(f.rejected))
        return;
    addOutcome(f, Outcome::CircuitOpen, f.rejected);
    add(f.calls, f.rejected);
}

// Breakwater's figures from a library's: what a reading and a history point share.
void finish(FleetLibrary library, Figures &f)
{
    if (library == FleetLibrary::Resilience4j)
        addResilience4jRefusals(f);
    if (!std::isnan(f.bulkheadMax) && !std::isnan(f.bulkheadAvailable))
        f.bulkheadUsed = f.bulkheadMax - f.bulkheadAvailable;
    if (std::isnan(f.failureRate)) {
        double counted = 0;
        add(counted, f.failedForRate);
        add(counted, f.succeededForRate);
        if (counted > 0)
            f.failureRate = 100.0 * (std::isnan(f.failedForRate) ? 0.0 : f.failedForRate) / counted;
    }
}

BreakerReading readingOf(const BreakerId &id, Figures f)
{
    finish(id.library, f);
    BreakerReading r;
    r.id = id;
    r.state = f.state;
    r.failureRatePercent = f.failureRate;
    r.slowCallRatePercent = f.slowCallRate;
    r.callsPerSecond = f.calls;
    r.rejectedPerSecond = f.rejected;
    r.retriedCallsPerSecond = f.retried;
    r.callsPerSecondByOutcome = f.outcomes;
    r.meanLatencyMs = f.latencyMs;
    r.bulkheadUsed = f.bulkheadUsed;
    r.bulkheadMax = f.bulkheadMax;
    return r;
}

HistoryPoint pointOf(FleetLibrary library, std::int64_t timeMs, Figures f)
{
    finish(library, f);
    HistoryPoint p;
    p.timeMs = timeMs;
    p.state = f.state;
    p.failureRatePercent = f.failureRate;
    p.slowCallRatePercent = f.slowCallRate;
    p.callsPerSecond = f.calls;
    p.rejectedPerSecond = f.rejected;
    p.meanLatencyMs = f.latencyMs;
    p.bulkheadUsed = f.bulkheadUsed;
    p.bulkheadMax = f.bulkheadMax;
    // The failures the breaker recorded: what a replay's breaker would count.
    p.failuresPerSecond = f.failedForRate;
    return p;
}

// What both builders share: the breakers met so far and the reading of answers.
struct Collector
{
    QString source;
    struct Entry
    {
        BreakerId id;
        std::map<std::int64_t, Figures> steps; // one entry at time 0 for a refresh
        EventSamples events;
        bool breaker = false;
    };
    std::vector<Entry> entries;
    QHash<QString, std::size_t> index;
    bool history = false;

    Entry &entry(FleetLibrary library, const QJsonObject &labels)
    {
        const QString job = labels.value(QLatin1StringView("job")).toString();
        const QString instance = labels.value(QLatin1StringView("instance")).toString();
        const QString name = breakerName(library, labels);
        const QString key = keyOf(job, instance, library, name);
        const auto it = index.constFind(key);
        if (it != index.cend())
            return entries[*it];
        index.insert(key, entries.size());
        entries.push_back({ BreakerId { source, library, job, instance, name }, {}, {}, false });
        return entries.back();
    }

    bool add(PrometheusFigure figure, const QByteArray &body, QString *error)
    {
        const FigureSpec &s = spec(figure);
        const bool matrix = history || s.shape == Shape::StateEvents;
        const std::optional<QJsonArray> result = resultOf(body, matrix ? "matrix" : "vector", error);
        if (!result)
            return false;
        for (const QJsonValue &series : *result) {
            const QJsonObject o = series.toObject();
            const QJsonObject labels = o.value(QLatin1StringView("metric")).toObject();
            if (breakerName(s.library, labels).isEmpty())
                continue;
            Entry &e = entry(s.library, labels);
            if (s.shape == Shape::StateEvents) {
                const int which = stateEventIndex(s.library, labels);
                if (which < 0)
                    continue;
                e.breaker = true;
                for (const QJsonValue &pair : o.value(QLatin1StringView("values")).toArray())
                    addEventSample(e.events, sampleTimeMs(pair), which, sampleValue(pair));
            } else if (matrix) {
                for (const QJsonValue &pair : o.value(QLatin1StringView("values")).toArray()) {
                    Figures &f = e.steps[sampleTimeMs(pair)];
                    apply(figure, labels, sampleValue(pair), f);
                    e.breaker = e.breaker || f.breaker;
                }
            } else {
                Figures &f = e.steps[0];
                apply(figure, labels, sampleValue(o.value(QLatin1StringView("value"))), f);
                e.breaker = e.breaker || f.breaker;
            }
        }
        return true;
    }
};

bool byId(const BreakerId &a, const BreakerId &b)
{
    return a < b;
}

} // namespace

std::vector<PrometheusQuery> prometheusRefreshQueries(Duration rateWindow, Duration stateWindow)
{
    std::vector<PrometheusQuery> queries;
    queries.reserve(std::size(Specs));
    for (const FigureSpec &s : Specs)
        queries.push_back({ s.figure, queryText(s, rateWindow, stateWindow) });
    return queries;
}

std::vector<PrometheusQuery> prometheusHistoryQueries(Duration step, Duration rateWindow)
{
    std::vector<PrometheusQuery> queries;
    queries.reserve(std::size(Specs));
    for (const FigureSpec &s : Specs)
        queries.push_back({ s.figure, queryText(s, std::max(step, rateWindow), Duration::zero()) });
    return queries;
}

std::optional<CircuitState> stateFromEventCounters(const std::vector<StateEventSample> &samples)
{
    if (samples.empty())
        return std::nullopt;
    return statesAfter(samples).back();
}

struct PrometheusSnapshotBuilder::Data
{
    Collector collector;
};

PrometheusSnapshotBuilder::PrometheusSnapshotBuilder(QString source) : d(std::make_unique<Data>())
{
    d->collector.source = std::move(source);
}

PrometheusSnapshotBuilder::~PrometheusSnapshotBuilder() = default;
PrometheusSnapshotBuilder::PrometheusSnapshotBuilder(PrometheusSnapshotBuilder &&) noexcept = default;
PrometheusSnapshotBuilder &PrometheusSnapshotBuilder::operator=(PrometheusSnapshotBuilder &&) noexcept = default;

bool PrometheusSnapshotBuilder::add(PrometheusFigure figure, const QByteArray &body, QString *error)
{
    return d->collector.add(figure, body, error);
}

std::vector<BreakerReading> PrometheusSnapshotBuilder::readings() const
{
    std::vector<BreakerReading> out;
    out.reserve(d->collector.entries.size());
    for (const Collector::Entry &e : d->collector.entries) {
        if (!e.breaker)
            continue;
        Figures f = e.steps.empty() ? Figures {} : e.steps.begin()->second;
        if (!e.events.empty())
            f.state = stateFromEventCounters(filledSamples(e.events));
        else if (!f.state && (e.id.library == FleetLibrary::Opossum || e.id.library == FleetLibrary::Polly))
            f.state = CircuitState::Closed; // no open, halfOpen or close counted yet
        out.push_back(readingOf(e.id, f));
    }
    std::sort(out.begin(), out.end(), [](const BreakerReading &a, const BreakerReading &b) { return byId(a.id, b.id); });
    return out;
}

struct PrometheusHistoryBuilder::Data
{
    Collector collector;
    std::int64_t fromMs = 0, toMs = 0;
    Duration step {};
};

PrometheusHistoryBuilder::PrometheusHistoryBuilder(QString source, std::int64_t fromMs, std::int64_t toMs, Duration step)
    : d(std::make_unique<Data>())
{
    d->collector.source = std::move(source);
    d->collector.history = true;
    d->fromMs = fromMs;
    d->toMs = toMs;
    d->step = step;
}

PrometheusHistoryBuilder::~PrometheusHistoryBuilder() = default;
PrometheusHistoryBuilder::PrometheusHistoryBuilder(PrometheusHistoryBuilder &&) noexcept = default;
PrometheusHistoryBuilder &PrometheusHistoryBuilder::operator=(PrometheusHistoryBuilder &&) noexcept = default;

bool PrometheusHistoryBuilder::add(PrometheusFigure figure, const QByteArray &body, QString *error)
{
    return d->collector.add(figure, body, error);
}

FleetHistory PrometheusHistoryBuilder::history() const
{
    FleetHistory h;
    h.fromMs = d->fromMs;
    h.toMs = d->toMs;
    h.step = d->step;
    for (const Collector::Entry &e : d->collector.entries) {
        if (!e.breaker)
            continue;
        std::map<std::int64_t, Figures> steps = e.steps;
        if (!e.events.empty()) {
            // The counters' values at each step: the state after them, carried to the steps
            // that had other figures but no counter sample.
            const std::vector<StateEventSample> samples = filledSamples(e.events);
            const std::vector<CircuitState> states = statesAfter(samples);
            for (std::size_t i = 0; i < samples.size(); ++i)
                steps[samples[i].timeMs].state = states[i];
            std::optional<CircuitState> last;
            for (auto &[t, f] : steps) {
                if (f.state)
                    last = f.state;
                else
                    f.state = last;
            }
        } else if (e.id.library == FleetLibrary::Opossum || e.id.library == FleetLibrary::Polly) {
            for (auto &[t, f] : steps)
                f.state = CircuitState::Closed;
        }
        BreakerSeries series { e.id, {} };
        series.points.reserve(steps.size());
        for (const auto &[t, f] : steps)
            series.points.push_back(pointOf(e.id.library, t, f));
        h.series.push_back(std::move(series));
    }
    std::sort(h.series.begin(), h.series.end(), [](const BreakerSeries &a, const BreakerSeries &b) { return byId(a.id, b.id); });
    return h;
}

} // namespace bw
