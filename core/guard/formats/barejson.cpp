#include "barejson.h"

#include "../literalparser.h"
#include "jsoncall.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QRegularExpression>

#include <algorithm>
#include <array>
#include <iterator>
#include <vector>

using namespace Qt::StringLiterals;

namespace Guard {

namespace {

constexpr QLatin1StringView kLlama3Json = "llama3_json"_L1;
constexpr QLatin1StringView kOtherShapes = "json_other_shapes"_L1;
constexpr QLatin1StringView kForgeJson = "forge_prompt_json"_L1;
constexpr QLatin1StringView kCodeFence = "json_code_fence"_L1;

// The keys callsFromJson() reads (jsoncall.cpp keeps its own copy private); needed here to tell a
// call shape from data and to name the format.
constexpr QLatin1StringView kNameKeys[] = { "name"_L1, "tool"_L1, "tool_name"_L1, "function_name"_L1 };
constexpr QLatin1StringView kArgumentKeys[] = { "arguments"_L1, "parameters"_L1, "args"_L1, "input"_L1 };
constexpr QLatin1StringView kWrapperKeys[] = { "function"_L1, "tool_call"_L1, "function_call"_L1, "call"_L1 };

constexpr QStringView kFunctionCallOpen = u"<function_call>";
constexpr QStringView kFunctionCallClose = u"</function_call>";
constexpr QStringView kFunctionsPrefix = u"functions.";

qsizetype skipSpaces(QStringView text, qsizetype pos)
{
    while (pos < text.size() && text.at(pos).isSpace())
        ++pos;
    return pos;
}

qsizetype skipSpacesBack(QStringView text, qsizetype pos)
{
    while (pos > 0 && text.at(pos - 1).isSpace())
        --pos;
    return pos;
}

// ---------------------------------------------------------------------------------------------
// Call shapes

template <std::size_t N> bool isOneOf(QStringView key, const QLatin1StringView (&keys)[N])
{
    return std::any_of(std::begin(keys), std::end(keys), [&key](QLatin1StringView k) { return key == k; });
}

QLatin1StringView nameKeyOf(const QJsonObject& object)
{
    for (QLatin1StringView key : kNameKeys) {
        if (object.value(key).isString())
            return key;
    }
    return {};
}

// Arguments as calls carry them: an object, or a string holding one.
bool hasArgumentObject(const QJsonObject& object)
{
    return std::any_of(std::begin(kArgumentKeys), std::end(kArgumentKeys), [&object](QLatin1StringView key) {
        return decodeStringifiedArguments(object.value(key)).isObject();
    });
}

// A model quoting a tool's declaration is explaining it, not calling it.
bool isToolDefinition(const QJsonObject& object)
{
    const QJsonValue function = object.value("function"_L1);
    if (function.isObject())
        return isToolDefinition(function.toObject());
    const QJsonObject schema
        = object.value(object.contains("parameters"_L1) ? "parameters"_L1 : "input_schema"_L1).toObject();
    return object.contains("description"_L1) && schema.value("type"_L1).toString() == "object"_L1
        && schema.contains("properties"_L1);
}

// A name key next to argument key holding an object, directly or inside a wrapper or a
// tool_calls list: text that meant to be a call even when its name is not declared. Stricter
// than callsFromJson() on purpose, since a near miss makes the guard ask the model again.
bool isCallShaped(const QJsonObject& object)
{
    if (!nameKeyOf(object).isEmpty() && hasArgumentObject(object))
        return true;
    for (QLatin1StringView wrapper : kWrapperKeys) {
        const QJsonValue inner = object.value(wrapper);
        if (inner.isObject() && isCallShaped(inner.toObject()))
            return true;
    }
    const QJsonArray list = object.value("tool_calls"_L1).toArray();
    return std::any_of(list.begin(), list.end(),
        [](const QJsonValue& element) { return element.isObject() && isCallShaped(element.toObject()); });
}

QLatin1StringView formatOf(const QJsonObject& object)
{
    const QLatin1StringView nameKey = nameKeyOf(object);
    if (nameKey == "tool"_L1 || (!nameKey.isEmpty() && object.contains("args"_L1)))
        return kForgeJson;
    if (nameKey == "name"_L1 && !object.contains("input"_L1))
        return kLlama3Json;
    return kOtherShapes; // wrappers, tool_calls lists, the name as key, tool_name, input
}

// ---------------------------------------------------------------------------------------------
// Reading one JSON value

struct Failure
{
    TextSpan span;
    QString issue;
};

enum class ValueKind { Data, Calls, Undeclared };

// What the JSON value starting at some position turned out to be.
struct JsonRead
{
    bool parsed = false;
    qsizetype end = 0; // past the value, or where parsing stopped
    QString error;
    QJsonValue value;
    ValueKind kind = ValueKind::Data;
    QList<ParsedCall> calls;
    QLatin1StringView format;
    QStringList issues; // about calls that were recovered (an undeclared sibling in a list)
    QList<Failure> failures; // call-shaped objects naming undeclared tools
};

ValueKind readObject(const QJsonObject& object, TextSpan span, const ToolCatalog& tools, JsonRead& read)
{
    if (isToolDefinition(object))
        return ValueKind::Data;
    QStringList issues;
    const QList<ParsedCall> calls = callsFromJson(object, tools, &issues);
    if (calls.isEmpty()) {
        if (!isCallShaped(object))
            return ValueKind::Data; // {"name": "Alice", "age": 30}
        read.failures.append({ span,
            issues.isEmpty() ? u"a call-shaped JSON object names no declared tool"_s
                             : issues.join(u"; "_s) });
        return ValueKind::Undeclared;
    }
    for (ParsedCall call : calls) {
        call.span = span;
        read.calls.append(call);
    }
    read.issues.append(issues);
    if (read.format.isEmpty())
        read.format = formatOf(object);
    return ValueKind::Calls;
}

// Parses the value at `start` ('{' or '[') and reads calls out of it. An array counts only when
// every element is a call-shaped object; one data element makes the whole array data.
JsonRead readJsonValue(QStringView text, qsizetype start, const ToolCatalog& tools)
{
    JsonRead read;
    const LiteralParse parsed = parseLiteral(text, start, LiteralDialect::Json);
    read.parsed = parsed.ok;
    read.end = parsed.end;
    read.error = parsed.error;
    read.value = parsed.value;
    if (!parsed.ok)
        return read;
    if (parsed.value.isObject()) {
        read.kind = readObject(parsed.value.toObject(), { start, parsed.end }, tools, read);
        return read;
    }
    const QJsonArray array = parsed.value.toArray();
    if (array.isEmpty())
        return read;
    // The array parsed, so its elements do too: walk them again for each call's own span.
    JsonRead elements;
    qsizetype pos = start + 1;
    for (qsizetype i = 0; i < array.size(); ++i) {
        const qsizetype elementStart = skipWhitespace(text, pos);
        const LiteralParse element = parseLiteral(text, elementStart, LiteralDialect::Json);
        if (!element.ok || !element.value.isObject()
            || readObject(element.value.toObject(), { elementStart, element.end }, tools, elements)
                == ValueKind::Data) {
            return read;
        }
        pos = skipWhitespace(text, element.end) + 1; // past the ',' or the ']'
    }
    read.kind = elements.calls.isEmpty() ? ValueKind::Undeclared : ValueKind::Calls;
    read.calls = elements.calls;
    read.format = elements.format;
    read.issues = elements.issues;
    read.failures = elements.failures;
    return read;
}


// The declared tool that the broken object at `start` names at its own level: a name key before
// the member that failed to parse ({"tool": "get_pricing", "args": {bad json}), the name as the
// first key ({"get_pricing": {bad), a wrapper whose inner object is such a call, or a name after
// broken arguments on the same line. Only text that opens like a JSON object qualifies, so
// "{searchTool}" in prose never does; data holding a call deeper down does not either. The
// characters parsed are added to `work`.
const ToolDefinition* toolNamedInBrokenObject(
    QStringView text, qsizetype start, const ToolCatalog& tools, qsizetype& work, int depth = 0)
{
    qsizetype pos = skipWhitespace(text, start + 1);
    bool firstKey = true;
    while (pos < text.size() && text.at(pos) == u'"' && depth < 4) {
        const LiteralParse key = parseLiteral(text, pos, LiteralDialect::Json);
        work += key.end - pos;
        pos = key.ok ? skipWhitespace(text, key.end) : text.size();
        if (pos >= text.size() || text.at(pos) != u':')
            return nullptr;
        const QString name = key.value.toString();
        if (firstKey) {
            if (const ToolDefinition* tool = tools.resolve(name))
                return tool;
            firstKey = false;
        }
        const qsizetype valueStart = skipWhitespace(text, pos + 1);
        const LiteralParse value = parseLiteral(text, valueStart, LiteralDialect::Json);
        work += value.end - valueStart;
        if (!value.ok) {
            if (isOneOf(name, kWrapperKeys) && valueStart < text.size() && text.at(valueStart) == u'{')
                return toolNamedInBrokenObject(text, valueStart, tools, work, depth + 1);
            if (!isOneOf(name, kArgumentKeys))
                return nullptr;
            // {"arguments": {bad}, "name": "x"}: the name comes after what failed, on its line.
            QStringView rest = text.mid(value.end, 200);
            rest = rest.first(rest.indexOf(u'\n') < 0 ? rest.size() : rest.indexOf(u'\n'));
            for (QLatin1StringView nameKey : kNameKeys) {
                const QString quoted = u"\""_s + nameKey + u"\""_s;
                const qsizetype at = rest.indexOf(quoted);
                const qsizetype colon = at < 0 ? -1 : skipWhitespace(text, value.end + at + quoted.size());
                if (colon < 0 || colon >= text.size() || text.at(colon) != u':')
                    continue;
                const LiteralParse written = parseLiteral(text, colon + 1, LiteralDialect::Json);
                if (written.ok && written.value.isString()) {
                    if (const ToolDefinition* tool = tools.resolve(written.value.toString()))
                        return tool;
                }
            }
            return nullptr;
        }
        if (value.value.isString() && isOneOf(name, kNameKeys)) {
            if (const ToolDefinition* tool = tools.resolve(value.value.toString()))
                return tool;
        }
        pos = skipWhitespace(text, value.end);
        if (pos >= text.size() || text.at(pos) != u',')
            return nullptr;
        pos = skipWhitespace(text, pos + 1);
    }
    return nullptr;
}

// ---------------------------------------------------------------------------------------------
// Call syntax written around a JSON object

inline bool isNameChar(QChar c)
{
    const char16_t u = c.unicode();
    if (u < 128) // the common case, without a call into the Unicode tables
        return (u >= u'a' && u <= u'z') || (u >= u'A' && u <= u'Z') || (u >= u'0' && u <= u'9') || u == u'_' || u == u'-' || u == u'.';
    return c.isLetterOrNumber();
}

// The longest declared name ending just before `end` at a word boundary ("functions." allowed
// in front); its start goes to `nameStart`.
const ToolDefinition* declaredNameEndingAt(
    QStringView text, qsizetype end, const ToolCatalog& tools, qsizetype* nameStart)
{
    const ToolDefinition* best = nullptr;
    for (const ToolDefinition& tool : tools.tools()) {
        const qsizetype from = end - tool.name.size();
        if (from < 0 || (best && tool.name.size() <= best->name.size()))
            continue;
        if (text.mid(from, tool.name.size()) != QStringView(tool.name))
            continue;
        qsizetype begin = from;
        if (text.first(begin).endsWith(kFunctionsPrefix))
            begin -= kFunctionsPrefix.size();
        if (begin > 0 && isNameChar(text.at(begin - 1)))
            continue;
        best = &tool;
        *nameStart = begin;
    }
    return best;
}

struct WrappedCall
{
    const ToolDefinition* tool = nullptr;
    TextSpan span;
    bool companion = false; // only counts next to JSON calls of this family
};

// NAME({...}) and ollama's template tokens [tool]NAME[args]{...}[end] around the object at
// [open, close). Mistral's NAME[ARGS]{...} belongs to the special-token parsers and is read here
// only as a companion: forge's prompt mode mixes it with JSON calls, and one parser wins a text.
WrappedCall wrappedCall(QStringView text, qsizetype open, qsizetype close, const ToolCatalog& tools)
{
    qsizetype nameStart = 0;
    const qsizetype before = skipSpacesBack(text, open);
    if (before > 0 && text.at(before - 1) == u'(') {
        const ToolDefinition* tool = declaredNameEndingAt(text, before - 1, tools, &nameStart);
        const qsizetype after = skipSpaces(text, close);
        if (tool && after < text.size() && text.at(after) == u')')
            return { tool, { nameStart, after + 1 } };
        return {};
    }
    constexpr QStringView mistralArgsToken = u"[ARGS]";
    if (text.first(open).endsWith(mistralArgsToken)) {
        const ToolDefinition* tool
            = declaredNameEndingAt(text, open - mistralArgsToken.size(), tools, &nameStart);
        return tool ? WrappedCall { tool, { nameStart, close }, true } : WrappedCall {};
    }
    constexpr QStringView argsToken = u"[args]";
    constexpr QStringView toolToken = u"[tool]";
    constexpr QStringView endToken = u"[end]";
    if (!text.first(open).endsWith(argsToken))
        return {};
    const ToolDefinition* tool = declaredNameEndingAt(text, open - argsToken.size(), tools, &nameStart);
    if (!tool)
        return {};
    TextSpan span { nameStart, close };
    const qsizetype toolEnd = skipSpacesBack(text, nameStart);
    const bool hasToolToken = text.first(toolEnd).endsWith(toolToken);
    if (hasToolToken)
        span.start = toolEnd - toolToken.size();
    const qsizetype after = skipSpaces(text, close);
    const bool hasEndToken = text.mid(after).startsWith(endToken);
    if (hasEndToken)
        span.end = after + endToken.size();
    if (!hasToolToken && !hasEndToken)
        return {};
    return { tool, span };
}

// ---------------------------------------------------------------------------------------------
// Telling data from what may be a call without building it

// Whether wrappedCall() could find a call around the object at `open`: only after "(" or a
// [ARGS] / [args] token.
bool mayBeWrapped(QStringView text, qsizetype open)
{
    const qsizetype before = skipSpacesBack(text, open);
    return (before > 0 && text.at(before - 1) == u'(')
        || (open > 0 && text.at(open - 1) == u']' && (text.first(open).endsWith(u"[ARGS]") || text.first(open).endsWith(u"[args]")));
}

// QStringView::indexOf() for a character that is usually near (the next quote in JSON): a short
// walk by hand first, since a call of the vectorised search costs more than a dozen steps.
qsizetype nearIndexOf(QStringView text, char16_t c, qsizetype from)
{
    const char16_t* data = text.utf16();
    const qsizetype stop = std::min(text.size(), from + 16);
    for (qsizetype i = from; i < stop; ++i) {
        if (data[i] == c)
            return i;
    }
    return stop < text.size() ? text.indexOf(QChar(c), stop) : -1;
}

// Whether the brace at `open` starts what is written as a JSON object: '{' and a quoted key.
bool opensObject(QStringView text, qsizetype open)
{
    const qsizetype key = skipWhitespace(text, open + 1);
    return key < text.size() && text.at(key) == u'"';
}

// The strings that can make a JSON value a call or a call-shaped object: the keys read above
// and by callsFromJson(), and the declared tool names (as ToolCatalog::resolve() finds them,
// spaces around or "functions." in front allowed).
class CallWords
{
public:
    explicit CallWords(const ToolCatalog& tools)
        : m_tools(tools)
    {
        for (const ToolDefinition& tool : tools.tools()) {
            markLength(m_nameLengths, tool.name.size());
            markLength(m_writtenNameLengths, tool.name.size());
            markLength(m_writtenNameLengths, kFunctionsPrefix.size() + tool.name.size());
        }
        for (QLatin1StringView key : kNameKeys)
            markLength(m_keyLengths, key.size());
        for (QLatin1StringView key : kWrapperKeys)
            markLength(m_keyLengths, key.size());
        markLength(m_keyLengths, kToolCallsKey.size());
        for (const ToolDefinition& tool : tools.tools()) {
            if (tool.name.isEmpty())
                continue;
            const char16_t first = tool.name.front().unicode();
            (first < 128 ? m_namesByFirst[first] : m_otherNames).append(&tool);
            m_longestName = std::max(m_longestName, tool.name.size());
        }
    }

