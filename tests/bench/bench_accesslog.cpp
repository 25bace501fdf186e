#include "accesslog/accesslogimporter.h"

#include <benchmark/benchmark.h>

#include <QBuffer>

using namespace bw;

namespace {

// An hour of an nginx log in the documented format: a request every 18 ms, one in twenty a 503,
// one in a hundred a 504 timeout.
QByteArray nginxLog(int lines)
{
    QByteArray log;
    log.reserve(qsizetype(lines) * 160);
    for (int i = 0; i < lines; ++i) {
        const int second = i * 18 / 1000;
        const int status = i % 100 == 0 ? 504 : i % 20 == 0 ? 503 : 200;
        log += "10.1.2." + QByteArray::number(i % 250) + " - - [06/Dec/2026:" + QByteArray::number(10 + second / 3600)
            + ':' + QByteArray::number(second / 60 % 60).rightJustified(2, '0') + ':'
            + QByteArray::number(second % 60).rightJustified(2, '0') + " +0000] \"GET /pay/" + QByteArray::number(i)
            + " HTTP/1.1\" " + QByteArray::number(status) + " 612 \"-\" \"Mozilla/5.0 (X11; Linux x86_64)\" 0.0"
            + QByteArray::number(10 + i % 80) + " 0.0" + QByteArray::number(10 + i % 79) + ' '
            + QByteArray::number(status) + '\n';
    }
    return log;
}

// `breakwater import` without the file system: parse, sort and write the trace (docs/performance.md).
void BM_AccessLogImport(benchmark::State &state)
{
    const int lines = 200'000;
    QBuffer in;
    in.setData(nginxLog(lines));
    for (auto _ : state) {
        QString error;
        std::optional<AccessLogImporter> importer = AccessLogImporter::create({}, &error);
        in.open(QIODevice::ReadOnly);
        importer->read(in, {}, &error);
        in.close();
        QBuffer out;
        out.open(QIODevice::WriteOnly);
        importer->writeCsv(out);
        if (importer->report().imported != lines)
            state.SkipWithError("lines were not imported");
        benchmark::DoNotOptimize(out.data().size());
    }
    state.SetItemsProcessed(state.iterations() * lines);
}
BENCHMARK(BM_AccessLogImport)->Unit(benchmark::kMillisecond);

} // namespace
