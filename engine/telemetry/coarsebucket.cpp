#include "coarsebucket.h"

#include <algorithm>

namespace bw {

namespace {

void merge(OperationPoint &a, const OperationPoint &b)
{
    a.offered += b.offered;
    for (std::size_t k = 0; k < a.outcomes.size(); ++k)
        a.outcomes[k] += b.outcomes[k];
    a.attempts += b.attempts;
    a.retries += b.retries;
    for (std::size_t k = 0; k < a.timeouts.size(); ++k)
        a.timeouts[k] += b.timeouts[k];
    a.minOffered = std::min(a.minOffered, b.minOffered);
    a.maxOffered = std::max(a.maxOffered, b.maxOffered);
    a.minEnded = std::min(a.minEnded, b.minEnded);
    a.maxEnded = std::max(a.maxEnded, b.maxEnded);
    a.maxP99 = std::max(a.maxP99, b.maxP99);
    a.concurrencyLimit = b.concurrencyLimit;
}

void merge(BreakerPoint &a, const BreakerPoint &b)
{
    a.state = b.state;
    a.failureRate = b.failureRate;
    a.slowCallRate = b.slowCallRate;
    a.windowCalls = b.windowCalls;
    a.changes += b.changes;
    for (std::size_t k = 0; k < a.timeInState.size(); ++k)
        a.timeInState[k] += b.timeInState[k];
    a.rejected += b.rejected;
}

void merge(BulkheadPoint &a, const BulkheadPoint &b)
{
    a.active = b.active;
    a.queued = b.queued;
    a.peakActive = std::max(a.peakActive, b.peakActive);
    a.peakQueued = std::max(a.peakQueued, b.peakQueued);
    a.maxConcurrent = b.maxConcurrent;
    a.maxQueueSize = b.maxQueueSize;
    a.rejected += b.rejected;
    a.timeouts += b.timeouts;
}

void merge(ServicePoint &a, const ServicePoint &b)
{
    a.received += b.received;
    a.errorsServed += b.errorsServed;
    a.served += b.served;
    a.wasted = a.wasted < 0 || b.wasted < 0 ? -1 : a.wasted + b.wasted;
    a.inService = b.inService;
    a.queued = b.queued;
    a.capacity = b.capacity;
    a.peakInService = std::max(a.peakInService, b.peakInService);
    a.peakQueued = std::max(a.peakQueued, b.peakQueued);
}

template<typename T> void mergeVector(std::vector<T> &into, const std::vector<T> &from)
{
    for (std::size_t i = 0; i < from.size(); ++i) {
        if (i < into.size())
            merge(into[i], from[i]);
        else
            into.push_back(from[i]); // registered during this coarse bucket
    }
}

} // namespace

void addToCoarse(TimeBucket &coarse, const TimeBucket &fine, int coarseFactor, int maxChanges)
{
    if (coarse.spans == 0) {
        coarse = fine;
        coarse.seq = fine.seq / coarseFactor;
        return;
    }
    coarse.end = fine.end;
    ++coarse.spans;
    mergeVector(coarse.operations, fine.operations);
    mergeVector(coarse.breakers, fine.breakers);
    for (const BreakerChange &c : fine.changes) {
        if (int(coarse.changes.size()) >= maxChanges)
            break;
        coarse.changes.push_back(c);
    }
    mergeVector(coarse.bulkheads, fine.bulkheads);
    mergeVector(coarse.services, fine.services);
}

} // namespace bw
