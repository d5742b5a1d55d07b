#pragma once

#include "formats/formatparser.h"
#include "toolcatalog.h"

#include <QList>
#include <QString>
#include <QStringList>

#include <memory>

namespace Guard {

class AnchorTable;

// What the rescue of one model text produced.
struct RescueResult
{
    QList<ParsedCall> calls; // spans relative to the text given to rescue()
    QString content;         // the user-visible rest: prose without call markup, reasoning or
                             // end-of-turn tokens (the text unchanged when nothing was found)
    QString reasoning;       // text of reasoning blocks, joined by blank lines
    QString format;          // catalog id of the format that matched, empty when none did
    QString parser;          // name of the parser that matched
    bool nearMiss = false;   // call-shaped text outside reasoning that could not be recovered
    QStringList issues;      // why near misses failed, which rehearsed calls were ignored
    QList<TextSpan> removed; // what is not content (markup, calls, reasoning), sorted and merged
};

// The text outside `removed` from position `from` on, with one whitespace character where pieces
// meet and end-of-turn tokens trimmed: how `content` is made, reusable for a part of the text
// (the streaming guard releases only what it has not sent yet).
QString visibleText(QStringView text, const QList<TextSpan>& removed, qsizetype from = 0);

// Recovers tool calls that a model wrote as text, in any format the registry knows, without
// being told which model wrote it.
//
// Steps: find reasoning wrappers; ask each format parser in rank order (anchored markers, then
// generic envelopes, then bare JSON and call lists); the first parser that yields a call outside
// closed reasoning wins. Calls inside a closed reasoning block are rehearsals and are dropped;
// calls that end an unclosed block are real. Prose around the calls stays content.
class Rescuer
{
public:
    Rescuer(); // every registered format
    explicit Rescuer(QList<const FormatParser*> parsers);

    RescueResult rescue(QStringView text, const ToolCatalog& tools) const;

    // True when `text` could hold a call at all: it has one of the characters every format
    // needs ('<', '[', '{', '｜') or starts with a declared tool name. A single pass, so prose
    // costs next to nothing.
    static bool mightHoldCall(QStringView text, const ToolCatalog& tools);

    // The parsers rescue() asks about `text`: those with no anchors, and those with an anchor
    // in the text (FormatParser::anchors()), in rank order. For benchmarks and tests.
    QList<const FormatParser*> parsersFor(QStringView text) const;

private:
    QList<const FormatParser*> parsersAsked(const QList<bool>& present) const;

    QList<const FormatParser*> m_parsers;
    std::shared_ptr<const AnchorTable> m_anchors;
};

} // namespace Guard
