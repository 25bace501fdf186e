#include "queueing.h"

#include <cmath>

namespace bw::queueing {

double erlangB(int servers, double erlangs)
{
    // B(0) = 1, B(k) = a B(k−1) / (k + a B(k−1)): no factorial, no overflow, for any c.
    double b = 1;
    for (int k = 1; k <= servers; ++k)
        b = erlangs * b / (k + erlangs * b);
    return b;
}

double erlangC(int servers, double erlangs)
{
    const double b = erlangB(servers, erlangs);
    return servers * b / (servers - erlangs * (1 - b));
}

double mmcMeanResponse(int servers, double erlangs)
{
    return erlangC(servers, erlangs) / (servers - erlangs) + 1;
}

double md1MeanWait(double utilisation)
{
    return utilisation / (2 * (1 - utilisation));
}

double mm1kBlocking(double utilisation, int systemSize)
{
    if (utilisation == 1)
        return 1.0 / (systemSize + 1);
    return (1 - utilisation) * std::pow(utilisation, systemSize) / (1 - std::pow(utilisation, systemSize + 1));
}

double studentT975(int degreesOfFreedom)
{
    static constexpr double table[] = { 12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262,
        2.228, 2.201, 2.179, 2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069,
        2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042 };
    constexpr int rows = int(std::size(table));
    if (degreesOfFreedom < 1)
        return INFINITY;
    return degreesOfFreedom <= rows ? table[degreesOfFreedom - 1] : 1.96 + 2.4 / degreesOfFreedom;
}

Estimate estimate(const std::vector<double> &replications)
{
    Estimate e;
    e.samples = int(replications.size());
    if (replications.empty())
        return e;
    for (double x : replications)
        e.mean += x;
    e.mean /= e.samples;
    if (e.samples < 2) {
        e.halfWidth = INFINITY; // one replication says nothing about its own spread
        return e;
    }
    double squares = 0;
    for (double x : replications)
        squares += (x - e.mean) * (x - e.mean);
    const double variance = squares / (e.samples - 1);
    e.halfWidth = studentT975(e.samples - 1) * std::sqrt(variance / e.samples);
    return e;
}

} // namespace bw::queueing
