#pragma once

#include "demomodel.h"
#include "http/server.h"

#include <QObject>

namespace Demo {

// How the demo backend behaves; tests tune it to play slow, odd or broken servers.
struct Options
{
    enum class Props { Json, NotFound, Html, BadJson };

    QString modelName = QStringLiteral("temper-demo-1.0");
    qint64 contextLength = 8192;
    int firstByteDelayMs = 120; // "prompt processing" before the answer starts
    int tokenDelayMs = 35;      // between streamed events
    Props props = Props::Json;
    QString requiredApiKey;     // when set, chat requests without "Bearer <key>" get 401
    bool alwaysStream = false;  // stream even when the client asked for a whole answer
    bool neverStream = false;   // answer whole JSON even to "stream": true, as some servers do
};

// A request the demo backend received, for tests to inspect.
struct ReceivedRequest
{
    QByteArray method;
    QByteArray target;
    Http::Headers headers;
    QByteArray body;
};

// An OpenAI-compatible model server on a loopback port, answering like llama-server: chat
// completions (streamed or not) from the scripted Model, /v1/models, /props, /health, /slots
// and a small page at "/".
class Backend : public QObject, private Http::RequestHandler
{
    Q_OBJECT

public:
    explicit Backend(const Options& options = {}, QObject* parent = nullptr);
    ~Backend() override;

    bool start(quint16 port = 0); // 127.0.0.1 only
    quint16 port() const;
    QUrl url() const;
    Options& options() { return m_options; }

    const QList<ReceivedRequest>& received() const { return m_received; }
    int streamsAbandoned() const { return m_streamsAbandoned; }
    int activeStreams() const { return m_activeStreams; }
    int peakActiveStreams() const { return m_peakActiveStreams; }

Q_SIGNALS:
    void requestReceived();
    void streamAbandoned(); // a client left in the middle of a streamed answer

private:
    void handleRequest(Http::ResponseWriter* writer) override;
    void answerChat(Http::ResponseWriter* writer);
    void streamReply(Http::ResponseWriter* writer, const Reply& reply, const QString& model, bool includeUsage);
    QByteArray completionJson(const Reply& reply, const QString& model);

    Options m_options;
    Model m_model;
    Http::Server* m_server;
    QList<ReceivedRequest> m_received;
    int m_streamsAbandoned = 0;
    int m_activeStreams = 0;
    int m_peakActiveStreams = 0;
    quint64 m_completions = 0;
};

} // namespace Demo
