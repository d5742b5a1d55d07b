#include "jsonenvelopes_common.h"

#include "argumenttyping.h"
#include "jsoncall.h"

#include <QJsonObject>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace Guard::JsonEnvelopes {

namespace {

// One value of an envelope body: a call, or what should have been one.
struct BodyItem
{
    TextSpan span;
    QJsonValue value;
    bool ok = false;
    bool truncated = false; // the text ran out inside the value
    QString error;
};

struct JsonBody
{
    QList<BodyItem> items;
    bool isArray = false;
    bool arrayClosed = false;
    qsizetype end = 0; // just past what was read
};

// Finds a marker after a position, remembering the last answer: the marker's first occurrence
// after `from` does not change while `from` stays before it, so repeated look-ups stay linear.
class MarkerFinder
{
public:
    MarkerFinder(QStringView text, QStringView marker, Qt::CaseSensitivity cs)
        : m_text(text)
        , m_marker(marker)
        , m_cs(cs)
    { }

    qsizetype after(qsizetype from)
    {
        if (m_marker.isEmpty())
            return -1;
        if (m_searchedFrom < 0 || from < m_searchedFrom || (m_found >= 0 && from > m_found)) {
            m_found = m_text.indexOf(m_marker, from, m_cs);
            m_searchedFrom = from;
        }
        return m_found;
    }

private:
    QStringView m_text;
    QStringView m_marker;
    Qt::CaseSensitivity m_cs;
    qsizetype m_searchedFrom = -1;
    qsizetype m_found = -1;
};

// Reads the values of a body at `pos`: the elements of an array, or objects one after another
// (JSON lines, or calls missing the comma between them). A malformed value is skipped up to the
// next '{' before the closing marker, so one broken call does not cost its siblings; without a
// closing marker nothing bounds that search and reading stops.
JsonBody readJsonBody(QStringView text, qsizetype pos, QStringView bound, Qt::CaseSensitivity cs)
{
    JsonBody body;
    MarkerFinder closing(text, bound, cs);
    qsizetype cursor = skipWhitespace(text, pos);
    body.isArray = at(text, cursor, u"[");
    if (body.isArray)
        ++cursor;
    body.end = cursor;
    while (true) {
        cursor = skipWhitespace(text, cursor);
        while (at(text, cursor, u","))
            cursor = skipWhitespace(text, cursor + 1);
        if (cursor >= text.size())
            break;
        if (body.isArray && text.at(cursor) == u']') {
            body.arrayClosed = true;
            body.end = cursor + 1;
            break;
        }
        if (!body.isArray && text.at(cursor) != u'{')
            break;
        const LiteralParse parsed = readValue(text, cursor);
        if (parsed.ok) {
            BodyItem item;
            item.span = { cursor, parsed.end };
            item.value = parsed.value;
            item.ok = true;
            body.items.append(item);
            cursor = parsed.end;
            body.end = cursor;
            continue;
        }
        BodyItem bad;
        bad.span.start = cursor;
        bad.error = parsed.error;
        const qsizetype stop = std::max(parsed.end, cursor + 1);
        const qsizetype boundAt = closing.after(cursor);
        if (boundAt >= 0 && boundAt < stop) {
            // The value ran past its envelope's closing marker: it ends there.
            bad.span.end = boundAt;
            body.items.append(bad);
            body.end = boundAt;
            break;
        }
        if (skipWhitespace(text, parsed.end) >= text.size()) {
            bad.truncated = true;
            bad.span.end = text.size();
            body.items.append(bad);
            body.end = text.size();
            break;
        }
        const qsizetype next = boundAt < 0 ? -1 : text.indexOf(u'{', stop);
        if (next < 0 || next >= boundAt) {
            bad.span.end = boundAt >= 0 ? boundAt : stop;
            body.items.append(bad);
            body.end = bad.span.end;
            break;
        }
        bad.span.end = next;
        body.items.append(bad);
        cursor = next;
    }
    return body;
}

bool shapeFits(QStringView text, qsizetype pos, BodyShape shape)
{
    const QChar c = text.at(pos);
    if (c == u'{')
        return shape == BodyShape::Object || shape == BodyShape::ObjectOrCallArray;
    if (c != u'[' || shape == BodyShape::Object)
        return false;
    if (shape == BodyShape::AnyArray)
        return true;
    const qsizetype first = skipWhitespace(text, pos + 1);
    return first < text.size() && (text.at(first) == u'{' || text.at(first) == u']');
}

// A tool *definition* echoed from the prompt (<tools>[{"type": "function", "function": {"name",
// "description", "parameters": {schema}}}]) has the shape of a call with its schema as arguments.
bool looksLikeToolDefinition(const QJsonObject& object)
{
    const QJsonObject inner
        = object.value("function"_L1).isObject() ? object.value("function"_L1).toObject() : object;
    if (!inner.contains("description"_L1) || inner.contains("arguments"_L1))
        return false;
    const QJsonObject parameters = inner.value("parameters"_L1).toObject();
    return parameters.contains("properties"_L1) || parameters.value("type"_L1) == "object"_L1;
}

bool isUndeclaredDirectAnswer(const QJsonValue& value, const ToolCatalog& tools)
{
    const QJsonObject object = value.toObject();
    for (QLatin1StringView key : { "tool_name"_L1, "name"_L1 }) {
        const QString written = object.value(key).toString();
        if ((written == "directly_answer"_L1 || written == "directly-answer"_L1) && !tools.resolve(written))
            return true;
    }
    return false;
}

QString itemProblem(const BodyItem& item)
{
    if (item.truncated)
        return u"the text ends inside the call's JSON (truncated)"_s;
    return u"the call is not valid JSON ("_s + item.error + u")"_s;
}

} // namespace

