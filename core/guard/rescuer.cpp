#include "rescuer.h"

#include "formats/registry.h"
#include "reasoning.h"

#include <algorithm>
#include <array>

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

// Every parser's anchors, looked for in one pass over a text: each anchor has a pivot (its
// character least common in prose: '<', '[', '{', '=', ...), and where the pass meets a pivot
// character it compares only the anchors that share the pivot and the character after it, and
// of those only the ones whose next distinctive character matches too. One pass costs about
// what reading the text does, whatever the number of parsers.
class AnchorTable
{
public:
    // One slot per parser, in order, then one for the reasoning tags.
    explicit AnchorTable(const QList<const FormatParser*>& parsers)
    {
        m_groupOfAscii.fill(-1);
        for (const FormatParser* parser : parsers)
            addSlot(parser->anchors());
        addSlot(reasoningTags());
    }

    // Per slot: whether any of its anchors occurs in `text` (always true for a slot without
    // anchors).
    QList<bool> slotsIn(QStringView text) const
    {
        const QList<bool> found = anchorsIn(text);
        QList<bool> present;
        present.reserve(m_slots.size());
        for (const QList<int>& own : m_slots)
            present.append(own.isEmpty() || std::any_of(own.cbegin(), own.cend(), [&found](int id) { return found.at(id); }));
        return present;
    }

private:
    struct Entry
    {
        QStringView text;
        Qt::CaseSensitivity cs;
        qsizetype pivot; // offset of the character the pass stops at
        qsizetype probe; // offset of one more character compared before the whole anchor, or -1
    };
    // The anchors sharing one pivot character, bucketed by the character after it (folded to
    // lower case for case-insensitive anchors).
    struct Group
    {
        QList<int> bare;                   // anchors that end at the pivot
        std::array<QList<int>, 128> ascii; // by the next character, when it is ASCII
        QList<int> other;                  // the next character is not ASCII
    };

    // Lower is rarer in prose: punctuation, then ':' and its like, then capitals and digits,
    // then small letters, then spaces.
    static int commonness(QChar c)
    {
        if (c.isSpace())
            return 4;
        if (c.isLower())
            return 3;
        if (c.isLetterOrNumber())
            return 2;
        if (c == u':' || c == u'.' || c == u',' || c == u'-' || c == u'_')
            return 1;
        return 0;
    }

    void addSlot(const QList<Anchor>& anchors)
    {
        QList<int> own;
        for (const Anchor& anchor : anchors)
            own.append(addAnchor(anchor));
        m_slots.append(own);
    }

    int addAnchor(const Anchor& anchor)
    {
        for (int id = 0; id < m_entries.size(); ++id) {
            if (m_entries.at(id).text == anchor.text && m_entries.at(id).cs == anchor.cs)
                return id;
        }
        const int id = int(m_entries.size());
        qsizetype pivot = -1;
        for (qsizetype i = 0; i < anchor.text.size(); ++i) {
            const QChar c = anchor.text.at(i);
            // A case-insensitive anchor stops the pass at a character that has no case.
            if (anchor.cs == Qt::CaseInsensitive && c.toLower() != c.toUpper())
                continue;
            if (pivot < 0 || commonness(c) < commonness(anchor.text.at(pivot)))
                pivot = i;
        }
        Q_ASSERT(pivot >= 0); // every case-insensitive anchor so far starts with '<'
        pivot = std::max<qsizetype>(pivot, 0);
        const qsizetype probe = pivot + 2 < anchor.text.size() ? pivot + 2 : pivot - 1;
        m_entries.append({ anchor.text, anchor.cs, pivot, probe });
        const QChar pivotChar = anchor.text.at(pivot);
        qint8 groupIndex = groupOf(pivotChar.unicode());
        if (groupIndex < 0) {
            groupIndex = qint8(m_groups.size());
            m_groups.append(Group());
            if (pivotChar.unicode() < 128)
                m_groupOfAscii[pivotChar.unicode()] = groupIndex;
            else
                m_otherPivots.append({ pivotChar.unicode(), groupIndex });
        }
        Group& group = m_groups[groupIndex];
        if (pivot + 1 >= anchor.text.size()) {
            group.bare.append(id);
            return id;
        }
        const QChar after = anchor.cs == Qt::CaseInsensitive ? anchor.text.at(pivot + 1).toLower() : anchor.text.at(pivot + 1);
        if (after.unicode() < 128)
            group.ascii[after.unicode()].append(id);
        else
            group.other.append(id);
        return id;
    }

    qint8 groupOf(char16_t c) const
    {
        if (c < 128)
            return m_groupOfAscii[c];
        for (const auto& [pivot, group] : m_otherPivots) {
            if (pivot == c)
                return group;
        }
        return -1;
    }

