#pragma once

#include "timebucket.h"

namespace bw {

// Adds a completed fine bucket to the coarse bucket in progress (spans == 0 when empty, which
// `fine` then starts, its seq divided by `coarseFactor`): counts are summed, gauges take the
// latest value, peaks and the per-fine-bucket envelopes the extremes, and at most
// `maxChanges` breaker changes are listed. Latency percentiles are not merged here: they come
// from the recorder's merged histograms when the coarse bucket closes.
void addToCoarse(TimeBucket &coarse, const TimeBucket &fine, int coarseFactor, int maxChanges);

} // namespace bw