bool at(QStringView text, qsizetype pos, QStringView token, Qt::CaseSensitivity cs)
{
    return pos >= 0 && pos <= text.size() && text.mid(pos).startsWith(token, cs);
}

bool atLineStart(QStringView text, qsizetype pos)
{
    while (pos > 0 && (text.at(pos - 1) == u' ' || text.at(pos - 1) == u'\t'))
        --pos;
    return pos == 0 || text.at(pos - 1) == u'\n';
}

LiteralParse readValue(QStringView text, qsizetype pos)
{
    LiteralParse json = parseLiteral(text, pos, LiteralDialect::Json);
    if (json.ok)
        return json;
    LiteralParse python = parseLiteral(text, pos, LiteralDialect::Python);
    if (python.ok && (python.value.isObject() || python.value.isArray()))
        return python;
    return json;
}

void addCall(FormatMatch& match, ParsedCall call, QStringView format)
{
    if (match.calls.isEmpty())
        match.format = format.toString();
    match.calls.append(std::move(call));
}

void addFailure(FormatMatch& match, TextSpan span, QStringView format, const QString& issue)
{
    if (match.format.isEmpty())
        match.format = format.toString();
    match.failed.append(span);
    match.issues.append(format + u": "_s + issue);
}

QJsonValue typedArgument(const ToolDefinition& tool, QStringView key, QStringView written)
{
    QStringView value = written;
    if (value.startsWith(u'\n'))
        value = value.mid(1);
    if (value.endsWith(u'\n'))
        value.chop(1);
    return typeArgumentText(value, ToolCatalog::propertySchema(tool, key), tool.parameters);
}

