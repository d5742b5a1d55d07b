#pragma once

#include "backend/discovery.h"
#include "config/settings.h"
#include "forwarding.h"
#include "http/server.h"

#include <QObject>
#include <QUrl>

namespace Backend {
class Client;
}
namespace Trace {
class TraceStore;
}

namespace Proxy {

// Temper's composition root: the inbound server, the backend client and its discovery, the
// trace store. Routes each request:
//   OPTIONS *                                 CORS preflight
//   GET /temper/health, GET /temper/backend   Temper's own endpoints
//   POST /v1/chat/completions, /chat/completions
//                                             the guard when tools are declared, else pass-through
//   anything else                             transparent pass-through
// Every client request is traced except Temper's own endpoints and CORS preflights, including
// those Temper refuses itself: a chat request it cannot read, and whatever the HTTP layer
// refuses (malformed framing, too large, too slow).
class ProxyService : public QObject, private Http::RequestHandler
{
    Q_OBJECT

public:
    explicit ProxyService(const Config::Settings& settings, QObject* parent = nullptr);
    ~ProxyService() override;

    // Starts listening; on failure returns false and says why in `error`.
    bool start(QString* error = nullptr);
    void stop();
    bool isListening() const;
    QUrl listenUrl() const;       // e.g. http://127.0.0.1:8090
    quint16 port() const;

    const Config::Settings& settings() const { return m_settings; }
    // Applies new settings to the running proxy: backend and guard at once (requests in flight
    // keep the rules they started with), the listen address by restarting the server.
    bool applySettings(const Config::Settings& settings, QString* error = nullptr);

    Trace::TraceStore* store() const { return m_store; }
    Backend::Discovery* discovery() const { return m_discovery; }
    const Backend::Info& backendInfo() const { return m_discovery->info(); }
    const Trace::SecretRedactor& redactor() const { return m_redactor; }

Q_SIGNALS:
    void listeningChanged(bool listening);
    void backendInfoChanged(const Backend::Info& info);
    // applySettings() took new settings (emitted once they are in force).
    void settingsChanged(const Config::Settings& settings);

private:
    void handleRequest(Http::ResponseWriter* writer) override;
    bool streamsRequestBody(const Http::Request& head) const override;
    void requestRejected(const Http::Rejection& rejection) override;
    void handleChat(Http::ResponseWriter* writer);
    void refuseChat(Http::ResponseWriter* writer, const QString& message, const QString& code);
    // A refused request as an exchange with outcome Error; `unparsedHead` stands in for the
    // body when the request's head could not be read, so the trace shows what arrived.
    quint64 beginRefused(const Http::Request& request, const QByteArray& unparsedHead);
    void finishRefused(quint64 id, int status, const Http::Headers& headers, const QByteArray& body, const QString& message);
    void handleBackendInfo(Http::ResponseWriter* writer);
    Context context() const;
    Http::ServerConfig serverConfig() const;

    Config::Settings m_settings;
    Trace::SecretRedactor m_redactor;
    Http::Server* m_server;
    Backend::Client* m_client;
    Backend::Discovery* m_discovery;
    Trace::TraceStore* m_store;
};

} // namespace Proxy
