#include "xmlarguments.h"

#include "../literalparser.h"
#include "../reasoning.h"
#include "argumenttyping.h"
#include "jsoncall.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QSet>

#include <algorithm>
#include <limits>
#include <memory>
#include <utility>
#include <vector>

using namespace Qt::StringLiterals;

namespace Guard {

namespace {

constexpr QStringView kFunctionOpen = u"<function=";
constexpr QStringView kFunctionClose = u"</function>";
constexpr QStringView kParameterOpen = u"<parameter=";
constexpr QStringView kParameterClose = u"</parameter>";
constexpr QStringView kToolCallOpen = u"<tool_call>";
constexpr QStringView kToolCallClose = u"</tool_call>";
constexpr QStringView kToolCallStem = u"<tool_call"; // also opens <tool_calls> and labelled tags
constexpr QStringView kSeedOpen = u"<seed:tool_call>";
constexpr QStringView kSeedClose = u"</seed:tool_call>";
constexpr QStringView kUserOpen = u"<user>";
constexpr QStringView kUserClose = u"</user>";

// Tool names and parameter names are short; a "name" running longer is prose.
constexpr qsizetype kMaxNameLength = 256;
// Hunyuan's tag labels (":opensource") are one short word.
constexpr qsizetype kMaxLabelLength = 32;
// End-of-turn tokens after a call are a few short tokens.
constexpr qsizetype kMaxEndTokensLength = 128;

using WrittenArguments = QList<std::pair<QString, QString>>; // name and text, as written

// The next occurrence of a fixed string, remembered so that a scan from left to right searches
// each stretch of text once however many times it asks.
class NextMatch
{
public:
    NextMatch(QStringView text, QStringView needle)
        : m_text(text)
        , m_needle(needle)
    {
    }

