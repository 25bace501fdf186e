#pragma once

#include "fleet/fleetmodel.h"

#include <QByteArray>
#include <QString>
#include <QStringList>

namespace bw::cli {

// `breakwater fleet --prometheus URL | --hystrix URL … [--json] [--watch [--interval 5s]]
// [--merge-replicas]`, and `--twin SERVICE/NAME --from T --to T --out DIR` (docs/formats.md,
// "Fleet monitoring"). One row per breaker; status 2 when a source cannot be reached or is not
// what its option says.
int runFleet(const QStringList &arguments);

// The table the command prints: one row per breaker (per service and name with `merged`).
QString fleetTable(const FleetSnapshot &snapshot, bool merged);
// {"breakers": [{"source", "library", "service", "instance", "name", "state", …}], "sources": […]}
QByteArray fleetJson(const FleetSnapshot &snapshot, bool merged);

} // namespace bw::cli
