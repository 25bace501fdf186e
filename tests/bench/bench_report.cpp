// Judges a Google Benchmark JSON file against the targets of docs/performance.md: each time
// target is a ratio to BM_Reference_ClockNow measured in the same run (medians of the
// repetitions), so a noisy machine moves both sides together.
#include <QCoreApplication>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMap>
#include <QTextStream>

#include <cstdio>

namespace {

struct Target
{
    const char *name;
    double maxRatio;      // ≤ this × the yardstick; 0 when not a time target
    double minItemsPerSec; // ≥ this; 0 when not a throughput target
    double maxMs; // ≤ this many milliseconds (an absolute target, the GUI's); 0 when not one
    bool zeroAllocations;
};

constexpr Target Targets[] = {
    { "BM_BreakerClosedSuccess", 3, 0, 0, true },
    { "BM_BreakerOpenReject", 2, 0, 0, true },
    // Issue 14: each strategy admitting a call.
    { "BM_RateLimiterAdmit", 3, 0, 0, true },
    { "BM_RetryQuotaAdmit", 3, 0, 0, true },
    { "BM_HedgingAdmit", 3, 0, 0, true },
    { "BM_AdaptiveThrottleAdmit", 3, 0, 0, true },
    { "BM_ConcurrencyLimitAdmit", 3, 0, 0, true },
    { "BM_PipelineSuccess", 15, 0, 0, true },
    { "BM_PipelineSuccessVirtual", 10, 0, 0, true },
    { "BM_PipelineOpenFallback", 0, 0, 0, true },
    { "BM_SimulatedCalls", 0, 3'000'000, 0, false },
    { "BM_AccessLogImport", 0, 500'000, 0, false }, // lines of an nginx log per second
    // Issue 15: a refresh's Prometheus answers for 1,000 breakers across 100 services read.
    { "BM_FleetSnapshot", 1'500'000, 0, 0, false },
    // Painted, 20 breakers, every chart, 10 minutes of history (breakwater_gui_bench).
    { "BM_GuiRefreshTick/1", 0, 0, 5, false },
    // Issue 15: the Fleet mode's GUI-thread time per refresh, 1,000 breakers across 100 services
    // from a real Prometheus, painted (its name carries its fixed iteration count and manual time).
    { "BM_FleetRefreshTick/iterations:20/manual_time", 0, 0, 5, false },
};

struct Row
{
    double time = 0, itemsPerSec = 0, allocs = -1; // allocs < 0: not measured
    QString unit;
    QString error; // why the benchmark did not run (SkipWithError), e.g. a missing program
};

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    QTextStream out(stdout);
    if (argc < 2) {
        QTextStream(stderr) << "usage: breakwater_bench_report BENCH.json...\n";
        return 2;
    }
    QMap<QString, Row> rows;
    for (int i = 1; i < argc; ++i) {
        QFile file(QString::fromLocal8Bit(argv[i]));
        if (!file.open(QIODevice::ReadOnly)) {
            QTextStream(stderr) << file.fileName() << ": cannot read: " << file.errorString() << "\n";
            return 2;
        }
        // Google Benchmark writes NaN for the coefficient of variation of a constant counter,
        // which is not JSON; those rows are skipped anyway.
        const QByteArray json = file.readAll().replace(": NaN", ": null").replace(": -nan", ": null");
        QJsonParseError error;
        const QJsonDocument document = QJsonDocument::fromJson(json, &error);
        if (error.error != QJsonParseError::NoError) {
            QTextStream(stderr) << file.fileName() << ": offset " << error.offset << ": " << error.errorString() << "\n";
            return 2;
        }
        const QJsonArray benchmarks = document.object().value(u"benchmarks").toArray();
        for (const QJsonValue &v : benchmarks) {
            const QJsonObject b = v.toObject();
            // Medians when repetitions ran, else the single run.
            const bool median = b.value(u"aggregate_name").toString() == u"median";
            if (!median && b.value(u"run_type").toString() == u"aggregate")
                continue;
            QString name = b.value(u"run_name").toString();
            if (name.isEmpty())
                name = b.value(u"name").toString();
            if (!median && rows.contains(name))
                continue;
            Row r;
            r.time = b.value(u"real_time").toDouble();
            r.unit = b.value(u"time_unit").toString();
            r.itemsPerSec = b.value(u"items_per_second").toDouble();
            if (b.contains(u"allocs_per_call"))
                r.allocs = b.value(u"allocs_per_call").toDouble();
            if (b.value(u"error_occurred").toBool())
                r.error = b.value(u"error_message").toString();
            rows.insert(name, r);
        }
    }
    const double yardstick = rows.value(QStringLiteral("BM_Reference_ClockNow")).time;
    if (yardstick <= 0) {
        QTextStream(stderr) << "no BM_Reference_ClockNow in the input\n";
        return 2;
    }
    bool allMet = true;
    const auto allocs = [](const Row &r) { return r.allocs < 0 ? QStringLiteral("–") : QString::number(r.allocs); };
    out << QStringLiteral("| benchmark | median | × clock or rate | target | allocs/call | met |\n|---|---:|---:|---|---:|---|\n");
    out << QStringLiteral("| BM_Reference_ClockNow | %1 ns | 1.0 | yardstick | %2 | |\n")
                    .arg(yardstick, 0, 'f', 1)
                    .arg(allocs(rows.value(QStringLiteral("BM_Reference_ClockNow"))));
    for (const Target &t : Targets) {
        const QString name = QString::fromLatin1(t.name);
        if (!rows.contains(name))
            continue;
        const Row r = rows.value(name);
        if (!r.error.isEmpty()) {
            out << QStringLiteral("| %1 | stopped: %2 | | | | **no** |\n").arg(name, r.error);
            allMet = false;
            continue;
        }
        // The yardstick is in nanoseconds; a GUI benchmark reports milliseconds.
        const double ms = r.time * (r.unit == u"ns" ? 1e-6 : r.unit == u"us" ? 1e-3 : r.unit == u"s" ? 1e3 : 1);
        const double ratio = ms * 1e6 / yardstick;
        bool met = !t.zeroAllocations || r.allocs == 0;
        QString target;
        if (t.maxMs > 0) {
            met = met && ms <= t.maxMs;
            target = QStringLiteral("≤ %1 ms").arg(t.maxMs);
        } else if (t.maxRatio > 0) {
            met = met && ratio <= t.maxRatio;
            target = QStringLiteral("≤ %1 ×").arg(t.maxRatio);
        } else if (t.minItemsPerSec > 0) {
            met = met && r.itemsPerSec >= t.minItemsPerSec;
            target = QStringLiteral("≥ %1 calls/s").arg(t.minItemsPerSec, 0, 'f', 0);
        } else {
            target = QStringLiteral("0 allocs");
        }
        allMet = allMet && met;
        const QString speed = t.minItemsPerSec > 0 ? QStringLiteral("%1 calls/s").arg(r.itemsPerSec, 0, 'f', 0)
                                                    : QString::number(ratio, 'f', ratio >= 1000 ? 0 : 2);
        out << QStringLiteral("| %1 | %2 %3 | %4 | %5 | %6 | %7 |\n")
                        .arg(name)
                        .arg(r.time, 0, 'f', 1)
                        .arg(r.unit, speed, target, allocs(r))
                        .arg(met ? QStringLiteral("yes") : QStringLiteral("**no**"));
    }
    out.flush();
    return allMet ? 0 : 1;
}
