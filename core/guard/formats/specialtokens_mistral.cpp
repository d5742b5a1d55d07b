// Mistral's [TOOL_CALLS] generations and the token-stripped NAME[ARGS]{json} rehearsal form.
#include "specialtokens.h"
#include "specialtokens_common.h"

#include "../literalparser.h"

#include <algorithm>

using namespace Qt::StringLiterals;

namespace Guard {

using namespace SpecialTokens;

namespace {

constexpr QStringView kToolCalls = u"[TOOL_CALLS]";
constexpr QStringView kCloseToolCalls = u"[/TOOL_CALLS]";
constexpr QStringView kArgs = u"[ARGS]";
constexpr QStringView kCallId = u"[CALL_ID]";
constexpr QStringView kFence = u"```";
constexpr qsizetype kMaxIdLength = 64; // Mistral's call ids are 9 characters; anything long is not one

const QString kJsonArray = u"mistral_json_array"_s;
const QString kNameJson = u"mistral_v11_name_json"_s;
const QString kArgsTag = u"mistral_args_tag"_s;
const QString kRehearsal = u"args_rehearsal"_s;

// What follows a tool name: optional "[CALL_ID]ID", optional "[ARGS]", then the JSON arguments.
struct ArgsTail
{
    bool argsTag = false;
    QString id;
    qsizetype jsonPos = -1; // where the arguments start; -1 when none follow
    qsizetype end = 0; // just past the tail's markers
};

ArgsTail readArgsTail(QStringView text, qsizetype pos)
{
    ArgsTail tail;
    qsizetype cursor = skipWhitespace(text, pos);
    if (at(text, cursor, kCallId)) {
        const qsizetype idStart = cursor + kCallId.size();
        const qsizetype args = text.mid(idStart, kMaxIdLength + kArgs.size()).indexOf(kArgs);
        if (args < 0)
            return tail;
        const QStringView id = text.mid(idStart, args).trimmed();
        if (!std::all_of(id.begin(), id.end(), isNameChar))
            return tail;
        tail.id = id.toString();
        cursor = idStart + args;
    }
    if (at(text, cursor, kArgs)) {
        tail.argsTag = true;
        cursor += kArgs.size();
    }
    tail.end = cursor;
    const qsizetype value = skipWhitespace(text, cursor);
    if (at(text, value, u"{") || (tail.argsTag && (at(text, value, u"[") || at(text, value, u"\""))))
        tail.jsonPos = value;
    return tail;
}

// The end of a name written right after [TOOL_CALLS]: it runs to the first bracket, brace or space.
qsizetype nameTokenEnd(QStringView text, qsizetype pos)
{
    qsizetype end = pos;
    while (end < text.size()) {
        const QChar c = text.at(end);
        if (c == u'[' || c == u'{' || c.isSpace())
            break;
        ++end;
    }
    return end;
}

// One NAME…{json} call starting at `start` (where its name starts). Returns the end of the call
// text, or -1 when the text there is not call-shaped at all (prose after a stray [TOOL_CALLS]).
// `spanStart` is where the call's own text begins (the [TOOL_CALLS] token for the first call).
qsizetype readNamedCall(QStringView text, qsizetype spanStart, qsizetype start, const ToolCatalog& tools,
    FormatMatch& match, bool requireArgsTag)
{
    const qsizetype tokenEnd = nameTokenEnd(text, start);
    const QStringView written = text.mid(start, tokenEnd - start);
    const ToolDefinition* tool = written.isEmpty() ? nullptr : tools.resolve(written);
    qsizetype nameEnd = tokenEnd;
    if (!tool) {
        // A declared name holding a space or bracket is only found by comparing names.
        if (const ToolDefinition* longest = tools.longestNameAt(text, start)) {
            tool = longest;
            nameEnd = start + longest->name.size();
        }
    }
    if (nameEnd == start)
        return -1;
    const ArgsTail tail = readArgsTail(text, nameEnd);
    if (requireArgsTag && !tail.argsTag)
        return -1;
    const QString& format = tail.argsTag ? kArgsTag : kNameJson;
    if (tail.jsonPos < 0) {
        if (tail.argsTag) {
            addFailure(match, { spanStart, tail.end },
                format + u": no JSON arguments after '"_s + written.toString() + u"[ARGS]'"_s);
            return tail.end;
        }
        return -1;
    }
    const JsonAt json = jsonAt(text, tail.jsonPos);
    if (!tool) {
        // "[TOOL_CALLS] see {this}" is prose; an undeclared name with real JSON is a near miss.
        if (!tail.argsTag && !json.ok)
            return -1;
        addFailure(match, { spanStart, json.ok ? json.end : text.size() }, undeclaredIssue(format, written));
        return json.ok ? json.end : text.size();
    }
    if (!json.ok) {
        addFailure(match, { spanStart, text.size() }, argumentsIssue(format, tool->name, json));
        return text.size();
    }
    if (match.calls.isEmpty())
        match.format = format;
    match.calls.append(makeCall(*tool, json.value, tail.id, { spanStart, json.end }));
    return json.end;
}

// [TOOL_CALLS] followed by a JSON array (or one object), optionally fenced. Returns the end of
// the envelope, or -1 when nothing JSON-like follows.
qsizetype readJsonEnvelope(
    QStringView text, qsizetype token, qsizetype pos, const ToolCatalog& tools, FormatMatch& match)
{
    qsizetype cursor = pos;
    bool fenced = false;
    if (at(text, cursor, kFence)) {
        fenced = true;
        cursor += kFence.size();
        if (at(text, cursor, u"json"))
            cursor += 4;
        cursor = skipWhitespace(text, cursor);
    }
    const JsonCallList list = jsonCallListAt(text, token, cursor, tools, kJsonArray);
    if (!list.found)
        return -1;
    qsizetype end = list.end;
    if (fenced) {
        const qsizetype close = skipWhitespace(text, end);
        if (at(text, close, kFence))
            end = close + kFence.size();
    }
    if (match.calls.isEmpty() && !list.calls.isEmpty())
        match.format = kJsonArray;
    match.calls.append(list.calls);
    match.failed.append(list.failed);
    match.issues.append(list.issues);
    return end;
}

} // namespace

QString MistralParser::name() const
{
    return u"mistral"_s;
}

QList<Anchor> MistralParser::anchors() const
{
    static const QList<Anchor> anchors { { kToolCalls } };
    return anchors;
}

ParserRank MistralParser::rank() const
{
    return ParserRank::Anchored;
}

FormatMatch MistralParser::parse(QStringView text, const ToolCatalog& tools) const
{
    FormatMatch match;
    qsizetype token = text.indexOf(kToolCalls);
    while (token >= 0) {
        const qsizetype body = skipWhitespace(text, token + kToolCalls.size());
        const qsizetype callsBefore = match.calls.size();
        QList<TextSpan> markup;
        const bool jsonBody = (at(text, body, u"[") && !at(text, body, kArgs) && !at(text, body, kCallId))
            || at(text, body, u"{") || at(text, body, kFence);
        qsizetype end = jsonBody ? readJsonEnvelope(text, token, body, tools, match)
                                 : readNamedCall(text, token, body, tools, match, false);
        if (end < 0) {
            token = text.indexOf(kToolCalls, token + kToolCalls.size());
            continue;
        }
        // Calls chained without repeating the token: [TOOL_CALLS]a[ARGS]{…}b[ARGS]{…}.
        while (!jsonBody && end < text.size()) {
            const qsizetype next = skipWhitespace(text, end);
            if (next >= text.size() || at(text, next, kToolCalls))
                break;
            const qsizetype chained = readNamedCall(text, next, next, tools, match, true);
            if (chained < 0)
                break;
            markup.append({ end, next });
            end = chained;
        }
        const qsizetype close = skipWhitespace(text, end);
        if (at(text, close, kCloseToolCalls))
            end = close + kCloseToolCalls.size();
        markup.append({ token, end });
        // Whitespace up to the next [TOOL_CALLS] separates calls.
        const qsizetype next = skipWhitespace(text, end);
        if (at(text, next, kToolCalls))
            markup.append({ end, next });
        // An envelope that gave no call stays visible, like the other near misses.
        if (match.calls.size() > callsBefore)
            match.markup.append(markup);
        token = text.indexOf(kToolCalls, std::max(end, token + kToolCalls.size()));
    }
    if (match.format.isEmpty() && !match.failed.isEmpty())
        match.format = kArgsTag;
    return match;
}

QString ArgsRehearsalParser::name() const
{
    return u"args_rehearsal"_s;
}

QList<Anchor> ArgsRehearsalParser::anchors() const
{
    static const QList<Anchor> anchors { { kArgs } };
    return anchors;
}

ParserRank ArgsRehearsalParser::rank() const
{
    return ParserRank::Bare;
}

FormatMatch ArgsRehearsalParser::parse(QStringView text, const ToolCatalog& tools) const
{
    FormatMatch match;
    match.format = kRehearsal;
    qsizetype from = 0;
    qsizetype lastCallEnd = -1;
    while (true) {
        const qsizetype args = text.indexOf(kArgs, from);
        if (args < 0)
            break;
        from = args + kArgs.size();
        // NAME[CALL_ID]ID[ARGS]: the name ends where [CALL_ID] starts.
        qsizetype nameEnd = args;
        QString id;
        const qsizetype window = std::max<qsizetype>(0, args - kMaxIdLength - kCallId.size());
        const qsizetype callId = text.mid(window, args - window).lastIndexOf(kCallId);
        if (callId >= 0) {
            const qsizetype idStart = window + callId + kCallId.size();
            const QStringView written = text.mid(idStart, args - idStart);
            if (!written.isEmpty() && std::all_of(written.begin(), written.end(), isNameChar)) {
                nameEnd = window + callId;
                id = written.toString();
            }
        }
        qsizetype nameStart = nameEnd;
        const ToolDefinition* tool = declaredNameEndingAt(text, nameEnd, tools, &nameStart);
        if (!tool) {
            while (nameStart > 0 && isNameChar(text.at(nameStart - 1)))
                --nameStart;
        }
        // With [TOOL_CALLS] in front this is the Mistral parser's call, not a rehearsal.
        const QStringView before = text.left(nameStart).trimmed();
        if (nameStart == nameEnd || before.endsWith(kToolCalls))
            continue;
        const qsizetype value = skipWhitespace(text, args + kArgs.size());
        const QStringView written = text.mid(nameStart, nameEnd - nameStart);
        if (!at(text, value, u"{")) {
            if (tool)
                addFailure(match, { nameStart, from },
                    kRehearsal + u": no JSON arguments after '"_s + written.toString() + u"[ARGS]'"_s);
            continue;
        }
        const JsonAt json = jsonAt(text, value);
        const qsizetype failEnd = json.ok ? json.end : (json.truncated ? text.size() : json.end);
        if (!tool) {
            addFailure(match, { nameStart, failEnd }, undeclaredIssue(kRehearsal, written));
            continue;
        }
        if (!json.ok) {
            addFailure(match, { nameStart, failEnd }, argumentsIssue(kRehearsal, tool->name, json));
            continue;
        }
        if (lastCallEnd >= 0 && text.mid(lastCallEnd, nameStart - lastCallEnd).trimmed().isEmpty())
            match.markup.append({ lastCallEnd, nameStart });
        match.calls.append(makeCall(*tool, json.value, id, { nameStart, json.end }));
        match.markup.append({ nameStart, json.end });
        lastCallEnd = json.end;
        from = json.end;
    }
    return match;
}

} // namespace Guard
