// gpt-oss harmony messages: channels, recipients, and the token-stripped leftovers of both.
#include "specialtokens.h"
#include "specialtokens_common.h"

#include "../literalparser.h"

#include <algorithm>
#include <array>

using namespace Qt::StringLiterals;

namespace Guard {

using namespace SpecialTokens;

namespace {

const QString kFormat = u"harmony_gpt_oss"_s;

constexpr QStringView kStart = u"<|start|>";
constexpr QStringView kChannel = u"<|channel|>";
constexpr QStringView kMessage = u"<|message|>";
constexpr QStringView kConstrain = u"<|constrain|>";
constexpr QStringView kFunctions = u"functions.";
constexpr QStringView kStrippedRecipient = u"to=functions.";
constexpr QStringView kChannelNames[] = { u"analysis", u"commentary", u"final" };
// Recipients that address a person, not a tool.
constexpr QStringView kPeople[] = { u"assistant", u"user", u"all", u"system", u"developer" };

// Tokens that end a message body. The first three belong to the message; the others open the
// next one and are left for it.
enum Ender { End, Call, Return, StartNext, ChannelNext, MessageNext, EnderCount };
constexpr std::array<QStringView, EnderCount> kEnders = {
    u"<|end|>",
    u"<|call|>",
    u"<|return|>",
    u"<|start|>",
    u"<|channel|>",
    u"<|message|>",
};

struct Terminator
{
    qsizetype start = 0;
    qsizetype end = 0; // past the token when it belongs to the message, else == start
};

// Finds message ends left to right. Positions only grow, so each token's last hit is reused and
// the whole scan stays linear however many messages the text holds.
class EnderFinder
{
public:
    explicit EnderFinder(QStringView text)
        : m_text(text)
    {
        m_next.fill(-2);
    }

