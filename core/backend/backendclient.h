#pragma once

#include "http/request.h"

#include <QList>
#include <QObject>
#include <QPointer>
#include <QTimer>
#include <QUrl>

class QNetworkAccessManager;
class QNetworkReply;

namespace Backend {

struct UpstreamRequest
{
    QByteArray method = "GET";
    QUrl url;
    Http::Headers headers;
    QByteArray body;
    // A body that is still arriving: the call sends what writeBody() gives it as it comes.
    // With a known length the backend gets each piece at once; without one (a chunked client
    // body) Qt collects the whole body first, as it cannot send a chunked upload.
    bool streamedBody = false;
    qint64 streamedBodyLength = -1;
    int inactivityTimeoutMs = 300'000; // no byte for this long: the call fails with Timeout
};

class BodyPipe;

// Why a call produced no complete answer.
enum class Failure { None, Refused, Reset, Timeout, HostNotFound, Other };

// One request to the backend, answered as it arrives.
//
// Signals, in order: headersReceived once (when the status line and headers are in), then
// dataReceived for each piece of the body as it arrives, then exactly one of finished (the
// whole answer arrived, whatever its status) or failed (refused, reset, timed out; possibly
// after headers and some data). abort() ends the call silently: no signal follows it.
class UpstreamCall : public QObject
{
    Q_OBJECT

public:
    ~UpstreamCall() override;

    int status() const { return m_status; }
    const Http::Headers& responseHeaders() const { return m_headers; }
    const QUrl& url() const { return m_url; }
    void abort();

    // A streamed request body (UpstreamRequest::streamedBody): pieces in order, then the end.
    // bodyBacklog() is what the backend has not taken yet; bodyDrained() says it fell low
    // again after being over kBodyBacklogHigh.
    void writeBody(const QByteArray& bytes);
    void finishBody();
    qint64 bodyBacklog() const;
    static constexpr qint64 kBodyBacklogHigh = 1024 * 1024;

    // Back-pressure: while paused, arriving bytes wait in a bounded buffer (the backend's TCP
    // window then slows it down) instead of being delivered.
    void setPaused(bool paused);

Q_SIGNALS:
    void headersReceived(int status, const Http::Headers& headers);
    void dataReceived(const QByteArray& chunk);
    void finished();
    void failed(Backend::Failure failure, const QString& message);
    void bodyDrained();

private:
    friend class Client;
    UpstreamCall(QNetworkReply* reply, BodyPipe* body, int inactivityTimeoutMs, QObject* parent);
    void readMetaData();
    void readBody();
    void replyFinished();
    void fail(Failure failure, const QString& message);

    QPointer<QNetworkReply> m_reply;
    QPointer<BodyPipe> m_body;
    QUrl m_url;
    QTimer m_inactivity;
    int m_status = 0;
    Http::Headers m_headers;
    bool m_headersEmitted = false;
    bool m_done = false;
    bool m_paused = false;
};

// Sends requests to backends through a pool of QNetworkAccessManagers: Qt 6.4 opens at most
// six connections per host for one manager and cannot be configured to open more, so 32
// concurrent streams through a single manager would queue behind each other.
class Client : public QObject
{
    Q_OBJECT

public:
    explicit Client(QObject* parent = nullptr);
    ~Client() override;

    // The call is parented to the client; delete it (or let it be deleted) when done.
    UpstreamCall* send(const UpstreamRequest& request);
    int inFlight() const;

private:
    QNetworkAccessManager* pickManager();

    struct Pooled
    {
        QNetworkAccessManager* manager = nullptr;
        int inFlight = 0;
    };
    QList<Pooled> m_pool;
};

QString failureName(Failure failure);

} // namespace Backend
