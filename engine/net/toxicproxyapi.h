#pragma once

#include "toxicproxy.h"

#include <QAbstractHttpServer>

namespace bw {

// The proxy's control API, Toxiproxy-like JSON over HTTP:
//   GET /proxy                   where it listens and forwards to, and its stats
//   GET /toxics                  the toxics
//   POST /toxics                 adds one (400 with the reason for a bad body, 409 if the name exists)
//   GET /toxics/NAME             one toxic
//   POST /toxics/NAME            changes the keys given (type and name stay)
//   DELETE /toxics/NAME          removes it
//   POST /reset                  removes every toxic
class ToxicProxyApi final : public QAbstractHttpServer
{
public:
    explicit ToxicProxyApi(ToxicProxy &proxy, QObject *parent = nullptr);

protected:
    bool handleRequest(const QHttpServerRequest &request, QTcpSocket *socket) override;
    void missingHandler(const QHttpServerRequest &request, QTcpSocket *socket) override;

private:
    ToxicProxy &m_proxy;
};

} // namespace bw
