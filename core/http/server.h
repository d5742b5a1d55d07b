#pragma once

#include "requestparser.h"

#include <QHostAddress>
#include <QPointer>
#include <QTcpServer>
#include <QTimer>

class QTcpSocket;

namespace Http {

class Connection;

// The answer to one request, written now or later, whole or streamed.
//
// A writer lives until it emits finished() (the response is complete), clientGone() (the
// client went away first) or bodyFailed() (a streamed request body could not be read whole);
// exactly one of the three is emitted. Code that answers asynchronously holds it in a QPointer.
// Writes after any of them are ignored.
//
// A request whose handler asked for its body streamed (RequestHandler::streamsRequestBody)
// reaches the handler as soon as its head is parsed, with an empty body; the body follows
// through bodyReceived() and ends with bodyComplete(). The response may begin before that; if
// it ends first, the connection closes after it (the rest of the body cannot be skipped).
class ResponseWriter : public QObject
{
    Q_OBJECT

public:
    const Request& request() const { return m_request; }

    // True while a streamed request body is still arriving.
    bool bodyPending() const;
    // Back-pressure for a streamed body: while paused, the connection reads nothing more from
    // the client, so TCP slows the client down instead of Temper's memory filling up.
    void pauseBody(bool paused);

    // A complete response with Content-Length.
    void respond(int status, const Headers& headers, const QByteArray& body);

    // A streamed response: chunked on HTTP/1.1, delimited by closing the connection on HTTP/1.0.
    // Every write() reaches the socket at once (flushed, Nagle off), so an SSE event is on the
    // wire as soon as it is written.
    void beginStream(int status, const Headers& headers);
    void write(QByteArrayView data);
    // Ends the stream; `trailers` go after the last chunk (announce them with a "Trailer" header).
    void endStream(const Headers& trailers = {});

    // Closes the connection at once, without ending the response: for a body that was cut off
    // upstream, so the client cannot take it for complete. Neither signal follows.
    void abortConnection();

    bool isActive() const { return !m_done; }
    bool headersSent() const { return m_headersSent; }
    qint64 pendingBytes() const; // written but not yet taken by the kernel (back-pressure)

Q_SIGNALS:
    void finished();
    void clientGone();
    void drained(); // the pending bytes have gone out (resume a paused upstream)

    // A streamed request body: its bytes as they arrive (chunked framing removed), then its end.
    void bodyReceived(const QByteArray& bytes);
    void bodyComplete();
    // The body broke off: malformed chunk framing (400), over the limit (413) or too slow
    // (408). The layer answers the client itself (or, once a response has begun, closes the
    // connection); the handler only stops its work.
    void bodyFailed(int status, const QString& message);

private:
    friend class Connection;
    ResponseWriter(Connection* connection, Request request);
    void writeHead(int status, Headers headers, qint64 contentLength);
    void complete();
    void abandon();
    void failBody(int status, const QString& message);

    Connection* m_connection;
    Request m_request;
    bool m_headersSent = false;
    bool m_chunked = false;
    bool m_bodyless = false; // HEAD, 1xx, 204, 304: the head only
    bool m_keepAlive = true;
    bool m_done = false;
};

// A request the HTTP layer answered itself before any handler saw it, closing the connection
// after the answer: malformed or ambiguous framing (400), too slow (408), too large (413, 431),
// not supported (417, 501, 505).
struct Rejection
{
    int status = 0;
    QString message;         // why, in plain words (also in the answer's body)
    Request request;         // what was parsed of it: method, target, headers; never a body
    QByteArray unparsedHead; // the head's first bytes as received, when it was not fully parsed
    Headers responseHeaders; // the answer as sent
    QByteArray responseBody;
};

// What the server calls for every complete request, in arrival order per connection, and,
// for observers, for every request it refused itself.
class RequestHandler
{
public:
    virtual ~RequestHandler() = default;
    virtual void handleRequest(ResponseWriter* writer) = 0;
    // Asked once a request's head is parsed and before its body has arrived: true hands the
    // request over at once and streams its body (see ResponseWriter). Bodies are collected
    // whole otherwise.
    virtual bool streamsRequestBody(const Request& head) const { Q_UNUSED(head) return false; }
    // Called after the refusal was written; the connection closes next.
    virtual void requestRejected(const Rejection& rejection) { Q_UNUSED(rejection) }
};

struct ServerConfig
{
    Limits limits;
    int requestTimeoutMs = 30'000; // a request must arrive completely within this of its first byte
    int idleTimeoutMs = 75'000;    // a keep-alive connection without a request is closed after this
    qint64 maxPendingWriteBytes = 64 * 1024 * 1024; // a client that stops reading is dropped
    Headers errorHeaders;          // added to the layer's own error answers (CORS, for browsers)
};

// One client connection: parses requests, hands them to the handler one at a time (pipelined
// requests wait their turn, so responses never interleave) and writes the responses.
class Connection : public QObject
{
    Q_OBJECT

public:
    Connection(QTcpSocket* socket, RequestHandler* handler, const ServerConfig& config, QObject* parent = nullptr);
    ~Connection() override;

    QTcpSocket* socket() const { return m_socket; }

Q_SIGNALS:
    void closed();

private:
    friend class ResponseWriter;
    void readSocket();
    void processInput();
    void startStreamedRequest();
    void deliverBody(RequestParser::Status status);
    // The streamed body of m_current broke off: the handler is told, the client answered.
    void failStreamedBody(int status, const QString& message);
    void respondError(int status, const QString& message);
    // Writes the layer's own error answer and closes the connection after it.
    Rejection writeErrorAnswer(int status, const QString& message);
    void responseFinished(bool keepAlive);
    // Starts the idle timeout between requests, or the request timeout at a request's first
    // byte; later bytes of the same request never restart it (a client trickling a byte at a
    // time must not hold the connection forever).
    void armTimer();
    void timedOut();
    void socketGone();
    void writeBytes(QByteArrayView bytes);
    void closeAfterWrite();

    QTcpSocket* m_socket;
    RequestHandler* m_handler;
    ServerConfig m_config;
    RequestParser m_parser;
    QPointer<ResponseWriter> m_current;
    QTimer m_timer;
    enum class Waiting { Nothing, Idle, Request } m_waiting = Waiting::Nothing; // what m_timer bounds
    bool m_continueSent = false;
    bool m_bodyStreaming = false; // m_current's body is still arriving
    bool m_bodyPaused = false;
    bool m_closing = false;
    bool m_gone = false;
};

// The inbound HTTP/1.1 server. Listens where it is told (127.0.0.1 unless configured otherwise).
class Server : public QTcpServer
{
    Q_OBJECT

public:
    explicit Server(RequestHandler* handler, const ServerConfig& config = {}, QObject* parent = nullptr);

    const ServerConfig& config() const { return m_config; }
    void setConfig(const ServerConfig& config) { m_config = config; }
    int connectionCount() const { return m_connections; }

Q_SIGNALS:
    void connectionCountChanged(int count);

protected:
    void incomingConnection(qintptr descriptor) override;

private:
    RequestHandler* m_handler;
    ServerConfig m_config;
    int m_connections = 0;
};

// An error body in the shape OpenAI clients understand: {"error":{"message","type","code"}}.
QByteArray errorBody(const QString& message, const QString& type, const QString& code);

} // namespace Http
