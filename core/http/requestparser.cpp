#include "requestparser.h"

#include <utility>

using namespace Qt::StringLiterals;

namespace Http {

namespace {

// RFC 9110 token characters.
bool isTokenChar(char c)
{
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
        return true;
    switch (c) {
    case '!': case '#': case '$': case '%': case '&': case '\'': case '*': case '+':
    case '-': case '.': case '^': case '_': case '`': case '|': case '~':
        return true;
    default:
        return false;
    }
}

bool isToken(QByteArrayView text)
{
    if (text.isEmpty())
        return false;
    for (char c : text) {
        if (!isTokenChar(c))
            return false;
    }
    return true;
}

bool isKnownMethod(QByteArrayView method)
{
    static constexpr QByteArrayView known[] = { "GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "PATCH" };
    for (QByteArrayView candidate : known) {
        if (method == candidate)
            return true;
    }
    return false;
}

bool hasControlCharacters(QByteArrayView text, bool allowTab)
{
    for (char c : text) {
        const auto u = static_cast<unsigned char>(c);
        if ((u < 0x20 && !(allowTab && c == '\t')) || u == 0x7f)
            return true;
    }
    return false;
}

} // namespace

RequestParser::RequestParser(const Limits& limits)
    : m_limits(limits)
{
}

void RequestParser::append(QByteArrayView bytes)
{
    if (m_state != State::Failed)
        m_buffer.append(bytes);
}

bool RequestParser::bodyInProgress() const
{
    return m_state == State::Body || m_state == State::ChunkSize || m_state == State::ChunkData
        || m_state == State::ChunkDataEnd || m_state == State::Trailers;
}

bool RequestParser::awaitingContinue() const
{
    return m_expectContinue && bodyInProgress();
}

void RequestParser::streamBody()
{
    if (!bodyInProgress() || m_streamBody)
        return;
    m_streamBody = true;
    m_streamedBytes = std::exchange(m_request.body, QByteArray()); // what chunked decoding has so far
}

QByteArray RequestParser::takeBodyBytes()
{
    // The consumed bytes go, so a long body never piles up in the buffer.
    if (m_streamBody) {
        m_buffer.remove(0, m_pos);
        m_pos = 0;
    }
    return std::exchange(m_streamedBytes, QByteArray());
}

QByteArray RequestParser::unparsedHead() const
{
    if (m_state == State::Head)
        return m_buffer.mid(m_pos, kKeptHeadBytes);
    return m_state == State::Failed ? m_refusedHead : QByteArray();
}

RequestParser::Status RequestParser::fail(int status, const QString& message)
{
    if (m_state == State::Head)
        m_refusedHead = m_buffer.mid(m_pos, kKeptHeadBytes);
    m_state = State::Failed;
    m_errorStatus = status;
    m_errorMessage = message;
    m_buffer.clear();
    return Status::Error;
}

RequestParser::Status RequestParser::parse()
{
    while (true) {
        switch (m_state) {
        case State::Failed:
            return Status::Error;
        case State::Complete:
            return Status::Complete;
        case State::Head: {
            // Robust servers skip empty lines before a request line (RFC 9112 §2.2).
            while (m_buffer.size() - m_pos >= 2 && m_buffer.at(m_pos) == '\r' && m_buffer.at(m_pos + 1) == '\n') {
                m_pos += 2;
                m_scanFrom = m_pos;
            }
            // Anything that cannot start a request line (a TLS handshake, binary junk) is refused
            // at once instead of waiting for a CRLF CRLF that will never come.
            if (m_pos < m_buffer.size() && !isTokenChar(m_buffer.at(m_pos))) {
                // A lone CR may be the first half of an empty line before a request.
                if (m_buffer.at(m_pos) == '\r' && m_pos + 1 == m_buffer.size())
                    return Status::Incomplete;
                return fail(400, u"this is not an HTTP/1.x request"_s);
            }
            const qsizetype searchFrom = std::max(m_pos, m_scanFrom - 3);
            const qsizetype end = m_buffer.indexOf("\r\n\r\n", searchFrom);
            const qsizetype limitEnd = end < 0 ? m_buffer.size() : end;
            // A bare LF would make us wait forever for a CRLF CRLF that never comes.
            for (qsizetype i = std::max(m_pos, searchFrom); i < limitEnd; ++i) {
                if (m_buffer.at(i) == '\n' && (i == m_pos || m_buffer.at(i - 1) != '\r'))
                    return fail(400, u"line ends must be CRLF"_s);
            }
            if (end < 0) {
                if (m_buffer.size() - m_pos > m_limits.maxHeaderBytes)
                    return fail(431, u"the request head is larger than %1 bytes"_s.arg(m_limits.maxHeaderBytes));
                m_scanFrom = m_buffer.size();
                return Status::Incomplete;
            }
            if (end + 4 - m_pos > m_limits.maxHeaderBytes)
                return fail(431, u"the request head is larger than %1 bytes"_s.arg(m_limits.maxHeaderBytes));
            const Status head = parseHead(end);
            if (head == Status::Error)
                return head;
            m_pos = end + 4;
            const Status body = decideBody();
            if (body == Status::Error) {
                m_refusedHead.clear(); // the whole head was parsed: partialRequest() holds it
                return body;
            }
            break;
        }
        case State::Body: {
            if (m_streamBody) {
                const qint64 available = std::min<qint64>(m_buffer.size() - m_pos, m_contentLength - m_bodyBytes);
                m_streamedBytes.append(m_buffer.constData() + m_pos, available);
                m_pos += available;
                m_bodyBytes += available;
                if (m_bodyBytes < m_contentLength)
                    return Status::Incomplete;
                m_state = State::Complete;
                break;
            }
            if (m_buffer.size() - m_pos < m_contentLength)
                return Status::Incomplete;
            m_request.body = m_buffer.mid(m_pos, m_contentLength);
            m_pos += m_contentLength;
            m_state = State::Complete;
            break;
        }
        case State::ChunkSize: {
            const Status status = parseChunkSize();
            if (status != Status::Complete)
                return status;
            break;
        }
        case State::ChunkData: {
            const qint64 available = std::min<qint64>(m_buffer.size() - m_pos, m_chunkRemaining);
            (m_streamBody ? m_streamedBytes : m_request.body).append(m_buffer.constData() + m_pos, available);
            m_pos += available;
            m_bodyBytes += available;
            m_chunkRemaining -= available;
            if (m_chunkRemaining > 0)
                return Status::Incomplete;
            m_state = State::ChunkDataEnd;
            break;
        }
        case State::ChunkDataEnd: {
            if (m_buffer.size() - m_pos < 2)
                return Status::Incomplete;
            if (m_buffer.at(m_pos) != '\r' || m_buffer.at(m_pos + 1) != '\n')
                return fail(400, u"chunk data is not followed by CRLF"_s);
            m_pos += 2;
            m_state = State::ChunkSize;
            break;
        }
        case State::Trailers: {
            const Status status = parseTrailers();
            if (status != Status::Complete)
                return status;
            break;
        }
        }
    }
}

RequestParser::Status RequestParser::parseHead(qsizetype headEnd)
{
    const QByteArrayView head(m_buffer.constData() + m_pos, headEnd - m_pos);
    const qsizetype lineEnd = head.indexOf("\r\n");
    const QByteArrayView requestLine = lineEnd < 0 ? head : head.first(lineEnd);

    if (requestLine.startsWith("PRI * HTTP/2"))
        return fail(505, u"HTTP/2 is not supported; use HTTP/1.1"_s);
    const qsizetype firstSpace = requestLine.indexOf(' ');
    const qsizetype lastSpace = requestLine.lastIndexOf(' ');
    if (firstSpace <= 0 || lastSpace == firstSpace)
        return fail(400, u"malformed request line"_s);
    const QByteArrayView method = requestLine.first(firstSpace);
    const QByteArrayView target = requestLine.sliced(firstSpace + 1, lastSpace - firstSpace - 1);
    const QByteArrayView version = requestLine.sliced(lastSpace + 1);

    if (!isToken(method))
        return fail(400, u"malformed method"_s);
    if (version == "HTTP/1.1")
        m_request.minorVersion = 1;
    else if (version == "HTTP/1.0")
        m_request.minorVersion = 0;
    else if (version.startsWith("HTTP/") && version.size() == 8)
        return fail(505, u"only HTTP/1.0 and HTTP/1.1 are supported"_s);
    else
        return fail(400, u"malformed HTTP version"_s);
    if (target.isEmpty() || target.contains(' ') || hasControlCharacters(target, false))
        return fail(400, u"malformed request target"_s);
    if (!isKnownMethod(method))
        return fail(501, u"method %1 is not supported"_s.arg(QString::fromLatin1(method)));
    if (!(target.startsWith('/') || (target == "*" && method == "OPTIONS")))
        return fail(400, u"the request target must be a path starting with '/'"_s);

    m_request.method = method.toByteArray();
    m_request.target = target.toByteArray();
    const qsizetype question = target.indexOf('?');
    m_request.path = (question < 0 ? target : target.first(question)).toByteArray();
    m_request.query = question < 0 ? QByteArray() : target.sliced(question + 1).toByteArray();

    qsizetype pos = lineEnd < 0 ? head.size() : lineEnd + 2;
    while (pos < head.size()) {
        qsizetype next = head.indexOf("\r\n", pos);
        if (next < 0)
            next = head.size();
        if (parseHeaderLine(head.sliced(pos, next - pos)) == Status::Error)
            return Status::Error;
        pos = next + 2;
    }
    return Status::Incomplete;
}

RequestParser::Status RequestParser::parseHeaderLine(QByteArrayView line)
{
    if (line.startsWith(' ') || line.startsWith('\t'))
        return fail(400, u"folded header lines are not allowed"_s);
    const qsizetype colon = line.indexOf(':');
    if (colon <= 0)
        return fail(400, u"malformed header line"_s);
    const QByteArrayView name = line.first(colon);
    if (!isToken(name))
        return fail(400, u"malformed header name (whitespace before ':' is not allowed)"_s);
    const QByteArrayView value = line.sliced(colon + 1).trimmed();
    if (hasControlCharacters(value, true))
        return fail(400, u"control characters in header %1"_s.arg(QString::fromLatin1(name)));
    if (m_request.headers.size() >= m_limits.maxHeaderCount)
        return fail(431, u"more than %1 header fields"_s.arg(m_limits.maxHeaderCount));
    m_request.headers.append({ name.toByteArray(), value.toByteArray() });
    return Status::Incomplete;
}

RequestParser::Status RequestParser::decideBody()
{
    QByteArray contentLength;
    bool sawContentLength = false;
    QList<QByteArray> codings;
    int hosts = 0;
    for (const Header& header : std::as_const(m_request.headers)) {
        if (header.name.compare(QByteArrayView("content-length"), Qt::CaseInsensitive) == 0) {
            if (sawContentLength && header.value != contentLength)
                return fail(400, u"conflicting Content-Length headers"_s);
            sawContentLength = true;
            contentLength = header.value;
        } else if (header.name.compare(QByteArrayView("transfer-encoding"), Qt::CaseInsensitive) == 0) {
            for (const QByteArray& coding : header.value.split(','))
                codings.append(coding.trimmed().toLower());
        } else if (header.name.compare(QByteArrayView("host"), Qt::CaseInsensitive) == 0) {
            ++hosts;
        } else if (header.name.compare(QByteArrayView("expect"), Qt::CaseInsensitive) == 0) {
            if (header.value.compare(QByteArrayView("100-continue"), Qt::CaseInsensitive) != 0)
                return fail(417, u"only 'Expect: 100-continue' is understood"_s);
            m_expectContinue = m_request.minorVersion == 1;
        }
    }
    if (m_request.minorVersion == 1 && hosts != 1)
        return fail(400, hosts == 0 ? u"HTTP/1.1 requests need a Host header"_s : u"more than one Host header"_s);
    if (sawContentLength && !codings.isEmpty())
        return fail(400, u"Content-Length and Transfer-Encoding together are ambiguous"_s);

    if (!codings.isEmpty()) {
        if (m_request.minorVersion == 0)
            return fail(400, u"Transfer-Encoding is not valid in HTTP/1.0"_s);
        if (codings != QList<QByteArray> { "chunked" })
            return fail(501, u"only the chunked transfer coding is supported"_s);
        m_request.body.clear();
        m_state = State::ChunkSize;
        return Status::Incomplete;
    }
    if (sawContentLength) {
        if (contentLength.isEmpty())
            return fail(400, u"empty Content-Length"_s);
        for (char c : std::as_const(contentLength)) {
            if (c < '0' || c > '9')
                return fail(400, u"malformed Content-Length"_s);
        }
        if (contentLength.size() > 18)
            return fail(413, u"the body is larger than %1 bytes"_s.arg(m_limits.maxBodyBytes));
        m_contentLength = contentLength.toLongLong();
        if (m_contentLength > m_limits.maxBodyBytes)
            return fail(413, u"the body is larger than %1 bytes"_s.arg(m_limits.maxBodyBytes));
        m_state = m_contentLength > 0 ? State::Body : State::Complete;
        return Status::Incomplete;
    }
    m_state = State::Complete;
    return Status::Incomplete;
}

RequestParser::Status RequestParser::parseChunkSize()
{
    // A chunk-size line (size and extensions) is short; a long one is garbage, whether its end
    // has arrived yet or not.
    constexpr qsizetype kMaxChunkLine = 1024;
    const qsizetype lineEnd = m_buffer.indexOf("\r\n", m_pos);
    if ((lineEnd < 0 ? m_buffer.size() : lineEnd) - m_pos > kMaxChunkLine)
        return fail(400, u"malformed chunk size line"_s);
    if (lineEnd < 0)
        return Status::Incomplete;
    QByteArrayView line(m_buffer.constData() + m_pos, lineEnd - m_pos);
    const qsizetype semicolon = line.indexOf(';');
    if (semicolon >= 0)
        line = line.first(semicolon); // chunk extensions carry nothing we use
    line = line.trimmed();
    if (line.isEmpty() || line.size() > 15)
        return fail(line.isEmpty() ? 400 : 413, u"malformed or oversized chunk size"_s);
    qint64 size = 0;
    for (char c : line) {
        int digit = -1;
        if (c >= '0' && c <= '9')
            digit = c - '0';
        else if (c >= 'a' && c <= 'f')
            digit = c - 'a' + 10;
        else if (c >= 'A' && c <= 'F')
            digit = c - 'A' + 10;
        if (digit < 0)
            return fail(400, u"malformed chunk size"_s);
        size = size * 16 + digit;
    }
    if (m_bodyBytes + size > m_limits.maxBodyBytes)
        return fail(413, u"the body is larger than %1 bytes"_s.arg(m_limits.maxBodyBytes));
    m_pos = lineEnd + 2;
    m_chunkRemaining = size;
    m_state = size == 0 ? State::Trailers : State::ChunkData;
    m_trailerBytes = 0;
    return Status::Complete;
}

RequestParser::Status RequestParser::parseTrailers()
{
    // Trailer fields are read and dropped; only their size is limited.
    while (true) {
        const qsizetype lineEnd = m_buffer.indexOf("\r\n", m_pos);
        if (lineEnd < 0) {
            if (m_trailerBytes + (m_buffer.size() - m_pos) > m_limits.maxHeaderBytes)
                return fail(431, u"the trailer section is too large"_s);
            return Status::Incomplete;
        }
        const qsizetype length = lineEnd - m_pos;
        m_trailerBytes += length + 2;
        if (m_trailerBytes > m_limits.maxHeaderBytes)
            return fail(431, u"the trailer section is too large"_s);
        m_pos = lineEnd + 2;
        if (length == 0) {
            m_state = State::Complete;
            return Status::Complete;
        }
    }
}

Request RequestParser::takeRequest()
{
    Request request = std::move(m_request);
    m_request = Request();
    m_buffer.remove(0, m_pos);
    m_pos = 0;
    m_scanFrom = 0;
    m_state = State::Head;
    m_contentLength = -1;
    m_bodyBytes = 0;
    m_chunkRemaining = 0;
    m_expectContinue = false;
    m_streamBody = false;
    m_streamedBytes.clear();
    return request;
}

} // namespace Http
