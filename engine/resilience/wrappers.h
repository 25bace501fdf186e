#pragma once

#include "circuitbreaker.h"
#include "pipeline.h"
#include "policy.h"

#include <QList>
#include <QString>

#include <functional>
#include <memory>

namespace bw {

// The guide's one-shot helpers and decorators, for code that protects a single call. Each
// builds a Pipeline with one stage, so they behave exactly like that stage in a full policy.
// They allocate per call: hot paths keep a Pipeline (or a ResilientFunction) instead.

// executeWithRetry(op, retryConfig): retries op under config.
void executeWithRetry(Scheduler &scheduler, Operation &operation, const RetryConfig &config, CallCallback done);
// withTimeout(op, ms): TIMEOUT carrying the elapsed time, or config.fallback's value.
void withTimeout(Scheduler &scheduler, Operation &operation, Duration timeout, CallCallback done);
void withTimeout(Scheduler &scheduler, Operation &operation, const TimeoutConfig &config, CallCallback done);
// breaker.execute(op): CIRCUIT_OPEN without calling op when the breaker rejects.
void executeWithCircuitBreaker(const std::shared_ptr<CircuitBreaker> &breaker, Operation &operation, CallCallback done);
// bulkhead.execute(op).
void executeInBulkhead(const std::shared_ptr<Bulkhead> &bulkhead, Operation &operation, CallCallback done);

struct RaceEntry
{
    QString name;
    Operation *operation;
    Duration timeout;
};
// raceWithTimeouts: starts every operation at once, each under its own limit. The first to
// succeed wins and the others are cancelled; when all fail, the call fails with the error of
// the last to fail. `done` gets the winner's name (empty when all failed).
void raceWithTimeouts(Scheduler &scheduler, const QList<RaceEntry> &entries,
                      std::function<void(const QString &winner, const Result &result)> done);

// The stand-in for the guide's decorators (@WithResilience, @WithCircuitBreaker, @WithRetry,
// @WithTimeout): a callable that runs its operation under a policy kept for its lifetime.
class ResilientFunction
{
public:
    ResilientFunction(PolicyConfig policy, Scheduler &scheduler, std::shared_ptr<Operation> operation,
                      std::shared_ptr<CircuitBreaker> breaker = {});
    CallId operator()(CallCallback done, std::uint64_t tag = 0);
    Pipeline &pipeline() { return *m_pipeline; }

private:
    std::shared_ptr<Operation> m_operation;
    std::shared_ptr<Pipeline> m_pipeline;
};

ResilientFunction makeResilient(const QString &name, const PolicyConfig &policy, Scheduler &scheduler,
                                std::shared_ptr<Operation> operation);
ResilientFunction withCircuitBreaker(const std::shared_ptr<CircuitBreaker> &breaker, std::shared_ptr<Operation> operation);
ResilientFunction makeRetryable(const RetryConfig &config, Scheduler &scheduler, std::shared_ptr<Operation> operation);
ResilientFunction makeTimeoutProtected(Duration timeout, Scheduler &scheduler, std::shared_ptr<Operation> operation,
                                       std::optional<QVariant> fallback = std::nullopt);

} // namespace bw
