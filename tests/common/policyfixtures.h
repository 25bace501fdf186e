#pragma once

#include "resilience/policy.h"

namespace bw::test {

// A policy named "op" with no stage on yet.
inline PolicyConfig bare(QList<StageKind> order = PolicyConfig::defaultOrder())
{
    PolicyConfig p;
    p.name = QStringLiteral("op");
    p.order = std::move(order);
    return p;
}

// A breaker that trips on consecutive failures only, stays open 1 s and closes after one
// successful trial; timeoutMs 0 gives it no call timeout of its own.
inline CircuitBreakerConfig breakerOf(int failureThreshold, int timeoutMs = 0)
{
    CircuitBreakerConfig b;
    b.failureThreshold = failureThreshold;
    b.failureRateThreshold = 0;
    b.slowCallRateThreshold = 0;
    b.timeout = fromMs(timeoutMs);
    b.resetTimeout = fromMs(1000);
    b.successThreshold = 1;
    return b;
}

// queueTimeoutMs 0: no limit on the queue wait.
inline BulkheadConfig bulkheadOf(int concurrent, int queue, int queueTimeoutMs = 0)
{
    BulkheadConfig b;
    b.maxConcurrent = concurrent;
    b.maxQueueSize = queue;
    b.timeout = fromMs(queueTimeoutMs);
    return b;
}

} // namespace bw::test
