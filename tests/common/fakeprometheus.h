#pragma once

#include "fixtureserver.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QUrlQuery>

#include <functional>

namespace bw::test {

// A Prometheus HTTP API on 127.0.0.1 for the fleet's GUI tests: answers /api/v1/query and
// /api/v1/query_range with Resilience4j breakers as Micrometer exports them (state gauges with a
// `state` label, failure rates, calls by kind), every other query with an empty result. Or it
// misbehaves: Garbage answers 200 with text that is not the API's JSON; Silent accepts and never
// answers (a slow source).
class FakePrometheus
{
public:
    enum class Behaviour
    {
        Prometheus,
        Garbage,
        Silent
    };

    struct Breaker
    {
        QString job, instance, name;
        QString state; // Micrometer's label value: closed, open, half_open, …
        double failureRate = 0; // percent
        double successfulPerSecond = 10, failedPerSecond = 0;
        // query_range: the state before the range's middle (empty: `state` throughout).
        QString earlierState;
    };

    // The HTTP side is a FixtureServer's; this class says what Prometheus would answer.
    explicit FakePrometheus(Behaviour behaviour = Behaviour::Prometheus)
        : m_server([this, behaviour](const QByteArray &path) {
            FixtureReply reply;
            reply.contentType = "application/json";
            if (behaviour == Behaviour::Silent)
                reply.behaviour = FixtureReply::Behaviour::Silent; // the connection stays open, unanswered
            else if (behaviour == Behaviour::Garbage)
                reply.body = "this is not Prometheus";
            else
                reply.body = answer(QUrl(QString::fromLatin1(path)));
            return reply;
        })
    {
    }

    QString url() const { return m_server.url(); }
    int requests() const { return m_server.requests(); }
    QList<Breaker> breakers;
    int rangeRequests = 0;

private:
    QByteArray answer(const QUrl &target)
    {
        const QUrlQuery query(target);
        const QString promql = query.queryItemValue(QStringLiteral("query"), QUrl::FullyDecoded);
        const bool range = target.path() == u"/api/v1/query_range";
        if (range)
            ++rangeRequests;
        // An instant query of a range selector (opossum's and Polly's state events) answers a
        // matrix; none of those breakers here.
        const bool rangeSelector = !range && promql.endsWith(u']');
        const double start = query.queryItemValue(QStringLiteral("start")).toDouble();
        const double end = query.queryItemValue(QStringLiteral("end")).toDouble();
        const double step = std::max(1.0, query.queryItemValue(QStringLiteral("step")).toDouble());
        QJsonArray result;
        for (const Breaker &b : rangeSelector ? QList<Breaker>() : breakers) {
            const auto series = [&](QJsonObject metric, const std::function<double(bool early)> &value) {
                metric.insert(QStringLiteral("job"), b.job);
                metric.insert(QStringLiteral("instance"), b.instance);
                metric.insert(QStringLiteral("name"), b.name);
                QJsonObject s { { QStringLiteral("metric"), metric } };
                if (range) {
                    QJsonArray values;
                    for (double t = start; t <= end; t += step) {
                        const bool early = t < (start + end) / 2;
                        values.append(QJsonArray { t, QString::number(value(early)) });
                    }
                    s.insert(QStringLiteral("values"), values);
                } else {
                    s.insert(QStringLiteral("value"), QJsonArray { double(QDateTime::currentMSecsSinceEpoch()) / 1000, QString::number(value(false)) });
                }
                result.append(s);
            };
            if (promql.startsWith(u"resilience4j_circuitbreaker_state")) {
                // "== 1" keeps only the state the breaker is in; over a range, each state's own steps.
                for (const QString &state : { QStringLiteral("closed"), QStringLiteral("open"), QStringLiteral("half_open") })
                    if (state == b.state || state == b.earlierState)
                        series({ { QStringLiteral("state"), state } }, [&](bool early) {
                            return (early && !b.earlierState.isEmpty() ? b.earlierState : b.state) == state ? 1.0 : 0.0;
                        });
            } else if (promql.contains(u"resilience4j_circuitbreaker_failure_rate")) {
                series({}, [&](bool) { return b.failureRate; });
            } else if (promql.contains(u"resilience4j_circuitbreaker_calls_seconds_count|")) {
                series({ { QStringLiteral("kind"), QStringLiteral("successful") } }, [&](bool) { return b.successfulPerSecond; });
                series({ { QStringLiteral("kind"), QStringLiteral("failed") } }, [&](bool) { return b.failedPerSecond; });
            }
        }
        const QJsonObject data { { QStringLiteral("resultType"), range || rangeSelector ? QStringLiteral("matrix") : QStringLiteral("vector") },
            { QStringLiteral("result"), result } };
        return QJsonDocument(QJsonObject { { QStringLiteral("status"), QStringLiteral("success") }, { QStringLiteral("data"), data } })
            .toJson(QJsonDocument::Compact);
    }

    FixtureServer m_server;
};

} // namespace bw::test
