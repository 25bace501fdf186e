#pragma once

#include <chrono>
#include <cstdint>

namespace bw {

// All engine time is a duration since the owning clock's epoch, in nanoseconds.
// Configs and files speak milliseconds; convert at the edges with these helpers.
using Duration = std::chrono::nanoseconds;
using TimePoint = Duration;

// Rounds to the nearest nanosecond: truncating turned 1.044444 ms (1044443.99… ns in binary) into
// 1.044443 ms, so a duration written with toMs() and read back drifted (found by fuzz_chaos).
constexpr Duration fromMs(double ms)
{
    return Duration(static_cast<std::int64_t>(ms * 1e6 + (ms < 0 ? -0.5 : 0.5)));
}
constexpr Duration fromMs(std::int64_t ms) { return std::chrono::milliseconds(ms); }
constexpr Duration fromMs(int ms) { return std::chrono::milliseconds(ms); }
constexpr double toMs(Duration d) { return static_cast<double>(d.count()) / 1e6; }
constexpr double toSeconds(Duration d) { return static_cast<double>(d.count()) / 1e9; }

} // namespace bw
