#pragma once

#include "../runtime/random.h"
#include "scenario.h"

namespace bw {

// Draws service times from a LatencyConfig. Lognormal is parameterised the way people
// describe latency: a median and a p99 (sigma = ln(p99/median) / 2.326).
class LatencySampler
{
public:
    explicit LatencySampler(const LatencyConfig &config);
    Duration sample(Random &random) const;

private:
    static double standardNormal(Random &random);
    LatencyConfig m_config;
    double m_mu = 0, m_sigma = 0; // lognormal, in ln(ns)
};

} // namespace bw
