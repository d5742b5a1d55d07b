#pragma once

// Helpers shared by the special-token parsers (specialtokens_*.cpp); not part of the guard's API.

#include "formatparser.h"

#include <QJsonValue>
#include <QList>
#include <QString>
#include <QStringView>

namespace Guard::SpecialTokens {

// One JSON value read at a position of the text.
struct JsonAt
{
    bool ok = false;
    bool truncated = false; // the text ran out inside the value
    QJsonValue value;
    qsizetype start = 0; // first character of the value (leading whitespace skipped)
    qsizetype end = 0; // just past the value (ok), or where parsing stopped
    QString error;
};

JsonAt jsonAt(QStringView text, qsizetype pos);

// The calls of a JSON call list ([{"name": …, "arguments": …}, …]) or of one call object at
// `pos`, each call spanning its own entry. When the text ends inside the list, the entries
// completed before the cut still count; the cut-off rest is a failure. `envelope` is where the
// format's envelope started (the span of a failure that covers it all).
struct JsonCallList
{
    bool found = false; // a list or an object starts at `pos`
    qsizetype end = 0;
    QList<ParsedCall> calls;
    QList<TextSpan> failed;
    QStringList issues;
};

JsonCallList jsonCallListAt(
    QStringView text, qsizetype envelope, qsizetype pos, const ToolCatalog& tools, const QString& format);

// Index of the first character at or after `pos` that is not a space or tab (newlines stop it).
qsizetype skipBlanks(QStringView text, qsizetype pos);

// True when `text` at `pos` starts with `token`.
inline bool at(QStringView text, qsizetype pos, QStringView token)
{
    return pos >= 0 && pos <= text.size() && text.mid(pos).startsWith(token);
}

// Characters a tool name is made of when nothing delimits it (letters, digits, '_', '-', '.').
bool isNameChar(QChar c);

// The longest declared tool name that ends exactly at `end` and does not continue a longer word
// to its left ("prefetch" does not hold "fetch"); its start goes to `start`.
const ToolDefinition* declaredNameEndingAt(
    QStringView text, qsizetype end, const ToolCatalog& tools, qsizetype* start);

// The call a parser found, with its arguments decoded once when they came as a JSON string.
ParsedCall makeCall(
    const ToolDefinition& tool, const QJsonValue& arguments, const QString& id, TextSpan span);

// Raw code for a python-style recipient (Functionary, harmony) as tool arguments.
QJsonValue codeArguments(QStringView code);

// Records a near miss: call-shaped text that gave no call, with one line saying why.
void addFailure(FormatMatch& match, TextSpan span, const QString& issue);

QString undeclaredIssue(QStringView format, QStringView written);
QString argumentsIssue(QStringView format, QStringView tool, const JsonAt& json);

} // namespace Guard::SpecialTokens
