#include "chathtml.h"

#include "guard/jsontext.h"
#include "outcomestyle.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QStringList>

using namespace Qt::StringLiterals;

namespace ChatHtml {

namespace {

// A schema, an argument object or a message of a few KB reads well here; past this the Raw and
// JSON tabs are the place (a rich-text view of MBs would take seconds to lay out).
constexpr qsizetype kMaxBlockLength = 20000;

QString escaped(const QString& text)
{
    return text.toHtmlEscaped();
}

QString pretty(const QJsonValue& value)
{
    if (value.isString())
        return value.toString();
    const QJsonDocument document = value.isArray() ? QJsonDocument(value.toArray()) : QJsonDocument(value.toObject());
    return QString::fromUtf8(document.toJson(QJsonDocument::Indented)).trimmed();
}

// Arguments arrive as a JSON string; pretty-print them when they parse, show them as sent when not.
QString prettyArguments(const QJsonValue& arguments)
{
    if (!arguments.isString())
        return pretty(arguments);
    const QJsonDocument document = QJsonDocument::fromJson(arguments.toString().toUtf8());
    if (document.isObject() || document.isArray())
        return QString::fromUtf8(document.toJson(QJsonDocument::Indented)).trimmed();
    return arguments.toString();
}

QString capped(const QString& text)
{
    return text.size() > kMaxBlockLength
        ? text.left(kMaxBlockLength) + u"\n… (%1 more characters: see the Raw tab)"_s.arg(text.size() - kMaxBlockLength)
        : text;
}

QString block(const QString& text, const Colours& colours)
{
    return u"<table width=\"100%\" cellpadding=\"6\" cellspacing=\"0\"><tr><td bgcolor=\"%1\"><pre style=\"margin:0\">%2</pre></td></tr></table>"_s
        .arg(colours.code.name(), escaped(capped(text)));
}

QString paragraph(const QString& text)
{
    // Keep the model's line breaks and spacing: prose from models is often Markdown.
    return u"<p style=\"white-space:pre-wrap; margin:2px 0\">%1</p>"_s.arg(escaped(capped(text)));
}

QString muted(const QString& text, const Colours& colours)
{
    return u"<span style=\"color:%1\">%2</span>"_s.arg(colours.muted.name(), escaped(text));
}

// A message: a coloured role line and the parts below it, in one table so QTextBrowser draws a card.
QString card(const QString& role, const QColor& accent, const QString& detail, const QString& body, const Colours& colours)
{
    return u"<table width=\"100%\" cellpadding=\"5\" cellspacing=\"0\" style=\"margin-bottom:8px\">"
           "<tr><td bgcolor=\"%1\"><b style=\"color:%2\">%3</b> %4</td></tr>"
           "<tr><td bgcolor=\"%5\">%6</td></tr></table>"_s
        .arg(colours.header.name(), accent.name(), escaped(role), detail, colours.card.name(), body);
}

QString contentText(const QJsonValue& content)
{
    if (content.isString())
        return content.toString();
    if (!content.isArray())
        return {};
    QStringList parts;
    for (const QJsonValue& value : content.toArray()) {
        const QJsonObject part = value.toObject();
        const QString type = part.value("type"_L1).toString();
        if (type == "text"_L1 || part.contains("text"_L1))
            parts.append(part.value("text"_L1).toString());
        else
            parts.append(u"[%1]"_s.arg(type.isEmpty() ? u"part"_s : type));
    }
    return parts.join(u'\n');
}

QString toolCallsHtml(const QJsonArray& calls, const Colours& colours)
{
    QString html;
    for (const QJsonValue& value : calls) {
        const QJsonObject call = value.toObject();
        const QJsonObject function = call.value("function"_L1).toObject();
        const QString id = call.value("id"_L1).toString();
        html += u"<p style=\"margin:4px 0 2px 0\">&#8594; <b>%1</b> %2</p>"_s.arg(
            escaped(function.value("name"_L1).toString()), id.isEmpty() ? QString() : muted(id, colours));
        html += block(prettyArguments(function.value("arguments"_L1)), colours);
    }
    return html;
}

QColor accentFor(const QString& role, const Colours& colours)
{
    if (role == "system"_L1 || role == "developer"_L1)
        return colours.system;
    if (role == "user"_L1)
        return colours.user;
    if (role == "tool"_L1 || role == "function"_L1)
        return colours.tool;
    return colours.assistant;
}

QColor mix(const QColor& a, const QColor& b, double share)
{
    return QColor::fromRgbF(float(a.redF() * (1 - share) + b.redF() * share), float(a.greenF() * (1 - share) + b.greenF() * share),
                            float(a.blueF() * (1 - share) + b.blueF() * share));
}

QString errorHtml(const QJsonValue& error, const Colours& colours)
{
    const QJsonObject object = error.toObject();
    const QString text = object.isEmpty() ? pretty(error) : object.value("message"_L1).toString();
    QString detail;
    for (QLatin1StringView key : { "type"_L1, "code"_L1 }) {
        if (object.contains(key))
            detail += muted(u"%1: %2 "_s.arg(key, object.value(key).toVariant().toString()), colours);
    }
    return card(u"error"_s, colours.error, detail, paragraph(text), colours);
}

} // namespace

Colours Colours::fromPalette(const QPalette& palette)
{
    const bool dark = OutcomeStyle::isDark(palette);
    Colours colours;
    colours.text = palette.color(QPalette::Text);
    colours.muted = palette.color(QPalette::PlaceholderText);
    colours.card = palette.color(QPalette::Base);
    colours.header = palette.color(QPalette::AlternateBase);
    colours.code = mix(palette.color(QPalette::Base), palette.color(QPalette::Text), dark ? 0.08 : 0.04);
    // Accents picked to stay readable on both the light and the dark header colour.
    colours.system = dark ? QColor(0xc7, 0x9b, 0xff) : QColor(0x6a, 0x32, 0xb8);
    colours.user = dark ? QColor(0x6c, 0xb6, 0xff) : QColor(0x1a, 0x5f, 0xb4);
    colours.assistant = dark ? QColor(0x5f, 0xd3, 0x8d) : QColor(0x1d, 0x7a, 0x3e);
    colours.tool = dark ? QColor(0xf0, 0xb4, 0x5a) : QColor(0x9a, 0x5b, 0x00);
    colours.reasoning = colours.muted;
    colours.error = dark ? QColor(0xff, 0x7b, 0x72) : QColor(0xb3, 0x1d, 0x1d);
    return colours;
}

bool isChatRequest(const QJsonObject& body)
{
    return body.value("messages"_L1).isArray();
}

bool isChatCompletion(const QJsonObject& body)
{
    return body.value("choices"_L1).isArray() || body.value("error"_L1).isObject();
}

QString message(const QJsonObject& message, const Colours& colours, const QHash<QString, QString>& toolNames)
{
    const QString role = message.value("role"_L1).toString(u"assistant"_s);
    QString detail;
    if (message.contains("name"_L1))
        detail += muted(message.value("name"_L1).toString(), colours);
    const QString callId = message.value("tool_call_id"_L1).toString();
    if (!callId.isEmpty()) {
        const QString tool = toolNames.value(callId);
        detail += muted(tool.isEmpty() ? QObject::tr("answers %1").arg(callId) : QObject::tr("result of %1 (%2)").arg(tool, callId), colours);
    }
    QString body;
    for (QLatin1StringView key : { "reasoning_content"_L1, "reasoning"_L1, "thinking"_L1 }) {
        const QString reasoning = message.value(key).toString();
        if (!reasoning.isEmpty())
            body += u"<p style=\"margin:2px 0; color:%1\"><i>%2</i></p>"_s.arg(colours.reasoning.name(), escaped(QObject::tr("reasoning")))
                + u"<p style=\"white-space:pre-wrap; margin:2px 0 6px 0; color:%1\"><i>%2</i></p>"_s.arg(colours.reasoning.name(), escaped(capped(reasoning)));
    }
    const QString text = contentText(message.value("content"_L1));
    if (!text.isEmpty())
        body += paragraph(text);
    const QJsonArray calls = message.value("tool_calls"_L1).toArray();
    if (!calls.isEmpty())
        body += toolCallsHtml(calls, colours);
    if (message.value("function_call"_L1).isObject())
        body += toolCallsHtml(QJsonArray { QJsonObject { { u"function"_s, message.value("function_call"_L1) } } }, colours);
    if (body.isEmpty())
        body = muted(QObject::tr("(empty)"), colours);
    return card(role, accentFor(role, colours), detail, body, colours);
}

QString request(const QJsonObject& body, const Colours& colours)
{
    QString html = u"<html><body style=\"color:%1\">"_s.arg(colours.text.name());
    // The request's settings first: model, stream, tool_choice, sampling.
    QStringList settings;
    for (auto it = body.begin(); it != body.end(); ++it) {
        if (it.key() == "messages"_L1 || it.key() == "tools"_L1)
            continue;
        const QJsonValue value = it.value();
        const QString shown = value.isString() ? value.toString() : Guard::jsonText(value);
        settings.append(u"<b>%1</b> %2"_s.arg(escaped(it.key()), escaped(shown.left(300))));
    }
    if (!settings.isEmpty())
        html += u"<p>%1</p>"_s.arg(settings.join(u" &nbsp;·&nbsp; "_s));

    const QJsonArray messages = body.value("messages"_L1).toArray();
    QHash<QString, QString> toolNames;
    for (const QJsonValue& value : messages) {
        for (const QJsonValue& call : value.toObject().value("tool_calls"_L1).toArray()) {
            const QJsonObject object = call.toObject();
            toolNames.insert(object.value("id"_L1).toString(), object.value("function"_L1).toObject().value("name"_L1).toString());
        }
    }
    html += u"<h3>%1</h3>"_s.arg(escaped(QObject::tr("Messages (%1)").arg(messages.size())));
    for (const QJsonValue& value : messages)
        html += message(value.toObject(), colours, toolNames);

    const QJsonArray tools = body.value("tools"_L1).toArray();
    if (!tools.isEmpty()) {
        html += u"<h3>%1</h3>"_s.arg(escaped(QObject::tr("Declared tools (%1)").arg(tools.size())));
        for (const QJsonValue& value : tools) {
            const QJsonObject tool = value.toObject();
            const QJsonObject function = tool.value("function"_L1).isObject() ? tool.value("function"_L1).toObject() : tool;
            const QJsonValue schema = function.contains("parameters"_L1) ? function.value("parameters"_L1) : function.value("input_schema"_L1);
            html += card(function.value("name"_L1).toString(), colours.tool, muted(function.value("description"_L1).toString(), colours),
                         block(pretty(schema), colours), colours);
        }
    }
    return html + u"</body></html>"_s;
}

QString completion(const QJsonObject& body, const Colours& colours)
{
    QString html = u"<html><body style=\"color:%1\">"_s.arg(colours.text.name());
    const QJsonValue error = body.value("error"_L1);
    if (error.isObject() || error.isString())
        html += errorHtml(body.value("error"_L1), colours);
    QStringList facts;
    for (QLatin1StringView key : { "model"_L1, "id"_L1, "system_fingerprint"_L1 }) {
        if (body.value(key).isString())
            facts.append(u"<b>%1</b> %2"_s.arg(key, escaped(body.value(key).toString())));
    }
    const QJsonObject usage = body.value("usage"_L1).toObject();
    if (!usage.isEmpty()) {
        facts.append(u"<b>usage</b> %1"_s.arg(escaped(QObject::tr("%1 in, %2 out")
                                                         .arg(usage.value("prompt_tokens"_L1).toVariant().toString(),
                                                              usage.value("completion_tokens"_L1).toVariant().toString()))));
    }
    if (!facts.isEmpty())
        html += u"<p>%1</p>"_s.arg(facts.join(u" &nbsp;·&nbsp; "_s));
    const QJsonArray choices = body.value("choices"_L1).toArray();
    for (const QJsonValue& value : choices) {
        const QJsonObject choice = value.toObject();
        if (choices.size() > 1)
            html += u"<h3>%1</h3>"_s.arg(escaped(QObject::tr("Choice %1").arg(choice.value("index"_L1).toInt())));
        html += message(choice.value("message"_L1).toObject(), colours);
        const QJsonValue finish = choice.value("finish_reason"_L1);
        if (!finish.isUndefined())
            html += u"<p>%1 <b>%2</b></p>"_s.arg(escaped(QObject::tr("finish reason")),
                                                   escaped(finish.isNull() ? u"null"_s : finish.toVariant().toString()));
    }
    return html + u"</body></html>"_s;
}

} // namespace ChatHtml
