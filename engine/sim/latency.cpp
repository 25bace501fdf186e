#include "latency.h"

#include <cmath>

namespace bw {

namespace {
constexpr double Z99 = 2.3263478740408408; // the standard normal's 99th percentile
}

LatencySampler::LatencySampler(const LatencyConfig &config)
    : m_config(config)
{
    switch (config.kind) {
    case LatencyKind::Lognormal: {
        const double median = std::max(1.0, double(config.median.count()));
        const double p99 = std::max(median, double(config.p99.count()));
        m_mu = std::log(median);
        m_sigma = std::log(p99 / median) / Z99;
        break;
    }
    case LatencyKind::Pareto:
        m_inverseAlpha = config.alpha > 0 ? 1 / config.alpha : 0;
        break;
    case LatencyKind::Percentiles: {
        const std::pair<double, Duration> points[] = { { 0.5, config.median }, { 0.9, config.p90 },
            { 0.99, config.p99 }, { 0.999, config.p999 } };
        double floorNs = 1; // the loader keeps them increasing; this keeps a hand-built config sane
        for (const auto &[q, at] : points) {
            if (at <= Duration::zero())
                continue; // an optional point left out
            floorNs = std::max(floorNs, double(at.count()));
            m_z[m_knots] = normalQuantile(q);
            m_logNs[m_knots] = std::log(floorNs);
            ++m_knots;
        }
        for (int i = 0; i + 1 < m_knots; ++i)
            m_slope[i] = (m_logNs[i + 1] - m_logNs[i]) / (m_z[i + 1] - m_z[i]);
        if (m_knots > 1)
            m_slope[m_knots - 1] = m_slope[m_knots - 2];
        break;
    }
    case LatencyKind::Fixed:
    case LatencyKind::Uniform:
    case LatencyKind::Normal:
    case LatencyKind::Exponential:
        break;
    }
}

double LatencySampler::standardNormal(Random &random)
{
    // The inverse CDF of one uniform draw: one draw per value, whatever the value.
    double p = random.uniform();
    if (p <= 0)
        p = 0x1.0p-53; // uniform() is in [0, 1): keep the tail finite
    return normalQuantile(p);
}

Duration LatencySampler::capped(double ns)
{
    // Converting a double beyond int64 is undefined behaviour.
    return Duration(std::int64_t(std::min(ns, 1e18)));
}

double LatencySampler::normalQuantile(double p)
{
    // No transcendental function in the central 95 %, which Box–Muller's log, sqrt and cos would
    // cost on every request.
    static constexpr double a[] = { -3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02,
                                    1.383577518672690e+02, -3.066479806614716e+01, 2.506628277459239e+00 };
    static constexpr double b[] = { -5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02,
                                    6.680131188771972e+01, -1.328068155288572e+01 };
    static constexpr double c[] = { -7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00,
                                    -2.549732539343734e+00, 4.374664141464968e+00, 2.938163982698783e+00 };
    static constexpr double d[] = { 7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00,
                                    3.754408661907416e+00 };
    constexpr double low = 0.02425, high = 1 - low;
    if (p < low) {
        const double q = std::sqrt(-2 * std::log(p));
        return (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5])
                / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
    }
    if (p > high) {
        const double q = std::sqrt(-2 * std::log(1 - p));
        return -(((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5])
                / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
    }
    const double q = p - 0.5, r = q * q;
    return (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q
            / (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
}

Duration LatencySampler::sample(Random &random) const
{
    switch (m_config.kind) {
    case LatencyKind::Fixed:
        return m_config.fixed;
    case LatencyKind::Uniform: {
        const auto lo = m_config.min.count(), hi = std::max(m_config.min.count(), m_config.max.count());
        return Duration(lo + std::int64_t(random.uniform() * double(hi - lo)));
    }
    case LatencyKind::Normal: {
        const double ns = double(m_config.mean.count()) + double(m_config.stddev.count()) * standardNormal(random);
        return Duration(std::int64_t(std::max(0.0, ns)));
    }
    case LatencyKind::Lognormal:
        return capped(std::exp(m_mu + m_sigma * standardNormal(random)));
    case LatencyKind::Exponential:
        // 1 − u is in (0, 1]: the logarithm stays finite.
        return capped(-double(m_config.mean.count()) * std::log1p(-random.uniform()));
    case LatencyKind::Pareto:
        return capped(double(m_config.min.count()) * std::exp(-std::log1p(-random.uniform()) * m_inverseAlpha));
    case LatencyKind::Percentiles: {
        if (m_knots == 0)
            return Duration::zero();
        const double z = standardNormal(random);
        int i = m_knots - 1;
        while (i > 0 && z < m_z[i])
            --i; // the knot at or below z; below the first, the first (its slope continues down)
        return capped(std::exp(m_logNs[i] + (z - m_z[i]) * m_slope[i]));
    }
    }
    return m_config.fixed;
}

} // namespace bw
