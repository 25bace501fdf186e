#pragma once

#include <vector>

namespace bw {

// A sample mean with the half-width of its two-sided 95 % confidence interval (Student t with
// n − 1 degrees of freedom), from independent replications or seeds: mean ± halfWidth. With one
// sample the half-width is infinite: one value says nothing about its own spread.
struct Estimate
{
    double mean = 0;
    double halfWidth = 0;
    int samples = 0;

    double low() const { return mean - halfWidth; }
    double high() const { return mean + halfWidth; }
    // The interval holds 0, so the samples cannot tell the sign of the figure (for a difference:
    // which side is larger). True with fewer than two samples.
    bool includesZero() const { return low() <= 0 && high() >= 0; }
};

Estimate estimate(const std::vector<double> &samples);

// The paired difference a − b, sample by sample: a and b measured on the same seeds, so the noise
// they share cancels and the interval is tighter than that of two separate means. Same sizes.
Estimate pairedDifference(const std::vector<double> &a, const std::vector<double> &b);

// The 97.5 % quantile of Student's t with `degreesOfFreedom` (≥ 1; infinite below): exact to nine
// digits up to 30, the Cornish-Fisher expansion beyond (error below 1e-7).
double studentT975(int degreesOfFreedom);

} // namespace bw
