#pragma once

namespace bw::queueing {

// Closed forms of classical queueing models: the oracle `breakwater validate` checks the
// simulator against. Offered load `erlangs` = arrival rate × mean service time.

// Erlang B: the probability that an arrival finds all `servers` busy in a loss system (M/G/c/c,
// no waiting room). It depends on the service time only through its mean (insensitivity).
double erlangB(int servers, double erlangs);
// Erlang C: the probability that an arrival waits in M/M/c; needs erlangs < servers.
double erlangC(int servers, double erlangs);
// M/M/c mean response time (wait + service), in mean service times: C / (c − a) + 1.
double mmcMeanResponse(int servers, double erlangs);
// M/D/1 mean wait before service (Pollaczek–Khinchine), in service times: ρ / (2 (1 − ρ)).
double md1MeanWait(double utilisation);
// M/M/1/K: the probability that an arrival finds `systemSize` (K) requests in the system, in
// service or waiting, and is turned away: (1 − ρ) ρ^K / (1 − ρ^(K+1)); 1 / (K + 1) at ρ = 1.
double mm1kBlocking(double utilisation, int systemSize);

} // namespace bw::queueing
