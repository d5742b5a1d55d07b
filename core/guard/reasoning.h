#pragma once

#include "formats/formatparser.h"

#include <QList>
#include <QStringView>

namespace Guard {

// A stretch of model output marked as reasoning by a think wrapper.
struct ReasoningRegion
{
    TextSpan whole; // tags included
    TextSpan inner; // the reasoning text itself
    bool closed = true; // false: the opening tag was never closed (the text ran out inside it)
    bool openTagSeen = true; // false: only a closing tag was visible (the prompt opened it)
};

// Finds reasoning wrappers in model output, left to right: <think>, <thinking>, [THINK],
// <seed:think>, <mm:think>, <|START_THINKING|>, <|inner_prefix|>, Gemma 4's <|channel>thought,
// and Apriel's "[BEGIN FINAL RESPONSE]" (whatever precedes it is reasoning).
//
// A closing tag seen before any opening tag means the prompt already opened the block ("forced
// open" thinking): the text before it is reasoning. That only holds for the first tag in the
// text; a stray closing tag later is ordinary text. An opening tag that is never closed yields
// an unclosed region running to the end of the text.
QList<ReasoningRegion> findReasoningRegions(QStringView text);

// The wrappers findReasoningRegions() knows, as opening and closing tags; an empty `open` marks
// a divider that only closes (Apriel's "[BEGIN FINAL RESPONSE]").
struct ReasoningWrapper
{
    QStringView open;
    QStringView close;
};
const QList<ReasoningWrapper>& reasoningWrappers();

// Every opening and closing tag of reasoningWrappers(): a text without any of them has no
// reasoning region.
const QList<Anchor>& reasoningTags();

// Removes tokens that end a turn or a message (<|im_end|>, <|eot_id|>, </s>, ...) from both ends
// of `text`, with the whitespace around them. Only the ends: inside prose, "</s>" may be HTML.
// The result is a part of `text`.
QStringView trimEndOfTurnTokens(QStringView text);

} // namespace Guard
