#pragma once

#include "metricsrecorder.h"

#include <QByteArray>

namespace bw {

// The Prometheus text exposition (format 0.0.4) of a snapshot, with the names and labels of
// docs/semantics.md ("Exported metrics"), built with prometheus-cpp's registry and serializer:
//   circuit_breaker_state_changes_total{name,from,to}   every possible transition, 0 until it happens
//   circuit_breaker_calls_total{name,result}            success, failure (recorded), rejected
//   circuit_breaker_state{name,state}                   1 for the current state, 0 for the others
//   circuit_breaker_failure_rate{name}                  over the breaker's window, 0..1
//   retry_attempts_total{name}                          retries scheduled
//   timeout_operations_total{name}                      time limits that expired (any stage)
//   bulkhead_executions_total{name,state}               active (started), queued, rejected
//   bulkhead_active{name}, bulkhead_queued{name}
//   resilience_call_duration_seconds{name,outcome}      every outcome of every operation
//   backend_requests_served_total{name}                 a simulated service's throughput
//   backend_requests_wasted_total{name}                 of those, served after the caller gave up
// State label values are lower case (closed, open, half_open, disabled, forced_open,
// metrics_only); outcomes as in the events file.
QByteArray prometheusExposition(const MetricsSnapshot &snapshot);

inline constexpr const char *PrometheusContentType = "text/plain; version=0.0.4; charset=utf-8";

} // namespace bw
