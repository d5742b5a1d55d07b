#pragma once

#include "attempt.h"
#include "retrypolicy.h"
#include "toolcatalog.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QList>
#include <QString>

#include <optional>

namespace Guard {

// One model answer and the request it answers, as the format lab is given them.
struct PreviewRequest
{
    // The model's text, or a backend response body: a chat completion ({"choices": [...]}) or
    // its assistant message ({"role": "assistant", "tool_calls": [...]}), read as the proxy reads
    // a non-streamed answer, native tool_calls included.
    QString output;
    QString reasoning; // reasoning_content beside a text answer; a response body brings its own
    QString toolsJson; // the request's "tools" array, one tool object, or a request body with "tools"
    ToolChoice choice;
    int maxRetries = 3;
    int attempt = 1; // which attempt this answer is, from 1
    AnalysisOptions options;
};

// What the guard makes of the answer, step by step as the proxy takes them.
struct Preview
{
    enum class Input { Text, Completion };
    Input input = Input::Text;
    QString toolsError; // why the tools JSON is unusable; then nothing below is filled
    int toolsSkipped = 0; // entries without a usable name, which the catalog ignores
    ToolCatalog tools;
    bool guarded = false; // false: the proxy would forward the request untouched
    QString unguardedReason; // why, in plain words
    AttemptAnalysis analysis;
    Decision decision;
    QList<QJsonObject> correction; // the turns appended before the retry, when the verdict is Retry
    QJsonObject guardJson; // the attempt as the trace records it (attemptGuardJson)
};

// Runs the proxy's own steps on one answer: ToolCatalog::fromTools, analyzeAttempt (or
// analyzeCompletion for a response body), RetryPolicy::decide and, for a retry,
// RetryPolicy::correctiveTurns. Pure apart from the fresh ids of calls rescued without one.
// Requests the proxy would not guard (no usable tools, tool_choice "none") are analysed all the
// same, but get no verdict: `guarded` is false.
Preview previewGuard(const PreviewRequest& request);

// The tools array in `text`: an array, a single tool object, or an object with a "tools" array.
// Blank text is an empty array. Otherwise returns nullopt and says why in `error`, with the line
// and column of a syntax error.
std::optional<QJsonArray> parseToolsJson(const QString& text, QString* error);

// The chat completion held by `text` when it is a response body (see PreviewRequest::output).
std::optional<QJsonObject> completionInOutput(const QString& text);

} // namespace Guard
