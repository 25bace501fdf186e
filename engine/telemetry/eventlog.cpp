#include "eventlog.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <cmath>

namespace bw {

namespace {

constexpr qsizetype FlushThreshold = 64 * 1024;

} // namespace

EventLog::EventLog(TimePoint origin)
    : m_origin(origin)
{
    m_buffer.reserve(FlushThreshold + 1024);
}

EventLog::~EventLog() = default;

bool EventLog::open(const QString &path, QString *error)
{
    auto file = std::make_unique<AtomicFile>(path);
    if (!file->open(error))
        return false;
    m_file = std::move(file);
    m_device = m_file->device();
    return true;
}

void EventLog::open(QIODevice *device)
{
    m_device = device;
}

void EventLog::flush()
{
    if (m_buffer.isEmpty())
        return;
    m_hash.addData(m_buffer);
    m_bytes += m_buffer.size();
    if (m_device && !m_writeFailed && m_device->write(m_buffer) != m_buffer.size())
        m_writeFailed = true;
    m_buffer.clear(); // keeps the capacity
}

bool EventLog::finish(QString *error)
{
    if (m_finished)
        return !m_writeFailed;
    flush();
    m_finished = true;
    m_sha256 = m_hash.result().toHex();
    if (m_file) {
        // A failed write fails the commit too, and leaves nothing at the path.
        if (!m_file->commit(error)) {
            m_writeFailed = true;
            return false;
        }
    } else if (m_writeFailed) {
        if (error)
            *error = QStringLiteral("cannot write events: ") + m_device->errorString();
        return false;
    }
    return true;
}

void EventLog::appendMs(QByteArray &out, Duration d)
{
    std::int64_t ns = d.count();
    if (ns < 0) {
        out += '-';
        ns = -ns;
    }
    const std::int64_t us = (ns + 500) / 1000;
    out += QByteArray::number(us / 1000);
    std::int64_t frac = us % 1000;
    if (frac == 0)
        return;
    char digits[4] = { char('0' + frac / 100), char('0' + frac / 10 % 10), char('0' + frac % 10), '\0' };
    int len = 3;
    while (digits[len - 1] == '0')
        --len;
    out += '.';
    out.append(digits, len);
}

void EventLog::appendString(QByteArray &out, QStringView s)
{
    const QByteArray utf8 = s.toUtf8();
    out += '"';
    for (const char c : utf8) {
        switch (c) {
        case '"':
            out += "\\\"";
            break;
        case '\\':
            out += "\\\\";
            break;
        case '\n':
            out += "\\n";
            break;
        case '\r':
            out += "\\r";
            break;
        case '\t':
            out += "\\t";
            break;
        default:
            if (static_cast<unsigned char>(c) < 0x20) {
                static const char hex[] = "0123456789abcdef";
                out += "\\u00";
                out += hex[(c >> 4) & 0xf];
                out += hex[c & 0xf];
            } else {
                out += c;
            }
        }
    }
    out += '"';
}

void EventLog::appendString(QByteArray &out, QLatin1StringView s)
{
    // Engine names (outcomes, states, reasons) are plain ASCII identifiers: nothing to escape.
    out += '"';
    out.append(s.data(), s.size());
    out += '"';
}

void EventLog::appendValue(QByteArray &out, const QJsonValue &value)
{
    switch (value.type()) {
    case QJsonValue::Null:
    case QJsonValue::Undefined:
        out += "null";
        return;
    case QJsonValue::Bool:
        out += value.toBool() ? "true" : "false";
        return;
    case QJsonValue::String:
        appendString(out, QStringView(value.toString()));
        return;
    case QJsonValue::Double: {
        const double d = value.toDouble();
        if (std::isfinite(d) && std::floor(d) == d && std::fabs(d) < 9007199254740992.0) {
            out += QByteArray::number(static_cast<qint64>(d));
            return;
        }
        break;
    }
    case QJsonValue::Array:
    case QJsonValue::Object:
        break;
    }
    // Non-integral numbers, arrays and objects: Qt's compact form, which sorts keys and prints the
    // shortest exact representation of doubles, so it is the same on every run.
    const QByteArray json = QJsonDocument(QJsonArray { value }).toJson(QJsonDocument::Compact);
    out.append(json.constData() + 1, json.size() - 2);
}

void EventLog::begin(TimePoint at, QLatin1StringView type)
{
    m_buffer += "{\"t_ms\":";
    appendMs(m_buffer, at - m_origin);
    m_buffer += ",\"type\":";
    appendString(m_buffer, type);
}

void EventLog::key(QLatin1StringView name)
{
    m_buffer += ",\"";
    m_buffer.append(name.data(), name.size());
    m_buffer += "\":";
}

void EventLog::end()
{
    m_buffer += "}\n";
    ++m_count;
    if (m_buffer.size() >= FlushThreshold)
        flush();
}

void EventLog::write(TimePoint at, QStringView type, const Fields &fields)
{
    m_buffer += "{\"t_ms\":";
    appendMs(m_buffer, at - m_origin);
    m_buffer += ",\"type\":";
    appendString(m_buffer, type);
    for (const auto &[name, value] : fields) {
        m_buffer += ',';
        appendString(m_buffer, QStringView(name));
        m_buffer += ':';
        appendValue(m_buffer, value);
    }
    end();
}

EventLog::Binding &EventLog::binding(const QString &operation)
{
    if (m_last && m_last->operation == operation)
        return *m_last;
    Binding *b = m_byOperation.value(operation);
    if (!b) {
        m_bindings.push_back(std::make_unique<Binding>());
        b = m_bindings.back().get();
        b->operation = operation;
        m_byOperation.insert(operation, b);
    }
    m_last = b;
    return *b;
}

EventLog::Binding *EventLog::bindingForBulkhead(const QString &bulkhead)
{
    if (Binding *b = m_byBulkhead.value(bulkhead))
        return b;
    // Unbound: a pipeline's own bulkhead is named after the pipeline.
    return &binding(bulkhead);
}

void EventLog::bindOperation(const QString &operation, const Bulkhead *bulkhead)
{
    Binding &b = binding(operation);
    b.bulkhead = bulkhead;
    if (bulkhead && !m_byBulkhead.contains(bulkhead->name()))
        m_byBulkhead.insert(bulkhead->name(), &b);
}

void EventLog::onCallFinished(const CallReport &r)
{
    Binding &b = binding(r.pipeline);
    CallMarks marks;
    if (!b.marks.isEmpty())
        marks = b.marks.take(r.tag);

    begin(r.at, QLatin1StringView("call"));
    key(QLatin1StringView("operation"));
    appendString(m_buffer, QStringView(r.pipeline));
    key(QLatin1StringView("index"));
    m_buffer += QByteArray::number(r.tag);
    key(QLatin1StringView("outcome"));
    appendString(m_buffer, outcomeName(r.outcome));
    key(QLatin1StringView("attempts"));
    m_buffer += QByteArray::number(r.attempts);
    key(QLatin1StringView("latency_ms"));
    appendMs(m_buffer, r.latency);
    bool timedOut = marks.timedOut;
    if (r.error) {
        key(QLatin1StringView("code"));
        appendString(m_buffer, QStringView(r.error->code.toString()));
        timedOut
            = timedOut || r.error->code == ErrorCode::Timeout || r.error->code == ErrorCode::CircuitTimeout;
    }
    if (r.cutOff) // still in flight when the run ended: latency_ms is only how long it had run
        m_buffer += ",\"cutOff\":true";
    m_buffer += ",\"attributes\":{\"resilience.operation\":";
    appendString(m_buffer, QStringView(r.pipeline));
    if (r.circuitState) {
        m_buffer += ",\"circuit.state\":";
        appendString(m_buffer, circuitStateName(*r.circuitState));
    }
    m_buffer += ",\"retry.attempt\":";
    m_buffer += QByteArray::number(r.attempts);
    m_buffer += ",\"timeout.exceeded\":";
    m_buffer += timedOut ? "true" : "false";
    if (b.bulkhead) {
        m_buffer += ",\"bulkhead.queue_position\":";
        m_buffer += QByteArray::number(marks.queuePosition);
    }
    m_buffer += '}';
    end();
}

void EventLog::onRetry(const RetryReport &r)
{
    begin(r.at, QLatin1StringView("retry"));
    key(QLatin1StringView("operation"));
    appendString(m_buffer, QStringView(r.pipeline));
    key(QLatin1StringView("index"));
    m_buffer += QByteArray::number(r.tag);
    key(QLatin1StringView("attempt"));
    m_buffer += QByteArray::number(r.retry); // the attempt that failed; the next one is attempt + 1
    key(QLatin1StringView("delay_ms"));
    appendMs(m_buffer, r.delay);
    key(QLatin1StringView("code"));
    appendString(m_buffer, QStringView(r.error.code.toString()));
    end();
}

void EventLog::onHedge(const QString &pipeline, std::uint64_t tag, int hedge, TimePoint at)
{
    begin(at, QLatin1StringView("hedge"));
    key(QLatin1StringView("operation"));
    appendString(m_buffer, QStringView(pipeline));
    key(QLatin1StringView("index"));
    m_buffer += QByteArray::number(tag);
    key(QLatin1StringView("hedge"));
    m_buffer += QByteArray::number(hedge); // 1 for the first attempt started beside the original
    end();
}

void EventLog::onFallback(const QString &pipeline, std::uint64_t tag, const Error &error, TimePoint at)
{
    begin(at, QLatin1StringView("fallback"));
    key(QLatin1StringView("operation"));
    appendString(m_buffer, QStringView(pipeline));
    key(QLatin1StringView("index"));
    m_buffer += QByteArray::number(tag);
    key(QLatin1StringView("code"));
    appendString(m_buffer, QStringView(error.code.toString()));
    end();
}

void EventLog::onTimeout(
    const QString &pipeline, std::uint64_t tag, StageKind stage, Duration elapsed, TimePoint at)
{
    Q_UNUSED(stage);
    Q_UNUSED(elapsed);
    Q_UNUSED(at);
    binding(pipeline).marks[tag].timedOut = true;
}

void EventLog::onStateChange(const CircuitStateChange &c)
{
    begin(c.at, QLatin1StringView("stateChange"));
    key(QLatin1StringView("breaker"));
    appendString(m_buffer, QStringView(c.name));
    key(QLatin1StringView("from"));
    appendString(m_buffer, circuitStateName(c.previousState));
    key(QLatin1StringView("to"));
    appendString(m_buffer, circuitStateName(c.currentState));
    key(QLatin1StringView("reason"));
    appendString(m_buffer, transitionReasonName(c.reason));
    end();
}

void EventLog::onBulkheadEvent(const BulkheadEvent &e)
{
    if (e.kind == BulkheadEventKind::Completed)
        return; // the call event says it; docs/formats.md lists started/queued/rejected/timeout
    if (e.kind == BulkheadEventKind::Queued) {
        if (Binding *b = bindingForBulkhead(e.name))
            b->marks[e.callTag].queuePosition = e.queuePosition;
    }
    begin(e.at, QLatin1StringView("bulkhead"));
    key(QLatin1StringView("bulkhead"));
    appendString(m_buffer, QStringView(e.name));
    key(QLatin1StringView("event"));
    appendString(m_buffer, bulkheadEventName(e.kind));
    key(QLatin1StringView("active"));
    m_buffer += QByteArray::number(e.active);
    key(QLatin1StringView("queued"));
    m_buffer += QByteArray::number(e.queued);
    // Queued: the 1-based place in the queue; queueCleared: how many waiters were rejected.
    key(e.kind == BulkheadEventKind::QueueCleared ? QLatin1StringView("cleared")
                                                  : QLatin1StringView("position"));
    m_buffer += QByteArray::number(e.queuePosition);
    end();
}

} // namespace bw
