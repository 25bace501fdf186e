#pragma once

#include "../runtime/duration.h"

namespace bw {

// Polly v8's HedgingStrategy, with its names and defaults (docs/semantics.md, "Hedging"): when
// an attempt has not answered after `delay`, another starts in parallel, up to
// maxHedgedAttempts more; an attempt that fails starts the next one at once. The first success
// wins and the others are cancelled; when every attempt failed, the last failure is the result.
// The pipeline runs it (its stage is the operation's side): the per-call state is one timer and
// the pooled attempts, so it allocates nothing.
struct HedgingConfig
{
    // Polly's upper bound; at least 1, since a section that never hedges is one turned off.
    static constexpr int MaxHedgedAttempts = 10;
    int maxHedgedAttempts = 1;
    Duration delay = fromMs(2000); // 0: every attempt starts at once
    friend bool operator==(const HedgingConfig &, const HedgingConfig &) = default;
};

} // namespace bw
