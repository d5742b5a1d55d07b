#pragma once

#include "exchange.h"

#include <QStringList>

namespace Trace {

// What Temper changed between the two sides of an exchange, in plain words, for the window's
// "Client vs upstream" tab. Pure functions of the recorded messages.

// The client's request against the request Temper sent to the backend: where it went, the
// model replaced or filled, messages appended (the corrective turns of a retry), other top-level
// members added, removed or changed, headers added or removed (values are already masked).
// Empty when Temper sent the body exactly as received.
QStringList requestRewrites(const HttpRecord& client, const HttpRecord& upstream);

// The backend's answer against what the client got: the status, the tool calls (rescued from
// text, repaired, dropped), the text and the finish reason. Streams are compared as the messages
// they reassemble into.
QStringList responseRewrites(const HttpRecord& upstream, const HttpRecord& client);

} // namespace Trace
