#include "literalparser.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QRegularExpression>
#include <QStringList>

#include <algorithm>
#include <cmath>

using namespace Qt::StringLiterals;

namespace Guard {

namespace {

constexpr int kMaxDepth = 256;

// The two string delimiters of the Gemma dialect.
constexpr QStringView kGemmaQuote = u"<|\"|>";
constexpr QStringView kGemmaEscape = u"<escape>";

bool isJsonWhitespace(QChar c)
{
    return c == u' ' || c == u'\t' || c == u'\n' || c == u'\r';
}

bool isIdentifierPart(QChar c)
{
    return c.isLetterOrNumber() || c == u'_';
}

class Parser
{
public:
    Parser(QStringView text, LiteralDialect dialect, bool build)
        : m_text(text)
        , m_dialect(dialect)
        , m_build(build)
    {
    }

    LiteralParse run(qsizetype pos)
    {
        m_pos = skipWhitespace(m_text, pos);
        LiteralParse result;
        QJsonValue value;
        result.ok = parseValue(value, 0);
        result.value = result.ok ? value : QJsonValue();
        result.end = m_pos;
        result.error = m_error;
        if (result.ok && m_build)
            result.integralFloats = m_integralFloats;
        return result;
    }

private:
    bool fail(const QString& message)
    {
        if (m_error.isEmpty())
            m_error = message + u" at offset "_s + QString::number(m_pos);
        return false;
    }

    bool atEnd() const { return m_pos >= m_text.size(); }
    QChar peek() const { return atEnd() ? QChar() : m_text.at(m_pos); }
    bool lookingAt(QStringView token) const { return m_text.mid(m_pos).startsWith(token); }
    void skipSpace() { m_pos = skipWhitespace(m_text, m_pos); }

    bool parseValue(QJsonValue& out, int depth)
    {
        if (depth > kMaxDepth)
            return fail(u"nesting too deep"_s);
        skipSpace();
        if (atEnd())
            return fail(u"text ended where a value was expected"_s);
        const QChar c = peek();
        if (c == u'{')
            return parseObject(out, depth);
        if (c == u'[')
            return parseArray(out, depth, u']');
        if (c == u'(' && m_dialect == LiteralDialect::Python)
            return parseArray(out, depth, u')');
        if (c == u'"')
            return parseQuotedString(out, u'"');
        if (c == u'\'' && m_dialect == LiteralDialect::Python)
            return parseQuotedString(out, u'\'');
        if (m_dialect == LiteralDialect::Python && (c == u'r' || c == u'b' || c == u'u')
            && m_pos + 1 < m_text.size()
            && (m_text.at(m_pos + 1) == u'\'' || m_text.at(m_pos + 1) == u'"')) {
            return parsePrefixedPythonString(out);
        }
        if (m_dialect == LiteralDialect::Gemma) {
            if (lookingAt(kGemmaQuote))
                return parseDelimitedString(out, kGemmaQuote);
            if (lookingAt(kGemmaEscape))
                return parseDelimitedString(out, kGemmaEscape);
        }
        if (c == u'-' || c == u'+' || c.isDigit() || c == u'.')
            return parseNumber(out);
        return parseKeyword(out);
    }

    bool parseKeyword(QJsonValue& out)
    {
        struct Keyword
        {
            QStringView text;
            QJsonValue value;
            bool json;   // valid in JSON and Gemma
            bool python; // valid in the Python dialect
        };
        const Keyword keywords[] = {
            { u"true", QJsonValue(true), true, true },
            { u"false", QJsonValue(false), true, true },
            { u"null", QJsonValue(QJsonValue::Null), true, true },
            { u"True", QJsonValue(true), false, true },
            { u"False", QJsonValue(false), false, true },
            { u"None", QJsonValue(QJsonValue::Null), false, true },
        };
        for (const Keyword& keyword : keywords) {
            const bool allowed = m_dialect == LiteralDialect::Python ? keyword.python : keyword.json;
            if (!allowed || !lookingAt(keyword.text))
                continue;
            const qsizetype after = m_pos + keyword.text.size();
            if (after < m_text.size() && isIdentifierPart(m_text.at(after)))
                continue; // "nullable" is not null
            m_pos = after;
            out = keyword.value;
            return true;
        }
        return fail(u"unexpected character '"_s + peek() + u"'"_s);
    }

