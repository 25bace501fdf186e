#pragma once

#include <QStringList>

namespace bw::cli {

// `breakwater proxy`: a TCP proxy with Toxiproxy's toxics, until interrupted.
int runProxy(const QStringList &arguments);

} // namespace bw::cli