    // The first occurrence at or after `pos`, or -1.
    qsizetype from(qsizetype pos)
    {
        if (pos < m_searchedFrom || (m_found >= 0 && m_found < pos)) {
            m_searchedFrom = pos;
            m_found = m_text.indexOf(m_needle, pos);
        }
        return m_found;
    }

private:
    QStringView m_text;
    QStringView m_needle;
    qsizetype m_searchedFrom = std::numeric_limits<qsizetype>::max();
    qsizetype m_found = -1;
};

template <typename Finders>
qsizetype earliest(const Finders& finders, qsizetype pos)
{
    qsizetype best = -1;
    for (NextMatch* finder : finders) {
        const qsizetype at = finder->from(pos);
        if (at >= 0 && (best < 0 || at < best))
            best = at;
    }
    return best;
}

// True when position `a` exists and comes before `b` (which may not exist).
bool comesFirst(qsizetype a, qsizetype b)
{
    return a >= 0 && (b < 0 || a < b);
}

bool startsAt(QStringView text, qsizetype pos, QStringView token)
{
    return pos >= 0 && text.size() - pos >= token.size() && text.sliced(pos, token.size()) == token;
}

// The '>' that closes a tag whose name starts at `from`, looked for on the tag's own line: a name
// that runs into a newline or another tag is prose ("the <function=foo form"), not markup.
qsizetype tagEnd(QStringView text, qsizetype from)
{
    const qsizetype limit = std::min(text.size(), from + kMaxNameLength);
    for (qsizetype i = from; i < limit; ++i) {
        const QChar c = text.at(i);
        if (c == u'>')
            return i;
        if (c == u'\n' || c == u'<')
            return -1;
    }
    return -1;
}

// Names are written bare; a few models quote them (<function="get_weather">).
QStringView unquoted(QStringView name)
{
    name = name.trimmed();
    if (name.size() >= 2 && (name.front() == u'"' || name.front() == u'\'') && name.back() == name.front())
        name = name.sliced(1, name.size() - 2).trimmed();
    return name;
}

// Nothing but whitespace and end-of-turn tokens from `pos` on: the model stopped there.
bool onlyEndTokensFollow(QStringView text, qsizetype pos)
{
    const QStringView rest = pos >= text.size() ? QStringView() : text.sliced(pos).trimmed();
    return rest.isEmpty() || (rest.size() <= kMaxEndTokensLength && trimEndOfTurnTokens(rest).isEmpty());
}

// The body of an envelope that holds another family's format ("<tool_call>{json}" is Hermes). A
// JSON body is skipped whole, so markup quoted inside one of its strings is not read as a call.
qsizetype skipJsonBody(QStringView text, qsizetype body, qsizetype fallback)
{
    if (body < text.size() && (text.at(body) == u'{' || text.at(body) == u'[')) {
        const LiteralParse json = parseLiteral(text, body, LiteralDialect::Json);
        if (json.ok)
            return json.end;
    }
    return fallback;
}

// Exactly one newline after the opening tag and one before the closing tag are layout, not value
// (the Qwen3-Coder convention). When the closing tag is indented, the element was laid out as
// indented XML, and the indentation in front of the value is layout too.
QString valueText(QStringView raw)
{
    if (raw.startsWith(u"\r\n"))
        raw = raw.sliced(2);
    else if (raw.startsWith(u'\n'))
        raw = raw.sliced(1);
    qsizetype end = raw.size();
    while (end > 0 && (raw.at(end - 1) == u' ' || raw.at(end - 1) == u'\t'))
        --end;
    if (end == 0 || raw.at(end - 1) != u'\n')
        return raw.toString();
    const bool indentedClose = end < raw.size();
    --end;
    if (end > 0 && raw.at(end - 1) == u'\r')
        --end;
    raw = raw.first(end);
    if (indentedClose) {
        qsizetype start = 0;
        while (start < raw.size() && (raw.at(start) == u' ' || raw.at(start) == u'\t'))
            ++start;
        raw = raw.sliced(start);
    }
    return raw.toString();
}

bool isWholeNumberText(QStringView text)
{
    if (text.startsWith(u'-') || text.startsWith(u'+'))
        text = text.sliced(1);
    return !text.isEmpty()
        && std::all_of(text.begin(), text.end(), [](QChar c) { return c.unicode() >= u'0' && c.unicode() <= u'9'; });
}

QJsonObject typedArguments(const ToolDefinition& tool, const WrittenArguments& written)
{
    QJsonObject arguments;
    for (const auto& [name, text] : written) {
        const QJsonObject schema = ToolCatalog::propertySchema(tool, name);
        QJsonValue value = typeArgumentText(text, schema, tool.parameters);
        // typeArgumentText reads numbers as strict JSON, so "007" and integers beyond a double's
        // exact range stay text; where only a number fits, they are still numbers.
        if (value.isString() && isWholeNumberText(QStringView(text).trimmed())) {
            const QStringList types = admittedTypes(schema, tool.parameters);
            bool ok = false;
            const double number = QStringView(text).trimmed().toDouble(&ok);
            if (ok && types.contains("integer"_L1) && !types.contains("string"_L1))
                value = number;
        }
        // A repeated name keeps its last value, as the servers do.
        arguments.insert(name, value);
    }
    return arguments;
}

// Laguna sometimes writes a whole Hermes object after the name line:
// <tool_call>NAME\n{"name": NAME, "arguments": {...}}. It is unwrapped only when the tool has no
// argument of that name itself.
QJsonValue namedEnvelopeArguments(const QJsonValue& body, const ToolDefinition& tool)
{
    const QJsonObject object = body.toObject();
    if (object.value("name"_L1).toString() != tool.name)
        return body;
    const QJsonObject root = ToolCatalog::resolveRef(tool.parameters, tool.parameters);
    const QJsonObject properties = root.value("properties"_L1).toObject();
    for (QLatin1StringView key : { "arguments"_L1, "parameters"_L1 }) {
        if (object.contains(key) && !properties.contains(key))
            return decodeStringifiedArguments(object.value(key));
    }
    return body;
}

QString quoted(QStringView name)
{
    return u"'"_s + name.toString() + u"'"_s;
}

QString notDeclared(QStringView name)
{
    return quoted(name) + u" is not a declared tool"_s;
}

QString cutOff(QStringView name)
{
    return u"the call to "_s + quoted(name) + u" is cut off before its end"_s;
}

QString strayText(QStringView name)
{
    return u"the call to "_s + quoted(name) + u" holds text where an argument or its end should be"_s;
}

QString notJson(QStringView name)
{
    return u"the arguments of "_s + quoted(name) + u" are not valid JSON"_s;
}

// Where one argument value ends: normally at its own closing tag. Models also leave that tag out,
// so the start of the next argument or the end of the call ends the value too. An end-of-call tag
// before the closing tag still belongs to the value when nothing between them starts another
// argument or call (an argument that quotes "</tool_call>").
struct ValueBoundaries
{
    NextMatch* close = nullptr;
    qsizetype closeLength = 0;
    std::vector<NextMatch*> nextArgument;
    std::vector<NextMatch*> callEnd;
    std::vector<NextMatch*> nextCall;
};

struct ValueEnd
{
    qsizetype end = -1;    // -1: the text ran out inside the value
    qsizetype resume = -1; // where reading goes on
};

ValueEnd findValueEnd(qsizetype from, const ValueBoundaries& bounds)
{
    const qsizetype close = bounds.close->from(from);
    const qsizetype argument = earliest(bounds.nextArgument, from);
    const qsizetype callEnd = earliest(bounds.callEnd, from);
    if (comesFirst(close, argument) && comesFirst(close, callEnd))
        return { close, close + bounds.closeLength };
    const qsizetype boundary = comesFirst(argument, callEnd) ? argument : callEnd;
    if (boundary < 0)
        return {};
    if (close >= 0 && boundary == callEnd && comesFirst(close, argument)
        && comesFirst(close, earliest(bounds.nextCall, boundary)))
        return { close, close + bounds.closeLength };
    return { boundary, boundary };
}

struct FoundCall
{
    ParsedCall call;
    const ToolDefinition* tool = nullptr;
    QString format;
    bool cutShort = false;   // its envelope was never closed: the next envelope began first
    bool unfinished = false; // its arguments never ended: the next call began first
};

QStringList missingRequired(const FoundCall& found)
{
    const QJsonObject root = ToolCatalog::resolveRef(found.tool->parameters, found.tool->parameters);
    const QJsonObject arguments = found.call.arguments.toObject();
    QStringList missing;
    for (const QJsonValue& name : root.value("required"_L1).toArray()) {
        if (!arguments.contains(name.toString()))
            missing.append(name.toString());
    }
    return missing;
}

// True when `later` calls the same tool as the unfinished `partial` with every argument it had
// written: the model started over rather than calling twice.
bool repeats(const FoundCall& later, const FoundCall& partial)
{
    if (later.call.name != partial.call.name)
        return false;
    const QJsonObject written = partial.call.arguments.toObject();
    const QJsonObject arguments = later.call.arguments.toObject();
    for (auto it = written.constBegin(); it != written.constEnd(); ++it) {
        if (arguments.value(it.key()) != it.value())
            return false;
    }
    return true;
}

// Turns the calls found into the match, settling stutters. A call left unclosed because the
// model began the same call again is one call (Laguna), and so is a skeleton lacking required
// arguments followed by a complete call to the same tool (forge drops such previews from
// llama.cpp's rejected output). An unfinished call is never a call: repeated later it is a
// stutter, otherwise a near miss. Identical complete calls are parallel calls and all stay.
FormatMatch settle(const QList<FoundCall>& found, FormatMatch match)
{
    std::vector<QStringList> missing;
    for (const FoundCall& call : found)
        missing.push_back(call.unfinished ? QStringList() : missingRequired(call));
    std::vector<bool> completeCallFollows(found.size(), false);
    std::vector<qsizetype> nextFinished(found.size(), -1); // the first finished call after each
    QSet<QString> laterCompleteCalls;
    qsizetype finished = -1;
    for (qsizetype i = found.size() - 1; i >= 0; --i) {
        completeCallFollows[i] = laterCompleteCalls.contains(found.at(i).call.name);
        nextFinished[i] = finished;
        if (found.at(i).unfinished)
            continue;
        finished = i;
        if (missing[i].isEmpty())
            laterCompleteCalls.insert(found.at(i).call.name);
    }

    for (qsizetype i = 0; i < found.size(); ++i) {
        const FoundCall& current = found.at(i);
        const QString name = quoted(current.call.name);
        if (current.unfinished && (nextFinished[i] < 0 || !repeats(found.at(nextFinished[i]), current))) {
            match.failed.append(current.call.span);
            match.issues.append(cutOff(current.call.name));
            continue;
        }
        // Kept or dropped, a call's text is markup: a dropped stutter leaves no text behind.
        match.markup.append(current.call.span);
        if (current.unfinished) {
            match.issues.append(u"dropped an unfinished call to "_s + name + u": the model wrote it again"_s);
        } else if (current.cutShort && i + 1 < found.size() && found.at(i + 1).call.name == current.call.name
                   && found.at(i + 1).call.arguments == current.call.arguments) {
            match.issues.append(u"dropped an unclosed repeat of the call to "_s + name);
        } else if (!missing[i].isEmpty() && completeCallFollows[i]) {
            match.issues.append(u"dropped a call to "_s + name + u" lacking "_s + missing[i].join(u", "_s)
                                + u": a complete call to it follows"_s);
        } else {
            if (match.calls.isEmpty())
                match.format = current.format;
            match.calls.append(current.call);
        }
    }
    std::sort(match.markup.begin(), match.markup.end(),
              [](const TextSpan& a, const TextSpan& b) { return a.start < b.start; });
    return match;
}

// The span of a fence line ("```" or "```xml") that ends just before `pos` (whitespace between),
// or an empty span.
TextSpan fenceOpenBefore(QStringView text, qsizetype pos)
{
    qsizetype end = pos;
    while (end > 0 && text.at(end - 1).isSpace())
        --end;
    qsizetype start = end;
    while (start > 0 && text.at(start - 1) != u'\n')
        --start;
    const QStringView line = text.sliced(start, end - start).trimmed();
    if (!line.startsWith(u"```"))
        return {};
    const QStringView language = line.sliced(3);
    const bool word = std::all_of(language.begin(), language.end(),
                                  [](QChar c) { return c.isLetterOrNumber() || c == u'-' || c == u'_'; });
    if (!word)
        return {};
    // An odd number of fence lines before it makes this line the close of an earlier fence.
    qsizetype fenceLines = 0;
    for (qsizetype at = text.indexOf(u"```"); at >= 0 && at < start; at = text.indexOf(u"```", at + 3)) {
        const QStringView before = text.first(at);
        const qsizetype lineStart = before.lastIndexOf(u'\n') + 1;
        if (before.sliced(lineStart).trimmed().isEmpty())
            ++fenceLines;
    }
    return fenceLines % 2 == 0 ? TextSpan { start, end } : TextSpan {};
}

// The span of a closing fence that starts right after `pos` (whitespace between), or an empty span.
TextSpan fenceCloseAfter(QStringView text, qsizetype pos)
{
    const qsizetype start = skipWhitespace(text, pos);
    if (!startsAt(text, start, u"```"))
        return {};
    qsizetype end = start + 3;
    while (end < text.size() && text.at(end) != u'\n' && text.at(end).isSpace())
        ++end;
    if (end < text.size() && text.at(end) != u'\n')
        return {};
    return { start, end };
}

// A markdown fence holding nothing but calls (prompt-mode models fence them as ```xml) is part
// of their markup; a fence that also holds prose stays.
void absorbFences(QStringView text, FormatMatch& match)
{
    if (match.calls.isEmpty())
        return;
    QList<TextSpan> fences;
    qsizetype i = 0;
    while (i < match.markup.size()) {
        // A run of markup separated by whitespace only.
        qsizetype j = i;
        while (j + 1 < match.markup.size()
               && skipWhitespace(text, match.markup.at(j).end) >= match.markup.at(j + 1).start)
            ++j;
        const TextSpan open = fenceOpenBefore(text, match.markup.at(i).start);
        const TextSpan close = fenceCloseAfter(text, match.markup.at(j).end);
        if (open.length() > 0 && close.length() > 0)
            fences << open << close;
        i = j + 1;
    }
    match.markup.append(fences);
}

// One pass over a text for <function=NAME> calls, wrapped or bare.
class FunctionTagScan
{
public:
    FunctionTagScan(QStringView text, const ToolCatalog& tools)
        : m_text(text)
        , m_tools(tools)
    {
        m_values.close = &m_parameterCloseAt;
        m_values.closeLength = kParameterClose.size();
        m_values.nextArgument = { &m_parameterOpenAt };
        m_values.callEnd = { &m_functionCloseAt, &m_toolCallCloseAt, &m_seedCloseAt };
        m_values.nextCall = { &m_nextFunctionAt, &m_nextToolCallAt, &m_nextSeedAt };
    }

