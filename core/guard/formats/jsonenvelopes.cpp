#include "jsonenvelopes.h"
#include "jsonenvelopes_common.h"

#include "jsoncall.h"

#include <QJsonObject>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace Guard {

using namespace JsonEnvelopes;

namespace {

// The Hermes look-alike tags (llama.cpp's Hermes 2 Pro parser accepted all of them).
struct AltTag
{
    QStringView name;
    QStringView close;
};

constexpr AltTag kAltTags[] = {
    { u"tool", u"</tool>" },
    { u"tools", u"</tools>" },
    { u"response", u"</response>" },
    { u"json", u"</json>" },
    { u"xml", u"</xml>" },
};

// <function name="N">{args}</function>: the arguments object itself follows the tag. Returns
// where scanning may resume, or -1 when the tag is not this shape.
qsizetype takeNamedFunction(FormatMatch& match, QStringView text, qsizetype start, const ToolCatalog& tools)
{
    static constexpr QStringView kOpen = u"<function name=";
    static constexpr QStringView kClose = u"</function>";
    static constexpr QStringView kFormat = u"hermes_alt_wrappers";
    const qsizetype quotePos = start + kOpen.size();
    if (quotePos >= text.size() || (text.at(quotePos) != u'"' && text.at(quotePos) != u'\''))
        return -1;
    const qsizetype nameEnd = text.indexOf(text.at(quotePos), quotePos + 1);
    if (nameEnd < 0)
        return -1;
    const qsizetype tagEnd = skipWhitespace(text, nameEnd + 1);
    if (!at(text, tagEnd, u">"))
        return -1;
    const qsizetype bodyPos = skipWhitespace(text, tagEnd + 1);
    // <function name="N"><param name=...> is MiniCPM5's XML.
    if (!at(text, bodyPos, u"{"))
        return -1;
    const QStringView written = text.mid(quotePos + 1, nameEnd - quotePos - 1);
    const LiteralParse arguments = readValue(text, bodyPos);
    if (!arguments.ok) {
        const qsizetype close = text.indexOf(kClose, bodyPos);
        const qsizetype end = close < 0 ? text.size() : close + kClose.size();
        const bool truncated = close < 0 && skipWhitespace(text, arguments.end) >= text.size();
        const QString issue = truncated
            ? QString(u"the text ends inside the arguments of '"_s + written + u"' (truncated)"_s)
            : QString(
                u"the arguments of '"_s + written + u"' are not valid JSON ("_s + arguments.error + u")"_s);
        addFailure(match, { start, end }, kFormat, issue);
        return end;
    }
    qsizetype end = arguments.end;
    const qsizetype probe = skipWhitespace(text, end);
    if (at(text, probe, kClose))
        end = probe + kClose.size();
    const ToolDefinition* tool = tools.resolve(written);
    if (!tool) {
        addFailure(match, { start, end }, kFormat, u"'"_s + written + u"' is not a declared tool"_s);
        return end;
    }
    ParsedCall call;
    call.name = tool->name;
    call.arguments = decodeStringifiedArguments(arguments.value);
    call.span = { start, end };
    match.markup.append(call.span);
    addCall(match, std::move(call), kFormat);
    return end;
}

// The GLM-like LongCat body: NAME, then <longcat_arg_key>/<longcat_arg_value> pairs (or a JSON
// arguments object). Returns where scanning may resume.
qsizetype takeLongCatPairs(
    FormatMatch& match, QStringView text, qsizetype start, qsizetype bodyStart, const ToolCatalog& tools)
{
    static constexpr QStringView kFormat = u"longcat_tool_call";
    static constexpr QStringView kClose = u"</longcat_tool_call>";
    static constexpr QStringView kKey = u"<longcat_arg_key>";
    static constexpr QStringView kKeyEnd = u"</longcat_arg_key>";
    static constexpr QStringView kValue = u"<longcat_arg_value>";
    static constexpr QStringView kValueEnd = u"</longcat_arg_value>";

    // The envelope's own closing tag bounds every search; values do not hold it.
    const qsizetype closeAt = text.indexOf(kClose, bodyStart);
    const qsizetype limit = closeAt < 0 ? text.size() : closeAt;
    qsizetype nameEnd = bodyStart;
    while (
        nameEnd < limit && text.at(nameEnd) != u'\n' && text.at(nameEnd) != u'<' && text.at(nameEnd) != u'{')
        ++nameEnd;
    const QStringView written = text.mid(bodyStart, nameEnd - bodyStart).trimmed();
    const ToolDefinition* tool = tools.resolve(written);

    QJsonObject arguments;
    QJsonValue jsonArguments;
    bool hasJsonArguments = false;
    QString problem;
    qsizetype pos = skipWhitespace(text, nameEnd);
    if (at(text, pos, u"{")) {
        const LiteralParse parsed = readValue(text, pos);
        if (parsed.ok) {
            jsonArguments = decodeStringifiedArguments(parsed.value);
            hasJsonArguments = true;
            pos = parsed.end;
        } else {
            problem = u"the arguments are not valid JSON ("_s + parsed.error + u")"_s;
            pos = limit;
        }
    }
    while (problem.isEmpty() && at(text, pos, kKey)) {
        const qsizetype keyStart = pos + kKey.size();
        const qsizetype keyEnd = text.indexOf(kKeyEnd, keyStart);
        const qsizetype valueTag = text.indexOf(kValue, keyStart);
        QStringView key;
        if (valueTag >= 0 && valueTag < limit && (keyEnd < 0 || valueTag < keyEnd)) {
            // Shorthand seen in the wild: <longcat_arg_key>k <longcat_arg_value>v
            key = text.mid(keyStart, valueTag - keyStart).trimmed();
            pos = valueTag;
        } else if (keyEnd >= 0 && keyEnd < limit) {
            key = text.mid(keyStart, keyEnd - keyStart).trimmed();
            pos = skipWhitespace(text, keyEnd + kKeyEnd.size());
        }
        if (!at(text, pos, kValue) || pos >= limit) {
            problem = closeAt < 0 ? u"the text ends inside the arguments (truncated)"_s
                                  : u"an argument name has no value"_s;
            break;
        }
        const qsizetype valueStart = pos + kValue.size();
        qsizetype valueEnd = text.indexOf(kValueEnd, valueStart);
        qsizetype after = valueEnd + kValueEnd.size();
        if (valueEnd < 0 || valueEnd > limit) {
            // </longcat_arg_value> left out: the value runs to the next key or the closing tag.
            const qsizetype nextKey = text.indexOf(kKey, valueStart);
            valueEnd = nextKey >= 0 && nextKey < limit ? nextKey : closeAt;
            after = valueEnd;
        }
        if (valueEnd < 0) {
            problem = u"the text ends inside the arguments (truncated)"_s;
            break;
        }
        if (tool)
            arguments.insert(
                key.toString(), typedArgument(*tool, key, text.mid(valueStart, valueEnd - valueStart)));
        pos = skipWhitespace(text, after);
    }

    qsizetype end = pos;
    const bool closed = closeAt >= 0 && skipWhitespace(text, pos) == closeAt;
    if (closed)
        end = closeAt + kClose.size();
    else if (problem.isEmpty() && arguments.isEmpty() && !hasJsonArguments)
        problem = closeAt < 0 ? u"the call is cut off after its name"_s
                              : u"the body is neither JSON nor argument pairs"_s;
    if (!problem.isEmpty() || !tool) {
        const qsizetype failedEnd = closed ? end : (closeAt < 0 ? text.size() : closeAt + kClose.size());
        addFailure(match, { start, failedEnd }, kFormat,
            tool ? problem : QString(u"'"_s + written + u"' is not a declared tool"_s));
        return failedEnd;
    }
    ParsedCall call;
    call.name = tool->name;
    call.arguments = hasJsonArguments ? jsonArguments : QJsonValue(arguments);
    call.span = { start, end };
    match.markup.append(call.span);
    addCall(match, std::move(call), kFormat);
    return end;
}

} // namespace

