#include "xmlinvoke.h"

#include "../literalparser.h"
#include "argumenttyping.h"

#include <QJsonArray>
#include <QJsonObject>

#include <algorithm>
#include <cmath>
#include <optional>

using namespace Qt::StringLiterals;

namespace Guard {

namespace {

// ---------------------------------------------------------------------------------------------
// Text helpers

bool startsAt(QStringView text, qsizetype pos, QStringView token)
{
    return pos >= 0 && pos + token.size() <= text.size() && text.sliced(pos, token.size()) == token;
}

qsizetype skipSpaces(QStringView text, qsizetype pos, qsizetype limit)
{
    while (pos < limit && text.at(pos).isSpace())
        ++pos;
    return pos;
}

// The earliest occurrence of any of several needles at or after a position. Each needle's next
// hit is remembered, so scanning a whole text costs one pass per needle.
class NeedleScanner
{
public:
    NeedleScanner(QStringView text, QList<QString> needles)
        : m_text(text)
        , m_needles(std::move(needles))
        , m_next(m_needles.size(), -2)
    { }

    qsizetype next(qsizetype from)
    {
        qsizetype best = -1;
        for (qsizetype i = 0; i < m_needles.size(); ++i) {
            if (m_next[i] == -1)
                continue;
            if (m_next[i] < from)
                m_next[i] = m_text.indexOf(m_needles[i], from);
            if (m_next[i] >= 0 && (best < 0 || m_next[i] < best))
                best = m_next[i];
        }
        return best;
    }

private:
    QStringView m_text;
    QList<QString> m_needles;
    QList<qsizetype> m_next; // -2: not searched yet, -1: no more hits
};

// MiniMax-M3 writes this namespace token before every tag; a detokenizer bug seen in the wild
// drops its leading ']'. The longer spelling comes first.
constexpr QStringView kMarkers[] = { u"]<]minimax[>[", u"<]minimax[>[" };

qsizetype markerAt(QStringView text, qsizetype pos)
{
    for (QStringView marker : kMarkers) {
        if (startsAt(text, pos, marker))
            return marker.size();
    }
    return 0;
}

// `pos`, moved back over a MiniMax-M3 marker that ends there (not below `floor`).
qsizetype withMarkerBefore(QStringView text, qsizetype pos, qsizetype floor)
{
    for (QStringView marker : kMarkers) {
        if (pos - marker.size() >= floor && startsAt(text, pos - marker.size(), marker))
            return pos - marker.size();
    }
    return pos;
}

QString decodeEntities(QStringView value)
{
    if (!value.contains(u'&'))
        return value.toString();
    struct Entity
    {
        QStringView name;
        char16_t character;
    };
    static constexpr Entity kEntities[] = {
        { u"&quot;", u'"' },
        { u"&apos;", u'\'' },
        { u"&lt;", u'<' },
        { u"&gt;", u'>' },
        { u"&amp;", u'&' },
    };
    QString result;
    result.reserve(value.size());
    for (qsizetype i = 0; i < value.size();) {
        const Entity* found = nullptr;
        if (value.at(i) == u'&') {
            for (const Entity& entity : kEntities) {
                if (startsAt(value, i, entity.name)) {
                    found = &entity;
                    break;
                }
            }
        }
        if (found) {
            result.append(QChar(found->character));
            i += found->name.size();
        } else {
            result.append(value.at(i));
            ++i;
        }
    }
    return result;
}

// ---------------------------------------------------------------------------------------------
// Tags and attributes

struct Attribute
{
    QStringView name;
    QString value; // entities decoded
};

using Attributes = QList<Attribute>;

std::optional<QString> attributeValue(const Attributes& attributes, QStringView name)
{
    for (const Attribute& attribute : attributes) {
        if (attribute.name == name)
            return attribute.value;
    }
    return std::nullopt;
}

bool endsName(QChar c)
{
    return c.isSpace() || c == u'>' || c == u'/' || c == u'<' || c == u'=' || c == u'"' || c == u'\'';
}

// Names and type flags are short: a value is looked for this far at most, so a stray quote cannot
// send every tag read to the end of the text.
constexpr qsizetype kMaxAttributeLength = 1024;

// Reads one `key="value"` (or 'value', or an unquoted value, or a bare key) at `pos`; nullopt
// when no attribute starts there. Advances `pos` past it.
std::optional<Attribute> readAttribute(QStringView text, qsizetype& pos, qsizetype limit)
{
    const qsizetype keyStart = pos;
    while (pos < limit && !endsName(text.at(pos)))
        ++pos;
    if (pos == keyStart)
        return std::nullopt;
    Attribute attribute { text.sliced(keyStart, pos - keyStart), QString() };
    const qsizetype afterKey = pos;
    pos = skipSpaces(text, pos, limit);
    if (pos >= limit || text.at(pos) != u'=') {
        pos = afterKey;
        return attribute;
    }
    pos = skipSpaces(text, pos + 1, limit);
    if (pos >= limit)
        return std::nullopt;
    const QChar quote = text.at(pos);
    if (quote == u'"' || quote == u'\'') {
        const qsizetype valueStart = pos + 1;
        const qsizetype valueEnd
            = text.first(std::min(limit, valueStart + kMaxAttributeLength)).indexOf(quote, valueStart);
        if (valueEnd < 0)
            return std::nullopt;
        attribute.value = decodeEntities(text.sliced(valueStart, valueEnd - valueStart));
        pos = valueEnd + 1;
        return attribute;
    }
    const qsizetype valueStart = pos;
    while (pos < limit && !text.at(pos).isSpace() && text.at(pos) != u'>'
        && !(text.at(pos) == u'/' && pos + 1 < limit && text.at(pos + 1) == u'>'))
        ++pos;
    attribute.value = decodeEntities(text.sliced(valueStart, pos - valueStart));
    return attribute;
}

// Every attribute in `text` (Kimi K3 writes them between a word and <|sep|>).
Attributes attributesIn(QStringView text)
{
    Attributes attributes;
    qsizetype pos = 0;
    while (true) {
        pos = skipSpaces(text, pos, text.size());
        if (pos >= text.size())
            break;
        const std::optional<Attribute> attribute = readAttribute(text, pos, text.size());
        if (!attribute) {
            ++pos;
            continue;
        }
        attributes.append(*attribute);
    }
    return attributes;
}

struct Tag
{
    qsizetype start = 0; // the '<', or the MiniMax-M3 marker written before it
    qsizetype end = 0; // just past '>'
    bool closing = false;
    bool selfClosing = false;
    bool marked = false; // a MiniMax-M3 marker came first
    QStringView name;
    Attributes attributes;
};

// Reads the tag at `pos` (a MiniMax-M3 marker may come first); nullopt when there is none, or
// when the text runs out inside it.
std::optional<Tag> readTag(QStringView text, qsizetype pos, qsizetype limit)
{
    Tag tag;
    tag.start = pos;
    const qsizetype marker = markerAt(text, pos);
    tag.marked = marker > 0;
    pos += marker;
    if (pos >= limit || text.at(pos) != u'<')
        return std::nullopt;
    ++pos;
    if (pos < limit && text.at(pos) == u'/') {
        tag.closing = true;
        ++pos;
    }
    const qsizetype nameStart = pos;
    while (pos < limit && !endsName(text.at(pos)))
        ++pos;
    tag.name = text.sliced(nameStart, pos - nameStart);
    if (tag.name.isEmpty() || tag.name.front() == u']' || tag.name.front() == u'!')
        return std::nullopt;
    if (pos < limit && text.at(pos) == u'=') {
        // <functionname="x">: the attribute glued to the element name (MiniCPM5); anything else
        // with '=' right after the name (<function=x>) is another format's tag.
        if (tag.closing || tag.name.size() <= 4 || !tag.name.endsWith(u"name"))
            return std::nullopt;
        tag.name.chop(4);
        pos -= 4;
    }
    while (true) {
        pos = skipSpaces(text, pos, limit);
        if (pos >= limit)
            return std::nullopt;
        if (text.at(pos) == u'>') {
            tag.end = pos + 1;
            return tag;
        }
        if (text.at(pos) == u'/' && pos + 1 < limit && text.at(pos + 1) == u'>') {
            tag.selfClosing = true;
            tag.end = pos + 2;
            return tag;
        }
        if (tag.closing)
            return std::nullopt;
        const std::optional<Attribute> attribute = readAttribute(text, pos, limit);
        if (!attribute)
            return std::nullopt;
        tag.attributes.append(*attribute);
    }
}

struct Found
{
    qsizetype start = -1; // a MiniMax-M3 marker before the tag included
    qsizetype end = -1;
    explicit operator bool() const { return start >= 0; }
};

// The first closing tag </NAME> for any of `names` in [from, limit).
Found findClosingTag(QStringView text, qsizetype from, qsizetype limit, const QList<QStringView>& names)
{
    const QStringView window = text.first(limit);
    qsizetype pos = from;
    while (true) {
        const qsizetype lt = window.indexOf(u"</", pos);
        if (lt < 0)
            return {};
        for (QStringView name : names) {
            if (!startsAt(window, lt + 2, name))
                continue;
            const qsizetype gt = skipSpaces(window, lt + 2 + name.size(), limit);
            if (gt < limit && window.at(gt) == u'>')
                return { withMarkerBefore(text, lt, from), gt + 1 };
        }
        pos = lt + 2;
    }
}

// The tag closing the element `name` whose content starts at `from`, with nested elements of the
// same name counted (MiniMax-M3's <item> inside <item>).
Found findElementClose(QStringView text, qsizetype from, qsizetype limit, QStringView name)
{
    const QString open = u"<"_s + name;
    const QList<QStringView> names { name };
    Found close = findClosingTag(text, from, limit, names);
    qsizetype pos = from;
    int depth = 1;
    while (close) {
        const QStringView window = text.first(close.start);
        qsizetype nested = window.indexOf(open, pos);
        while (nested >= 0) {
            const qsizetype after = nested + open.size();
            if (after < window.size()
                && (window.at(after) == u'>' || window.at(after).isSpace() || window.at(after) == u'/'))
                break;
            nested = window.indexOf(open, nested + 1);
        }
        if (nested >= 0) {
            ++depth;
            pos = nested + open.size();
            continue;
        }
        if (--depth == 0)
            return close;
        pos = close.end;
        close = findClosingTag(text, pos, limit, names);
    }
    return {};
}

// Where the next tag may start at or after `from` (its MiniMax-M3 marker included), -1 if none.
qsizetype nextTagStart(QStringView text, qsizetype from, qsizetype limit)
{
    const qsizetype lt = text.first(limit).indexOf(u'<', from);
    if (lt < 0)
        return -1;
    if (lt > from && markerAt(text, lt - 1) > 0)
        return lt - 1;
    return lt;
}

// `pos` moved back over `tokens` written before it, with whitespace between them (never below
// `floor`), e.g. over "<function_calls>\n" in front of the first call of a block.
qsizetype extendLeft(QStringView text, qsizetype pos, qsizetype floor, const QList<QStringView>& tokens)
{
    while (true) {
        qsizetype before = pos;
        while (before > floor && text.at(before - 1).isSpace())
            --before;
        bool extended = false;
        for (QStringView token : tokens) {
            if (before - token.size() >= floor && startsAt(text, before - token.size(), token)) {
                pos = before - token.size();
                extended = true;
                break;
            }
        }
        if (!extended)
            return pos;
    }
}

// `pos` moved forward over `tokens` written after it, with whitespace between them.
qsizetype extendRight(QStringView text, qsizetype pos, qsizetype limit, const QList<QStringView>& tokens)
{
    while (true) {
        const qsizetype after = skipSpaces(text, pos, limit);
        bool extended = false;
        for (QStringView token : tokens) {
            if (after + token.size() <= limit && startsAt(text, after, token)) {
                pos = after + token.size();
                extended = true;
                break;
            }
        }
        if (!extended)
            return pos;
    }
}

// ---------------------------------------------------------------------------------------------
// Argument values

// What the model itself said about a value: DSML's string="true|false", Kimi K3's type="...".
enum class Declared { Nothing, Text, Json };

bool admits(const QStringList& types, const QJsonValue& value)
{
    switch (value.type()) {
    case QJsonValue::Null:
        return types.contains("null"_L1);
    case QJsonValue::Bool:
        return types.contains("boolean"_L1);
    case QJsonValue::Double:
        return types.contains("number"_L1)
            || (types.contains("integer"_L1) && value.toDouble() == std::floor(value.toDouble()));
    case QJsonValue::String:
        return types.contains("string"_L1);
    case QJsonValue::Array:
        return types.contains("array"_L1);
    case QJsonValue::Object:
        return types.contains("object"_L1);
    case QJsonValue::Undefined:
        break;
    }
    return false;
}

// The one newline after an opening tag and before a closing tag is layout, not part of the value.
QStringView withoutLayoutNewlines(QStringView raw)
{
    if (raw.startsWith(u"\r\n"))
        raw = raw.sliced(2);
    else if (raw.startsWith(u'\n'))
        raw = raw.sliced(1);
    if (raw.endsWith(u"\r\n"))
        raw.chop(2);
    else if (raw.endsWith(u'\n'))
        raw.chop(1);
    return raw;
}

struct TypedValue
{
    bool ok = true;
    QJsonValue value;
    QString error;
};

// Types one argument's text. The schema decides, except where the model declared the value as
// text (kept as written unless the schema rules a string out) or as JSON (parsed; text only when
// that fails and a string is allowed, otherwise the argument does not parse).
TypedValue typedValue(QStringView raw, const QJsonObject& schema, const QJsonObject& root, Declared declared)
{
    const QStringList types = admittedTypes(schema, root);
    const bool textAllowed = types.isEmpty() || types.contains("string"_L1);
    switch (declared) {
    case Declared::Nothing:
        break;
    case Declared::Text:
        if (textAllowed)
            return { true, QJsonValue(raw.toString()), QString() };
        break;
    case Declared::Json: {
        const LiteralParse parsed = parseWholeLiteral(raw, LiteralDialect::Json);
        if (parsed.ok && (types.isEmpty() || admits(types, parsed.value)))
            return { true, parsed.value, QString() };
        if (textAllowed)
            return { true, QJsonValue(raw.toString()), QString() };
        if (parsed.ok)
            return { true, parsed.value, QString() };
        return { false, QJsonValue(), parsed.error };
    }
    }
    return { true, typeArgumentText(raw, schema, root), QString() };
}

// The branch of a schema (itself or one of its anyOf/oneOf alternatives) that admits `type`.
QJsonObject branchFor(
    const QJsonObject& schema, const QJsonObject& root, QLatin1StringView type, int depth = 0)
{
    if (depth > 8)
        return {};
    const QJsonObject resolved = ToolCatalog::resolveRef(schema, root);
    const QJsonValue declared = resolved.value("type"_L1);
    if (declared.toString() == type || declared.toArray().contains(QJsonValue(QString(type))))
        return resolved;
    if (!declared.isString() && !declared.isArray()) {
        if ((type == "object"_L1 && resolved.contains("properties"_L1))
            || (type == "array"_L1 && resolved.contains("items"_L1)))
            return resolved;
    }
    for (QLatin1StringView key : { "anyOf"_L1, "oneOf"_L1 }) {
        for (const QJsonValue& branch : resolved.value(key).toArray()) {
            const QJsonObject found = branchFor(branch.toObject(), root, type, depth + 1);
            if (!found.isEmpty())
                return found;
        }
    }
    return {};
}

struct Child
{
    QStringView name;
    QStringView inner;
};

// The child elements of a MiniMax-M3 value, or nullopt when the value is text.
std::optional<QList<Child>> childElements(QStringView raw)
{
    QList<Child> children;
    qsizetype pos = 0;
    while (true) {
        pos = skipSpaces(raw, pos, raw.size());
        if (pos >= raw.size())
            break;
        const std::optional<Tag> tag = readTag(raw, pos, raw.size());
        if (!tag || tag->closing) {
            if (children.isEmpty())
                return std::nullopt;
            break; // text after the children is not part of the structure
        }
        if (tag->selfClosing) {
            children.append({ tag->name, QStringView() });
            pos = tag->end;
            continue;
        }
        const Found close = findElementClose(raw, tag->end, raw.size(), tag->name);
        if (!close)
            return std::nullopt;
        children.append({ tag->name, raw.sliced(tag->end, close.start - tag->end) });
        pos = close.end;
    }
    if (children.isEmpty())
        return std::nullopt;
    return children;
}

// A MiniMax-M3 argument: arrays are <item> children, objects one child element per key, scalars
// text; the schema decides between them (a type that admits a string keeps the text as written,
// children included, as the reference parser does).
QJsonValue elementValue(QStringView raw, const QJsonObject& schema, const QJsonObject& root, int depth)
{
    const QStringList types = admittedTypes(schema, root);
    if (types.contains("string"_L1) || depth > 32)
        return typeArgumentText(raw, schema, root);
    const std::optional<QList<Child>> children = childElements(raw);
    if (!children) {
        if (raw.trimmed().isEmpty() && types.contains("array"_L1))
            return QJsonArray();
        if (raw.trimmed().isEmpty() && types.contains("object"_L1))
            return QJsonObject();
        return typeArgumentText(raw, schema, root);
    }
    const bool allItems = std::all_of(
        children->cbegin(), children->cend(), [](const Child& child) { return child.name == u"item"; });
    const bool asArray = types.contains("array"_L1) ? (allItems || !types.contains("object"_L1))
                                                    : (types.isEmpty() && allItems);
    if (asArray) {
        const QJsonObject items
            = ToolCatalog::resolveRef(branchFor(schema, root, "array"_L1).value("items"_L1).toObject(), root);
        QJsonArray array;
        for (const Child& child : *children)
            array.append(elementValue(child.inner, items, root, depth + 1));
        return array;
    }
    if (types.contains("object"_L1) || types.isEmpty()) {
        const QJsonObject properties = branchFor(schema, root, "object"_L1).value("properties"_L1).toObject();
        QJsonObject object;
        for (const Child& child : *children) {
            const QString key = child.name.toString();
            const QJsonObject property = ToolCatalog::resolveRef(properties.value(key).toObject(), root);
            object.insert(key, elementValue(child.inner, property, root, depth + 1));
        }
        return object;
    }
    return QJsonValue(raw.toString()); // structure where a scalar was declared: the validator says so
}

// ---------------------------------------------------------------------------------------------
// Shared reporting

// The declared tool a written name means. Muse Glimmer doubles a bare name as "NAME.NAME".
const ToolDefinition* resolveTool(const ToolCatalog& tools, QStringView written)
{
    if (const ToolDefinition* tool = tools.resolve(written))
        return tool;
    const QStringView trimmed = written.trimmed();
    const qsizetype dot = trimmed.indexOf(u'.');
    if (dot > 0 && trimmed.sliced(0, dot) == trimmed.sliced(dot + 1))
        return tools.resolve(trimmed.sliced(0, dot));
    return nullptr;
}

QString undeclaredIssue(const QString& format, QStringView written)
{
    if (written.trimmed().isEmpty())
        return format + u": a call names no tool"_s;
    return format + u": '"_s + written.trimmed() + u"' is not a declared tool"_s;
}

QString truncatedIssue(const QString& format, QStringView written)
{
    return format + u": the call to '"_s + written.trimmed() + u"' is cut off before its closing tag"_s;
}

// Adds `zone` to the markup, leaving out the failed calls inside it: a near miss stays visible.
void addMarkup(FormatMatch& match, TextSpan zone, const QList<TextSpan>& failed)
{
    qsizetype pos = zone.start;
    for (const TextSpan& miss : failed) {
        if (miss.end <= pos || miss.start >= zone.end)
            continue;
        if (miss.start > pos)
            match.markup.append({ pos, miss.start });
        pos = std::max(pos, miss.end);
    }
    if (pos < zone.end)
        match.markup.append({ pos, zone.end });
}

// ---------------------------------------------------------------------------------------------
// The invoke grammar, parameterised by dialect

struct Dialect
{
    QString format;
    QList<QStringView> invokeTags; // element names of one call
    QList<QStringView> parameterTags; // element names of one argument, named by `name`
    QList<QStringView> transparentTags; // wrappers inside a call that are read through
    QList<QStringView> openers; // tokens that may precede a run of calls
    QList<QStringView> closers; // tokens that may follow a run of calls
    bool elementArguments = false; // another child element is an argument named by its tag
    bool jsonBody = false; // a JSON object may stand for the arguments
    bool claimsAnyBody = true; // false: a nameless call, or a body that starts with
                               // neither an argument nor the closing tag, is another
                               // format's (MiniCPM5 next to Hermes' <function name=..>)

