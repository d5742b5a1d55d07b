#pragma once

#include "schemavalidator.h"
#include "toolcatalog.h"

#include <QString>
#include <QStringList>

namespace Guard {

// The plain-words messages the guard sends back to a model so that it can try again.
//
// Contract: pure functions of their arguments. Every message is short, names the tool and what
// went wrong in words a model (or a person reading the trace) understands, and ends by saying
// what to send instead. None contains an internal representation (no QJsonValue(...), no
// "undefined"); argument shapes are shown compactly and capped in length.
class CorrectiveMessages
{
public:
    // Length cap of one tool's arguments shape inside a message.
    static constexpr qsizetype kShapeLength = 600;

    // The content of the `tool` message answering a call that failed validation (or named an
    // undeclared tool). Lists each issue as "path: rule. Expected ...; got ...", then asks for the
    // call again with the arguments shape. For an unknown tool it lists the declared names and
    // suggests the closest one.
    static QString forInvalidCall(const ToolCatalog& tools, const CallValidation& validation);

    // The `user` message when tool_choice required a call and the model answered in text.
    // `requiredTool` is the tool tool_choice named, or empty when any tool would do.
    static QString forMissingCall(const ToolCatalog& tools, const QString& requiredTool);

    // The `user` message when the model's text held something call-shaped that could not be
    // read (a near miss). `rescueIssues` are the rescuer's plain-words reasons; `formatId` the
    // format that was recognised, empty when unknown.
    static QString forNearMiss(
        const ToolCatalog& tools, const QStringList& rescueIssues, const QString& formatId);

    // A tool's arguments, compactly: {"city": string, "days": integer 1-7 (optional)}.
    static QString argumentsShape(const ToolDefinition& tool, qsizetype maxLength = kShapeLength);

    // The declared tool name closest to `written` (a typo, other case or spelling), or empty when
    // none is close enough to suggest.
    static QString closestToolName(const ToolCatalog& tools, const QString& written);
};

} // namespace Guard
