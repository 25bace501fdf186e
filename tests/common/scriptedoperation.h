#pragma once

#include "resilience/operation.h"
#include "runtime/virtualscheduler.h"

#include <QList>

#include <functional>
#include <unordered_map>

namespace bw::test {

// One scripted answer: after `latency`, succeed, or fail with `code`; a negative latency hangs.
struct Answer
{
    Duration latency {};
    ErrorCode code {}; // null: success
    std::optional<Duration> retryAfter;
    QString message;

    static Answer ok(int ms = 0) { return Answer { fromMs(ms), {}, std::nullopt, {} }; }
    static Answer fail(const char *code, int ms = 0)
    {
        return Answer { fromMs(ms), ErrorCode::fromString(QString::fromLatin1(code)), std::nullopt, QString::fromLatin1(code) };
    }
    static Answer hang() { return Answer { Duration(-1), {}, std::nullopt, {} }; }
};

// A backend on virtual time whose answers come from a function of the attempt, counting what
// it was asked. Every start is matched by exactly one answer or cancel, which tests can check.
class ScriptedOperation final : public Operation
{
public:
    using Script = std::function<Answer(const Attempt &)>;
    ScriptedOperation(VirtualScheduler &scheduler, Script script) : m_scheduler(scheduler), m_script(std::move(script)) { }

    void start(const Attempt &attempt, Completion done) override
    {
        ++started;
        const Answer answer = m_script(attempt);
        if (answer.latency < Duration::zero()) {
            m_pending.emplace(attempt.id, Pending { 0, answer, done });
            return; // hangs until cancelled
        }
        if (answer.latency == Duration::zero()) {
            respond(answer, done);
            return;
        }
        const std::uint64_t id = attempt.id;
        const TimerId timer = m_scheduler.schedule(answer.latency, [this, id] {
            const auto it = m_pending.find(id);
            const Pending p = it->second;
            m_pending.erase(it);
            respond(p.answer, p.done);
        });
        m_pending.emplace(id, Pending { timer, answer, done });
    }

    void cancel(const Attempt &attempt) override
    {
        ++cancelled;
        const auto it = m_pending.find(attempt.id);
        if (it != m_pending.end()) {
            m_scheduler.cancel(it->second.timer);
            m_pending.erase(it);
        }
    }

    int inFlight() const { return int(m_pending.size()); }

    int started = 0, answered = 0, cancelled = 0;

private:
    struct Pending
    {
        TimerId timer;
        Answer answer;
        Completion done;
    };
    void respond(const Answer &answer, Completion done)
    {
        ++answered;
        done(answer.code.isNull() ? Result::success(QStringLiteral("ok"))
                                  : Result::failure(Error { answer.code, answer.message, answer.retryAfter, Stage::Operation, {} }));
    }

    VirtualScheduler &m_scheduler;
    Script m_script;
    std::unordered_map<std::uint64_t, Pending> m_pending;
};

// Collects call results by tag.
struct ResultLog
{
    QList<Result> results;
    CallCallback callback()
    {
        return [this](const Result &r) { results.append(r); };
    }
};

} // namespace bw::test
