#include "redaction.h"

#include <QJsonDocument>
#include <QUrl>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace Trace {

namespace {

constexpr QByteArrayView kCredentialHeaders[] = {
    "authorization", "proxy-authorization", "x-api-key", "api-key", "cookie", "set-cookie",
    "x-goog-api-key", "openai-organization",
};

// Query parameters hosted APIs and proxies take credentials in (Gemini's ?key=, Azure's
// ?api-key=, OAuth's ?access_token=).
constexpr QByteArrayView kCredentialParameters[] = {
    "key", "api_key", "api-key", "apikey", "access_token", "auth_token", "token", "password",
};

// maskSecret()'s output holds "…" or "•", which no credential does.
bool isMasked(QByteArrayView value)
{
    return value.contains("\xE2\x80\xA6") || value.contains("\xE2\x80\xA2");
}

} // namespace

void SecretRedactor::addSecret(const QByteArray& secret)
{
    // Very short values would mask ordinary text; a real API key is never that short.
    if (secret.size() < 6)
        return;
    for (const QByteArray& form : { secret, QUrl::toPercentEncoding(QString::fromUtf8(secret)) }) {
        const bool known = std::any_of(m_secrets.cbegin(), m_secrets.cend(), [&](const Secret& s) { return s.bytes == form; });
        if (!known)
            m_secrets.append({ form, maskSecret(QString::fromUtf8(secret)).toUtf8() });
    }
}

bool SecretRedactor::isCredentialHeader(QByteArrayView name)
{
    for (QByteArrayView candidate : kCredentialHeaders) {
        if (name.compare(candidate, Qt::CaseInsensitive) == 0)
            return true;
    }
    return false;
}

bool SecretRedactor::isCredentialParameter(QByteArrayView name)
{
    for (QByteArrayView candidate : kCredentialParameters) {
        if (name.compare(candidate, Qt::CaseInsensitive) == 0)
            return true;
    }
    return false;
}

QByteArray SecretRedactor::headerValue(const QByteArray& name, const QByteArray& value) const
{
    if (!isCredentialHeader(name) || isMasked(value))
        return scrub(value);
    // Keep the scheme ("Bearer") so a reader sees what kind of credential went where.
    const qsizetype space = value.indexOf(' ');
    const bool hasScheme = space > 0 && space < 16 && !value.startsWith("sk-");
    const QByteArray scheme = hasScheme ? value.left(space + 1) : QByteArray();
    const QByteArray secret = hasScheme ? value.mid(space + 1) : value;
    return scheme + maskSecret(QString::fromUtf8(secret)).toUtf8();
}

bool SecretRedactor::containsSecret(QByteArrayView bytes) const
{
    return std::any_of(m_secrets.cbegin(), m_secrets.cend(), [bytes](const Secret& secret) { return bytes.contains(secret.bytes); });
}

QByteArray SecretRedactor::scrub(QByteArray bytes) const
{
    for (const Secret& secret : m_secrets) {
        if (bytes.contains(secret.bytes))
            bytes.replace(secret.bytes, secret.mask);
    }
    return bytes;
}

QString SecretRedactor::scrub(QString text) const
{
    for (const Secret& secret : m_secrets) {
        const QString plain = QString::fromUtf8(secret.bytes);
        if (text.contains(plain))
            text.replace(plain, QString::fromUtf8(secret.mask));
    }
    return text;
}

QJsonObject SecretRedactor::scrub(const QJsonObject& object) const
{
    if (m_secrets.isEmpty() || object.isEmpty())
        return object;
    const QByteArray json = QJsonDocument(object).toJson(QJsonDocument::Compact);
    const QByteArray scrubbed = scrub(json);
    return scrubbed == json ? object : QJsonDocument::fromJson(scrubbed).object();
}

