#include "rescuer.h"

#include "formats/registry.h"
#include "reasoning.h"

#include <algorithm>

using namespace Qt::StringLiterals;

namespace Guard {

namespace {

bool tagInside(qsizetype tagPos, const TextSpan& span)
{
    return tagPos > span.start && tagPos < span.end;
}

// A region whose own tags sit inside a call's text is not reasoning: the "tag" is data, e.g. a
// tool argument that mentions </think>.
bool regionIsData(const ReasoningRegion& region, const QList<ParsedCall>& calls)
{
    for (const ParsedCall& call : calls) {
        if (region.openTagSeen && tagInside(region.whole.start, call.span))
            return true;
        if (region.closed && tagInside(region.inner.end, call.span))
            return true;
    }
    return false;
}

bool insideClosedRegion(qsizetype pos, const QList<ReasoningRegion>& regions)
{
    return std::any_of(regions.cbegin(), regions.cend(), [pos](const ReasoningRegion& region) {
        return region.closed && region.whole.contains(pos);
    });
}

// Sorts spans and merges the ones that overlap or touch.
QList<TextSpan> merged(QList<TextSpan> spans)
{
    std::sort(spans.begin(), spans.end(), [](const TextSpan& a, const TextSpan& b) { return a.start < b.start; });
    QList<TextSpan> result;
    for (const TextSpan& span : spans) {
        if (span.length() <= 0)
            continue;
        if (!result.isEmpty() && span.start <= result.last().end)
            result.last().end = std::max(result.last().end, span.end);
        else
            result.append(span);
    }
    return result;
}

// The text outside `removed`, with one whitespace character where pieces meet (a newline when
// either side had one), so prose on both sides of a call reads naturally.
QString textOutside(QStringView text, const QList<TextSpan>& removed)
{
    QString result;
    qsizetype pos = 0;
    auto appendPiece = [&result](QStringView piece) {
        if (piece.isEmpty())
            return;
        if (result.isEmpty()) {
            result.append(piece);
            return;
        }
        // Prose on both sides of a removed call gets one space, so "Checking.<call>Done."
        // does not become "Checking.Done.".
        if (!result.back().isSpace() && !piece.front().isSpace()) {
            result.append(u' ');
            result.append(piece);
            return;
        }
        bool newline = false;
        while (!result.isEmpty() && result.back().isSpace()) {
            newline = newline || result.back() == u'\n';
            result.chop(1);
        }
        qsizetype lead = 0;
        while (lead < piece.size() && piece.at(lead).isSpace()) {
            newline = newline || piece.at(lead) == u'\n';
            ++lead;
        }
        piece = piece.mid(lead);
        if (!result.isEmpty() && !piece.isEmpty())
            result.append(newline ? u'\n' : u' ');
        result.append(piece);
    };
    for (const TextSpan& span : removed) {
        appendPiece(text.mid(pos, span.start - pos));
        pos = std::max(pos, span.end);
    }
    appendPiece(text.mid(pos));
    return result;
}

} // namespace

QString visibleText(QStringView text, const QList<TextSpan>& removed, qsizetype from)
{
    QList<TextSpan> clipped { { 0, std::min(from, text.size()) } };
    clipped.append(removed);
    return trimEndOfTurnTokens(textOutside(text, merged(clipped)));
}

Rescuer::Rescuer()
    : m_parsers(formatParsers())
{
}

Rescuer::Rescuer(QList<const FormatParser*> parsers)
    : m_parsers(std::move(parsers))
{
}

bool Rescuer::mightHoldCall(QStringView text, const ToolCatalog& tools)
{
    // One vectorised search per character beats a loop that tests four per character.
    for (QChar c : { QChar(u'<'), QChar(u'['), QChar(u'{'), QChar(u'\uff5c') }) {
        if (text.contains(c))
            return true;
    }
    // Functionary v3.2 names its recipient after ">>>" and may carry raw code without brackets.
    // (A substring search over the whole text is many times slower than hopping between '>'.)
    for (qsizetype at = text.indexOf(u'>'); at >= 0; at = text.indexOf(u'>', at + 1)) {
        if (text.sliced(at).startsWith(u">>>"))
            return true;
    }
    const QStringView start = text.trimmed();
    return std::any_of(tools.tools().cbegin(), tools.tools().cend(),
                       [start](const ToolDefinition& tool) { return start.startsWith(tool.name); });
}

RescueResult Rescuer::rescue(QStringView text, const ToolCatalog& tools) const
{
    RescueResult result;
    QList<ReasoningRegion> regions = findReasoningRegions(text);

    FormatMatch winner;
    const FormatParser* winningParser = nullptr;
    // A format's own framing with no call in it (harmony channels, Kimi K3 sections): not content
    // even when no call is found. The first clean such match is kept for that case.
    FormatMatch framing;
    if (!tools.isEmpty() && mightHoldCall(text, tools)) {
        for (const FormatParser* parser : m_parsers) {
            FormatMatch match = parser->parse(text, tools);
            for (const TextSpan& failed : match.failed) {
                if (!insideClosedRegion(failed.start, regions))
                    result.nearMiss = true;
            }
            if (match.calls.isEmpty()) {
                if (!match.failed.isEmpty())
                    result.issues.append(match.issues);
                else if (framing.markup.isEmpty() && framing.reasoning.isEmpty() && parser->rank() == ParserRank::Anchored)
                    framing = match;
                continue;
            }
            // Regions whose tags are data inside this parser's calls do not count as reasoning.
            QList<ReasoningRegion> live;
            for (const ReasoningRegion& region : regions) {
                if (!regionIsData(region, match.calls))
                    live.append(region);
            }
            QList<ParsedCall> kept;
            for (const ParsedCall& call : match.calls) {
                if (insideClosedRegion(call.span.start, live))
                    result.issues.append(u"ignored a call to '"_s + call.name + u"' inside closed reasoning (a rehearsal)"_s);
                else
                    kept.append(call);
            }
            if (kept.isEmpty())
                continue;
            match.calls = kept;
            winner = match;
            winningParser = parser;
            regions = live;
            break;
        }
    }

    if (!winningParser && !result.nearMiss) {
        winner.markup = framing.markup;
        winner.reasoning = framing.reasoning;
    }

    QList<TextSpan> removed;
    QStringList reasoningParts;
    for (const ReasoningRegion& region : regions) {
        if (region.closed) {
            removed.append(region.whole);
            reasoningParts.append(text.mid(region.inner.start, region.inner.length()).trimmed().toString());
            continue;
        }
        // Unclosed: reasoning runs up to the first call that ends it; with no call, to the end.
        qsizetype reasoningEnd = region.inner.end;
        for (const ParsedCall& call : winner.calls) {
            if (call.span.start >= region.inner.start)
                reasoningEnd = std::min(reasoningEnd, call.span.start);
        }
        for (const TextSpan& markup : winner.markup) {
            if (markup.start >= region.inner.start && markup.start < reasoningEnd)
                reasoningEnd = markup.start;
        }
        removed.append({ region.whole.start, reasoningEnd });
        reasoningParts.append(text.mid(region.inner.start, reasoningEnd - region.inner.start).trimmed().toString());
    }
    for (const TextSpan& span : winner.reasoning) {
        removed.append(span);
        reasoningParts.append(text.mid(span.start, span.length()).trimmed().toString());
    }
    removed.append(winner.markup);
    for (const ParsedCall& call : winner.calls)
        removed.append(call.span);

    reasoningParts.removeAll(QString());
    result.reasoning = reasoningParts.join(u"\n\n"_s);
    result.removed = merged(removed);
    result.content = visibleText(text, result.removed);
    result.calls = winner.calls;
    if (winningParser) {
        result.format = winner.format;
        result.parser = winningParser->name();
        result.nearMiss = false;
        result.issues.append(winner.issues);
    }
    return result;
}

} // namespace Guard
