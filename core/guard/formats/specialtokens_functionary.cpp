// Functionary v3.2 recipient lines (">>>NAME\n{json}").
#include "specialtokens.h"
#include "specialtokens_common.h"

#include "../literalparser.h"

#include <algorithm>

using namespace Qt::StringLiterals;

namespace Guard {

using namespace SpecialTokens;

namespace {

const QString kFormat = u"functionary_v32"_s;
constexpr QStringView kMarker = u">>>";
constexpr QStringView kUserChannel = u"all";

// Functionary's code interpreter recipient: its message is Python source, not JSON.
bool takesRawCode(const ToolDefinition& tool)
{
    return tool.name == u"python" || tool.name == u"ipython";
}

bool blank(QStringView text)
{
    return text.trimmed().isEmpty();
}

// Whether the text opens with a line holding just a declared tool's name: the only place where
// the markerless form can find anything (the loop below reads the same line the same way).
bool startsWithRecipient(QStringView text, const ToolCatalog& tools)
{
    const qsizetype nameStart = skipWhitespace(text, 0);
    const qsizetype lineEnd = text.indexOf(u'\n', nameStart);
    if (lineEnd < 0 || nameStart >= text.size() || text.at(nameStart).isSpace())
        return false;
    const QStringView written = text.sliced(nameStart, lineEnd - nameStart).trimmed();
    return !written.isEmpty() && std::none_of(written.begin(), written.end(), [](QChar c) { return c.isSpace(); })
        && tools.resolve(written);
}

} // namespace

FunctionaryV32Parser::FunctionaryV32Parser(bool markerless)
    : m_markerless(markerless)
{ }

QString FunctionaryV32Parser::name() const
{
    return m_markerless ? u"functionary_v32_start"_s : u"functionary_v32"_s;
}

QList<Anchor> FunctionaryV32Parser::anchors() const
{
    // The markerless instance has no marker to look for; its own first check (the first line
    // naming a declared tool) is as cheap.
    static const QList<Anchor> marked { { kMarker } };
    return m_markerless ? QList<Anchor>() : marked;
}

ParserRank FunctionaryV32Parser::rank() const
{
    return m_markerless ? ParserRank::Bare : ParserRank::Anchored;
}

FormatMatch FunctionaryV32Parser::parse(QStringView text, const ToolCatalog& tools) const
{
    FormatMatch match;
    match.format = kFormat;
    if (m_markerless && !startsWithRecipient(text, tools))
        return match;
    // Texts with a ">>>" are the anchored instance's; the markerless one reads only the start form.
    if (text.contains(kMarker) == m_markerless)
        return match;

    qsizetype segment = skipWhitespace(text, 0);
    bool marked = at(text, segment, kMarker);
    qsizetype pendingSeparator = -1; // end of the previous call, when only whitespace may follow it
    while (segment < text.size()) {
        const qsizetype nameStart = marked ? segment + kMarker.size() : segment;
        const qsizetype nextMarker = text.indexOf(kMarker, nameStart);
        const qsizetype segmentEnd = nextMarker < 0 ? text.size() : nextMarker;
        const qsizetype lineEnd = text.mid(nameStart, segmentEnd - nameStart).indexOf(u'\n');
        const QStringView written = lineEnd < 0 ? QStringView() : text.mid(nameStart, lineEnd).trimmed();
        const bool recipientLine = !written.isEmpty() && !text.at(nameStart).isSpace()
            && std::none_of(written.begin(), written.end(), [](QChar c) { return c.isSpace(); });
        qsizetype consumed = nameStart;
        if (recipientLine) {
            if (pendingSeparator >= 0 && marked
                && blank(text.mid(pendingSeparator, segment - pendingSeparator)))
                match.markup.append({ pendingSeparator, segment });
            pendingSeparator = -1;
            const qsizetype bodyStart = nameStart + lineEnd + 1;
            const qsizetype body = skipWhitespace(text, bodyStart);
            const ToolDefinition* tool = tools.resolve(written);
            if (written == kUserChannel) {
                if (marked || nextMarker >= 0)
                    match.markup.append({ segment, bodyStart });
                consumed = bodyStart;
            } else if (tool && at(text, body, u"{")) {
                const JsonAt json = jsonAt(text, body);
                if (json.ok) {
                    match.calls.append(makeCall(*tool, json.value, QString(), { segment, json.end }));
                    pendingSeparator = consumed = json.end;
                } else if (takesRawCode(*tool) && !json.truncated) {
                    qsizetype codeEnd = segmentEnd;
                    while (codeEnd > bodyStart && text.at(codeEnd - 1).isSpace())
                        --codeEnd;
                    match.calls.append(
                        makeCall(*tool, codeArguments(text.mid(bodyStart, codeEnd - bodyStart)), QString(),
                            { segment, codeEnd }));
                    pendingSeparator = consumed = codeEnd;
                } else {
                    addFailure(match, { segment, json.truncated ? text.size() : json.end },
                        argumentsIssue(kFormat, tool->name, json));
                    consumed = json.truncated ? text.size() : json.end;
                }
            } else if (tool && takesRawCode(*tool) && body < segmentEnd) {
                qsizetype codeEnd = segmentEnd;
                while (codeEnd > bodyStart && text.at(codeEnd - 1).isSpace())
                    --codeEnd;
                match.calls.append(makeCall(*tool, codeArguments(text.mid(bodyStart, codeEnd - bodyStart)),
                    QString(), { segment, codeEnd }));
                pendingSeparator = consumed = codeEnd;
            } else if (marked && at(text, body, u"{")) {
                // ">>>NAME\n{…}" is unmistakably a call, so an unknown NAME is a near miss; without
                // the marker the line may just be prose.
                const JsonAt json = jsonAt(text, body);
                const qsizetype stop = json.ok ? json.end : (json.truncated ? text.size() : json.end);
                addFailure(match, { segment, stop }, undeclaredIssue(kFormat, written));
                consumed = stop;
            } else if (marked && tool) {
                addFailure(match, { segment, bodyStart },
                    kFormat + u": no JSON arguments after '>>>"_s + written.toString() + u"'"_s);
                consumed = bodyStart;
            }
        }
        const qsizetype next = text.indexOf(kMarker, std::max(consumed, nameStart));
        if (next < 0)
            break;
        segment = next;
        marked = true;
    }
    if (pendingSeparator >= 0 && blank(text.mid(pendingSeparator)))
        match.markup.append({ pendingSeparator, text.size() });
    return match;
}

} // namespace Guard
