// libFuzzer target: the access-log import (docs/formats.md, "Access-log import"). The first byte
// picks the format, the rest is the log. Whatever the log, the import ends, every line is either
// imported, filtered or counted bad, and the trace it writes is one `breakwater replay` reads back,
// row for row.
#include "accesslog/accesslogimporter.h"
#include "scenario/tracereader.h"

#include <QBuffer>

#include <cstdint>
#include <cstdlib>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    using namespace bw;
    if (size == 0)
        return 0;
    AccessLogImporter::Options options;
    options.format = LogLineParser::Format(data[0] % 4);
    QString error;
    std::optional<AccessLogImporter> importer = AccessLogImporter::create(options, &error);
    if (!importer)
        std::abort(); // the defaults are always usable
    QBuffer log;
    log.setData(reinterpret_cast<const char *>(data + 1), qsizetype(size - 1));
    log.open(QIODevice::ReadOnly);
    if (!importer->read(log, {}, &error)) {
        if (error.isEmpty())
            std::abort(); // a refusal must say why
        return 0;
    }
    const AccessLogImporter::Report &report = importer->report();
    if (report.imported + report.bad > report.lines || report.firstBad.size() > 10)
        std::abort();
    QBuffer csv;
    csv.open(QIODevice::WriteOnly);
    importer->writeCsv(csv);
    LoadError loadError;
    const std::optional<Trace> trace = TraceReader::parse(csv.data(), QStringLiteral("fuzz.csv"), &loadError);
    if (!trace || std::int64_t(trace->rows.size()) != report.imported)
        std::abort();
    return 0;
}
