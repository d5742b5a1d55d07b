#pragma once

#include <QJsonValue>
#include <QList>
#include <QString>
#include <QStringView>

namespace Guard {

// The notations models write argument values in.
enum class LiteralDialect {
    Json,   // RFC 8259, strict: what a tool call's arguments must be
    Python, // Python literals: 'single' or "double" quotes, True/False/None (and JSON's
            // true/false/null), tuples as arrays, trailing commas
    Gemma,  // Gemma 4 / FunctionGemma: unquoted keys, strings between <|"|> or <escape>
            // delimiters (JSON strings too), bare numbers, true/false/null
};

// A number written with a fraction or exponent whose value is a whole number ("10.0", "1e2").
// Qt's JSON values cannot tell 10.0 from 10, so the parser notes where such numbers were.
struct WrittenNumber
{
    QString pointer; // JSON Pointer (RFC 6901) to the value, e.g. "/count" or "/items/0"
    QString lexeme;  // as the model wrote it
};

struct LiteralParse
{
    bool ok = false;
    QJsonValue value;
    qsizetype end = 0;  // index just past the value (ok) or where parsing stopped (error)
    QString error;      // plain words, for traces
    QList<WrittenNumber> integralFloats; // every "10.0"-style number in the value
};

// Parses exactly one value that starts at `pos` (leading whitespace is skipped) and reports
// where it ended; the text after it is not looked at. Strings may hold any brace, quote or
// bracket, so callers never count braces themselves.
//
// Whole numbers written as "10.0" are listed in `integralFloats`, so the validator can record
// the repair when an integer was declared. A number too large for a double is an error rather
// than an infinity (JSON has no way to write one). Nesting deeper than 256 levels is an error.
LiteralParse parseLiteral(QStringView text, qsizetype pos, LiteralDialect dialect);

// Checks the value at `pos` without building it: `ok`, `end` and `error` exactly as
// parseLiteral() reports them, `value` and `integralFloats` empty. Several times faster, for
// scans that step over data they will not read.
LiteralParse checkLiteral(QStringView text, qsizetype pos, LiteralDialect dialect);

// Convenience: parses the whole of `text` (surrounding whitespace allowed) as one value.
LiteralParse parseWholeLiteral(QStringView text, LiteralDialect dialect);

// The "10.0"-style numbers of a call's arguments, found again in the call's text: format parsers
// hand over arguments as JSON values, in which 10.0 and 10 are the same number, so the validator
// could not otherwise record that it typed one as an integer. The first JSON or Python literal
// in `callText` that holds `arguments` as one of its values says how each number was written;
// for keyword arguments (days=3.0, days:3.0) the top-level keys are looked up one by one.
// Pointers are relative to the arguments.
QList<WrittenNumber> wholeFloatsWritten(QStringView callText, const QJsonValue& arguments);

// Index of the first non-whitespace character at or after `pos` (text.size() if none).
qsizetype skipWhitespace(QStringView text, qsizetype pos);

} // namespace Guard
