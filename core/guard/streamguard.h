#pragma once

#include "attempt.h"
#include "toolcatalog.h"

#include <QJsonObject>
#include <QList>
#include <QString>
#include <QStringList>

namespace Guard {

// The openings of tool-call envelopes, for deciding while text streams whether it may become a
// call: tags and special tokens of every format in the catalog, code fences announcing JSON,
// JSON objects ({"...), Python call lists ([name(), and declared names written as calls:
// NAME[ARGS], NAME({...}), call:NAME{ and >>>NAME. Every syntax a format parser reads has its
// opening here (tests/streamingcheck.h checks each row of the format tables).
class EnvelopeMarkers
{
public:
    enum class Match { No, Prefix, Full };

    explicit EnvelopeMarkers(const ToolCatalog& tools);

    // Whether a marker may start with `c` (a quick filter before match()).
    bool mayStart(QChar c) const;
    // Is `text` a marker (Full), the beginning of one (Prefix), or neither? `atWordStart` says
    // whether the text follows a non-word character; `atTextStart` whether only whitespace
    // precedes it in the answer.
    Match match(QStringView text, bool atWordStart, bool atTextStart, bool atLineStart = true) const;

private:
    enum class NameContext { Prose, TextStart };
    Match matchJson(QStringView text) const;
    Match matchNames(QStringView text, NameContext context) const;
    Match matchCallSyntax(QStringView text, bool atWordStart) const;

    QStringList m_literals;
    QStringList m_names;
    QString m_firstChars;
};

// Guards one streamed attempt (pure: chunks in, deltas out).
//
// Text reaches the client as it arrives, except text that may open a tool-call envelope: that
// is held until it cannot be one (then released at once), and once an envelope has certainly
// opened, the rest of the attempt's text is held for the end of the stream, when the whole text
// is rescued and validated. Reasoning passes through. Native tool-call deltas are accumulated
// and never forwarded here: the caller emits calls once they are validated. With `forwardText`
// off (a retry after text was already sent) nothing is forwarded: a retry contributes its tool
// calls only.
class StreamGuard
{
public:
    StreamGuard(const ToolCatalog& tools, bool watchForCalls, bool forwardText);

    // One upstream chunk ({"choices":[{"delta":...}]}); returns the deltas to send now, in order
    // (without "role": the caller puts it on the first chunk of the whole response).
    QList<QJsonObject> feed(const QJsonObject& chunk);

    const QString& text() const { return m_text; }
    qsizetype sentLength() const { return m_sent; } // text already forwarded
    QString heldText() const { return m_text.mid(m_sent); }
    // reasoning_content (or "reasoning") the backend sent. Inline reasoning at the start of the
    // text stays in text() (where the rescue finds it) and is kept apart in inlineReasoning().
    const QString& reasoning() const { return m_reasoning; }
    const QString& inlineReasoning() const { return m_inlineReasoning; }
    QList<NativeCall> nativeCalls() const { return m_calls; }
    const QString& finishReason() const { return m_finishReason; }
    const QJsonObject& usage() const { return m_usage; }
    bool capturing() const { return m_captureStart >= 0; }
    // The held text is the rest of a leading reasoning block that has not closed (held from a
    // possible call on): what is not a call in it is reasoning, not content.
    bool holdsReasoning() const { return m_leading == LeadingReasoning::Inside; }
    bool forwardsText() const { return m_forward; }
    bool forwardedAnything() const { return m_forwardedAnything; }

private:
    // Advances the search for envelopes up to `limit` and says how far text may go out now.
    qsizetype releasableUntil(qsizetype limit);
    QString releasable();
    // Leading inline reasoning (<think>...): returns what to send as reasoning now and moves
    // m_sent past it; false when the text is not (or no longer) in such a block.
    bool takeReasoning(QString* reasoning);
    // A held envelope that closed without being a call (a fence of data, a JSON object that
    // names no declared tool) is released; one that holds a call stays held to the end.
    void reconsiderCapture();
    void startCapture(qsizetype pos);
    qsizetype captureEnd(); // just past the held envelope's end, -1 while it is open
    EnvelopeMarkers::Match matchAt(qsizetype pos) const;

    EnvelopeMarkers m_markers;
    bool m_watch;
    bool m_forward;
    QString m_text;
    qsizetype m_sent = 0;
    qsizetype m_scan = 0;          // where the search for a marker resumes
    qsizetype m_captureStart = -1; // where a certain envelope began
    QString m_captureCloser;       // what ends it: a closing tag, "\n```" for fences, "{" for a
                                   // JSON value, "(" for NAME({...}); empty: nothing does (held
                                   // to the end)
    // Where the search for its end resumes with the next chunk.
    struct JsonScan
    {
        qsizetype pos = 0;
        int depth = 0;
        bool inString = false;
        bool escaped = false;
        qsizetype end = -1; // once the value has closed
        qsizetype advance(QStringView text); // just past the value's end, -1 while it is open
    };
    JsonScan m_closeScan;
    qsizetype m_closeSearchFrom = 0;
    bool m_captureChecked = false; // the size bound was applied to it
    enum class LeadingReasoning { Undecided, Inside, Done };
    LeadingReasoning m_leading = LeadingReasoning::Undecided;
    QString m_reasoningClose;      // the closing tag of the leading reasoning block
    ToolCatalog m_tools;
    QString m_reasoning;
    QString m_inlineReasoning; // sent to the client as reasoning_content, still part of m_text
    QList<NativeCall> m_calls;
    QString m_finishReason;
    QJsonObject m_usage;
    bool m_forwardedAnything = false;
};

// The chat completion a stream amounts to, as a client accumulating its deltas sees it: the
// text, reasoning and native tool calls `accumulated` gathered, under the id, created and model
// of the stream's first chunk, with its finish reason ("stop" when none came) and usage.
QJsonObject completionFromStream(const StreamGuard& accumulated, const QJsonObject& firstChunk);

// The same from the data of recorded server-sent events (chunks and "[DONE]"), for traces: what
// the client or Temper received, reassembled. Events that are not JSON chunks are skipped; an
// error event ({"error": ...}) is kept as the completion's "error" member.
QJsonObject completionFromEvents(const QList<QByteArray>& eventData);

} // namespace Guard
