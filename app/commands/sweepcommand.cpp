#include "sweepcommand.h"

#include "cli.h"
#include "optionparsers.h"
#include "progressbar.h"
#include "reportoutput.h"
#include "subcommand.h"

#include "lab/sweep.h"
#include "resilience/jsonreader.h"
#include "resilience/policywriter.h"
#include "run/scenariorun.h"
#include "scenario/scenarioloader.h"
#include "scenario/scenariowriter.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QRegularExpression>

#include <memory>
#include <vector>

namespace bw::cli {

namespace {

// What `breakwater sweep` was asked to do, its arguments checked.
struct SweepRequest
{
    QString scenario;
    QString operation; // empty: the scenario's only operation
    QStringList vary;
    std::optional<std::uint64_t> seed; // the first; empty: the scenario's
    int seeds = 1;
    int jobs = 0;
    SweepObjective objective = SweepObjective::Success;
    QString csv, json, writePolicy;
    QString emitJobs, collect; // --emit-jobs DIR, --collect DIR
    QString breakwater = QStringLiteral("breakwater"); // the program the job lines call
    ReportOutput report; // --html
};

// The files of a sweep split into jobs (--emit-jobs DIR): the plan the jobs share, the job lines,
// and the folder each job writes its result into.
QString planPath(const QString &dir) { return QDir(dir).filePath(QStringLiteral("plan.json")); }
QString jobsPath(const QString &dir) { return QDir(dir).filePath(QStringLiteral("jobs.txt")); }
QString resultPath(const QString &dir, qsizetype run)
{
    return QDir(dir).filePath(QStringLiteral("results/run-%1.json").arg(run, 6, 10, QChar(u'0')));
}

// Empty to carry on with *request filled; otherwise the exit status (help printed, bad usage).
std::optional<int> parseSweepArguments(const QStringList &arguments, SweepRequest *request)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Runs one operation's policy over a grid of settings, every point on the same seeds (the same\n"
        "traffic and failures), in parallel, and prints the Pareto front over success rate (higher),\n"
        "amplification, p99 latency and recovery time (lower), and the best point by the objective.\n"
        "The outputs are the same bytes whatever --jobs."));
    addScenarioArgument(parser);
    const QCommandLineOption operationOption(QStringLiteral("operation"),
        QStringLiteral("The operation whose policy is varied (may be left out when the scenario has one)."),
        QStringLiteral("OP"));
    const QCommandLineOption varyOption(QStringLiteral("vary"),
        QStringLiteral("A numeric policy field and its values: FROM:TO:STEP (TO included) or a list a,b,c, "
                       "for example circuitBreaker.failureThreshold=2:10:2 or retry.maxAttempts=1,2,3. "
                       "Repeat it to vary several: the grid is every combination."),
        QStringLiteral("KEY=SPEC"));
    const QCommandLineOption seedsOption(QStringLiteral("seeds"),
        QStringLiteral("Runs each point on N seeds, the scenario's and the ones after it, and ranks the means "
                       "(default 1)."),
        QStringLiteral("N"));
    const QCommandLineOption jobsOption(QStringLiteral("jobs"),
        QStringLiteral("Runs in parallel (default: one per core)."), QStringLiteral("N"));
    const QCommandLineOption objectiveOption(QStringLiteral("objective"),
        QStringLiteral("The figure the best point is chosen by: success (the default), amplification, p99 "
                       "or recovery."),
        QStringLiteral("NAME"));
    const QCommandLineOption csvOption(QStringLiteral("csv"),
        QStringLiteral("Writes every point to this CSV file: a column per varied key, then the figures and "
                       "pareto (1/0)."),
        QStringLiteral("OUT.csv"));
    const QCommandLineOption jsonOption(
        QStringLiteral("json"), QStringLiteral("Writes every point and the best to this JSON file."), QStringLiteral("OUT.json"));
    const QCommandLineOption writePolicyOption(QStringLiteral("write-policy"),
        QStringLiteral("Writes the best point's policy to this policy file."), QStringLiteral("POLICY.json"));
    const QCommandLineOption seedOption(QStringLiteral("seed"),
        QStringLiteral("The first seed (default: the scenario's \"seed\")."), QStringLiteral("N"));
    const QCommandLineOption emitJobsOption(QStringLiteral("emit-jobs"),
        QStringLiteral("Runs nothing: writes DIR/jobs.txt, one self-contained command line per point and seed "
                       "for a batch tool (GNU parallel, Slurm, Kubernetes) to run anywhere DIR is shared; each "
                       "writes its result into DIR/results/."),
        QStringLiteral("DIR"));
    const QCommandLineOption collectOption(QStringLiteral("collect"),
        QStringLiteral("Merges the results of the jobs of --emit-jobs DIR into the output an in-process sweep "
                       "gives, byte for byte (takes the scenario and the grid from DIR)."),
        QStringLiteral("DIR"));
    const QCommandLineOption breakwaterOption(QStringLiteral("breakwater"),
        QStringLiteral("The program the job lines call (default: breakwater, found on the PATH)."),
        QStringLiteral("PATH"));
    parser.addOptions({ operationOption, varyOption, seedsOption, jobsOption, objectiveOption, csvOption,
        jsonOption, writePolicyOption, seedOption, emitJobsOption, collectOption, breakwaterOption,
        ReportOutput::option() });
    const Subcommand command(parser, arguments, QStringLiteral("sweep"));
    if (const std::optional<int> done = command.parse())
        return *done;
    if (parser.isSet(collectOption)) {
        // The jobs' plan says what was swept: nothing here may say otherwise.
        for (const QCommandLineOption &option : { operationOption, varyOption, seedsOption, seedOption, emitJobsOption, breakwaterOption })
            if (parser.isSet(option))
                return command.badUsage(QStringLiteral("--collect takes the sweep from DIR/plan.json; leave out --")
                    + option.names().constFirst());
        if (!parser.positionalArguments().isEmpty())
            return command.badUsage(QStringLiteral("--collect takes the sweep from DIR/plan.json; leave out the scenario"));
        request->collect = parser.value(collectOption);
    } else {
        const std::optional<QString> scenario = command.scenarioArgument();
        if (!scenario)
            return BadInput;
        request->scenario = *scenario;
        if (!parser.isSet(varyOption))
            return command.badUsage(QStringLiteral("missing --vary KEY=SPEC: what to sweep"));
    }
    if (parser.isSet(emitJobsOption)) {
        for (const QCommandLineOption &option : { csvOption, jsonOption, writePolicyOption, objectiveOption, ReportOutput::option() })
            if (parser.isSet(option))
                return command.badUsage(QStringLiteral("--emit-jobs runs nothing; give --") + option.names().constFirst()
                    + QStringLiteral(" to --collect"));
        request->emitJobs = parser.value(emitJobsOption);
    }
    QString problem;
    if (parser.isSet(seedOption)) {
        request->seed = parseSeed(parser.value(seedOption), &problem);
        if (!request->seed)
            return command.badUsage(problem);
    }
    if (parser.isSet(breakwaterOption))
        request->breakwater = parser.value(breakwaterOption);
    if (parser.isSet(seedsOption)) {
        const std::optional<int> seeds = parseCount(QStringLiteral("--seeds"), parser.value(seedsOption), 1, Limits::MaxSweepRuns, &problem);
        if (!seeds)
            return command.badUsage(problem);
        request->seeds = *seeds;
    }
    const std::optional<int> jobs = parseJobs(parser, jobsOption, &problem);
    if (!jobs)
        return command.badUsage(problem);
    request->jobs = *jobs;
    if (parser.isSet(objectiveOption)) {
        const std::optional<SweepObjective> objective = sweepObjectiveFromName(parser.value(objectiveOption));
        if (!objective)
            return command.badUsage(QStringLiteral("--objective: expected one of ")
                + sweepObjectiveNames().join(QStringLiteral(", ")) + QStringLiteral(", got '")
                + parser.value(objectiveOption) + u'\'');
        request->objective = *objective;
    }
    if (const std::optional<int> done = request->report.open(parser, QStringLiteral("sweep")))
        return *done;
    request->operation = parser.value(operationOption);
    request->vary = parser.values(varyOption);
    request->csv = parser.value(csvOption);
    request->json = parser.value(jsonOption);
    request->writePolicy = parser.value(writePolicyOption);
    return std::nullopt;
}

