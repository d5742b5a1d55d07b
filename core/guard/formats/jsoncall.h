#pragma once

#include "formatparser.h"

#include <QJsonObject>
#include <QJsonValue>
#include <optional>

namespace Guard {

// Reads tool calls out of an already parsed JSON value, in every shape models and servers use:
//   {"name": N, "arguments"|"parameters"|"args"|"input": {...}}    (keys in either order)
//   {"tool"|"tool_name"|"function_name": N, ...}                     (forge, Cohere, others)
//   {"type": "function", "function": {"name": N, "arguments": ...}}  (OpenAI-like nesting)
//   {"tool_call": {...}}, {"tool_calls": [...]}, {"function_call": {...}}
//   {"N": {...}} or {"N": "<json>"}                                 (the name as the only key)
//   [call, call, ...]                                                (arrays of any of these)
// Arguments given as a string that holds a JSON object are decoded once; any other string is
// kept as written for the validator to report. Missing or null arguments mean {}.
//
// Only declared names become calls. An object that looks like a call but names an undeclared
// tool adds a line to `issues` (when given) and yields nothing. Spans are left empty: the caller
// knows where the JSON text was.
QList<ParsedCall> callsFromJson(const QJsonValue& value, const ToolCatalog& tools,
                                QStringList* issues = nullptr);

// The single-object case of callsFromJson(); nullopt when the object is not a call to a
// declared tool.
std::optional<ParsedCall> callFromJsonObject(const QJsonObject& object, const ToolCatalog& tools,
                                             QStringList* issues = nullptr);

// Decodes arguments that arrived as a string holding JSON ("{\"a\":1}" -> {"a":1}); any other
// value is returned unchanged.
QJsonValue decodeStringifiedArguments(const QJsonValue& arguments);

} // namespace Guard
