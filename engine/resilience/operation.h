#pragma once

#include "../runtime/inplacefunction.h"
#include "outcome.h"

#include <cstdint>
#include <functional>

namespace bw {

// One attempt of an operation, as the pipeline starts it.
struct Attempt
{
    std::uint64_t id = 0;       // unique per attempt; what cancel() names
    std::uint64_t callTag = 0;  // the tag the caller gave the call (a trace row, an arrival number)
    int number = 1;             // 1 for the first attempt, 2 for the first retry, ...
    TimePoint startedAt {};
    TimePoint deadline = TimePoint::max(); // the earliest time limit around this attempt
};

class CompletionTarget
{
public:
    virtual void complete(std::uint64_t attemptId, Result &&result) = 0;

protected:
    ~CompletionTarget() = default;
};

// Finishes an attempt. Call it exactly once, from the thread of the pipeline's scheduler, now
// (inside start()) or later. A completion for an attempt that was cancelled or timed out is
// ignored, so an operation need not track whether its caller is still waiting.
class Completion
{
public:
    Completion() = default;
    Completion(CompletionTarget *target, std::uint64_t attemptId) : m_target(target), m_attemptId(attemptId) { }
    void operator()(Result &&result) const { m_target->complete(m_attemptId, std::move(result)); }
    void operator()(const Result &result) const { m_target->complete(m_attemptId, Result(result)); }
    std::uint64_t attemptId() const { return m_attemptId; }

private:
    CompletionTarget *m_target = nullptr;
    std::uint64_t m_attemptId = 0;
};

// Something a pipeline protects: a simulated backend request, a real HTTP request, a function.
class Operation
{
public:
    virtual ~Operation() = default;
    virtual void start(const Attempt &attempt, Completion done) = 0;
    // Asks a started attempt to stop (a time limit expired, or the caller cancelled). A real HTTP
    // request is aborted. The default does nothing: the late completion is then ignored.
    virtual void cancel(const Attempt &attempt) { Q_UNUSED(attempt); }
};

// An Operation made from a callable, for tests, examples and the guide-style wrappers.
class FunctionOperation final : public Operation
{
public:
    using Start = std::function<void(const Attempt &, Completion)>;
    explicit FunctionOperation(Start start, std::function<void(const Attempt &)> cancel = {})
        : m_start(std::move(start)), m_cancel(std::move(cancel)) { }
    void start(const Attempt &attempt, Completion done) override { m_start(attempt, done); }
    void cancel(const Attempt &attempt) override
    {
        if (m_cancel)
            m_cancel(attempt);
    }

private:
    Start m_start;
    std::function<void(const Attempt &)> m_cancel;
};

// Called once when a pipeline call ends.
using CallCallback = InplaceFunction<void(const Result &), 48>;

} // namespace bw