// The plan of a sweep and each point's policy, every input checked. Empty to carry on; otherwise
// the exit status, the problem printed.
std::optional<int> planSweep(const SweepRequest &request, SweepPlan *plan, QList<PolicyConfig> *policies)
{
    const auto bad = [](const QString &message) {
        printErr(QStringLiteral("breakwater sweep: ") + message + u'\n');
        return BadInput;
    };
    LoadError error;
    std::optional<ScenarioConfig> scenario = loadScenario(request.scenario, &error);
    if (!scenario)
        return bad(error.toString());
    if (ScenarioRun::needsRealTime(*scenario))
        return bad(request.scenario + QStringLiteral(": has a URL service; a sweep runs simulated scenarios only"));
    plan->operation = request.operation;
    if (plan->operation.isEmpty()) {
        if (scenario->operations.size() != 1) {
            QStringList names;
            for (const OperationConfig &op : std::as_const(scenario->operations))
                names.append(op.name);
            return bad(QStringLiteral("missing --operation OP: the scenario has ") + names.join(QStringLiteral(", ")));
        }
        plan->operation = scenario->operations.constFirst().name;
    }
    for (const QString &text : request.vary) {
        std::optional<SweepParameter> parameter = parseSweepParameter(text, &error);
        if (!parameter || !plan->grid.add(std::move(*parameter), &error))
            return bad(error.toString());
    }
    plan->seeds = sweepSeeds(request.seed.value_or(scenario->seed), request.seeds);
    plan->scenario = std::move(*scenario);
    if (plan->runCount() > Limits::MaxSweepRuns)
        return bad(QStringLiteral("%1 points × %2 seeds is %3 runs; a sweep has at most %4")
                       .arg(QString::number(plan->grid.size(), 'g', 12))
                       .arg(plan->seeds.size())
                       .arg(QString::number(plan->runCount(), 'g', 12))
                       .arg(Limits::MaxSweepRuns));
    std::optional<QList<PolicyConfig>> checked = sweepPolicies(*plan, &error);
    if (!checked)
        return bad(error.toString());
    *policies = std::move(*checked);
    return std::nullopt;
}

