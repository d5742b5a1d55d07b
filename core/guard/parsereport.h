#pragma once

#include <QJsonArray>
#include <QJsonObject>
#include <QString>

namespace Guard {

// What `temper parse` prints for one model output: the tool calls Temper recovers from it (with
// the repairs the guard would make), the visible content and reasoning left over, the format
// that matched (its catalog id) and the parser that recognised it, and every issue in plain
// words: rescue problems and validation failures against the declared schemas.
//   {"tool_calls":[{"name":...,"arguments":{...},"valid":true,"repairs":[...]}],"content":"...",
//    "reasoning":"...","format":"hermes_json","parser":"hermes","issues":[...]}
QJsonObject parseReport(const QString& content, const QJsonArray& tools);

} // namespace Guard
