#include "pythonic.h"

#include "../literalparser.h"
#include "jsoncall.h"

#include <QJsonObject>

#include <algorithm>
#include <initializer_list>
#include <optional>

using namespace Qt::StringLiterals;

namespace Guard {

namespace {

constexpr QStringView kLfm2Start = u"<|tool_call_start|>";
constexpr QStringView kLfm2End = u"<|tool_call_end|>";
constexpr QStringView kOlmoStart = u"<function_calls>";
constexpr QStringView kOlmoEnd = u"</function_calls>";
constexpr QStringView kPythonTag = u"<|python_tag|>";
constexpr QStringView kPythonStart = u"<|python_start|>";
constexpr QStringView kPythonEnd = u"<|python_end|>";
constexpr QStringView kGemmaStart = u"<|tool_call>";
constexpr QStringView kGemmaEnd = u"<tool_call|>";
constexpr QStringView kGemmaTurnEnd = u"<turn|>";
constexpr QStringView kGemmaResponse = u"<|tool_response>";
constexpr QStringView kFunctionGemmaStart = u"<start_function_call>";
constexpr QStringView kFunctionGemmaEnd = u"<end_function_call>";
constexpr QStringView kFunctionGemmaResponse = u"<start_function_response>";
constexpr QStringView kGemmaKeyword = u"call:";
constexpr QStringView kGemmaEscape = u"<escape>";
constexpr QStringView kBuiltinSuffix = u".call";
// Llama 3.1 ends a built-in tool call with <|eom_id|> (it expects a tool message next).
constexpr QStringView kLlamaMessageEnds[] = { u"<|eom_id|>", u"<|eot_id|>" };
// Llama 4 renamed them.
constexpr QStringView kLlama4MessageEnds[] = { u"<|eom|>", u"<|eot|>" };
// Tools that take raw code written after <|python_tag|>, most specific first.
constexpr QStringView kCodeToolNames[] = { u"python", u"code_interpreter", u"ipython" };

constexpr QLatin1StringView kLfm2Format = "lfm2_pythonic"_L1;
constexpr QLatin1StringView kGemma4Format = "gemma4_call"_L1;
constexpr QLatin1StringView kFunctionGemmaFormat = "functiongemma_call"_L1;
constexpr QLatin1StringView kOlmo3Format = "olmo3_function_calls"_L1;
constexpr QLatin1StringView kPythonTagFormat = "llama3_python_tag"_L1;
constexpr QLatin1StringView kListFormat = "pythonic_list"_L1;
constexpr QLatin1StringView kLlamaJsonFormat = "llama3_json"_L1;

bool startsAt(QStringView text, qsizetype pos, QStringView token)
{
    return pos >= 0 && pos <= text.size() && text.mid(pos).startsWith(token);
}

// Spaces and tabs only: a call's name and its '(' or '{' stay on one line.
qsizetype skipBlanks(QStringView text, qsizetype pos)
{
    while (pos < text.size() && (text.at(pos) == u' ' || text.at(pos) == u'\t'))
        ++pos;
    return pos;
}

bool isIdentifierStart(QChar c)
{
    return c.isLetter() || c == u'_';
}

// Tool names may hold dots (Calendar.create_event, brave_search.call) and hyphens (web-search).
bool isNamePart(QChar c)
{
    return c.isLetterOrNumber() || c == u'_' || c == u'.' || c == u'-';
}

// End of the name that starts at `pos`; `pos` itself when no name starts there.
qsizetype nameEnd(QStringView text, qsizetype pos)
{
    if (pos >= text.size() || !isIdentifierStart(text.at(pos)))
        return pos;
    qsizetype end = pos + 1;
    while (end < text.size() && isNamePart(text.at(end)))
        ++end;
    while (text.at(end - 1) == u'.' || text.at(end - 1) == u'-')
        --end;
    return end;
}

// End of a keyword argument's name: an identifier, hyphens tolerated for schema names like
// "first-name".
qsizetype keyEnd(QStringView text, qsizetype pos)
{
    if (pos >= text.size() || !isIdentifierStart(text.at(pos)))
        return pos;
    qsizetype end = pos + 1;
    while (end < text.size()
        && (text.at(end).isLetterOrNumber() || text.at(end) == u'_' || text.at(end) == u'-'))
        ++end;
    return end;
}

// Index of the '(' when a call expression NAME( starts at `pos`, else -1.
qsizetype callParenAt(QStringView text, qsizetype pos)
{
    const qsizetype end = nameEnd(text, pos);
    if (end == pos)
        return -1;
    const qsizetype paren = skipBlanks(text, end);
    return paren < text.size() && text.at(paren) == u'(' ? paren : -1;
}

// Python bytes (b'..') have no JSON form; vLLM rejects such a call rather than guess.
bool bytesLiteralAt(QStringView text, qsizetype pos)
{
    return pos + 1 < text.size() && (text.at(pos) == u'b' || text.at(pos) == u'B')
        && (text.at(pos + 1) == u'\'' || text.at(pos + 1) == u'"');
}

// One call expression read from the text, complete or not.
struct CallText
{
    QString name; // as written; empty for a list element that is not a call at all
    QJsonObject arguments;
    TextSpan span; // the call's text; up to where reading stopped when it is broken
    bool complete = false; // the arguments were read up to their closing bracket
    bool truncated = false; // the text ended inside the call
    qsizetype stop = 0; // just past the call, or the spot where reading failed
    QString problem; // why the call could not be read
};

CallText brokenCall(CallText call, qsizetype at, qsizetype textSize, const QString& problem)
{
    call.complete = false;
    call.stop = at;
    call.truncated = at >= textSize;
    call.problem = call.truncated ? u"the text ends before the call's arguments do"_s : problem;
    call.span.end = std::max(at, call.span.start);
    return call;
}

// Python's triple-quoted strings (''' or """, usual for code arguments) are
// not in the literal parser's Python dialect: the closing quotes are found here, and the text
// between them, re-quoted as one plain string, is decoded by parseLiteral. Nothing when no
// triple quote starts at `pos`.
std::optional<LiteralParse> tripleQuotedAt(QStringView text, qsizetype pos)
{
    const bool raw = pos < text.size() && (text.at(pos) == u'r' || text.at(pos) == u'R');
    const qsizetype open = raw ? pos + 1 : pos;
    constexpr QStringView kSingle = u"'''";
    constexpr QStringView kDouble = u"\"\"\"";
    const QStringView quote = startsAt(text, open, kSingle) ? kSingle
        : startsAt(text, open, kDouble)                     ? kDouble
                                                            : QStringView();
    if (quote.isEmpty())
        return std::nullopt;
    const qsizetype innerStart = open + quote.size();
    qsizetype close = innerStart;
    while (close < text.size() && !startsAt(text, close, quote))
        close += text.at(close) == u'\\' ? 2 : 1;
    LiteralParse result;
    if (close >= text.size()) {
        result.end = text.size();
        result.error = u"triple-quoted string never closed"_s;
        return result;
    }
    const QStringView inner = text.mid(innerStart, close - innerStart);
    if (raw) {
        result.ok = true;
        result.value = inner.toString();
    } else {
        QString requoted = u"\""_s;
        for (qsizetype i = 0; i < inner.size(); ++i) {
            if (inner.at(i) == u'\\' && i + 1 < inner.size()) {
                requoted += inner.mid(i, 2);
                ++i;
                continue;
            }
            if (inner.at(i) == u'"')
                requoted += u'\\';
            requoted += inner.at(i);
        }
        result = parseWholeLiteral(QString(requoted + u'"'), LiteralDialect::Python);
    }
    result.end = close + quote.size();
    return result;
}

// Reads NAME(key=value, ...) starting at the name. Values are Python or JSON literals; a single
// positional dict is taken as the whole argument object (NAME({"k": v})).
CallText readPythonCall(QStringView text, qsizetype start)
{
    CallText call;
    const qsizetype nameStop = nameEnd(text, start);
    call.name = text.mid(start, nameStop - start).toString();
    call.span = { start, start };
    qsizetype pos = skipWhitespace(text, skipBlanks(text, nameStop) + 1);
    if (pos < text.size() && text.at(pos) == u')') {
        call.complete = true;
        call.stop = pos + 1;
        call.span.end = call.stop;
        return call;
    }
    bool positionalDict = false;
    while (true) {
        if (pos >= text.size())
            return brokenCall(call, pos, text.size(), QString());
        const qsizetype keyStop = keyEnd(text, pos);
        const qsizetype equals = skipWhitespace(text, keyStop);
        QString key;
        qsizetype valueStart = pos;
        if (keyStop > pos && equals < text.size() && text.at(equals) == u'='
            && !startsAt(text, equals, u"==")) {
            key = text.mid(pos, keyStop - pos).toString();
            valueStart = skipWhitespace(text, equals + 1);
        } else if (call.arguments.isEmpty() && !positionalDict && text.at(pos) == u'{') {
            positionalDict = true;
        } else {
            return brokenCall(call, pos, text.size(),
                u"it has a positional argument or stray text where key=value was expected"_s);
        }
        if (bytesLiteralAt(text, valueStart))
            return brokenCall(
                call, valueStart, text.size(), u"argument '"_s + key + u"' is a bytes literal"_s);
        const std::optional<LiteralParse> tripleQuoted = tripleQuotedAt(text, valueStart);
        const LiteralParse value
            = tripleQuoted ? *tripleQuoted : parseLiteral(text, valueStart, LiteralDialect::Python);
        if (!value.ok)
            return brokenCall(call, value.end, text.size(), u"argument '"_s + key + u"': "_s + value.error);
        if (positionalDict) {
            if (!value.value.isObject())
                return brokenCall(call, valueStart, text.size(), u"its positional argument is not a dict"_s);
            call.arguments = value.value.toObject();
        } else {
            call.arguments.insert(key, value.value);
        }
        pos = skipWhitespace(text, value.end);
        if (pos < text.size() && text.at(pos) == u',') {
            pos = skipWhitespace(text, pos + 1);
            if (pos < text.size() && text.at(pos) == u')')
                break;
            continue;
        }
        if (pos < text.size() && text.at(pos) == u')')
            break;
        return brokenCall(call, pos, text.size(), u"expected ',' or ')' after argument '"_s + key + u"'"_s);
    }
    call.complete = true;
    call.stop = pos + 1;
    call.span.end = call.stop;
    return call;
}

// Reads a Gemma call: `callStart` is where "call:" (or the name, when the keyword was dropped)
// begins, `nameStart` where the name does. The arguments are one Gemma-dialect object; Python
// parentheses are accepted too.
CallText readGemmaCall(QStringView text, qsizetype callStart, qsizetype nameStart)
{
    if (callParenAt(text, nameStart) >= 0) {
        CallText call = readPythonCall(text, nameStart);
        call.span.start = callStart;
        return call;
    }
    const qsizetype nameStop = nameEnd(text, nameStart);
    const qsizetype open = skipWhitespace(text, nameStop);
    CallText call;
    call.name = text.mid(nameStart, nameStop - nameStart).toString();
    call.span = { callStart, callStart };
    if (open >= text.size() || text.at(open) != u'{')
        return brokenCall(call, open, text.size(), u"its name is not followed by '{'"_s);
    const LiteralParse value = parseLiteral(text, open, LiteralDialect::Gemma);
    if (!value.ok)
        return brokenCall(call, value.end, text.size(), value.error);
    call.arguments = value.value.toObject();
    call.complete = true;
    call.stop = value.end;
    call.span.end = value.end;
    return call;
}

// Finds a token at positions that only move forward, reusing the previous answer while it is
// still ahead: many openers without a closer must not make every lookup scan to the end.
class TokenFinder
{
public:
    TokenFinder(QStringView text, QStringView token)
        : m_text(text)
        , m_token(token)
    { }