    bool parseNumber(QJsonValue& out)
    {
        const qsizetype start = m_pos;
        const bool lenient = m_dialect != LiteralDialect::Json;
        if (peek() == u'-' || (lenient && peek() == u'+'))
            ++m_pos;
        const qsizetype intStart = m_pos;
        while (!atEnd() && peek().isDigit())
            ++m_pos;
        const qsizetype intDigits = m_pos - intStart;
        if (intDigits == 0 && !(lenient && peek() == u'.'))
            return fail(u"malformed number"_s);
        if (!lenient && intDigits > 1 && m_text.at(intStart) == u'0')
            return fail(u"number with a leading zero"_s);
        bool isInteger = true;
        if (peek() == u'.') {
            isInteger = false;
            ++m_pos;
            const qsizetype fracStart = m_pos;
            while (!atEnd() && peek().isDigit())
                ++m_pos;
            if (m_pos == fracStart && (!lenient || intDigits == 0))
                return fail(u"malformed number"_s);
        }
        if (peek() == u'e' || peek() == u'E') {
            isInteger = false;
            ++m_pos;
            if (peek() == u'+' || peek() == u'-')
                ++m_pos;
            const qsizetype expStart = m_pos;
            while (!atEnd() && peek().isDigit())
                ++m_pos;
            if (m_pos == expStart)
                return fail(u"malformed exponent"_s);
        }
        if (!atEnd() && (isIdentifierPart(peek()) || peek() == u'.'))
            return fail(u"malformed number"_s); // "3abc", "1.2.3", "0x10" are not numbers
        const QStringView literal = m_text.sliced(start, m_pos - start);
        if (isInteger) {
            bool fits = false;
            const qint64 integer = literal.toLongLong(&fits);
            if (fits) {
                out = QJsonValue(integer);
                return true;
            }
        }
        bool ok = false;
        const double number = literal.toDouble(&ok);
        if (!ok || !std::isfinite(number)) {
            m_pos = start;
            return fail(u"number out of range"_s);
        }
        if (m_build && std::floor(number) == number && std::fabs(number) < 9.0e15)
            m_integralFloats.append({ pointer(), literal.toString() });
        out = QJsonValue(number);
        return true;
    }

    // JSON Pointer of the value being parsed, with "~" and "/" escaped as RFC 6901 says.
    QString pointer() const
    {
        QString result;
        for (const QString& segment : m_path) {
            QString escaped = segment;
            escaped.replace(u'~', u"~0"_s).replace(u'/', u"~1"_s);
            result += u'/' + escaped;
        }
        return result;
    }

    static int hexValue(QChar c)
    {
        const char16_t u = c.unicode();
        if (u >= u'0' && u <= u'9')
            return u - u'0';
        if (u >= u'a' && u <= u'f')
            return u - u'a' + 10;
        if (u >= u'A' && u <= u'F')
            return u - u'A' + 10;
        return -1;
    }

    bool readHex(int digits, char32_t& out)
    {
        out = 0;
        for (int i = 0; i < digits; ++i) {
            if (atEnd())
                return fail(u"truncated escape"_s);
            const int h = hexValue(peek());
            if (h < 0)
                return fail(u"bad hexadecimal escape"_s);
            out = out * 16 + char32_t(h);
            ++m_pos;
        }
        return true;
    }

