#pragma once

#include "attempt.h"

#include <QJsonObject>
#include <QList>

namespace Guard {

// What the client's request asks of tool use, from its "tool_choice".
struct ToolChoice
{
    enum class Mode { Auto, None, Required, Named };
    Mode mode = Mode::Auto;
    QString name; // for Named

    // Accepts OpenAI forms ("auto", "none", "required", {"type":"function","function":{"name"}})
    // and Anthropic's ({"type":"any"}, {"type":"tool","name"}).
    static ToolChoice fromRequest(const QJsonValue& toolChoice);
};

struct Decision
{
    enum class Verdict { Accept, Retry, GiveUp };
    Verdict verdict = Verdict::Accept;
    QString reason; // in plain words, for traces
};

// Decides what to do with an attempt's answer. Pure.
//
// Tool calls are accepted when every call is valid (after repairs) and, with a named
// tool_choice, calls that tool. A text answer is legitimate unless tool_choice requires a call
// or the text holds a near miss (call-shaped text that could not be read). Anything else is
// retried while attempts remain (maxRetries + 1 attempts in all), then given up.
class RetryPolicy
{
public:
    static Decision decide(const ToolChoice& choice, int maxRetries, int attemptsMade, const AttemptAnalysis& last);

    // The turns appended to the conversation before a retry, on the canonical channel: a failed
    // call stays in the history as an assistant "tool_calls" turn answered by a "tool" message
    // per call (the correction for the invalid ones, a short note for valid siblings, which
    // were not run); a failed text answer gets an assistant turn and a "user" correction.
    static QList<QJsonObject> correctiveTurns(const ToolChoice& choice, const ToolCatalog& tools, const AttemptAnalysis& last);
};

} // namespace Guard