// A command-line argument as a POSIX shell reads it back: as is when it is plain, else quoted.
QString shellQuoted(const QString &argument)
{
    static const QRegularExpression plain(QStringLiteral("^[A-Za-z0-9_./=:,+@%-]+$"));
    if (plain.match(argument).hasMatch())
        return argument;
    return u'\'' + QString(argument).replace(u'\'', QStringLiteral("'\\''")) + u'\'';
}

// --emit-jobs DIR: the plan (DIR/plan.json, what --collect rebuilds the sweep from), the
// scenario when it is a file (copied into DIR, so the jobs need nothing else; its traces by their
// absolute paths), and DIR/jobs.txt:
// per run, a one-point, one-seed sweep writing its JSON into DIR/results/. Paths are absolute,
// so a job runs from any working directory on any machine where DIR is at the same path.
int emitJobs(const SweepRequest &request, const SweepPlan &plan)
{
    const QString dir = QFileInfo(request.emitJobs).absoluteFilePath();
    QString error;
    if (!QDir().mkpath(QDir(dir).filePath(QStringLiteral("results")))) {
        printErr(AtomicFile::cannotWrite(dir, QStringLiteral("cannot create the folder")) + u'\n');
        return BadInput;
    }
    QString scenario = request.scenario; // a built-in's name: every breakwater has it
    if (QFileInfo(request.scenario).isFile()) {
        scenario = QDir(dir).filePath(QFileInfo(request.scenario).fileName()); // the name gives the default scenario name
        QFile source(request.scenario);
        if (!source.open(QIODevice::ReadOnly)) {
            printErr(request.scenario + QStringLiteral(": cannot read: ") + source.errorString() + u'\n');
            return BadInput;
        }
        QByteArray bytes = source.readAll();
        // A trace is named relative to the scenario file: the copy names it by its absolute path.
        ScenarioConfig copy = plan.scenario;
        bool traces = false;
        for (OperationConfig &op : copy.operations) {
            if (op.trace) {
                op.tracePath = QFileInfo(op.trace->fileName).absoluteFilePath();
                traces = true;
            }
        }
        if (traces)
            bytes = scenarioToJsonBytes(copy);
        if (QFileInfo(scenario) != QFileInfo(request.scenario) && !writeFileAtomically(scenario, bytes, &error)) {
            printErr(error + u'\n');
            return RunFailed;
        }
    }
    const QJsonObject planJson {
        { QStringLiteral("scenario"), scenario },
        { QStringLiteral("operation"), plan.operation },
        { QStringLiteral("vary"), QJsonArray::fromStringList(request.vary) },
        { QStringLiteral("seed"), QString::number(plan.seeds.constFirst()) }, // as text: a seed may pass 2^53
        { QStringLiteral("seeds"), int(plan.seeds.size()) },
    };
    QString lines;
    const qsizetype seeds = plan.seeds.size();
    for (qsizetype run = 0; run < qsizetype(plan.runCount()); ++run) {
        QStringList line { request.breakwater, QStringLiteral("sweep"), scenario, QStringLiteral("--operation"), plan.operation };
        const QList<double> settings = plan.grid.settings(run / seeds);
        for (qsizetype k = 0; k < settings.size(); ++k)
            line << QStringLiteral("--vary")
                 << plan.grid.parameters()[k].key + u'=' + QString::number(settings[k], 'g', QLocale::FloatingPointShortest);
        line << QStringLiteral("--seed") << QString::number(plan.seeds[run % seeds]) << QStringLiteral("--jobs")
             << QStringLiteral("1") << QStringLiteral("--json") << resultPath(dir, run);
        for (QString &argument : line)
            argument = shellQuoted(argument);
        lines += line.join(u' ') + u'\n';
    }
    if (!writeFileAtomically(planPath(dir), QJsonDocument(planJson).toJson(QJsonDocument::Indented), &error)
        || !writeFileAtomically(jobsPath(dir), lines.toUtf8(), &error)) {
        printErr(error + u'\n');
        return RunFailed;
    }
    printOut(QStringLiteral("%1 jobs in %2: run them (for example: parallel < %2), then: breakwater sweep --collect %3\n")
                 .arg(qsizetype(plan.runCount()))
                 .arg(shellQuoted(jobsPath(dir)), shellQuoted(dir)));
    return Ok;
}