    // A JSON string, or a Python string in either quote (raw strings keep backslashes); in the
    // Python dialect also '''...''' and """...""", which may span lines.
    bool parseQuotedString(QJsonValue& out, QChar quote, bool raw = false)
    {
        if (m_dialect == LiteralDialect::Python) {
            const QString triple(3, quote);
            if (lookingAt(triple))
                return parseTripleQuotedString(out, triple, raw);
        }
        ++m_pos; // opening quote
        const bool python = m_dialect == LiteralDialect::Python;
        QString result;
        while (true) {
            if (atEnd())
                return fail(u"string never closed"_s);
            const QChar c = peek();
            if (c == quote) {
                ++m_pos;
                if (m_build)
                    out = QJsonValue(result);
                return true;
            }
            // A raw newline or tab inside a string is not strict JSON, but its meaning is
            // unambiguous; the validator re-serialises such arguments and records the repair.
            if (c != u'\\') {
                if (m_build)
                    result.append(c);
                ++m_pos;
                continue;
            }
            ++m_pos;
            if (atEnd())
                return fail(u"string never closed"_s);
            const QChar e = peek();
            if (raw) {
                // In r'...' a backslash only protects the quote from ending the string.
                result.append(u'\\');
                result.append(e);
                ++m_pos;
                continue;
            }
            ++m_pos;
            switch (e.unicode()) {
            case u'"': result.append(u'"'); break;
            case u'\\': result.append(u'\\'); break;
            case u'/': result.append(u'/'); break;
            case u'b': result.append(u'\b'); break;
            case u'f': result.append(u'\f'); break;
            case u'n': result.append(u'\n'); break;
            case u'r': result.append(u'\r'); break;
            case u't': result.append(u'\t'); break;
            case u'u': {
                char32_t code = 0;
                if (!readHex(4, code))
                    return false;
                if (QChar::isHighSurrogate(code) && lookingAt(u"\\u")) {
                    const qsizetype save = m_pos;
                    m_pos += 2;
                    char32_t low = 0;
                    if (readHex(4, low) && QChar::isLowSurrogate(low)) {
                        result.append(QChar(char16_t(code)));
                        result.append(QChar(char16_t(low)));
                        break;
                    }
                    m_error.clear();
                    m_pos = save;
                }
                result.append(QChar(char16_t(code)));
                break;
            }
            default:
                if (!python)
                    return fail(u"unknown escape"_s);
                if (e == u'\'') {
                    result.append(u'\'');
                } else if (e == u'x') {
                    char32_t code = 0;
                    if (!readHex(2, code))
                        return false;
                    result.append(QChar(char16_t(code)));
                } else if (e == u'\n') {
                    // a line continuation adds nothing
                } else {
                    result.append(u'\\');
                    result.append(e);
                }
            }
        }
    }

    bool parseTripleQuotedString(QJsonValue& out, const QString& triple, bool raw)
    {
        const qsizetype bodyStart = m_pos + 3;
        qsizetype close = bodyStart;
        // The closing quotes are the first three not escaped by a backslash.
        while (true) {
            close = m_text.indexOf(triple, close);
            if (close < 0) {
                m_pos = m_text.size();
                return fail(u"string never closed"_s);
            }
            qsizetype backslashes = 0;
            while (close - 1 - backslashes >= bodyStart && m_text.at(close - 1 - backslashes) == u'\\')
                ++backslashes;
            if (backslashes % 2 == 0)
                break;
            ++close;
        }
        const QString body = m_text.mid(bodyStart, close - bodyStart).toString();
        m_pos = close + 3;
        if (raw) {
            out = QJsonValue(body);
            return true;
        }
        out = QJsonValue(decodePythonEscapes(body));
        return true;
    }

    // Python's escapes in a string body; unknown escapes keep their backslash, as Python does.
    static QString decodePythonEscapes(QStringView body)
    {
        QString result;
        result.reserve(body.size());
        for (qsizetype i = 0; i < body.size(); ++i) {
            const QChar c = body.at(i);
            if (c != u'\\' || i + 1 == body.size()) {
                result.append(c);
                continue;
            }
            const QChar e = body.at(++i);
            auto hex = [&](int digits) {
                bool ok = false;
                const uint code = body.mid(i + 1, digits).toUInt(&ok, 16);
                if (!ok || i + digits >= body.size())
                    return false;
                result.append(QChar(char16_t(code)));
                i += digits;
                return true;
            };
            switch (e.unicode()) {
            case u'n': result.append(u'\n'); break;
            case u't': result.append(u'\t'); break;
            case u'r': result.append(u'\r'); break;
            case u'\\': result.append(u'\\'); break;
            case u'\'': result.append(u'\''); break;
            case u'"': result.append(u'"'); break;
            case u'\n': break; // a line continuation
            case u'x':
                if (!hex(2))
                    result.append(u"\\x"_s);
                break;
            case u'u':
                if (!hex(4))
                    result.append(u"\\u"_s);
                break;
            default:
                result.append(u'\\');
                result.append(e);
            }
        }
        return result;
    }

    bool parsePrefixedPythonString(QJsonValue& out)
    {
        const bool raw = peek() == u'r';
        ++m_pos; // the prefix letter
        return parseQuotedString(out, peek(), raw);
    }