    // The declared tool that prose names just before the object at `open`, as in "Calling
    // get_weather with {": the name as a whole word, at most kMaxLeadIn characters before the
    // brace, with no blank line and no JSON punctuation between them (an object inside other
    // JSON has no lead-in of its own). The nearest name wins.
    const ToolDefinition* namedBefore(QStringView text, qsizetype open) const
    {
        const qsizetype floor = std::max<qsizetype>(0, open - kMaxLeadIn - m_longestName);
        for (qsizetype p = open - 1; p >= floor; --p) {
            const QChar c = text.at(p);
            if ((c == u'\n' && p > 0 && text.at(p - 1) == u'\n') || c == u'"' || c == u'{' || c == u'}' || c == u'[' || c == u']')
                return nullptr;
            if (!isNameChar(c) || (p > 0 && isNameChar(text.at(p - 1))))
                continue;
            const QList<const ToolDefinition*>& candidates = c.unicode() < 128 ? m_namesByFirst[c.unicode()] : m_otherNames;
            const ToolDefinition* best = nullptr;
            for (const ToolDefinition* tool : candidates) {
                const qsizetype end = p + tool->name.size();
                if (end <= open && open - end <= kMaxLeadIn && text.sliced(p).startsWith(tool->name)
                    && (end == text.size() || !isNameChar(text.at(end))) && (!best || tool->name.size() > best->name.size()))
                    best = tool;
            }
            if (best)
                return best;
        }
        return nullptr;
    }

