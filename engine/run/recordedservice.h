#pragma once

#include "../scenario/backendservice.h"
#include "../scenario/scenario.h"

#include <QHash>

#include <memory>

namespace bw {

// The backend of a trace operation (docs/formats.md, "Replay trace"): it answers as recorded. An
// attempt that starts at time t gets, after that row's duration, the outcome of a row: for a
// call's first attempt, the call's own row (the attempt's callTag); for a retry, the latest row
// that started at or before t, that is, what the backend was doing then. It has no model: no
// capacity, no queue, and faults change nothing (the loader lets none name it). Answers are
// scheduler timers; cancel() drops one.
class RecordedService final : public BackendService, private Operation
{
public:
    RecordedService(const OperationConfig &operation, Scheduler &scheduler);
    ~RecordedService() override;

    Operation &port(const OperationConfig &operation) override;

private:
    void start(const Attempt &attempt, Completion done) override;
    void cancel(const Attempt &attempt) override;
    void answer(std::uint64_t attemptId, qsizetype row, Completion done);

    std::shared_ptr<const Trace> m_trace;
    QHash<std::uint64_t, TimerId> m_pending; // attempts in flight only
};

} // namespace bw
