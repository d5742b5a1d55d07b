#include "jsonedit.h"

namespace JsonEdit {

namespace {

bool isSpace(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

qsizetype skipSpace(const QByteArray& json, qsizetype pos)
{
    while (pos < json.size() && isSpace(json.at(pos)))
        ++pos;
    return pos;
}

// Index just past the string that starts at `pos` (a quote), or -1.
qsizetype stringEnd(const QByteArray& json, qsizetype pos)
{
    for (qsizetype i = pos + 1; i < json.size(); ++i) {
        if (json.at(i) == '\\')
            ++i;
        else if (json.at(i) == '"')
            return i + 1;
    }
    return -1;
}

// Index just past the value that starts at `pos`, or -1. Validation is shallow on purpose:
// the backend judges the JSON; this only has to find where values end.
qsizetype valueEnd(const QByteArray& json, qsizetype pos)
{
    if (pos >= json.size())
        return -1;
    const char c = json.at(pos);
    if (c == '"')
        return stringEnd(json, pos);
    if (c == '{' || c == '[') {
        int depth = 0;
        for (qsizetype i = pos; i < json.size(); ++i) {
            const char d = json.at(i);
            if (d == '"') {
                i = stringEnd(json, i);
                if (i < 0)
                    return -1;
                --i;
            } else if (d == '{' || d == '[') {
                ++depth;
            } else if (d == '}' || d == ']') {
                if (--depth == 0)
                    return i + 1;
            }
        }
        return -1;
    }
    qsizetype i = pos;
    while (i < json.size() && json.at(i) != ',' && json.at(i) != '}' && json.at(i) != ']' && !isSpace(json.at(i)))
        ++i;
    return i > pos ? i : -1;
}

// Calls `visit(keyStart, keyEnd, valueStart, valueEnd)` per top-level member; false when the
// text is not an object.
template<typename Visit>
bool forEachMember(const QByteArray& json, Visit visit, qsizetype* closingBrace = nullptr)
{
    qsizetype pos = skipSpace(json, 0);
    if (pos >= json.size() || json.at(pos) != '{')
        return false;
    pos = skipSpace(json, pos + 1);
    if (pos < json.size() && json.at(pos) == '}') {
        if (closingBrace)
            *closingBrace = pos;
        return true;
    }
    while (pos < json.size()) {
        if (json.at(pos) != '"')
            return false;
        const qsizetype keyEnd = stringEnd(json, pos);
        if (keyEnd < 0)
            return false;
        qsizetype colon = skipSpace(json, keyEnd);
        if (colon >= json.size() || json.at(colon) != ':')
            return false;
        const qsizetype valueStart = skipSpace(json, colon + 1);
        const qsizetype end = valueEnd(json, valueStart);
        if (end < 0)
            return false;
        visit(pos, keyEnd, valueStart, end);
        pos = skipSpace(json, end);
        if (pos < json.size() && json.at(pos) == ',') {
            pos = skipSpace(json, pos + 1);
            continue;
        }
        if (pos < json.size() && json.at(pos) == '}') {
            if (closingBrace)
                *closingBrace = pos;
            return true;
        }
        return false;
    }
    return false;
}

} // namespace

std::optional<MemberSpan> findTopLevelMember(const QByteArray& json, QByteArrayView key)
{
    const QByteArray quoted = '"' + key.toByteArray() + '"';
    MemberSpan found;
    const bool ok = forEachMember(json, [&](qsizetype keyStart, qsizetype keyEnd, qsizetype valueStart, qsizetype end) {
        // Keys are compared as written; clients do not escape plain ASCII keys.
        if (QByteArrayView(json).sliced(keyStart, keyEnd - keyStart) == quoted)
            found = { keyStart, valueStart, end };
    });
    if (!ok || found.keyStart < 0)
        return std::nullopt;
    return found;
}

std::optional<QByteArray> setTopLevelMember(const QByteArray& json, QByteArrayView key, const QByteArray& valueJson)
{
    if (const auto member = findTopLevelMember(json, key)) {
        QByteArray result = json;
        result.replace(member->valueStart, member->valueEnd - member->valueStart, valueJson);
        return result;
    }
    qsizetype closing = -1;
    bool empty = true;
    if (!forEachMember(json, [&](qsizetype, qsizetype, qsizetype, qsizetype) { empty = false; }, &closing))
        return std::nullopt;
    QByteArray result = json;
    const QByteArray member = '"' + key.toByteArray() + "\":" + valueJson;
    result.insert(closing, empty ? member : ',' + member);
    return result;
}

std::optional<QByteArray> appendToTopLevelArray(const QByteArray& json, QByteArrayView key, const QList<QByteArray>& itemsJson)
{
    const auto member = findTopLevelMember(json, key);
    if (!member || json.at(member->valueStart) != '[')
        return std::nullopt;
    if (itemsJson.isEmpty())
        return json;
    const qsizetype closing = member->valueEnd - 1; // the ']'
    const qsizetype lastInside = [&] {
        qsizetype i = closing - 1;
        while (i > member->valueStart && isSpace(json.at(i)))
            --i;
        return i;
    }();
    const bool empty = lastInside == member->valueStart;
    QByteArray insertion;
    for (qsizetype i = 0; i < itemsJson.size(); ++i) {
        if (i > 0 || !empty)
            insertion += ',';
        insertion += itemsJson.at(i);
    }
    QByteArray result = json;
    result.insert(lastInside + 1, insertion);
    return result;
}

} // namespace JsonEdit
