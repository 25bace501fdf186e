#include "comparecommand.h"

#include "cli.h"
#include "optionparsers.h"
#include "reportoutput.h"
#include "subcommand.h"

#include "lab/comparison.h"
#include "lab/report.h"
#include "resilience/loaderror.h"
#include "run/runsession.h"
#include "run/scenariorun.h"
#include "runtime/parallelfor.h"
#include "scenario/scenarioloader.h"

#include <QJsonDocument>
#include <QJsonObject>

namespace bw::cli {

namespace {

constexpr int MinCandidates = 2, MaxCandidates = 8, MaxSeeds = 1000;

// The table as the report shows it: a column per candidate, the best of each row marked, the
// verdict under the title.
ReportTable reportTable(const Comparison &c)
{
    ReportTable table;
    table.title = QStringLiteral("Figures");
    table.caption = comparisonVerdict(c);
    table.headers = QStringList { QStringLiteral("figure"), QStringLiteral("of") };
    for (const Candidate &candidate : c.candidates)
        table.headers.append(candidate.name);
    const QList<ComparisonRow> rows = comparisonRows(c);
    for (qsizetype r = 0; r < rows.size(); ++r) {
        // The figure's name on its first row only, as in the printed table.
        const bool first = r == 0 || rows[r - 1].key != rows[r].key;
        table.rows.append(QStringList { first ? rows[r].figure : QString(), rows[r].scope } + rows[r].values);
        QList<int> best;
        for (int i : rows[r].best)
            best.append(2 + i);
        table.best.append(best);
    }
    return table;
}

// Every second of one candidate's run on `seed`, for its charts: the run runCandidate measured
// (the same scenario and seed make the same run).
ReportSeries candidateSeries(const ScenarioConfig &scenario, const Candidate &candidate, std::uint64_t seed)
{
    QString error;
    RunSession session(*withCandidate(scenario, candidate, &error), seed, {});
    session.recordSeries();
    const bool opened = session.open({}, &error) && session.finish(&error); // no files: cannot fail
    Q_ASSERT_X(opened, "candidateSeries", qPrintable(error));
    return { candidate.name, session.series() };
}

struct CompareRequest
{
    QString scenario;
    QString operation;
    QList<std::pair<QString, QString>> candidates; // name, policy as written
    int seeds = 1;
    std::optional<std::uint64_t> firstSeed;
    int jobs = 1;
    QString json, csv;
    ReportOutput report;
};

std::optional<int> parseCompareArguments(const QStringList &arguments, CompareRequest *request)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Runs candidate policies on the same traffic and failures (the same seeds: common random numbers)\n"
        "in virtual time and prints, per figure, each candidate's value with the best marked, and a verdict.\n"
        "Figures (docs/semantics.md, \"Policy lab\"): success rate, failed calls by outcome, latency p50/p99,\n"
        "amplification, time in OPEN, breaker flaps, recovery after each fault, peak load, wasted requests.\n"
        "The outputs are the same bytes whatever --jobs."));
    parser.addPositionalArgument(QStringLiteral("scenario"),
        QStringLiteral("A scenario JSON file, or the name of a built-in scenario."), QStringLiteral("SCENARIO.json|NAME"));
    const QCommandLineOption candidateOption({ QStringLiteral("c"), QStringLiteral("candidate") },
        QStringLiteral("A candidate, 2 to 8 of them: a name, '=', and a policy: a policy file, a preset name (api, ai, "
                       "database, external, critical) or inline JSON such as '{\"retry\": {\"maxAttempts\": 2}}'."),
        QStringLiteral("NAME=POLICY"));
    const QCommandLineOption operationOption(QStringLiteral("operation"),
        QStringLiteral("The operation whose policy the candidates replace (default: every operation)."),
        QStringLiteral("OP"));
    const QCommandLineOption seedsOption(QStringLiteral("seeds"),
        QStringLiteral("Runs each candidate on N seeds (the same N for all) and prints means with 95 % intervals and "
                       "paired differences (default 1)."),
        QStringLiteral("N"));
    const QCommandLineOption seedOption(QStringLiteral("seed"),
        QStringLiteral("The first seed; the others follow it (default: the scenario's \"seed\")."), QStringLiteral("N"));
    const QCommandLineOption jobsOption(QStringLiteral("jobs"),
        QStringLiteral("Runs the candidates and seeds in parallel (default: one per core)."), QStringLiteral("N"));
    const QCommandLineOption jsonOption(QStringLiteral("json"),
        QStringLiteral("Writes the comparison as JSON to this file."), QStringLiteral("OUT.json"));
    const QCommandLineOption csvOption(QStringLiteral("csv"),
        QStringLiteral("Writes every candidate's figures per seed and operation as CSV to this file."),
        QStringLiteral("OUT.csv"));
    for (const QCommandLineOption &o :
        { candidateOption, operationOption, seedsOption, seedOption, jobsOption, jsonOption, csvOption, ReportOutput::option() })
        parser.addOption(o);
    const Subcommand command(parser, arguments, QStringLiteral("compare"));
    if (const std::optional<int> done = command.parse())
        return *done;
    const std::optional<QString> scenario = command.scenarioArgument();
    if (!scenario)
        return BadInput;
    const QStringList candidates = parser.values(candidateOption);
    if (candidates.size() < MinCandidates || candidates.size() > MaxCandidates)
        return command.badUsage(QStringLiteral("expected %1 to %2 candidates (--candidate NAME=POLICY), got %3")
                                    .arg(MinCandidates)
                                    .arg(MaxCandidates)
                                    .arg(candidates.size()));
    for (const QString &text : candidates) {
        QString problem;
        const std::optional<std::pair<QString, QString>> candidate = splitCandidate(text, &problem);
        if (!candidate)
            return command.badUsage(problem);
        for (const auto &[known, policy] : request->candidates)
            if (known == candidate->first)
                return command.badUsage(QStringLiteral("--candidate: the name '%1' is given twice").arg(known));
        request->candidates.append(*candidate);
    }
    QString problem;
    if (parser.isSet(seedsOption)) {
        const std::optional<int> seeds = parseCount(QStringLiteral("--seeds"), parser.value(seedsOption), 1, MaxSeeds,
            &problem, QStringLiteral("a number of seeds"));
        if (!seeds)
            return command.badUsage(problem);
        request->seeds = *seeds;
    }
    if (parser.isSet(seedOption)) {
        request->firstSeed = parseSeed(parser.value(seedOption), &problem);
        if (!request->firstSeed)
            return command.badUsage(problem);
    }
    const std::optional<int> jobs = parseJobs(parser, jobsOption, &problem);
    if (!jobs)
        return command.badUsage(problem);
    request->jobs = *jobs;
    if (const std::optional<int> done = request->report.open(parser, QStringLiteral("compare")))
        return *done;
    request->scenario = *scenario;
    request->operation = parser.value(operationOption);
    request->json = parser.value(jsonOption);
    request->csv = parser.value(csvOption);
    return std::nullopt;
}

} // namespace

