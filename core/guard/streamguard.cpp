#include "streamguard.h"

#include <QJsonArray>
#include <QJsonDocument>

#include <algorithm>

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
        { u"<toolcall>"_s, u"</toolcall>"_s }, { u"<functionname="_s, u"</function>"_s }, { u"<user>"_s, u"</user>"_s },
    };
    for (const auto& [open, close] : tags) {
        if (text.startsWith(open))
            return close;
    }
    if (text.startsWith(u"```"))
        return u"\n```"_s;
    if (text.startsWith(u'{') || text.startsWith(u"call:"))
        return u"{"_s;
    // An array of call objects or a Python call list ("[get_weather(", "[ {"); "[TOOL_CALLS]"
    // and "[tool]" are special tokens that only the end of the answer closes.
    if (text.startsWith(u'[')) {
        const QStringView rest = text.sliced(1).trimmed();
        qsizetype name = 0;
        while (name < rest.size() && (isWordChar(rest.at(name)) || rest.at(name) == u'.'))
            ++name;
        if (rest.startsWith(u'{') || (name > 0 && name < rest.size() && rest.at(name) == u'('))
            return u"{"_s;
        return {};
    }
    // NAME({...}): the object and the parenthesis after it.
    qsizetype name = 0;
    while (name < text.size() && isWordChar(text.at(name)))
        ++name;
    if (name > 0 && name < text.size() && text.at(name) == u'(')
        return u"("_s;
    return {};
}

// A held region that names no declared tool is released once it grows past this without
// closing: a stray "{" or an unclosed fence must not stop the rest of an answer from streaming.
constexpr qsizetype kMaxHeldWithoutTool = 16 * 1024;

} // namespace

EnvelopeMarkers::EnvelopeMarkers(const ToolCatalog& tools)
{
    // Openers of every envelope in the format catalog (section numbers there).
    m_literals = {
        // JSON and XML in tags (1, 3)
        u"<tool_call>"_s, u"<tool_call "_s, u"<tool_calls>"_s, u"<TOOLCALL>"_s, u"<tool>"_s, u"<tools>"_s, u"<response>"_s,
        u"<json>"_s, u"<JSON>"_s, u"<xml>"_s, u"<function="_s, u"<function name="_s, u"<function_calls>"_s,
        u"<function_call>"_s, u"<invoke "_s, u"<seed:tool_call>"_s, u"<minimax:tool_call>"_s, u"<longcat_tool_call>"_s,
        u"<steptml:"_s, u"<atem:"_s, u"]<]minimax[>["_s, u"<toolcall>"_s, u"<tool_call:"_s, u"<tool_calls:"_s,
        u"<functionname="_s, u"<user>"_s, u"<|DSML|"_s, u"[tool]"_s,
        // special tokens (1, 4)
        u"[TOOL_CALLS]"_s, u"<|tool_call|>"_s, u"<|tool_calls_section_begin|>"_s, u"<|tool_call_begin|>"_s,
        u"<|tool_call_start|>"_s, u"<|python_tag|>"_s, u"<|python_start|>"_s, u"<|action_start|>"_s,
        u"<|tools_prefix|>"_s, u"<|function_call|>"_s, u"<|START_ACTION|>"_s, u"<start_function_call>"_s,
        u"<|tool_call>"_s, u"<|channel|>"_s, u"<|start|>"_s, u"<|message|>"_s, u"<|constrain|>"_s, u"<|open|>"_s,
        u"<|message_sep|>"_s, u"<\uff5ctool\u2581calls\u2581begin\uff5c>"_s, u"<\uff5ctool\u2581call\u2581begin\uff5c>"_s,
        u"<\uff5ctool\u2581calls\uff5c>"_s, u"<|tool\u2581calls\u2581begin|>"_s, u"<\uff5cDSML\uff5c"_s,
        u"<\uff5ctool_calls_begin\uff5c>"_s, u"functools["_s, u"Action:"_s, u"function call"_s,
        // harmony with its special tokens stripped by the server: "[assistant]commentary to=functions.NAME"
        u"commentary to="_s, u"assistantcommentary to="_s,
        // fences announcing JSON or XML (1)
        u"```json"_s, u"```JSON"_s, u"```xml"_s, u"```\n{"_s, u"```\n["_s,
    };
    m_names = tools.names();
    QString first = u"<[{`]>ct"_s; // "c" for Gemma's call:NAME{, "t" for harmony's to=functions.NAME
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
        if (text.at(i) != u'{') {
            // A Python call list, whether or not its first call names a declared tool (a list
            // with an undeclared sibling still holds declared calls). Markdown's "[text](url)"
            // has a ']' before its '('.
            qsizetype name = i;
            while (name < text.size() && (isWordChar(text.at(name)) || text.at(name) == u'.'))
                ++name;
            if (name == i)
                return Match::No;
            if (name == text.size())
                return Match::Prefix;
            return text.at(name) == u'(' ? Match::Full : Match::No;
        }
    }
    if (text.at(i) != u'{')
        return Match::No;
    ++i;
    const qsizetype start = i;
    while (i < text.size() && text.at(i).isSpace() && i - start < kMaxMarkerWhitespace)
        ++i;
    if (i == text.size())
        return i - start < kMaxMarkerWhitespace ? Match::Prefix : Match::No;
    // Any JSON object: calls come in too many shapes to tell by their first key ({"id", "type",
    // "function"} from the OpenAI API, escaped keys, wrappers). An object that is not a call is
    // released the moment it closes, so data in prose is only delayed by its own length.
    return text.at(i) == u'"' ? Match::Full : Match::No;
}

