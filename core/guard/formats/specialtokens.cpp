#include "specialtokens.h"
#include "specialtokens_common.h"

#include "../literalparser.h"
#include "jsoncall.h"

#include <QJsonObject>

using namespace Qt::StringLiterals;

namespace Guard::SpecialTokens {

namespace {

// The elements of a JSON array starting at `pos` (which must be '['), each with its own span, so
// every call of a list gets its own text. On failure the elements read so far are kept.
struct JsonElement
{
    QJsonValue value;
    TextSpan span;
};
struct JsonArrayAt
{
    bool ok = false;
    bool truncated = false;
    QList<JsonElement> elements;
    TextSpan whole;
    QString error;
};

JsonArrayAt jsonArrayAt(QStringView text, qsizetype pos)
{
    JsonArrayAt result;
    result.whole.start = pos;
    if (!at(text, pos, u"[")) {
        result.error = u"expected '['"_s;
        return result;
    }
    qsizetype cursor = skipWhitespace(text, pos + 1);
    if (at(text, cursor, u"]")) {
        result.ok = true;
        result.whole.end = cursor + 1;
        return result;
    }
    while (true) {
        const JsonAt element = jsonAt(text, cursor);
        if (!element.ok) {
            result.truncated = element.truncated;
            result.error = element.error;
            result.whole.end = element.end;
            return result;
        }
        result.elements.append({ element.value, { element.start, element.end } });
        cursor = skipWhitespace(text, element.end);
        if (at(text, cursor, u",")) {
            cursor = skipWhitespace(text, cursor + 1);
            continue;
        }
        if (at(text, cursor, u"]")) {
            result.ok = true;
            result.whole.end = cursor + 1;
            return result;
        }
        result.truncated = cursor >= text.size();
        result.error = result.truncated ? u"array never closed"_s : u"expected ',' or ']'"_s;
        result.whole.end = cursor;
        return result;
    }
}

} // namespace

JsonAt jsonAt(QStringView text, qsizetype pos)
{
    JsonAt result;
    result.start = skipWhitespace(text, pos);
    const LiteralParse parsed = parseLiteral(text, pos, LiteralDialect::Json);
    result.ok = parsed.ok;
    result.value = parsed.value;
    result.end = parsed.end;
    result.error = parsed.error;
    result.truncated = !parsed.ok && skipWhitespace(text, parsed.end) >= text.size();
    return result;
}

JsonCallList jsonCallListAt(
    QStringView text, qsizetype envelope, qsizetype pos, const ToolCatalog& tools, const QString& format)
{
    JsonCallList list;
    QList<JsonElement> elements;
    if (at(text, pos, u"[")) {
        list.found = true;
        const JsonArrayAt array = jsonArrayAt(text, pos);
        if (!array.ok && !array.truncated) {
            list.end = array.whole.end;
            list.failed.append({ envelope, list.end });
            list.issues.append(format + u": the call list is not valid JSON ("_s + array.error + u")"_s);
            return list;
        }
        elements = array.elements;
        list.end = array.ok ? array.whole.end : text.size();
        if (array.truncated) {
            const qsizetype cut = elements.isEmpty() ? envelope : elements.last().span.end;
            const QStringView rest = text.mid(cut).trimmed();
            if (elements.isEmpty() || (!rest.isEmpty() && rest != u",")) {
                list.failed.append({ cut, text.size() });
                list.issues.append(format + u": the call list is cut off"_s);
            }
        }
    } else if (at(text, pos, u"{")) {
        list.found = true;
        const JsonAt json = jsonAt(text, pos);
        if (!json.ok) {
            list.end = json.truncated ? text.size() : json.end;
            list.failed.append({ envelope, list.end });
            list.issues.append(format
                + (json.truncated ? u": the call is cut off"_s
                                  : u": the call is not valid JSON ("_s + json.error + u")"_s));
            return list;
        }
        elements.append({ json.value, { json.start, json.end } });
        list.end = json.end;
    } else {
        return list;
    }
    for (const JsonElement& element : elements) {
        QStringList issues;
        const QList<ParsedCall> calls = callsFromJson(element.value, tools, &issues);
        if (calls.isEmpty()) {
            list.failed.append(element.span);
            list.issues.append(format + u": "_s
                + (issues.isEmpty() ? u"an entry is not a tool call"_s : issues.join(u"; "_s)));
        }
        for (ParsedCall call : calls) {
            call.span = element.span;
            list.calls.append(call);
        }
    }
    return list;
}

qsizetype skipBlanks(QStringView text, qsizetype pos)
{
    while (pos < text.size() && (text.at(pos) == u' ' || text.at(pos) == u'\t'))
        ++pos;
    return pos;
}

bool isNameChar(QChar c)
{
    return c.isLetterOrNumber() || c == u'_' || c == u'-' || c == u'.';
}

const ToolDefinition* declaredNameEndingAt(
    QStringView text, qsizetype end, const ToolCatalog& tools, qsizetype* start)
{
    const QStringView before = text.left(end);
    const ToolDefinition* best = nullptr;
    for (const ToolDefinition& tool : tools.tools()) {
        if (tool.name.isEmpty() || !before.endsWith(tool.name))
            continue;
        const qsizetype from = end - tool.name.size();
        // "prefetch[ARGS]" must not become a call to "fetch".
        if (from > 0 && isNameChar(text.at(from - 1)) && isNameChar(tool.name.front()))
            continue;
        if (!best || tool.name.size() > best->name.size())
            best = &tool;
    }
    if (best && start)
        *start = end - best->name.size();
    return best;
}

ParsedCall makeCall(const ToolDefinition& tool, const QJsonValue& arguments, const QString& id, TextSpan span)
{
    ParsedCall call;
    call.name = tool.name;
    call.arguments = decodeStringifiedArguments(arguments);
    if (call.arguments.isNull() || call.arguments.isUndefined())
        call.arguments = QJsonObject();
    call.id = id;
    call.span = span;
    return call;
}

QJsonValue codeArguments(QStringView code)
{
    return QJsonObject { { u"code"_s, code.toString() } };
}

void addFailure(FormatMatch& match, TextSpan span, const QString& issue)
{
    match.failed.append(span);
    match.issues.append(issue);
}

QString undeclaredIssue(QStringView format, QStringView written)
{
    return format.toString() + u": '"_s + written.toString() + u"' is not a declared tool"_s;
}

QString argumentsIssue(QStringView format, QStringView tool, const JsonAt& json)
{
    if (json.truncated)
        return format.toString() + u": the call to '"_s + tool.toString()
            + u"' is cut off (its arguments never close)"_s;
    return format.toString() + u": the arguments of '"_s + tool.toString() + u"' are not valid JSON ("_s
        + json.error + u")"_s;
}

} // namespace Guard::SpecialTokens
