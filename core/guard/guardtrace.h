#pragma once

#include "attempt.h"
#include "retrypolicy.h"

#include <QJsonObject>

namespace Guard {

// How the guard's findings on one attempt are recorded in the trace (Trace::Attempt::guard), for
// the window, the trace file and exports:
//   {"decision": {"verdict": "accept" | "retry" | "give-up", "reason": "..."},
//    "text": "...", "reasoning": "...",                      the model's own output
//    "rescue": {"format", "parser", "content", "reasoning", "near_miss", "issues": [...]},
//    "calls": [{"id", "name", "arguments_text", "rescued", "span": [start, end], "valid",
//               "arguments", "repairs": [{"kind", "pointer", "before", "after", "description"}],
//               "issues": [{"rule", "pointer", "path", "message", "expected", "received", "schema"}],
//               "ignored_keywords": [...]}],
//    "correction": [the turns appended for the next attempt]}
QJsonObject attemptGuardJson(const AttemptAnalysis& analysis, const Decision& decision, const QList<QJsonObject>& correction);

QString ruleName(Rule rule);             // "type", "required", ...
QString repairKindName(RepairKind kind); // "integral-float", ...
QString verdictName(Decision::Verdict verdict);

} // namespace Guard
