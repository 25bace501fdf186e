#pragma once

#include <QStringList>

namespace bw::cli {

// `breakwater scenarios [NAME]`: lists the built-in scenarios, one per line with its
// description in an aligned column; with a NAME, shows that one in full (what it demonstrates,
// what to look for, how to run it). `arguments` starts with the program name.
int listScenarios(const QStringList &arguments);

} // namespace bw::cli