EnvelopeMarkers::Match EnvelopeMarkers::matchCallSyntax(QStringView text, bool atWordStart) const
{
    // Ways of writing a call to a declared name outside any envelope: Functionary's >>>NAME
    // (glued to the prose before it, too), and at a word start Gemma's call:NAME{...}, harmony's
    // to=functions.NAME and NAME({...}) with spaces allowed around the object.
    enum class Syntax { Functionary, Gemma, Harmony, Parenthesised };
    Syntax syntax = Syntax::Parenthesised;
    QStringView rest = text;
    Match result = Match::No;
    if (text.startsWith(u">>>")) {
        syntax = Syntax::Functionary;
        rest = text.sliced(3);
    } else if (QStringView(u">>>").startsWith(text)) {
        return Match::Prefix;
    } else if (!atWordStart) {
        return Match::No;
    } else if (text.startsWith(u"call:")) {
        syntax = Syntax::Gemma;
        rest = text.sliced(5);
    } else if (text.startsWith(u"to=functions.")) {
        // gpt-oss harmony's recipient: a call only when a declared name follows ("reply
        // to=functions.md" in prose is not one).
        syntax = Syntax::Harmony;
        rest = text.sliced(13);
    } else if (QStringView(u"call:").startsWith(text) || QStringView(u"to=functions.").startsWith(text)) {
        result = Match::Prefix;
    }
    for (const QString& name : m_names) {
        if (name.isEmpty())
            continue;
        switch (syntax) {
        case Syntax::Functionary:
        case Syntax::Harmony:
            result = better(result, prefixMatch(rest, name));
            break;
        case Syntax::Gemma:
            result = better(result, prefixMatch(rest, QString(name + u'{')));
            break;
        case Syntax::Parenthesised:
            if (!rest.startsWith(name)) {
                if (name.startsWith(rest))
                    result = better(result, Match::Prefix);
                break;
            }
            const QStringView after = rest.sliced(name.size());
            if (after.isEmpty()) {
                result = better(result, Match::Prefix);
                break;
            }
            if (after.front() != u'(')
                break;
            qsizetype i = 1;
            while (i < after.size() && after.at(i).isSpace() && i <= kMaxMarkerWhitespace)
                ++i;
            if (i == after.size())
                result = better(result, Match::Prefix);
            else if (after.at(i) == u'{')
                result = Match::Full;
            break;
        }
        if (result == Match::Full)
            return result;
    }
    return result;
}

EnvelopeMarkers::Match EnvelopeMarkers::matchNames(QStringView text, NameContext context) const
{
    Match result = Match::No;
    for (const QString& name : m_names) {
        // NAME[ARGS]{...} (special tokens stripped), and at the very start of an answer
        // NAME\n{...} (Functionary v3.2's recipient line). Call lists and NAME({...}) are
        // matchJson's and matchCallSyntax's.
        QStringList markers = { QString(name + u"[ARGS]"_s), QString(name + u"[CALL_ID]"_s) };
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
        if (!atLineStart && (literal == u"Action:"_s || literal == u"function call"_s))
            continue;
        result = better(result, prefixMatch(text, literal));
        if (result == Match::Full)
            return result;
    }
    if (text.front() == u'{' || text.front() == u'[')
        result = better(result, matchJson(text));
    if (result != Match::Full)
        result = better(result, matchCallSyntax(text, atWordStart));
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
        // Held text included: a call in a closed block is a rehearsal.
        *reasoning += m_text.mid(m_sent, close - m_sent);
        m_sent = close + m_reasoningClose.size();
        m_scan = m_sent;
        m_captureStart = -1;
        m_captureCloser.clear();
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
    // A call may end a block that never closes, and is real then: reasoning is watched like
    // content, and an envelope in it is held until it closes without a call (then it goes out
    // as reasoning), the block closes (a rehearsal) or the answer ends (the rescue decides).
    const qsizetype until = releasableUntil(safe);
    *reasoning += m_text.mid(m_sent, until - m_sent);
    m_sent = std::max(m_sent, until);
    return true;
}

