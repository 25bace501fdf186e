#pragma once

#include "../runtime/duration.h"
#include "../runtime/random.h"

#include <QLatin1StringView>
#include <QStringList>

#include <cstdint>

namespace bw {

// Netflix concurrency-limits' limit algorithms, with their names and defaults (docs/semantics.md,
// "Adaptive concurrency limit"): the limit of calls in flight follows the latency measured.
enum class LimitAlgorithm : std::uint8_t { Vegas, Gradient2, Aimd };
// "vegas", "gradient2", "aimd": the policy file's names, in this order.
QLatin1StringView limitAlgorithmName(LimitAlgorithm algorithm);
QStringList limitAlgorithmNames();

struct ConcurrencyLimitConfig
{
    LimitAlgorithm algorithm = LimitAlgorithm::Gradient2;
    // Every algorithm (Gradient2Limit's and AIMDLimit's builders; VegasLimit's initialLimit and
    // maxConcurrency, its floor 1).
    int initialLimit = 20;
    int minLimit = 20;
    int maxLimit = 200;
    // Gradient2Limit (smoothing also VegasLimit's, whose default is 1.0).
    double smoothing = 0.2;
    double rttTolerance = 1.5;
    int longWindow = 600; // samples of the long-term RTT's exponential average
    int queueSize = 4;
    // AIMDLimit
    double backoffRatio = 0.9;
    Duration timeout = fromMs(5000); // a sample longer than this is a drop
    // VegasLimit
    int probeMultiplier = 30;
    friend bool operator==(const ConcurrencyLimitConfig &, const ConcurrencyLimitConfig &) = default;

    // The library's defaults for `algorithm`, where they differ between algorithms.
    static ConcurrencyLimitConfig defaultsFor(LimitAlgorithm algorithm);
};

// The limit alone: update() takes one sample (a call's latency, the calls in flight when it
// started, whether it was dropped) and moves the limit as the library's _update() does. Vegas
// probes for a new no-load RTT at a jittered interval: the jitter is drawn from the generator
// handed in (the run's seeded stream), and only then, so the other algorithms leave every draw
// of the run as it was. Not thread-safe; no allocation.
class ConcurrencyLimit
{
public:
    explicit ConcurrencyLimit(ConcurrencyLimitConfig config);

    int limit() const { return int(m_estimated); }
    double estimatedLimit() const { return m_estimated; }
    // `random`: Vegas' probe jitter when it picks a new one; the others draw nothing.
    void update(Duration rtt, int inflight, bool didDrop, Random &random);
    const ConcurrencyLimitConfig &config() const { return m_config; }
    // A live change keeps the estimate, within the new bounds.
    void setConfig(const ConcurrencyLimitConfig &config);

private:
    void updateGradient2(double rtt, int inflight);
    void updateAimd(Duration rtt, int inflight, bool didDrop);
    void updateVegas(double rtt, int inflight, bool didDrop, Random &random);

    ConcurrencyLimitConfig m_config;
    double m_estimated;
    // Gradient2: the long-term RTT, an exponential average after a plain mean of the first 10
    double m_longRtt = 0;
    int m_longCount = 0;
    // Vegas
    double m_rttNoLoad = 0;
    int m_probeCount = 0;
    double m_probeJitter = 0.75;
};

} // namespace bw
