#pragma once

#include "policy.h"

#include <QJsonObject>

namespace bw {

// A policy as the JSON of docs/formats.md, every field written out (no preset), so that the policy
// loader reads back the same PolicyConfig: for control events that must replay a live edit,
// and for saving a policy edited in the app. Callables (a retry predicate, onRetry, a fallback
// function, onTimeout) have no JSON form and are left out.
QJsonObject policyToJson(const PolicyConfig &policy);

// What an edit changed, one entry per field as the policy JSON names it:
// "circuitBreaker.failureThreshold 5 → 3", "retry on", "order". Empty when nothing changed.
// For event logs and chart markers, so a threshold edit says which threshold.
QStringList policyChanges(const PolicyConfig &before, const PolicyConfig &after);

} // namespace bw
