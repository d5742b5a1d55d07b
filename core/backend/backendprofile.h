#pragma once

#include <QByteArray>
#include <QString>
#include <QUrl>

namespace Backend {

enum class Kind { Auto, LlamaServer, Llamafile, Ollama, Vllm, OpenAi };

QString kindName(Kind kind);                     // "llama-server", "openai", ...
bool kindFromName(const QString& name, Kind* kind); // false for an unknown name

// Where Temper forwards to and how.
//
// URL rules: the configured URL may be a server root (http://127.0.0.1:8080) or an API base
// that already names a version (http://127.0.0.1:8080/v1, https://openrouter.ai/api/v1,
// https://host/v1beta/openai). The API base is where "/v1/..." client paths go (with the /v1
// replaced by the base); every other path goes under the server root, so llama-server's own
// /props, /health, /slots and web UI stay reachable.
struct Profile
{
    QUrl url;
    Kind kind = Kind::Auto;
    QString apiKey;          // sent as "Authorization: Bearer"; never traced
    QString model;           // overrides or fills the request's model; empty: leave it alone
    qint64 contextLength = -1; // fallback when discovery finds nothing
    int timeoutMs = 300'000; // no byte from the backend for this long: 504

    QUrl apiBase() const;    // e.g. http://h:8080/v1
    QUrl serverRoot() const; // e.g. http://h:8080
    // The backend URL for a client's request target (path and raw query as sent).
    QUrl upstreamUrl(QByteArrayView path, QByteArrayView query = {}) const;
    QUrl chatCompletionsUrl() const { return upstreamUrl("/v1/chat/completions"); }
};

} // namespace Backend
