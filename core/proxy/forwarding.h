#pragma once

#include "backend/backendprofile.h"
#include "config/settings.h"
#include "http/server.h"
#include "trace/exchange.h"
#include "trace/redaction.h"

#include <QJsonObject>

namespace Backend {
class Client;
}
namespace Trace {
class TraceStore;
}

namespace Proxy {

// What one exchange driver needs from the proxy, captured when its request arrives so that a
// settings change mid-request does not change the rules under it.
struct Context
{
    Backend::Client* client = nullptr;
    Trace::TraceStore* store = nullptr;
    Trace::SecretRedactor redactor;
    Backend::Profile profile;
    Config::GuardSettings guard;
    qint64 traceBodyLimit = 16 * 1024 * 1024; // bytes of one body kept in a trace
    qint64 pauseUpstreamAtBytes = 4 * 1024 * 1024; // client not reading: stop reading upstream
};

// Headers for the backend: the client's, minus hop-by-hop and framing headers, with the
// credential rule applied (Temper's own key replaces the client's Authorization; without a
// key the client's passes through).
Http::Headers upstreamHeaders(const Http::Headers& client, const Backend::Profile& profile);

// Headers for the client: the backend's, minus hop-by-hop and framing, plus CORS and Temper's
// own (X-Temper-Exchange, X-Temper-Outcome when known).
Http::Headers clientHeaders(const Http::Headers& upstream, quint64 exchangeId, const QString& outcome = {});

// CORS for browser clients (llama.cpp's web UI opened through Temper, browser SDKs).
void addCorsHeaders(Http::Headers& headers);
void answerPreflight(Http::ResponseWriter* writer);

// The headers of an error Temper answers itself: JSON, CORS, X-Temper-Outcome: error and,
// when it is traced, X-Temper-Exchange.
Http::Headers errorResponseHeaders(quint64 exchangeId = 0);

// An OpenAI-shaped error, as a whole response or, once a stream has begun, as a final event
// followed by [DONE].
void respondError(Http::ResponseWriter* writer, int status, const QString& message, const QString& type,
                  const QString& code, quint64 exchangeId = 0);
QByteArray streamErrorEvents(const QString& message, const QString& type, const QString& code);

// Status for a transport failure: 504 for a timeout, 502 otherwise.
int statusForFailure(int failure);

// Recording helpers: secrets masked, bodies kept up to the limit.
Trace::HttpRecord requestRecord(const QByteArray& method, const QByteArray& url, const Http::Headers& headers,
                                const QByteArray& body, const Context& context);
void appendBody(Trace::HttpRecord& record, QByteArrayView chunk, qint64 limit);

// What a chat-completion chunk or body says about tokens.
struct ChatFacts
{
    bool hasToken = false;     // text, reasoning or tool-call delta (or message) present
    Trace::Usage usage;        // from "usage", when present
    QString finishReason;
    QString model;
};
ChatFacts chatFacts(const QJsonObject& payload);
ChatFacts chatFactsFromBytes(QByteArrayView json);

} // namespace Proxy
