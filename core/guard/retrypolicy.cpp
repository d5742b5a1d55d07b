#include "retrypolicy.h"

#include "correctivemessages.h"

#include <QJsonArray>

using namespace Qt::StringLiterals;

namespace Guard {

namespace {

bool callsWrongTool(const ToolChoice& choice, const AttemptAnalysis& attempt)
{
    if (choice.mode != ToolChoice::Mode::Named)
        return false;
    return std::any_of(attempt.calls.cbegin(), attempt.calls.cend(),
                       [&choice](const CheckedCall& call) { return call.name != choice.name; });
}

} // namespace

ToolChoice ToolChoice::fromRequest(const QJsonValue& toolChoice)
{
    ToolChoice choice;
    if (toolChoice.isString()) {
        const QString mode = toolChoice.toString();
        if (mode == u"none"_s)
            choice.mode = Mode::None;
        else if (mode == u"required"_s || mode == u"any"_s)
            choice.mode = Mode::Required;
        return choice;
    }
    const QJsonObject object = toolChoice.toObject();
    const QString type = object.value("type"_L1).toString();
    if (type == u"function"_s) {
        choice.mode = Mode::Named;
        choice.name = object.value("function"_L1).toObject().value("name"_L1).toString(object.value("name"_L1).toString());
    } else if (type == u"tool"_s) {
        choice.mode = Mode::Named;
        choice.name = object.value("name"_L1).toString();
    } else if (type == u"any"_s) {
        choice.mode = Mode::Required;
    } else if (type == u"none"_s) {
        choice.mode = Mode::None;
    }
    if (choice.mode == Mode::Named && choice.name.isEmpty())
        choice.mode = Mode::Required;
    return choice;
}

Decision RetryPolicy::decide(const ToolChoice& choice, int maxRetries, int attemptsMade, const AttemptAnalysis& last)
{
    QString failure;
    if (last.hasCalls()) {
        if (!last.allValid()) {
            int invalid = 0;
            for (const CheckedCall& call : last.calls)
                invalid += call.validation.valid ? 0 : 1;
            failure = invalid == 1 ? u"a tool call is invalid"_s : u"%1 tool calls are invalid"_s.arg(invalid);
        } else if (callsWrongTool(choice, last)) {
            failure = u"tool_choice requires a call to '%1'"_s.arg(choice.name);
        } else {
            return { Decision::Verdict::Accept, last.rescued ? u"tool calls recovered from the text are valid"_s : u"the tool calls are valid"_s };
        }
    } else if (choice.mode == ToolChoice::Mode::Required || choice.mode == ToolChoice::Mode::Named) {
        failure = u"tool_choice requires a tool call, but the answer is text"_s;
    } else if (last.nearMiss) {
        failure = u"the text holds a tool call that could not be read"_s;
    } else {
        return { Decision::Verdict::Accept, u"a text answer"_s };
    }
    if (attemptsMade < maxRetries + 1)
        return { Decision::Verdict::Retry, failure };
    return { Decision::Verdict::GiveUp, failure + u"; no retries left"_s };
}

QList<QJsonObject> RetryPolicy::correctiveTurns(const ToolChoice& choice, const ToolCatalog& tools, const AttemptAnalysis& last)
{
    QList<QJsonObject> turns;
    if (!last.hasCalls()) {
        turns.append({ { u"role"_s, u"assistant"_s }, { u"content"_s, last.content } });
        const QString correction = last.nearMiss && choice.mode != ToolChoice::Mode::Named
            ? CorrectiveMessages::forNearMiss(tools, last.rescueIssues, last.rescueFormat)
            : CorrectiveMessages::forMissingCall(tools, choice.mode == ToolChoice::Mode::Named ? choice.name : QString());
        turns.append({ { u"role"_s, u"user"_s }, { u"content"_s, correction } });
        return turns;
    }

    QJsonArray calls;
    for (const CheckedCall& call : last.calls)
        calls.append(call.toOpenAi(call.argumentsText));
    const QString prose = last.rescued ? last.visibleContent : last.content;
    turns.append({ { u"role"_s, u"assistant"_s },
                   { u"content"_s, prose.isEmpty() ? QJsonValue() : QJsonValue(prose) },
                   { u"tool_calls"_s, calls } });
    const bool wrongTool = callsWrongTool(choice, last);
    for (const CheckedCall& call : last.calls) {
        QString content;
        if (!call.validation.valid)
            content = CorrectiveMessages::forInvalidCall(tools, call.validation);
        else if (wrongTool && call.name != choice.name)
            content = CorrectiveMessages::forMissingCall(tools, choice.name);
        else
            content = u"This call was valid but was not run, because another call in the same turn was not. "
                      u"Send it again together with the corrected call."_s;
        turns.append({ { u"role"_s, u"tool"_s }, { u"tool_call_id"_s, call.id }, { u"content"_s, content } });
    }
    return turns;
}

} // namespace Guard