    FormatMatch run()
    {
        qsizetype pos = 0;
        while (pos < m_text.size()) {
            const qsizetype function = m_functionAt.from(pos);
            if (function < 0)
                break;
            const qsizetype envelope = earliest(std::initializer_list<NextMatch*> { &m_toolCallAt, &m_seedAt }, pos);
            if (!comesFirst(envelope, function)) {
                pos = readCall(function, function, false);
                continue;
            }
            const bool seed = startsAt(m_text, envelope, kSeedOpen);
            const qsizetype openEnd = envelope + (seed ? kSeedOpen : kToolCallOpen).size();
            const qsizetype body = skipWhitespace(m_text, openEnd);
            pos = body == function ? readCall(envelope, function, seed) : skipJsonBody(m_text, body, openEnd);
        }
        return settle(m_found, m_match);
    }

private:
    qsizetype fail(TextSpan span, const QString& why)
    {
        m_match.failed.append(span);
        m_match.issues.append(why);
        return span.end;
    }

    // A call whose arguments never ended because the next call began: settle() decides whether
    // it was a stutter of a later call or a near miss.
    qsizetype addUnfinished(qsizetype start, qsizetype next, QStringView name, const WrittenArguments& written)
    {
        const ToolDefinition* tool = m_tools.resolve(name);
        if (!tool)
            return fail({ start, next }, notDeclared(name));
        FoundCall found;
        found.tool = tool;
        found.unfinished = true;
        found.call.name = tool->name;
        found.call.arguments = typedArguments(*tool, written);
        found.call.span = { start, next };
        m_found.append(found);
        return next;
    }