    // Gemma strings: everything up to the next delimiter is the text, quotes included.
    bool parseDelimitedString(QJsonValue& out, QStringView delimiter)
    {
        m_pos += delimiter.size();
        const qsizetype close = m_text.indexOf(delimiter, m_pos);
        // Unclosed, the error points just past the opening delimiter: the Gemma parsers bound a
        // broken call by its envelope from there.
        if (close < 0)
            return fail(u"string never closed"_s);
        out = QJsonValue(m_text.mid(m_pos, close - m_pos).toString());
        m_pos = close + delimiter.size();
        return true;
    }

    bool parseKey(QString& key)
    {
        skipSpace();
        QJsonValue keyValue;
        const QChar c = peek();
        if (c == u'"' || (c == u'\'' && m_dialect == LiteralDialect::Python)) {
            if (!parseQuotedString(keyValue, c))
                return false;
            key = keyValue.toString();
            return true;
        }
        if (m_dialect == LiteralDialect::Gemma) {
            if (lookingAt(kGemmaQuote) || lookingAt(kGemmaEscape)) {
                if (!parseDelimitedString(keyValue, lookingAt(kGemmaQuote) ? kGemmaQuote : kGemmaEscape))
                    return false;
                key = keyValue.toString();
                return true;
            }
            // Gemma writes keys bare, and a key may hold spaces or any script ("Basic LLM
            // Chain", "节点 名称"): everything up to the colon, trimmed.
            const qsizetype start = m_pos;
            while (!atEnd() && peek() != u':' && peek() != u'{' && peek() != u'}' && peek() != u'['
                   && peek() != u']' && peek() != u',' && peek() != u'"' && peek() != u'\n')
                ++m_pos;
            key = m_text.mid(start, m_pos - start).trimmed().toString();
            if (!key.isEmpty())
                return true;
            m_pos = start;
        }
        if (m_dialect == LiteralDialect::Python && (c.isDigit() || c == u'-')) {
            // {1: 'a'} has a number key; JSON objects can only keep it as text.
            QJsonValue number;
            const qsizetype start = m_pos;
            if (!parseNumber(number))
                return false;
            key = m_text.mid(start, m_pos - start).toString();
            return true;
        }
        return fail(u"expected a key"_s);
    }

    bool parseObject(QJsonValue& out, int depth)
    {
        ++m_pos; // '{'
        QJsonObject object;
        skipSpace();
        if (peek() == u'}') {
            ++m_pos;
            out = object;
            return true;
        }
        while (true) {
            QString key;
            if (!parseKey(key))
                return false;
            skipSpace();
            if (peek() != u':')
                return fail(u"expected ':' after a key"_s);
            ++m_pos;
            QJsonValue value;
            if (m_build)
                m_path.append(key);
            const bool parsed = parseValue(value, depth + 1);
            if (m_build)
                m_path.removeLast();
            if (!parsed)
                return false;
            if (m_build)
                object.insert(key, value);
            skipSpace();
            if (peek() == u',') {
                ++m_pos;
                skipSpace();
                if (peek() == u'}' && m_dialect != LiteralDialect::Json) {
                    ++m_pos;
                    break;
                }
                continue;
            }
            if (peek() == u'}') {
                ++m_pos;
                break;
            }
            return fail(atEnd() ? u"object never closed"_s : u"expected ',' or '}'"_s);
        }
        out = object;
        return true;
    }

    bool parseArray(QJsonValue& out, int depth, QChar close)
    {
        ++m_pos; // '[' or '('
        QJsonArray array;
        skipSpace();
        if (peek() == close) {
            ++m_pos;
            out = array;
            return true;
        }
        while (true) {
            QJsonValue value;
            if (m_build)
                m_path.append(QString::number(array.size()));
            const bool parsed = parseValue(value, depth + 1);
            if (m_build)
                m_path.removeLast();
            if (!parsed)
                return false;
            if (m_build)
                array.append(value);
            skipSpace();
            if (peek() == u',') {
                ++m_pos;
                skipSpace();
                if (peek() == close && m_dialect != LiteralDialect::Json) {
                    ++m_pos;
                    break;
                }
                continue;
            }
            if (peek() == close) {
                ++m_pos;
                break;
            }
            return fail(atEnd() ? u"array never closed"_s : u"expected ',' or a closing bracket"_s);
        }
        out = array;
        return true;
    }

