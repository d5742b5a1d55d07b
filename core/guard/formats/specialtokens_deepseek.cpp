// DeepSeek V3 / R1 (fenced JSON after "function<｜tool▁sep｜>NAME") and V3.1 (NAME<｜tool▁sep｜>{json}).
#include "specialtokens.h"
#include "specialtokens_common.h"

#include "../literalparser.h"

#include <algorithm>

using namespace Qt::StringLiterals;

namespace Guard {

using namespace SpecialTokens;

namespace {

const QString kV3 = u"deepseek_v3"_s;
const QString kV31 = u"deepseek_v31"_s;

constexpr QChar kFullBar = u'\uff5c';
constexpr QChar kLowBar = u'\u2581';
constexpr QStringView kFence = u"```";
constexpr qsizetype kMaxMarkerLength = 40;
constexpr qsizetype kMaxNameLength = 200;

enum class MarkerKind { None, CallsBegin, CallsEnd, CallBegin, CallEnd, Separator, EndOfSentence, Other };

struct Marker
{
    MarkerKind kind = MarkerKind::None;
    qsizetype start = 0;
    qsizetype end = 0;
};

// Reads one DeepSeek token at `pos`: '<', a bar, words joined by '▁' (or '_', ' ', "\_" in
// mangled copies), a bar, '>'. Tokens made only of ASCII ('<|tool_call_begin|>') are Kimi's.
Marker readMarker(QStringView text, qsizetype pos)
{
    Marker marker;
    if (!at(text, pos, u"<") || pos + 1 >= text.size())
        return marker;
    qsizetype cursor = pos + 1;
    const QChar open = text.at(cursor);
    if (open != kFullBar && open != u'|')
        return marker;
    bool deepSeekish = open == kFullBar;
    ++cursor;
    bool closing = false;
    if (at(text, cursor, u"/")) {
        closing = true;
        ++cursor;
    }
    QString words;
    const qsizetype limit = std::min(text.size(), cursor + kMaxMarkerLength);
    while (cursor < limit) {
        const QChar c = text.at(cursor);
        if ((c == kFullBar || c == u'|') && at(text, cursor + 1, u">")) {
            deepSeekish = deepSeekish || c == kFullBar;
            marker.end = cursor + 2;
            break;
        }
        if (c.isLetter()) {
            words.append(c.toLower());
        } else if (c == kLowBar || c == u'_' || c == u' ' || c == u'\\') {
            deepSeekish = deepSeekish || c == kLowBar;
            if (!words.isEmpty() && !words.endsWith(u' '))
                words.append(u' ');
        } else {
            return marker;
        }
        ++cursor;
    }
    if (marker.end == 0 || !deepSeekish)
        return marker;
    marker.start = pos;
    if (closing)
        marker.kind = words == "tool calls"_L1 ? MarkerKind::CallsEnd : MarkerKind::Other;
    else if (words == "tool calls begin"_L1 || words == "tool calls"_L1)
        marker.kind = MarkerKind::CallsBegin;
    else if (words == "tool calls end"_L1)
        marker.kind = MarkerKind::CallsEnd;
    else if (words == "tool call begin"_L1)
        marker.kind = MarkerKind::CallBegin;
    else if (words == "tool call end"_L1)
        marker.kind = MarkerKind::CallEnd;
    else if (words == "tool sep"_L1)
        marker.kind = MarkerKind::Separator;
    else if (words == "end of sentence"_L1)
        marker.kind = MarkerKind::EndOfSentence;
    else
        marker.kind = MarkerKind::Other;
    return marker;
}

// The next DeepSeek tool token at or after `from` (every one of them holds "tool").
Marker nextToolMarker(QStringView text, qsizetype from)
{
    qsizetype word = text.indexOf(u"tool", from);
    while (word >= 0) {
        for (qsizetype back : { 2, 3 }) {
            if (word - back < from)
                continue;
            const Marker marker = readMarker(text, word - back);
            if (marker.kind != MarkerKind::None)
                return marker;
        }
        word = text.indexOf(u"tool", word + 4);
    }
    return {};
}

// One envelope's findings, kept apart until it is clear the envelope is DeepSeek's own.
struct Envelope
{
    QList<ParsedCall> calls;
    QList<TextSpan> failed;
    QStringList issues;
    QString format;
    qsizetype end = 0;
    bool foreign = false; // a steptml / XML body: another family's format
};

// Where a fenced or bare JSON argument object starts after `pos`; sets `fenced`.
qsizetype argumentsStart(QStringView text, qsizetype pos, bool* fenced)
{
    qsizetype cursor = skipWhitespace(text, pos);
    *fenced = false;
    if (at(text, cursor, kFence)) {
        *fenced = true;
        cursor += kFence.size();
        if (at(text, cursor, u"json"))
            cursor += 4;
        cursor = skipWhitespace(text, cursor);
    }
    return cursor;
}

// One call whose body starts at `body` (just after <｜tool▁call▁begin｜>, or where that token was
// left out). Returns the end of the call, or -1 when no separator follows (no call here).
qsizetype readCall(
    QStringView text, qsizetype callStart, qsizetype body, const ToolCatalog& tools, Envelope& envelope)
{
    const Marker separator = nextToolMarker(text, body);
    if (separator.kind != MarkerKind::Separator || separator.start - body > kMaxNameLength
        || text.mid(body, separator.start - body).contains(u'\n')) {
        return -1;
    }
    const QStringView before = text.mid(body, separator.start - body).trimmed();
    const bool fencedStyle = before == u"function";
    QStringView written;
    qsizetype nameStart = 0;
    qsizetype argsFrom = separator.end;
    if (fencedStyle) {
        // V3 / R1: function<｜tool▁sep｜>NAME\n```json\n{…}\n```
        nameStart = skipBlanks(text, separator.end);
        qsizetype nameEnd = nameStart;
        while (nameEnd < text.size() && text.at(nameEnd) != u'\n' && text.at(nameEnd) != u'{'
            && !at(text, nameEnd, kFence) && !at(text, nameEnd, u"<")
            && nameEnd - nameStart < kMaxNameLength) {
            ++nameEnd;
        }
        written = text.mid(nameStart, nameEnd - nameStart).trimmed();
        argsFrom = nameEnd;
    } else {
        written = before;
        nameStart = body;
    }
    bool fenced = false;
    const qsizetype args = argumentsStart(text, argsFrom, &fenced);
    if (at(text, args, u"<") || (fencedStyle && written.isEmpty() && at(text, nameStart, u"<"))) {
        envelope.foreign = true;
        return -1;
    }
    const QString& format = fencedStyle ? kV3 : kV31;
    const ToolDefinition* tool = written.isEmpty() ? nullptr : tools.resolve(written);
    const JsonAt json = jsonAt(text, args);
    const qsizetype stop = json.ok ? json.end : (json.truncated ? text.size() : json.end);
    if (!tool) {
        envelope.failed.append({ callStart, stop });
        envelope.issues.append(written.isEmpty() ? format + u": a call without a tool name"_s
                                                 : undeclaredIssue(format, written));
        return stop;
    }
    if (!json.ok) {
        envelope.failed.append({ callStart, stop });
        envelope.issues.append(argumentsIssue(format, tool->name, json));
        return stop;
    }
    qsizetype end = json.end;
    qsizetype next = skipWhitespace(text, end);
    if (fenced && at(text, next, kFence)) {
        end = next + kFence.size();
        next = skipWhitespace(text, end);
    }
    const Marker close = readMarker(text, next);
    if (close.kind == MarkerKind::CallEnd)
        end = close.end;
    if (envelope.format.isEmpty())
        envelope.format = format;
    envelope.calls.append(makeCall(*tool, json.value, QString(), { callStart, end }));
    return end;
}

// <｜tool▁calls｜>[{"name": …, "arguments": …}] : a JSON call list inside the short opener.
qsizetype readJsonList(
    QStringView text, qsizetype start, qsizetype pos, const ToolCatalog& tools, Envelope& envelope)
{
    const JsonCallList list = jsonCallListAt(text, start, pos, tools, kV3);
    envelope.calls.append(list.calls);
    envelope.failed.append(list.failed);
    envelope.issues.append(list.issues);
    envelope.format = kV3;
    return list.end;
}

// An envelope opened by `opener` (<｜tool▁calls▁begin｜>, or a lone <｜tool▁call▁begin｜>).
Envelope readEnvelope(QStringView text, const Marker& opener, const ToolCatalog& tools)
{
    Envelope envelope;
    const bool section = opener.kind == MarkerKind::CallsBegin;
    qsizetype cursor = section ? skipWhitespace(text, opener.end) : opener.start;
    envelope.end = section ? opener.end : opener.start;
    if (section && (at(text, cursor, u"[") || at(text, cursor, u"{")))
        cursor = envelope.end = readJsonList(text, opener.start, cursor, tools, envelope);
    while (cursor < text.size()) {
        cursor = skipWhitespace(text, cursor);
        const Marker marker = readMarker(text, cursor);
        if (marker.kind == MarkerKind::CallsEnd) {
            envelope.end = marker.end;
            break;
        }
        const bool explicitBegin = marker.kind == MarkerKind::CallBegin;
        // The per-call token is sometimes left out inside a section ("function<｜tool▁sep｜>…").
        if (!explicitBegin && !(section && marker.kind == MarkerKind::None))
            break;
        const qsizetype body = explicitBegin ? marker.end : cursor;
        const qsizetype end = readCall(text, cursor, body, tools, envelope);
        if (envelope.foreign)
            return envelope;
        if (end < 0) {
            // A lone token in prose is a mention; inside a section it is a broken call.
            if (explicitBegin && (section || !envelope.calls.isEmpty() || !envelope.failed.isEmpty())) {
                envelope.failed.append({ cursor, marker.end });
                envelope.issues.append(u"deepseek: a call token with no name and separator after it"_s);
                envelope.end = marker.end;
            }
            break;
        }
        envelope.end = cursor = end;
    }
    const Marker trailer = readMarker(text, skipWhitespace(text, envelope.end));
    if (trailer.kind == MarkerKind::EndOfSentence && !envelope.calls.isEmpty())
        envelope.end = trailer.end;
    return envelope;
}

} // namespace

QString DeepSeekParser::name() const
{
    return u"deepseek"_s;
}

QList<Anchor> DeepSeekParser::anchors() const
{
    static const QList<Anchor> anchors { { u"\uff5c" }, { u"\u2581" } };
    return anchors;
}

ParserRank DeepSeekParser::rank() const
{
    return ParserRank::Anchored;
}

FormatMatch DeepSeekParser::parse(QStringView text, const ToolCatalog& tools) const
{
    FormatMatch match;
    if (!text.contains(kFullBar) && !text.contains(kLowBar))
        return match;
    qsizetype from = 0;
    while (from < text.size()) {
        const Marker marker = nextToolMarker(text, from);
        if (marker.kind == MarkerKind::None)
            break;
        if (marker.kind != MarkerKind::CallsBegin && marker.kind != MarkerKind::CallBegin) {
            from = marker.end;
            continue;
        }
        const Envelope envelope = readEnvelope(text, marker, tools);
        if (envelope.foreign) {
            from = marker.end;
            continue;
        }
        if (match.format.isEmpty())
            match.format = envelope.format;
        match.calls.append(envelope.calls);
        match.failed.append(envelope.failed);
        match.issues.append(envelope.issues);
        if (!envelope.calls.isEmpty())
            match.markup.append({ marker.start, envelope.end });
        from = std::max(envelope.end, marker.end);
    }
    if (match.format.isEmpty())
        match.format = kV31;
    return match;
}

} // namespace Guard
