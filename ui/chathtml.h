#pragma once

#include <QColor>
#include <QHash>
#include <QJsonObject>
#include <QPalette>
#include <QString>

// Chat requests and completions as rich text for a QTextBrowser: the system prompt, the messages
// by role, the tool calls with their arguments, the tool results (named after the call they
// answer), reasoning, the declared tools with their schemas, and the request's other fields.
//
// Pure functions of their arguments: they run off the main thread, so the palette's colours come
// in as a value. Every string from the wire is escaped.
namespace ChatHtml {

struct Colours
{
    QColor text;
    QColor muted;
    QColor card;      // a message's background
    QColor header;    // a message's role line
    QColor code;      // pre-formatted blocks
    QColor system, user, assistant, tool, reasoning, error; // role accents

    static Colours fromPalette(const QPalette& palette);
};

// An OpenAI-style chat completions request body.
QString request(const QJsonObject& body, const Colours& colours);
// A chat completion (or a stream reassembled into one), or an error body.
QString completion(const QJsonObject& body, const Colours& colours);
// One message; `toolNames` maps tool_call ids to names so a tool result says what it answers.
QString message(const QJsonObject& message, const Colours& colours, const QHash<QString, QString>& toolNames = {});
// True when the body looks like a chat request or completion (or an OpenAI error) at all.
bool isChatRequest(const QJsonObject& body);
bool isChatCompletion(const QJsonObject& body);

} // namespace ChatHtml