    QList<bool> anchorsIn(QStringView text) const
    {
        QList<bool> found(m_entries.size(), false);
        qsizetype missing = m_entries.size();
        const char16_t* data = text.utf16();
        const qsizetype size = text.size();
        auto check = [&](const QList<int>& ids, qsizetype hit) {
            for (int id : ids) {
                if (found.at(id))
                    continue;
                const Entry& entry = m_entries.at(id);
                const qsizetype start = hit - entry.pivot;
                if (start < 0 || start + entry.text.size() > size)
                    continue;
                if (entry.probe >= 0) {
                    const QChar want = entry.text.at(entry.probe);
                    const QChar got(data[start + entry.probe]);
                    if (got != want && (entry.cs == Qt::CaseSensitive || got.toLower() != want.toLower()))
                        continue;
                }
                if (text.sliced(start).startsWith(entry.text, entry.cs)) {
                    found[id] = true;
                    --missing;
                }
            }
        };
        // Non-ASCII characters are all looked at closely (only two of them are pivots, but CJK
        // text is rare where tools are declared); ASCII ones are skipped four at a time.
        auto maybePivot = [this](char16_t c) { return c >= 128 || m_groupOfAscii[c] >= 0; };
        for (qsizetype hit = 0; hit < size && missing > 0; ++hit) {
            while (hit + 4 <= size && !(maybePivot(data[hit]) | maybePivot(data[hit + 1]) | maybePivot(data[hit + 2]) | maybePivot(data[hit + 3])))
                hit += 4;
            if (hit >= size)
                break;
            const qint8 groupIndex = groupOf(data[hit]);
            if (groupIndex < 0)
                continue;
            const Group& group = m_groups.at(groupIndex);
            if (!group.bare.isEmpty())
                check(group.bare, hit);
            if (hit + 1 >= size)
                break;
            const char16_t after = data[hit + 1];
            if (after >= 128) {
                if (!group.other.isEmpty())
                    check(group.other, hit);
                continue;
            }
            if (!group.ascii[after].isEmpty())
                check(group.ascii[after], hit);
            // Case-insensitive anchors sit under their lower-case next character.
            if (after >= u'A' && after <= u'Z' && !group.ascii[after - u'A' + u'a'].isEmpty())
                check(group.ascii[after - u'A' + u'a'], hit);
        }
        return found;
    }

    QList<Entry> m_entries;
    QList<Group> m_groups;
    std::array<qint8, 128> m_groupOfAscii;
    QList<QPair<char16_t, qint8>> m_otherPivots;
    QList<QList<int>> m_slots;
};

QString visibleText(QStringView text, const QList<TextSpan>& removed, qsizetype from)
{
    QList<TextSpan> clipped { { 0, std::min(from, text.size()) } };
    clipped.append(removed);
    const QList<TextSpan> cut = merged(clipped);
    // Nothing removed past `from` (the common case): one copy of the rest, not two.
    if (cut.isEmpty() || (cut.size() == 1 && cut.first().start == 0))
        return trimEndOfTurnTokens(text.sliced(cut.isEmpty() ? 0 : cut.first().end)).toString();
    const QString outside = textOutside(text, cut);
    const QStringView kept = trimEndOfTurnTokens(outside);
    return kept.size() == outside.size() ? outside : kept.toString();
}

Rescuer::Rescuer()
    : m_parsers(formatParsers())
{
    // Every exchange builds a Rescuer: the registry's table is built once.
    static const std::shared_ptr<const AnchorTable> registryAnchors = std::make_shared<const AnchorTable>(formatParsers());
    m_anchors = registryAnchors;
}

Rescuer::Rescuer(QList<const FormatParser*> parsers)
    : m_parsers(std::move(parsers))
    , m_anchors(std::make_shared<const AnchorTable>(m_parsers))
{
}

QList<const FormatParser*> Rescuer::parsersFor(QStringView text) const
{
    return parsersAsked(m_anchors->slotsIn(text));
}

QList<const FormatParser*> Rescuer::parsersAsked(const QList<bool>& ask) const
{
    QList<const FormatParser*> parsers;
    for (qsizetype i = 0; i < m_parsers.size(); ++i) {
        if (ask.at(i))
            parsers.append(m_parsers.at(i));
    }
    return parsers;
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
    // One pass over the text tells which parsers may find something there and whether it has a
    // reasoning tag. Every tag starts with '<' or '[', which mightHoldCall() looks for first:
    // prose without them is spared the pass.
    const bool mayHoldCall = !tools.isEmpty() && mightHoldCall(text, tools);
    const bool mayHoldTag = mayHoldCall || (tools.isEmpty() && (text.contains(u'<') || text.contains(u'[')));
    const QList<bool> present = mayHoldTag ? m_anchors->slotsIn(text) : QList<bool>();
    QList<ReasoningRegion> regions = !present.isEmpty() && present.last() ? findReasoningRegions(text) : QList<ReasoningRegion>();

    FormatMatch winner;
    const FormatParser* winningParser = nullptr;
    // A format's own framing with no call in it (harmony channels, Kimi K3 sections): not content
    // even when no call is found. The first clean such match is kept for that case.
    FormatMatch framing;
    if (mayHoldCall) {
        for (const FormatParser* parser : parsersAsked(present)) {
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
    // Several parsers may fail on the same text for the same reason; say each reason once.
    result.issues.removeDuplicates();
    return result;
}

} // namespace Guard