    // Reads the call whose <function= tag is at `function` (its envelope opens at `start`) and
    // returns where the scan goes on.
    qsizetype readCall(qsizetype start, qsizetype function, bool seed)
    {
        const qsizetype size = m_text.size();
        const qsizetype nameStart = function + kFunctionOpen.size();
        const qsizetype nameEnd = tagEnd(m_text, nameStart);
        if (nameEnd < 0)
            return nameStart;
        const QStringView name = unquoted(m_text.sliced(nameStart, nameEnd - nameStart));
        qsizetype pos = skipWhitespace(m_text, nameEnd + 1);
        // "Use the <function=NAME> tag" is prose: a call goes on with its arguments or its end.
        const bool callShaped = pos >= size
            ? m_tools.resolve(name) != nullptr
            : m_text.at(pos) == u'{' || startsAt(m_text, pos, kParameterOpen) || startsAt(m_text, pos, kFunctionClose)
                || startsAt(m_text, pos, kToolCallClose) || startsAt(m_text, pos, kSeedClose);
        if (!callShaped)
            return nameEnd + 1;

        bool json = false;
        QJsonValue jsonArguments;
        WrittenArguments written;
        if (pos < size && m_text.at(pos) == u'{') {
            const LiteralParse parsed = parseLiteral(m_text, pos, LiteralDialect::Json);
            if (!parsed.ok) {
                if (parsed.end >= size)
                    return fail({ start, size }, cutOff(name));
                return fail({ start, std::max(parsed.end, pos + 1) }, notJson(name));
            }
            json = true;
            jsonArguments = decodeStringifiedArguments(parsed.value);
            const qsizetype close = skipWhitespace(m_text, parsed.end);
            // The JSON object ends the arguments by itself; </function> is usual but not needed.
            pos = startsAt(m_text, close, kFunctionClose) ? close + kFunctionClose.size() : parsed.end;
        } else {
            for (;;) {
                pos = skipWhitespace(m_text, pos);
                if (pos >= size)
                    return fail({ start, size }, cutOff(name));
                if (startsAt(m_text, pos, kParameterOpen)) {
                    const qsizetype keyStart = pos + kParameterOpen.size();
                    const qsizetype keyEnd = tagEnd(m_text, keyStart);
                    if (keyEnd < 0)
                        return fail({ start, keyStart }, strayText(name));
                    const ValueEnd value = findValueEnd(keyEnd + 1, m_values);
                    if (value.end < 0)
                        return fail({ start, size }, cutOff(name));
                    written.append({ unquoted(m_text.sliced(keyStart, keyEnd - keyStart)).toString(),
                                     valueText(m_text.sliced(keyEnd + 1, value.end - keyEnd - 1)) });
                    pos = value.resume;
                    continue;
                }
                if (startsAt(m_text, pos, kFunctionClose)) {
                    pos += kFunctionClose.size();
                    break;
                }
                // The envelope's closing tag ends a call whose </function> is missing.
                if (startsAt(m_text, pos, kToolCallClose) || startsAt(m_text, pos, kSeedClose))
                    break;
                if (startsAt(m_text, pos, kFunctionOpen) || startsAt(m_text, pos, kToolCallOpen)
                    || startsAt(m_text, pos, kSeedOpen))
                    return addUnfinished(start, pos, name, written);
                return fail({ start, pos }, strayText(name));
            }
        }

        // The envelope's closing tag, or an orphan one left by a call whose <tool_call> is missing.
        qsizetype end = pos;
        const qsizetype close = skipWhitespace(m_text, pos);
        if (startsAt(m_text, close, kToolCallClose)) {
            end = close + kToolCallClose.size();
        } else if (startsAt(m_text, close, kSeedClose)) {
            end = close + kSeedClose.size();
            seed = true;
        }
        const TextSpan span { start, end };
        const ToolDefinition* tool = m_tools.resolve(name);
        if (!tool)
            return fail(span, notDeclared(name));

        FoundCall found;
        found.tool = tool;
        found.call.name = tool->name;
        found.call.arguments = json ? jsonArguments : QJsonValue(typedArguments(*tool, written));
        found.call.span = span;
        found.format = json ? u"functionary_v31"_s : seed ? u"seed_oss_xml"_s : u"qwen3_coder_xml"_s;
        m_found.append(found);
        return end;
    }

