#include "filterquery.h"

#include <QJsonArray>
#include <QJsonObject>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace Trace {

namespace {

const QStringList kKeys = { u"model"_s, u"outcome"_s, u"tool"_s, u"parser"_s, u"status"_s, u"streamed"_s,
                            u"method"_s, u"path"_s, u"route"_s };

// Splits on whitespace, keeping "quoted phrases" (and key:"quoted values") whole.
QStringList tokens(const QString& text)
{
    QStringList result;
    QString current;
    bool quoted = false;
    for (QChar c : text) {
        if (c == u'"') {
            quoted = !quoted;
            continue;
        }
        if (c.isSpace() && !quoted) {
            if (!current.isEmpty())
                result.append(current);
            current.clear();
            continue;
        }
        current += c;
    }
    if (!current.isEmpty())
        result.append(current);
    return result;
}

bool containsText(const QByteArray& haystack, const QString& needle)
{
    // Bodies are UTF-8; most needles are ASCII, for which a byte search without case is exact.
    const QByteArray utf8 = needle.toUtf8();
    if (haystack.size() < utf8.size())
        return false;
    if (haystack.contains(utf8))
        return true;
    return QString::fromUtf8(haystack).contains(needle, Qt::CaseInsensitive);
}

bool statusMatches(int status, const QString& value)
{
    if (value.size() == 3 && value.endsWith("xx"_L1))
        return status / 100 == value.at(0).digitValue();
    return QString::number(status) == value;
}

QStringList calledTools(const Exchange& exchange)
{
    QStringList names;
    for (const Attempt& attempt : exchange.attempts) {
        for (const QJsonValue& call : attempt.guard.value("calls"_L1).toArray())
            names.append(call.toObject().value("name"_L1).toString());
    }
    return names;
}

} // namespace

QStringList FilterQuery::keys()
{
    return kKeys;
}

FilterQuery FilterQuery::parse(const QString& text)
{
    FilterQuery query;
    for (QString token : tokens(text)) {
        Term term;
        if (token.startsWith(u'-') && token.size() > 1) {
            term.negated = true;
            token.remove(0, 1);
        }
        const qsizetype colon = token.indexOf(u':');
        if (colon > 0 && kKeys.contains(token.left(colon).toLower())) {
            term.key = token.left(colon).toLower();
            term.value = token.mid(colon + 1).toLower();
        } else {
            term.value = token.toLower();
        }
        if (!term.value.isEmpty() || !term.key.isEmpty())
            query.m_terms.append(term);
    }
    return query;
}

bool FilterQuery::termMatches(const Term& term, const Exchange& e) const
{
    const QString& v = term.value;
    if (term.key.isEmpty()) {
        if (QString::fromUtf8(e.path).contains(v, Qt::CaseInsensitive) || e.model.contains(v, Qt::CaseInsensitive)
            || e.error.contains(v, Qt::CaseInsensitive))
            return true;
        if (containsText(e.clientRequest.body, v) || containsText(e.clientResponse.body, v))
            return true;
        for (const Attempt& attempt : e.attempts) {
            if (containsText(attempt.response.body, v))
                return true;
        }
        return false;
    }
    if (term.key == u"model"_s)
        return e.model.contains(v, Qt::CaseInsensitive);
    if (term.key == u"outcome"_s) {
        const QString name = outcomeName(e.outcome);
        return name == v || QString(name).remove(u'-') == QString(v).remove(u'-');
    }
    if (term.key == u"tool"_s) {
        const QStringList names = e.toolNames + calledTools(e);
        return std::any_of(names.cbegin(), names.cend(), [&v](const QString& name) { return name.contains(v, Qt::CaseInsensitive); });
    }
    if (term.key == u"parser"_s) {
        for (const Attempt& attempt : e.attempts) {
            const QJsonObject rescue = attempt.guard.value("rescue"_L1).toObject();
            if ((!rescue.value("parser"_L1).toString().isEmpty() && rescue.value("parser"_L1).toString().contains(v, Qt::CaseInsensitive))
                || (!rescue.value("format"_L1).toString().isEmpty() && rescue.value("format"_L1).toString().contains(v, Qt::CaseInsensitive)))
                return true;
        }
        return false;
    }
    if (term.key == u"status"_s)
        return statusMatches(e.clientResponse.status, v);
    if (term.key == u"streamed"_s) {
        const bool yes = v == u"yes"_s || v == u"true"_s || v == u"1"_s;
        return e.streamed == yes;
    }
    if (term.key == u"method"_s)
        return QString::fromLatin1(e.method).compare(v, Qt::CaseInsensitive) == 0;
    if (term.key == u"path"_s)
        return QString::fromUtf8(e.path).contains(v, Qt::CaseInsensitive);
    if (term.key == u"route"_s)
        return e.route.compare(v, Qt::CaseInsensitive) == 0;
    return false;
}

bool FilterQuery::matches(const Exchange& exchange) const
{
    for (const Term& term : m_terms) {
        if (termMatches(term, exchange) == term.negated)
            return false;
    }
    return true;
}

} // namespace Trace
