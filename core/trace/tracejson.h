#pragma once

#include "exchange.h"

#include <QJsonObject>

namespace Trace {

// The exchange as one JSON object (the --trace-file line and the export format). Bodies are
// included as text when they are UTF-8 (JSON bodies parsed, so the file stays readable) and
// as base64 otherwise; stream events keep their arrival times in milliseconds.
QJsonObject exchangeToJson(const Exchange& exchange);

// One line for people watching a headless Temper, e.g.
// "14:03:07 #12 POST /v1/chat/completions qwen3 stream 200 rescued 2 attempts ttft 180 ms total 1.9 s 41 tok/s"
QString exchangeSummaryLine(const Exchange& exchange);

// Milliseconds with one decimal, from microseconds; null when unknown (-1).
QJsonValue millisecondsValue(qint64 us);

} // namespace Trace
