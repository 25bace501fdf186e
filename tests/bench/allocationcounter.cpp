#include "allocationcounter.h"

// The one translation unit of the benchmark binary that replaces global operator new.
#include "countingnew.h"

std::uint64_t bw::bench::allocationsOnThisThread()
{
    return bw::test::allocationsOnThisThread();
}
