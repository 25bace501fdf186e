#pragma once

#include <QStringList>

namespace bw::cli {

// `breakwater chaos-target`: serves HTTP that fails on demand until interrupted.
int runChaosTarget(const QStringList &arguments);

} // namespace bw::cli