    QStringView m_text;
    const ToolCatalog& m_tools;
    FormatMatch m_match;
    QList<FoundCall> m_found;

    // The scan's own finders, and separate ones for value ends, so each moves forward only.
    NextMatch m_functionAt { m_text, kFunctionOpen };
    NextMatch m_toolCallAt { m_text, kToolCallOpen };
    NextMatch m_seedAt { m_text, kSeedOpen };
    NextMatch m_parameterCloseAt { m_text, kParameterClose };
    NextMatch m_parameterOpenAt { m_text, kParameterOpen };
    NextMatch m_functionCloseAt { m_text, kFunctionClose };
    NextMatch m_toolCallCloseAt { m_text, kToolCallClose };
    NextMatch m_seedCloseAt { m_text, kSeedClose };
    NextMatch m_nextFunctionAt { m_text, kFunctionOpen };
    NextMatch m_nextToolCallAt { m_text, kToolCallOpen };
    NextMatch m_nextSeedAt { m_text, kSeedOpen };
    ValueBoundaries m_values;
};

// The tags of one kind of name-first envelope: <tool_call>, <user>, or Hunyuan's labelled
// <tool_call:LABEL> whose inner tags carry the same label.
struct EnvelopeTags
{
    EnvelopeTags(QStringView text, const QString& closeTag, const QString& label, NextMatch* nextToolCall,
                 NextMatch* nextUser)
        : close(closeTag)
        , separator(u"<tool_sep"_s + label + u'>')
        , keyOpen(u"<arg_key"_s + label + u'>')
        , keyClose(u"</arg_key"_s + label + u'>')
        , valueOpen(u"<arg_value"_s + label + u'>')
        , valueClose(u"</arg_value"_s + label + u'>')
        , closeAt(text, close)
        , keyOpenAt(text, keyOpen)
        , keyCloseAt(text, keyClose)
        , valueOpenAt(text, valueOpen)
        , valueCloseAt(text, valueClose)
        , valueKeyOpenAt(text, keyOpen)
        , valueValueOpenAt(text, valueOpen)
        , valueCallCloseAt(text, close)
    {
        values.close = &valueCloseAt;
        values.closeLength = valueClose.size();
        values.nextArgument = { &valueKeyOpenAt, &valueValueOpenAt };
        values.callEnd = { &valueCallCloseAt };
        values.nextCall = { nextToolCall, nextUser };
    }

