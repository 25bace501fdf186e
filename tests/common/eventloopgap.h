#pragma once

#include <QElapsedTimer>
#include <QTimer>

#include <algorithm>

namespace bw::test {

// The longest the GUI thread's event loop went without turning, from construction on: a 10 ms
// timer that notes the widest gap between two of its ticks. A source that blocked the GUI thread
// would show here.
class EventLoopGap
{
public:
    EventLoopGap()
    {
        m_clock.start();
        m_ticker.setInterval(10);
        QObject::connect(&m_ticker, &QTimer::timeout, &m_ticker, [this] {
            m_worstMs = std::max(m_worstMs, m_clock.elapsed() - m_lastMs);
            m_lastMs = m_clock.elapsed();
        });
        m_ticker.start();
    }

    qint64 worstMs() const { return m_worstMs; }

private:
    QElapsedTimer m_clock;
    QTimer m_ticker;
    qint64 m_lastMs = 0, m_worstMs = 0;
};

} // namespace bw::test
