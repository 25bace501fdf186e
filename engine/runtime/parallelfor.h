#pragma once

#include <functional>

namespace bw {

// Runs job(0) … job(jobs - 1) on `threads` threads (the caller's among them), each index once, in
// no particular order, and returns when all are done. Each job should write only its own result
// (a slot by index), so that what the caller gathers does not depend on the number of threads.
void parallelFor(int jobs, int threads, const std::function<void(int)> &job);

// The number of threads to use by default: one per core, at least one.
int defaultThreadCount();

} // namespace bw