// ---------------------------------------------------------------------------------------------

QString HermesJsonParser::name() const
{
    return u"hermes"_s;
}

QList<Anchor> HermesJsonParser::anchors() const
{
    static const QList<Anchor> anchors { { u"<tool_call>" } };
    return anchors;
}

ParserRank HermesJsonParser::rank() const
{
    return ParserRank::Envelope;
}

FormatMatch HermesJsonParser::parse(QStringView text, const ToolCatalog& tools) const
{
    EnvelopeRules rules;
    rules.format = u"hermes_json";
    rules.close = u"</tool_call>";
    rules.unclosedArrayFormat = u"granite_tool_call_token";
    return parseMarkedEnvelopes(text, tools, u"<tool_call>", rules);
}

// ---------------------------------------------------------------------------------------------

QString HermesAltWrapperParser::name() const
{
    return u"hermes_alt"_s;
}

QList<Anchor> HermesAltWrapperParser::anchors() const
{
    static const QList<Anchor> anchors { { u"<function name=" }, { u"<tool>", Qt::CaseInsensitive }, { u"<tools>", Qt::CaseInsensitive }, { u"<response>", Qt::CaseInsensitive }, { u"<json>", Qt::CaseInsensitive }, { u"<xml>", Qt::CaseInsensitive } };
    return anchors;
}

