#include "policyexport.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QRegularExpression>

#include <algorithm>
#include <array>

#include <cmath>
#include <functional>
#include <vector>

namespace bw {

namespace {

// The export as a tree that keeps the order keys were added in (QJsonObject sorts them), written
// as YAML or JSON at the end. A note hangs on the key it explains.
struct Node
{
    QString key; // empty for a list item
    QJsonValue value { QJsonValue::Undefined }; // a leaf's; Undefined for a map or a list
    bool list = false; // children are list items
    std::vector<Node> children;
    QStringList notes;
};

// Where a mapping row writes: a path of keys from the root; "[]" steps into a list's one item.
class Out
{
public:
    explicit Out(Node &root)
        : m_root(root)
    { }

    void set(const QStringList &path, const QJsonValue &value, const QString &note = {})
    {
        Node &n = at(path);
        n.value = value;
        if (!note.isEmpty())
            n.notes.append(note);
    }
    // A note on a section that does not map to one key (the notes of the whole export: path {}).
    void note(const QStringList &path, const QString &note) { at(path).notes.append(note); }

private:
    Node &at(const QStringList &path)
    {
        Node *n = &m_root;
        for (const QString &key : path) {
            if (key == u"[]") {
                n->list = true;
                if (n->children.empty())
                    n->children.push_back({});
                n = &n->children.front();
                continue;
            }
            auto it = std::find_if(n->children.begin(), n->children.end(), [&](const Node &c) { return c.key == key; });
            if (it == n->children.end()) {
                n->children.push_back(Node { key });
                it = n->children.end() - 1;
            }
            n = &*it;
        }
        return *n;
    }
    Node &m_root;
};

QByteArray jsonScalar(const QJsonValue &v)
{
    const QByteArray array = QJsonDocument(QJsonArray { v }).toJson(QJsonDocument::Compact);
    return array.mid(1, array.size() - 2);
}

void writeYaml(const Node &n, int indent, bool listItem, QByteArray &out)
{
    const QByteArray pad(indent, ' ');
    bool first = true;
    for (const Node &c : n.children) {
        // The first key of a list item shares the "- " line; the rest line up under it.
        const QByteArray lead = listItem && first ? QByteArray(indent - 2, ' ') + "- " : pad;
        for (const QString &note : c.notes)
            out += pad + "# " + note.toUtf8() + '\n';
        out += lead + c.key.toUtf8() + ':';
        if (!c.value.isUndefined()) {
            out += ' ' + jsonScalar(c.value) + '\n';
        } else if (c.list) {
            out += '\n';
            for (const Node &item : c.children)
                writeYaml(item, indent + 4, true, out);
        } else {
            out += '\n';
            writeYaml(c, indent + 2, false, out);
        }
        first = false;
    }
}

void writeJson(const Node &n, int indent, QByteArray &out)
{
    if (!n.value.isUndefined()) {
        out += jsonScalar(n.value);
        return;
    }
    const QByteArray pad(indent + 2, ' ');
    out += n.list ? "[\n" : "{\n";
    for (std::size_t i = 0; i < n.children.size(); ++i) {
        const Node &c = n.children[i];
        out += pad;
        if (!n.list)
            out += jsonScalar(c.key) + ": ";
        writeJson(c, indent + 2, out);
        out += i + 1 < n.children.size() ? ",\n" : "\n";
    }
    out += QByteArray(indent, ' ') + (n.list ? "]" : "}");
}

void collectNotes(const Node &n, const QString &path, QStringList &notes)
{
    for (const QString &note : n.notes)
        notes.append(path.isEmpty() ? note : path + QStringLiteral(": ") + note);
    for (const Node &c : n.children)
        collectNotes(c, path.isEmpty() ? c.key : c.key.isEmpty() ? path : path + u'.' + c.key, notes);
}

// ---- values in the targets' units ----

qint64 ms(Duration d) { return qint64(std::llround(toMs(d))); }
double percent(double rate) { return std::round(rate * 1e4) / 100; }

// Spring Boot's Duration: "1500ms", or "30s" when whole seconds (Resilience4j's documents write both).
QString springDuration(Duration d)
{
    const qint64 m = ms(d);
    return m % 1000 == 0 && m != 0 ? QString::number(m / 1000) + u's' : QString::number(m) + QStringLiteral("ms");
}
// .NET's TimeSpan as configuration binding reads it: "[d.]hh:mm:ss[.fffffff]".
QString timeSpan(Duration d)
{
    qint64 m = ms(d);
    const qint64 days = m / 86'400'000;
    m %= 86'400'000;
    QString s = QStringLiteral("%1:%2:%3")
                    .arg(m / 3'600'000, 2, 10, QLatin1Char('0'))
                    .arg(m / 60'000 % 60, 2, 10, QLatin1Char('0'))
                    .arg(m / 1000 % 60, 2, 10, QLatin1Char('0'));
    if (m % 1000)
        s += QStringLiteral(".%1").arg(m % 1000, 3, 10, QLatin1Char('0'));
    return days ? QString::number(days) + u'.' + s : s;
}
// Protobuf's Duration in YAML/JSON, as Envoy reads it: "1.5s".
QString protoDuration(Duration d) { return QString::number(double(ms(d)) / 1000, 'g', 12) + u's'; }

QString codes(const QList<ErrorCode> &list)
{
    QStringList names;
    for (ErrorCode c : list)
        names.append(c.toString());
    return names.join(QStringLiteral(", "));
}

// ---- what every target shares ----

// One row of a target's table: one section of the policy, mapped. Adding a policy section (a
// rate limiter) is adding a row to each table.
struct Row
{
    StageKind section;
    std::function<void(const PolicyConfig &, const QString &name, Out &)> map;
};

struct Target
{
    std::vector<Row> rows;
    // The target's own nesting of the stages, outermost first: a policy ordered otherwise gets a note.
    QList<StageKind> order;
    QString orderNote; // how the target orders them, for that note
    bool yaml = false;
};

QString orderText(const QList<StageKind> &order)
{
    QStringList names;
    for (StageKind k : order)
        names.append(stageKindName(k));
    return names.join(QStringLiteral(" > "));
}

// The policy's order of the stages that the target orders, and whether the target's differs.
void noteOrder(const PolicyConfig &policy, const Target &target, Out &out)
{
    QList<StageKind> mine, theirs;
    for (StageKind k : policy.order)
        if (policy.has(k) && target.order.contains(k))
            mine.append(k);
    for (StageKind k : target.order)
        if (mine.contains(k))
            theirs.append(k);
    if (mine != theirs)
        out.note({}, QStringLiteral("order: Breakwater nests %1 (outermost first); %2, so it runs %3")
                         .arg(orderText(mine), target.orderNote, orderText(theirs)));
}

QString consecutiveNote(const CircuitBreakerConfig &b, const QString &instead)
{
    return QStringLiteral("circuitBreaker.failureThreshold %1: Breakwater opens after %1 consecutive failures; %2")
        .arg(b.failureThreshold)
        .arg(instead);
}

// Empty when the breaker's open time does not grow.
QString resetBackoffNote(const CircuitBreakerConfig &b, const QString &instead)
{
    if (b.resetTimeoutMultiplier == 1.0)
        return {};
    return QStringLiteral("Breakwater multiplies the open time by %1 on each trip up to %2 ms; %3")
        .arg(b.resetTimeoutMultiplier)
        .arg(ms(b.effectiveMaxResetTimeout()))
        .arg(instead);
}

QString countWindowNote(const CircuitBreakerConfig &b, const QString &instead)
{
    return QStringLiteral("circuitBreaker.windowSize: Breakwater's window is the last %1 calls; %2").arg(b.windowSize).arg(instead);
}

// Breakwater's timeout stage limits whatever it wraps: each attempt when it is inside the retry
// (the default order), the whole call when it is outside. retry.timeout limits each attempt too.
bool timeoutIsTotal(const PolicyConfig &p)
{
    return p.timeout && p.retry && p.order.indexOf(StageKind::Timeout) < p.order.indexOf(StageKind::Retry);
}

// The tighter of the per-attempt limits; nullopt when attempts have none.
std::optional<Duration> attemptLimit(const PolicyConfig &p)
{
    std::optional<Duration> limit;
    if (p.timeout && !timeoutIsTotal(p))
        limit = p.timeout->timeout;
    if (p.retry && p.retry->timeout > Duration::zero())
        limit = limit ? std::min(*limit, p.retry->timeout) : p.retry->timeout;
    return limit;
}

const QString fallbackNote = QStringLiteral("fallback: Breakwater answers a failed call with its fallback value; %1");

// ---- Resilience4j: Spring Boot application.yml ----

Target resilience4j()
{
    auto key = [](const char *module, const QString &name, const char *field) {
        return QStringList { QStringLiteral("resilience4j"), QLatin1String(module), QStringLiteral("instances"), name,
            QLatin1String(field) };
    };
    Target t;
    t.yaml = true;
    t.order = { StageKind::Retry, StageKind::CircuitBreaker, StageKind::Timeout, StageKind::Bulkhead };
    t.orderNote = QStringLiteral("Resilience4j's Spring aspects nest Retry > CircuitBreaker > RateLimiter > "
                                 "TimeLimiter > Bulkhead");
    t.rows.push_back({ StageKind::CircuitBreaker, [key](const PolicyConfig &p, const QString &n, Out &out) {
        const CircuitBreakerConfig &b = *p.circuitBreaker;
        auto cb = [&](const char *field) { return key("circuitbreaker", n, field); };
        if (b.failureThreshold > 0)
            out.note(cb("failureRateThreshold").mid(0, 4),
                consecutiveNote(b, QStringLiteral("Resilience4j has no consecutive-failure trip: only the rates "
                                                  "over the sliding window open it")));
        if (b.windowType == WindowType::Count) {
            out.set(cb("slidingWindowType"), QStringLiteral("COUNT_BASED"));
            out.set(cb("slidingWindowSize"), qint64(b.windowSize));
        } else {
            out.set(cb("slidingWindowType"), QStringLiteral("TIME_BASED"));
            const qint64 seconds = std::max<qint64>(1, (b.windowSize + 999) / 1000);
            out.set(cb("slidingWindowSize"), seconds,
                b.windowSize % 1000 ? QStringLiteral("Breakwater's window is %1 ms; Resilience4j counts whole "
                                                     "seconds, rounded up")
                                          .arg(b.windowSize)
                                    : QStringLiteral("seconds; Resilience4j's time window has one-second buckets "
                                                     "(a call counts for %1–%2 s), Breakwater's 100 buckets of %3 ms")
                                          .arg(seconds - 1)
                                          .arg(seconds)
                                          .arg(double(b.windowSize) / 100));
        }
        out.set(cb("minimumNumberOfCalls"), b.volumeThreshold);
        if (b.failureRateThreshold > 0)
            out.set(cb("failureRateThreshold"), percent(b.failureRateThreshold));
        else
            out.set(cb("failureRateThreshold"), 100,
                QStringLiteral("Breakwater's failure-rate trip is off; Resilience4j cannot turn it off: 100 opens "
                               "only when every call in the window fails"));
        out.set(cb("slowCallDurationThreshold"), springDuration(b.slowCallDurationThreshold));
        if (b.slowCallRateThreshold > 0)
            out.set(cb("slowCallRateThreshold"), percent(b.slowCallRateThreshold));
        else
            out.set(cb("slowCallRateThreshold"), 100,
                QStringLiteral("Breakwater's slow-call trip is off; 100 opens only when every call in the window "
                               "is slow"));
        out.set(cb("permittedNumberOfCallsInHalfOpenState"), b.effectiveHalfOpenMaxCalls(),
            QStringLiteral("Breakwater closes after %1 consecutive successful trial calls and reopens on the "
                           "first failed one; Resilience4j waits for all of these trial calls and closes when "
                           "their failure rate is below failureRateThreshold")
                .arg(b.successThreshold));
        out.set(cb("waitDurationInOpenState"), springDuration(b.resetTimeout));
        out.set(cb("automaticTransitionFromOpenToHalfOpenEnabled"), true);
        if (b.resetTimeoutMultiplier != 1.0) {
            out.set(cb("enableExponentialBackoff"), true);
            out.set(cb("exponentialBackoffMultiplier"), b.resetTimeoutMultiplier);
            out.set(cb("exponentialMaxWaitDurationInOpenState"), springDuration(b.effectiveMaxResetTimeout()));
        }
        if (b.timeout > Duration::zero())
            out.note(cb("waitDurationInOpenState").mid(0, 4),
                QStringLiteral("circuitBreaker.timeout %1 ms: Breakwater's breaker ends a call after it as a "
                               "failure; Resilience4j's circuit breaker has no time limit: put a TimeLimiter of "
                               "this duration inside it")
                    .arg(ms(b.timeout)));
        const CircuitBreakerConfig defaults;
        if (b.recordErrors != defaults.recordErrors || b.ignoreErrors != defaults.ignoreErrors)
            out.note(cb("waitDurationInOpenState").mid(0, 4),
                QStringLiteral("recordErrors [%1], ignoreErrors [%2]: Breakwater's error codes; Resilience4j "
                               "takes exception classes in recordExceptions and ignoreExceptions: list your "
                               "client's")
                    .arg(codes(b.recordErrors), codes(b.ignoreErrors)));
    } });
    t.rows.push_back({ StageKind::Retry, [key](const PolicyConfig &p, const QString &n, Out &out) {
        const RetryConfig &r = *p.retry;
        auto rt = [&](const char *field) { return key("retry", n, field); };
        out.set(rt("maxAttempts"), r.maxAttempts);
        out.set(rt("waitDuration"), springDuration(r.initialDelay));
        if (r.backoff == Backoff::Exponential && r.backoffMultiplier != 1.0) {
            out.set(rt("enableExponentialBackoff"), true);
            out.set(rt("exponentialBackoffMultiplier"), r.backoffMultiplier);
            out.set(rt("exponentialMaxWaitDuration"), springDuration(r.maxDelay));
        } else if (r.backoff == Backoff::Linear && r.linearIncrement > Duration::zero()) {
            out.note(rt("waitDuration"),
                QStringLiteral("retry: Breakwater's delay grows by %1 ms a retry up to %2 ms (linear); "
                               "Resilience4j's properties offer fixed or exponential waits: this is the first "
                               "wait, kept fixed (an IntervalFunction in code can grow it)")
                    .arg(ms(r.linearIncrement))
                    .arg(ms(r.maxDelay)));
        }
        if (r.jitter) {
            out.set(rt("enableRandomizedWait"), true);
            out.set(rt("randomizedWaitFactor"), 0.2,
                QStringLiteral("Breakwater adds 0–20 % to each wait; Resilience4j draws from ±20 % around it"));
        }
        if (r.retryableErrors)
            out.note(rt("maxAttempts").mid(0, 4),
                QStringLiteral("retry.retryableErrors [%1]: Breakwater's codes; Resilience4j takes exception "
                               "classes in retryExceptions: list your client's")
                    .arg(r.retryableErrors->join(QStringLiteral(", "))));
        if (r.timeout > Duration::zero())
            out.note(rt("maxAttempts").mid(0, 4),
                QStringLiteral("retry.timeout %1 ms per attempt: Resilience4j's retry has none: put a "
                               "TimeLimiter of this duration inside the Retry")
                    .arg(ms(r.timeout)));
        if (r.respectRetryAfter)
            out.note(rt("maxAttempts").mid(0, 4),
                QStringLiteral("retry.respectRetryAfter: Resilience4j's properties cannot read Retry-After; "
                               "an intervalBiFunction in code can"));
        if (r.budget)
            out.note(rt("maxAttempts").mid(0, 4),
                QStringLiteral("retry.budget (ratio %1, minPerSecond %2): Resilience4j has no retry budget; "
                               "every call may retry up to maxAttempts")
                    .arg(r.budget->ratio)
                    .arg(r.budget->minPerSecond));
    } });
    t.rows.push_back({ StageKind::Bulkhead, [key](const PolicyConfig &p, const QString &n, Out &out) {
        const BulkheadConfig &b = *p.bulkhead;
        auto bh = [&](const char *field) { return key("bulkhead", n, field); };
        out.set(bh("maxConcurrentCalls"), b.maxConcurrent);
        if (b.maxQueueSize == 0)
            out.set(bh("maxWaitDuration"), QStringLiteral("0ms"));
        else
            out.set(bh("maxWaitDuration"), b.timeout > Duration::zero() ? springDuration(b.timeout) : QStringLiteral("1d"),
                QStringLiteral("Breakwater queues at most %1 calls%2; Resilience4j's bulkhead has no queue bound: "
                               "any number of calls wait up to maxWaitDuration")
                    .arg(b.maxQueueSize)
                    .arg(b.timeout > Duration::zero() ? QStringLiteral(" for up to %1 ms").arg(ms(b.timeout))
                                                      : QStringLiteral(" with no time limit (here: a day)")));
    } });
    t.rows.push_back({ StageKind::Timeout, [key](const PolicyConfig &p, const QString &n, Out &out) {
        out.set(key("timelimiter", n, "timeoutDuration"), springDuration(p.timeout->timeout));
        if (p.timeout->fallback)
            out.note(key("timelimiter", n, "timeoutDuration"),
                QStringLiteral("timeout.fallback: Breakwater answers a timed-out call with a value; Resilience4j "
                               "throws TimeoutException: give the annotation a fallbackMethod"));
    } });
    t.rows.push_back({ StageKind::RateLimiter, [key](const PolicyConfig &p, const QString &n, Out &out) {
        // Breakwater's rate limiter is Resilience4j's AtomicRateLimiter: the same three settings.
        const RateLimiterConfig &r = *p.rateLimiter;
        out.set(key("ratelimiter", n, "limitForPeriod"), r.limitForPeriod);
        out.set(key("ratelimiter", n, "limitRefreshPeriod"), springDuration(r.refreshPeriod));
        out.set(key("ratelimiter", n, "timeoutDuration"), springDuration(r.timeout));
    } });
    t.rows.push_back({ StageKind::Fallback, [](const PolicyConfig &, const QString &, Out &out) {
        out.note({}, fallbackNote.arg(QStringLiteral("Resilience4j has no fallback property: give the annotations "
                                                     "a fallbackMethod")));
    } });
    return t;
}

// ---- Polly v8: Microsoft.Extensions.Http.Resilience's standard handler options ----

const QString pollyTotalNote = QStringLiteral(
    "the standard handler also limits the whole call: TotalRequestTimeout, 30 s unless set; Breakwater has no "
    "such limit");

Target polly()
{
    Target t;
    // The timeout is left out: it maps to TotalRequestTimeout or AttemptTimeout by where it stands.
    t.order = { StageKind::Bulkhead, StageKind::Retry, StageKind::CircuitBreaker };
    t.orderNote = QStringLiteral("the standard handler nests RateLimiter > TotalRequestTimeout > Retry > "
                                 "CircuitBreaker > AttemptTimeout");
    t.rows.push_back({ StageKind::Bulkhead, [](const PolicyConfig &p, const QString &n, Out &out) {
        const BulkheadConfig &b = *p.bulkhead;
        const QStringList limiter { n, QStringLiteral("RateLimiter"), QStringLiteral("DefaultRateLimiterOptions") };
        out.set(limiter + QStringList { QStringLiteral("PermitLimit") }, b.maxConcurrent);
        out.set(limiter + QStringList { QStringLiteral("QueueLimit") }, b.maxQueueSize,
            b.maxQueueSize > 0 && b.timeout > Duration::zero()
                ? QStringLiteral("the standard handler's concurrency limiter is Breakwater's bulkhead, but a "
                                 "queued request waits with no limit of its own; Breakwater's bulkhead.timeout %1 "
                                 "ms is not exported")
                      .arg(ms(b.timeout))
                : QString());
    } });
    t.rows.push_back({ StageKind::Retry, [](const PolicyConfig &p, const QString &n, Out &out) {
        const RetryConfig &r = *p.retry;
        auto rt = [&](const char *field) { return QStringList { n, QStringLiteral("Retry"), QLatin1String(field) }; };
        out.set(rt("MaxRetryAttempts"), r.maxAttempts - 1);
        if (r.backoff == Backoff::Linear && r.linearIncrement == Duration::zero()) {
            out.set(rt("BackoffType"), QStringLiteral("Constant"));
        } else if (r.backoff == Backoff::Linear) {
            out.set(rt("BackoffType"), QStringLiteral("Linear"),
                r.linearIncrement != r.initialDelay
                    ? QStringLiteral("Breakwater's delay grows by %1 ms a retry; Polly's Linear grows by Delay")
                          .arg(ms(r.linearIncrement))
                    : QString());
        } else {
            out.set(rt("BackoffType"), QStringLiteral("Exponential"),
                r.backoffMultiplier != 2.0
                    ? QStringLiteral("Breakwater multiplies the delay by %1 a retry; Polly's Exponential by 2")
                          .arg(r.backoffMultiplier)
                    : QString());
        }
        out.set(rt("Delay"), timeSpan(r.initialDelay));
        out.set(rt("MaxDelay"), timeSpan(r.maxDelay));
        out.set(rt("UseJitter"), r.jitter,
            r.jitter ? QStringLiteral("Breakwater adds 0–20 % to each delay; Polly's jitter is ±25 % (Constant, "
                                      "Linear) or decorrelated (Exponential)")
                     : QString());
        out.set(rt("ShouldRetryAfterHeader"), r.respectRetryAfter);
        if (r.timeout > Duration::zero() && !p.timeout) {
            out.set({ n, QStringLiteral("AttemptTimeout"), QStringLiteral("Timeout") }, timeSpan(r.timeout));
            out.note({ n, QStringLiteral("AttemptTimeout") }, pollyTotalNote);
        }
        if (r.retryableErrors)
            out.note(rt("MaxRetryAttempts").mid(0, 2),
                QStringLiteral("retry.retryableErrors [%1]: Breakwater's codes; the standard handler retries 408, "
                               "429, 5xx, HttpRequestException and timeouts (ShouldHandle, in code, changes it)")
                    .arg(r.retryableErrors->join(QStringLiteral(", "))));
        if (r.budget)
            out.note(rt("MaxRetryAttempts").mid(0, 2),
                QStringLiteral("retry.budget (ratio %1, minPerSecond %2): Polly has no retry budget")
                    .arg(r.budget->ratio)
                    .arg(r.budget->minPerSecond));
    } });
    t.rows.push_back({ StageKind::CircuitBreaker, [](const PolicyConfig &p, const QString &n, Out &out) {
        const CircuitBreakerConfig &b = *p.circuitBreaker;
        auto cb = [&](const char *field) { return QStringList { n, QStringLiteral("CircuitBreaker"), QLatin1String(field) }; };
        if (b.failureThreshold > 0)
            out.note(cb("FailureRatio").mid(0, 2),
                consecutiveNote(b, QStringLiteral("Polly has no consecutive-failure trip: only FailureRatio over "
                                                  "SamplingDuration opens it")));
        if (b.failureRateThreshold > 0)
            out.set(cb("FailureRatio"), b.failureRateThreshold);
        else
            out.set(cb("FailureRatio"), 1.0,
                QStringLiteral("Breakwater's failure-rate trip is off; Polly's cannot be: 1 opens only when every "
                               "call fails"));
        out.set(cb("MinimumThroughput"), std::max(2, b.volumeThreshold),
            b.volumeThreshold < 2 ? QStringLiteral("Breakwater's volumeThreshold is %1; Polly's least is 2").arg(b.volumeThreshold)
                                  : QString());
        if (b.windowType == WindowType::Time)
            out.set(cb("SamplingDuration"), timeSpan(fromMs(std::int64_t(b.windowSize))));
        else
            out.note(cb("FailureRatio").mid(0, 2),
                countWindowNote(b, QStringLiteral("Polly samples over time only (SamplingDuration, 30 s unless set)")));
        out.set(cb("BreakDuration"), timeSpan(b.resetTimeout),
            resetBackoffNote(b, QStringLiteral("Polly's BreakDurationGenerator (code) can")));
        out.note(cb("FailureRatio").mid(0, 2),
            QStringLiteral("circuitBreaker.successThreshold %1: Breakwater closes after %1 consecutive successful "
                           "trial calls (%2 at once); Polly lets one trial call through and closes on its success")
                .arg(b.successThreshold)
                .arg(b.effectiveHalfOpenMaxCalls()));
        if (b.slowCallRateThreshold > 0)
            out.note(cb("FailureRatio").mid(0, 2),
                QStringLiteral("circuitBreaker.slowCallRateThreshold %1: Polly has no slow-call trip").arg(b.slowCallRateThreshold));
        if (b.timeout > Duration::zero())
            out.note(cb("FailureRatio").mid(0, 2),
                QStringLiteral("circuitBreaker.timeout %1 ms: Polly's breaker has no time limit; AttemptTimeout, "
                               "inside it, ends attempts")
                    .arg(ms(b.timeout)));
    } });
    t.rows.push_back({ StageKind::Timeout, [](const PolicyConfig &p, const QString &n, Out &out) {
        if (timeoutIsTotal(p))
            out.set({ n, QStringLiteral("TotalRequestTimeout"), QStringLiteral("Timeout") }, timeSpan(p.timeout->timeout));
        if (const std::optional<Duration> attempt = attemptLimit(p))
            out.set({ n, QStringLiteral("AttemptTimeout"), QStringLiteral("Timeout") }, timeSpan(*attempt));
        if (!timeoutIsTotal(p))
            out.note({ n, QStringLiteral("AttemptTimeout") }, pollyTotalNote);
    } });
    t.rows.push_back({ StageKind::Hedging, [](const PolicyConfig &p, const QString &n, Out &out) {
        const HedgingConfig &h = *p.hedging;
        out.set({ n, QStringLiteral("Hedging"), QStringLiteral("MaxHedgedAttempts") }, h.maxHedgedAttempts,
            QStringLiteral("hedging: these are the options of the standard hedging handler "
                           "(AddStandardHedgingHandler, HttpStandardHedgingResilienceOptions), not of the standard "
                           "resilience handler; Polly runs the strategies inside hedging once per hedged attempt, "
                           "Breakwater's hedging is always innermost"));
        out.set({ n, QStringLiteral("Hedging"), QStringLiteral("Delay") }, timeSpan(h.delay));
    } });
    t.rows.push_back({ StageKind::Fallback, [](const PolicyConfig &, const QString &n, Out &out) {
        out.note({ n }, fallbackNote.arg(QStringLiteral("the standard handler has none: add a fallback strategy "
                                                         "in code")));
    } });
    return t;
}

// ---- opossum: the options object ----

Target opossum()
{
    Target t;
    t.order = { StageKind::CircuitBreaker, StageKind::Bulkhead };
    t.orderNote = QStringLiteral("opossum checks the breaker before its capacity");
    t.rows.push_back({ StageKind::CircuitBreaker, [](const PolicyConfig &p, const QString &n, Out &out) {
        const CircuitBreakerConfig &b = *p.circuitBreaker;
        auto o = [](const char *field) { return QStringList { QLatin1String(field) }; };
        out.set(o("name"), n);
        if (b.timeout > Duration::zero())
            out.set(o("timeout"), ms(b.timeout));
        else
            out.set(o("timeout"), false);
        out.set(o("errorThresholdPercentage"), b.failureRateThreshold > 0 ? percent(b.failureRateThreshold) : 100,
            b.failureRateThreshold > 0
                ? QStringLiteral("Breakwater opens when the failure rate reaches the threshold (≥); opossum when "
                                 "it exceeds it (>)")
                : QStringLiteral("Breakwater's failure-rate trip is off; opossum opens above the threshold, so "
                                 "100 never opens"));
        out.set(o("volumeThreshold"), b.volumeThreshold);
        if (b.windowType == WindowType::Time) {
            out.set(o("rollingCountTimeout"), qint64(b.windowSize));
            out.set(o("rollingCountBuckets"), 100,
                QStringLiteral("Breakwater's window has 100 buckets; opossum rotates its buckets on a timer "
                               "started with the breaker, not on the clock"));
        } else {
            out.note({ QStringLiteral("rollingCountTimeout") },
                countWindowNote(b, QStringLiteral("opossum's is time only (rollingCountTimeout, 10 s by default)")));
        }
        out.set(o("resetTimeout"), ms(b.resetTimeout), resetBackoffNote(b, QStringLiteral("opossum's is always resetTimeout")));
        if (b.failureThreshold > 0)
            out.note({}, consecutiveNote(b, QStringLiteral("opossum has no consecutive-failure trip: it opens "
                                                           "only on the error percentage, once volumeThreshold "
                                                           "calls are in the window")));
        out.note({}, QStringLiteral("circuitBreaker.successThreshold %1: Breakwater closes after %1 consecutive "
                                    "successful trial calls (%2 at once); opossum lets the first call after "
                                    "resetTimeout through and closes on its success")
                         .arg(b.successThreshold)
                         .arg(b.effectiveHalfOpenMaxCalls()));
        out.note({}, QStringLiteral("closing: Breakwater starts a closed breaker with an empty window; opossum "
                                    "keeps the calls already in its rolling window"));
        if (b.slowCallRateThreshold > 0)
            out.note({}, QStringLiteral("circuitBreaker.slowCallRateThreshold %1: opossum has no slow-call trip")
                             .arg(b.slowCallRateThreshold));
        const CircuitBreakerConfig defaults;
        if (b.recordErrors != defaults.recordErrors || b.ignoreErrors != defaults.ignoreErrors)
            out.note({}, QStringLiteral("recordErrors [%1], ignoreErrors [%2]: opossum's errorFilter (a "
                                        "function) decides which errors count")
                             .arg(codes(b.recordErrors), codes(b.ignoreErrors)));
    } });
    t.rows.push_back({ StageKind::Bulkhead, [](const PolicyConfig &p, const QString &, Out &out) {
        const BulkheadConfig &b = *p.bulkhead;
        out.set({ QStringLiteral("capacity") }, b.maxConcurrent,
            b.maxQueueSize > 0 ? QStringLiteral("Breakwater queues %1 more calls; opossum rejects every call "
                                                "beyond capacity at once")
                                     .arg(b.maxQueueSize)
                               : QString());
    } });
    t.rows.push_back({ StageKind::Retry, [](const PolicyConfig &p, const QString &, Out &out) {
        out.note({}, QStringLiteral("retry (%1 attempts): opossum does not retry; retry around fire() in your code")
                         .arg(p.retry->maxAttempts));
    } });
    t.rows.push_back({ StageKind::Timeout, [](const PolicyConfig &p, const QString &, Out &out) {
        out.note({}, QStringLiteral("timeout %1 ms: opossum's only time limit is its timeout option, the "
                                    "breaker's; limit the action itself")
                         .arg(ms(p.timeout->timeout)));
    } });
    t.rows.push_back({ StageKind::Fallback, [](const PolicyConfig &, const QString &, Out &out) {
        out.note({}, fallbackNote.arg(QStringLiteral("opossum takes one in code: breaker.fallback(fn)")));
    } });
    return t;
}

// ---- Envoy: a cluster's circuit_breakers and outlier_detection, a route's retry_policy and timeout ----

Target envoy()
{
    Target t;
    t.yaml = true;
    // The timeout is left out: it maps to the route's timeout or per_try_timeout by where it stands.
    t.order = { StageKind::Retry, StageKind::Bulkhead, StageKind::CircuitBreaker };
    t.orderNote = QStringLiteral("in Envoy each try takes a slot of the cluster's circuit_breakers and goes "
                                 "to a host that outlier detection has not ejected");
    const QString cluster = QStringLiteral("cluster"), route = QStringLiteral("route");
    t.rows.push_back({ StageKind::CircuitBreaker, [=](const PolicyConfig &p, const QString &, Out &out) {
        const CircuitBreakerConfig &b = *p.circuitBreaker;
        auto od = [&](const char *field) { return QStringList { cluster, QStringLiteral("outlier_detection"), QLatin1String(field) }; };
        out.note(od("consecutive_5xx").mid(0, 2),
            QStringLiteral("Envoy's outlier detection ejects a failing host from the load-balancing set; it "
                           "does not open a breaker for the whole upstream: with one host, calls fail fast "
                           "(no healthy upstream) while it is ejected"));
        if (b.failureThreshold > 0) {
            out.set(od("consecutive_5xx"), b.failureThreshold);
        } else {
            out.set(od("enforcing_consecutive_5xx"), 0);
            out.set(od("enforcing_consecutive_gateway_failure"), 0);
        }
        if (b.failureRateThreshold > 0) {
            out.set(od("failure_percentage_threshold"), int(std::lround(b.failureRateThreshold * 100)),
                std::abs(b.failureRateThreshold * 100 - std::round(b.failureRateThreshold * 100)) > 1e-9
                    ? QStringLiteral("whole percent: Breakwater's is %1 %").arg(b.failureRateThreshold * 100)
                    : QString());
            out.set(od("enforcing_failure_percentage"), 100);
            out.set(od("failure_percentage_minimum_hosts"), 1);
            out.set(od("failure_percentage_request_volume"), b.volumeThreshold);
        }
        if (b.windowType == WindowType::Time)
            out.set(od("interval"), protoDuration(fromMs(std::int64_t(b.windowSize))),
                QStringLiteral("Envoy judges the failure percentage once per interval over that interval's "
                               "requests; Breakwater's window slides and is judged after every call"));
        else
            out.note(od("consecutive_5xx").mid(0, 2),
                countWindowNote(b, QStringLiteral("Envoy counts per interval (10 s unless set)")));
        out.set(od("base_ejection_time"), protoDuration(b.resetTimeout),
            QStringLiteral("Breakwater lets trial calls through after this and closes after %1 successes; Envoy "
                           "returns the host to service with no trial")
                .arg(b.successThreshold));
        if (b.resetTimeoutMultiplier != 1.0)
            out.set(od("max_ejection_time"), protoDuration(b.effectiveMaxResetTimeout()),
                resetBackoffNote(b, QStringLiteral("Envoy ejects for base_ejection_time × the times ejected, up to this")));
        out.set(od("max_ejection_percent"), 100);
        out.set(od("enforcing_success_rate"), 0,
            QStringLiteral("Envoy's success-rate ejection (on by default; it compares hosts with each other) has "
                           "no Breakwater counterpart: off"));
        if (b.slowCallRateThreshold > 0)
            out.note(od("consecutive_5xx").mid(0, 2),
                QStringLiteral("circuitBreaker.slowCallRateThreshold %1: Envoy has no slow-call ejection")
                    .arg(b.slowCallRateThreshold));
        if (b.timeout > Duration::zero())
            out.note(od("consecutive_5xx").mid(0, 2),
                QStringLiteral("circuitBreaker.timeout %1 ms: a try timing out is a local-origin failure; it "
                               "counts toward consecutive_5xx only as a 504 from Envoy")
                    .arg(ms(b.timeout)));
    } });
    t.rows.push_back({ StageKind::Bulkhead, [=](const PolicyConfig &p, const QString &, Out &out) {
        const BulkheadConfig &b = *p.bulkhead;
        const QStringList th { cluster, QStringLiteral("circuit_breakers"), QStringLiteral("thresholds"), QStringLiteral("[]") };
        out.set(th + QStringList { QStringLiteral("priority") }, QStringLiteral("DEFAULT"));
        out.set(th + QStringList { QStringLiteral("max_requests") }, b.maxConcurrent,
            QStringLiteral("Envoy's circuit_breakers are Breakwater's bulkhead: limits on requests in flight "
                           "to the whole cluster"));
        out.set(th + QStringList { QStringLiteral("max_pending_requests") }, b.maxQueueSize,
            b.timeout > Duration::zero() ? QStringLiteral("requests waiting for a connection; Breakwater's "
                                                          "bulkhead.timeout %1 ms has no Envoy setting")
                                               .arg(ms(b.timeout))
                                         : QString());
    } });
    t.rows.push_back({ StageKind::Retry, [=](const PolicyConfig &p, const QString &, Out &out) {
        const RetryConfig &r = *p.retry;
        auto rp = [&](const char *field) { return QStringList { route, QStringLiteral("retry_policy"), QLatin1String(field) }; };
        QString retryOn = QStringLiteral("5xx,reset,connect-failure,refused-stream");
        QList<int> statuses;
        if (r.retryableErrors) {
            for (const QString &e : *r.retryableErrors)
                if (bool ok = false; e.toInt(&ok), ok)
                    statuses.append(e.toInt());
            if (!statuses.isEmpty())
                retryOn += QStringLiteral(",retriable-status-codes");
        }
        out.set(rp("retry_on"), retryOn,
            r.retryableErrors ? QStringLiteral("retry.retryableErrors [%1]: Envoy retries by condition; codes "
                                               "other than HTTP statuses map to these conditions")
                                    .arg(r.retryableErrors->join(QStringLiteral(", ")))
                              : QString());
        if (!statuses.isEmpty()) {
            QJsonArray list;
            for (int s : statuses)
                list.append(s);
            out.set(rp("retriable_status_codes"), list);
        }
        out.set(rp("num_retries"), r.maxAttempts - 1);
        const QStringList backOff = rp("retry_back_off");
        out.set(backOff + QStringList { QStringLiteral("base_interval") }, protoDuration(r.initialDelay),
            QStringLiteral("Envoy waits a random time in [0, base_interval × (2^n − 1)] before retry n, up to "
                           "max_interval; Breakwater waits %1")
                .arg(r.backoff == Backoff::Linear
                        ? QStringLiteral("initialDelay + %1 ms × (n − 1)").arg(ms(r.linearIncrement))
                        : QStringLiteral("initialDelay × %1^(n − 1)").arg(r.backoffMultiplier))
                + (r.jitter ? QStringLiteral(" plus 0–20 %") : QString()));
        out.set(backOff + QStringList { QStringLiteral("max_interval") }, protoDuration(r.maxDelay));
        if (r.respectRetryAfter) {
            const QStringList limited = rp("rate_limited_retry_back_off");
            out.set(limited + QStringList { QStringLiteral("reset_headers"), QStringLiteral("[]"), QStringLiteral("name") },
                QStringLiteral("Retry-After"));
            out.set(limited + QStringList { QStringLiteral("reset_headers"), QStringLiteral("[]"), QStringLiteral("format") },
                QStringLiteral("SECONDS"));
            out.set(limited + QStringList { QStringLiteral("max_interval") }, protoDuration(r.maxDelay));
        }
        if (const std::optional<Duration> attempt = attemptLimit(p))
            out.set(rp("per_try_timeout"), protoDuration(*attempt));
        if (r.budget) {
            const QStringList th { cluster, QStringLiteral("circuit_breakers"), QStringLiteral("thresholds"), QStringLiteral("[]") };
            out.set(th + QStringList { QStringLiteral("priority") }, QStringLiteral("DEFAULT"));
            out.set(th + QStringList { QStringLiteral("retry_budget"), QStringLiteral("budget_percent"), QStringLiteral("value") },
                percent(r.budget->ratio),
                QStringLiteral("Envoy's budget is a share of the requests in flight; Breakwater's of the calls in "
                               "the last 10 s"));
            out.set(th + QStringList { QStringLiteral("retry_budget"), QStringLiteral("min_retry_concurrency") },
                qint64(std::ceil(r.budget->minPerSecond)),
                QStringLiteral("retries in flight; Breakwater allows %1 retries a second").arg(r.budget->minPerSecond));
        }
    } });
    t.rows.push_back({ StageKind::Timeout, [=](const PolicyConfig &p, const QString &, Out &out) {
        if (p.retry && !timeoutIsTotal(p))
            out.set({ route, QStringLiteral("timeout") }, QStringLiteral("0s"),
                QStringLiteral("Breakwater's timeout limits each attempt (per_try_timeout); it has no limit on "
                               "the whole call, and 0s turns off Envoy's 15 s default"));
        else
            out.set({ route, QStringLiteral("timeout") }, protoDuration(p.timeout->timeout));
    } });
    t.rows.push_back({ StageKind::Fallback, [](const PolicyConfig &, const QString &, Out &out) {
        out.note({}, fallbackNote.arg(QStringLiteral("Envoy returns the upstream's error")));
    } });
    return t;
}

Target target(ExportTarget which)
{
    switch (which) {
    case ExportTarget::Resilience4j:
        return resilience4j();
    case ExportTarget::Polly:
        return polly();
    case ExportTarget::Opossum:
        return opossum();
    case ExportTarget::Envoy:
        break;
    }
    return envoy();
}

constexpr std::array<QLatin1StringView, 4> TargetNames { QLatin1StringView("resilience4j"),
    QLatin1StringView("polly"), QLatin1StringView("opossum"), QLatin1StringView("envoy") };

} // namespace

QLatin1StringView exportTargetName(ExportTarget target) { return TargetNames[std::size_t(target)]; }

std::optional<ExportTarget> exportTargetFromName(QStringView name)
{
    for (std::size_t i = 0; i < TargetNames.size(); ++i)
        if (name == TargetNames[i])
            return ExportTarget(i);
    return std::nullopt;
}

QStringList exportTargetNames()
{
    QStringList names;
    for (QLatin1StringView n : TargetNames)
        names.append(n);
    return names;
}

QLatin1StringView exportSuffix(ExportTarget target)
{
    return target == ExportTarget::Resilience4j || target == ExportTarget::Envoy ? QLatin1StringView("yml")
                                                                                  : QLatin1StringView("json");
}

// What a section left out of an export changes, for those whose loss is not obvious: the
// settings, what the service loses, and the nearest thing the target offers elsewhere.
QString droppedSectionNote(const PolicyConfig &policy, StageKind k, ExportTarget which)
{
    const bool envoy = which == ExportTarget::Envoy;
    switch (k) {
    case StageKind::AdaptiveThrottle:
        return QStringLiteral(" (k %1, windowMs %2; the Google SRE book's client-side throttling): no request is "
                              "rejected locally, so an overloaded backend receives the whole demand%3")
            .arg(policy.adaptiveThrottle->k)
            .arg(toMs(policy.adaptiveThrottle->window))
            .arg(envoy ? QStringLiteral("; Envoy's admission_control HTTP filter is the same rule (sr_threshold "
                                        "1/k, aggression 1)")
                       : QString());
    case StageKind::ConcurrencyLimit:
        return QStringLiteral(" (%1, limit %2 from %3 to %4; Netflix concurrency-limits): calls in flight are "
                              "not limited%5")
            .arg(limitAlgorithmName(policy.concurrencyLimit->algorithm))
            .arg(policy.concurrencyLimit->initialLimit)
            .arg(policy.concurrencyLimit->minLimit)
            .arg(policy.concurrencyLimit->maxLimit)
            .arg(envoy ? QStringLiteral("; Envoy's adaptive_concurrency HTTP filter limits them with a gradient "
                                        "controller of its own")
                       : QString());
    default:
        return {};
    }
}

QString exportNameError(const QString &name)
{
    static const QRegularExpression valid(QStringLiteral("^[A-Za-z0-9_-]{1,64}$"));
    if (valid.match(name).hasMatch())
        return {};
    return QStringLiteral("expected 1 to 64 letters, digits, '_' or '-', got '%1'").arg(name);
}

PolicyExport exportPolicy(const PolicyConfig &policy, ExportTarget which, const QString &name)
{
    const Target t = target(which);
    Node root;
    Out out(root);
    if (which == ExportTarget::Envoy)
        out.set({ QStringLiteral("cluster"), QStringLiteral("name") }, name);
    for (const Row &row : t.rows)
        if (policy.has(row.section))
            row.map(policy, name, out);
    // Nothing is left out without a word: a section the target has no row for is named.
    for (StageKind k : PolicyConfig::defaultOrder()) {
        const bool mapped = std::any_of(t.rows.begin(), t.rows.end(), [k](const Row &r) { return r.section == k; });
        if (policy.has(k) && !mapped)
            out.note({}, QStringLiteral("%1: %2 has no setting for it here; not exported%3")
                             .arg(stageKindName(k), exportTargetName(which), droppedSectionNote(policy, k, which)));
    }
    if (policy.retry && policy.retry->quota)
        out.note({}, QStringLiteral("retry.quota (capacity %1, retry cost %2, timeout cost %3, success refill %4; the "
                                    "AWS SDKs' standard retry mode): %5 has no retry quota; every call may retry up "
                                    "to its attempts")
                         .arg(policy.retry->quota->capacity)
                         .arg(policy.retry->quota->retryCost)
                         .arg(policy.retry->quota->timeoutCost)
                         .arg(policy.retry->quota->successRefill)
                         .arg(exportTargetName(which)));
    noteOrder(policy, t, out);

    PolicyExport result;
    collectNotes(root, QString(), result.notes);
    const QString title = QStringLiteral("Breakwater policy '%1' for %2, written by breakwater export-policy")
                              .arg(policy.name, exportTargetName(which));
    if (t.yaml) {
        result.text = "# " + title.toUtf8() + "\n# Every line starting with # says a setting that does not map "
                                               "exactly, and what the target does instead.\n";
        if (which == ExportTarget::Envoy)
            result.text += "# cluster: merge into your Cluster; route: merge into the RouteAction of the routes "
                           "to it.\n";
        for (const QString &note : root.notes)
            result.text += "# " + note.toUtf8() + '\n';
        writeYaml(root, 0, false, result.text);
        if (root.children.empty())
            result.text += "{}\n"; // nothing maps: still a document, an empty one

    } else {
        writeJson(root, 0, result.text);
        result.text += '\n';
        result.sideNotes = title.toUtf8() + "\nSettings that do not map exactly, and what the target does instead:\n";
        for (const QString &note : result.notes)
            result.sideNotes += "- " + note.toUtf8() + '\n';
        if (result.notes.isEmpty())
            result.sideNotes += "(none)\n";
    }
    return result;
}

} // namespace bw
