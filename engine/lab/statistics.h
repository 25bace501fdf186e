#pragma once

#include <vector>

namespace bw {

// A figure over several seeds: its mean and the half-width of its 95 % confidence interval
// (Student t with n − 1 degrees of freedom), so the interval is mean ± halfWidth. With one
// value the half-width is 0: one seed says nothing about the spread.
struct Estimate
{
    double mean = 0;
    double halfWidth = 0;
    int count = 0;

    double low() const { return mean - halfWidth; }
    double high() const { return mean + halfWidth; }
    // The interval holds 0: the data cannot tell the sign of the figure (for a difference: which
    // candidate is better). Always true with one value.
    bool includesZero() const { return count < 2 || (low() <= 0 && high() >= 0); }
};

// The 0.975 quantile of Student's t distribution with `df` ≥ 1 degrees of freedom: exact to
// nine digits up to 30, the Cornish-Fisher expansion beyond (error below 1e-7).
double studentT975(int df);

Estimate estimate(const std::vector<double> &values);

// The paired difference a − b, value by value (the same seeds on both sides, so the noise both
// share cancels): the estimate of the differences. The vectors have the same size.
Estimate pairedDifference(const std::vector<double> &a, const std::vector<double> &b);

} // namespace bw
