#pragma once

#include "timebucket.h"

#include <QByteArray>
#include <QList>

namespace bw {

// The header row of timeSeriesCsv, newline included.
QByteArray timeSeriesCsvHeader();

// A recorded series as CSV, one row per bucket and operation, in time order: the coarse buckets
// for the span before the first coarse boundary `fine` holds (each standing for the fine buckets
// it merged), then the fine buckets from there. Columns:
//   start_ms, end_ms                  the bucket, in virtual milliseconds
//   operation
//   offered, <every outcome>          success, fallback, failure, timeout, circuit_open,
//                                     bulkhead_full, bulkhead_timeout, rate_limited, throttled,
//                                     limit_exceeded, cancelled
//                                     (AllOutcomes' order): calls ended
//   attempts, retries, timeouts       timeouts: time limits expired, all stages
//   latency_p50_ms .. latency_max_ms  p50, p95, p99, max; empty when no call ended (but cut off)
//   breaker_state, breaker_changes    the breaker named after the operation; empty if none
//   bulkhead_active, bulkhead_peak_active, bulkhead_max_concurrent, bulkhead_queued,
//   bulkhead_peak_queued, bulkhead_max_queue_size   the bulkhead named after the operation
//   service, service_received, service_in_service, service_queued, service_capacity,
//   service_served, service_wasted    the service the operation calls (layout.operationServices);
//                                     service_wasted empty when unknown (a URL service)
//   concurrency_limit                 the operation's adaptive concurrency limit at the row's
//                                     end; empty when it has none
// Milliseconds carry at most three decimals.
QByteArray timeSeriesCsv(
    const TimeSeriesLayout &layout, const QList<TimeBucketPtr> &coarse, const QList<TimeBucketPtr> &fine);

} // namespace bw