    // Most strings are ruled out by their length alone.
    bool isCallWord(QStringView word) const
    {
        if (word.isEmpty())
            return false;
        if (hasLength(m_keyLengths, word.size()) && isKey(word))
            return true;
        const QStringView name = word.front().isSpace() || word.back().isSpace() ? word.trimmed() : word;
        if (!hasLength(m_writtenNameLengths, name.size()))
            return false;
        return namesTool(name)
            || (name.size() > kFunctionsPrefix.size() && name.front() == u'f' && name.startsWith(kFunctionsPrefix)
                && namesTool(name.sliced(kFunctionsPrefix.size())));
    }

    // Whether JSON in `text` may be a call or call-shaped: one of its strings is a call word,
    // or it has an escape (which could spell one); with `orWrapped`, also an object where
    // wrappedCall() would look for a name or that prose introduces with a tool's name. Without escapes every JSON string runs from a quote
    // to the next one, so looking at each such stretch finds them all, whatever prose lies
    // around them (a string left open at the end is no key or name of a value that parses).
    bool mayHoldCall(QStringView text, bool orWrapped = false) const
    {
        if (text.contains(u'\\'))
            return true;
        qsizetype quote = text.indexOf(u'"');
        while (quote >= 0) {
            const qsizetype next = nearIndexOf(text, u'"', quote + 1);
            if (next < 0)
                break;
            if (isCallWord(text.sliced(quote + 1, next - quote - 1)))
                return true;
            quote = next;
        }
        if (!orWrapped)
            return false;
        for (qsizetype brace = text.indexOf(u'{'); brace >= 0; brace = nearIndexOf(text, u'{', brace + 1)) {
            if (mayBeWrapped(text, brace) || (opensObject(text, brace) && namedBefore(text, brace)))
                return true;
        }
        return false;
    }

private:
    static constexpr QLatin1StringView kToolCallsKey = "tool_calls"_L1;

