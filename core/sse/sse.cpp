#include "sse.h"

namespace Sse {

QList<Event> Decoder::feed(QByteArrayView bytes)
{
    QList<Event> events;
    qsizetype start = 0;
    if (m_pendingCr && !bytes.isEmpty() && bytes.front() == '\n')
        start = 1; // the second half of a CRLF whose line was already taken
    m_pendingCr = false;
    m_buffer.append(bytes.sliced(start));

    qsizetype lineStart = 0;
    for (qsizetype i = 0; i < m_buffer.size(); ++i) {
        const char c = m_buffer.at(i);
        if (c != '\n' && c != '\r')
            continue;
        qsizetype lineEnd = i;
        qsizetype next = i + 1;
        if (c == '\r') {
            if (next == m_buffer.size()) {
                m_pendingCr = true; // its LF, if any, is in the next chunk
            } else if (m_buffer.at(next) == '\n') {
                ++next;
            }
        }
        m_raw.append(m_buffer.constData() + lineStart, next - lineStart);
        takeLine(QByteArrayView(m_buffer.constData() + lineStart, lineEnd - lineStart), events);
        lineStart = next;
        i = next - 1;
    }
    m_buffer.remove(0, lineStart);
    return events;
}

QList<Event> Decoder::finish()
{
    QList<Event> events;
    if (!m_buffer.isEmpty()) {
        m_raw.append(m_buffer);
        takeLine(m_buffer, events);
        m_buffer.clear();
    }
    takeLine(QByteArrayView(), events);
    m_raw.clear();
    return events;
}

void Decoder::takeLine(QByteArrayView line, QList<Event>& out)
{
    if (line.isEmpty()) {
        if (m_hasData) {
            m_current.raw = m_raw;
            out.append(m_current);
        }
        m_current = Event();
        m_hasData = false;
        m_raw.clear();
        return;
    }
    if (line.front() == ':')
        return; // a comment
    const qsizetype colon = line.indexOf(':');
    const QByteArrayView field = colon < 0 ? line : line.first(colon);
    QByteArrayView value = colon < 0 ? QByteArrayView() : line.sliced(colon + 1);
    if (value.startsWith(' '))
        value = value.sliced(1);
    if (field == "data") {
        if (m_hasData)
            m_current.data.append('\n');
        m_current.data.append(value);
        m_hasData = true;
    } else if (field == "event") {
        m_current.event = value.toByteArray();
    } else if (field == "id") {
        m_current.id = value.toByteArray();
    }
}

QByteArray encodeData(QByteArrayView payload)
{
    QByteArray out;
    out.reserve(payload.size() + 8);
    qsizetype start = 0;
    while (true) {
        const qsizetype newline = payload.indexOf('\n', start);
        out.append("data: ");
        out.append(payload.sliced(start, (newline < 0 ? payload.size() : newline) - start));
        out.append('\n');
        if (newline < 0)
            break;
        start = newline + 1;
    }
    out.append('\n');
    return out;
}

QByteArray encodeComment(QByteArrayView text)
{
    return ": " + text.toByteArray() + "\n\n";
}

} // namespace Sse
