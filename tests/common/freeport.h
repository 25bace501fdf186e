#pragma once

#include <QHostAddress>
#include <QTcpServer>

namespace bw::test {

// A port on 127.0.0.1 that nothing listened on a moment ago, for a process the test starts.
inline quint16 freePort()
{
    QTcpServer probe;
    probe.listen(QHostAddress::LocalHost, 0);
    return probe.serverPort();
}

} // namespace bw::test