ParserRank HermesAltWrapperParser::rank() const
{
    return ParserRank::Envelope;
}

FormatMatch HermesAltWrapperParser::parse(QStringView text, const ToolCatalog& tools) const
{
    FormatMatch match;
    qsizetype from = 0;
    while (from < text.size()) {
        const qsizetype start = text.indexOf(u'<', from);
        if (start < 0)
            break;
        from = start + 1;
        if (at(text, start, u"<function name=")) {
            from = std::max(from, takeNamedFunction(match, text, start, tools));
            continue;
        }
        for (const AltTag& tag : kAltTags) {
            const qsizetype tagEnd = start + 1 + tag.name.size();
            if (!at(text, start + 1, tag.name, Qt::CaseInsensitive) || !at(text, tagEnd, u">"))
                continue;
            EnvelopeRules rules;
            rules.format = u"hermes_alt_wrappers";
            rules.close = tag.close;
            rules.closeCase = Qt::CaseInsensitive;
            rules.shape = BodyShape::Object;
            rules.genericTag = true;
            from = std::max(from, takeJsonEnvelope(match, text, start, tagEnd + 1, rules, tools));
            break;
        }
    }
    finishMatch(match, text);
    return match;
}

// ---------------------------------------------------------------------------------------------

QString ToolCallsBlockParser::name() const
{
    return u"tool_calls_block"_s;
}

QList<Anchor> ToolCallsBlockParser::anchors() const
{
    static const QList<Anchor> anchors { { u"<tool_calls>" } };
    return anchors;
}

ParserRank ToolCallsBlockParser::rank() const
{
    return ParserRank::Anchored;
}

FormatMatch ToolCallsBlockParser::parse(QStringView text, const ToolCatalog& tools) const
{
    EnvelopeRules rules;
    rules.format = u"tool_calls_json_array";
    rules.linesFormat = u"minimax_m1_json_lines";
    rules.close = u"</tool_calls>";
    return parseMarkedEnvelopes(text, tools, u"<tool_calls>", rules);
}

// ---------------------------------------------------------------------------------------------

QString NemotronToolCallParser::name() const
{
    return u"nemotron_v2"_s;
}

QList<Anchor> NemotronToolCallParser::anchors() const
{
    static const QList<Anchor> anchors { { u"<TOOLCALL>", Qt::CaseInsensitive } };
    return anchors;
}

ParserRank NemotronToolCallParser::rank() const
{
    return ParserRank::Anchored;
}

FormatMatch NemotronToolCallParser::parse(QStringView text, const ToolCatalog& tools) const
{
    EnvelopeRules rules;
    rules.format = u"nemotron_v2_toolcall";
    rules.close = u"</TOOLCALL>";
    rules.closeCase = Qt::CaseInsensitive;
    return parseMarkedEnvelopes(text, tools, u"<TOOLCALL>", rules, Qt::CaseInsensitive);
}

// ---------------------------------------------------------------------------------------------

QString LongCatParser::name() const
{
    return u"longcat"_s;
}

QList<Anchor> LongCatParser::anchors() const
{
    static const QList<Anchor> anchors { { u"<longcat_tool_call>" } };
    return anchors;
}

ParserRank LongCatParser::rank() const
{
    return ParserRank::Anchored;
}