int runCompare(const QStringList &arguments)
{
    CompareRequest request;
    if (const std::optional<int> done = parseCompareArguments(arguments, &request))
        return *done;
    LoadError error;
    const std::optional<ScenarioConfig> scenario = loadScenario(request.scenario, &error);
    if (!scenario) {
        printErr(error.toString() + u'\n');
        return BadInput;
    }
    if (ScenarioRun::needsRealTime(*scenario)) {
        printErr(QStringLiteral("breakwater compare: %1 calls a URL service (real network mode); compare runs "
                                "simulated scenarios only, in virtual time\n")
                .arg(request.scenario));
        return BadInput;
    }
    Comparison c;
    c.scenario = scenario->name;
    c.operation = request.operation;
    for (const auto &[name, written] : request.candidates) {
        QString problem;
        std::optional<PolicyConfig> policy = parsePolicyArgument(QStringLiteral("--candidate ") + name, written, &problem);
        if (!policy) {
            printErr(QStringLiteral("breakwater compare: ") + problem + u'\n');
            return BadInput;
        }
        const Candidate candidate { name, *policy, request.operation };
        if (!withCandidate(*scenario, candidate, &problem)) {
            printErr(QStringLiteral("breakwater compare: --operation: ") + problem + u'\n');
            return BadInput;
        }
        c.candidates.append(candidate);
    }
    // Opened before the runs, so that a bad path fails at once.
    SummaryOutput jsonFile, csvFile;
    if ((!request.json.isEmpty() && !jsonFile.open(request.json)) || (!request.csv.isEmpty() && !csvFile.open(request.csv)))
        return BadInput;

    const std::uint64_t first = request.firstSeed.value_or(scenario->seed);
    for (int s = 0; s < request.seeds; ++s)
        c.seeds.push_back(first + std::uint64_t(s));
    // Run r is candidate r / seeds on seed r % seeds, into its own slot: the output does not
    // depend on --jobs or on the order the runs finish in.
    const std::size_t seeds = c.seeds.size();
    c.runs.assign(std::size_t(c.candidates.size()), std::vector<CandidateMetrics>(seeds));
    parallelFor(int(c.runs.size() * seeds), request.jobs, [&](int r) {
        c.runs[std::size_t(r) / seeds][std::size_t(r) % seeds]
            = runCandidate(*scenario, c.candidates[qsizetype(std::size_t(r) / seeds)], c.seeds[std::size_t(r) % seeds]);
    });

    printOut(comparisonTable(c));
    if (!request.json.isEmpty() && jsonFile.write(comparisonJson(c)) != Ok)
        return RunFailed;
    if (!request.csv.isEmpty() && csvFile.write(comparisonCsv(c)) != Ok)
        return RunFailed;
    if (!request.report.wanted())
        return Ok;
    ReportRequest report;
    report.kind = ReportRequest::Kind::Compare;
    report.title = QStringLiteral("Compare on ") + scenario->name;
    report.scenario = *scenario;
    report.seeds = QList<std::uint64_t>(c.seeds.begin(), c.seeds.end());
    report.candidates = c.candidates;
    // What reproduces the table: the inputs, with the seeds spelt out; the outputs are the reader's choice.
    report.commandLine = { QStringLiteral("breakwater"), QStringLiteral("compare"), request.scenario };
    for (const auto &[name, written] : request.candidates)
        report.commandLine << QStringLiteral("--candidate") << name + u'=' + written;
    if (!request.operation.isEmpty())
        report.commandLine << QStringLiteral("--operation") << request.operation;
    report.commandLine << QStringLiteral("--seeds") << QString::number(request.seeds) << QStringLiteral("--seed")
                       << QString::number(first);
    report.tables = { reportTable(c) };
    // The charts: each candidate on the first seed.
    for (const Candidate &candidate : c.candidates)
        report.series.append(candidateSeries(*scenario, candidate, first));
    report.result = QJsonDocument::fromJson(comparisonJson(c)).object();
    return request.report.write(report);
}

} // namespace bw::cli
