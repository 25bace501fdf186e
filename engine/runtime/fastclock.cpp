#include "fastclock.h"

#include <chrono>
#include <cstdint>
#include <fstream>
#include <string>

#if defined(__x86_64__) || defined(__i386__)
#include <x86intrin.h>
#define BW_HAVE_TSC 1
#endif

namespace bw {

namespace {

// One reading of the counter and of steady_clock at (nearly) the same instant: steady_clock is
// read on both sides of the counter, and the pair kept only when nothing came between them.
// A thread preempted between two reads would otherwise skew the scale by the length of the
// preemption (seen on a loaded 2-core machine: a factor of two).
struct ClockPair
{
    std::uint64_t ticks = 0;
    std::chrono::steady_clock::time_point steady;
    std::chrono::nanoseconds spread = std::chrono::nanoseconds::max();
};

ClockPair readPair()
{
    ClockPair best;
    for (int attempt = 0; attempt < 1000 && best.spread > std::chrono::microseconds(2); ++attempt) {
        const auto before = std::chrono::steady_clock::now();
        const std::uint64_t ticks = __rdtsc();
        const auto after = std::chrono::steady_clock::now();
        const auto spread = std::chrono::duration_cast<std::chrono::nanoseconds>(after - before);
        if (spread < best.spread)
            best = ClockPair { ticks, before + (after - before) / 2, spread };
    }
    return best;
}

// A GCC/Clang extension, named once so the pedantic warning is not repeated at each use.
__extension__ using Uint128 = unsigned __int128;

struct Calibration
{
    bool tsc = false;
    std::uint64_t tsc0 = 0;
    std::chrono::steady_clock::time_point steady0;
    // nanoseconds = (ticks * multiplier) >> 32, in 128-bit arithmetic so it never overflows.
    Uint128 multiplier = 0;

    Calibration()
    {
        steady0 = std::chrono::steady_clock::now();
#ifdef BW_HAVE_TSC
        std::ifstream source("/sys/devices/system/clocksource/clocksource0/current_clocksource");
        std::string name;
        if (!(source >> name) || name != "tsc")
            return; // the kernel does not trust the counter here: neither do we
        // Two tight pairs 20 ms apart: the scale is then good to about 2e-4 at worst (2 µs of
        // spread over 20 ms), typically far better, whatever else the machine is doing.
        const ClockPair first = readPair();
        ClockPair last;
        do
            last = readPair();
        while (last.steady - first.steady < std::chrono::milliseconds(20));
        if (first.spread > std::chrono::microseconds(20) || last.spread > std::chrono::microseconds(20)
            || last.ticks <= first.ticks)
            return; // could not get a clean reading: keep steady_clock
        const double nsPerTick = double(std::chrono::duration_cast<std::chrono::nanoseconds>(last.steady - first.steady).count())
                / double(last.ticks - first.ticks);
        multiplier = static_cast<Uint128>(nsPerTick * 4294967296.0);
        tsc0 = last.ticks;
        steady0 = last.steady;
        tsc = true;
#endif
    }
};

const Calibration &calibration()
{
    static const Calibration c;
    return c;
}

} // namespace

TimePoint FastClock::now()
{
    const Calibration &c = calibration();
#ifdef BW_HAVE_TSC
    if (c.tsc) {
        const std::uint64_t ticks = __rdtsc() - c.tsc0;
        return Duration(std::int64_t((ticks * c.multiplier) >> 32));
    }
#endif
    return std::chrono::duration_cast<Duration>(std::chrono::steady_clock::now() - c.steady0);
}

bool FastClock::usesTimeStampCounter()
{
    return calibration().tsc;
}

} // namespace bw