FormatMatch LongCatParser::parse(QStringView text, const ToolCatalog& tools) const
{
    static constexpr QStringView kOpen = u"<longcat_tool_call>";
    EnvelopeRules rules;
    rules.format = u"longcat_tool_call";
    rules.close = u"</longcat_tool_call>";
    FormatMatch match;
    qsizetype from = 0;
    while (from < text.size()) {
        const qsizetype start = text.indexOf(kOpen, from);
        if (start < 0)
            break;
        const qsizetype bodyStart = start + kOpen.size();
        qsizetype next = takeJsonEnvelope(match, text, start, bodyStart, rules, tools);
        if (next < 0)
            next = takeLongCatPairs(match, text, start, bodyStart, tools);
        from = std::max(next, bodyStart);
    }
    finishMatch(match, text);
    return match;
}

// ---------------------------------------------------------------------------------------------

QString GraniteToolCallTokenParser::name() const
{
    return u"granite"_s;
}

QList<Anchor> GraniteToolCallTokenParser::anchors() const
{
    static const QList<Anchor> anchors { { u"<|tool_call|>" } };
    return anchors;
}

ParserRank GraniteToolCallTokenParser::rank() const
{
    return ParserRank::Anchored;
}

FormatMatch GraniteToolCallTokenParser::parse(QStringView text, const ToolCatalog& tools) const
{
    EnvelopeRules rules;
    rules.format = u"granite_tool_call_token";
    rules.close = u"<|/tool_call|>";
    return parseMarkedEnvelopes(text, tools, u"<|tool_call|>", rules);
}

// ---------------------------------------------------------------------------------------------

QString Granite20bFunctionCallParser::name() const
{
    return u"granite_20b_fc"_s;
}

QList<Anchor> Granite20bFunctionCallParser::anchors() const
{
    static const QList<Anchor> anchors { { u"<function_call>" } };
    return anchors;
}

ParserRank Granite20bFunctionCallParser::rank() const
{
    return ParserRank::Envelope;
}

FormatMatch Granite20bFunctionCallParser::parse(QStringView text, const ToolCatalog& tools) const
{
    static constexpr QStringView kOpen = u"<function_call>";
    FormatMatch match;
    qsizetype start = text.indexOf(kOpen);
    if (start < 0)
        return match;
    EnvelopeRules rules;
    rules.format = u"granite_20b_function_call";
    rules.close = u"</function_call>";
    rules.shape = BodyShape::Object;
    const QList<CodeFence> fences = codeFences(text);
    while (start >= 0) {
        const qsizetype bodyStart = start + kOpen.size();
        qsizetype from = bodyStart;
        if (!insideCodeFence(fences, start))
            from = std::max(takeJsonEnvelope(match, text, start, bodyStart, rules, tools), bodyStart);
        start = from < text.size() ? text.indexOf(kOpen, from) : -1;
    }
    finishMatch(match, text);
    return match;
}

// ---------------------------------------------------------------------------------------------

QString FunctoolsParser::name() const
{
    return u"functools"_s;
}

QList<Anchor> FunctoolsParser::anchors() const
{
    static const QList<Anchor> anchors { { u"functools" } };
    return anchors;
}

ParserRank FunctoolsParser::rank() const
{
    return ParserRank::Anchored;
}

FormatMatch FunctoolsParser::parse(QStringView text, const ToolCatalog& tools) const
{
    static constexpr QStringView kKeyword = u"functools";
    EnvelopeRules rules;
    rules.format = u"functools_json_list";
    rules.shape = BodyShape::AnyArray;
    FormatMatch match;
    qsizetype from = 0;
    while (from < text.size()) {
        const qsizetype start = text.indexOf(kKeyword, from);
        if (start < 0)
            break;
        from = start + kKeyword.size();
        // "myfunctools[" is some other word; "functools.partial" is Python, not a call list.
        if (start > 0 && (text.at(start - 1).isLetterOrNumber() || text.at(start - 1) == u'_'))
            continue;
        qsizetype bracket = from;
        while (bracket < text.size() && (text.at(bracket) == u' ' || text.at(bracket) == u'\t'))
            ++bracket;
        if (!at(text, bracket, u"["))
            continue;
        from = std::max(takeJsonEnvelope(match, text, start, bracket, rules, tools), from);
    }
    finishMatch(match, text);
    return match;
}

