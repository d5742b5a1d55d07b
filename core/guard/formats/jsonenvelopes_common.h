#pragma once

// Helpers shared by the JSON-envelope parsers (jsonenvelopes*.cpp); not part of the guard's API.

#include "formatparser.h"

#include "../literalparser.h"

#include <QJsonValue>
#include <QList>
#include <QString>
#include <QStringView>

namespace Guard::JsonEnvelopes {

// What an envelope's body must start with to be this family's; anything else is another
// family's syntax in a shared envelope (<tool_call>NAME, [NAME(k=v)]) and is left alone.
enum class BodyShape {
    Object, // '{'
    ObjectOrCallArray, // '{', or '[' whose first element is an object (or an empty array)
    CallArray, // '[' whose first element is an object (or an empty array)
    AnyArray, // '[' whatever follows: the marker alone says a call list begins
};

// How one envelope's JSON body is read and reported.
struct EnvelopeRules
{
    QStringView format; // catalog id
    QStringView close; // closing marker; empty when the format has none
    BodyShape shape = BodyShape::ObjectOrCallArray;
    QStringView linesFormat; // id when the body is bare objects, not an array (empty: format)
    QStringView unclosedArrayFormat; // id when an array body lacks the closing marker (empty: format)
    Qt::CaseSensitivity closeCase = Qt::CaseSensitive;
    bool genericTag = false; // the tag also wraps data: JSON that is no call is no near miss
    bool dropsDirectAnswer = false; // Command R+'s undeclared directly_answer means "no call"
};

// Reads the envelope whose opening marker spans [start, bodyStart): its JSON body (one object,
// an array read element by element, or objects one after another), an optional markdown fence
// around the body, and the closing marker, which may be missing when the JSON is complete.
// Records calls, markup and failures on `match`. Returns where the search for the next envelope
// may resume, or -1 when the body is not this family's (nothing recorded).
qsizetype takeJsonEnvelope(FormatMatch& match, QStringView text, qsizetype start, qsizetype bodyStart,
    const EnvelopeRules& rules, const ToolCatalog& tools);

// Every envelope opened by the fixed marker `open`, through takeJsonEnvelope(), then finished.
FormatMatch parseMarkedEnvelopes(QStringView text, const ToolCatalog& tools, QStringView open,
    const EnvelopeRules& rules, Qt::CaseSensitivity openCase = Qt::CaseSensitive);

// One JSON value at `pos`; when strict JSON fails, a Python-style literal (single quotes, True,
// trailing commas) that is an object or array is accepted, as models drift into it.
LiteralParse readValue(QStringView text, qsizetype pos);

// A markdown code fence: the ``` line that opens it (newline included) and the line that
// closes it (empty at the end of the text when it is never closed).
struct CodeFence
{
    TextSpan openLine;
    TextSpan closeLine;
};

QList<CodeFence> codeFences(QStringView text);
bool insideCodeFence(const QList<CodeFence>& fences, qsizetype pos);

// Last step of every parser: a fence that holds nothing but this match's envelopes is markup
// too (```xml\n<response>{...}</response>\n```).
void finishMatch(FormatMatch& match, QStringView text);

// Records a call of `format`; the match takes the format of its first call.
void addCall(FormatMatch& match, ParsedCall call, QStringView format);

// Records a near miss with one plain-words line saying why.
void addFailure(FormatMatch& match, TextSpan span, QStringView format, const QString& issue);

// The value of an XML-style argument, typed by the tool's schema; one newline after the opening
// tag and one before the closing tag are layout, not value.
QJsonValue typedArgument(const ToolDefinition& tool, QStringView key, QStringView written);

// True when `text` at `pos` starts with `token`.
bool at(QStringView text, qsizetype pos, QStringView token, Qt::CaseSensitivity cs = Qt::CaseSensitive);

// True when only spaces or tabs separate `pos` from the start of its line.
bool atLineStart(QStringView text, qsizetype pos);

} // namespace Guard::JsonEnvelopes