    qsizetype from(qsizetype pos)
    {
        if (!m_searched || (m_found >= 0 && m_found < pos)) {
            m_found = m_text.indexOf(m_token, pos);
            m_searched = true;
        }
        return m_found;
    }

private:
    QStringView m_text;
    QStringView m_token;
    qsizetype m_found = -1;
    bool m_searched = false;
};

// Where reading resumes after a broken call: the start of the next sibling, or the ']' that most
// likely ends the list. Gathered in one pass the first time a call breaks, so that recovering
// from many broken calls stays linear in the text.
class Landmarks
{
public:
    explicit Landmarks(QStringView text)
        : m_text(text)
    { }

    // The first NAME( that follows a ',', ';' or newline at or after `from`, before `limit`.
    qsizetype siblingStart(qsizetype from, qsizetype limit)
    {
        build();
        const auto it = std::lower_bound(m_separators.cbegin(), m_separators.cend(), from);
        if (it == m_separators.cend())
            return -1;
        const qsizetype start = m_siblings.at(it - m_separators.cbegin());
        return start < limit ? start : -1;
    }

    // The ']' that ends a list whose last element is broken: on the current line, the first one
    // followed by nothing, a newline or a special token, else the first one followed by a blank;
    // on later lines, the first of the former kind. Brackets inside a broken string are rarely
    // placed like that.
    qsizetype listEnd(qsizetype from, qsizetype limit)
    {
        build();
        const qsizetype lineEnd = firstAtOrAfter(m_newlines, from, m_text.size());
        const qsizetype strict = firstAtOrAfter(m_strictBrackets, from, -1);
        const qsizetype loose = firstAtOrAfter(m_looseBrackets, from, -1);
        if (strict >= 0 && strict < lineEnd && strict < limit)
            return strict;
        if (loose >= 0 && loose < lineEnd && loose < limit)
            return loose;
        return strict >= 0 && strict < limit ? strict : -1;
    }

private:
    static qsizetype firstAtOrAfter(const QList<qsizetype>& sorted, qsizetype pos, qsizetype none)
    {
        const auto it = std::lower_bound(sorted.cbegin(), sorted.cend(), pos);
        return it == sorted.cend() ? none : *it;
    }