qsizetype takeJsonEnvelope(FormatMatch& match, QStringView text, qsizetype start, qsizetype bodyStart,
    const EnvelopeRules& rules, const ToolCatalog& tools)
{
    qsizetype pos = skipWhitespace(text, bodyStart);
    // Models sometimes fence the JSON inside the envelope: <tool_call>\n```json\n{...}\n```\n</tool_call>.
    bool fenced = false;
    if (at(text, pos, u"```")) {
        const qsizetype lineEnd = text.indexOf(u'\n', pos);
        pos = lineEnd < 0 ? text.size() : skipWhitespace(text, lineEnd + 1);
        fenced = true;
    }
    if (pos >= text.size()) {
        if (!rules.genericTag)
            addFailure(match, { start, text.size() }, rules.format,
                u"the text ends right after the opening marker"_s);
        return text.size();
    }
    if (!shapeFits(text, pos, rules.shape))
        return -1;

    const QStringView bound = rules.close.isEmpty() && fenced ? QStringView(u"```") : rules.close;
    const JsonBody body = readJsonBody(text, pos, bound, rules.closeCase);

    qsizetype end = body.end;
    qsizetype probe = skipWhitespace(text, body.end);
    bool delimited = false; // something after the body closes the envelope
    if (fenced && at(text, probe, u"```")) {
        end = probe + 3;
        probe = skipWhitespace(text, end);
        delimited = true;
    }
    bool markerClosed = false;
    if (!rules.close.isEmpty()) {
        // Stray closing braces a model added before the closing marker belong to the envelope.
        qsizetype tail = probe;
        while (
            tail < text.size() && (text.at(tail) == u'}' || text.at(tail) == u']' || text.at(tail).isSpace()))
            ++tail;
        if (at(text, tail, rules.close, rules.closeCase)) {
            markerClosed = true;
            delimited = true;
            end = tail + rules.close.size();
        }
    }
    if (body.isArray && body.arrayClosed)
        delimited = true;

    QStringView format = rules.format;
    if (!body.isArray && !rules.linesFormat.isEmpty())
        format = rules.linesFormat;
    if (body.isArray && !markerClosed && !rules.unclosedArrayFormat.isEmpty())
        format = rules.unclosedArrayFormat;

    // What each value gave.
    struct Outcome
    {
        QList<ParsedCall> calls;
        QString problem; // empty: no near miss
        bool callShaped = true; // false: JSON data that names no call
    };
    QList<Outcome> outcomes;
    qsizetype lastCallEnd = -1;
    for (const BodyItem& item : body.items) {
        Outcome outcome;
        if (!item.ok) {
            if (!rules.genericTag)
                outcome.problem = itemProblem(item);
        } else if (!(rules.dropsDirectAnswer && isUndeclaredDirectAnswer(item.value, tools))
            && !(item.value.isObject() && looksLikeToolDefinition(item.value.toObject()))) {
            QStringList issues;
            outcome.calls = callsFromJson(item.value, tools, &issues);
            if (!issues.isEmpty())
                outcome.problem = issues.join(u"; "_s);
            else if (outcome.calls.isEmpty() && !rules.genericTag)
                outcome.problem = u"the JSON names no declared tool to call"_s;
            outcome.callShaped = !issues.isEmpty() || !outcome.calls.isEmpty();
        }
        if (!outcome.calls.isEmpty())
            lastCallEnd = item.span.end;
        outcomes.append(outcome);
    }
    // Without a closing marker the envelope ends with its last call: what follows is prose.
    if (!delimited && lastCallEnd >= 0)
        end = lastCallEnd;

    if (lastCallEnd < 0) {
        QStringList problems;
        qsizetype failedEnd = end;
        for (qsizetype i = 0; i < outcomes.size(); ++i) {
            if (outcomes.at(i).problem.isEmpty())
                continue;
            problems.append(outcomes.at(i).problem);
            failedEnd = std::max(failedEnd, body.items.at(i).span.end);
        }
        if (!problems.isEmpty())
            addFailure(match, { start, failedEnd }, format, problems.join(u"; "_s));
        return std::max(failedEnd, body.end);
    }

    const TextSpan envelope { start, end };
    const bool oneCall = body.items.size() == 1 && outcomes.first().calls.size() == 1;
    match.markup.append(envelope);
    for (qsizetype i = 0; i < outcomes.size(); ++i) {
        const BodyItem& item = body.items.at(i);
        const Outcome& outcome = outcomes.at(i);
        const bool inside = item.span.end <= end;
        // Trailing data after an unclosed envelope is prose, not a near miss.
        if (!outcome.problem.isEmpty() && (inside || !item.ok || outcome.callShaped))
            addFailure(match, item.span, format, outcome.problem);
        for (ParsedCall call : outcome.calls) {
            call.span = oneCall ? envelope : item.span;
            addCall(match, std::move(call), format);
        }
    }
    return std::max(end, body.end);
}

