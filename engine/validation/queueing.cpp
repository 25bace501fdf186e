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

} // namespace bw::queueing