    Terminator after(qsizetype from)
    {
        Terminator best { m_text.size(), m_text.size() };
        for (int i = 0; i < EnderCount; ++i) {
            if (m_next[i] == -2 || (m_next[i] >= 0 && m_next[i] < from))
                m_next[i] = m_text.indexOf(kEnders[i], from);
            if (m_next[i] >= 0 && m_next[i] < best.start) {
                best.start = m_next[i];
                best.end = i <= Return ? m_next[i] + kEnders[i].size() : m_next[i];
            }
        }
        return best;
    }

private:
    QStringView m_text;
    std::array<qsizetype, EnderCount> m_next {};
};

bool isHeaderWord(QStringView word)
{
    if (word.startsWith(u"to=") || word.startsWith(kConstrain) || word == u"assistant" || word == u"json"
        || word == u"code") {
        return true;
    }
    return std::any_of(std::begin(kChannelNames), std::end(kChannelNames),
        [word](QStringView name) { return word == name; });
}

// Where the header that ends at `pos` begins: header words ("assistant", "to=…", channel names,
// "json") directly before `pos`, never before `floor`. Prose before them stays content.
qsizetype headerWordsStart(QStringView text, qsizetype floor, qsizetype pos)
{
    qsizetype cursor = pos;
    while (cursor > floor) {
        qsizetype wordEnd = cursor;
        while (wordEnd > floor && text.at(wordEnd - 1).isSpace())
            --wordEnd;
        qsizetype wordStart = wordEnd;
        while (wordStart > floor && !text.at(wordStart - 1).isSpace())
            --wordStart;
        if (wordStart == wordEnd || !isHeaderWord(text.mid(wordStart, wordEnd - wordStart)))
            break;
        cursor = wordStart;
    }
    return cursor;
}

struct Header
{
    qsizetype start = 0;
    QStringView channel;
    QStringView recipient;
};

QStringView recipientAt(QStringView header, qsizetype to)
{
    qsizetype end = to + 3;
    while (end < header.size() && !header.at(end).isSpace() && header.at(end) != u'<')
        ++end;
    return header.mid(to + 3, end - to - 3);
}

bool isPerson(QStringView recipient)
{
    return std::any_of(
        std::begin(kPeople), std::end(kPeople), [recipient](QStringView p) { return recipient == p; });
}

// The header of the message whose <|message|> token is at `message`; the previous message ended
// at `floor`.
Header readHeader(QStringView text, qsizetype floor, qsizetype message)
{
    Header header;
    const QStringView region = text.mid(floor, message - floor);
    const qsizetype start = region.lastIndexOf(kStart);
    if (start >= 0) {
        header.start = floor + start;
    } else {
        const qsizetype channel = region.indexOf(kChannel);
        header.start = headerWordsStart(text, floor, channel >= 0 ? floor + channel : message);
    }
    const QStringView words = text.mid(header.start, message - header.start);

    // A stray "to=assistant" may sit beside the real recipient; a tool recipient wins.
    for (qsizetype to = words.indexOf(u"to="); to >= 0; to = words.indexOf(u"to=", to + 3)) {
        const QStringView recipient = recipientAt(words, to);
        if (isPerson(recipient))
            continue;
        if (header.recipient.isEmpty() || recipient.startsWith(kFunctions))
            header.recipient = recipient;
        if (recipient.startsWith(kFunctions))
            break;
    }
    const qsizetype channel = words.lastIndexOf(kChannel);
    if (channel >= 0) {
        qsizetype cursor = skipWhitespace(words, channel + kChannel.size());
        qsizetype end = cursor;
        while (end < words.size() && words.at(end).isLetter())
            ++end;
        header.channel = words.mid(cursor, end - cursor);
    } else {
        for (QStringView name : kChannelNames) {
            if (words.contains(name)) {
                header.channel = name;
                break;
            }
        }
    }
    return header;
}

// The declared tool a recipient names, or nullptr; "functions.NAMEjson" (the constrain token
// glued on) is read as NAME.
const ToolDefinition* recipientTool(QStringView recipient, const ToolCatalog& tools)
{
    if (const ToolDefinition* tool = tools.resolve(recipient))
        return tool;
    if (recipient.endsWith(u"json"))
        return tools.resolve(recipient.chopped(4));
    return nullptr;
}

void parseTokenized(QStringView text, const ToolCatalog& tools, FormatMatch& match)
{
    EnderFinder enders(text);
    qsizetype floor = 0;
    qsizetype message = text.indexOf(kMessage);
    while (message >= 0) {
        const Header header = readHeader(text, floor, message);
        const qsizetype bodyStart = message + kMessage.size();
        const qsizetype body = skipWhitespace(text, bodyStart);
        const ToolDefinition* tool
            = header.recipient.isEmpty() ? nullptr : recipientTool(header.recipient, tools);
        Terminator terminator;
        if (tool && at(text, body, u"<")) {
            // Markup after the header (Muse Glimmer's <atem:…>) is another family's format.
            terminator = enders.after(bodyStart);
        } else if (tool && !header.recipient.startsWith(kFunctions) && !at(text, body, u"{")) {
            // A declared python-style recipient takes raw code, as gpt-oss's built-in python does.
            terminator = enders.after(bodyStart);
            qsizetype codeEnd = terminator.start;
            while (codeEnd > body && text.at(codeEnd - 1).isSpace())
                --codeEnd;
            match.calls.append(makeCall(*tool, codeArguments(text.mid(body, codeEnd - body)), QString(),
                { header.start, terminator.end }));
        } else if (tool) {
            const JsonAt json = jsonAt(text, body);
            if (!json.ok) {
                terminator
                    = json.truncated ? Terminator { text.size(), text.size() } : enders.after(bodyStart);
                addFailure(
                    match, { header.start, terminator.end }, argumentsIssue(kFormat, tool->name, json));
            } else {
                terminator = enders.after(json.end);
                match.calls.append(makeCall(*tool, json.value, QString(), { header.start, terminator.end }));
            }
        } else {
            terminator = enders.after(bodyStart);
            if (header.recipient.startsWith(kFunctions)) {
                addFailure(match, { header.start, terminator.end },
                    undeclaredIssue(kFormat, header.recipient.mid(kFunctions.size())));
            } else if (!header.recipient.isEmpty()) {
                // A built-in tool (container.exec, browser.search, an undeclared python): not
                // the client's call and not text for the user either.
                match.markup.append({ header.start, terminator.end });
            } else {
                match.markup.append({ header.start, bodyStart });
                match.markup.append({ terminator.start, terminator.end });
                if (header.channel == u"analysis")
                    match.reasoning.append({ bodyStart, terminator.start });
            }
        }
        floor = terminator.end;
        message = text.indexOf(kMessage, std::max(floor, bodyStart));
    }
}

// The tool named right after "to=functions." when no tokens delimit it: the whole name, or a
// declared name with "json" or a channel name glued on.
const ToolDefinition* strippedTool(
    QStringView text, qsizetype nameStart, const ToolCatalog& tools, qsizetype* nameEnd)
{
    qsizetype end = nameStart;
    while (end < text.size() && isNameChar(text.at(end)))
        ++end;
    *nameEnd = end;
    if (const ToolDefinition* tool = tools.resolve(text.mid(nameStart, end - nameStart)))
        return tool;
    const ToolDefinition* tool = tools.longestNameAt(text, nameStart);
    if (!tool)
        return nullptr;
    const QStringView rest = text.mid(nameStart + tool->name.size(), end - nameStart - tool->name.size());
    const bool glued = rest == u"json"
        || std::any_of(std::begin(kChannelNames), std::end(kChannelNames),
            [rest](QStringView name) { return rest.startsWith(name); });
    if (!glued)
        return nullptr;
    *nameEnd = nameStart + tool->name.size();
    return tool;
}

// Start of "assistant", a channel name and stray tokens glued before a stripped recipient.
qsizetype strippedHeaderStart(QStringView text, qsizetype floor, qsizetype recipient)
{
    qsizetype start = recipient;
    while (start > floor && text.at(start - 1).isSpace())
        --start;
    const QStringView before = text.mid(floor, start - floor);
    for (QStringView name : { QStringView(u"commentary"), QStringView(u"analysis") }) {
        if (before.endsWith(name)) {
            start -= name.size();
            break;
        }
    }
    for (QStringView glued : { kChannel, QStringView(u"assistant"), kStart }) {
        qsizetype end = start;
        while (end > floor && text.at(end - 1).isSpace())
            --end;
        if (text.mid(floor, end - floor).endsWith(glued))
            start = end - glued.size();
    }
    return start;
}

// "analysisNeed to call shell.assistantcommentary to=functions.shell json{…}": what is left of
// harmony when a server strips the special tokens.
void parseStripped(QStringView text, const ToolCatalog& tools, FormatMatch& match)
{
    qsizetype floor = 0;
    qsizetype recipient = text.indexOf(kStrippedRecipient);
    while (recipient >= 0) {
        const qsizetype nameStart = recipient + kStrippedRecipient.size();
        qsizetype nameEnd = nameStart;
        const ToolDefinition* tool = strippedTool(text, nameStart, tools, &nameEnd);
        qsizetype cursor = skipWhitespace(text, nameEnd);
        for (QStringView name : kChannelNames) {
            if (at(text, cursor, name)) {
                cursor = skipWhitespace(text, cursor + name.size());
                break;
            }
        }
        if (at(text, cursor, kConstrain))
            cursor += kConstrain.size();
        if (at(text, cursor, u"json"))
            cursor += 4;
        cursor = skipWhitespace(text, cursor);
        if (!at(text, cursor, u"{")) {
            recipient = text.indexOf(kStrippedRecipient, nameStart);
            continue;
        }
        const qsizetype start = strippedHeaderStart(text, floor, recipient);
        const JsonAt json = jsonAt(text, cursor);
        const qsizetype stop = json.ok ? json.end : (json.truncated ? text.size() : json.end);
        if (!tool) {
            addFailure(
                match, { start, stop }, undeclaredIssue(kFormat, text.mid(nameStart, nameEnd - nameStart)));
        } else if (!json.ok) {
            addFailure(match, { start, stop }, argumentsIssue(kFormat, tool->name, json));
        } else {
            // What remains of an analysis message before the call is reasoning.
            const qsizetype lead = skipWhitespace(text, floor);
            if (at(text, lead, u"analysis") && lead + 8 < start) {
                match.markup.append({ lead, lead + 8 });
                match.reasoning.append({ lead + 8, start });
            }
            match.calls.append(makeCall(*tool, json.value, QString(), { start, json.end }));
        }
        floor = stop;
        recipient = text.indexOf(kStrippedRecipient, stop);
    }
}

} // namespace

QString HarmonyParser::name() const
{
    return u"harmony"_s;
}

QList<Anchor> HarmonyParser::anchors() const
{
    static const QList<Anchor> anchors { { kMessage }, { kStrippedRecipient } };
    return anchors;
}

ParserRank HarmonyParser::rank() const
{
    return ParserRank::Anchored;
}

FormatMatch HarmonyParser::parse(QStringView text, const ToolCatalog& tools) const
{
    FormatMatch match;
    match.format = kFormat;
    if (text.contains(kMessage))
        parseTokenized(text, tools, match);
    else if (text.contains(kStrippedRecipient))
        parseStripped(text, tools, match);
    return match;
}

} // namespace Guard