    const QString close;
    const QString separator;
    const QString keyOpen;
    const QString keyClose;
    const QString valueOpen;
    const QString valueClose;
    NextMatch closeAt;
    NextMatch keyOpenAt;
    NextMatch keyCloseAt;
    NextMatch valueOpenAt;
    NextMatch valueCloseAt;
    NextMatch valueKeyOpenAt;
    NextMatch valueValueOpenAt;
    NextMatch valueCallCloseAt;
    ValueBoundaries values;
};

// One pass over a text for envelopes that start with the tool name.
class NameFirstScan
{
public:
    NameFirstScan(QStringView text, const ToolCatalog& tools)
        : m_text(text)
        , m_tools(tools)
    {
    }

    FormatMatch run()
    {
        const qsizetype size = m_text.size();
        qsizetype pos = 0;
        bool inBlock = false; // inside Hunyuan's <tool_calls> list
        while (pos < size) {
            const qsizetype toolCall = m_toolCallAt.from(pos);
            const qsizetype user = m_userAt.from(pos);
            if (toolCall < 0 && user < 0)
                break;
            if (comesFirst(user, toolCall)) {
                pos = readEnvelope(user, user + kUserOpen.size(), tagsFor(kUserClose.toString(), QString()), false, true);
                continue;
            }
            qsizetype at = toolCall + kToolCallStem.size();
            const bool block = at < size && m_text.at(at) == u's';
            if (block)
                ++at;
            const qsizetype labelStart = at;
            if (at < size && m_text.at(at) == u':') {
                const qsizetype limit = std::min(size, at + kMaxLabelLength);
                while (at < limit && m_text.at(at) != u'>' && !m_text.at(at).isSpace())
                    ++at;
            }
            if (at >= size || m_text.at(at) != u'>') {
                pos = toolCall + kToolCallStem.size();
                continue;
            }
            const QString label = m_text.sliced(labelStart, at - labelStart).toString();
            const qsizetype openEnd = at + 1;
            if (block) {
                // Only a list of <tool_call> elements is Hunyuan's; <tool_calls>[json] is another family's.
                const qsizetype body = skipWhitespace(m_text, openEnd);
                if (startsAt(m_text, body, QString(kToolCallStem + label + u'>'))) {
                    m_match.markup.append({ toolCall, openEnd });
                    inBlock = true;
                    pos = body;
                } else {
                    pos = openEnd;
                }
                continue;
            }
            EnvelopeTags& tags = tagsFor(u"</tool_call"_s + label + u'>', label);
            pos = readEnvelope(toolCall, openEnd, tags, inBlock || !label.isEmpty(), false);
            if (inBlock) {
                const QString blockClose = u"</tool_calls"_s + label + u'>';
                const qsizetype close = skipWhitespace(m_text, pos);
                if (startsAt(m_text, close, blockClose)) {
                    m_match.markup.append({ close, close + blockClose.size() });
                    pos = close + blockClose.size();
                    inBlock = false;
                }
            }
        }
        return settle(m_found, m_match);
    }

private:
    EnvelopeTags& tagsFor(const QString& closeTag, const QString& label)
    {
        for (const auto& tags : m_tags) {
            if (tags->close == closeTag)
                return *tags;
        }
        m_tags.push_back(std::make_unique<EnvelopeTags>(m_text, closeTag, label, &m_valueToolCallAt, &m_valueUserAt));
        return *m_tags.back();
    }

