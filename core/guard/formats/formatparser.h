#pragma once

#include "../toolcatalog.h"

#include <QJsonValue>
#include <QList>
#include <QString>
#include <QStringList>
#include <QStringView>

namespace Guard {

// A half-open range [start, end) of UTF-16 positions in the text a parser was given.
struct TextSpan
{
    qsizetype start = 0;
    qsizetype end = 0;

    qsizetype length() const { return end - start; }
    bool contains(qsizetype pos) const { return pos >= start && pos < end; }
    friend bool operator==(const TextSpan& a, const TextSpan& b) { return a.start == b.start && a.end == b.end; }
};

// One tool call recovered from text.
struct ParsedCall
{
    QString name;         // always a declared tool name, spelled as declared
    QJsonValue arguments; // as written: normally an object; anything else is left to the validator
    QString id;           // the id the model wrote (Mistral [CALL_ID], Kimi "functions.x:0", Cohere
                          // tool_call_id), empty when the format has none
    TextSpan span;        // the call's own text, markup included
};

// What one format parser found in a text.
struct FormatMatch
{
    QString format;            // the catalog id of what matched, e.g. "hermes_json"
    QList<ParsedCall> calls;   // in text order
    QList<TextSpan> markup;    // text that is not content: envelopes, the calls, separators between
                               // calls, the format's own end tokens
    QList<TextSpan> reasoning; // text the format itself marks as reasoning (harmony's analysis
                               // channel, Kimi K3's think section); generic think tags are the
                               // Rescuer's job
    QList<TextSpan> failed;    // call-shaped text of this format that yielded no declared call
                               // (unknown tool, arguments that do not parse, truncation): a near
                               // miss the guard corrects, unless it sits inside closed reasoning
    QStringList issues;        // plain words on what was not recovered and why, one per failure
};

// A string that must occur in a text for a parser to find anything there: one of its opening
// tokens. The literals live as long as the program (string literals, static constants).
struct Anchor
{
    QStringView text;
    Qt::CaseSensitivity cs = Qt::CaseSensitive;
};

// Where a parser runs in the sequence: anchored parsers need their own special markers and run
// first; generic envelopes (shared tags, code fences) next; envelope-free parsers (bare JSON,
// bare call lists) last, since they would otherwise claim calls that sit inside a marker.
enum class ParserRank { Anchored, Envelope, Bare };

// One detector for a family of tool-call text formats.
//
// Contract: parse() is a pure function of its arguments. It never emits a call whose name is not
// declared in `tools`, never emits a call whose text is truncated (an unclosed JSON object, a
// missing closing marker that the format requires to end the arguments), and reports spans
// relative to `text`. When nothing call-like is present it returns an empty match quickly: the
// common case is prose, and every parser sees every response.
class FormatParser
{
public:
    virtual ~FormatParser() = default;
    virtual QString name() const = 0; // stable parser id for traces, e.g. "hermes"
    virtual ParserRank rank() const = 0;
    virtual FormatMatch parse(QStringView text, const ToolCatalog& tools) const = 0;

    // Strings at least one of which occurs in every text where parse() finds anything (a call,
    // a failure, markup or reasoning). The Rescuer looks for every parser's anchors in one pass
    // and does not ask a parser none of whose anchors occur: markdown full of '<', '[' and '{'
    // then costs a few character scans instead of a full run of every parser. Empty (the
    // default): the parser is always asked, so its own first check must be cheap.
    virtual QList<Anchor> anchors() const { return {}; }
};

} // namespace Guard
