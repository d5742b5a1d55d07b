#include "curl.h"

#include "redaction.h"

using namespace Qt::StringLiterals;

namespace Trace {

QString shellQuote(const QString& text)
{
    return u'\'' + QString(text).replace(u"'"_s, u"'\\''"_s) + u'\'';
}

QString curlCommand(const Exchange& exchange, const QUrl& temperUrl)
{
    const QString url = temperUrl.toString(QUrl::StripTrailingSlash) + QString::fromUtf8(exchange.path);
    QStringList parts { u"curl"_s };
    if (exchange.streamed)
        parts.append(u"-N"_s);
    if (exchange.method != "GET")
        parts.append(u"-X "_s + QString::fromLatin1(exchange.method));
    parts.append(shellQuote(url));
    bool maskedCredential = false;
    for (const auto& [name, value] : exchange.clientRequest.headers) {
        // curl computes these itself; sending the recorded ones would clash with its own.
        const QByteArray lower = name.toLower();
        if (lower == "host" || lower == "content-length" || lower == "connection" || lower == "accept-encoding"
            || lower == "transfer-encoding" || lower == "expect")
            continue;
        maskedCredential = maskedCredential || SecretRedactor::isCredentialHeader(name);
        parts.append(u"-H "_s + shellQuote(QString::fromLatin1(name) + u": "_s + QString::fromUtf8(value)));
    }
    if (!exchange.clientRequest.body.isEmpty())
        parts.append(u"--data-binary "_s + shellQuote(QString::fromUtf8(exchange.clientRequest.body)));
    QString command = parts.join(u" \\\n  "_s);
    if (maskedCredential)
        command.prepend(u"# The credential below is masked; put your own key in its place.\n"_s);
    return command;
}

} // namespace Trace
