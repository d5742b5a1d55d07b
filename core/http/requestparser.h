#pragma once

#include "request.h"

#include <QByteArray>
#include <QString>

namespace Http {

struct Limits
{
    qsizetype maxHeaderBytes = 32 * 1024;     // request line and headers together
    int maxHeaderCount = 100;
    qint64 maxBodyBytes = 32 * 1024 * 1024;   // decoded body; chunked bodies counted as they arrive
};

// An incremental, strict HTTP/1.1 request parser: bytes in, requests out, no sockets.
//
// append() stores bytes; parse() advances as far as they allow and reports Incomplete,
// Complete (takeRequest() then yields the request and keeps any following bytes for the next
// one, so pipelined requests come out in order) or Error (with the status the connection must
// answer: 400 malformed or ambiguous framing, 408 never, 413 body too large, 417 unknown
// expectation, 431 header section too large, 501 unknown method or transfer coding, 505 other
// HTTP versions). After an error the parser stays failed: the connection must close.
//
// Strictness that keeps request smuggling out: CRLF line ends only, no whitespace before a
// header's colon, no obs-fold, Content-Length together with Transfer-Encoding rejected,
// differing or malformed Content-Length values rejected, only "chunked" as a transfer coding.
class RequestParser
{
public:
    enum class Status { Incomplete, Complete, Error };

    explicit RequestParser(const Limits& limits = {});

    void append(QByteArrayView bytes);
    Status parse();
    Request takeRequest();

    // After Error: the status to answer and why, in plain words.
    int errorStatus() const { return m_errorStatus; }
    QString errorMessage() const { return m_errorMessage; }

    // True once the current request's head is parsed and it asked for "Expect: 100-continue"
    // while its body has not fully arrived: the connection answers 100 Continue once.
    bool awaitingContinue() const;
    bool hasPartialRequest() const { return !m_buffer.isEmpty() || m_state != State::Head; }

    // True while the current request's head is parsed and its body is still arriving.
    bool bodyInProgress() const;
    // Streaming the body: once bodyInProgress(), streamBody() makes the parser hand the decoded
    // body out as it arrives, through takeBodyBytes(), instead of collecting it in the request
    // (whose body then stays empty). parse() still says Complete when the body has ended, and
    // the body limit still applies. For routes that forward a body without reading it.
    void streamBody();
    bool streamingBody() const { return m_streamBody; }
    QByteArray takeBodyBytes();
    qsizetype bufferedBytes() const { return m_buffer.size(); }

    // What is known of the request being parsed, for recording one that is refused or times
    // out: the fields of its head parsed so far (method, target, headers; of a chunked body
    // the part decoded so far), and, while the head is still arriving or after it was refused,
    // its first bytes as received (at most kKeptHeadBytes).
    const Request& partialRequest() const { return m_request; }
    QByteArray unparsedHead() const;
    static constexpr qsizetype kKeptHeadBytes = 4096;

private:
    enum class State { Head, Body, ChunkSize, ChunkData, ChunkDataEnd, Trailers, Complete, Failed };

    Status fail(int status, const QString& message);
    Status parseHead(qsizetype headEnd);
    Status parseHeaderLine(QByteArrayView line);
    Status decideBody();
    Status parseChunkSize();
    Status parseTrailers();

    Limits m_limits;
    QByteArray m_buffer;
    qsizetype m_pos = 0;          // bytes of m_buffer already consumed by the current request
    qsizetype m_scanFrom = 0;     // where the search for the end of the head resumes
    State m_state = State::Head;
    Request m_request;
    qint64 m_contentLength = -1;
    qint64 m_bodyBytes = 0;       // decoded body bytes of the current request so far
    qint64 m_chunkRemaining = 0;
    qsizetype m_trailerBytes = 0;
    bool m_expectContinue = false;
    bool m_streamBody = false;
    QByteArray m_streamedBytes;   // decoded body bytes not yet taken, while streaming
    int m_errorStatus = 0;
    QString m_errorMessage;
    QByteArray m_refusedHead;
};

} // namespace Http
