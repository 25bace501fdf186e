#pragma once

#include "../resilience/outcome.h"
#include "../resilience/policy.h"
#include "../scenario/scenario.h"

#include <array>
#include <cstdint>
#include <optional>
#include <vector>

namespace bw {

// One contestant of the policy lab: a policy for one operation of a scenario, or for all of them.
struct Candidate
{
    QString name;
    PolicyConfig policy;
    QString operation; // empty: every operation
};

// How long the success rate took to come back after one fault ended (docs/semantics.md,
// "Policy lab"). nullopt recovery: it never did before the run's end.
struct FaultRecovery
{
    QString service;
    FaultKind kind = FaultKind::Outage;
    Duration end {}; // when the fault ended
    std::optional<Duration> recovery;
};

// The figures of one operation, or of all of them together (docs/semantics.md, "Policy lab").
struct OperationMetrics
{
    QString name; // the operation's, or "total"
    std::int64_t offered = 0;
    std::array<std::int64_t, OutcomeCount> outcomes {};
    std::int64_t backendRequests = 0; // attempts that reached the backend, retries included
    double successRate = 0; // (success + fallback) / offered; 0 when nothing was offered
    double amplification = 0; // backendRequests / offered; 0 when nothing was offered
    Duration p50 {}, p99 {};
    Duration timeOpen {}; // in OPEN, summed over the breakers
    int flaps = 0; // transitions into OPEN
    std::vector<FaultRecovery> recoveries; // one per fault that ends within the run, in time order

    std::int64_t count(Outcome o) const { return outcomes[std::size_t(o)]; }
    // The longest recovery: 0 when no fault ended, nullopt when one never recovered.
    std::optional<Duration> worstRecovery() const;
};

// One backend service: what only it sees.
struct ServiceMetrics
{
    QString name;
    std::int64_t requests = 0; // requests received, retries included
    int capacity = 0; // as configured
    int peakLoad = 0; // requests at the service at once, in service and queued, at the peak
    std::int64_t wasted = 0; // served after their caller had given up

    double peakLoadRatio() const { return capacity > 0 ? double(peakLoad) / capacity : 0; }
};

struct CandidateMetrics
{
    std::vector<OperationMetrics> operations; // in the scenario's order
    OperationMetrics total;
    std::vector<ServiceMetrics> services; // in the scenario's order
    std::int64_t wastedRequests = 0; // over every service
    double peakLoadRatio = 0; // the largest of the services'
};

// The scenario with the candidate's policy on its operation, or on every operation. nullopt,
// with "unknown operation 'x'; did you mean 'y'?", when the operation is not in the scenario.
std::optional<ScenarioConfig> withCandidate(const ScenarioConfig &scenario, const Candidate &candidate, QString *error);

// Runs the scenario with the candidate's policy on `seed` to its end in virtual time and measures
// it. The same seed gives every candidate the same traffic and failures (common random numbers).
// The scenario must be simulated (no URL service) and the operation known (withCandidate).
CandidateMetrics runCandidate(const ScenarioConfig &scenario, const Candidate &candidate, std::uint64_t seed);

} // namespace bw