// ---------------------------------------------------------------------------------------------

QString InternLmActionParser::name() const
{
    return u"internlm"_s;
}

QList<Anchor> InternLmActionParser::anchors() const
{
    static const QList<Anchor> anchors { { u"<|action_start|>" } };
    return anchors;
}

ParserRank InternLmActionParser::rank() const
{
    return ParserRank::Anchored;
}

FormatMatch InternLmActionParser::parse(QStringView text, const ToolCatalog& tools) const
{
    static constexpr QStringView kStart = u"<|action_start|>";
    static constexpr QStringView kPlugin = u"<|plugin|>";
    EnvelopeRules rules;
    rules.format = u"internlm_action";
    rules.close = u"<|action_end|>";
    FormatMatch match;
    qsizetype from = 0;
    while (from < text.size()) {
        const qsizetype start = text.indexOf(kStart, from);
        if (start < 0)
            break;
        from = start + kStart.size();
        // <|interpreter|> actions carry code for InternLM's own sandbox, not a tool call.
        const qsizetype plugin = skipWhitespace(text, from);
        if (!at(text, plugin, kPlugin))
            continue;
        from = std::max(takeJsonEnvelope(match, text, start, plugin + kPlugin.size(), rules, tools), from);
    }
    finishMatch(match, text);
    return match;
}

// ---------------------------------------------------------------------------------------------

QString ApertusParser::name() const
{
    return u"apertus"_s;
}

QList<Anchor> ApertusParser::anchors() const
{
    static const QList<Anchor> anchors { { u"<|tools_prefix|>" } };
    return anchors;
}

ParserRank ApertusParser::rank() const
{
    return ParserRank::Anchored;
}

FormatMatch ApertusParser::parse(QStringView text, const ToolCatalog& tools) const
{
    EnvelopeRules rules;
    rules.format = u"apertus_tools_prefix";
    rules.close = u"<|tools_suffix|>";
    return parseMarkedEnvelopes(text, tools, u"<|tools_prefix|>", rules);
}

// ---------------------------------------------------------------------------------------------

QString GigaChatParser::name() const
{
    return u"gigachat"_s;
}

QList<Anchor> GigaChatParser::anchors() const
{
    static const QList<Anchor> anchors { { u"<|function_call|>" }, { u"function call" } };
    return anchors;
}

ParserRank GigaChatParser::rank() const
{
    return ParserRank::Anchored;
}

FormatMatch GigaChatParser::parse(QStringView text, const ToolCatalog& tools) const
{
    static constexpr QStringView kToken = u"<|function_call|>";
    static constexpr QStringView kWords = u"function call";
    static constexpr QStringView kMessageSep = u"<|message_sep|>";
    static constexpr QStringView kRoleSep = u"<|role_sep|>";
    EnvelopeRules rules;
    rules.format = u"gigachat_function_call";
    rules.shape = BodyShape::Object;
    FormatMatch match;
    qsizetype nextToken = text.indexOf(kToken);
    qsizetype nextWords = text.indexOf(kWords);
    while (nextToken >= 0 || nextWords >= 0) {
        qsizetype from = 0;
        if (nextToken >= 0 && (nextWords < 0 || nextToken < nextWords)) {
            const qsizetype bodyStart = nextToken + kToken.size();
            from = std::max(takeJsonEnvelope(match, text, nextToken, bodyStart, rules, tools), bodyStart);
        } else {
            // GigaChat 3 opens the call as a new message: <|message_sep|>\n\nfunction call<|role_sep|>\n
            qsizetype start = nextWords;
            qsizetype before = nextWords;
            while (before > 0 && text.at(before - 1).isSpace())
                --before;
            const bool afterSeparator
                = before >= kMessageSep.size() && at(text, before - kMessageSep.size(), kMessageSep);
            if (afterSeparator)
                start = before - kMessageSep.size();
            qsizetype bodyStart = nextWords + kWords.size();
            const qsizetype role = skipWhitespace(text, bodyStart);
            const bool hasRole = at(text, role, kRoleSep);
            if (hasRole)
                bodyStart = role + kRoleSep.size();
            from = bodyStart;
            // Without either token the words must open a line and the JSON follow at once.
            const bool anchored = hasRole || afterSeparator
                || (atLineStart(text, nextWords) && at(text, skipWhitespace(text, bodyStart), u"{"));
            if (anchored)
                from = std::max(takeJsonEnvelope(match, text, start, bodyStart, rules, tools), bodyStart);
        }
        if (from >= text.size())
            break;
        if (nextToken >= 0 && nextToken < from)
            nextToken = text.indexOf(kToken, from);
        if (nextWords >= 0 && nextWords < from)
            nextWords = text.indexOf(kWords, from);
    }
    finishMatch(match, text);
    return match;
}

