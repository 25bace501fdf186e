// libFuzzer target: the replay trace CSV (docs/formats.md, "Replay trace"). Any input gives a trace
// or a LoadError with a message; a trace read keeps the promises replay relies on: rows sorted
// by start, durations and starts non-negative, failures carry a code.
#include "scenario/tracereader.h"

#include <cstdint>
#include <cstdlib>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    using namespace bw;
    const QByteArray csv = QByteArray::fromRawData(reinterpret_cast<const char *>(data), qsizetype(size));
    LoadError error;
    const std::optional<Trace> trace = TraceReader::parse(csv, QStringLiteral("fuzz.csv"), &error);
    if (!trace) {
        if (error.message.isEmpty())
            std::abort(); // a refusal must say why
        return 0;
    }
    TimePoint previous {};
    for (const TraceRow &row : trace->rows) {
        if (row.start < previous || row.start < TimePoint {} || row.duration < Duration {})
            std::abort();
        if (!row.success && row.code.isNull())
            std::abort();
        previous = row.start;
    }
    return 0;
}