QByteArray SecretRedactor::url(QByteArray url) const
{
    url = scrub(std::move(url));
    // A password in the authority: https://user:password@host/
    const qsizetype scheme = url.indexOf("://");
    if (scheme > 0) {
        const qsizetype hostStart = scheme + 3;
        qsizetype authorityEnd = hostStart;
        while (authorityEnd < url.size() && url.at(authorityEnd) != '/' && url.at(authorityEnd) != '?' && url.at(authorityEnd) != '#')
            ++authorityEnd;
        const qsizetype at = QByteArrayView(url).first(authorityEnd).lastIndexOf('@');
        const qsizetype colon = at > hostStart ? url.indexOf(':', hostStart) : -1;
        if (colon > 0 && colon < at - 1 && !isMasked(QByteArrayView(url).sliced(colon + 1, at - colon - 1))) {
            const QByteArray password = QByteArray::fromPercentEncoding(url.mid(colon + 1, at - colon - 1));
            url.replace(colon + 1, at - colon - 1, maskSecret(QString::fromUtf8(password)).toUtf8());
        }
    }
    const qsizetype question = url.indexOf('?');
    if (question < 0)
        return url;
    const qsizetype fragment = url.indexOf('#', question);
    const qsizetype queryEnd = fragment < 0 ? url.size() : fragment;
    QList<QByteArray> parameters = url.mid(question + 1, queryEnd - question - 1).split('&');
    bool changed = false;
    for (QByteArray& parameter : parameters) {
        const qsizetype equals = parameter.indexOf('=');
        if (equals <= 0 || equals + 1 == parameter.size() || isMasked(parameter))
            continue;
        if (!isCredentialParameter(QByteArray::fromPercentEncoding(parameter.left(equals))))
            continue;
        const QByteArray value = QByteArray::fromPercentEncoding(parameter.mid(equals + 1));
        parameter = parameter.left(equals + 1) + maskSecret(QString::fromUtf8(value)).toUtf8();
        changed = true;
    }
    if (!changed)
        return url;
    return url.left(question + 1) + parameters.join('&') + url.mid(queryEnd);
}

namespace {

// Assigns only what changed: a running exchange is updated often, and lists it shares with
// copies taken for the window must not be detached for nothing.
template<typename List, typename Change>
bool changeEach(List& list, const Change& change)
{
    bool changed = false;
    for (qsizetype i = 0; i < list.size(); ++i) {
        auto item = list.at(i);
        if (change(item)) {
            list[i] = std::move(item);
            changed = true;
        }
    }
    return changed;
}

template<typename Value>
bool assignIfChanged(Value& target, Value value)
{
    if (value == target)
        return false;
    target = std::move(value);
    return true;
}

} // namespace

void SecretRedactor::redact(Exchange& exchange, bool bodies) const
{
    const bool secrets = !m_secrets.isEmpty();
    const auto record = [&](HttpRecord& record) {
        bool changed = assignIfChanged(record.url, url(record.url));
        changed = changeEach(record.headers, [&](QPair<QByteArray, QByteArray>& header) {
            return assignIfChanged(header.second, headerValue(header.first, header.second));
        }) || changed;
        if (bodies && secrets) {
            if (containsSecret(record.body)) {
                record.body = scrub(record.body);
                changed = true;
            }
            changed = changeEach(record.events, [&](StreamEvent& event) {
                if (!containsSecret(event.data))
                    return false;
                event.data = scrub(event.data);
                return true;
            }) || changed;
        }
        return changed;
    };
    assignIfChanged(exchange.path, url(exchange.path));
    assignIfChanged(exchange.backend, QString::fromUtf8(url(exchange.backend.toUtf8())));
    record(exchange.clientRequest);
    record(exchange.clientResponse);
    changeEach(exchange.attempts, [&](Attempt& attempt) {
        bool changed = record(attempt.request);
        changed = record(attempt.response) || changed;
        if (secrets) {
            changed = assignIfChanged(attempt.error, scrub(attempt.error)) || changed;
            if (bodies)
                changed = assignIfChanged(attempt.guard, scrub(attempt.guard)) || changed;
        }
        return changed;
    });
    if (!secrets)
        return;
    assignIfChanged(exchange.error, scrub(exchange.error));
    changeEach(exchange.events, [&](GuardEvent& event) {
        bool changed = assignIfChanged(event.summary, scrub(event.summary));
        if (bodies)
            changed = assignIfChanged(event.detail, scrub(event.detail)) || changed;
        return changed;
    });
}

QString maskSecret(QStringView secret)
{
    if (secret.isEmpty())
        return QString();
    if (secret.size() < 12)
        return u"••••"_s;
    const qsizetype dash = secret.indexOf(u'-');
    const QStringView prefix = dash > 0 && dash <= 4 ? secret.first(dash + 1) : QStringView();
    return prefix.toString() + u"…"_s + secret.last(4).toString();
}

} // namespace Trace
