#pragma once

#include "fleetsource.h"

#include "../runtime/scheduler.h"

#include <QByteArray>
#include <QHash>
#include <QJsonObject>
#include <QUrl>

#include <functional>
#include <memory>

class QNetworkAccessManager;
class QNetworkReply;

namespace bw {

// Splits a Hystrix stream (server-sent events: "data: {json}" lines, a blank line ending each
// event; "ping:" and comment lines ignored) into its JSON objects, holding at most one line.
class HystrixStreamParser
{
public:
    // A longer line is an error: the stream is not Hystrix's (or a message grew past reason).
    static constexpr qsizetype MaxLineBytes = 1024 * 1024;

    using MessageCallback = std::function<void(const QJsonObject &message)>;
    explicit HystrixStreamParser(MessageCallback onMessage) : m_onMessage(std::move(onMessage)) { }

    // Feeds the next bytes; each complete message goes to the callback. False, with the reason,
    // on a line longer than MaxLineBytes or a data line that is not a JSON object; the parser
    // is then spent (reset() before reusing it for a new connection).
    bool feed(QByteArrayView bytes, QString *error);
    void reset();
    // How many messages it delivered since the last reset().
    std::int64_t messages() const { return m_messages; }

private:
    bool line(QByteArrayView line, QString *error);

    MessageCallback m_onMessage;
    QByteArray m_line;
    QByteArray m_data; // the current event's data lines, joined
    std::int64_t m_messages = 0;
    bool m_failed = false;
};

// A reading from a HystrixCommand message (Hystrix, Turbine, opossum-hystrix, Breakwater's
// /hystrix.stream); nullopt for other types. Counts over the message's rolling window become
// per-second rates; `isCircuitBreakerOpen` is OPEN or CLOSED (Hystrix reports no HALF_OPEN).
std::optional<BreakerReading> readingFromHystrixCommand(const QJsonObject &message, const QString &source);
// Fills the bulkhead figures from a HystrixThreadPool message (the pool named after the command's
// threadPoolKey, or the command itself).
void applyHystrixThreadPool(const QJsonObject &message, BreakerReading &reading);

struct HystrixSourceOptions
{
    QUrl url;
    QByteArray bearerToken;                             // empty: none
    Duration connectTimeout = std::chrono::seconds(10); // until the first byte
    Duration idleTimeout = std::chrono::seconds(15);    // a stream silent this long has dropped
    Duration firstBackoff = std::chrono::seconds(1);    // the first reconnection's delay, then doubled
    Duration maxBackoff = std::chrono::seconds(30);
};

// Keeps a Hystrix stream open and the latest message of each command; refresh() publishes them.
// A dropped, silent or unreadable stream is reported (status() unreachable, with the reason) and
// reconnected after a back-off that doubles up to maxBackoff, through the scheduler; a message
// resets it. A command silent for three idle timeouts is dropped from the readings.
class HystrixSource final : public FleetSource
{
public:
    HystrixSource(Scheduler &scheduler, HystrixSourceOptions options);
    ~HystrixSource() override;

    void refresh() override;
    bool refreshing() const override { return false; }
    // Hystrix keeps no history: calls back at once with that error.
    void fetchHistory(std::int64_t fromMs, std::int64_t toMs, Duration step, HistoryCallback done) override;

    // How many times the stream was (re)connected, and the delay the next reconnection will wait
    // (firstBackoff again once a message came).
    int connections() const { return m_connections; }
    Duration nextBackoff() const { return m_backoff; }

private:
    void connect();
    void watchIdle(Duration after);
    void dropped(const QString &reason);
    void onMessage(const QJsonObject &message);

    Scheduler &m_scheduler;
    HystrixSourceOptions m_options;
    std::unique_ptr<QNetworkAccessManager> m_network;
    QNetworkReply *m_reply = nullptr;
    HystrixStreamParser m_parser;
    struct Command
    {
        BreakerReading reading;
        QString threadPool;
        TimePoint seenAt {};
    };
    QHash<QString, Command> m_commands; // by group/name
    QHash<QString, QJsonObject> m_threadPools;
    Duration m_backoff {};
    TimerId m_reconnectTimer = 0;
    TimerId m_idleTimer = 0;
    TimePoint m_lastBytes {};
    int m_connections = 0;
    QString m_dropReason;
};

} // namespace bw
