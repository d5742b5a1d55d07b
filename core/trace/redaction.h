#pragma once

#include "exchange.h"

#include <QByteArray>
#include <QList>
#include <QString>

namespace Trace {

// Keeps credentials out of everything Temper records or shows.
//
// Headers that carry credentials (Authorization, Proxy-Authorization, X-Api-Key, Api-Key,
// Cookie, Set-Cookie, ...) are always masked, whoever sent them. Secrets Temper itself knows
// (the backend API key) are also replaced wherever they appear in recorded bytes.
class SecretRedactor
{
public:
    void addSecret(const QByteArray& secret);
    void clearSecrets() { m_secrets.clear(); }

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

    static bool isCredentialHeader(QByteArrayView name);

private:
    QList<QByteArray> m_secrets;
};

// "sk-…wxyz": enough to tell two keys apart, never enough to use one. Short secrets are masked
// completely.
QString maskSecret(QStringView secret);

} // namespace Trace
