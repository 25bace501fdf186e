#pragma once

#include "freeport.h"

#include <QDateTime>
#include <QProcess>

namespace bw::test {

// `breakwater run SCENARIO --speed N --metrics-port P` (the binary ctest names in
// BREAKWATER_BINARY): a run paced at N × real time whose /metrics a real Prometheus scrapes,
// killed with the object.
class PacedRun
{
public:
    PacedRun(const QString &scenario, int speed) : m_port(freePort())
    {
        m_process.start(qEnvironmentVariable("BREAKWATER_BINARY"),
            { QStringLiteral("run"), scenario, QStringLiteral("--speed"), QString::number(speed), QStringLiteral("--metrics-port"),
                QString::number(m_port) });
        m_startedMs = QDateTime::currentMSecsSinceEpoch();
    }
    ~PacedRun()
    {
        if (m_process.state() == QProcess::NotRunning)
            return;
        m_process.kill();
        m_process.waitForFinished();
    }

    bool waitForStarted() { return m_process.waitForStarted(10000); }
    quint16 port() const { return m_port; }
    QString target() const { return QStringLiteral("127.0.0.1:") + QString::number(m_port); }
    qint64 startedMs() const { return m_startedMs; } // Unix epoch ms

private:
    QProcess m_process;
    quint16 m_port = 0;
    qint64 m_startedMs = 0;
};

} // namespace bw::test
