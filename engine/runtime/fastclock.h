#pragma once

#include "duration.h"

namespace bw {

// Monotonic nanoseconds for the wall clock, read on every call that the engine times. Where the
// kernel itself keeps time with the CPU's invariant time-stamp counter (current_clocksource is
// "tsc": constant rate, synchronised across cores), the counter is read directly and scaled,
// about 10 ns; elsewhere it is std::chrono::steady_clock (about 25 ns here, through the vDSO).
// The scale is calibrated once, against steady_clock, over a few milliseconds the first time.
class FastClock
{
public:
    static TimePoint now();
    // Whether now() reads the time-stamp counter (for the benchmarks' notes and tests).
    static bool usesTimeStampCounter();
};

} // namespace bw
