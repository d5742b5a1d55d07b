#pragma once

#include "exchange.h"

#include <QString>
#include <QUrl>

namespace Trace {

// The client's request as a curl command that sends it again through Temper at `temperUrl`:
// method, headers (credentials stay as masked in the trace; the command says where to put a real
// key) and the body, quoted for a POSIX shell. Streams get -N so curl shows events as they come.
QString curlCommand(const Exchange& exchange, const QUrl& temperUrl);

// A string quoted for a POSIX shell: 'it'\''s'.
QString shellQuote(const QString& text);

} // namespace Trace
