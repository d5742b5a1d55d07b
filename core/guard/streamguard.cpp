#include "streamguard.h"

#include <QJsonArray>
#include <QJsonDocument>

#include "reasoning.h"
#include "rescuer.h"

using namespace Qt::StringLiterals;

namespace Guard {

namespace {

// Whitespace allowed inside a marker ("{  \n  \"name\"") before the held text stops looking
// like one: it bounds how long prose can be held.
constexpr qsizetype kMaxMarkerWhitespace = 24;
constexpr qsizetype kMaxSkippedCallIndices = 64;

bool isWordChar(QChar c)
{
    return c.isLetterOrNumber() || c == u'_';
}

EnvelopeMarkers::Match prefixMatch(QStringView text, QStringView marker)
{
    if (text.startsWith(marker))
        return EnvelopeMarkers::Match::Full;
    if (marker.startsWith(text))
        return EnvelopeMarkers::Match::Prefix;
    return EnvelopeMarkers::Match::No;
}

EnvelopeMarkers::Match better(EnvelopeMarkers::Match a, EnvelopeMarkers::Match b)
{
    return std::max(a, b);
}

// What ends the envelope that `text` opens, for releasing it when it closes without a call:
// a closing tag, the closing fence, "{" for a JSON value; empty when only the end of the answer
// does (special tokens, call lists).
QString closerOf(QStringView text)
{
    static const QList<std::pair<QString, QString>> tags = {
        { u"<tool_call>"_s, u"</tool_call>"_s }, { u"<tool_call "_s, u"</tool_call>"_s }, { u"<tool_calls>"_s, u"</tool_calls>"_s },
        { u"<TOOLCALL>"_s, u"</TOOLCALL>"_s }, { u"<tool>"_s, u"</tool>"_s }, { u"<tools>"_s, u"</tools>"_s },
        { u"<response>"_s, u"</response>"_s }, { u"<json>"_s, u"</json>"_s }, { u"<JSON>"_s, u"</JSON>"_s },
        { u"<xml>"_s, u"</xml>"_s }, { u"<function="_s, u"</function>"_s }, { u"<function name="_s, u"</function>"_s },
        { u"<function_calls>"_s, u"</function_calls>"_s }, { u"<function_call>"_s, u"</function_call>"_s },
        { u"<invoke "_s, u"</invoke>"_s }, { u"<seed:tool_call>"_s, u"</seed:tool_call>"_s },
        { u"<minimax:tool_call>"_s, u"</minimax:tool_call>"_s }, { u"<longcat_tool_call>"_s, u"</longcat_tool_call>"_s },
    };
    for (const auto& [open, close] : tags) {
        if (text.startsWith(open))
            return close;
    }
    if (text.startsWith(u"```"))
        return u"\n```"_s;
    if (text.startsWith(u'{'))
        return u"{"_s;
    // An array of call objects; "[TOOL_CALLS]" and "[get_weather(" are no JSON.
    if (text.startsWith(u'[') && text.sliced(1).trimmed().startsWith(u'{'))
        return u"{"_s;
    return {};
}

// Where the JSON value starting at `from` ends (just past it), or -1 while it is still open.
// Strings and their escapes are stepped over, so braces inside them do not count.
qsizetype jsonValueEnd(QStringView text, qsizetype from)
{
    int depth = 0;
    bool inString = false;
    for (qsizetype i = from; i < text.size(); ++i) {
        const QChar c = text.at(i);
        if (inString) {
            if (c == u'\\')
                ++i;
            else if (c == u'"')
                inString = false;
        } else if (c == u'"') {
            inString = true;
        } else if (c == u'{' || c == u'[') {
            ++depth;
        } else if (c == u'}' || c == u']') {
            if (--depth == 0)
                return i + 1;
        }
    }
    return -1;
}

} // namespace

EnvelopeMarkers::EnvelopeMarkers(const ToolCatalog& tools)
{
    // Openers of every envelope in the format catalog (section numbers there).
    m_literals = {
        // JSON and XML in tags (1, 3)
        u"<tool_call>"_s, u"<tool_call "_s, u"<tool_calls>"_s, u"<TOOLCALL>"_s, u"<tool>"_s, u"<tools>"_s, u"<response>"_s,
        u"<json>"_s, u"<JSON>"_s, u"<xml>"_s, u"<function="_s, u"<function name="_s, u"<function_calls>"_s,
        u"<function_call>"_s, u"<invoke "_s, u"<seed:tool_call>"_s, u"<minimax:tool_call>"_s, u"<longcat_tool_call>"_s,
        u"<steptml:"_s, u"<atem:"_s, u"]<]minimax[>["_s,
        // special tokens (1, 4)
        u"[TOOL_CALLS]"_s, u"<|tool_call|>"_s, u"<|tool_calls_section_begin|>"_s, u"<|tool_call_begin|>"_s,
        u"<|tool_call_start|>"_s, u"<|python_tag|>"_s, u"<|python_start|>"_s, u"<|action_start|>"_s,
        u"<|tools_prefix|>"_s, u"<|function_call|>"_s, u"<|START_ACTION|>"_s, u"<start_function_call>"_s,
        u"<|tool_call>"_s, u"<|channel|>"_s, u"<|start|>"_s, u"<|message|>"_s, u"<|constrain|>"_s, u"<|open|>"_s,
        u"<|message_sep|>"_s, u"<\uff5ctool\u2581calls\u2581begin\uff5c>"_s, u"<\uff5ctool\u2581call\u2581begin\uff5c>"_s,
        u"<\uff5ctool\u2581calls\uff5c>"_s, u"<|tool\u2581calls\u2581begin|>"_s, u"<\uff5cDSML\uff5c"_s,
        u"<\uff5ctool_calls_begin\uff5c>"_s, u"functools["_s, u"Action:"_s, u"to=functions."_s,
        // fences announcing JSON or XML (1)
        u"```json"_s, u"```JSON"_s, u"```xml"_s, u"```\n{"_s, u"```\n["_s,
    };
    m_callKeys = { u"name"_s, u"tool"_s, u"tool_name"_s, u"function"_s, u"type"_s, u"arguments"_s, u"parameters"_s,
                   u"tool_calls"_s, u"tool_call"_s, u"function_call"_s, u"call"_s };
    m_names = tools.names();
    m_callKeys.append(m_names);
    QString first = u"<[{`]>"_s;
    for (const QString& literal : std::as_const(m_literals))
        first += literal.front();
    for (const QString& name : std::as_const(m_names)) {
        if (!name.isEmpty())
            first += name.front();
    }
    for (QChar c : std::as_const(first)) {
        if (!m_firstChars.contains(c))
            m_firstChars += c;
    }
}

bool EnvelopeMarkers::mayStart(QChar c) const
{
    return m_firstChars.contains(c);
}

EnvelopeMarkers::Match EnvelopeMarkers::matchJson(QStringView text) const
{
    // [ { ...   or   [ name(   or   { "key"
    qsizetype i = 0;
    if (text.front() == u'[') {
        ++i;
        const qsizetype start = i;
        while (i < text.size() && text.at(i).isSpace() && i - start < kMaxMarkerWhitespace)
            ++i;
        if (i == text.size())
            return i - start < kMaxMarkerWhitespace ? Match::Prefix : Match::No;
        if (text.at(i) != u'{')
            return matchNames(text.sliced(i), NameContext::InList);
    }
    if (text.at(i) != u'{')
        return Match::No;
    ++i;
    const qsizetype start = i;
    while (i < text.size() && text.at(i).isSpace() && i - start < kMaxMarkerWhitespace)
        ++i;
    if (i == text.size())
        return i - start < kMaxMarkerWhitespace ? Match::Prefix : Match::No;
    if (text.at(i) != u'"')
        return Match::No;
    const qsizetype keyStart = ++i;
    while (i < text.size() && text.at(i) != u'"')
        ++i;
    const QStringView key = text.sliced(keyStart, i - keyStart);
    if (i == text.size()) {
        for (const QString& candidate : m_callKeys) {
            if (candidate.startsWith(key))
                return Match::Prefix;
        }
        return Match::No;
    }
    return m_callKeys.contains(key.toString()) ? Match::Full : Match::No;
}

EnvelopeMarkers::Match EnvelopeMarkers::matchNames(QStringView text, NameContext context) const
{
    Match result = Match::No;
    for (const QString& name : m_names) {
        // In a call list: NAME( (pythonic). Elsewhere: NAME[ARGS]{...} (special tokens stripped),
        // and at the very start of an answer NAME\n{...} (Functionary v3.2's recipient line).
        // A bare NAME( in prose is not a call in any format.
        QStringList markers;
        if (context == NameContext::InList)
            markers = { QString(name + u'(') };
        else
            markers = { QString(name + u"[ARGS]"_s), QString(name + u"[CALL_ID]"_s) };
        if (context == NameContext::TextStart)
            markers.append(QString(name + u'\n'));
        for (const QString& marker : std::as_const(markers))
            result = better(result, prefixMatch(text, marker));
        if (result == Match::Full)
            return result;
    }
    return result;
}

EnvelopeMarkers::Match EnvelopeMarkers::match(QStringView text, bool atWordStart, bool atTextStart, bool atLineStart) const
{
    if (text.isEmpty())
        return Match::No;
    Match result = Match::No;
    for (const QString& literal : m_literals) {
        // Markers that begin with a letter ("functools[", "Action:") begin a word too: the "t"
        // in the middle of "Let" must not be held as a possible "to=functions.".
        if (!atWordStart && isWordChar(literal.front()))
            continue;
        // ReAct's "Action:" opens a call only at the start of a line ("The next Action: we
        // open the door" is prose).
        if (!atLineStart && literal == u"Action:"_s)
            continue;
        result = better(result, prefixMatch(text, literal));
        if (result == Match::Full)
            return result;
    }
    if (text.front() == u'{' || text.front() == u'[')
        result = better(result, matchJson(text));
    if (atWordStart)
        result = better(result, matchNames(text, atTextStart ? NameContext::TextStart : NameContext::Prose));
    return result;
}

// ---- StreamGuard

StreamGuard::StreamGuard(const ToolCatalog& tools, bool watchForCalls, bool forwardText)
    : m_markers(tools)
    , m_watch(watchForCalls)
    , m_forward(forwardText)
    , m_tools(tools)
{
}

bool StreamGuard::takeReasoning(QString* reasoning)
{
    if (m_leading == LeadingReasoning::Done)
        return false;
    if (m_leading == LeadingReasoning::Undecided) {
        const QStringView rest = QStringView(m_text).sliced(m_sent);
        qsizetype first = 0;
        while (first < rest.size() && rest.at(first).isSpace())
            ++first;
        if (first == rest.size())
            return true; // only whitespace so far: wait for the first word
        const QStringView text = rest.sliced(first);
        bool maybe = false;
        for (const ReasoningWrapper& wrapper : reasoningWrappers()) {
            if (wrapper.open.isEmpty())
                continue;
            if (text.startsWith(wrapper.open)) {
                m_leading = LeadingReasoning::Inside;
                m_reasoningClose = wrapper.close.toString();
                m_sent += first + wrapper.open.size();
                break;
            }
            if (wrapper.open.startsWith(text))
                maybe = true;
        }
        if (m_leading == LeadingReasoning::Undecided) {
            if (maybe)
                return true; // "<thi": hold until it is or is not an opening tag
            m_leading = LeadingReasoning::Done;
            return false;
        }
    }
    // Inside: everything up to the closing tag is reasoning; a possible start of the closing
    // tag at the end waits for the next chunk.
    const qsizetype close = m_text.indexOf(m_reasoningClose, m_sent);
    if (close >= 0) {
        *reasoning += m_text.mid(m_sent, close - m_sent);
        m_sent = close + m_reasoningClose.size();
        m_scan = m_sent;
        m_leading = LeadingReasoning::Done;
        return false; // the rest is the answer
    }
    qsizetype safe = m_text.size();
    for (qsizetype keep = std::min<qsizetype>(m_reasoningClose.size() - 1, m_text.size() - m_sent); keep > 0; --keep) {
        if (m_reasoningClose.startsWith(QStringView(m_text).last(keep))) {
            safe = m_text.size() - keep;
            break;
        }
    }
    *reasoning += m_text.mid(m_sent, safe - m_sent);
    m_sent = safe;
    m_scan = m_sent;
    return true;
}

void StreamGuard::reconsiderCapture()
{
    if (m_captureStart < 0 || m_captureCloser.isEmpty())
        return;
    qsizetype end = -1;
    if (m_captureCloser == u"{"_s) {
        end = jsonValueEnd(m_text, m_captureStart);
    } else {
        // A fence's closing line comes after its opening line.
        const qsizetype from = m_captureCloser == u"\n```"_s ? m_text.indexOf(u'\n', m_captureStart) : m_captureStart;
        const qsizetype close = from < 0 ? -1 : m_text.indexOf(m_captureCloser, from);
        end = close < 0 ? -1 : close + m_captureCloser.size();
    }
    if (end < 0)
        return;
    static const Rescuer rescuer;
    const RescueResult result = rescuer.rescue(QStringView(m_text).sliced(m_captureStart, end - m_captureStart), m_tools);
    if (!result.calls.isEmpty() || result.nearMiss) {
        m_captureCloser.clear(); // a call (or one that failed to read): held to the end
        return;
    }
    // Data, not a call: it goes out as text, and the search goes on after it.
    m_captureStart = -1;
    m_captureCloser.clear();
    m_scan = end;
}

QString StreamGuard::releasable()
{
    if (!m_watch) {
        m_scan = m_text.size();
        return m_text.mid(m_sent);
    }
    reconsiderCapture();
    while (m_scan < m_text.size() && m_captureStart < 0) {
        qsizetype pos = m_scan;
        while (pos < m_text.size() && !m_markers.mayStart(m_text.at(pos)))
            ++pos;
        if (pos == m_text.size()) {
            m_scan = pos;
            break;
        }
        const bool atWordStart = pos == 0 || !isWordChar(m_text.at(pos - 1));
        const bool atTextStart = QStringView(m_text).first(pos).trimmed().isEmpty();
        const bool atLineStart = pos == 0 || m_text.at(pos - 1) == u'\n';
        switch (m_markers.match(QStringView(m_text).sliced(pos), atWordStart, atTextStart, atLineStart)) {
        case EnvelopeMarkers::Match::Full:
            m_captureStart = pos;
            m_captureCloser = closerOf(QStringView(m_text).sliced(pos));
            m_scan = pos;
            reconsiderCapture(); // it may have arrived whole
            break;
        case EnvelopeMarkers::Match::Prefix:
            m_scan = pos; // wait for more text
            {
                const QString out = m_text.mid(m_sent, pos - m_sent);
                m_sent = pos;
                return out;
            }
        case EnvelopeMarkers::Match::No:
            m_scan = pos + 1;
            break;
        }
    }
    const qsizetype until = m_captureStart >= 0 ? m_captureStart : m_scan;
    const QString out = m_text.mid(m_sent, until - m_sent);
    m_sent = std::max(m_sent, until);
    return out;
}

QList<QJsonObject> StreamGuard::feed(const QJsonObject& chunk)
{
    QList<QJsonObject> deltas;
    if (chunk.value("usage"_L1).isObject())
        m_usage = chunk.value("usage"_L1).toObject();
    const QJsonArray choices = chunk.value("choices"_L1).toArray();
    if (choices.isEmpty())
        return deltas;
    const QJsonObject choice = choices.first().toObject();
    const QJsonObject delta = choice.value("delta"_L1).toObject();
    if (choice.value("finish_reason"_L1).isString())
        m_finishReason = choice.value("finish_reason"_L1).toString();

    auto emitDelta = [&](const QJsonObject& out) {
        if (!m_forward)
            return;
        m_forwardedAnything = true;
        deltas.append(out);
    };

    for (QLatin1StringView key : { "reasoning_content"_L1, "reasoning"_L1 }) {
        const QString piece = delta.value(key).toString();
        if (!piece.isEmpty()) {
            m_reasoning += piece;
            emitDelta({ { QString(key), piece } });
        }
    }
    const QString content = delta.value("content"_L1).toString();
    if (!content.isEmpty()) {
        m_text += content;
        QString thought;
        const bool inReasoning = m_watch && takeReasoning(&thought);
        if (!thought.isEmpty()) {
            m_inlineReasoning += thought;
            emitDelta({ { u"reasoning_content"_s, thought } });
        }
        const QString out = inReasoning ? QString() : releasable();
        if (!out.isEmpty())
            emitDelta({ { u"content"_s, out } });
    }
    for (const QJsonValue& value : delta.value("tool_calls"_L1).toArray()) {
        const QJsonObject part = value.toObject();
        const int index = part.value("index"_L1).toInt(int(m_calls.size()));
        // Indices count up from 0; a wild one from a broken backend must not allocate millions.
        if (index < 0 || index > m_calls.size() + kMaxSkippedCallIndices)
            continue;
        while (m_calls.size() <= index)
            m_calls.append({ int(m_calls.size()), QString(), QString(), QString() });
        NativeCall& call = m_calls[index];
        if (part.value("id"_L1).isString())
            call.id = part.value("id"_L1).toString();
        const QJsonObject function = part.value("function"_L1).toObject();
        call.name += function.value("name"_L1).toString();
        call.argumentsText += function.value("arguments"_L1).toString();
    }
    return deltas;
}

QJsonObject completionFromStream(const StreamGuard& accumulated, const QJsonObject& firstChunk)
{
    QJsonObject message { { u"role"_s, u"assistant"_s }, { u"content"_s, accumulated.text() } };
    if (!accumulated.reasoning().isEmpty())
        message.insert(u"reasoning_content"_s, accumulated.reasoning());
    QJsonArray calls;
    for (const NativeCall& call : accumulated.nativeCalls()) {
        calls.append(QJsonObject { { u"id"_s, call.id }, { u"type"_s, u"function"_s },
                                   { u"function"_s, QJsonObject { { u"name"_s, call.name }, { u"arguments"_s, call.argumentsText } } } });
    }
    if (!calls.isEmpty())
        message.insert(u"tool_calls"_s, calls);
    const QString finishReason = accumulated.finishReason().isEmpty() ? u"stop"_s : accumulated.finishReason();
    QJsonObject completion {
        { u"id"_s, firstChunk.value("id"_L1) },
        { u"object"_s, u"chat.completion"_s },
        { u"created"_s, firstChunk.value("created"_L1) },
        { u"model"_s, firstChunk.value("model"_L1) },
        { u"choices"_s, QJsonArray { QJsonObject { { u"index"_s, 0 }, { u"message"_s, message }, { u"finish_reason"_s, finishReason } } } },
    };
    if (!accumulated.usage().isEmpty())
        completion.insert(u"usage"_s, accumulated.usage());
    return completion;
}

QJsonObject completionFromEvents(const QList<QByteArray>& eventData)
{
    StreamGuard accumulated(ToolCatalog(), false, false);
    QJsonObject firstChunk;
    QJsonValue error(QJsonValue::Undefined);
    for (const QByteArray& data : eventData) {
        const QJsonObject chunk = QJsonDocument::fromJson(data).object();
        if (chunk.isEmpty())
            continue; // "[DONE]", or something that is not a chunk
        if (chunk.contains("error"_L1)) {
            error = chunk.value("error"_L1);
            continue;
        }
        if (firstChunk.isEmpty())
            firstChunk = chunk;
        accumulated.feed(chunk);
    }
    QJsonObject completion = completionFromStream(accumulated, firstChunk);
    if (!error.isUndefined())
        completion.insert(u"error"_s, error);
    return completion;
}

} // namespace Guard
