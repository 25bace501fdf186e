#pragma once

#include <cstdint>

namespace bw::bench {

// Heap allocations made by this thread so far (global operator new is replaced in this binary).
std::uint64_t allocationsOnThisThread();

} // namespace bw::bench
