#include "errorcode.h"

#include <QHash>
#include <QReadWriteLock>
#include <QStringList>

namespace bw {

namespace {

struct CodeTable
{
    QReadWriteLock lock;
    QStringList names { QString() };
    QHash<QString, std::uint16_t> ids;

    CodeTable()
    {
        for (const char *name : { "TIMEOUT", "CIRCUIT_TIMEOUT", "CIRCUIT_OPEN", "BULKHEAD_QUEUE_FULL",
                                  "BULKHEAD_QUEUE_TIMEOUT", "BULKHEAD_QUEUE_CLEARED", "CANCELLED",
                                  "RATE_LIMIT", "TOO_MANY_REQUESTS", "NETWORK_ERROR", "ECONNREFUSED",
                                  "ECONNRESET", "ENOTFOUND", "ETIMEDOUT", "RETRY_BUDGET_EXHAUSTED",
                                  "REQUEST_NOT_PERMITTED", "THROTTLED", "LIMIT_EXCEEDED" })
            add(QString::fromLatin1(name));
        for (int status = 100; status < 600; ++status)
            add(QString::number(status));
    }
    std::uint16_t add(const QString &name)
    {
        const auto id = static_cast<std::uint16_t>(names.size());
        names.append(name);
        ids.insert(name, id);
        return id;
    }
};

CodeTable &table()
{
    static CodeTable t;
    return t;
}

} // namespace

const ErrorCode ErrorCode::Timeout { 1 };
const ErrorCode ErrorCode::CircuitTimeout { 2 };
const ErrorCode ErrorCode::CircuitOpen { 3 };
const ErrorCode ErrorCode::BulkheadQueueFull { 4 };
const ErrorCode ErrorCode::BulkheadQueueTimeout { 5 };
const ErrorCode ErrorCode::BulkheadQueueCleared { 6 };
const ErrorCode ErrorCode::Cancelled { 7 };
const ErrorCode ErrorCode::RateLimit { 8 };
const ErrorCode ErrorCode::TooManyRequests { 9 };
const ErrorCode ErrorCode::NetworkError { 10 };
const ErrorCode ErrorCode::ConnectionRefused { 11 };
const ErrorCode ErrorCode::ConnectionReset { 12 };
const ErrorCode ErrorCode::NotFound { 13 };
const ErrorCode ErrorCode::TimedOut { 14 };
const ErrorCode ErrorCode::RetryBudgetExhausted { 15 };
const ErrorCode ErrorCode::RequestNotPermitted { 16 };
const ErrorCode ErrorCode::Throttled { 17 };
const ErrorCode ErrorCode::LimitExceeded { 18 };
// The HTTP statuses follow the named codes: a new named code goes before them, here and above.
constexpr std::uint16_t FirstHttpStatusId = 19;

ErrorCode ErrorCode::fromString(QStringView code)
{
    CodeTable &t = table();
    const QString key = code.toString();
    {
        QReadLocker read(&t.lock);
        const auto it = t.ids.constFind(key);
        if (it != t.ids.constEnd())
            return ErrorCode(*it);
    }
    QWriteLocker write(&t.lock);
    const auto it = t.ids.constFind(key);
    if (it != t.ids.constEnd())
        return ErrorCode(*it);
    Q_ASSERT(t.names.size() < 65535);
    return ErrorCode(t.add(key));
}

ErrorCode ErrorCode::httpStatus(int status)
{
    if (status >= 100 && status < 600)
        return ErrorCode(static_cast<std::uint16_t>(FirstHttpStatusId + (status - 100)));
    return fromString(QString::number(status));
}

QString ErrorCode::toString() const
{
    CodeTable &t = table();
    QReadLocker read(&t.lock);
    return t.names.value(m_id);
}

} // namespace bw
