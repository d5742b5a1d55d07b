#include "server.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QTcpSocket>

using namespace Qt::StringLiterals;

namespace Http {

namespace {

// Qt's socket buffer stops reading from the kernel past this, so a client that pipelines
// megabytes while a response streams is slowed down by TCP instead of filling our memory.
constexpr qint64 kSocketReadBuffer = 1024 * 1024;

bool statusHasNoBody(int status)
{
    return (status >= 100 && status < 200) || status == 204 || status == 304;
}

} // namespace

QByteArray errorBody(const QString& message, const QString& type, const QString& code)
{
    const QJsonObject error { { u"message"_s, message }, { u"type"_s, type }, { u"code"_s, code } };
    return QJsonDocument(QJsonObject { { u"error"_s, error } }).toJson(QJsonDocument::Compact);
}

// ---- ResponseWriter

ResponseWriter::ResponseWriter(Connection* connection, Request request)
    : QObject(connection)
    , m_connection(connection)
    , m_request(std::move(request))
{
}

bool ResponseWriter::bodyPending() const
{
    return !m_done && m_connection->m_current == this && m_connection->m_bodyStreaming;
}

void ResponseWriter::pauseBody(bool paused)
{
    if (!bodyPending() || m_connection->m_bodyPaused == paused)
        return;
    m_connection->m_bodyPaused = paused;
    if (!paused) // bytes that arrived while paused raise no new readyRead
        QMetaObject::invokeMethod(m_connection, &Connection::readSocket, Qt::QueuedConnection);
}

qint64 ResponseWriter::pendingBytes() const
{
    return m_done || !m_connection->m_socket ? 0 : m_connection->m_socket->bytesToWrite();
}

void ResponseWriter::writeHead(int status, Headers headers, qint64 contentLength)
{
    // A streamed body without chunking (HTTP/1.0) ends when the connection closes.
    const bool closeDelimited = contentLength < 0 && !m_chunked && !m_bodyless;
    // A response that may end before its request's body has arrived closes the connection.
    m_keepAlive = m_request.keepAlive() && !closeDelimited && !bodyPending();
    removeHeader(headers, "Content-Length");
    removeHeader(headers, "Transfer-Encoding");
    removeHeader(headers, "Connection");
    if (!statusHasNoBody(status)) {
        if (contentLength >= 0)
            headers.append(Header { "Content-Length", QByteArray::number(contentLength) });
        else if (m_chunked)
            headers.append(Header { "Transfer-Encoding", "chunked" });
    }
    if (!m_keepAlive)
        headers.append(Header { "Connection", "close" });
    else if (m_request.minorVersion == 0)
        headers.append(Header { "Connection", "keep-alive" });

    QByteArray head = "HTTP/1.1 " + QByteArray::number(status) + ' ' + reasonPhrase(status) + "\r\n";
    for (const Header& header : std::as_const(headers))
        head += header.name + ": " + header.value + "\r\n";
    head += "\r\n";
    m_headersSent = true;
    m_connection->writeBytes(head);
}

void ResponseWriter::respond(int status, const Headers& headers, const QByteArray& body)
{
    if (m_done || m_headersSent)
        return;
    m_bodyless = m_request.method == "HEAD" || statusHasNoBody(status);
    writeHead(status, headers, statusHasNoBody(status) ? -1 : body.size());
    if (!m_bodyless)
        m_connection->writeBytes(body);
    complete();
}

void ResponseWriter::beginStream(int status, const Headers& headers)
{
    if (m_done || m_headersSent)
        return;
    m_bodyless = m_request.method == "HEAD" || statusHasNoBody(status);
    m_chunked = m_request.minorVersion == 1 && !m_bodyless;
    writeHead(status, headers, -1);
}

void ResponseWriter::write(QByteArrayView data)
{
    if (m_done || !m_headersSent || m_bodyless || data.isEmpty())
        return;
    if (m_chunked) {
        QByteArray frame = QByteArray::number(data.size(), 16) + "\r\n";
        frame.append(data);
        frame.append("\r\n");
        m_connection->writeBytes(frame);
    } else {
        m_connection->writeBytes(data);
    }
}

void ResponseWriter::endStream(const Headers& trailers)
{
    if (m_done || !m_headersSent)
        return;
    if (m_chunked) {
        QByteArray end = "0\r\n";
        for (const Header& trailer : trailers)
            end += trailer.name + ": " + trailer.value + "\r\n";
        end += "\r\n";
        m_connection->writeBytes(end);
    }
    complete();
}

void ResponseWriter::abortConnection()
{
    if (m_done)
        return;
    m_done = true;
    m_connection->m_socket->abort();
}

void ResponseWriter::complete()
{
    m_done = true;
    emit finished();
    m_connection->responseFinished(m_keepAlive);
}

void ResponseWriter::abandon()
{
    if (m_done)
        return;
    m_done = true;
    emit clientGone();
}

void ResponseWriter::failBody(int status, const QString& message)
{
    if (m_done)
        return;
    m_done = true;
    emit bodyFailed(status, message);
}

// ---- Connection

Connection::Connection(QTcpSocket* socket, RequestHandler* handler, const ServerConfig& config, QObject* parent)
    : QObject(parent)
    , m_socket(socket)
    , m_handler(handler)
    , m_config(config)
    , m_parser(config.limits)
{
    m_socket->setParent(this);
    // Nagle would hold back small SSE events until the previous one is acknowledged.
    m_socket->setSocketOption(QAbstractSocket::LowDelayOption, 1);
    m_socket->setReadBufferSize(kSocketReadBuffer);
    m_timer.setSingleShot(true);
    connect(&m_timer, &QTimer::timeout, this, &Connection::timedOut);
    connect(m_socket, &QTcpSocket::readyRead, this, &Connection::readSocket);
    connect(m_socket, &QTcpSocket::disconnected, this, &Connection::socketGone);
    connect(m_socket, &QTcpSocket::errorOccurred, this, [this](QAbstractSocket::SocketError error) {
        if (error != QAbstractSocket::RemoteHostClosedError)
            m_socket->abort();
    });
    connect(m_socket, &QTcpSocket::bytesWritten, this, [this] {
        if (m_current && m_socket->bytesToWrite() == 0)
            emit m_current->drained();
    });
    armTimer();
}

Connection::~Connection() = default;

void Connection::writeBytes(QByteArrayView bytes)
{
    if (m_gone)
        return;
    m_socket->write(bytes.data(), bytes.size());
    m_socket->flush();
    if (m_socket->bytesToWrite() > m_config.maxPendingWriteBytes)
        m_socket->abort(); // the client stopped reading; socketGone() cleans up
}

void Connection::readSocket()
{
    // While a response is in flight, pipelined bytes wait in the socket's bounded buffer; so
    // do a streamed body's while its consumer asked for a pause.
    if (m_gone || m_bodyPaused || (m_current && !m_bodyStreaming && m_parser.bufferedBytes() > kSocketReadBuffer))
        return;
    m_parser.append(m_socket->readAll());
    processInput();
}

void Connection::processInput()
{
    if ((m_current && !m_bodyStreaming) || m_closing || m_gone)
        return;
    const RequestParser::Status status = m_parser.parse();
    if (m_bodyStreaming) {
        deliverBody(status);
        return;
    }
    switch (status) {
    case RequestParser::Status::Incomplete:
        if (m_parser.awaitingContinue() && !m_continueSent) {
            m_continueSent = true;
            writeBytes("HTTP/1.1 100 Continue\r\n\r\n");
        }
        armTimer();
        if (m_parser.bodyInProgress() && m_handler->streamsRequestBody(m_parser.partialRequest()))
            startStreamedRequest();
        return;
    case RequestParser::Status::Error:
        respondError(m_parser.errorStatus(), m_parser.errorMessage());
        return;
    case RequestParser::Status::Complete:
        break;
    }
    m_timer.stop();
    m_waiting = Waiting::Nothing;
    m_continueSent = false;
    auto* writer = new ResponseWriter(this, m_parser.takeRequest());
    m_current = writer;
    m_handler->handleRequest(writer);
}

void Connection::startStreamedRequest()
{
    // The request timer keeps running: the whole request, body included, must still arrive
    // within the request timeout of its first byte.
    m_parser.streamBody();
    m_bodyStreaming = true;
    Request head = m_parser.partialRequest();
    head.body.clear();
    auto* writer = new ResponseWriter(this, std::move(head));
    m_current = writer;
    m_handler->handleRequest(writer);
    if (m_current == writer && m_bodyStreaming)
        deliverBody(m_parser.parse()); // body bytes that came with the head
}

void Connection::deliverBody(RequestParser::Status status)
{
    const QPointer<ResponseWriter> writer = m_current;
    // Bytes decoded before an error are handed on too, so the trace shows how far the body got.
    const QByteArray bytes = m_parser.takeBodyBytes();
    if (writer && !bytes.isEmpty())
        emit writer->bodyReceived(bytes);
    if (status == RequestParser::Status::Error) {
        failStreamedBody(m_parser.errorStatus(), m_parser.errorMessage());
        return;
    }
    if (status != RequestParser::Status::Complete || !writer || m_current != writer || !m_bodyStreaming)
        return;
    // The body has ended; the parser moves on to the next request, which waits its turn until
    // this one's response is finished.
    m_parser.takeRequest();
    m_bodyStreaming = false;
    m_bodyPaused = false;
    m_continueSent = false;
    m_timer.stop();
    m_waiting = Waiting::Nothing;
    emit writer->bodyComplete();
}

void Connection::failStreamedBody(int status, const QString& message)
{
    const QPointer<ResponseWriter> writer = m_current;
    m_bodyStreaming = false;
    m_bodyPaused = false;
    m_closing = true;
    m_timer.stop();
    const bool answered = writer && writer->headersSent();
    if (writer)
        writer->failBody(status, message);
    if (answered)
        m_socket->abort(); // a response has begun: it cannot become an error answer now
    else
        writeErrorAnswer(status, message);
}

void Connection::respondError(int status, const QString& message)
{
    m_handler->requestRejected(writeErrorAnswer(status, message));
}

Rejection Connection::writeErrorAnswer(int status, const QString& message)
{
    m_closing = true;
    m_timer.stop();
    Rejection rejection;
    rejection.status = status;
    rejection.message = message;
    rejection.request = m_parser.partialRequest();
    rejection.request.body.clear();
    rejection.unparsedHead = m_parser.unparsedHead();
    rejection.responseBody = errorBody(message, u"invalid_request_error"_s, QString::number(status));
    rejection.responseHeaders = { { "Content-Type", "application/json" } };
    for (const Header& header : std::as_const(m_config.errorHeaders))
        setHeader(rejection.responseHeaders, header.name, header.value);
    rejection.responseHeaders.append(Header { "Content-Length", QByteArray::number(rejection.responseBody.size()) });
    rejection.responseHeaders.append(Header { "Connection", "close" });

    QByteArray head = "HTTP/1.1 " + QByteArray::number(status) + ' ' + reasonPhrase(status) + "\r\n";
    for (const Header& header : std::as_const(rejection.responseHeaders))
        head += header.name + ": " + header.value + "\r\n";
    head += "\r\n" + rejection.responseBody;
    writeBytes(head);
    closeAfterWrite();
    return rejection;
}

void Connection::responseFinished(bool keepAlive)
{
    if (m_current)
        m_current->deleteLater();
    m_current = nullptr;
    if (m_bodyStreaming) { // answered before the body ended: the rest of it cannot be skipped
        m_bodyStreaming = false;
        m_bodyPaused = false;
        keepAlive = false;
    }
    if (!keepAlive) {
        m_closing = true;
        closeAfterWrite();
        return;
    }
    armTimer();
    // Bytes of a pipelined request may already be buffered; parse them on the next turn of the
    // event loop rather than recursing from inside the previous response.
    QMetaObject::invokeMethod(this, [this] {
        if (m_socket->bytesAvailable() > 0)
            m_parser.append(m_socket->readAll());
        processInput();
    }, Qt::QueuedConnection);
}

void Connection::armTimer()
{
    if ((m_current && !m_bodyStreaming) || m_closing)
        return;
    if (!m_parser.hasPartialRequest()) {
        m_waiting = Waiting::Idle;
        m_timer.start(m_config.idleTimeoutMs);
    } else if (m_waiting != Waiting::Request) {
        m_waiting = Waiting::Request;
        m_timer.start(m_config.requestTimeoutMs);
    }
}

void Connection::timedOut()
{
    if (m_bodyStreaming) {
        failStreamedBody(408, u"the request body did not arrive in time"_s);
        return;
    }
    if (m_current || m_closing)
        return;
    if (m_parser.hasPartialRequest()) {
        respondError(408, u"the request did not arrive in time"_s);
        return;
    }
    m_closing = true;
    m_socket->disconnectFromHost();
}

void Connection::closeAfterWrite()
{
    // disconnectFromHost() sends what is queued before closing.
    m_socket->disconnectFromHost();
}

void Connection::socketGone()
{
    if (m_gone)
        return;
    m_gone = true;
    m_timer.stop();
    if (m_current)
        m_current->abandon();
    emit closed();
    deleteLater();
}

// ---- Server

Server::Server(RequestHandler* handler, const ServerConfig& config, QObject* parent)
    : QTcpServer(parent)
    , m_handler(handler)
    , m_config(config)
{
}

void Server::incomingConnection(qintptr descriptor)
{
    auto* socket = new QTcpSocket;
    if (!socket->setSocketDescriptor(descriptor)) {
        delete socket;
        return;
    }
    auto* connection = new Connection(socket, m_handler, m_config, this);
    ++m_connections;
    emit connectionCountChanged(m_connections);
    connect(connection, &Connection::closed, this, [this] {
        --m_connections;
        emit connectionCountChanged(m_connections);
    });
}

} // namespace Http