// --collect DIR: the request --emit-jobs DIR was given, from DIR/plan.json.
std::optional<int> readPlan(SweepRequest *request)
{
    const auto bad = [](const QString &message) {
        printErr(QStringLiteral("breakwater sweep: ") + message + u'\n');
        return BadInput;
    };
    LoadError error;
    const std::optional<QByteArray> text = readJsonFile(planPath(request->collect), &error);
    if (!text)
        return bad(error.toString());
    const QJsonObject plan = QJsonDocument::fromJson(*text).object();
    bool seedOk = false;
    request->seed = plan.value(QStringLiteral("seed")).toString().toULongLong(&seedOk);
    request->scenario = plan.value(QStringLiteral("scenario")).toString();
    request->operation = plan.value(QStringLiteral("operation")).toString();
    request->vary = plan.value(QStringLiteral("vary")).toVariant().toStringList();
    request->seeds = plan.value(QStringLiteral("seeds")).toInt();
    if (!seedOk || request->scenario.isEmpty() || request->operation.isEmpty() || request->vary.isEmpty()
        || request->seeds < 1)
        return bad(planPath(request->collect) + QStringLiteral(": not a plan written by --emit-jobs"));
    return std::nullopt;
}

// --collect DIR: each run's figures, from the result its job wrote; empty, with the problem
// printed, when one is missing or is not that run's.
std::optional<QList<SweepFigures>> collectRuns(const QString &dir, const SweepPlan &plan)
{
    const qsizetype seeds = plan.seeds.size();
    QList<SweepFigures> runs;
    QStringList missing;
    for (qsizetype run = 0; run < qsizetype(plan.runCount()); ++run) {
        const QString path = resultPath(dir, run);
        QFile file(path);
        if (!file.open(QIODevice::ReadOnly)) {
            missing.append(path);
            continue;
        }
        const QJsonObject json = QJsonDocument::fromJson(file.readAll()).object();
        const QJsonObject point = json.value(QStringLiteral("points")).toArray().at(0).toObject();
        QJsonObject settings;
        const QList<double> values = plan.grid.settings(run / seeds);
        for (qsizetype k = 0; k < values.size(); ++k)
            settings.insert(plan.grid.parameters()[k].key, values[k]);
        const std::optional<SweepFigures> figures = figuresFromJson(point);
        if (!figures || point.value(QStringLiteral("settings")).toObject() != settings
            || json.value(QStringLiteral("seeds")).toArray() != QJsonArray { double(plan.seeds[run % seeds]) }) {
            printErr(QStringLiteral("breakwater sweep: ") + path
                + QStringLiteral(": not the result of this run of the plan; emit the jobs again and run them\n"));
            return std::nullopt;
        }
        runs.append(*figures);
    }
    if (!missing.isEmpty()) {
        printErr(QStringLiteral("breakwater sweep: %1 of %2 results missing, the first %3: run their jobs (%4)\n")
                     .arg(missing.size())
                     .arg(qsizetype(plan.runCount()))
                     .arg(missing.constFirst(), jobsPath(dir)));
        return std::nullopt;
    }
    return runs;
}

