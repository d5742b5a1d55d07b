#include "reasoning.h"

#include <algorithm>

namespace Guard {

namespace {

struct WrapperTags
{
    QStringView open;
    QStringView close;
};

// The opening and closing tags of every reasoning wrapper in the format catalog. An empty
// `open` marks a close-only divider.
constexpr WrapperTags kWrappers[] = {
    { u"<think>", u"</think>" },
    { u"<thinking>", u"</thinking>" },
    { u"[THINK]", u"[/THINK]" },
    { u"<seed:think>", u"</seed:think>" },
    { u"<mm:think>", u"</mm:think>" },
    { u"<|START_THINKING|>", u"<|END_THINKING|>" },
    { u"<|inner_prefix|>", u"<|inner_suffix|>" },
    { u"<|channel>thought", u"<channel|>" },
    { u"", u"[BEGIN FINAL RESPONSE]" },
};

constexpr QStringView kEndOfTurnTokens[] = {
    u"<|im_end|>", u"<|eot_id|>", u"<|eom_id|>", u"<|end_of_text|>", u"</s>", u"<|endoftext|>",
    u"<|end|>", u"<|return|>", u"<|call|>", u"<end_of_turn>", u"<turn|>", u"<|END_RESPONSE|>",
    u"<|START_RESPONSE|>", u"<|END_OF_TURN_TOKEN|>", u"<\uff5cend\u2581of\u2581sentence\uff5c>",
    u"<|end\u2581of\u2581sentence|>", u"[END FINAL RESPONSE]", u"<|eos|>",
    u"<seed:eos>", u"<|observation|>", u"<|user|>", u"<|eom|>", u"<|eot|>",
};

struct TagHit
{
    qsizetype pos = -1;
    const WrapperTags* wrapper = nullptr;
    bool isOpen = false;
};

// The earliest opening or closing tag at or after `from`; ties go to the longer tag. Every tag
// starts with '<' or '[': the search hops between those characters (markdown and HTML have
// thousands) and compares a tag only where its next two characters fit too.
TagHit nextTag(QStringView text, qsizetype from)
{
    qsizetype angle = text.indexOf(u'<', from);
    qsizetype bracket = text.indexOf(u'[', from);
    while (angle >= 0 || bracket >= 0) {
        const qsizetype pos = bracket < 0 || (angle >= 0 && angle < bracket) ? angle : bracket;
        const QStringView rest = text.sliced(pos);
        TagHit best;
        qsizetype bestLength = 0;
        for (const WrapperTags& wrapper : kWrappers) {
            for (bool isOpen : { true, false }) {
                const QStringView tag = isOpen ? wrapper.open : wrapper.close;
                if (tag.size() <= bestLength || rest.size() < tag.size() || tag.at(1) != rest.at(1) || tag.at(2) != rest.at(2)
                    || tag.at(0) != rest.at(0))
                    continue;
                if (rest.startsWith(tag)) {
                    best = { pos, &wrapper, isOpen };
                    bestLength = tag.size();
                }
            }
        }
        if (best.wrapper)
            return best;
        if (pos == angle)
            angle = text.indexOf(u'<', pos + 1);
        else
            bracket = text.indexOf(u'[', pos + 1);
    }
    return {};
}

} // namespace

QList<ReasoningRegion> findReasoningRegions(QStringView text)
{
    QList<ReasoningRegion> regions;
    // Quick exit for the common case of prose: every tag starts with '<' or '['.
    if (!text.contains(u'<') && !text.contains(u'['))
        return regions;

    qsizetype pos = 0;
    bool firstTag = true;
    while (pos < text.size()) {
        const TagHit hit = nextTag(text, pos);
        if (hit.pos < 0)
            break;
        const WrapperTags& wrapper = *hit.wrapper;
        if (!hit.isOpen) {
            const qsizetype closeEnd = hit.pos + wrapper.close.size();
            if (firstTag) {
                ReasoningRegion region;
                region.whole = { 0, closeEnd };
                region.inner = { 0, hit.pos };
                region.openTagSeen = false;
                regions.append(region);
            }
            firstTag = false;
            pos = closeEnd;
            continue;
        }
        firstTag = false;
        const qsizetype innerStart = hit.pos + wrapper.open.size();
        const qsizetype close = text.indexOf(wrapper.close, innerStart);
        ReasoningRegion region;
        if (close < 0) {
            region.whole = { hit.pos, text.size() };
            region.inner = { innerStart, text.size() };
            region.closed = false;
            regions.append(region);
            break;
        }
        region.whole = { hit.pos, close + wrapper.close.size() };
        region.inner = { innerStart, close };
        regions.append(region);
        pos = region.whole.end;
    }
    return regions;
}

const QList<ReasoningWrapper>& reasoningWrappers()
{
    static const QList<ReasoningWrapper> wrappers = [] {
        QList<ReasoningWrapper> all;
        for (const WrapperTags& wrapper : kWrappers)
            all.append({ wrapper.open, wrapper.close });
        return all;
    }();
    return wrappers;
}

const QList<Anchor>& reasoningTags()
{
    static const QList<Anchor> tags = [] {
        QList<Anchor> all;
        for (const WrapperTags& wrapper : kWrappers) {
            for (QStringView tag : { wrapper.open, wrapper.close }) {
                if (!tag.isEmpty())
                    all.append({ tag });
            }
        }
        return all;
    }();
    return tags;
}

QStringView trimEndOfTurnTokens(QStringView text)
{
    QStringView rest = text.trimmed();
    bool changed = true;
    while (changed && !rest.isEmpty()) {
        changed = false;
        for (QStringView token : kEndOfTurnTokens) {
            if (rest.startsWith(token)) {
                rest = rest.mid(token.size()).trimmed();
                changed = true;
            }
            if (rest.endsWith(token)) {
                rest = rest.chopped(token.size()).trimmed();
                changed = true;
            }
        }
    }
    return rest;
}

} // namespace Guard
