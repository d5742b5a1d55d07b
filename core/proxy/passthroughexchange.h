#pragma once

#include "forwarding.h"
#include "sse/sse.h"

#include <QObject>
#include <QPointer>

namespace Backend {
class UpstreamCall;
}

namespace Proxy {

// Forwards one request to the backend untouched and its answer back as it arrives, recording
// both in the trace: every route that the guard does not handle (tool-free chat requests,
// /v1/models, /props, llama.cpp's web UI, ...).
//
// Event streams and other bodies are passed on byte for byte as they arrive, in both
// directions: a request whose body is still arriving (ResponseWriter::bodyPending) is sent on
// at once and its body follows piece by piece. Only a non-streamed chat answer is collected
// first, so the client gets it with a Content-Length as from the backend itself. The object
// deletes itself when the exchange is over.
class PassThroughExchange : public QObject
{
    Q_OBJECT

public:
    enum class Route { Chat, Other };

    PassThroughExchange(const Context& context, Http::ResponseWriter* writer, Route route, QByteArray upstreamBody,
                        QString model, QStringList toolNames, bool streamRequested, QObject* parent = nullptr);
    void start();

private:
    void onHeaders(int status, const Http::Headers& headers);
    void onData(const QByteArray& chunk);
    void onFinished();
    void onFailed(int failure, const QString& message);
    void onClientGone();
    void onBodyReceived(const QByteArray& bytes);
    void onBodyComplete();
    void onBodyFailed(int status, const QString& message);
    void recordStreamedBody();
    void finishTrace(Trace::Outcome outcome, const QString& error = {});

    Context m_context;
    QPointer<Http::ResponseWriter> m_writer;
    Route m_route;
    QByteArray m_upstreamBody;
    QString m_model;
    QStringList m_toolNames;
    bool m_streamRequested = false;
    Trace::HttpRecord m_streamedBody; // a streamed request body as received, up to the trace's limit
    quint64 m_id = 0;
    QPointer<Backend::UpstreamCall> m_call;
    Sse::Decoder m_decoder;
    bool m_eventStream = false;
    bool m_buffered = false;
    QByteArray m_buffer;
    int m_status = 0;
    Http::Headers m_headers;
    bool m_done = false;
};

} // namespace Proxy
