#pragma once

#include "exchange.h"

#include <QByteArray>
#include <QList>
#include <QString>

namespace Trace {

// Keeps credentials out of everything Temper records or shows.
//
// Headers that carry credentials (Authorization, Proxy-Authorization, X-Api-Key, Api-Key,
// Cookie, Set-Cookie, ...), query parameters that do (key, api_key, access_token, ...) and
// passwords in URLs are always masked, whoever sent them. Secrets Temper itself knows (the backend API key) are also
// replaced wherever they appear in recorded bytes or text, as written or percent-encoded.
// Every function is idempotent: masking a masked value leaves it alone.
class SecretRedactor
{
public:
    void addSecret(const QByteArray& secret);
    void clearSecrets() { m_secrets.clear(); }
    bool hasSecrets() const { return !m_secrets.isEmpty(); }

    template<typename HeaderRange>
    HeaderList headers(const HeaderRange& range) const
    {
        HeaderList result;
        for (const auto& header : range)
            result.append({ header.name, headerValue(header.name, header.value) });
        return result;
    }
    QByteArray headerValue(const QByteArray& name, const QByteArray& value) const;
    QByteArray scrub(QByteArray bytes) const;
    QString scrub(QString text) const;
    // A request target or URL with known secrets, a password in its authority and the values
    // of credential query parameters masked.
    QByteArray url(QByteArray url) const;

    // Applies all of the above to what an exchange records. With `bodies` false only the small
    // text fields (paths, URLs, headers, errors, event summaries): cheap enough for every
    // update of a running exchange. With `bodies` true also bodies, stream events, event
    // details and the guard's findings.
    void redact(Exchange& exchange, bool bodies) const;

    static bool isCredentialHeader(QByteArrayView name);
    static bool isCredentialParameter(QByteArrayView name);

private:
    struct Secret
    {
        QByteArray bytes;
        QByteArray mask;
    };
    QJsonObject scrub(const QJsonObject& object) const;
    bool containsSecret(QByteArrayView bytes) const;

    QList<Secret> m_secrets;
};

// "sk-…wxyz": enough to tell two keys apart, never enough to use one. Short secrets are masked
// completely.
QString maskSecret(QStringView secret);

} // namespace Trace