    static bool isKey(QStringView word)
    {
        const QChar first = word.front();
        if (first != u'n' && first != u't' && first != u'f' && first != u'c')
            return false; // the first letters of the keys: "city" and "days" go no further
        return isOneOf(word, kNameKeys) || isOneOf(word, kWrapperKeys) || word == kToolCallsKey;
    }


    static void markLength(std::vector<char>& lengths, qsizetype length)
    {
        if (std::size_t(length) >= lengths.size())
            lengths.resize(std::size_t(length) + 1, 0);
        lengths[std::size_t(length)] = 1;
    }

    static bool hasLength(const std::vector<char>& lengths, qsizetype length)
    {
        return std::size_t(length) < lengths.size() && lengths[std::size_t(length)] != 0;
    }

    // ToolCatalog::find() without building a string for the lookup.
    bool namesTool(QStringView name) const
    {
        if (!hasLength(m_nameLengths, name.size()))
            return false;
        return std::any_of(m_tools.tools().cbegin(), m_tools.tools().cend(), [name](const ToolDefinition& tool) { return name == tool.name; });
    }

    static constexpr qsizetype kMaxLeadIn = 48; // "with the following arguments:\n```json\n"

    const ToolCatalog& m_tools;
    std::array<QList<const ToolDefinition*>, 128> m_namesByFirst; // by an ASCII first letter
    QList<const ToolDefinition*> m_otherNames;
    qsizetype m_longestName = 0;
    std::vector<char> m_keyLengths;         // the lengths of the keys
    std::vector<char> m_nameLengths;        // the lengths of declared names
    std::vector<char> m_writtenNameLengths; // the same, and with "functions." in front
};

// Whether any JSON in `text` may yield a call or a near miss: a call word in it (above), or an
// object where wrappedCall() would look for a name. When not, both parsers of this file find
// nothing, and markdown full of data JSON costs one look at its quotes and braces.
bool textMayHoldJsonCall(QStringView text, const CallWords& words)
{
    return words.mayHoldCall(text, true);
}

// A JSON value at `pos` that parses and holds no call word is data whatever surrounds it:
// readJsonValue() would build it only to find that. Returns where such data ends, or -1 when
// the value has to be read (it does not parse, or it may be a call).
qsizetype dataEnd(QStringView text, qsizetype pos, const CallWords& words)
{
    const LiteralParse checked = checkLiteral(text, pos, LiteralDialect::Json);
    if (!checked.ok || words.mayHoldCall(text.sliced(pos, checked.end - pos)))
        return -1;
    return checked.end;
}

// Whether the broken object at `open`, which prose introduces with `tool`'s name, was meant as
// its arguments: its first key is one of the tool's parameters (any key when it declares none),
// and it does not break where documentation would, at a placeholder ("...", "<city>", a type
// name such as string). "The get_weather tool takes {"city": string}" explains; "Calling
// get_weather with {"city": "Paris", "days": }" tried.
bool opensArgumentsOf(QStringView text, qsizetype open, const ToolDefinition& tool, const JsonRead& read)
{
    const LiteralParse key = parseLiteral(text, open + 1, LiteralDialect::Json);
    if (!key.ok || !key.value.isString() || skipWhitespace(text, key.end) >= text.size() || text.at(skipWhitespace(text, key.end)) != u':')
        return false;
    const bool declaresProperties = tool.parameters.value("properties"_L1).isObject();
    if (declaresProperties && ToolCatalog::propertySchema(tool, key.value.toString()).isEmpty()
        && !tool.parameters.value("properties"_L1).toObject().contains(key.value.toString()))
        return false;
    if (read.end >= text.size())
        return true; // cut off: nothing after it to judge
    static const QRegularExpression placeholder(
        u"^(?:\\.\\.|\u2026|<|(?:string|str|number|integer|int|float|boolean|bool|object|array|list)\\b)"_s);
    return !placeholder.match(text.sliced(read.end)).hasMatch();
}

// ---------------------------------------------------------------------------------------------
// Scanning a whole text

// A stretch of text claimed for calls: one JSON value, or a call written around one.
struct JsonItem
{
    TextSpan claim;
    QList<ParsedCall> calls;
    QLatin1StringView format;
    QStringList issues;
    bool companion = false;
};

struct JsonScan
{
    QList<JsonItem> items;
    QList<Failure> failures;
};

// Every JSON call in `text`, left to right. A value that parses is never entered again (data
// JSON hides nothing), so each region is parsed about once and prose full of braces stays cheap.
JsonScan scanJson(QStringView text, const ToolCatalog& tools)
{
    JsonScan scan;
    // After a failed value the scan restarts just inside it (an unclosed array may still hold
    // complete calls). On deeply nested unclosed text that costs up to the nesting depth per
    // character, so past this much parsing work a failed value is skipped whole instead (and
    // no longer examined for a near miss).
    qsizetype budget = 16 * text.size() + 4096;
    const CallWords words(tools);
    qsizetype brace = text.indexOf(u'{');
    qsizetype bracket = text.indexOf(u'[');
    qsizetype pos = 0;
    while (pos < text.size()) {
        if (brace >= 0 && brace < pos)
            brace = text.indexOf(u'{', pos);
        if (bracket >= 0 && bracket < pos)
            bracket = text.indexOf(u'[', pos);
        if (brace < 0 && bracket < 0)
            break;
        pos = brace < 0 || (bracket >= 0 && bracket < brace) ? bracket : brace;
        const QChar c = text.at(pos);
        if (c == u'[' || !mayBeWrapped(text, pos)) {
            if (const qsizetype end = dataEnd(text, pos, words); end >= 0) {
                budget -= end - pos;
                pos = end;
                continue;
            }
        }
        const JsonRead read = readJsonValue(text, pos, tools);
        budget -= read.end - pos;
        if (!read.parsed) {
            // A broken call naming a declared tool is a near miss, and its inside is skipped: the
            // arguments of a cut-off call must not pass for a call of their own.
            const ToolDefinition* tool = nullptr;
            if (c == u'{' && budget > 0) {
                qsizetype work = 0;
                tool = toolNamedInBrokenObject(text, pos, tools, work);
                budget -= work;
            }
            if (!tool && c == u'{' && budget > 0) {
                if (const ToolDefinition* named = words.namedBefore(text, pos); named && opensArgumentsOf(text, pos, *named, read)) {
                    const qsizetype end = read.end >= text.size() ? text.size() : std::max(read.end, pos + 1);
                    const QString why = read.end >= text.size()
                        ? QString(u"the JSON arguments written after '"_s + named->name + u"' are cut off before they close"_s)
                        : QString(u"the JSON arguments written after '"_s + named->name + u"' do not parse: "_s + read.error);
                    scan.failures.append({ { pos, end }, why });
                    pos = end;
                    continue;
                }
            }
            if (!tool) {
                pos = budget > 0 ? pos + 1 : std::max(read.end, pos + 1);
                continue;
            }
            const qsizetype end = std::max(read.end, pos + 1);
            const QString why = read.end >= text.size()
                ? QString(u"the JSON call to '"_s + tool->name + u"' is cut off before it closes"_s)
                : QString(u"the JSON call to '"_s + tool->name + u"' does not parse: "_s + read.error);
            scan.failures.append({ { pos, end }, why });
            pos = end;
            continue;
        }
        if (c == u'{') {
            const WrappedCall wrapped = wrappedCall(text, pos, read.end, tools);
            if (wrapped.tool) {
                ParsedCall call;
                call.name = wrapped.tool->name;
                call.arguments = read.value;
                call.span = wrapped.span;
                scan.items.append({ wrapped.span, { call }, kOtherShapes, {}, wrapped.companion });
                pos = wrapped.span.end;
                continue;
            }
        }
        scan.failures.append(read.failures);
        if (read.kind == ValueKind::Calls)
            scan.items.append({ { pos, read.end }, read.calls, read.format, read.issues });
        pos = read.end;
    }
    // NAME[ARGS]{...} on its own is args_rehearsal, not this family's.
    if (std::all_of(
            scan.items.cbegin(), scan.items.cend(), [](const JsonItem& item) { return item.companion; }))
        scan.items.clear();
    return scan;
}

// The format of the first call that is not a companion.
QLatin1StringView formatOfItems(const QList<JsonItem>& items, QLatin1StringView fallback)
{
    const auto it
        = std::find_if(items.cbegin(), items.cend(), [](const JsonItem& item) { return !item.companion; });
    return it == items.cend() ? fallback : it->format;
}

bool isSeparatorGap(QStringView gap)
{
    return std::all_of(gap.begin(), gap.end(), [](QChar c) { return c.isSpace() || c == u';' || c == u','; });
}

// Adds calls found in the open to `match`. Neighbouring calls with only separators between them
// (';', ',', newlines) form one group; the group's markup also takes the `backticks` or a bracket
// it was written in (an array left unclosed), and a ';' or an extra '}' after it.
void appendItems(FormatMatch& match, QStringView text, const QList<JsonItem>& items)
{
    qsizetype first = 0;
    for (qsizetype i = 0; i < items.size(); ++i) {
        match.calls.append(items.at(i).calls);
        match.issues.append(items.at(i).issues);
        const bool groupEnds = i + 1 == items.size()
            || !isSeparatorGap(
                text.mid(items.at(i).claim.end, items.at(i + 1).claim.start - items.at(i).claim.end));
        if (!groupEnds)
            continue;
        TextSpan group { items.at(first).claim.start, items.at(i).claim.end };
        const qsizetype lead = skipSpacesBack(text, group.start);
        const qsizetype trail = skipSpaces(text, group.end);
        const QChar before = lead > 0 ? text.at(lead - 1) : QChar();
        const QChar after = trail < text.size() ? text.at(trail) : QChar();
        if (before == u'`' && after == u'`') {
            group = { lead - 1, trail + 1 };
        } else {
            if (before == u'[')
                group.start = lead - 1;
            // A stray '}' glued to the last call is a miscounted brace, not prose.
            if (after == u']' || after == u';' || (after == u'}' && trail == group.end))
                group.end = trail + 1;
        }
        match.markup.append(group);
        first = i + 1;
    }
}

// ---------------------------------------------------------------------------------------------
// Markdown fences

// The length of a fence marker run (three or more '`' or '~') at `pos`, 0 when there is none.
qsizetype fenceRunAt(QStringView text, qsizetype pos)
{
    const QChar marker = text.at(pos);
    if (marker != u'`' && marker != u'~')
        return 0;
    qsizetype end = pos;
    while (end < text.size() && text.at(end) == marker)
        ++end;
    return end - pos >= 3 ? end - pos : 0;
}

bool atLineStart(QStringView text, qsizetype pos)
{
    while (pos > 0 && (text.at(pos - 1) == u' ' || text.at(pos - 1) == u'\t'))
        --pos;
    return pos == 0 || text.at(pos - 1) == u'\n' || text.at(pos - 1) == u'\r';
}

bool isInfoChar(QChar c)
{
    return c.isLetterOrNumber() || c == u'_' || c == u'-' || c == u'+' || c == u'.' || c == u'#';
}

// Where a fence that does not hold calls ends: a marker run at least as long as the opener, at
// the start of a line or glued to the JSON it closes ({}```). -1 when it runs to the end.
qsizetype fenceCloseAfter(QStringView text, qsizetype from, QChar marker, qsizetype length)
{
    auto runAt = [&](qsizetype at) {
        if (at + length > text.size())
            return false;
        for (qsizetype i = 1; i < length; ++i) {
            if (text.at(at + i) != marker)
                return false;
        }
        return true;
    };
    for (qsizetype at = text.indexOf(marker, from); at >= 0; at = text.indexOf(marker, at + 1)) {
        if (!runAt(at) || (at > from && text.at(at - 1) == marker))
            continue;
        if (atLineStart(text, at) || text.at(at - 1) == u'}' || text.at(at - 1) == u']')
            return at;
    }
    return -1;
}

bool fenceMayFollow(QChar c)
{
    return !c.isLetterOrNumber() && c != u'"' && c != u'\'' && c != u'\\';
}

struct Fence
{
    TextSpan whole; // opener to closer; to the last call when the fence was never closed
    QList<JsonItem> items;
    QList<Failure> failures;
    qsizetype resume = 0; // where to look for the next fence
};

// Reads the fence opened at `open`. It holds calls when its body is nothing but call-shaped JSON
// values, separators and <function_call> tags; otherwise `items` comes back empty.
Fence readFence(QStringView text, qsizetype open, qsizetype runLength, const ToolCatalog& tools, const CallWords& words)
{
    const QChar marker = text.at(open);
    Fence fence;
    qsizetype pos = open + runLength;
    while (pos < text.size() && isInfoChar(text.at(pos)))
        ++pos; // the info string: json, xml, JSON, none...
    const qsizetype bodyStart = pos;
    qsizetype lastEnd = pos;
    bool separatorAllowed = false;
    while (true) {
        pos = skipSpaces(text, pos);
        if (pos >= text.size()) {
            fence.whole = { open, lastEnd };
            fence.resume = text.size();
            break;
        }
        if (text.at(pos) == marker && fenceRunAt(text, pos) >= runLength) {
            const qsizetype closeEnd = pos + fenceRunAt(text, pos);
            fence.whole = { open, closeEnd };
            fence.resume = closeEnd;
            break;
        }
        const QStringView rest = text.mid(pos);
        if (rest.startsWith(kFunctionCallOpen) || rest.startsWith(kFunctionCallClose)) {
            pos += rest.startsWith(kFunctionCallOpen) ? kFunctionCallOpen.size() : kFunctionCallClose.size();
            lastEnd = pos;
            continue;
        }
        const QChar c = text.at(pos);
        if ((c == u';' || c == u',') && separatorAllowed) {
            lastEnd = ++pos;
            separatorAllowed = false;
            continue;
        }
        JsonRead read;
        if ((c == u'{' || c == u'[') && dataEnd(text, pos, words) < 0)
            read = readJsonValue(text, pos, tools);
        if (!read.parsed || read.kind == ValueKind::Data) {
            // Prose, data JSON or broken JSON: not a call envelope, so the fence stays content
            // (broken calls are the bare scan's to report).
            const qsizetype close = fenceCloseAfter(text, bodyStart, marker, runLength);
            fence.items.clear();
            fence.failures.clear();
            fence.resume = close < 0 ? text.size() : close + runLength;
            return fence;
        }
        fence.failures.append(read.failures);
        if (read.kind == ValueKind::Calls)
            fence.items.append({ { pos, read.end }, read.calls, kCodeFence, read.issues });
        pos = read.end;
        lastEnd = pos;
        separatorAllowed = true;
    }
    if (fence.items.isEmpty())
        fence.failures.clear();
    return fence;
}

} // namespace

// -------------------------------------------------------------------------------------------------

QString BareJsonParser::name() const
{
    return u"bare_json"_s;
}

QList<Anchor> BareJsonParser::anchors() const
{
    static const QList<Anchor> anchors { { u"{" } };
    return anchors;
}

ParserRank BareJsonParser::rank() const
{
    return ParserRank::Bare;
}

FormatMatch BareJsonParser::parse(QStringView text, const ToolCatalog& tools) const
{
    FormatMatch match;
    if (tools.isEmpty() || !text.contains(u'{') || !textMayHoldJsonCall(text, CallWords(tools)))
        return match;
    const JsonScan scan = scanJson(text, tools);
    match.format = formatOfItems(scan.items, kLlama3Json);
    appendItems(match, text, scan.items);
    for (const Failure& failure : scan.failures) {
        match.failed.append(failure.span);
        match.issues.append(failure.issue);
    }
    return match;
}

QString JsonFenceParser::name() const
{
    return u"json_fence"_s;
}

QList<Anchor> JsonFenceParser::anchors() const
{
    static const QList<Anchor> anchors { { u"```" }, { u"~~~" } };
    return anchors;
}

ParserRank JsonFenceParser::rank() const
{
    return ParserRank::Envelope;
}

FormatMatch JsonFenceParser::parse(QStringView text, const ToolCatalog& tools) const
{
    FormatMatch match;
    const CallWords words(tools);
    // A fence holds calls only when a call word is in it (calls outside fences are looked for
    // only next to such a fence).
    if (tools.isEmpty() || !text.contains(u'{') || !words.mayHoldCall(text))
        return match;

    QList<Fence> fences;
    qsizetype backtick = text.indexOf(u'`');
    qsizetype tilde = text.indexOf(u'~');
    qsizetype pos = 0;
    while (pos < text.size()) {
        if (backtick >= 0 && backtick < pos)
            backtick = text.indexOf(u'`', pos);
        if (tilde >= 0 && tilde < pos)
            tilde = text.indexOf(u'~', pos);
        if (backtick < 0 && tilde < 0)
            break;
        pos = backtick < 0 || (tilde >= 0 && tilde < backtick) ? tilde : backtick;
        const qsizetype run = fenceRunAt(text, pos);
        if (run == 0) {
            ++pos;
            continue;
        }
        // A run glued to a word or a quote is not an opener: "```py\n..." inside a JSON string.
        if (pos > 0 && !fenceMayFollow(text.at(pos - 1))) {
            pos += run;
            continue;
        }
        Fence fence = readFence(text, pos, run, tools, words);
        pos = std::max(fence.resume, pos + run);
        if (!fence.items.isEmpty())
            fences.append(fence);
    }
    if (fences.isEmpty())
        return match;

    match.format = kCodeFence;
    for (const Fence& fence : fences) {
        match.markup.append(fence.whole);
        for (const JsonItem& item : fence.items) {
            match.calls.append(item.calls);
            match.issues.append(item.issues);
        }
        for (const Failure& failure : fence.failures) {
            match.failed.append(failure.span);
            match.issues.append(failure.issue);
        }
    }

    // Calls written outside the fences belong to this match as well: only one parser wins a text.
    auto insideFence = [&fences](const TextSpan& span) {
        return std::any_of(fences.cbegin(), fences.cend(), [&span](const Fence& fence) {
            return span.start >= fence.whole.start && span.end <= fence.whole.end;
        });
    };
    const JsonScan scan = scanJson(text, tools);
    QList<JsonItem> outside;
    for (const JsonItem& item : scan.items) {
        if (!insideFence(item.claim))
            outside.append(item);
    }
    appendItems(match, text, outside);
    for (const Failure& failure : scan.failures) {
        if (insideFence(failure.span))
            continue;
        match.failed.append(failure.span);
        match.issues.append(failure.issue);
    }
    std::stable_sort(match.calls.begin(), match.calls.end(),
        [](const ParsedCall& a, const ParsedCall& b) { return a.span.start < b.span.start; });
    return match;
}

} // namespace Guard