    void build()
    {
        if (m_built)
            return;
        m_built = true;
        for (qsizetype i = 0; i < m_text.size(); ++i) {
            const QChar c = m_text.at(i);
            if (c == u']') {
                const qsizetype next = skipBlanks(m_text, i + 1);
                if (next >= m_text.size() || m_text.at(next) == u'\n' || m_text.at(next) == u'\r'
                    || m_text.at(next) == u'<')
                    m_strictBrackets.append(i);
                else if (next > i + 1)
                    m_looseBrackets.append(i);
                continue;
            }
            if (c != u',' && c != u';' && c != u'\n')
                continue;
            // One pass over the whitespace after a separator; its newlines are separators too.
            const qsizetype start = skipWhitespace(m_text, i + 1);
            qsizetype lastSeparator = i;
            for (qsizetype k = i; k < start; ++k) {
                if (m_text.at(k) == u'\n') {
                    m_newlines.append(k);
                    lastSeparator = k;
                }
            }
            if (start < m_text.size() && callParenAt(m_text, start) >= 0) {
                m_separators.append(lastSeparator);
                m_siblings.append(start);
            }
            i = start - 1;
        }
    }

    QStringView m_text;
    bool m_built = false;
    QList<qsizetype> m_newlines;
    QList<qsizetype> m_strictBrackets;
    QList<qsizetype> m_looseBrackets;
    QList<qsizetype> m_separators; // a separator's position, and ...
    QList<qsizetype> m_siblings; // ... where the call after it starts
};

// End of a skipped list element that runs up to `next` (a sibling or the closing bracket):
// before the separator and the whitespace around it.
qsizetype elementEnd(QStringView text, qsizetype from, qsizetype next)
{
    qsizetype end = next;
    while (end > from && text.at(end - 1).isSpace())
        --end;
    if (end > from && (text.at(end - 1) == u',' || text.at(end - 1) == u';'))
        --end;
    while (end > from && text.at(end - 1).isSpace())
        --end;
    return end;
}

// Python-style calls read in a row.
struct CallRun
{
    QList<CallText> calls; // in text order, complete or not
    qsizetype end = 0; // just past the run: past ']' for a list, past the last call otherwise
    bool closed = false; // a list found its ']'
};

// Reads calls from `pos`. With `list`, `pos` is just past a '[' and the calls are separated by
// commas up to ']'; without, they are separated by newlines, commas or semicolons and the run
// ends at the first text that is not a call. A broken call is skipped to the next sibling, so it
// does not take the others down; `limit` bounds that search (an envelope's end token, or the
// end of the text).
CallRun readCallRun(QStringView text, qsizetype pos, bool list, qsizetype limit, Landmarks& landmarks)
{
    CallRun run;
    run.end = pos;
    pos = skipWhitespace(text, pos);
    bool afterComma = false;
    while (true) {
        if (pos >= text.size())
            break;
        if (list && text.at(pos) == u']') {
            run.end = pos + 1;
            run.closed = true;
            break;
        }
        if (callParenAt(text, pos) < 0) {
            // Only a comma-separated element may be a stray non-call; "[f(x=1) is how]" is prose.
            if (!list || !afterComma)
                break;
            CallText junk;
            junk.span = { pos, pos };
            junk.stop = pos;
            junk.problem = u"an element of the call list is not a call"_s;
            run.calls.append(junk);
        } else {
            const CallText call = readPythonCall(text, pos);
            run.calls.append(call);
            if (call.complete) {
                run.end = call.stop;
                pos = skipWhitespace(text, call.stop);
                afterComma = pos < text.size() && (text.at(pos) == u',' || (!list && text.at(pos) == u';'));
                if (afterComma)
                    pos = skipWhitespace(text, pos + 1);
                continue;
            }
        }
        // Broken element: resume at the next sibling, within the list's probable end. A list
        // with no such end is not resumed at all: its siblings could be anywhere.
        CallText& broken = run.calls.last();
        const qsizetype bracket = list ? landmarks.listEnd(broken.stop, limit) : -1;
        const qsizetype next
            = list && bracket < 0 ? -1 : landmarks.siblingStart(broken.stop, bracket >= 0 ? bracket : limit);
        if (next >= 0) {
            broken.span.end = std::max(broken.span.end, elementEnd(text, broken.stop, next));
            pos = next;
            continue;
        }
        if (bracket >= 0) {
            broken.span.end = std::max(broken.span.end, elementEnd(text, broken.stop, bracket));
            run.end = bracket + 1;
            run.closed = true;
        } else {
            broken.span.end = std::max(broken.span.end, list ? broken.stop : limit);
            run.end = broken.span.end;
        }
        break;
    }
    return run;
}

// The declared tool a call expression names. Llama 3.1 addresses its built-in tools as
// TOOL.call(...), so that suffix is dropped when the whole name is not declared.
const ToolDefinition* resolveCallName(const ToolCatalog& tools, QStringView name)
{
    if (name.isEmpty())
        return nullptr;
    if (const ToolDefinition* tool = tools.resolve(name))
        return tool;
    return name.endsWith(kBuiltinSuffix) ? tools.resolve(name.chopped(kBuiltinSuffix.size())) : nullptr;
}

QString failureText(const CallText& call, bool declared)
{
    if (call.name.isEmpty())
        return call.problem;
    if (!declared)
        return u"'"_s + call.name + u"' is not a declared tool"_s;
    return u"the call to '"_s + call.name + u"' could not be read: "_s + call.problem;
}

// Adds `call` to `match`: a call when it is complete and names a declared tool, a failure
// otherwise. Returns whether it became a call.
bool settle(const CallText& call, const ToolCatalog& tools, QLatin1StringView format, FormatMatch& match)
{
    const ToolDefinition* tool = resolveCallName(tools, call.name);
    if (call.complete && tool) {
        if (match.calls.isEmpty())
            match.format = QString(format);
        match.calls.append({ tool->name, call.arguments, QString(), call.span });
        return true;
    }
    match.failed.append(call.span);
    match.issues.append(failureText(call, tool != nullptr));
    return false;
}

int settleRun(const CallRun& run, const ToolCatalog& tools, QLatin1StringView format, FormatMatch& match)
{
    int good = 0;
    for (const CallText& call : run.calls)
        good += settle(call, tools, format, match) ? 1 : 0;
    return good;
}

void fail(FormatMatch& match, TextSpan span, const QString& issue)
{
    match.failed.append(span);
    match.issues.append(issue);
}

// A JSON body: '{' or a '[' whose first element is '{'.
bool jsonBodyAt(QStringView text, qsizetype pos)
{
    if (pos >= text.size())
        return false;
    if (text.at(pos) == u'{')
        return true;
    const qsizetype inner = skipWhitespace(text, pos + 1);
    return text.at(pos) == u'[' && inner < text.size() && text.at(inner) == u'{';
}

// Reads JSON call objects (or arrays of them) separated by ';' or ',', as Llama writes after
// <|python_tag|> and <|python_start|>. Returns the end of the last value read.
qsizetype readJsonCalls(QStringView text, qsizetype pos, QStringView marker, QLatin1StringView format,
    const ToolCatalog& tools, FormatMatch& match)
{
    qsizetype end = pos;
    while (true) {
        const LiteralParse value = parseLiteral(text, pos, LiteralDialect::Json);
        if (!value.ok) {
            fail(match, { pos, std::max(value.end, pos) },
                u"the JSON after "_s + marker + u" does not parse: "_s + value.error);
            return std::max(value.end, pos);
        }
        QStringList issues;
        const QList<ParsedCall> calls = callsFromJson(value.value, tools, &issues);
        const TextSpan span { pos, value.end };
        if (calls.isEmpty()) {
            fail(match, span,
                issues.isEmpty() ? u"the JSON after "_s + marker + u" is not a tool call"_s
                                 : issues.join(u"; "_s));
        }
        for (ParsedCall call : calls) {
            call.span = span;
            if (match.calls.isEmpty())
                match.format = QString(format);
            match.calls.append(call);
        }
        end = value.end;
        qsizetype next = skipWhitespace(text, value.end);
        if (next < text.size() && (text.at(next) == u';' || text.at(next) == u','))
            next = skipWhitespace(text, next + 1);
        if (!jsonBodyAt(text, next))
            return end;
        pos = next;
    }
}

// Past any of `tokens` (repeated, with whitespace between) from `pos`; `pos` when none follows.
qsizetype skipTokens(QStringView text, qsizetype pos, std::initializer_list<QStringView> tokens)
{
    qsizetype end = pos;
    while (true) {
        const qsizetype next = skipWhitespace(text, end);
        bool found = false;
        for (QStringView token : tokens) {
            if (!token.isEmpty() && startsAt(text, next, token)) {
                end = next + token.size();
                found = true;
                break;
            }
        }
        if (!found)
            return end;
    }
}

// The envelopes that hold Python-style calls between an open and a close marker.
struct Envelope
{
    QStringView open;
    QStringView close;
    QLatin1StringView format; // the format of call-expression bodies
    QLatin1StringView jsonFormat; // the format of JSON bodies; empty: they belong to another family
    bool specialToken; // the open marker is a special token, not text prose could quote
    QStringView after[2] = {}; // end-of-message tokens that may follow the close marker
};

FormatMatch parseEnvelopes(QStringView text, const ToolCatalog& tools, const Envelope& envelope)
{
    FormatMatch match;
    Landmarks landmarks(text);
    TokenFinder opens(text, envelope.open);
    TokenFinder closes(text, envelope.close);
    qsizetype from = 0;
    qsizetype open = -1;
    while ((open = opens.from(from)) >= 0) {
        const qsizetype bodyStart = open + envelope.open.size();
        const qsizetype nextOpen = opens.from(bodyStart);
        qsizetype limit = closes.from(bodyStart);
        if (limit < 0 || (nextOpen >= 0 && nextOpen < limit))
            limit = nextOpen >= 0 ? nextOpen : text.size();
        const qsizetype body = skipWhitespace(text, bodyStart);
        from = bodyStart;
        if (body < text.size() && text.at(body) == u'<')
            continue; // another family's markup in the same tags (e.g. <invoke>)

        qsizetype end = -1;
        int good = 0;
        if (jsonBodyAt(text, body)) {
            if (envelope.jsonFormat.isEmpty())
                continue;
            const qsizetype before = match.calls.size();
            end = readJsonCalls(text, body, envelope.open, envelope.jsonFormat, tools, match);
            good = int(match.calls.size() - before);
        } else {
            const bool list = body < text.size() && text.at(body) == u'['
                && callParenAt(text, skipWhitespace(text, body + 1)) >= 0;
            if (!list && callParenAt(text, body) < 0) {
                if (envelope.specialToken && body < limit) {
                    fail(match, { open, limit }, u"the text after "_s + envelope.open + u" is not a call"_s);
                    from = limit;
                }
                continue;
            }
            const CallRun run = readCallRun(text, list ? body + 1 : body, list, limit, landmarks);
            good = settleRun(run, tools, envelope.format, match);
            end = run.end;
        }
        const qsizetype closed
            = skipTokens(text, end, { envelope.close, envelope.after[0], envelope.after[1] });
        if (good > 0)
            match.markup.append({ open, closed });
        from = std::max(closed, bodyStart);
    }
    if (match.format.isEmpty())
        match.format = QString(envelope.format);
    return match;
}

const ToolDefinition* codeTool(const ToolCatalog& tools)
{
    for (QStringView name : kCodeToolNames) {
        if (const ToolDefinition* tool = tools.resolve(name))
            return tool;
    }
    return nullptr;
}

// The argument that carries raw code: "code" unless the tool declares a single other property.
QString codeArgument(const ToolDefinition& tool)
{
    const QJsonObject properties
        = ToolCatalog::resolveRef(tool.parameters, tool.parameters).value("properties"_L1).toObject();
    if (properties.size() == 1 && !properties.contains("code"_L1))
        return properties.constBegin().key();
    return u"code"_s;
}

// Where the message after <|python_tag|> ends: at an end-of-message token, the next tag, or the
// end of the text.
qsizetype pythonTagBodyEnd(QStringView text, qsizetype from, QList<TokenFinder>& ends)
{
    qsizetype end = text.size();
    for (TokenFinder& finder : ends) {
        const qsizetype at = finder.from(from);
        if (at >= 0)
            end = std::min(end, at);
    }
    return end;
}

// `span` widened to the markdown fence around it when the fence holds nothing else:
// "```python\n[f(x=1)]\n```" is a call list the model chose to fence, and an empty fence left
// behind would only confuse the reader.
TextSpan withFence(QStringView text, TextSpan span)
{
    qsizetype lineStart = span.start;
    while (lineStart > 0 && text.at(lineStart - 1).isSpace())
        --lineStart;
    qsizetype fenceStart = lineStart;
    while (fenceStart > 0 && text.at(fenceStart - 1) != u'\n')
        --fenceStart;
    const QStringView opening = text.mid(fenceStart, lineStart - fenceStart);
    if (!opening.startsWith(u"```") || lineStart == span.start
        || !text.mid(lineStart, span.start - lineStart).contains(u'\n'))
        return span;
    for (QChar c : opening.mid(3)) {
        if (!c.isLetterOrNumber() && c != u'_' && c != u'-' && c != u'+')
            return span;
    }
    const qsizetype closing = skipWhitespace(text, span.end);
    if (!startsAt(text, closing, u"```"))
        return span;
    const qsizetype after = skipBlanks(text, closing + 3);
    if (after < text.size() && text.at(after) != u'\n' && text.at(after) != u'\r')
        return span;
    return { fenceStart, closing + 3 };
}

bool atLineStart(QStringView text, qsizetype pos)
{
    qsizetype before = pos;
    while (before > 0 && (text.at(before - 1) == u' ' || text.at(before - 1) == u'\t'))
        --before;
    return before == 0 || text.at(before - 1) == u'\n' || text.at(before - 1) == u'>';
}

} // namespace

QString Lfm2PythonicParser::name() const
{
    return u"lfm2-pythonic"_s;
}

QList<Anchor> Lfm2PythonicParser::anchors() const
{
    static const QList<Anchor> anchors { { kLfm2Start } };
    return anchors;
}

FormatMatch Lfm2PythonicParser::parse(QStringView text, const ToolCatalog& tools) const
{
    if (!text.contains(kLfm2Start))
        return {};
    return parseEnvelopes(text, tools, { kLfm2Start, kLfm2End, kLfm2Format, {}, true });
}

QString Olmo3FunctionCallsParser::name() const
{
    return u"olmo3"_s;
}

QList<Anchor> Olmo3FunctionCallsParser::anchors() const
{
    static const QList<Anchor> anchors { { kOlmoStart } };
    return anchors;
}

FormatMatch Olmo3FunctionCallsParser::parse(QStringView text, const ToolCatalog& tools) const
{
    if (!text.contains(kOlmoStart))
        return {};
    return parseEnvelopes(text, tools, { kOlmoStart, kOlmoEnd, kOlmo3Format, {}, false });
}

QString PythonStartParser::name() const
{
    return u"llama4-python-start"_s;
}

QList<Anchor> PythonStartParser::anchors() const
{
    static const QList<Anchor> anchors { { kPythonStart } };
    return anchors;
}

FormatMatch PythonStartParser::parse(QStringView text, const ToolCatalog& tools) const
{
    if (!text.contains(kPythonStart))
        return {};
    return parseEnvelopes(text, tools,
        { kPythonStart, kPythonEnd, kListFormat, kLlamaJsonFormat, true,
            { kLlama4MessageEnds[0], kLlama4MessageEnds[1] } });
}

QString PythonTagParser::name() const
{
    return u"llama3-python-tag"_s;
}

QList<Anchor> PythonTagParser::anchors() const
{
    static const QList<Anchor> anchors { { kPythonTag } };
    return anchors;
}

FormatMatch PythonTagParser::parse(QStringView text, const ToolCatalog& tools) const
{
    FormatMatch match;
    if (!text.contains(kPythonTag))
        return match;
    match.format = QString(kPythonTagFormat);
    Landmarks landmarks(text);
    TokenFinder tags(text, kPythonTag);
    QList<TokenFinder> bodyEnds { { text, kLlamaMessageEnds[0] }, { text, kLlamaMessageEnds[1] },
        { text, kPythonTag } };
    const ToolDefinition* code = codeTool(tools);
    qsizetype tag = -1;
    qsizetype from = 0;
    while ((tag = tags.from(from)) >= 0) {
        const qsizetype bodyStart = tag + kPythonTag.size();
        const qsizetype body = skipWhitespace(text, bodyStart);
        const qsizetype bodyEnd = pythonTagBodyEnd(text, bodyStart, bodyEnds);
        const qsizetype callsBefore = match.calls.size();
        qsizetype end = bodyEnd;
        // NAME(...) that names no declared tool is Python code when a code tool is declared;
        // TOOL.call(...) always addresses a tool.
        const qsizetype nameStop = nameEnd(text, body);
        const QStringView name = text.mid(body, nameStop - body);
        const bool callsATool = callParenAt(text, body) >= 0
            && (resolveCallName(tools, name) || name.endsWith(kBuiltinSuffix) || !code);

        if (jsonBodyAt(text, body)) {
            end = readJsonCalls(text, body, kPythonTag, kLlamaJsonFormat, tools, match);
        } else if (body < text.size() && text.at(body) == u'['
            && callParenAt(text, skipWhitespace(text, body + 1)) >= 0) {
            const CallRun run = readCallRun(text, body + 1, true, bodyEnd, landmarks);
            settleRun(run, tools, kListFormat, match);
            end = run.end;
        } else if (callsATool) {
            const CallRun run = readCallRun(text, body, false, bodyEnd, landmarks);
            settleRun(run, tools, kPythonTagFormat, match);
            end = run.end;
        } else if (code && body < bodyEnd) {
            // Raw code for the ipython environment (Llama 3.1, Functionary v3.1).
            qsizetype codeEnd = bodyEnd;
            while (codeEnd > body && text.at(codeEnd - 1).isSpace())
                --codeEnd;
            const QJsonObject arguments { { codeArgument(*code),
                text.mid(body, codeEnd - body).toString() } };
            if (match.calls.isEmpty())
                match.format = QString(kPythonTagFormat);
            match.calls.append({ code->name, arguments, QString(), { body, codeEnd } });
            end = codeEnd;
        } else {
            fail(match, { tag, bodyEnd },
                body < bodyEnd ? u"the text after <|python_tag|> is not a call to a declared tool"_s
                               : u"<|python_tag|> is followed by nothing"_s);
        }
        const qsizetype closed = skipTokens(text, end, { kLlamaMessageEnds[0], kLlamaMessageEnds[1] });
        if (match.calls.size() > callsBefore)
            match.markup.append({ tag, closed });
        from = std::max(closed, bodyStart);
    }
    return match;
}

QString GemmaCallParser::name() const
{
    return u"gemma"_s;
}

QList<Anchor> GemmaCallParser::anchors() const
{
    static const QList<Anchor> anchors { { kGemmaStart }, { kFunctionGemmaStart } };
    return anchors;
}

FormatMatch GemmaCallParser::parse(QStringView text, const ToolCatalog& tools) const
{
    FormatMatch match;
    const bool gemma4 = text.contains(kGemmaStart);
    const bool functionGemma = text.contains(kFunctionGemmaStart);
    if (!gemma4 && !functionGemma)
        return match;
    match.format = QString(gemma4 ? kGemma4Format : kFunctionGemmaFormat);
    TokenFinder gemma4Opens(text, kGemmaStart);
    TokenFinder functionGemmaOpens(text, kFunctionGemmaStart);
    TokenFinder gemma4Closes(text, kGemmaEnd);
    TokenFinder functionGemmaCloses(text, kFunctionGemmaEnd);
    qsizetype from = 0;
    while (true) {
        const qsizetype nextGemma4 = gemma4 ? gemma4Opens.from(from) : -1;
        const qsizetype nextFunctionGemma = functionGemma ? functionGemmaOpens.from(from) : -1;
        if (nextGemma4 < 0 && nextFunctionGemma < 0)
            break;
        const bool isGemma4 = nextFunctionGemma < 0 || (nextGemma4 >= 0 && nextGemma4 < nextFunctionGemma);
        const qsizetype open = isGemma4 ? nextGemma4 : nextFunctionGemma;
        const QStringView opener = isGemma4 ? kGemmaStart : kFunctionGemmaStart;
        const QStringView closer = isGemma4 ? kGemmaEnd : kFunctionGemmaEnd;
        TokenFinder& closes = isGemma4 ? gemma4Closes : functionGemmaCloses;
        const QLatin1StringView format = isGemma4 ? kGemma4Format : kFunctionGemmaFormat;
        const qsizetype bodyStart = open + opener.size();
        qsizetype pos = skipWhitespace(text, bodyStart);
        if (startsAt(text, pos, u":")) // <|tool_call>:call:NAME{...} is a known slip
            pos = skipWhitespace(text, pos + 1);
        from = bodyStart;

        const qsizetype callsBefore = match.calls.size();
        qsizetype end = -1;
        bool broken = false;
        while (true) {
            qsizetype nameStart = -1;
            if (startsAt(text, pos, kGemmaKeyword)) {
                nameStart = skipBlanks(text, pos + kGemmaKeyword.size());
            } else if (const ToolDefinition* tool = tools.longestNameAt(text, pos)) {
                // The keyword dropped: NAME{...} right after the opener.
                const qsizetype brace = skipWhitespace(text, pos + tool->name.size());
                if (brace < text.size() && text.at(brace) == u'{'
                    && nameEnd(text, pos) == pos + tool->name.size())
                    nameStart = pos;
            }
            if (nameStart < 0)
                break;
            const CallText call = readGemmaCall(text, pos, nameStart);
            settle(call, tools, format, match);
            if (!call.complete) {
                broken = true;
                end = call.stop;
                break;
            }
            end = call.stop;
            pos = skipWhitespace(text, call.stop);
            if (startsAt(text, pos, u","))
                pos = skipWhitespace(text, pos + 1);
        }
        if (end < 0) {
            if (jsonBodyAt(text, pos)) {
                // A JSON call in Gemma's envelope: the model drifted into another syntax.
                end = readJsonCalls(text, pos, opener, format, tools, match);
            } else {
                const qsizetype close = closes.from(bodyStart);
                fail(match, { open, close < 0 ? text.size() : close + closer.size() },
                    u"the text after "_s + opener + u" is not a call"_s);
                from = close < 0 ? text.size() : close + closer.size();
                continue;
            }
        }
        qsizetype closed = isGemma4 ? skipTokens(text, end, { kGemmaEnd, kGemmaTurnEnd, kGemmaResponse })
                                    : skipTokens(text, end, { kFunctionGemmaEnd, kFunctionGemmaResponse });
        if (broken) {
            // The envelope of a broken call ends at its closer, wherever the reading stopped.
            const qsizetype close = closes.from(end);
            closed = close < 0 ? std::max(end, bodyStart) : close + closer.size();
        }
        if (match.calls.size() > callsBefore)
            match.markup.append({ open, closed });
        from = std::max(closed, bodyStart);
    }
    return match;
}

QString BareGemmaCallParser::name() const
{
    return u"gemma-bare"_s;
}

QList<Anchor> BareGemmaCallParser::anchors() const
{
    static const QList<Anchor> anchors { { kGemmaKeyword } };
    return anchors;
}

FormatMatch BareGemmaCallParser::parse(QStringView text, const ToolCatalog& tools) const
{
    FormatMatch match;
    if (!text.contains(kGemmaKeyword))
        return match;
    match.format = QString(kGemma4Format);
    qsizetype at = -1;
    qsizetype from = 0;
    while ((at = text.indexOf(kGemmaKeyword, from)) >= 0) {
        from = at + kGemmaKeyword.size();
        if (at > 0 && (isNamePart(text.at(at - 1))))
            continue; // "recall:" or "tool.call:" is prose
        const qsizetype nameStart = skipBlanks(text, from);
        const qsizetype nameStop = nameEnd(text, nameStart);
        if (nameStop == nameStart || !tools.resolve(text.mid(nameStart, nameStop - nameStart)))
            continue;
        const qsizetype brace = skipWhitespace(text, nameStop);
        if (brace >= text.size() || text.at(brace) != u'{')
            continue;
        const CallText call = readGemmaCall(text, at, nameStart);
        const bool escaped = text.mid(call.span.start, call.span.length()).contains(kGemmaEscape);
        if (settle(call, tools, escaped ? kFunctionGemmaFormat : kGemma4Format, match)) {
            match.markup.append(call.span);
            from = call.stop;
        }
    }
    return match;
}

QString PythonicListParser::name() const
{
    return u"pythonic-list"_s;
}

QList<Anchor> PythonicListParser::anchors() const
{
    static const QList<Anchor> anchors { { u"[" } };
    return anchors;
}

FormatMatch PythonicListParser::parse(QStringView text, const ToolCatalog& tools) const
{
    FormatMatch match;
    if (!text.contains(u'[') || !text.contains(u'('))
        return match;
    match.format = QString(kListFormat);
    const qsizetype firstContent = skipWhitespace(text, 0);
    Landmarks landmarks(text);
    qsizetype open = -1;
    qsizetype from = 0;
    while ((open = text.indexOf(u'[', from)) >= 0) {
        from = open + 1;
        if (callParenAt(text, skipWhitespace(text, open + 1)) < 0)
            continue;
        const CallRun run = readCallRun(text, open + 1, true, text.size(), landmarks);
        // A list that is not taken is not read again from inside: that keeps the scan linear.
        from = std::max(from, run.end);
        const qsizetype after = skipWhitespace(text, run.end);
        const bool atTextEnd = after >= text.size();
        // "[label](https://...)" is a markdown link, whatever the label looks like.
        if (run.closed && run.end < text.size() && text.at(run.end) == u'(')
            continue;
        int good = 0;
        bool declaredButBroken = false;
        bool allComplete = true;
        for (const CallText& call : run.calls) {
            const bool declared = resolveCallName(tools, call.name) != nullptr;
            good += call.complete && declared ? 1 : 0;
            declaredButBroken = declaredButBroken || (declared && !call.complete);
            allComplete = allComplete && call.complete;
        }
        if (good > 0 && (run.closed || atTextEnd)) {
            settleRun(run, tools, kListFormat, match);
            qsizetype end = run.end;
            // An LFM2 or Llama 4 end token whose opening token was stripped.
            if (startsAt(text, after, kLfm2End)) {
                end = after + kLfm2End.size();
                if (match.calls.size() == good)
                    match.format = QString(kLfm2Format);
            } else if (startsAt(text, after, kPythonEnd)) {
                end = skipTokens(
                    text, after + kPythonEnd.size(), { kLlama4MessageEnds[0], kLlama4MessageEnds[1] });
            }
            match.markup.append(withFence(text, { open, end }));
            from = end;
            continue;
        }
        // Nothing recovered: a near miss only where the list stands on its own line and either
        // names a declared tool or is the whole message.
        const bool wholeMessage = open == firstContent && run.closed && atTextEnd && allComplete;
        if (atLineStart(text, open) && (declaredButBroken || wholeMessage)) {
            QStringList problems;
            for (const CallText& call : run.calls) {
                const bool declared = resolveCallName(tools, call.name) != nullptr;
                if (!call.complete || !declared)
                    problems.append(failureText(call, declared));
            }
            match.issues.append(u"call list not recovered: "_s + problems.join(u"; "_s));
            match.failed.append({ open, std::max(run.end, run.calls.last().span.end) });
        }
    }
    return match;
}

} // namespace Guard
