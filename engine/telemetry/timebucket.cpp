#include "timebucket.h"

namespace bw {

std::int64_t OperationPoint::ended() const
{
    std::int64_t n = 0;
    for (std::int64_t c : outcomes)
        n += c;
    return n;
}

std::int64_t OperationPoint::timeoutsTotal() const
{
    std::int64_t n = 0;
    for (std::int64_t c : timeouts)
        n += c;
    return n;
}

double OperationPoint::attemptsPerCall() const
{
    const std::int64_t n = ended();
    return n ? double(attempts) / double(n) : 0.0;
}

namespace {

double percentOf(int value, int limit)
{
    if (limit < 0)
        return -1;
    if (limit == 0)
        return 0;
    return 100.0 * double(value) / double(limit);
}

} // namespace

double BulkheadPoint::utilizationPercent() const
{
    return percentOf(active, maxConcurrent);
}

double BulkheadPoint::queuePercent() const
{
    return percentOf(queued, maxQueueSize);
}

} // namespace bw
