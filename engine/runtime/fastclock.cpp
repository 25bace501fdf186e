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

struct Calibration
{
    bool tsc = false;
    std::uint64_t tsc0 = 0;
    std::chrono::steady_clock::time_point steady0;
    // nanoseconds = (ticks * multiplier) >> 32, in 128-bit arithmetic so it never overflows.
    unsigned __int128 multiplier = 0;

    Calibration()
    {
        steady0 = std::chrono::steady_clock::now();
#ifdef BW_HAVE_TSC
        std::ifstream source("/sys/devices/system/clocksource/clocksource0/current_clocksource");
        std::string name;
        if (!(source >> name) || name != "tsc")
            return; // the kernel does not trust the counter here: neither do we
        const std::uint64_t t0 = __rdtsc();
        const auto s0 = std::chrono::steady_clock::now();
        std::chrono::steady_clock::time_point s1;
        std::uint64_t t1;
        do { // 5 ms: a rate error around 1e-5, far below what any timer here needs
            t1 = __rdtsc();
            s1 = std::chrono::steady_clock::now();
        } while (s1 - s0 < std::chrono::milliseconds(5));
        const double nsPerTick = double(std::chrono::duration_cast<std::chrono::nanoseconds>(s1 - s0).count()) / double(t1 - t0);
        if (!(nsPerTick > 0))
            return;
        multiplier = static_cast<unsigned __int128>(nsPerTick * 4294967296.0);
        tsc0 = t1;
        steady0 = s1;
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