    qsizetype fail(TextSpan span, const QString& why)
    {
        m_match.failed.append(span);
        m_match.issues.append(why);
        return span.end;
    }

    void addCall(FoundCall found)
    {
        m_found.append(std::move(found));
    }

    // <user>{"name": ..., "arguments": ...}</user>: a whole JSON call in the mislabelled envelope.
    // <user> is common in prose, so anything that is not a call to a declared tool stays silent.
    qsizetype readWholeJsonCall(qsizetype start, qsizetype body, const EnvelopeTags& tags)
    {
        const LiteralParse parsed = parseLiteral(m_text, body, LiteralDialect::Json);
        if (!parsed.ok)
            return body + 1;
        const QList<ParsedCall> calls = callsFromJson(parsed.value, m_tools);
        if (calls.isEmpty())
            return parsed.end;
        const qsizetype close = skipWhitespace(m_text, parsed.end);
        const qsizetype end = startsAt(m_text, close, tags.close) ? close + tags.close.size() : parsed.end;
        for (const ParsedCall& call : calls) {
            FoundCall found;
            found.call = call;
            found.call.span = { start, end };
            found.tool = m_tools.find(call.name);
            found.format = u"name_then_json_hybrid"_s;
            addCall(found);
        }
        return end;
    }

    // Reads the envelope opened at `start` whose body begins at `body`; returns where the scan goes on.
    qsizetype readEnvelope(qsizetype start, qsizetype body, EnvelopeTags& tags, bool hunyuan, bool user)
    {
        const qsizetype size = m_text.size();
        const qsizetype first = skipWhitespace(m_text, body);
        if (first >= size)
            return size;
        const QChar lead = m_text.at(first);
        if (lead == u'{' || lead == u'[')
            return user ? readWholeJsonCall(start, first, tags) : skipJsonBody(m_text, first, first);
        if (lead == u'<')
            return first; // <function=...> and other families' bodies

        qsizetype nameEnd = first;
        const qsizetype limit = std::min(size, first + kMaxNameLength);
        while (nameEnd < limit && m_text.at(nameEnd) != u'\n' && m_text.at(nameEnd) != u'\r'
               && m_text.at(nameEnd) != u'<' && m_text.at(nameEnd) != u'{')
            ++nameEnd;
        const QStringView name = unquoted(m_text.sliced(first, nameEnd - first));
        qsizetype pos = skipWhitespace(m_text, nameEnd);
        const bool separated = startsAt(m_text, pos, tags.separator);
        if (separated)
            pos = skipWhitespace(m_text, pos + tags.separator.size());
        const ToolDefinition* tool = m_tools.resolve(name);
        const bool nextEnvelope = startsAt(m_text, pos, kToolCallStem) || startsAt(m_text, pos, kUserOpen);
        const bool callShaped = separated || ((pos >= size || nextEnvelope) && tool)
            || (pos < size && m_text.at(pos) == u'{') || startsAt(m_text, pos, tags.keyOpen)
            || startsAt(m_text, pos, tags.valueOpen) || startsAt(m_text, pos, tags.close);
        if (name.isEmpty() || !callShaped || (user && !tool))
            return nameEnd;

        bool json = false;
        QJsonValue jsonArguments;
        WrittenArguments written;
        if (pos < size && m_text.at(pos) == u'{') {
            LiteralParse parsed = parseLiteral(m_text, pos, LiteralDialect::Json);
            if (!parsed.ok) {
                const LiteralParse python = parseLiteral(m_text, pos, LiteralDialect::Python);
                if (python.ok)
                    parsed = python;
            }
            if (!parsed.ok) {
                if (parsed.end >= size)
                    return fail({ start, size }, cutOff(name));
                return fail({ start, std::max(parsed.end, pos + 1) }, notJson(name));
            }
            json = true;
            jsonArguments = parsed.value;
            pos = parsed.end;
        } else {
            // Keys and values pair up in order, interleaved or not (GLM writes both layouts).
            QStringList keys;
            QStringList values;
            for (;;) {
                pos = skipWhitespace(m_text, pos);
                if (startsAt(m_text, pos, tags.keyOpen)) {
                    const qsizetype keyStart = pos + tags.keyOpen.size();
                    const qsizetype keyEnd = tags.keyCloseAt.from(keyStart);
                    if (keyEnd < 0)
                        return fail({ start, size }, cutOff(name));
                    if (!comesFirst(keyEnd, tags.valueOpenAt.from(keyStart))
                        || !comesFirst(keyEnd, tags.closeAt.from(keyStart)))
                        return fail({ start, keyStart }, strayText(name));
                    keys.append(m_text.sliced(keyStart, keyEnd - keyStart).trimmed().toString());
                    pos = keyEnd + tags.keyClose.size();
                    continue;
                }
                if (startsAt(m_text, pos, tags.valueOpen)) {
                    const qsizetype valueStart = pos + tags.valueOpen.size();
                    const ValueEnd value = findValueEnd(valueStart, tags.values);
                    if (value.end < 0)
                        return fail({ start, size }, cutOff(name));
                    values.append(valueText(m_text.sliced(valueStart, value.end - valueStart)));
                    pos = value.resume;
                    continue;
                }
                break;
            }
            if (keys.size() != values.size())
                return fail({ start, pos }, u"the call to "_s + quoted(name) + u" has "_s
                                               + QString::number(keys.size()) + u" argument names but "_s
                                               + QString::number(values.size()) + u" values"_s);
            for (qsizetype i = 0; i < keys.size(); ++i)
                written.append({ keys.at(i), values.at(i) });
        }

        const qsizetype argumentsEnd = pos;
        const qsizetype close = skipWhitespace(m_text, pos);
        const bool hasArguments = json || !written.isEmpty();
        bool cutShort = false;
        qsizetype end = argumentsEnd;
        if (startsAt(m_text, close, tags.close)) {
            end = close + tags.close.size();
        } else if (startsAt(m_text, close, kToolCallStem) || startsAt(m_text, close, kUserOpen)) {
            cutShort = true;
        } else if (!hasArguments) {
            // A name alone ends only with the closing tag.
            return fail({ start, close }, cutOff(name));
        } else if (onlyEndTokensFollow(m_text, close)) {
            // The closing tag is missing at the end of the text; the arguments are complete.
        } else {
            return fail({ start, close }, strayText(name));
        }

        const TextSpan span { start, end };
        if (!tool)
            return fail(span, notDeclared(name));
        FoundCall found;
        found.tool = tool;
        found.cutShort = cutShort;
        // A name alone, interrupted by the next envelope, never reached its arguments.
        found.unfinished = cutShort && !hasArguments;
        found.call.name = tool->name;
        found.call.span = span;
        found.call.arguments = json ? namedEnvelopeArguments(decodeStringifiedArguments(jsonArguments), *tool)
                                    : QJsonValue(typedArguments(*tool, written));
        found.format = hunyuan || separated ? u"hunyuan_v3_xml"_s
            : json || user                  ? u"name_then_json_hybrid"_s
                                            : u"glm45_xml"_s;
        addCall(found);
        return end;
    }

