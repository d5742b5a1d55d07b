#pragma once

#include "proxy/forwarding.h"
#include "retrypolicy.h"
#include "sse/sse.h"
#include "streamguard.h"

#include <QJsonObject>
#include <QObject>
#include <QPointer>
#include <QTimer>
#include <memory>

namespace Backend {
class UpstreamCall;
}

namespace Guard {

// Drives one chat request that declares tools: sends attempts to the backend, rescues and
// validates what comes back, retries with corrections while the policy says so, and answers the
// client once, streamed or not as it asked. Everything it learns goes into the trace.
//
// Streaming: the upstream request streams too; text reaches the client as it arrives (the
// StreamGuard holds only what may be a call), and a backend that answers one JSON completion
// anyway is played back as a stream. Comments keep the connection alive during any silence,
// from the start: the client stream opens on the first keep-alive tick if the backend has not
// answered by then. Text is never sent twice: once content was sent a retry contributes its tool
// calls only, once reasoning was sent a retry's reasoning is dropped. The outcome goes in an SSE
// comment and an "X-Temper-Outcome" trailer at the end. Non-streamed answers carry the outcome
// as a header and usage summed over attempts. The object deletes itself when the exchange is over.
class GuardedExchange : public QObject
{
    Q_OBJECT

public:
    struct Request
    {
        QByteArray body;   // the client's body as forwarded (the model name may be replaced)
        QString model;
        ToolCatalog tools;
        ToolChoice choice;
        bool stream = false;
        bool includeUsage = false; // stream_options.include_usage
    };

    GuardedExchange(const Proxy::Context& context, Http::ResponseWriter* writer, Request request, QObject* parent = nullptr);
    void start();

private:
    void sendAttempt();
    void onHeaders(int status, const Http::Headers& headers);
    void onData(const QByteArray& chunk);
    void onFinished();
    void onFailed(int failure, const QString& message);
    void onClientGone();

    void handleStreamEvent(const QByteArray& data, qint64 atUs);
    void forwardChunk(const QJsonObject& chunk);
    // Plays a whole completion the backend sent to a streaming client through the stream guard.
    void replayAsStream(const QJsonObject& completion, const AttemptAnalysis& analysis);
    void concludeAttempt(const AttemptAnalysis& analysis);
    void accept(const AttemptAnalysis& analysis);
    QString heldTextKey(bool rescued) const; // the delta key for held text sent at the end
    void retry(const AttemptAnalysis& analysis, const Decision& decision);
    void giveUp(const AttemptAnalysis& analysis, const Decision& decision);
    void failWithBackendAnswer();
    // After a failed retry: the previous attempt becomes the last one again.
    void restorePreviousAttempt();

    // Streamed answers
    void startClientStream();
    void sendChunk(const QJsonObject& delta, const QJsonValue& finishReason = QJsonValue(), bool withUsage = false);
    void sendRaw(const QByteArray& bytes);
    void endClientStream(Trace::Outcome outcome);
    void endStreamWithError(const QString& message, const QString& type, const QString& code, Trace::Outcome outcome);
    // Non-streamed answers
    void respondWhole(int status, const QByteArray& body, Trace::Outcome outcome, const QString& error = {});
    QByteArray acceptedCompletion(const AttemptAnalysis& analysis) const;
    // `body` with the usage summed over attempts in place of its own, the rest byte for byte.
    QByteArray withSummedUsage(const QByteArray& body) const;
    // A completion holding `content`, for an answer the backend sent only inside an error.
    QByteArray syntheticCompletion(const QString& content);
    // The completion a streamed attempt amounts to, for a client that asked for a whole answer.
    QByteArray completionFromStream() const;

    Trace::Outcome acceptedOutcome(const AttemptAnalysis& analysis) const;
    QJsonObject summedUsage() const;
    void recordDecision(const AttemptAnalysis& analysis, const Decision& decision, const QList<QJsonObject>& correction);
    void finishTrace(Trace::Outcome outcome, const QString& error = {});

    Proxy::Context m_context;
    QPointer<Http::ResponseWriter> m_writer;
    Request m_request;
    quint64 m_id = 0;
    int m_attempt = 0;      // the attempt whose answer counts (back to the previous one after a failed retry)
    int m_attemptsSent = 0;
    QList<QJsonObject> m_corrections; // every corrective turn so far, appended after the client's messages
    QPointer<Backend::UpstreamCall> m_call;

    // The attempt in flight
    int m_status = 0;
    Http::Headers m_headers;
    bool m_eventStream = false;
    QByteArray m_body;
    Sse::Decoder m_decoder;
    std::unique_ptr<StreamGuard> m_streamGuard;
    QJsonObject m_streamError; // an error event the backend sent inside its stream

    // Across attempts
    bool m_clientStreamStarted = false;
    bool m_roleSent = false;
    bool m_textSent = false;
    bool m_reasoningSent = false;
    bool m_dropReasoning = false; // this attempt's reasoning is not forwarded
    QJsonObject m_chunkTemplate; // id, created, model, ... of the first upstream chunk
    QByteArray m_lastCompletionBody; // non-streamed: the previous attempt's answer, as the backend sent it
    AttemptAnalysis m_previous;
    std::unique_ptr<StreamGuard> m_previousGuard;
    bool m_havePrevious = false;
    bool m_anyRescued = false;
    bool m_anyRepaired = false;
    qint64 m_promptTokens = -1;
    qint64 m_completionTokens = -1;
    QTimer m_keepAlive;
    bool m_done = false;
};

} // namespace Guard