EnvelopeMarkers::Match StreamGuard::matchAt(qsizetype pos) const
{
    const bool atWordStart = pos == 0 || !isWordChar(m_text.at(pos - 1));
    const bool atTextStart = QStringView(m_text).first(pos).trimmed().isEmpty();
    const bool atLineStart = pos == 0 || m_text.at(pos - 1) == u'\n';
    return m_markers.match(QStringView(m_text).sliced(pos), atWordStart, atTextStart, atLineStart);
}

qsizetype StreamGuard::JsonScan::advance(QStringView text)
{
    // Strings and their escapes are stepped over, so braces inside them do not count.
    if (end >= 0)
        return end;
    for (; pos < text.size(); ++pos) {
        const QChar c = text.at(pos);
        if (escaped) {
            escaped = false;
        } else if (inString) {
            if (c == u'\\')
                escaped = true;
            else if (c == u'"')
                inString = false;
        } else if (c == u'"') {
            inString = true;
        } else if (c == u'{' || c == u'[') {
            ++depth;
        } else if ((c == u'}' || c == u']') && --depth == 0) {
            end = ++pos;
            return end;
        }
    }
    return -1;
}

void StreamGuard::startCapture(qsizetype pos)
{
    m_captureStart = pos;
    m_captureCloser = closerOf(QStringView(m_text).sliced(pos));
    m_closeScan = JsonScan { pos };
    m_closeSearchFrom = pos;
    m_captureChecked = false;
    m_scan = pos;
}

qsizetype StreamGuard::captureEnd()
{
    // Each search resumes where the previous chunk's stopped: a large held envelope costs its
    // length once, not once per chunk.
    if (m_captureCloser == u"{"_s)
        return m_closeScan.advance(m_text);
    if (m_captureCloser == u"("_s) {
        // NAME({...}): the object, then its closing parenthesis.
        qsizetype end = m_closeScan.advance(m_text);
        if (end < 0)
            return -1;
        while (end < m_text.size() && m_text.at(end).isSpace())
            ++end;
        if (end == m_text.size())
            return -1; // the parenthesis may still come
        return m_text.at(end) == u')' ? end + 1 : end;
    }
    // A fence's closing line comes after its opening line.
    qsizetype from = std::max(m_closeSearchFrom - m_captureCloser.size() + 1, m_captureStart);
    if (m_captureCloser == u"\n```"_s) {
        const qsizetype firstLine = m_text.indexOf(u'\n', m_captureStart);
        if (firstLine < 0)
            return -1;
        from = std::max(from, firstLine);
    }
    m_closeSearchFrom = m_text.size();
    const qsizetype close = m_text.indexOf(m_captureCloser, from);
    return close < 0 ? -1 : close + m_captureCloser.size();
}

void StreamGuard::reconsiderCapture()
{
    if (m_captureStart < 0)
        return;
    if (!m_captureChecked && m_text.size() - m_captureStart > kMaxHeldWithoutTool) {
        m_captureChecked = true;
        const QStringView held = QStringView(m_text).sliced(m_captureStart);
        const QStringList names = m_tools.names();
        const bool namesTool = std::any_of(names.cbegin(), names.cend(),
                                           [held](const QString& name) { return !name.isEmpty() && held.contains(name); });
        if (!namesTool) {
            m_scan = m_captureStart + 1; // what looked like an opening is text; look on after it
            m_captureStart = -1;
            m_captureCloser.clear();
            return;
        }
    }
    if (m_captureCloser.isEmpty())
        return;
    const qsizetype end = captureEnd();
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

qsizetype StreamGuard::releasableUntil(qsizetype limit)
{
    m_scan = std::max(m_scan, m_sent);
    if (!m_watch) {
        m_scan = limit;
        return limit;
    }
    reconsiderCapture();
    while (m_scan < limit && m_captureStart < 0) {
        qsizetype pos = m_scan;
        while (pos < limit && !m_markers.mayStart(m_text.at(pos)))
            ++pos;
        if (pos == limit) {
            m_scan = pos;
            break;
        }
        switch (matchAt(pos)) {
        case EnvelopeMarkers::Match::Full:
            startCapture(pos);
            reconsiderCapture(); // it may have arrived whole
            break;
        case EnvelopeMarkers::Match::Prefix:
            m_scan = pos; // wait for more text
            return pos;
        case EnvelopeMarkers::Match::No:
            m_scan = pos + 1;
            break;
        }
    }
    return m_captureStart >= 0 ? m_captureStart : std::min(m_scan, limit);
}

QString StreamGuard::releasable()
{
    const qsizetype until = releasableUntil(m_text.size());
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
