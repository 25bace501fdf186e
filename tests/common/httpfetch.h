#pragma once

#include <QElapsedTimer>
#include <QEventLoop>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QTimer>

namespace bw::test {

// One HTTP exchange as a test sees it: the status (0 when none came), the body, the network
// error, and how long it took.
struct Fetched
{
    int status = 0;
    QByteArray body;
    QNetworkReply::NetworkError error = QNetworkReply::NoError;
    QByteArray retryAfter;
    qint64 elapsedMs = 0;
    bool timedOut = false; // no answer within the limit: aborted
};

// Sends one request and runs the event loop until it ends, or aborts it after `limitMs`.
inline Fetched fetch(QNetworkAccessManager &nam, const QByteArray &method, const QUrl &url,
    const QByteArray &body = {}, int limitMs = 5000)
{
    QNetworkRequest request(url);
    if (!body.isEmpty())
        request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/json"));
    QElapsedTimer clock;
    clock.start();
    QNetworkReply *reply = nam.sendCustomRequest(request, method, body);
    QEventLoop loop;
    QTimer limit;
    limit.setSingleShot(true);
    Fetched f;
    QObject::connect(&limit, &QTimer::timeout, &loop, [&] {
        f.timedOut = true;
        reply->abort();
    });
    QObject::connect(reply, &QNetworkReply::finished, &loop, &QEventLoop::quit);
    limit.start(limitMs);
    if (!reply->isFinished())
        loop.exec();
    f.elapsedMs = clock.elapsed();
    f.status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    f.body = reply->readAll();
    f.error = reply->error();
    f.retryAfter = reply->rawHeader("Retry-After");
    reply->deleteLater();
    return f;
}

} // namespace bw::test
