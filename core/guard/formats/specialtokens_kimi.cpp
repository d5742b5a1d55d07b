// Kimi K2: calls named by their id, functions.NAME:IDX.
#include "specialtokens.h"
#include "specialtokens_common.h"

#include "../literalparser.h"

#include <algorithm>

using namespace Qt::StringLiterals;

namespace Guard {

using namespace SpecialTokens;

namespace {

const QString kFormat = u"kimi_k2"_s;

constexpr QStringView kCallBegin = u"<|tool_call_begin|>";
constexpr QStringView kArgumentBegin = u"<|tool_call_argument_begin|>";
constexpr QStringView kCallEnd = u"<|tool_call_end|>";
// vLLM accepts the singular "section" spelling too.
constexpr QStringView kSectionBegins[] = { u"<|tool_calls_section_begin|>", u"<|tool_call_section_begin|>" };
constexpr QStringView kSectionEnds[] = { u"<|tool_calls_section_end|>", u"<|tool_call_section_end|>" };
constexpr qsizetype kMaxIdLength = 200;

// The tool name inside an id: "functions.get_weather:0" -> "functions.get_weather".
QStringView nameOfId(QStringView id)
{
    const qsizetype colon = id.lastIndexOf(u':');
    if (colon < 0)
        return id;
    const QStringView index = id.mid(colon + 1);
    if (index.isEmpty() || !std::all_of(index.begin(), index.end(), [](QChar c) { return c.isDigit(); }))
        return id;
    return id.left(colon);
}

// Start of a section token that ends right before `pos` (whitespace between allowed), else `pos`.
qsizetype sectionStartBefore(QStringView text, qsizetype pos)
{
    qsizetype end = pos;
    while (end > 0 && text.at(end - 1).isSpace())
        --end;
    for (QStringView token : kSectionBegins) {
        if (text.left(end).endsWith(token))
            return end - token.size();
    }
    return pos;
}

qsizetype sectionEndAt(QStringView text, qsizetype pos)
{
    const qsizetype cursor = skipWhitespace(text, pos);
    for (QStringView token : kSectionEnds) {
        if (at(text, cursor, token))
            return cursor + token.size();
    }
    return pos;
}

// One call at `start` (a <|tool_call_begin|> token). Returns the end of its text.
qsizetype readCall(QStringView text, qsizetype start, const ToolCatalog& tools, FormatMatch& match)
{
    const qsizetype idStart = start + kCallBegin.size();
    const qsizetype argument
        = text.mid(idStart, kMaxIdLength + kArgumentBegin.size()).indexOf(kArgumentBegin);
    const QStringView id = argument < 0 ? QStringView() : text.mid(idStart, argument).trimmed();
    if (argument < 0 || id.contains(u"<|")) {
        const bool cutOff = !text.mid(idStart).contains(u"<|");
        addFailure(match, { start, cutOff ? text.size() : idStart },
            kFormat
                + (cutOff ? u": a call cut off before its arguments"_s
                          : u": a call token without an id and <|tool_call_argument_begin|>"_s));
        return cutOff ? text.size() : idStart;
    }
    const QStringView written = nameOfId(id);
    const ToolDefinition* tool = tools.resolve(written);
    const JsonAt json = jsonAt(text, idStart + argument + kArgumentBegin.size());
    const qsizetype stop = json.ok ? json.end : (json.truncated ? text.size() : json.end);
    if (!tool) {
        addFailure(match, { start, stop }, undeclaredIssue(kFormat, written.isEmpty() ? id : written));
        return stop;
    }
    if (!json.ok) {
        addFailure(match, { start, stop }, argumentsIssue(kFormat, tool->name, json));
        return stop;
    }
    qsizetype end = json.end;
    const qsizetype close = skipWhitespace(text, end);
    if (at(text, close, kCallEnd))
        end = close + kCallEnd.size();
    match.calls.append(makeCall(*tool, json.value, id.toString(), { start, end }));
    return end;
}

} // namespace

QString KimiK2Parser::name() const
{
    return u"kimi_k2"_s;
}

QList<Anchor> KimiK2Parser::anchors() const
{
    static const QList<Anchor> anchors { { kCallBegin } };
    return anchors;
}

ParserRank KimiK2Parser::rank() const
{
    return ParserRank::Anchored;
}

FormatMatch KimiK2Parser::parse(QStringView text, const ToolCatalog& tools) const
{
    FormatMatch match;
    match.format = kFormat;
    qsizetype begin = text.indexOf(kCallBegin);
    while (begin >= 0) {
        const qsizetype envelopeStart = sectionStartBefore(text, begin);
        const qsizetype callsBefore = match.calls.size();
        qsizetype cursor = begin;
        qsizetype end = begin;
        while (true) {
            end = readCall(text, cursor, tools, match);
            const qsizetype next = skipWhitespace(text, end);
            if (!at(text, next, kCallBegin))
                break;
            cursor = next;
        }
        end = sectionEndAt(text, end);
        if (match.calls.size() > callsBefore)
            match.markup.append({ envelopeStart, end });
        begin = text.indexOf(kCallBegin, std::max(end, begin + kCallBegin.size()));
    }
    return match;
}

} // namespace Guard
