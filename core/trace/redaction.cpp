#include "redaction.h"

using namespace Qt::StringLiterals;

namespace Trace {

namespace {

constexpr QByteArrayView kCredentialHeaders[] = {
    "authorization", "proxy-authorization", "x-api-key", "api-key", "cookie", "set-cookie",
    "x-goog-api-key", "openai-organization",
};

} // namespace

void SecretRedactor::addSecret(const QByteArray& secret)
{
    // Very short values would mask ordinary text; a real API key is never that short.
    if (secret.size() >= 6 && !m_secrets.contains(secret))
        m_secrets.append(secret);
}

bool SecretRedactor::isCredentialHeader(QByteArrayView name)
{
    for (QByteArrayView candidate : kCredentialHeaders) {
        if (name.compare(candidate, Qt::CaseInsensitive) == 0)
            return true;
    }
    return false;
}

QByteArray SecretRedactor::headerValue(const QByteArray& name, const QByteArray& value) const
{
    if (!isCredentialHeader(name))
        return scrub(value);
    // Keep the scheme ("Bearer") so a reader sees what kind of credential went where.
    const qsizetype space = value.indexOf(' ');
    const bool hasScheme = space > 0 && space < 16 && !value.startsWith("sk-");
    const QByteArray scheme = hasScheme ? value.left(space + 1) : QByteArray();
    const QByteArray secret = hasScheme ? value.mid(space + 1) : value;
    return scheme + maskSecret(QString::fromUtf8(secret)).toUtf8();
}

QByteArray SecretRedactor::scrub(QByteArray bytes) const
{
    for (const QByteArray& secret : m_secrets) {
        if (bytes.contains(secret))
            bytes.replace(secret, maskSecret(QString::fromUtf8(secret)).toUtf8());
    }
    return bytes;
}

QString SecretRedactor::scrub(QString text) const
{
    for (const QByteArray& secret : m_secrets) {
        const QString plain = QString::fromUtf8(secret);
        if (text.contains(plain))
            text.replace(plain, maskSecret(plain));
    }
    return text;
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
