#pragma once

#include "candidate.h"

#include <QList>
#include <QStringList>

#include <cstdint>
#include <vector>

namespace bw {

// Candidates measured on the same seeds of one scenario: what `breakwater compare` prints and
// writes, and what the window's Compare mode shows under its charts.
struct Comparison
{
    QString scenario; // its name
    QString operation; // the candidates' operation; empty: every operation
    std::vector<std::uint64_t> seeds;
    QList<Candidate> candidates;
    std::vector<std::vector<CandidateMetrics>> runs; // [candidate][seed], runCandidate()'s
};

// One row of the comparison table: one figure of one operation, service or the total.
struct ComparisonRow
{
    QString figure; // the figure's label, the heading of its rows ("success rate")
    QString key; // the figure's JSON key ("successRate")
    QString scope; // an operation's or a service's name, or "total"
    QStringList values; // one per candidate, as the table shows it ("99.20 %", "not recovered")
    QList<int> best; // the candidates marked best in this row; none when all are level
};

// Every function below wants at least one candidate and one seed, with every run made.

// The table's rows, figure by figure (docs/semantics.md, "Policy lab"), failed-call figures that
// are 0 everywhere left out.
QList<ComparisonRow> comparisonRows(const Comparison &c);
// "Verdict: …": the best success rate; among candidates level on it, the best recovery, then
// p99, then amplification. Level: shown alike, or with several seeds a paired difference whose
// 95 % interval holds 0.
QString comparisonVerdict(const Comparison &c);
// The text `breakwater compare` prints: the rows, paired differences (several seeds), the verdict.
QString comparisonTable(const Comparison &c);
// `compare --json` and `compare --csv` (docs/formats.md).
QByteArray comparisonJson(const Comparison &c);
QByteArray comparisonCsv(const Comparison &c);

} // namespace bw
