#include "concurrencylimit.h"

#include <algorithm>
#include <cmath>

namespace bw {

namespace {

// concurrency-limits' Log10RootFunction: log10 of the limit, at least 1 (the square root from 1000).
int log10Root(int limit)
{
    return limit < 1000 ? std::max(1, int(std::log10(std::max(limit, 1)))) : int(std::sqrt(limit));
}

constexpr int LongRttWarmup = 10; // ExpAvgMeasurement's warm-up window in Gradient2Limit

// Within [min, max]; min wins when a live edit set it above max (the loader refuses that).
double bounded(double value, const ConcurrencyLimitConfig &c)
{
    return std::max(double(c.minLimit), std::min(double(c.maxLimit), value));
}

} // namespace

QLatin1StringView limitAlgorithmName(LimitAlgorithm algorithm)
{
    switch (algorithm) {
    case LimitAlgorithm::Vegas: return QLatin1StringView("vegas");
    case LimitAlgorithm::Gradient2: return QLatin1StringView("gradient2");
    case LimitAlgorithm::Aimd: return QLatin1StringView("aimd");
    }
    return QLatin1StringView("gradient2");
}

QStringList limitAlgorithmNames()
{
    QStringList names;
    for (LimitAlgorithm a : { LimitAlgorithm::Vegas, LimitAlgorithm::Gradient2, LimitAlgorithm::Aimd })
        names.append(QString(limitAlgorithmName(a)));
    return names;
}

ConcurrencyLimitConfig ConcurrencyLimitConfig::defaultsFor(LimitAlgorithm algorithm)
{
    ConcurrencyLimitConfig c;
    c.algorithm = algorithm;
    if (algorithm == LimitAlgorithm::Vegas) {
        c.minLimit = 1;
        c.maxLimit = 1000;
        c.smoothing = 1.0;
    }
    return c;
}

ConcurrencyLimit::ConcurrencyLimit(ConcurrencyLimitConfig config)
    : m_config(config)
    , m_estimated(bounded(config.initialLimit, config))
{
}

void ConcurrencyLimit::setConfig(const ConcurrencyLimitConfig &config)
{
    m_config = config;
    m_estimated = bounded(m_estimated, config);
}

void ConcurrencyLimit::update(Duration rtt, int inflight, bool didDrop, Random &random)
{
    switch (m_config.algorithm) {
    case LimitAlgorithm::Gradient2:
        updateGradient2(double(rtt.count()), inflight);
        break;
    case LimitAlgorithm::Aimd:
        updateAimd(rtt, inflight, didDrop);
        break;
    case LimitAlgorithm::Vegas:
        updateVegas(double(std::max<std::int64_t>(1, rtt.count())), inflight, didDrop, random);
        break;
    }
}

// Gradient2Limit._update: the gradient of the long-term RTT over this sample's, within [0.5, 1],
// scales the limit, plus a queue allowance, smoothed.
void ConcurrencyLimit::updateGradient2(double shortRtt, int inflight)
{
    if (m_longCount < LongRttWarmup) {
        ++m_longCount;
        m_longRtt += (shortRtt - m_longRtt) / m_longCount; // the running mean
    } else {
        const double factor = 2.0 / (m_config.longWindow + 1);
        m_longRtt = m_longRtt * (1 - factor) + shortRtt * factor;
    }
    // Back from a long overload, the long-term RTT is pulled down rather than left to decay; this
    // sample's gradient still uses the average before the cut, as the library's does.
    const double longRtt = m_longRtt;
    if (shortRtt > 0 && longRtt / shortRtt > 2)
        m_longRtt *= 0.95;
    if (inflight < m_estimated / 2)
        return; // app-limited: the samples say nothing about a higher limit
    const double gradient = shortRtt > 0 ? std::clamp(m_config.rttTolerance * longRtt / shortRtt, 0.5, 1.0) : 1.0;
    double next = m_estimated * gradient + m_config.queueSize;
    next = m_estimated * (1 - m_config.smoothing) + next * m_config.smoothing;
    m_estimated = bounded(next, m_config);
}

// AIMDLimit._update: a drop (or a sample over the timeout) multiplies the limit by backoffRatio,
// a sample with at least half the limit in flight adds one.
void ConcurrencyLimit::updateAimd(Duration rtt, int inflight, bool didDrop)
{
    const int current = limit();
    int next = current;
    if (didDrop || rtt > m_config.timeout)
        next = std::min(current - 1, int(current * m_config.backoffRatio));
    else if (inflight * 2 >= current)
        next = current + 1;
    m_estimated = bounded(next, m_config);
}

// VegasLimit._update: the queue estimate limit × (1 − rttNoLoad / rtt) against alpha, beta and a
// threshold from log10(limit); every probeMultiplier × limit samples (jittered by 0.5–1) the
// no-load RTT is measured again.
void ConcurrencyLimit::updateVegas(double rtt, int inflight, bool didDrop, Random &random)
{
    ++m_probeCount;
    if (m_probeJitter * m_config.probeMultiplier * m_estimated <= m_probeCount) {
        m_probeJitter = 0.5 + 0.5 * random.uniform();
        m_probeCount = 0;
        m_rttNoLoad = rtt;
        return;
    }
    if (m_rttNoLoad == 0 || rtt < m_rttNoLoad) {
        m_rttNoLoad = rtt;
        return;
    }
    const int queue = int(std::ceil(m_estimated * (1 - m_rttNoLoad / rtt)));
    const int l = limit(), lg = log10Root(l);
    double next;
    if (didDrop)
        next = m_estimated - lg;
    else if (inflight * 2 < m_estimated)
        return;
    else if (queue <= lg) // the threshold
        next = m_estimated + 6 * lg; // beta
    else if (queue < 3 * lg) // alpha
        next = m_estimated + lg;
    else if (queue > 6 * lg)
        next = m_estimated - lg;
    else
        return;
    next = bounded(next, m_config);
    m_estimated = (1 - m_config.smoothing) * m_estimated + m_config.smoothing * next;
}

} // namespace bw
