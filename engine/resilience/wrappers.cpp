#include "wrappers.h"

namespace bw {

namespace {

// Runs one call on a pipeline made for it and deletes the pipeline once the call has ended,
// from a fresh scheduler task so that nothing of the pipeline is on the stack any more.
void runOnce(PolicyConfig policy, Scheduler &scheduler, Operation &operation, CallCallback done,
             std::shared_ptr<CircuitBreaker> breaker = {}, std::shared_ptr<Bulkhead> bulkhead = {})
{
    auto *pipeline = new Pipeline(std::move(policy), scheduler, 0, std::move(breaker), std::move(bulkhead));
    auto shared = std::make_shared<CallCallback>(std::move(done));
    pipeline->execute(operation, [pipeline, shared, &scheduler](const Result &result) {
        scheduler.schedule(Duration::zero(), [pipeline] { delete pipeline; });
        (*shared)(result);
    });
}

PolicyConfig only(StageKind kind)
{
    PolicyConfig p;
    p.order = { kind };
    return p;
}

} // namespace

void executeWithRetry(Scheduler &scheduler, Operation &operation, const RetryConfig &config, CallCallback done)
{
    PolicyConfig p = only(StageKind::Retry);
    p.name = QStringLiteral("executeWithRetry");
    p.retry = config;
    runOnce(std::move(p), scheduler, operation, std::move(done));
}

void withTimeout(Scheduler &scheduler, Operation &operation, Duration timeout, CallCallback done)
{
    TimeoutConfig config;
    config.timeout = timeout;
    withTimeout(scheduler, operation, config, std::move(done));
}

void withTimeout(Scheduler &scheduler, Operation &operation, const TimeoutConfig &config, CallCallback done)
{
    PolicyConfig p = only(StageKind::Timeout);
    p.name = QStringLiteral("withTimeout");
    p.timeout = config;
    runOnce(std::move(p), scheduler, operation, std::move(done));
}

void executeWithCircuitBreaker(const std::shared_ptr<CircuitBreaker> &breaker, Operation &operation, CallCallback done)
{
    PolicyConfig p = only(StageKind::CircuitBreaker);
    p.name = breaker->name();
    p.circuitBreaker = breaker->config();
    runOnce(std::move(p), breaker->scheduler(), operation, std::move(done), breaker);
}

void executeInBulkhead(const std::shared_ptr<Bulkhead> &bulkhead, Operation &operation, CallCallback done)
{
    PolicyConfig p = only(StageKind::Bulkhead);
    p.name = bulkhead->name();
    p.bulkhead = bulkhead->config();
    runOnce(std::move(p), bulkhead->scheduler(), operation, std::move(done), {}, bulkhead);
}

void raceWithTimeouts(Scheduler &scheduler, const QList<RaceEntry> &entries,
                      std::function<void(const QString &winner, const Result &result)> done)
{
    struct Race
    {
        std::vector<std::unique_ptr<Pipeline>> pipelines;
        std::vector<CallId> calls;
        QStringList names;
        qsizetype pending = 0;
        bool decided = false;
        std::function<void(const QString &, const Result &)> done;
    };
    if (entries.isEmpty()) {
        done(QString(), Result::failure(ErrorCode::Cancelled, QStringLiteral("No operations to race"), Stage::Caller));
        return;
    }
    auto race = std::make_shared<Race>();
    race->done = std::move(done);
    race->pending = entries.size();
    race->calls.resize(size_t(entries.size()));
    for (const RaceEntry &entry : entries) {
        PolicyConfig p = only(StageKind::Timeout);
        p.name = entry.name;
        p.timeout = TimeoutConfig { entry.timeout, std::nullopt, {} };
        race->pipelines.push_back(std::make_unique<Pipeline>(std::move(p), scheduler));
        race->names.append(entry.name);
    }
    for (qsizetype i = 0; i < entries.size() && !race->decided; ++i) {
        auto onDone = [race, i, &scheduler](const Result &result) {
            --race->pending;
            if (race->decided)
                return;
            if (!result.ok() && race->pending > 0)
                return;
            race->decided = true;
            // Losers are cancelled from a fresh task: this callback runs inside a pipeline.
            scheduler.schedule(Duration::zero(), [race, i] {
                for (size_t j = 0; j < race->pipelines.size(); ++j)
                    if (qsizetype(j) != i)
                        race->pipelines[j]->cancel(race->calls[j]);
            });
            race->done(result.ok() ? race->names[i] : QString(), result);
        };
        race->calls[size_t(i)] = race->pipelines[size_t(i)]->execute(*entries[i].operation, std::move(onDone));
    }
}

ResilientFunction::ResilientFunction(PolicyConfig policy, Scheduler &scheduler, std::shared_ptr<Operation> operation,
                                     std::shared_ptr<CircuitBreaker> breaker)
    : m_operation(std::move(operation))
    , m_pipeline(std::make_shared<Pipeline>(std::move(policy), scheduler, 0, std::move(breaker)))
{
}

CallId ResilientFunction::operator()(CallCallback done, std::uint64_t tag)
{
    return m_pipeline->execute(*m_operation, std::move(done), tag);
}

ResilientFunction makeResilient(const QString &name, const PolicyConfig &policy, Scheduler &scheduler,
                                std::shared_ptr<Operation> operation)
{
    PolicyConfig p = policy;
    p.name = name;
    return ResilientFunction(std::move(p), scheduler, std::move(operation));
}

ResilientFunction withCircuitBreaker(const std::shared_ptr<CircuitBreaker> &breaker, std::shared_ptr<Operation> operation)
{
    PolicyConfig p = only(StageKind::CircuitBreaker);
    p.name = breaker->name();
    p.circuitBreaker = breaker->config();
    return ResilientFunction(std::move(p), breaker->scheduler(), std::move(operation), breaker);
}

ResilientFunction makeRetryable(const RetryConfig &config, Scheduler &scheduler, std::shared_ptr<Operation> operation)
{
    PolicyConfig p = only(StageKind::Retry);
    p.name = QStringLiteral("retryable");
    p.retry = config;
    return ResilientFunction(std::move(p), scheduler, std::move(operation));
}

ResilientFunction makeTimeoutProtected(Duration timeout, Scheduler &scheduler, std::shared_ptr<Operation> operation,
                                       std::optional<QVariant> fallback)
{
    PolicyConfig p = only(StageKind::Timeout);
    p.name = QStringLiteral("timeoutProtected");
    p.timeout = TimeoutConfig { timeout, std::move(fallback), {} };
    return ResilientFunction(std::move(p), scheduler, std::move(operation));
}

} // namespace bw