// The output files, opened before the sweep runs so that a bad path fails first.
class SweepOutputs
{
public:
    bool open(const SweepRequest &request, QString *error)
    {
        for (const QString &path : { request.csv, request.json, request.writePolicy }) {
            m_files.push_back(path.isEmpty() ? std::unique_ptr<AtomicFile>() : std::make_unique<AtomicFile>(path));
            if (m_files.back() && !m_files.back()->open(error))
                return false;
        }
        return true;
    }

    // Writes and commits each file that was asked for; false, with the reason, when one fails.
    bool write(const SweepResult &result, const PolicyConfig &best, QString *error)
    {
        const QByteArray contents[] = { sweepCsv(result),
            QJsonDocument(sweepJson(result)).toJson(QJsonDocument::Indented),
            QJsonDocument(policyToJson(best)).toJson(QJsonDocument::Indented) };
        for (std::size_t i = 0; i < m_files.size(); ++i) {
            if (!m_files[i])
                continue;
            m_files[i]->device()->write(contents[i]);
            if (!m_files[i]->commit(error))
                return false;
        }
        return true;
    }

private:
    std::vector<std::unique_ptr<AtomicFile>> m_files; // csv, json, policy; null when not asked for
};

// The --html page: the Pareto front with the best point marked, the heat map and the scatter
// (drawn from `result`), the base policy and the best point's, the seeds, and the line that runs
// the same sweep again in one process.
ReportRequest sweepReport(const SweepRequest &request, const SweepPlan &plan, const PolicyConfig &best,
    const SweepResult &result)
{
    ReportRequest report;
    report.kind = ReportRequest::Kind::Sweep;
    report.title = QStringLiteral("Sweep of %1, operation %2").arg(plan.scenario.name, plan.operation);
    report.scenario = plan.scenario;
    report.seeds = plan.seeds;
    for (const OperationConfig &op : plan.scenario.operations)
        if (op.name == plan.operation)
            report.candidates.append(Candidate { QStringLiteral("Base policy"), op.policy, plan.operation });
    const QString bestName = QStringLiteral("Best by ") + sweepObjectiveName(result.objective) + QStringLiteral(": ")
        + sweepSettingsText(result, result.best);
    report.candidates.append(Candidate { bestName, best, plan.operation });
    report.commandLine = { QStringLiteral("breakwater"), QStringLiteral("sweep"), request.scenario, QStringLiteral("--operation"),
        plan.operation };
    for (const QString &vary : request.vary)
        report.commandLine << QStringLiteral("--vary") << vary;
    report.commandLine << QStringLiteral("--seed") << QString::number(plan.seeds.constFirst()) << QStringLiteral("--seeds")
                       << QString::number(plan.seeds.size()) << QStringLiteral("--objective")
                       << sweepObjectiveName(result.objective);
    ReportTable front;
    front.title = QStringLiteral("Pareto front");
    front.rows = paretoRows(result);
    front.headers = front.rows.takeFirst();
    front.caption = QStringLiteral("%1 of %2 points: none of the others beats them on success rate (higher), "
                                   "amplification, p99 and recovery (lower) at once. Marked: %3.")
                        .arg(front.rows.size())
                        .arg(result.figures.size())
                        .arg(bestName);
    const qsizetype bestRow = result.pareto.mid(0, result.best).count(true);
    front.best = QList<QList<int>>(bestRow + 1);
    for (int column = 0; column < front.headers.size(); ++column)
        front.best[bestRow].append(column);
    report.tables = { front };
    report.result = sweepJson(result);
    report.sweep = result;
    return report;
}

} // namespace

