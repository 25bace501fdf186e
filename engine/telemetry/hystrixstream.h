#pragma once

#include "metricsrecorder.h"

#include <QByteArray>
#include <QJsonObject>
#include <QList>

namespace bw {

// Hystrix Dashboard's stream format (what HystrixMetricsStreamServlet sends): one HystrixCommand
// object per operation and one HystrixThreadPool object per bulkhead, with every key the
// dashboard reads. Counts are Hystrix's rolling window (10 s of the run's virtual time, see
// MetricsSnapshot::HystrixWindow); latencies in milliseconds; `currentTimeMs` is wall time
// (epoch milliseconds), as Hystrix reports it. The group is "breakwater"; each command's thread
// pool is its bulkhead (named after the operation).
QJsonObject hystrixCommand(const MetricsSnapshot::Operation &op, qint64 currentTimeMs);
QJsonObject hystrixThreadPool(const MetricsSnapshot::Bulkhead &bulkhead, qint64 currentTimeMs);

// Every message of a snapshot as server-sent events: "data: {json}\n\n" each.
QByteArray hystrixEvents(const MetricsSnapshot &snapshot, qint64 currentTimeMs);

} // namespace bw
