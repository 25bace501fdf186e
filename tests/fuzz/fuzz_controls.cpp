// libFuzzer target: the control events of an events file (JSON Lines, docs/formats.md "Events").
// Any input gives commands or a LoadError with a message, never a crash.
#include "run/controlscript.h"

#include <cstdint>
#include <cstdlib>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    using namespace bw;
    const QByteArray jsonl = QByteArray::fromRawData(reinterpret_cast<const char *>(data), qsizetype(size));
    LoadError error;
    const std::optional<QList<TimedCommand>> commands = parseControls(jsonl, QStringLiteral("fuzz.jsonl"), &error);
    if (!commands && error.message.isEmpty())
        std::abort(); // a refusal must say why
    return 0;
}