    QStringView m_text;
    const ToolCatalog& m_tools;
    FormatMatch m_match;
    QList<FoundCall> m_found;
    std::vector<std::unique_ptr<EnvelopeTags>> m_tags;

    NextMatch m_toolCallAt { m_text, kToolCallStem };
    NextMatch m_userAt { m_text, kUserOpen };
    NextMatch m_valueToolCallAt { m_text, kToolCallStem };
    NextMatch m_valueUserAt { m_text, kUserOpen };
};

} // namespace

QString FunctionTagParser::name() const
{
    return u"function_tag"_s;
}

QList<Anchor> FunctionTagParser::anchors() const
{
    static const QList<Anchor> anchors { { kFunctionOpen } };
    return anchors;
}

ParserRank FunctionTagParser::rank() const
{
    return ParserRank::Anchored;
}

FormatMatch FunctionTagParser::parse(QStringView text, const ToolCatalog& tools) const
{
    if (!text.contains(kFunctionOpen))
        return {};
    FormatMatch match = FunctionTagScan(text, tools).run();
    absorbFences(text, match);
    return match;
}

QString NameFirstParser::name() const
{
    return u"name_first"_s;
}

QList<Anchor> NameFirstParser::anchors() const
{
    static const QList<Anchor> anchors { { kToolCallStem }, { kUserOpen } };
    return anchors;
}

ParserRank NameFirstParser::rank() const
{
    return ParserRank::Anchored;
}

FormatMatch NameFirstParser::parse(QStringView text, const ToolCatalog& tools) const
{
    if (!text.contains(kToolCallStem) && !text.contains(kUserOpen))
        return {};
    FormatMatch match = NameFirstScan(text, tools).run();
    absorbFences(text, match);
    return match;
}

} // namespace Guard
