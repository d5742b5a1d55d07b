#include "jsoncall.h"

#include "../literalparser.h"

#include <QJsonArray>

using namespace Qt::StringLiterals;

namespace Guard {

namespace {

// Keys that carry the tool name, and those that carry the arguments, most common first.
constexpr QLatin1StringView kNameKeys[] = { "name"_L1, "tool"_L1, "tool_name"_L1, "function_name"_L1 };
constexpr QLatin1StringView kArgumentKeys[] = { "arguments"_L1, "parameters"_L1, "args"_L1, "input"_L1 };

// Objects that wrap a single call or a list of calls.
constexpr QLatin1StringView kWrapperKeys[] = { "function"_L1, "tool_call"_L1, "function_call"_L1, "call"_L1 };

std::optional<ParsedCall> namedCall(const QJsonObject& object, const ToolCatalog& tools, QStringList* issues)
{
    for (QLatin1StringView nameKey : kNameKeys) {
        const QJsonValue nameValue = object.value(nameKey);
        if (!nameValue.isString())
            continue;
        const QString written = nameValue.toString();
        QJsonValue arguments;
        bool hasArguments = false;
        for (QLatin1StringView argumentKey : kArgumentKeys) {
            if (object.contains(argumentKey)) {
                arguments = object.value(argumentKey);
                hasArguments = true;
                break;
            }
        }
        const ToolDefinition* tool = tools.resolve(written);
        if (!tool) {
            // {"name": "Alice", "age": 30} is data; only call-shaped objects are worth a word.
            if (issues && (hasArguments || nameKey != "name"_L1))
                issues->append(u"'"_s + written + u"' is not a declared tool"_s);
            return std::nullopt;
        }
        // A data object that happens to have a "name" equal to a tool, with other keys
        // but no argument key, is not a call: {"name": "search", "url": "..."}.
        if (!hasArguments) {
            for (auto it = object.constBegin(); it != object.constEnd(); ++it) {
                const QString key = it.key();
                if (key != nameKey && key != "type"_L1 && key != "id"_L1)
                    return std::nullopt;
            }
        }
        // A tool declaration echoed back ({"name", "description", "parameters": {"type":
        // "object", "properties": ...}}) is the prompt, not a call.
        if (object.contains("description"_L1) && arguments.isObject()
            && arguments.toObject().value("type"_L1).toString() == "object"_L1 && arguments.toObject().contains("properties"_L1))
            return std::nullopt;
        ParsedCall call;
        call.name = tool->name;
        call.arguments = hasArguments ? decodeStringifiedArguments(arguments) : QJsonValue(QJsonObject());
        if (call.arguments.isNull() || call.arguments.isUndefined())
            call.arguments = QJsonObject();
        for (QLatin1StringView idKey : { "id"_L1, "tool_call_id"_L1, "call_id"_L1 }) {
            const QJsonValue id = object.value(idKey);
            if (id.isString()) {
                call.id = id.toString();
                break;
            }
        }
        return call;
    }
    return std::nullopt;
}

} // namespace

QJsonValue decodeStringifiedArguments(const QJsonValue& arguments)
{
    if (!arguments.isString())
        return arguments;
    const QString text = arguments.toString();
    if (text.trimmed().isEmpty())
        return QJsonObject();
    const LiteralParse parsed = parseWholeLiteral(text, LiteralDialect::Json);
    if (parsed.ok && parsed.value.isObject())
        return parsed.value;
    return arguments;
}

std::optional<ParsedCall> callFromJsonObject(const QJsonObject& object, const ToolCatalog& tools, QStringList* issues)
{
    if (auto call = namedCall(object, tools, issues))
        return call;

    for (QLatin1StringView wrapperKey : kWrapperKeys) {
        const QJsonValue inner = object.value(wrapperKey);
        if (!inner.isObject())
            continue;
        QJsonObject merged = inner.toObject();
        // {"id": "call_1", "type": "function", "function": {...}} keeps its id outside.
        if (!merged.contains("id"_L1) && object.value("id"_L1).isString())
            merged.insert("id"_L1, object.value("id"_L1));
        if (auto call = namedCall(merged, tools, issues))
            return call;
    }

    // {"get_weather": {"city": "Paris"}}: the name is the object's only key.
    if (object.size() == 1) {
        const QString key = object.constBegin().key();
        const QJsonValue value = object.constBegin().value();
        if (const ToolDefinition* tool = tools.resolve(key)) {
            const QJsonValue arguments = decodeStringifiedArguments(value);
            if (arguments.isObject()) {
                ParsedCall call;
                call.name = tool->name;
                call.arguments = arguments;
                return call;
            }
        }
    }
    return std::nullopt;
}

QList<ParsedCall> callsFromJson(const QJsonValue& value, const ToolCatalog& tools, QStringList* issues)
{
    QList<ParsedCall> calls;
    if (value.isArray()) {
        for (const QJsonValue& element : value.toArray()) {
            if (element.isObject())
                calls.append(callsFromJson(element, tools, issues));
        }
        return calls;
    }
    if (!value.isObject())
        return calls;
    const QJsonObject object = value.toObject();
    if (object.value("tool_calls"_L1).isArray()) {
        calls.append(callsFromJson(object.value("tool_calls"_L1), tools, issues));
        return calls;
    }
    if (auto call = callFromJsonObject(object, tools, issues))
        calls.append(*call);
    return calls;
}

} // namespace Guard
