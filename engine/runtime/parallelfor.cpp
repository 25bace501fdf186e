#include "parallelfor.h"

#include <QThread>

#include <algorithm>
#include <atomic>
#include <thread>
#include <vector>

namespace bw {

void parallelFor(int jobs, int threads, const std::function<void(int)> &job)
{
    std::atomic<int> next { 0 };
    const auto worker = [&] {
        for (int i = next++; i < jobs; i = next++)
            job(i);
    };
    std::vector<std::thread> pool;
    for (int t = 1; t < std::min(threads, jobs); ++t)
        pool.emplace_back(worker);
    worker();
    for (std::thread &t : pool)
        t.join();
}

int defaultThreadCount()
{
    return std::max(1, QThread::idealThreadCount());
}

} // namespace bw
