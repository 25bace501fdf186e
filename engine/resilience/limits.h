#pragma once

namespace bw {

// The largest values a file, a control event or the GUI may set (docs/formats.md, "Limits"): far
// beyond any real setting, and small enough that memory and integer arithmetic survive them
// (a count window keeps a byte per call; nanoseconds overflow after 292 years). The loaders refuse
// anything larger with the usual file:line:col: key message; the GUI's ranges stop at them.
namespace Limits {
// Thresholds, attempts, bulkhead and service sizes, count windows, brownout capacities.
constexpr int MaxCount = 1'000'000;
// Every duration: time limits, delays, time windows, latencies, a run, the times of faults
// and control events. A day: a simulated run is at most one.
constexpr double MaxDurationMs = 86'400'000;
// Calls (or requests) per second: arrival rates, rate limits, retry budgets.
constexpr double MaxRate = 1e6;
} // namespace Limits

} // namespace bw