    QList<QString> needles() const
    {
        QList<QString> result;
        for (QStringView tag : invokeTags)
            result.append(u"<"_s + tag);
        return result;
    }
};

struct InvokeResult
{
    enum class Kind { NotCall, Call, Failed };
    Kind kind = Kind::NotCall;
    TextSpan span;
    bool truncated = false;
    bool namespaced = false; // MiniMax-M3 markers or element-named arguments
    ParsedCall call;
    QString issue;
};

bool isInvokeOpen(QStringView text, qsizetype pos, qsizetype limit, const Dialect& dialect)
{
    const std::optional<Tag> tag = readTag(text, pos, limit);
    return tag && !tag->closing && dialect.invokeTags.contains(tag->name);
}

struct ValueRead
{
    bool truncated = false;
    QString value;
    qsizetype end = 0;
};

// The text of one parameter element whose content starts at `from`: up to its closing tag,
// with CDATA sections unwrapped. A call's closing tag that comes first ends the value too (the
// parameter's own closing tag was left out).
ValueRead readParameterValue(QStringView text, qsizetype from, qsizetype limit, const Dialect& dialect)
{
    ValueRead read;
    qsizetype pos = from;
    while (true) {
        const Found close = findClosingTag(text, pos, limit, dialect.parameterTags);
        const qsizetype searchEnd = close ? close.start : limit;
        const qsizetype cdata = text.first(searchEnd).indexOf(u"<![CDATA[", pos);
        if (cdata >= 0) {
            const qsizetype cdataEnd = text.first(limit).indexOf(u"]]>", cdata + 9);
            if (cdataEnd < 0) {
                read.truncated = true;
                return read;
            }
            read.value += text.sliced(pos, cdata - pos) + text.sliced(cdata + 9, cdataEnd - cdata - 9);
            pos = cdataEnd + 3;
            continue;
        }
        const Found callClose = findClosingTag(text, pos, searchEnd, dialect.invokeTags);
        if (callClose) {
            read.value += text.sliced(pos, callClose.start - pos);
            read.end = callClose.start;
            return read;
        }
        if (!close) {
            read.truncated = true;
            return read;
        }
        read.value += text.sliced(pos, close.start - pos);
        read.end = close.end;
        return read;
    }
}

Declared declaredByAttributes(const Attributes& attributes)
{
    const std::optional<QString> string = attributeValue(attributes, u"string");
    if (!string)
        return Declared::Nothing;
    if (string->compare("true"_L1, Qt::CaseInsensitive) == 0)
        return Declared::Text;
    if (string->compare("false"_L1, Qt::CaseInsensitive) == 0)
        return Declared::Json;
    return Declared::Nothing;
}

// Reads the call element at `pos` (its opening tag, a marker possibly first). `recipient` names
// the call when the element does not (Muse Glimmer's channel header).
InvokeResult readInvoke(QStringView text, qsizetype pos, qsizetype limit, const Dialect& dialect,
    const ToolCatalog& tools, const QString& recipient)
{
    InvokeResult result;
    const std::optional<Tag> open = readTag(text, pos, limit);
    if (!open || open->closing || !dialect.invokeTags.contains(open->name))
        return result;
    const std::optional<QString> nameAttribute = attributeValue(open->attributes, u"name");
    // An element with no name anywhere (a bare <invoke> in prose) is not call-shaped enough.
    if (!nameAttribute && recipient.isEmpty())
        return result;
    const QString written = nameAttribute.value_or(recipient).trimmed();
    const ToolDefinition* tool = resolveTool(tools, written);
    result.span.start = open->start;
    result.namespaced = open->marked;

    auto truncated = [&] {
        result.kind = InvokeResult::Kind::Failed;
        result.truncated = true;
        result.span.end = limit;
        result.issue = truncatedIssue(dialect.format, written);
        return result;
    };

    QJsonObject arguments;
    QString problem; // the first reason the call cannot be used
    qsizetype at = open->end;
    bool sawArgument = false;
    // Skips to the call's closing tag after a malformed part; the text ran out when there is none.
    auto skipToClose = [&](const QString& why) {
        const Found close = findClosingTag(text, at, limit, dialect.invokeTags);
        if (!close)
            return false;
        if (problem.isEmpty())
            problem = why;
        at = close.end;
        return true;
    };

    while (!open->selfClosing) {
        at = skipSpaces(text, at, limit);
        if (at >= limit)
            return truncated();
        const std::optional<Tag> tag = readTag(text, at, limit);
        if (!tag) {
            if (!sawArgument && dialect.jsonBody && text.at(at) == u'{') {
                const LiteralParse json = parseLiteral(text.first(limit), at, LiteralDialect::Json);
                if (json.ok && json.value.isObject()) {
                    arguments = json.value.toObject();
                    sawArgument = true;
                    at = json.end;
                    continue;
                }
                if (!json.ok && json.end >= limit)
                    return truncated();
                if (!skipToClose(u"its arguments are not a JSON object"_s))
                    return truncated();
                break;
            }
            if (!sawArgument && !dialect.claimsAnyBody)
                return InvokeResult();
            if (!sawArgument) {
                if (!skipToClose(u"its body is neither parameters nor JSON"_s))
                    return truncated();
                break;
            }
            // Stray text between arguments is tolerated.
            const qsizetype next = nextTagStart(text, at + 1, limit);
            if (next < 0)
                return truncated();
            at = next;
            continue;
        }
        if (tag->closing) {
            if (dialect.invokeTags.contains(tag->name)) {
                at = tag->end;
                break;
            }
            if (dialect.transparentTags.contains(tag->name) || dialect.parameterTags.contains(tag->name)) {
                at = tag->end; // a wrapper's end, or a stray closing tag
                continue;
            }
            break; // the block closes: the call ended without its own closing tag
        }
        if (dialect.invokeTags.contains(tag->name))
            break; // the next call starts: this one ended without its closing tag
        if (dialect.transparentTags.contains(tag->name)) {
            at = tag->end;
            continue;
        }
        if (dialect.parameterTags.contains(tag->name)) {
            sawArgument = true;
            const QString key = attributeValue(tag->attributes, u"name").value_or(QString()).trimmed();
            QString value;
            if (tag->selfClosing) {
                at = tag->end;
            } else {
                const ValueRead read = readParameterValue(text, tag->end, limit, dialect);
                if (read.truncated)
                    return truncated();
                value = read.value;
                at = read.end;
            }
            if (key.isEmpty()) {
                if (problem.isEmpty())
                    problem = u"a parameter has no name"_s;
                continue;
            }
            if (!tool)
                continue;
            const TypedValue typed
                = typedValue(withoutLayoutNewlines(value), ToolCatalog::propertySchema(*tool, key),
                    tool->parameters, declaredByAttributes(tag->attributes));
            if (!typed.ok) {
                if (problem.isEmpty())
                    problem = u"argument '"_s + key + u"' does not parse: "_s + typed.error;
                continue;
            }
            arguments.insert(key, typed.value);
            continue;
        }
        if (dialect.elementArguments) {
            sawArgument = true;
            result.namespaced = true;
            QStringView inner;
            if (tag->selfClosing) {
                at = tag->end;
            } else {
                const Found close = findElementClose(text, tag->end, limit, tag->name);
                if (!close) {
                    if (!skipToClose(u"element <"_s + tag->name + u"> is never closed"_s))
                        return truncated();
                    break;
                }
                inner = text.sliced(tag->end, close.start - tag->end);
                at = close.end;
            }
            if (tool) {
                arguments.insert(tag->name.toString(),
                    elementValue(inner, ToolCatalog::propertySchema(*tool, tag->name), tool->parameters, 0));
            }
            continue;
        }
        if (!sawArgument && !dialect.claimsAnyBody)
            return InvokeResult();
        if (!skipToClose(u"it holds an unexpected <"_s + tag->name + u">"_s))
            return truncated();
        break;
    }
    if (open->selfClosing)
        at = open->end;
    // A call that ended without its closing tag does not own the blanks before what follows.
    while (at > open->end && text.at(at - 1).isSpace())
        --at;
    result.span.end = at;
    if (!tool) {
        result.kind = InvokeResult::Kind::Failed;
        result.issue = undeclaredIssue(dialect.format, written);
        return result;
    }
    if (!problem.isEmpty()) {
        result.kind = InvokeResult::Kind::Failed;
        result.issue = dialect.format + u": the call to '"_s + tool->name + u"' is malformed: "_s + problem;
        return result;
    }
    result.kind = InvokeResult::Kind::Call;
    result.call = ParsedCall { tool->name, arguments, QString(), result.span };
    return result;
}

// A run of calls: consecutive call elements with the block and wrapper tokens around them.
struct Run
{
    TextSpan whole;
    TextSpan calls; // from the first call's start to the last call's end
    qsizetype callCount = 0;
    bool namespaced = false;
};

// Reads every run of `dialect` calls in text[from, limit) into `match`: calls, failures, and the
// markup of runs that produced a call.
QList<Run> scanInvokes(QStringView text, qsizetype from, qsizetype limit, const Dialect& dialect,
    const ToolCatalog& tools, const QString& recipient, FormatMatch& match)
{
    QList<Run> runs;
    NeedleScanner scanner(text, dialect.needles());
    qsizetype pos = from;
    while (true) {
        const qsizetype lt = scanner.next(pos);
        if (lt < 0 || lt >= limit)
            break;
        const qsizetype callStart = withMarkerBefore(text, lt, pos);
        InvokeResult first = readInvoke(text, callStart, limit, dialect, tools, recipient);
        if (first.kind == InvokeResult::Kind::NotCall) {
            pos = lt + 1;
            continue;
        }
        Run run;
        run.whole.start = extendLeft(text, callStart, pos, dialect.openers);
        run.calls.start = callStart;
        QList<TextSpan> failed;
        InvokeResult current = std::move(first);
        while (true) {
            run.namespaced = run.namespaced || current.namespaced;
            run.calls.end = current.span.end;
            if (current.kind == InvokeResult::Kind::Call) {
                ++run.callCount;
                match.calls.append(current.call);
            } else {
                failed.append(current.span);
                match.failed.append(current.span);
                match.issues.append(current.issue);
            }
            run.whole.end = current.span.end;
            if (current.truncated)
                break;
            const qsizetype afterClosers = extendRight(text, current.span.end, limit, dialect.closers);
            const qsizetype bridged = extendRight(text, afterClosers, limit, dialect.openers);
            const qsizetype next = skipSpaces(text, bridged, limit);
            if (next < limit && isInvokeOpen(text, next, limit, dialect)) {
                InvokeResult following = readInvoke(text, next, limit, dialect, tools, recipient);
                if (following.kind != InvokeResult::Kind::NotCall) {
                    current = std::move(following);
                    continue;
                }
            }
            run.whole.end = afterClosers;
            break;
        }
        if (run.callCount > 0)
            addMarkup(match, run.whole, failed);
        runs.append(run);
        pos = std::max(run.whole.end, lt + 1);
    }
    return runs;
}

// ---------------------------------------------------------------------------------------------
// Dialects

const QString kMiniMaxM2 = u"minimax_m2_xml"_s;
const QString kMiniMaxM3 = u"minimax_m3_ns_xml"_s;
const QString kFunctionCalls = u"function_calls_invoke_xml"_s;

const Dialect& plainDialect()
{
    static const Dialect dialect {
        kFunctionCalls,
        { u"invoke" },
        { u"parameter" },
        {},
        { u"<minimax:tool_call>", u"<function_calls>", u"<tool_call>", u"<tool_calls>", kMarkers[0],
            kMarkers[1] },
        { u"</minimax:tool_call>", u"</function_calls>", u"</tool_call>", u"</tool_calls>", kMarkers[0],
            kMarkers[1] },
        true,
        true,
        true,
    };
    return dialect;
}

const Dialect& dsmlDialect()
{
    static const Dialect dialect {
        u"deepseek_dsml"_s,
        { u"\uff5cDSML\uff5cinvoke", u"|DSML|invoke" },
        { u"\uff5cDSML\uff5cparameter", u"|DSML|parameter" },
        {},
        { u"<\uff5cDSML\uff5cfunction_calls>", u"<\uff5cDSML\uff5ctool_calls>", u"<|DSML|function_calls>",
            u"<|DSML|tool_calls>" },
        { u"</\uff5cDSML\uff5cfunction_calls>", u"</\uff5cDSML\uff5ctool_calls>", u"</|DSML|function_calls>",
            u"</|DSML|tool_calls>" },
        false,
        true,
        true,
    };
    return dialect;
}

const Dialect& steptmlDialect()
{
    // The envelope tokens in Step3's spelling, their ASCII look-alikes and DeepSeek's U+2581
    // spelling (a steptml body makes the call Step3's whichever way the tokens came out).
    static const Dialect dialect {
        u"step3_steptml"_s,
        { u"steptml:invoke" },
        { u"steptml:parameter" },
        {},
        { u"<\uff5ctool_sep\uff5c>", u"<|tool_sep|>", u"<\uff5ctool\u2581sep\uff5c>", u"function",
            u"<\uff5ctool_call_begin\uff5c>", u"<|tool_call_begin|>",
            u"<\uff5ctool\u2581call\u2581begin\uff5c>", u"<\uff5ctool_calls_begin\uff5c>",
            u"<|tool_calls_begin|>", u"<\uff5ctool\u2581calls\u2581begin\uff5c>" },
        { u"<\uff5ctool_call_end\uff5c>", u"<|tool_call_end|>", u"<\uff5ctool\u2581call\u2581end\uff5c>",
            u"<\uff5ctool_calls_end\uff5c>", u"<|tool_calls_end|>",
            u"<\uff5ctool\u2581calls\u2581end\uff5c>" },
        false,
        true,
        true,
    };
    return dialect;
}

const Dialect& atemDialect()
{
    static const Dialect dialect {
        u"muse_glimmer_atem"_s,
        { u"atem:invoke" },
        { u"atem:parameter" },
        {},
        { u"<atem:function_calls>" },
        { u"</atem:function_calls>" },
        false,
        true,
        true,
    };
    return dialect;
}

const Dialect& miniCpm5Dialect()
{
    static const Dialect dialect {
        u"minicpm5_xml"_s,
        { u"function" },
        { u"param", u"parameter" },
        { u"arguments" },
        { u"<tool_call>" },
        { u"</tool_call>" },
        false,
        false,
        false,
    };
    return dialect;
}

// The format of the first run that produced a call (of the first run when none did).
const Run* decisiveRun(const QList<Run>& runs)
{
    for (const Run& run : runs) {
        if (run.callCount > 0)
            return &run;
    }
    return runs.isEmpty() ? nullptr : &runs.first();
}

FormatMatch scanWholeText(QStringView text, const ToolCatalog& tools, const Dialect& dialect)
{
    FormatMatch match;
    const QList<Run> runs = scanInvokes(text, 0, text.size(), dialect, tools, QString(), match);
    if (!runs.isEmpty())
        match.format = dialect.format;
    return match;
}

// ---------------------------------------------------------------------------------------------
// Muse Glimmer channels

bool isRecipientChar(QChar c)
{
    return c.isLetterOrNumber() || c == u'_' || c == u'.' || c == u'-' || c == u':' || c == u'*';
}

struct MuseHeader
{
    qsizetype start = 0;
    QStringView recipient;
};

// The header ending at the <|message|> token at `message`: [<|start|>assistant][ to=RECIPIENT].
MuseHeader museHeaderAt(QStringView text, qsizetype message, qsizetype floor)
{
    MuseHeader header { message, QStringView() };
    qsizetype pos = message;
    qsizetype name = pos;
    while (name > floor && isRecipientChar(text.at(name - 1)))
        --name;
    if (name < pos && name - 3 >= floor && startsAt(text, name - 3, u"to=")) {
        header.recipient = text.sliced(name, pos - name);
        pos = name - 3;
    }
    qsizetype blank = pos;
    while (blank > floor && (text.at(blank - 1) == u' ' || text.at(blank - 1) == u'\t'))
        --blank;
    if (!header.recipient.isEmpty())
        header.start = blank;
    constexpr QStringView kRole = u"assistant";
    constexpr QStringView kStart = u"<|start|>";
    if (blank - kRole.size() >= floor && startsAt(text, blank - kRole.size(), kRole)) {
        qsizetype role = blank - kRole.size();
        while (role > floor && text.at(role - 1).isSpace())
            --role;
        if (role - kStart.size() >= floor && startsAt(text, role - kStart.size(), kStart))
            header.start = role - kStart.size();
    }
    return header;
}

// ---------------------------------------------------------------------------------------------
// Kimi K3 XTML

constexpr QStringView kXtmlOpen = u"<|open|>";
constexpr QStringView kXtmlClose = u"<|close|>";
constexpr QStringView kXtmlSep = u"<|sep|>";
const QString kKimiK3 = u"kimi_k3_xtml"_s;

struct XtmlMarker
{
    TextSpan span;
    bool opening = false;
    QStringView word; // think, response, tools, call, argument, json, message
    QStringView attributes; // between the word and <|sep|>
};

// The marker at `pos`: <|open|> or <|close|>, a word, attributes, <|sep|> (blanks tolerated
// inside, as a server that spaces out special tokens writes them).
std::optional<XtmlMarker> readXtmlMarker(QStringView text, qsizetype pos)
{
    XtmlMarker marker;
    marker.span.start = pos;
    if (startsAt(text, pos, kXtmlOpen)) {
        marker.opening = true;
        pos += kXtmlOpen.size();
    } else if (startsAt(text, pos, kXtmlClose)) {
        pos += kXtmlClose.size();
    } else {
        return std::nullopt;
    }
    pos = skipSpaces(text, pos, text.size());
    const qsizetype wordStart = pos;
    while (pos < text.size() && (text.at(pos).isLetterOrNumber() || text.at(pos) == u'_'))
        ++pos;
    if (pos == wordStart)
        return std::nullopt;
    marker.word = text.sliced(wordStart, pos - wordStart);
    // The attributes run to the next special token, which must be <|sep|>.
    const qsizetype sep = text.indexOf(u"<|", pos);
    if (sep < 0 || !startsAt(text, sep, kXtmlSep))
        return std::nullopt;
    marker.attributes = text.sliced(pos, sep - pos);
    marker.span.end = sep + kXtmlSep.size();
    return marker;
}

// The next marker at or after `from` (of the given kind and word when those are set).
std::optional<XtmlMarker> nextXtmlMarker(
    QStringView text, qsizetype from, std::optional<bool> opening = std::nullopt, QStringView word = {})
{
    qsizetype pos = from;
    while (true) {
        const qsizetype bar = text.indexOf(u"<|", pos);
        if (bar < 0)
            return std::nullopt;
        const std::optional<XtmlMarker> marker = readXtmlMarker(text, bar);
        if (marker && (!opening || marker->opening == *opening) && (word.isEmpty() || marker->word == word))
            return marker;
        pos = bar + 2;
    }
}

struct XtmlCall
{
    InvokeResult result;
    qsizetype end = 0;
};

// One <|open|>call ...<|sep|> element: argument and json elements up to <|close|>call<|sep|>.
XtmlCall readXtmlCall(QStringView text, const XtmlMarker& open, const ToolCatalog& tools)
{
    XtmlCall read;
    InvokeResult& result = read.result;
    result.span.start = open.span.start;
    const Attributes callAttributes = attributesIn(open.attributes);
    const QString written = attributeValue(callAttributes, u"tool").value_or(QString()).trimmed();
    const ToolDefinition* tool = resolveTool(tools, written);
    QJsonObject arguments;
    QString problem;
    qsizetype pos = open.span.end;
    auto truncated = [&] {
        result.kind = InvokeResult::Kind::Failed;
        result.truncated = true;
        result.span.end = text.size();
        result.issue = truncatedIssue(kKimiK3, written);
        read.end = text.size();
        return read;
    };
    while (true) {
        pos = skipSpaces(text, pos, text.size());
        if (pos >= text.size())
            return truncated();
        std::optional<XtmlMarker> marker = readXtmlMarker(text, pos);
        if (!marker) {
            marker = nextXtmlMarker(text, pos + 1);
            if (!marker)
                return truncated();
            if (problem.isEmpty())
                problem = u"text outside its arguments"_s;
            pos = marker->span.start;
            continue;
        }
        if (marker->word == u"call") {
            // <|close|>call<|sep|> ends it; a new call means its end was left out
            pos = marker->opening ? marker->span.start : marker->span.end;
            break;
        }
        const bool argument = marker->opening && marker->word == u"argument";
        const bool json = marker->opening && marker->word == u"json";
        if (!argument && !json) {
            pos = marker->span.start; // the section closes: the call ended without its end
            break;
        }
        const std::optional<XtmlMarker> close = nextXtmlMarker(text, marker->span.end, false);
        if (!close)
            return truncated();
        if (close->word != marker->word) {
            if (problem.isEmpty())
                problem = u"an "_s + marker->word + u" is never closed"_s;
            pos = close->span.start;
            continue;
        }
        const QStringView raw = text.sliced(marker->span.end, close->span.start - marker->span.end);
        pos = close->span.end;
        if (json) {
            const LiteralParse parsed = parseWholeLiteral(raw, LiteralDialect::Json);
            if (!parsed.ok || !parsed.value.isObject()) {
                if (problem.isEmpty())
                    problem = u"its JSON arguments do not parse"_s;
                continue;
            }
            const QJsonObject object = parsed.value.toObject();
            for (auto it = object.constBegin(); it != object.constEnd(); ++it)
                arguments.insert(it.key(), it.value());
            continue;
        }
        const Attributes attributes = attributesIn(marker->attributes);
        const QString key = attributeValue(attributes, u"key").value_or(QString());
        if (key.isEmpty()) {
            if (problem.isEmpty())
                problem = u"an argument has no key"_s;
            continue;
        }
        if (!tool)
            continue;
        const QString type = attributeValue(attributes, u"type").value_or(QString()).trimmed();
        const Declared declared = type.isEmpty() ? Declared::Nothing
            : type == u"string"                  ? Declared::Text
                                                 : Declared::Json;
        const TypedValue typed
            = typedValue(raw, ToolCatalog::propertySchema(*tool, key), tool->parameters, declared);
        if (!typed.ok) {
            if (problem.isEmpty())
                problem = u"argument '"_s + key + u"' is not a valid "_s + type;
            continue;
        }
        arguments.insert(key, typed.value);
    }
    read.end = pos;
    result.span.end = pos;
    if (!tool) {
        result.kind = InvokeResult::Kind::Failed;
        result.issue = undeclaredIssue(kKimiK3, written);
    } else if (!problem.isEmpty()) {
        result.kind = InvokeResult::Kind::Failed;
        result.issue = kKimiK3 + u": the call to '"_s + tool->name + u"' is malformed: "_s + problem;
    } else {
        result.kind = InvokeResult::Kind::Call;
        result.call = ParsedCall { tool->name, arguments, QString(), result.span };
    }
    return read;
}

void recordXtmlCall(FormatMatch& match, const InvokeResult& result, QList<TextSpan>& failed)
{
    if (result.kind == InvokeResult::Kind::Call) {
        match.calls.append(result.call);
        return;
    }
    failed.append(result.span);
    match.failed.append(result.span);
    match.issues.append(result.issue);
}

// A tools section from its opening marker to <|close|>tools<|sep|> (or to where its calls end
// when that marker was left out). Returns where the section ends.
qsizetype readToolsSection(
    QStringView text, const XtmlMarker& open, const ToolCatalog& tools, FormatMatch& match)
{
    QList<TextSpan> failed;
    const qsizetype callsBefore = match.calls.size();
    qsizetype pos = open.span.end;
    qsizetype end = pos;
    while (true) {
        pos = skipSpaces(text, pos, text.size());
        const std::optional<XtmlMarker> marker = readXtmlMarker(text, pos);
        if (!marker)
            break; // the text after the last call is not the section's
        if (!marker->opening && marker->word == u"tools") {
            end = marker->span.end;
            break;
        }
        if (!marker->opening || marker->word != u"call")
            break;
        const XtmlCall call = readXtmlCall(text, *marker, tools);
        recordXtmlCall(match, call.result, failed);
        pos = end = call.end;
        if (call.result.truncated)
            break;
    }
    if (match.calls.size() > callsBefore)
        addMarkup(match, { open.span.start, end }, failed);
    return end;
}

} // namespace

// ---------------------------------------------------------------------------------------------

QString InvokeParser::name() const
{
    return u"invoke-xml"_s;
}

QList<Anchor> InvokeParser::anchors() const
{
    static const QList<Anchor> anchors { { u"<invoke" } };
    return anchors;
}

ParserRank InvokeParser::rank() const
{
    return ParserRank::Anchored;
}

FormatMatch InvokeParser::parse(QStringView text, const ToolCatalog& tools) const
{
    FormatMatch match;
    if (!text.contains(u"<invoke"))
        return match;
    const QList<Run> runs = scanInvokes(text, 0, text.size(), plainDialect(), tools, QString(), match);
    const Run* run = decisiveRun(runs);
    if (!run)
        return match;
    const QStringView before = text.sliced(run->whole.start, run->calls.start - run->whole.start);
    const QStringView after = text.sliced(run->calls.end, run->whole.end - run->calls.end);
    if (run->namespaced || before.contains(kMarkers[1]) || after.contains(kMarkers[1]))
        match.format = kMiniMaxM3;
    else if (before.contains(u"<minimax:tool_call>") || after.contains(u"</minimax:tool_call>"))
        match.format = kMiniMaxM2;
    else
        match.format = kFunctionCalls;
    return match;
}

QString DsmlParser::name() const
{
    return u"dsml"_s;
}

QList<Anchor> DsmlParser::anchors() const
{
    // Every DSML token holds the namespace between bars: "<｜DSML｜invoke", "</|DSML|tool_calls>".
    static const QList<Anchor> anchors { { u"\uff5cDSML" }, { u"|DSML" } };
    return anchors;
}

ParserRank DsmlParser::rank() const
{
    return ParserRank::Anchored;
}

FormatMatch DsmlParser::parse(QStringView text, const ToolCatalog& tools) const
{
    if (!text.contains(u"DSML"))
        return FormatMatch();
    return scanWholeText(text, tools, dsmlDialect());
}

QString SteptmlParser::name() const
{
    return u"steptml"_s;
}

QList<Anchor> SteptmlParser::anchors() const
{
    static const QList<Anchor> anchors { { u"<steptml:invoke" } };
    return anchors;
}

ParserRank SteptmlParser::rank() const
{
    return ParserRank::Anchored;
}

FormatMatch SteptmlParser::parse(QStringView text, const ToolCatalog& tools) const
{
    if (!text.contains(u"<steptml:invoke"))
        return FormatMatch();
    return scanWholeText(text, tools, steptmlDialect());
}

QString AtemParser::name() const
{
    return u"atem"_s;
}

QList<Anchor> AtemParser::anchors() const
{
    static const QList<Anchor> anchors { { u"<atem:invoke" } };
    return anchors;
}

ParserRank AtemParser::rank() const
{
    return ParserRank::Anchored;
}

FormatMatch AtemParser::parse(QStringView text, const ToolCatalog& tools) const
{
    constexpr QStringView kMessage = u"<|message|>";
    if (!text.contains(u"<atem:invoke"))
        return FormatMatch();
    // Without channel framing (special tokens stripped) the whole text is read as a tool channel.
    if (!text.contains(kMessage))
        return scanWholeText(text, tools, atemDialect());

    FormatMatch match;
    match.format = atemDialect().format;
    NeedleScanner ends(text, { u"<|eom|>"_s, u"<|eot|>"_s, u"<|end_of_text|>"_s, u"<|start|>"_s });
    qsizetype floor = 0;
    qsizetype message = text.indexOf(kMessage);
    while (message >= 0) {
        const MuseHeader header = museHeaderAt(text, message, floor);
        const qsizetype bodyStart = message + kMessage.size();
        const qsizetype nextMessage = text.indexOf(kMessage, bodyStart);
        qsizetype bodyEnd = text.size();
        qsizetype messageEnd = text.size();
        const qsizetype endToken = ends.next(bodyStart);
        if (endToken >= 0) {
            bodyEnd = endToken;
            messageEnd = endToken;
            for (QStringView token : { u"<|eom|>", u"<|eot|>", u"<|end_of_text|>" }) {
                if (startsAt(text, endToken, token))
                    messageEnd = endToken + token.size();
            }
        }
        if (nextMessage >= 0) {
            // A message whose end token was left out ends where the next header starts.
            const qsizetype nextHeader = museHeaderAt(text, nextMessage, bodyStart).start;
            if (nextHeader < bodyEnd) {
                bodyEnd = nextHeader;
                messageEnd = nextHeader;
            }
        }
        match.markup.append({ header.start, bodyStart });
        if (messageEnd > bodyEnd)
            match.markup.append({ bodyEnd, messageEnd });
        const QStringView recipient = header.recipient;
        if (recipient.compare(u"self", Qt::CaseInsensitive) == 0) {
            match.reasoning.append({ bodyStart, bodyEnd });
        } else if (!recipient.isEmpty() && recipient.compare(u"user", Qt::CaseInsensitive) != 0) {
            scanInvokes(text, bodyStart, bodyEnd, atemDialect(), tools, recipient.toString(), match);
        }
        floor = messageEnd;
        message = nextMessage;
    }
    return match;
}

QString MiniCpm5Parser::name() const
{
    return u"minicpm5"_s;
}

QList<Anchor> MiniCpm5Parser::anchors() const
{
    static const QList<Anchor> anchors { { u"<function" } };
    return anchors;
}

ParserRank MiniCpm5Parser::rank() const
{
    return ParserRank::Anchored;
}

FormatMatch MiniCpm5Parser::parse(QStringView text, const ToolCatalog& tools) const
{
    if (!text.contains(u"<function"))
        return FormatMatch();
    return scanWholeText(text, tools, miniCpm5Dialect());
}

QString KimiXtmlParser::name() const
{
    return u"kimi-xtml"_s;
}

QList<Anchor> KimiXtmlParser::anchors() const
{
    static const QList<Anchor> anchors { { kXtmlOpen }, { kXtmlClose } };
    return anchors;
}

ParserRank KimiXtmlParser::rank() const
{
    return ParserRank::Anchored;
}

FormatMatch KimiXtmlParser::parse(QStringView text, const ToolCatalog& tools) const
{
    FormatMatch match;
    if (!text.contains(kXtmlOpen) && !text.contains(kXtmlClose))
        return match;
    match.format = kKimiK3;
    qsizetype pos = 0;

    // The prompt usually opens the think section: text before the first think close, with no
    // think opened before it, is reasoning (and calls rehearsed in it are not made).
    const std::optional<XtmlMarker> firstThinkClose = nextXtmlMarker(text, 0, false, u"think");
    if (firstThinkClose) {
        const std::optional<XtmlMarker> thinkOpen = nextXtmlMarker(text, 0, true, u"think");
        if (!thinkOpen || thinkOpen->span.start > firstThinkClose->span.start) {
            match.reasoning.append({ 0, firstThinkClose->span.start });
            match.markup.append(firstThinkClose->span);
            pos = firstThinkClose->span.end;
        }
    }

    qsizetype unclosedThink = -1; // where the text of a think section that never closes starts
    while (true) {
        const std::optional<XtmlMarker> marker = nextXtmlMarker(text, pos);
        if (!marker)
            break;
        if (marker->word == u"think") {
            match.markup.append(marker->span);
            pos = marker->span.end;
            if (!marker->opening)
                continue;
            const std::optional<XtmlMarker> close = nextXtmlMarker(text, pos, false, u"think");
            if (close) {
                match.reasoning.append({ pos, close->span.start });
                match.markup.append(close->span);
                pos = close->span.end;
            } else {
                unclosedThink = pos;
            }
            continue;
        }
        // Any other section ends a think section that was never closed: a call made there is real.
        if (unclosedThink >= 0) {
            match.reasoning.append({ unclosedThink, marker->span.start });
            unclosedThink = -1;
        }
        if (marker->opening && marker->word == u"tools") {
            pos = std::max(readToolsSection(text, *marker, tools, match), marker->span.end);
            continue;
        }
        if (marker->opening && marker->word == u"call") {
            // A call without its tools section around it.
            QList<TextSpan> failed;
            const XtmlCall call = readXtmlCall(text, *marker, tools);
            recordXtmlCall(match, call.result, failed);
            if (call.result.kind == InvokeResult::Kind::Call)
                match.markup.append(call.result.span);
            pos = std::max(call.end, marker->span.end);
            continue;
        }
        // response and message sections: their markers are markup, their text is content
        match.markup.append(marker->span);
        pos = marker->span.end;
    }
    if (unclosedThink >= 0)
        match.reasoning.append({ unclosedThink, text.size() });
    return match;
}

} // namespace Guard
