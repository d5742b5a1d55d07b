#include "demomodel.h"

#include "guard/jsontext.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QRegularExpression>

using namespace Qt::StringLiterals;

namespace Demo {

namespace {

QString messageText(const QJsonObject& message)
{
    const QJsonValue content = message.value("content"_L1);
    if (content.isString())
        return content.toString();
    QString text;
    for (const QJsonValue& part : content.toArray())
        text += part.toObject().value("text"_L1).toString();
    return text;
}

QString compact(const QJsonObject& object)
{
    return QString::fromUtf8(QJsonDocument(object).toJson(QJsonDocument::Compact));
}

QString sampleString(const QString& name)
{
    static const QList<QPair<QString, QString>> samples = {
        { u"city"_s, u"Paris"_s },        { u"location"_s, u"Paris"_s },   { u"query"_s, u"tool calling formats"_s },
        { u"path"_s, u"README.md"_s },     { u"file"_s, u"README.md"_s },   { u"url"_s, u"https://example.org"_s },
        { u"command"_s, u"ls -la"_s },     { u"name"_s, u"Ada"_s },         { u"unit"_s, u"celsius"_s },
        { u"text"_s, u"Hello"_s },         { u"message"_s, u"Hello"_s },    { u"code"_s, u"print(42)"_s },
    };
    for (const auto& sample : samples) {
        if (name.contains(sample.first, Qt::CaseInsensitive))
            return sample.second;
    }
    return u"example"_s;
}

const QJsonObject* findTool(const QJsonArray& tools, const QString& name, QJsonObject* storage)
{
    for (const QJsonValue& tool : tools) {
        const QJsonObject function = tool.toObject().value("function"_L1).toObject();
        if (function.value("name"_L1).toString() == name) {
            *storage = function;
            return storage;
        }
    }
    return nullptr;
}

// True when an assistant turn called declared tools with exactly the arguments this model
// would have chosen: such a turn was answered by a real tool result, not by a correction.
bool callsLookRight(const QJsonObject& assistant, const QJsonArray& tools)
{
    const QJsonArray calls = assistant.value("tool_calls"_L1).toArray();
    if (calls.isEmpty())
        return false;
    for (const QJsonValue& entry : calls) {
        const QJsonObject function = entry.toObject().value("function"_L1).toObject();
        QJsonObject tool;
        if (!findTool(tools, function.value("name"_L1).toString(), &tool))
            return false;
        const QJsonObject expected = Model::sampleArguments(tool.value("parameters"_L1).toObject());
        const QJsonDocument written = QJsonDocument::fromJson(function.value("arguments"_L1).toString().toUtf8());
        if (!written.isObject() || written.object() != expected)
            return false;
    }
    return true;
}

qint64 estimateTokens(const QString& text)
{
    return std::max<qint64>(1, (text.size() + 3) / 4);
}

} // namespace

QJsonObject Model::sampleArguments(const QJsonObject& schema, int depth)
{
    QJsonObject arguments;
    const QJsonObject properties = schema.value("properties"_L1).toObject();
    for (auto it = properties.constBegin(); it != properties.constEnd(); ++it) {
        const QJsonObject property = it.value().toObject();
        QString type = property.value("type"_L1).toString();
        if (property.value("type"_L1).isArray())
            type = property.value("type"_L1).toArray().first().toString();
        QJsonValue value;
        if (property.value("enum"_L1).isArray()) {
            value = property.value("enum"_L1).toArray().first();
        } else if (type == u"integer"_s) {
            const qint64 minimum = property.value("minimum"_L1).toInteger(1);
            const qint64 maximum = property.value("maximum"_L1).toInteger(std::max<qint64>(minimum, 3));
            value = std::clamp<qint64>(3, minimum, maximum);
        } else if (type == u"number"_s) {
            value = 2.5;
        } else if (type == u"boolean"_s) {
            value = true;
        } else if (type == u"array"_s) {
            const QJsonObject items = property.value("items"_L1).toObject();
            const QString itemType = items.value("type"_L1).toString();
            if (itemType == u"object"_s && depth < 3)
                value = QJsonArray { sampleArguments(items, depth + 1) };
            else if (itemType == u"integer"_s || itemType == u"number"_s)
                value = QJsonArray { 1, 2 };
            else
                value = QJsonArray { sampleString(it.key()) };
        } else if (type == u"object"_s) {
            value = depth < 3 ? sampleArguments(property, depth + 1) : QJsonObject();
        } else {
            value = sampleString(it.key());
        }
        arguments.insert(it.key(), value);
    }
    return arguments;
}

Reply Model::reply(const QJsonObject& request) const
{
    const QJsonArray messages = request.value("messages"_L1).toArray();
    const QJsonArray tools = request.value("tools"_L1).toArray();

    QString firstUser;
    int firstUserIndex = -1;
    QString promptText;
    for (int i = 0; i < messages.size(); ++i) {
        const QJsonObject message = messages.at(i).toObject();
        promptText += messageText(message);
        if (firstUserIndex < 0 && message.value("role"_L1).toString() == u"user"_s) {
            firstUser = messageText(message);
            firstUserIndex = i;
        }
    }
    static const QRegularExpression tagPattern(u"\\[demo:([a-z0-9-]+)\\]"_s);
    const QRegularExpressionMatch tag = tagPattern.match(firstUser);
    QString scenario = tag.hasMatch() ? tag.captured(1) : QString();
    if (scenario.isEmpty())
        scenario = tools.isEmpty() ? u"text"_s : u"native"_s;

    // What follows our own last tool call tells a real tool result (the call was right: sum up)
    // from a correction by the proxy (the call was wrong: do better, unless stubborn).
    int lastAssistant = -1;
    for (int i = firstUserIndex + 1; i < messages.size() - 1; ++i) {
        if (messages.at(i).toObject().value("role"_L1).toString() == u"assistant"_s)
            lastAssistant = i;
    }
    bool corrected = false;
    if (lastAssistant >= 0) {
        if (callsLookRight(messages.at(lastAssistant).toObject(), tools))
            scenario = u"summary"_s;
        else
            corrected = true;
    }
    static const QStringList textScenarios = { u"text"_s, u"reasoning"_s, u"summary"_s, u"hang"_s, u"cut"_s,
                                               u"length"_s, u"stream-error"_s, u"data-fence"_s };
    const bool toolScenario = !textScenarios.contains(scenario);
    if (scenario == u"llama500"_s && tools.isEmpty())
        scenario = u"text"_s;
    if (toolScenario && tools.isEmpty())
        scenario = u"text"_s;

    Reply reply;
    reply.scenario = scenario;
    reply.promptTokens = estimateTokens(promptText) + 8;

    QJsonObject firstTool;
    if (!tools.isEmpty())
        firstTool = tools.first().toObject().value("function"_L1).toObject();
    const QString toolName = firstTool.value("name"_L1).toString();
    const QJsonObject arguments = sampleArguments(firstTool.value("parameters"_L1).toObject());
    const QString goodArguments = compact(arguments);
    auto nativeCall = [&](const QString& name, const QString& argumentsText) {
        reply.calls.append({ u"call_demo_%1"_s.arg(reply.calls.size() + 1), name, argumentsText });
        reply.finishReason = u"tool_calls"_s;
    };
    const bool fixed = corrected && scenario != u"stubborn"_s;

    if (scenario == u"hang"_s) {
        reply.hang = true;
    } else if (corrected && scenario == u"fails-on-retry"_s) {
        reply.serverError = u"the model server ran out of memory"_s;
    } else if (corrected && scenario == u"drops-on-retry"_s) {
        reply.content = u"This retry never arrives."_s;
        reply.cutAfterEvents = 0;
    } else if (corrected && scenario == u"thinks-twice"_s) {
        reply.reasoning = u"The correction names the tool get_weather; I call it again."_s;
        reply.content = u"Calling get_weather now."_s;
        nativeCall(toolName, goodArguments);
    } else if (fixed && !tools.isEmpty()) {
        nativeCall(toolName, goodArguments); // corrected: now it calls the tool properly
    } else if (scenario == u"llama500"_s) {
        QString xml = u"<tool_call>\n<function="_s + toolName + u">\n"_s;
        for (auto it = arguments.constBegin(); it != arguments.constEnd(); ++it) {
            const QString text = it.value().isString() ? it.value().toString() : QString::number(it.value().toInteger());
            xml += u"<parameter="_s + it.key() + u">\n"_s + text + u"\n</parameter>\n"_s;
        }
        reply.parserError = u"Failed to parse input at pos 0: "_s + xml + u"</function>\n</tool_call>"_s;
    } else if (scenario == u"cut"_s) {
        reply.content = u"This answer will be cut off in the middle by a failing backend."_s;
        reply.cutAfterEvents = 3;
    } else if (scenario == u"length"_s) {
        reply.content = u"This answer is longer than the token limit allows, so it stops in the"_s;
        reply.finishReason = u"length"_s;
    } else if (scenario == u"stream-error"_s) {
        reply.content = u"This answer starts well but"_s;
        reply.streamError = u"the model server lost its GPU in the middle of the answer"_s;
    } else if (scenario == u"slow"_s) {
        reply.thinkMs = 1200;
        nativeCall(toolName, goodArguments);
    } else if (scenario == u"data-fence"_s) {
        reply.content = u"The settings file looks like this:\n```json\n{\"units\": \"metric\", \"days\": 3}\n```\n"
                        u"Change the units to imperial if you prefer Fahrenheit, then save the file and reload."_s;
    } else if (scenario == u"text"_s) {
        reply.content = u"Hello! I am Temper's demo model. I answer in plain text when no tool is needed, "
                        u"and I make the mistakes real models make when tools are declared."_s;
    } else if (scenario == u"reasoning"_s) {
        reply.reasoning = u"The user wants a short answer; no tool is needed."_s;
        reply.content = u"Here is a short answer, with my reasoning sent separately."_s;
    } else if (scenario == u"summary"_s) {
        reply.content = u"Thanks, I have the tool result. In short: everything worked as expected."_s;
    } else if (scenario == u"native"_s) {
        nativeCall(toolName, goodArguments);
    } else if (scenario == u"parallel"_s) {
        nativeCall(toolName, goodArguments);
        const QJsonObject second = tools.size() > 1 ? tools.at(1).toObject().value("function"_L1).toObject() : firstTool;
        nativeCall(second.value("name"_L1).toString(), compact(sampleArguments(second.value("parameters"_L1).toObject())));
    } else if (scenario == u"hermes"_s) {
        reply.content = u"Let me look that up.\n<tool_call>\n"_s
            + compact(QJsonObject { { u"name"_s, toolName }, { u"arguments"_s, arguments } }) + u"\n</tool_call>"_s;
    } else if (scenario == u"mistral"_s) {
        reply.content = u"[TOOL_CALLS]["_s
            + compact(QJsonObject { { u"name"_s, toolName }, { u"arguments"_s, arguments } }) + u"]"_s;
    } else if (scenario == u"fenced"_s) {
        reply.content = u"I will call the tool:\n```json\n"_s
            + compact(QJsonObject { { u"name"_s, toolName }, { u"arguments"_s, arguments } }) + u"\n```"_s;
    } else if (scenario == u"qwen-xml"_s) {
        QString xml = u"<tool_call>\n<function="_s + toolName + u">\n"_s;
        for (auto it = arguments.constBegin(); it != arguments.constEnd(); ++it) {
            const QJsonValue value = it.value();
            const QString text = value.isString() ? value.toString()
                : Guard::jsonText(value);
            xml += u"<parameter="_s + it.key() + u">\n"_s + text + u"\n</parameter>\n"_s;
        }
        reply.content = xml + u"</function>\n</tool_call>"_s;
    } else if (scenario == u"float"_s) {
        // An integer written as a float: 3 becomes 3.0, the mistake the guard repairs.
        QString text = goodArguments;
        for (auto it = arguments.constBegin(); it != arguments.constEnd(); ++it) {
            if (it.value().isDouble() && it.value().toDouble() == double(it.value().toInteger())) {
                const QString plain = u"\""_s + it.key() + u"\":"_s + QString::number(it.value().toInteger());
                text.replace(plain, plain + u".0"_s);
                break;
            }
        }
        nativeCall(toolName, text);
    } else if (scenario == u"unknown-tool"_s || scenario == u"stubborn"_s || scenario == u"fails-on-retry"_s
               || scenario == u"drops-on-retry"_s || scenario == u"thinks-twice"_s) {
        if (scenario == u"thinks-twice"_s)
            reply.reasoning = u"The user wants the weather; I call the weather tool."_s;
        nativeCall(toolName + u"_v2"_s, goodArguments);
    } else if (scenario == u"bad-args"_s) {
        QJsonObject bad = arguments;
        for (auto it = bad.begin(); it != bad.end(); ++it) {
            if (it.value().isDouble()) {
                *it = u"a few"_s; // a number the model spelled out
                break;
            }
        }
        nativeCall(toolName, compact(bad));
    } else {
        reply.content = u"Unknown demo scenario '"_s + scenario + u"'."_s;
    }

    qint64 completion = estimateTokens(reply.content) + estimateTokens(reply.reasoning);
    for (const ToolCall& call : std::as_const(reply.calls))
        completion += estimateTokens(call.name + call.argumentsText);
    reply.completionTokens = completion;
    return reply;
}

} // namespace Demo
