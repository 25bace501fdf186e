#pragma once

#include "../runtime/random.h"
#include "../scenario/scenario.h"

namespace bw {

// Draws service times from a LatencyConfig, one uniform draw per sample (so a request's stream,
// and common random numbers across policies, do not depend on the distribution's shape).
//
// - lognormal is parameterised the way people describe latency: a median and a p99
//   (sigma = ln(p99/median) / 2.326);
// - exponential: −mean × ln(1 − u);
// - pareto (type I): minMs × (1 − u)^(−1/alpha); alpha ≤ 1 has no finite mean;
// - percentiles: ln(latency) is linear in the standard normal quantile z between the given
//   points (p50, p90, p99, p999), so every point is met exactly and two points from a lognormal
//   give that lognormal back; below p50 the first segment's slope continues, beyond the highest
//   point the last one's (a lognormal tail with the spread the dashboard shows there).
// Every sample is capped at ~31 years: a heavy tail's far end would overflow int64 nanoseconds.
class LatencySampler
{
public:
    explicit LatencySampler(const LatencyConfig &config);
    Duration sample(Random &random) const;

    // The inverse standard normal CDF (Acklam's rational approximation, relative error below
    // 1.2e-9), for p in (0, 1).
    static double normalQuantile(double p);

private:
    static double standardNormal(Random &random);
    static Duration capped(double ns);
    LatencyConfig m_config;
    double m_mu = 0, m_sigma = 0; // lognormal, in ln(ns)
    double m_inverseAlpha = 0;    // pareto
    // percentiles: knots (z, ln ns) and the slope from each knot on (the last one's continues)
    int m_knots = 0;
    double m_z[4] {}, m_logNs[4] {}, m_slope[4] {};
};

} // namespace bw