FormatMatch parseMarkedEnvelopes(QStringView text, const ToolCatalog& tools, QStringView open,
    const EnvelopeRules& rules, Qt::CaseSensitivity openCase)
{
    FormatMatch match;
    qsizetype from = 0;
    while (from < text.size()) {
        const qsizetype start = text.indexOf(open, from, openCase);
        if (start < 0)
            break;
        const qsizetype bodyStart = start + open.size();
        from = std::max(takeJsonEnvelope(match, text, start, bodyStart, rules, tools), bodyStart);
    }
    finishMatch(match, text);
    return match;
}

QList<CodeFence> codeFences(QStringView text)
{
    QList<CodeFence> fences;
    if (!text.contains(u"```"))
        return fences;
    CodeFence current;
    bool open = false;
    qsizetype lineStart = 0;
    while (true) {
        qsizetype lineEnd = text.indexOf(u'\n', lineStart);
        if (lineEnd < 0)
            lineEnd = text.size();
        qsizetype first = lineStart;
        while (first < lineEnd && (text.at(first) == u' ' || text.at(first) == u'\t'))
            ++first;
        if (at(text, first, u"```")) {
            if (!open) {
                current.openLine = { lineStart, std::min(lineEnd + 1, text.size()) };
            } else {
                current.closeLine = { lineStart, lineEnd };
                fences.append(current);
            }
            open = !open;
        }
        if (lineEnd >= text.size())
            break;
        lineStart = lineEnd + 1;
    }
    if (open) {
        current.closeLine = { text.size(), text.size() };
        fences.append(current);
    }
    return fences;
}

bool insideCodeFence(const QList<CodeFence>& fences, qsizetype pos)
{
    return std::any_of(fences.cbegin(), fences.cend(),
        [pos](const CodeFence& fence) { return pos >= fence.openLine.end && pos < fence.closeLine.start; });
}

void finishMatch(FormatMatch& match, QStringView text)
{
    if (match.calls.isEmpty() || match.markup.isEmpty())
        return;
    const QList<CodeFence> fences = codeFences(text);
    if (fences.isEmpty())
        return;
    QList<TextSpan> markup = match.markup;
    std::sort(
        markup.begin(), markup.end(), [](const TextSpan& a, const TextSpan& b) { return a.start < b.start; });
    for (const CodeFence& fence : fences) {
        const TextSpan inner { fence.openLine.end, fence.closeLine.start };
        qsizetype pos = inner.start;
        bool holdsMarkup = false;
        bool onlyMarkup = true;
        for (const TextSpan& span : markup) {
            if (span.end <= inner.start || span.start >= inner.end)
                continue;
            if (span.start < inner.start || span.end > inner.end
                || !text.mid(pos, std::max<qsizetype>(0, span.start - pos)).trimmed().isEmpty()) {
                onlyMarkup = false;
                break;
            }
            holdsMarkup = true;
            pos = std::max(pos, span.end);
        }
        if (holdsMarkup && onlyMarkup && text.mid(pos, inner.end - pos).trimmed().isEmpty()) {
            match.markup.append(fence.openLine);
            match.markup.append(fence.closeLine);
        }
    }
}

} // namespace Guard::JsonEnvelopes
