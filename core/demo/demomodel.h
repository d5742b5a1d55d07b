#pragma once

#include <QJsonObject>
#include <QList>
#include <QString>

namespace Demo {

struct ToolCall
{
    QString id;
    QString name;
    QString argumentsText; // exactly as the "model" writes it (may be malformed on purpose)
};

// What the scripted model answers to one chat request.
struct Reply
{
    QString scenario;      // which script produced it
    QString reasoning;
    QString content;
    QList<ToolCall> calls;
    QString finishReason = QStringLiteral("stop");
    qint64 promptTokens = 0;
    qint64 completionTokens = 0;
    bool hang = false;     // never answer (timeout tests)
    int cutAfterEvents = -1; // drop the connection after this many streamed events (>= 0)
    // Older llama.cpp builds answer 500 when their own tool-call parser rejects the output and
    // put the raw generation in the error message; when set, the backend answers that way.
    QString parserError;
    QString serverError;   // answer HTTP 500 with this message (a server that fails outright)
    QString streamError;   // streamed: send the content, then this error event instead of a finish
    int thinkMs = 0;       // extra delay before the first byte (a model that thinks long)
};

// A deterministic stand-in for a local model, used by --demo and by the tests.
//
// The scenario comes from a "[demo:NAME]" tag in the first user message; without one the model
// answers in text when no tools are declared, calls the first tool when tools are declared, and
// summarises in text after a tool result. Scenarios that misbehave (text-embedded calls in
// several formats, 10.0 for an integer, an unknown tool name, bad arguments) behave once the
// conversation shows they were corrected, except "stubborn", which never learns.
//
// Scenarios: text, reasoning, native, parallel, hermes, mistral, fenced, qwen-xml, float,
// unknown-tool, bad-args, stubborn, summary, hang, cut, llama500; and for failure paths:
// length (text cut by the token limit), stream-error (an error event in the middle of a
// stream), slow (a native call after 1.2 s of silence), fails-on-retry and drops-on-retry (an
// unknown tool, then HTTP 500 or a dropped connection instead of the corrected answer),
// thinks-twice (reasoning and an unknown tool, then new reasoning, a sentence and the call);
// data-fence (prose with a fenced JSON block that is data, not a call).
class Model
{
public:
    Reply reply(const QJsonObject& request) const;

    // Plausible arguments for a tool from its JSON Schema ("city" -> "Paris", integers within
    // their bounds, the first enum value, ...).
    static QJsonObject sampleArguments(const QJsonObject& schema, int depth = 0);
};

} // namespace Demo
