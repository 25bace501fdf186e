#pragma once

#include <QStringList>

namespace bw::cli {

// `breakwater export-policy POLICY --to resilience4j|polly|opossum|envoy [--name NAME] [--out F]`
// (README, "Taking a policy home"): writes the policy as the target library's configuration, on
// standard output or atomically to F. YAML says what does not map exactly in comments; JSON stays
// pure and its notes go to F.notes.txt beside it, or to stderr. Exit 0, or 2 on bad input, 1 when
// a file cannot be written. `arguments` starts with the program name.
int exportPolicyCommand(const QStringList &arguments);

} // namespace bw::cli
