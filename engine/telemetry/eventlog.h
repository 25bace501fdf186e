#pragma once

#include "../runtime/atomicfile.h"
#include "telemetrysink.h"

#include <QCryptographicHash>
#include <QHash>
#include <QJsonValue>

#include <memory>
#include <vector>

namespace bw {

// Writes the events JSONL of docs/formats.md: one object per line, in the order events happen (which
// is time order on one scheduler). Deterministic to the byte: keys in a fixed order, t_ms and
// other durations as milliseconds with at most three decimals from integer arithmetic, no
// locale, no wall clock. Streams through a 64 KiB buffer, so memory does not grow with the run,
// and hashes the bytes (SHA-256) as it goes.
//
// A file is written through an AtomicFile: nothing appears at the path until finish() commits, so
// an interrupted run never leaves a half-written file. Without a file (or device), events are only
// counted and hashed, so a summary's eventsSha256 is the same with or without --events.
//
// Call events carry the guide's trace attributes under "attributes": resilience.operation,
// circuit.state (CallReport::circuitState: the breaker state that admitted the call, or refused
// it; absent when no attempt reached a breaker), retry.attempt (attempts made), timeout.exceeded (a time limit
// expired during the call, on any attempt) and bulkhead.queue_position (1-based place in the
// queue when it waited, 0 when it did not; needs bindOperation).
//
// Confined to one thread, the one that runs the scheduler.
class EventLog final : public TelemetrySink
{
public:
    // Fields written in the given order after t_ms and type.
    using Fields = QList<std::pair<QString, QJsonValue>>;

    // t_ms is measured from `origin`.
    explicit EventLog(TimePoint origin = TimePoint::zero());
    ~EventLog() override; // an unfinished file is discarded
    EventLog(const EventLog &) = delete;
    EventLog &operator=(const EventLog &) = delete;

    // Starts writing to a temporary file next to `path`; false (with a reason) if it cannot.
    bool open(const QString &path, QString *error);
    // Writes to a device the caller owns (a QBuffer in tests); finish() flushes it.
    void open(QIODevice *device);
    // Flushes, finalizes the hash and, for a file, renames it into place. Call once, at the end.
    bool finish(QString *error = nullptr);

    std::int64_t count() const { return m_count; }
    std::int64_t bytes() const { return m_bytes; }
    // Lower-case hex SHA-256 of every byte written; valid after finish().
    QByteArray sha256Hex() const { return m_sha256; }

    // Tells which bulkhead an operation's calls go through, for the call attributes.
    void bindOperation(const QString &operation, const Bulkhead *bulkhead);

    // Any event: fault and control events from the simulator and the GUI, for example
    // write(t, u"fault", {{"service", "payments"}, {"fault", "outage"}, {"phase", "start"}}).
    void write(TimePoint at, QStringView type, const Fields &fields);

    // TelemetrySink
    void onCallFinished(const CallReport &report) override;
    void onRetry(const RetryReport &report) override;
    void onFallback(const QString &pipeline, std::uint64_t tag, const Error &error, TimePoint at) override;
    void onHedge(const QString &pipeline, std::uint64_t tag, int hedge, TimePoint at) override;
    void onTimeout(
        const QString &pipeline, std::uint64_t tag, StageKind stage, Duration elapsed, TimePoint at) override;
    void onStateChange(const CircuitStateChange &change) override;
    void onBulkheadEvent(const BulkheadEvent &event) override;

    // Milliseconds with up to three decimals, rounded to the microsecond: "12", "12.5", "0.001".
    static void appendMs(QByteArray &out, Duration d);
    // A JSON string literal, quotes included.
    static void appendString(QByteArray &out, QStringView s);
    static void appendString(QByteArray &out, QLatin1StringView s);
    // Any JSON value, compact; whole numbers without a fraction.
    static void appendValue(QByteArray &out, const QJsonValue &value);

private:
    struct CallMarks
    {
        int queuePosition = 0;
        bool timedOut = false;
    };
    struct Binding
    {
        QString operation;
        const Bulkhead *bulkhead = nullptr;
        QHash<std::uint64_t, CallMarks> marks; // only calls that queued or timed out, until they end
    };
    Binding &binding(const QString &operation);
    Binding *bindingForBulkhead(const QString &bulkhead);

    void begin(TimePoint at, QLatin1StringView type);
    void key(QLatin1StringView name);
    void end();
    void flush();

    TimePoint m_origin;
    std::unique_ptr<AtomicFile> m_file;
    QIODevice *m_device = nullptr;
    QByteArray m_buffer;
    QCryptographicHash m_hash { QCryptographicHash::Sha256 };
    QByteArray m_sha256;
    std::int64_t m_count = 0;
    std::int64_t m_bytes = 0;
    bool m_writeFailed = false;
    bool m_finished = false;

    std::vector<std::unique_ptr<Binding>> m_bindings;
    QHash<QString, Binding *> m_byOperation;
    QHash<QString, Binding *> m_byBulkhead;
    Binding *m_last = nullptr; // most calls come from the same operation as the previous one
};

} // namespace bw
