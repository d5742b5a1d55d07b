#pragma once

#include <QByteArray>
#include <QList>

namespace Sse {

// One server-sent event as the WHATWG event-stream format defines it.
struct Event
{
    QByteArray event; // the "event:" field; empty means "message"
    QByteArray data;  // "data:" lines joined with '\n'
    QByteArray id;
    QByteArray raw;   // the exact bytes of the event, comments and blank line included
};

// An incremental event-stream decoder: feed it bytes as they arrive, in chunks of any size, and
// it returns each event as soon as its terminating blank line has arrived. Accepts CRLF, LF and
// lone CR line ends (a CR at the end of one chunk may be followed by its LF in the next).
// Comment lines (": keep-alive") are kept in `raw` but are not events.
class Decoder
{
public:
    QList<Event> feed(QByteArrayView bytes);
    // The stream ended: returns a last event that was not terminated by a blank line, if any.
    QList<Event> finish();
    bool hasPartialEvent() const { return !m_buffer.isEmpty() || !m_raw.isEmpty(); }

private:
    void takeLine(QByteArrayView line, QList<Event>& out);

    QByteArray m_buffer; // bytes after the last complete line
    QByteArray m_raw;    // raw bytes of the event being built
    Event m_current;
    bool m_hasData = false;
    bool m_pendingCr = false; // the previous chunk ended with CR: skip a leading LF
};

// "data: <payload>\n\n" (payloads with newlines become several data lines).
QByteArray encodeData(QByteArrayView payload);
// ": <text>\n\n", ignored by every client; keeps idle connections and proxies awake.
QByteArray encodeComment(QByteArrayView text);

} // namespace Sse