    QStringView m_text;
    LiteralDialect m_dialect;
    bool m_build; // false: only check the syntax (the values are left empty or partial)
    qsizetype m_pos = 0;
    QString m_error;
    QStringList m_path;
    QList<WrittenNumber> m_integralFloats;
};

} // namespace

qsizetype skipWhitespace(QStringView text, qsizetype pos)
{
    while (pos < text.size() && isJsonWhitespace(text.at(pos)))
        ++pos;
    return pos;
}

LiteralParse parseLiteral(QStringView text, qsizetype pos, LiteralDialect dialect)
{
    return Parser(text, dialect, true).run(pos);
}

LiteralParse checkLiteral(QStringView text, qsizetype pos, LiteralDialect dialect)
{
    LiteralParse result = Parser(text, dialect, false).run(pos);
    result.value = QJsonValue();
    return result;
}

LiteralParse parseWholeLiteral(QStringView text, LiteralDialect dialect)
{
    LiteralParse result = parseLiteral(text, 0, dialect);
    if (result.ok && skipWhitespace(text, result.end) != text.size()) {
        result.ok = false;
        result.error = u"unexpected text after the value at offset "_s + QString::number(result.end);
    }
    return result;
}

namespace {

bool hasWholeDouble(const QJsonValue& value)
{
    if (value.isDouble())
        return value.toDouble() == std::floor(value.toDouble());
    if (value.isObject()) {
        const QJsonObject object = value.toObject();
        return std::any_of(object.begin(), object.end(), [](const QJsonValue& member) { return hasWholeDouble(member); });
    }
    if (value.isArray()) {
        const QJsonArray array = value.toArray();
        return std::any_of(array.begin(), array.end(), [](const QJsonValue& element) { return hasWholeDouble(element); });
    }
    return false;
}

QJsonValue valueAt(QJsonValue value, const QStringList& tokens)
{
    for (const QString& token : tokens) {
        const QString key = QString(token).replace(u"~1"_s, u"/"_s).replace(u"~0"_s, u"~"_s); // RFC 6901
        value = value.isArray() ? value.toArray().at(key.toInt()) : value.toObject().value(key);
    }
    return value;
}

} // namespace

QList<WrittenNumber> wholeFloatsWritten(QStringView span, const QJsonValue& arguments)
{
    if (!hasWholeDouble(arguments) || !span.contains(u".0"))
        return {};
    for (qsizetype pos = 0; pos < span.size(); ++pos) {
        if (span.at(pos) != u'{' && span.at(pos) != u'[')
            continue;
        for (const LiteralDialect dialect : { LiteralDialect::Json, LiteralDialect::Python }) {
            const LiteralParse parsed = parseLiteral(span, pos, dialect);
            if (!parsed.ok || parsed.integralFloats.isEmpty())
                continue;
            QList<WrittenNumber> numbers;
            for (const WrittenNumber& number : parsed.integralFloats) {
                const QStringList tokens = number.pointer.split(u'/', Qt::SkipEmptyParts);
                // The longest prefix whose value is the arguments object.
                for (qsizetype depth = 0; depth < tokens.size(); ++depth) {
                    if (valueAt(parsed.value, tokens.first(depth)) == arguments) {
                        numbers.append({ u"/"_s + tokens.sliced(depth).join(u'/'), number.lexeme });
                        break;
                    }
                }
            }
            if (!numbers.isEmpty())
                return numbers;
        }
    }
    // Keyword arguments (Python's days=3.0, Gemma's days:3.0): each top-level one on its own.
    QList<WrittenNumber> numbers;
    const QJsonObject object = arguments.toObject();
    for (auto it = object.begin(); it != object.end(); ++it) {
        if (!it.value().isDouble() || !hasWholeDouble(it.value()))
            continue;
        const QRegularExpression keyword(u"(?<![\\w.])"_s + QRegularExpression::escape(it.key())
                                         + u"\\s*[=:]\\s*(-?\\d+\\.0+)(?![\\d.eE])"_s);
        const QRegularExpressionMatch match = keyword.match(span);
        if (match.hasMatch())
            numbers.append({ u"/"_s + QString(it.key()).replace(u'~', u"~0"_s).replace(u'/', u"~1"_s), match.captured(1) });
    }
    return numbers;
}


} // namespace Guard
