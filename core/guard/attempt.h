#pragma once

#include "formats/formatparser.h"
#include "schemavalidator.h"
#include "toolcatalog.h"

#include <QJsonObject>
#include <QList>
#include <QString>

#include <optional>

namespace Guard {

// A tool call exactly as the backend sent it in `tool_calls`.
struct NativeCall
{
    int index = 0;
    QString id;
    QString name;
    QString argumentsText;
};

// One tool call of an attempt, as the model made it and as Temper checked it.
struct CheckedCall
{
    QString id;            // the model's id, or a fresh one for a call rescued without one
    QString name;          // as the model wrote it
    QString argumentsText; // native: the backend's string; rescued: the parsed value serialised
    bool rescued = false;
    TextSpan span;         // rescued: where the call sat in the content
    CallValidation validation;

    // The arguments the client gets when the call is accepted: the backend's own text when
    // nothing was repaired (byte for byte), the repaired object otherwise.
    QString acceptedArgumentsText() const;
    QJsonObject toOpenAi(const QString& argumentsText) const; // {"id","type":"function","function":{...}}
};

// Everything Temper concluded about one attempt's answer.
struct AttemptAnalysis
{
    QString content;             // the model's text as it came
    QString reasoning;           // reasoning_content (or "reasoning") as it came
    QList<CheckedCall> calls;
    bool rescued = false;        // the calls were recovered from the text
    QString rescueFormat;        // catalog id of the format that matched
    QString rescueParser;
    QString visibleContent;      // the text once call markup and inline reasoning are removed
    QString rescuedReasoning;    // inline reasoning the rescue found in the text
    QList<TextSpan> removedSpans;
    bool nearMiss = false;       // call-shaped text that could not be read
    QStringList rescueIssues;
    QString finishReason;        // the backend's

    bool hasCalls() const { return !calls.isEmpty(); }
    bool allValid() const;
    bool anyRepaired() const;
};

struct AnalysisOptions
{
    bool rescue = true;
    bool repair = true;
};

// Rescues calls from the text when the backend returned none, then validates every call.
AttemptAnalysis analyzeAttempt(const QString& content, const QString& reasoning, const QList<NativeCall>& nativeCalls,
                               const QString& finishReason, const ToolCatalog& tools, const AnalysisOptions& options);

// The same from a non-streamed chat completion's first choice.
AttemptAnalysis analyzeCompletion(const QJsonObject& completion, const ToolCatalog& tools, const AnalysisOptions& options);

// A fresh OpenAI-style call id: "call_" and 24 letters and digits.
QString newCallId();

// Older llama.cpp builds answer 500 when their own tool-call parser rejects the model's output,
// with the raw generation in the error message ("Failed to parse input at pos 12: <tool_call>...").
// Returns that generation when `body` is such an answer: status 500 and call markup in it.
std::optional<QString> generationInParserError(int status, const QByteArray& body);

} // namespace Guard