// ---------------------------------------------------------------------------------------------

QString Lfm2JsonParser::name() const
{
    return u"lfm2_json"_s;
}

QList<Anchor> Lfm2JsonParser::anchors() const
{
    static const QList<Anchor> anchors { { u"<|tool_call_start|>" } };
    return anchors;
}

ParserRank Lfm2JsonParser::rank() const
{
    return ParserRank::Anchored;
}

FormatMatch Lfm2JsonParser::parse(QStringView text, const ToolCatalog& tools) const
{
    EnvelopeRules rules;
    rules.format = u"lfm2_json";
    rules.close = u"<|tool_call_end|>";
    return parseMarkedEnvelopes(text, tools, u"<|tool_call_start|>", rules);
}

// ---------------------------------------------------------------------------------------------

QString CohereActionParser::name() const
{
    return u"cohere"_s;
}

QList<Anchor> CohereActionParser::anchors() const
{
    static const QList<Anchor> anchors { { u"<|START_ACTION|>" } };
    return anchors;
}

ParserRank CohereActionParser::rank() const
{
    return ParserRank::Anchored;
}

FormatMatch CohereActionParser::parse(QStringView text, const ToolCatalog& tools) const
{
    // Wrappers of the plain answer: not content themselves.
    static constexpr QStringView kAnswerTokens[] = {
        u"<|START_RESPONSE|>",
        u"<|END_RESPONSE|>",
        u"<|START_TEXT|>",
        u"<|END_TEXT|>",
        u"<|END_OF_TURN_TOKEN|>",
    };
    EnvelopeRules rules;
    rules.format = u"cohere_action";
    rules.close = u"<|END_ACTION|>";
    FormatMatch match = parseMarkedEnvelopes(text, tools, u"<|START_ACTION|>", rules);
    if (match.calls.isEmpty())
        return match;
    for (QStringView token : kAnswerTokens) {
        for (qsizetype pos = text.indexOf(token); pos >= 0; pos = text.indexOf(token, pos + token.size()))
            match.markup.append({ pos, pos + token.size() });
    }
    return match;
}

// ---------------------------------------------------------------------------------------------

QString CommandRPlusParser::name() const
{
    return u"command_r_plus"_s;
}

QList<Anchor> CommandRPlusParser::anchors() const
{
    static const QList<Anchor> anchors { { u"Action:" } };
    return anchors;
}

ParserRank CommandRPlusParser::rank() const
{
    return ParserRank::Anchored;
}

FormatMatch CommandRPlusParser::parse(QStringView text, const ToolCatalog& tools) const
{
    static constexpr QStringView kKeyword = u"Action:";
    EnvelopeRules rules;
    rules.format = u"command_r_plus_markdown";
    rules.dropsDirectAnswer = true;
    FormatMatch match;
    qsizetype from = 0;
    while (from < text.size()) {
        const qsizetype start = text.indexOf(kKeyword, from);
        if (start < 0)
            break;
        from = start + kKeyword.size();
        // "Action:" opens its own line; mid-sentence it is prose. The fence is read by
        // takeJsonEnvelope; a bare JSON list right after the keyword is accepted too.
        if (!atLineStart(text, start))
            continue;
        const qsizetype body = skipWhitespace(text, from);
        if (!at(text, body, u"```") && !at(text, body, u"[") && !at(text, body, u"{"))
            continue;
        from = std::max(takeJsonEnvelope(match, text, start, from, rules, tools), from);
    }
    finishMatch(match, text);
    return match;
}

} // namespace Guard
