#pragma once

#include <QStringList>

namespace bw::cli {

// `breakwater validate [--json] [--threads N]`: runs the validation suite (the simulator against
// queueing theory and published results) and prints one row per check, or JSON. Exit status 0
// when every check passes, 1 when one fails, 2 on bad arguments. `arguments` starts with the
// program name.
int runValidate(const QStringList &arguments);

} // namespace bw::cli