int sweepScenario(const QStringList &arguments)
{
    SweepRequest request;
    if (const std::optional<int> done = parseSweepArguments(arguments, &request))
        return *done;
    if (!request.collect.isEmpty()) {
        if (const std::optional<int> done = readPlan(&request))
            return *done;
    }
    SweepPlan plan;
    QList<PolicyConfig> policies;
    if (const std::optional<int> done = planSweep(request, &plan, &policies))
        return *done;
    if (!request.emitJobs.isEmpty())
        return emitJobs(request, plan);
    SweepOutputs outputs;
    QString message;
    if (!outputs.open(request, &message)) {
        printErr(message + u'\n');
        return BadInput;
    }

    std::optional<QList<SweepFigures>> runs;
    if (!request.collect.isEmpty()) {
        runs = collectRuns(request.collect, plan);
        if (!runs)
            return BadInput;
    } else {
        ProgressBar bar(true);
        runs = runSweep(plan, policies, request.jobs, [&bar](qsizetype done, qsizetype total) {
            bar.draw(double(done) / double(total),
                QStringLiteral("%1 / %2 runs  %3 s").arg(done).arg(total).arg(double(bar.elapsedMs()) / 1000, 0, 'f', 1),
                done == total);
        });
    }
    const SweepResult result = sweepResult(plan, *runs, request.objective);
    printOut(sweepTable(result));
    if (!outputs.write(result, policies[result.best], &message)) {
        printErr(message + u'\n');
        return RunFailed;
    }
    if (request.report.wanted())
        return request.report.write(sweepReport(request, plan, policies[result.best], result));
    return Ok;
}

} // namespace bw::cli
