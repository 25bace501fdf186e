#include "statistics.h"

#include <QtGlobal>

#include <array>
#include <cmath>

namespace bw {

double studentT975(int degreesOfFreedom)
{
    static constexpr std::array<double, 30> Table { 12.706204736, 4.302652730, 3.182446305, 2.776445105,
        2.570581836, 2.446911851, 2.364624252, 2.306004135, 2.262157163, 2.228138852, 2.200985160, 2.178812830,
        2.160368656, 2.144786688, 2.131449546, 2.119905299, 2.109815578, 2.100922040, 2.093024054, 2.085963447,
        2.079613845, 2.073873068, 2.068657610, 2.063898562, 2.059538553, 2.055529439, 2.051830516, 2.048407142,
        2.045229642, 2.042272456 };
    if (degreesOfFreedom < 1)
        return INFINITY;
    if (degreesOfFreedom <= int(Table.size()))
        return Table[std::size_t(degreesOfFreedom - 1)];
    // The normal quantile corrected in powers of 1/n (Abramowitz & Stegun 26.7.5).
    const double z = 1.959963984540054, n = degreesOfFreedom;
    const double z3 = z * z * z, z5 = z3 * z * z, z7 = z5 * z * z, z9 = z7 * z * z;
    return z + (z3 + z) / (4 * n) + (5 * z5 + 16 * z3 + 3 * z) / (96 * n * n)
        + (3 * z7 + 19 * z5 + 17 * z3 - 15 * z) / (384 * n * n * n)
        + (79 * z9 + 776 * z7 + 1482 * z5 - 1920 * z3 - 945 * z) / (92160 * n * n * n * n);
}

Estimate estimate(const std::vector<double> &samples)
{
    Estimate e;
    e.samples = int(samples.size());
    if (samples.empty())
        return e;
    for (double x : samples)
        e.mean += x;
    e.mean /= e.samples;
    if (e.samples < 2) {
        e.halfWidth = INFINITY;
        return e;
    }
    double squares = 0;
    for (double x : samples)
        squares += (x - e.mean) * (x - e.mean);
    const double variance = squares / (e.samples - 1);
    e.halfWidth = studentT975(e.samples - 1) * std::sqrt(variance / e.samples);
    return e;
}

Estimate pairedDifference(const std::vector<double> &a, const std::vector<double> &b)
{
    Q_ASSERT(a.size() == b.size());
    std::vector<double> differences(a.size());
    for (std::size_t i = 0; i < a.size(); ++i)
        differences[i] = a[i] - b[i];
    return estimate(differences);
}

} // namespace bw
